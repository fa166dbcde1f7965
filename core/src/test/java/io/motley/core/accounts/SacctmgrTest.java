package io.motley.core.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.accounts.Sacctmgr.Entity;
import io.motley.core.accounts.Sacctmgr.Request;
import io.motley.core.accounts.Sacctmgr.Verb;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SacctmgrTest {

    static Request parse(String line) {
        return Sacctmgr.parse(List.of(line.split(" ")));
    }

    @Test
    void addTakesNamesAndSettingsInAnyCaseAndAbbreviation() {
        Request r = parse("create acc physics,chem descr=Physics parent=science fairshare=10 maxj=1 GrpTRES=cpu=2");
        assertThat(r.verb()).isEqualTo(Verb.ADD);
        assertThat(r.entity()).isEqualTo(Entity.ACCOUNT);
        assertThat(r.names()).containsExactly("physics", "chem");
        assertThat(r.set())
                .containsEntry("Description", "Physics")
                .containsEntry("Parent", "science")
                .containsEntry("Fairshare", "10")
                .containsEntry("MaxJobs", "1")
                .containsEntry("GrpTRES", "cpu=2");
        assertThat(r.where()).isEmpty();
    }

    @Test
    void modifySplitsConditionsFromSettingsAtSet() {
        Request r = parse("modify user where name=bob account=physics set MaxSubmit=4 maxwall=1:00:00");
        assertThat(r.verb()).isEqualTo(Verb.MODIFY);
        assertThat(r.names()).containsExactly("bob");
        assertThat(r.where()).isEqualTo(Map.of("Account", "physics"));
        assertThat(r.set()).containsEntry("MaxSubmitJobs", "4").containsEntry("MaxWall", "1:00:00");
        Request bare = parse("update user bob set adminlevel=Administrator");
        assertThat(bare.names()).containsExactly("bob");
        assertThat(bare.set()).containsEntry("AdminLevel", "Administrator");
    }

    @Test
    void listTakesFormatAndConditions() {
        Request r = parse("show assoc where users=bob format=account,user,maxjobs");
        assertThat(r.verb()).isEqualTo(Verb.LIST);
        assertThat(r.entity()).isEqualTo(Entity.ASSOCIATION);
        assertThat(r.where()).containsEntry("User", "bob");
        assertThat(r.format()).containsExactly("account", "user", "maxjobs");
    }

    @Test
    void unknownWordsAreRefusedWithSlurmsWording() {
        assertThatThrownBy(() -> parse("add account x bogus=1")).hasMessage(" Unknown option: bogus");
        assertThatThrownBy(() -> parse("frobnicate account x")).hasMessage("invalid keyword: frobnicate");
        assertThatThrownBy(() -> parse("add account x set maxjobs=1")).hasMessage(" Unknown option: set");
        assertThatThrownBy(() -> parse("show wckey")).hasMessageStartingWith("No valid entity in wckey");
    }

    @Test
    void tresReadsAndWritesSlurmsForm() {
        Tres t = Tres.parse("cpu=2,mem=4G,gres/gpu=1", Tres.NONE);
        assertThat(t).isEqualTo(new Tres(2, 4096, 1));
        assertThat(t.format()).isEqualTo("cpu=2,mem=4G,gres/gpu=1");
        assertThat(Tres.parse("mem=-1", t).format()).isEqualTo("cpu=2,gres/gpu=1");
        assertThat(new Tres(-1, 1000, -1).format()).isEqualTo("mem=1000M");
        assertThatThrownBy(() -> Tres.parse("node=2", Tres.NONE)).hasMessageContaining("cpu, mem and gres/gpu");
    }
}
