package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.accounts.AccountsChange;
import io.motley.core.accounts.AccountsDb;
import io.motley.core.accounts.AssocLimits;
import io.motley.core.accounts.Sacctmgr;
import io.motley.core.accounts.Tres;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every store answers the same way about sacctmgr's database; the store tests implement it. */
interface AccountsStoreContractTestCase {

    default AccountsStore accountsStore() throws Exception {
        return ((StoreContractTestCase) this).store();
    }

    static AccountsDb apply(AccountsDb db, String... lines) {
        for (String l : lines)
            db = AccountsChange.apply(db, Sacctmgr.parse(List.of(l.split(" "))), "c")
                    .db();
        return db;
    }

    @Test
    default void aNewStoreHoldsNoAccounts() throws Exception {
        assertThat(accountsStore().accounts()).isEqualTo(AccountsDb.empty());
    }

    @Test
    default void accountsUsersAssociationsAndQosComeBackAsSaved() throws Exception {
        AccountsDb db = apply(
                AccountsDb.empty(),
                "add account science description=Science organization=uni grptres=cpu=8,mem=16G,gres/gpu=2",
                "add account physics parent=science fairshare=5 maxwall=2:00:00 maxsubmit=10",
                "add user zoe,bob account=physics maxjobs=1 grptres=cpu=2",
                "add user bob account=science",
                "modify user bob set adminlevel=Operator defaultaccount=science",
                "add qos high priority=100");
        AccountsStore s = accountsStore();
        s.saveAccounts(db);
        AccountsDb back = s.accounts();
        assertThat(back.accounts()).extracting(AccountsDb.Account::name).containsExactly("physics", "science");
        assertThat(back.account("physics").orElseThrow())
                .isEqualTo(new AccountsDb.Account(
                        "physics", "physics", "science", "science", 5, new AssocLimits(-1, 10, 7200, Tres.NONE)));
        assertThat(back.account("science").orElseThrow().limits().grpTres()).isEqualTo(new Tres(8, 16384, 2));
        assertThat(back.users())
                .containsExactly(
                        new AccountsDb.User("bob", "science", AccountsDb.AdminLevel.Operator),
                        new AccountsDb.User("zoe", "physics", AccountsDb.AdminLevel.None));
        assertThat(back.assocs())
                .extracting(a -> a.account() + "/" + a.user())
                .containsExactly("physics/bob", "physics/zoe", "science/bob");
        assertThat(back.assoc("physics", "zoe").orElseThrow().limits())
                .isEqualTo(new AssocLimits(1, -1, -1, new Tres(2, -1, -1)));
        assertThat(back.qos()).containsExactly(new AccountsDb.Qos("high", "high", 100));
    }

    @Test
    default void aSaveReplacesEverything() throws Exception {
        AccountsStore s = accountsStore();
        AccountsDb db = apply(AccountsDb.empty(), "add account physics", "add user bob account=physics");
        s.saveAccounts(db);
        s.saveAccounts(apply(db, "delete user bob", "add account chem"));
        AccountsDb back = s.accounts();
        assertThat(back.users()).isEmpty();
        assertThat(back.assocs()).isEmpty();
        assertThat(back.accounts()).extracting(AccountsDb.Account::name).containsExactly("chem", "physics");
    }
}
