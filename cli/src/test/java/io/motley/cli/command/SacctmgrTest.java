package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.accounts.AccountsChange;
import io.motley.core.accounts.AccountsDb;
import java.util.List;
import org.junit.jupiter.api.Test;

class SacctmgrTest {

    static AccountsDb db(String... lines) {
        AccountsDb db = AccountsDb.empty();
        for (String l : lines)
            db = AccountsChange.apply(db, io.motley.core.accounts.Sacctmgr.parse(List.of(l.split(" "))), "anchor")
                    .db();
        return db;
    }

    static String list(AccountsDb db, String line, String delimiter, boolean header) {
        return Sacctmgr.list(
                io.motley.core.accounts.Sacctmgr.parse(List.of(line.split(" "))),
                db,
                "anchor",
                delimiter,
                false,
                header);
    }

    @Test
    void showAssocHasSlurmsColumnsAndRootRow() {
        String out = list(AccountsDb.empty(), "show assoc", null, true);
        assertThat(out.lines().toList())
                .startsWith(
                        "   Cluster    Account       User  Partition     Share   Priority GrpJobs       GrpTRES GrpSubmit     GrpWall   GrpTRESMins MaxJobs       MaxTRES MaxTRESPerNode MaxSubmit     MaxWall   MaxTRESMins                  QOS   Def QOS GrpTRESRunMin ",
                        "---------- ---------- ---------- ---------- --------- ---------- ------- ------------- --------- ----------- ------------- ------- ------------- -------------- --------- ----------- ------------- -------------------- --------- ------------- ",
                        "    anchor       root                               1                                                                                                                                                             normal                         ");
    }

    @Test
    void withAssociationsListsAUsersAccountsOneALine() {
        AccountsDb db = db("add account physics", "add account chem", "add user bob account=physics,chem");
        var req = Sacctmgr.withAssociations(
                io.motley.core.accounts.Sacctmgr.parse(List.of("list", "user", "bob", "format=account%20")));
        assertThat(Sacctmgr.list(req, db, "anchor", null, false, false))
                .isEqualTo("             physics \n                chem \n");
        var none = Sacctmgr.withAssociations(
                io.motley.core.accounts.Sacctmgr.parse(List.of("list", "user", "nobody", "format=account%20")));
        assertThat(Sacctmgr.list(none, db, "anchor", null, false, false)).isEmpty();
    }

    @Test
    void usersShowTheLimitsTheyInheritAndParsableHasNoPadding() {
        AccountsDb db =
                db("add account physics maxwall=1:00:00", "add user bob account=physics maxjobs=1 grptres=cpu=2");
        assertThat(list(db, "show assoc where user=bob format=account,user,maxjobs,grptres,maxwall", "|", true))
                .isEqualTo("Account|User|MaxJobs|GrpTRES|MaxWall\nphysics|bob|1|cpu=2|01:00:00\n");
        assertThat(list(db, "list user format=user,defaultaccount,admin", "|", false))
                .isEqualTo("bob|physics|None\n");
        assertThat(list(
                        db(
                                "add account physics",
                                "add user bob account=physics",
                                "modify user bob set adminlevel=Administrator"),
                        "show user",
                        null,
                        true))
                .isEqualTo("      User   Def Acct     Admin \n---------- ---------- --------- \n"
                        + "       bob    physics Administ+ \n");
    }

    @Test
    void accountsListWithDescriptionAndOrganization() {
        AccountsDb db = db("add account physics description=Physics organization=uni");
        assertThat(list(db, "show account", null, true))
                .isEqualTo("   Account                Descr                  Org \n"
                        + "---------- -------------------- -------------------- \n"
                        + "   physics              Physics                  uni \n");
        assertThatThrownBy(() -> list(db, "show account format=bogus", null, true))
                .hasMessage(" Unknown field 'bogus'");
    }
}
