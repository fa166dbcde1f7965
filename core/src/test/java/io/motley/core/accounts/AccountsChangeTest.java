package io.motley.core.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.accounts.AccountsChange.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountsChangeTest {

    static Result run(AccountsDb db, String line) {
        return AccountsChange.apply(db, Sacctmgr.parse(List.of(line.split(" "))), "anchor");
    }

    @Test
    void addAccountPrintsWhatSacctmgrPrints() {
        Result r = run(AccountsDb.empty(), "add account physics Description=Physics");
        assertThat(r.changed()).isTrue();
        assertThat(r.out())
                .isEqualTo(" Adding Account(s)\n  physics\n Settings\n  Description     = Physics\n"
                        + "  Organization    = Parent/Account Name\n Associations\n"
                        + "  A = physics    C = anchor    \n");
        AccountsDb.Account a = r.db().account("physics").orElseThrow();
        assertThat(a.organization()).isEqualTo("physics");
        assertThat(a.parent()).isNull();
        assertThat(run(r.db(), "add account physics").out()).isEqualTo(" Nothing new added.\n");
    }

    @Test
    void addUserWithLimitsMakesItsAssociation() {
        AccountsDb db = run(AccountsDb.empty(), "add account physics").db();
        Result r = run(db, "add user bob account=physics maxjobs=1 grptres=cpu=2");
        assertThat(r.out())
                .isEqualTo(" Adding User(s)\n  bob\n Settings =\n  Default Account = physics\n Associations =\n"
                        + "  U = bob       A = physics    C = anchor    \n Non Default Settings\n"
                        + "  GrpTRES       = cpu=2\n  MaxJobs       = 1\n");
        AccountsDb.Assoc a = r.db().assoc("physics", "bob").orElseThrow();
        assertThat(a.limits()).isEqualTo(new AssocLimits(1, -1, -1, new Tres(2, -1, -1)));
        assertThat(r.db().associations().defaultAccount("bob")).contains("physics");
        assertThat(run(db, "add user bob account=nope").err()).startsWith(" This account 'nope' doesn't exist.");
    }

    @Test
    void modifyAndDeleteNameWhatTheyChanged() {
        AccountsDb db = run(run(AccountsDb.empty(), "add account physics").db(), "add user bob account=physics")
                .db();
        Result m = run(db, "modify user bob set maxsubmitjobs=3 adminlevel=Operator");
        assertThat(m.out())
                .isEqualTo(" Modified users...\n  bob\n Modified user associations...\n"
                        + "  C = anchor     A = physics              U = bob      \n");
        assertThat(m.db().mayAdminister("bob", false)).isTrue();
        assertThat(m.db().assoc("physics", "bob").orElseThrow().limits().maxSubmitJobs())
                .isEqualTo(3);
        assertThat(run(db, "modify user nobody set maxjobs=1").out()).isEqualTo("  Nothing modified\n");
        Result d = run(m.db(), "delete account physics");
        assertThat(d.out()).isEqualTo(" Deleting accounts...\n  physics\n");
        assertThat(d.db().assocs()).isEmpty();
        assertThat(d.db().user("bob").orElseThrow().defaultAccount()).isNull();
    }

    @Test
    void anErrorLeavesTheDatabaseAsItWas() {
        AccountsDb db = run(AccountsDb.empty(), "add account physics").db();
        Result r = run(db, "add account chem parent=nope");
        assertThat(r.changed()).isFalse();
        assertThat(r.db()).isSameAs(db);
        assertThat(r.err()).startsWith(" Parent account 'nope' doesn't exist on cluster anchor");
        assertThat(run(db, "add account x cluster=other").err()).contains("one cluster, anchor");
    }

    @Test
    void motleyConfIsASeedThatNeverOverwrites() {
        AccountsDb db =
                run(AccountsDb.empty(), "add account physics Description=mine").db();
        var conf = new io.motley.core.priority.Associations(
                List.of(
                        new io.motley.core.priority.Associations.Account("physics", null, 5, List.of("ann")),
                        new io.motley.core.priority.Associations.Account("chem", null, 1, List.of("ann"))),
                java.util.Map.of(),
                List.of(new io.motley.core.priority.Associations.Qos("high", 10)));
        AccountsDb seeded = db.withSeed(AccountsDb.seed(conf));
        assertThat(seeded.account("physics").orElseThrow().description()).isEqualTo("mine");
        assertThat(seeded.account("chem")).isPresent();
        assertThat(seeded.assoc("physics", "ann")).isPresent();
        assertThat(seeded.user("ann").orElseThrow().defaultAccount()).isEqualTo("physics");
        assertThat(seeded.qos("high").orElseThrow().priority()).isEqualTo(10);
    }
}
