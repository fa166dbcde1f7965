package io.motley.core.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShareTreeTest {
    static final Associations TWO_ACCOUNTS = new Associations(
            List.of(
                    new Associations.Account("physics", null, 40, List.of("alice", "bob")),
                    new Associations.Account("chem", null, 60, List.of("carol"))),
            Map.of(),
            List.of());

    @Test
    void classicFairShareOnTwoAccounts() {
        ShareTree t = ShareTree.compute(
                TWO_ACCOUNTS,
                Map.of(
                        new Association("physics", "alice"), 300.0,
                        new Association("physics", "bob"), 100.0,
                        new Association("chem", "carol"), 100.0),
                List.of());
        ShareTree.Row physics = t.rows().stream()
                .filter(r -> !r.isUser() && r.account().equals("physics"))
                .findFirst()
                .orElseThrow();
        assertThat(physics.normShares()).isCloseTo(0.4, within(1e-12));
        assertThat(physics.effectiveUsage()).isCloseTo(0.8, within(1e-12));
        assertThat(physics.fairShare()).isCloseTo(0.25, within(1e-12)); // 2^(-0.8/0.4)
        ShareTree.Row alice = t.row("physics", "alice").orElseThrow();
        assertThat(alice.normShares()).isCloseTo(0.2, within(1e-12));
        assertThat(alice.effectiveUsage()).isCloseTo(0.7, within(1e-12)); // 0.6 + (0.8-0.6)*1/2
        assertThat(alice.fairShare()).isCloseTo(0.0883883, within(1e-7)); // 2^-3.5
        assertThat(t.factor("physics", "bob")).isCloseTo(0.1767767, within(1e-7)); // UE 0.5, 2^-2.5
        assertThat(t.factor("chem", "carol")).isCloseTo(0.7937005, within(1e-7)); // UE 0.2, 2^(-0.2/0.6)
        assertThat(t.factor("chem", "alice")).isZero();
    }

    @Test
    void rowsComeInSshareOrder() {
        ShareTree t = ShareTree.compute(TWO_ACCOUNTS, Map.of(), List.of());
        assertThat(t.rows())
                .extracting(r -> r.depth() + ":" + r.account() + ":" + r.user())
                .containsExactly(
                        "0:root:null",
                        "1:chem:null",
                        "2:chem:carol",
                        "1:physics:null",
                        "2:physics:alice",
                        "2:physics:bob");
        // no usage at all: everyone's factor is 1
        assertThat(t.factor("physics", "alice")).isEqualTo(1.0);
    }

    @Test
    void withoutAccountsEveryUserSitsUnderRootWithOneShare() {
        ShareTree t =
                ShareTree.compute(Associations.none(), Map.of(new Association(null, "alice"), 10.0), List.of("bob"));
        assertThat(t.factor(null, "alice")).isCloseTo(0.25, within(1e-12)); // S 0.5, UE 1
        assertThat(t.factor(null, "bob")).isEqualTo(1.0);
    }

    @Test
    void aSubAccountInheritsPartOfItsParentsUsage() {
        Associations nested = new Associations(
                List.of(
                        new Associations.Account("sci", null, 1, List.of()),
                        new Associations.Account("bio", "sci", 1, List.of("dan")),
                        new Associations.Account("geo", "sci", 1, List.of("eve")),
                        new Associations.Account("ops", null, 1, List.of("fay"))),
                Map.of(),
                List.of());
        ShareTree t = ShareTree.compute(nested, Map.of(new Association("bio", "dan"), 100.0), List.of());
        // sci: U 1, UE 1; geo: U 0, UE 0 + (1 - 0) * 1/2 = 0.5, S 0.25 -> 2^-2
        assertThat(t.factor("geo", "eve")).isCloseTo(0.25, within(1e-12));
        // eve: U 0, UE 0 + (0.5 - 0) * 1 = 0.5, S 0.25
        assertThat(t.row("geo", "eve").orElseThrow().effectiveUsage()).isCloseTo(0.5, within(1e-12));
        assertThat(t.factor("ops", "fay")).isEqualTo(1.0);
    }
}
