package io.motley.core.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** What must hold for any workload: the ledger's figures do not depend on feeding order, factors stay in [0,1]. */
class PriorityProperties {
    static final List<String> USERS = List.of("alice", "bob", "carol", "dan");
    static final Associations TREE = new Associations(List.of(
            new Associations.Account("sci", null, 7, List.of("alice")),
            new Associations.Account("bio", "sci", 2, List.of("bob", "alice")),
            new Associations.Account("geo", "sci", 5, List.of("carol")),
            new Associations.Account("ops", null, 3, List.of("dan"))), Map.of(), List.of());
    static final Map<String, String> HOME = Map.of("alice", "bio", "bob", "bio", "carol", "geo", "dan", "ops");

    @Provide
    Arbitrary<Charge> charges() {
        return Combinators.combine(Arbitraries.of(USERS), Arbitraries.integers().between(1, 64),
                Arbitraries.longs().between(0, 100_000), Arbitraries.longs().between(1, 50_000))
                .as((u, cpus, start, length) -> new Charge(HOME.get(u), u, cpus, start, start + length));
    }

    @Property
    void feedingOrderDoesNotMatter(@ForAll @Size(max = 30) List<@From("charges") Charge> jobs, @ForAll @IntRange(min = 0, max = 200_000) int halfLife,
            @ForAll long seed) {
        UsageLedger inOrder = new UsageLedger(halfLife);
        jobs.forEach(inOrder::add);
        List<Charge> shuffled = new ArrayList<>(jobs);
        Collections.shuffle(shuffled, new java.util.Random(seed));
        UsageLedger reordered = new UsageLedger(halfLife);
        shuffled.forEach(reordered::add);
        long now = 200_000;
        Map<Association, Double> a = inOrder.usageAt(now, List.of());
        Map<Association, Double> b = reordered.usageAt(now, List.of());
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k)).isCloseTo(v, within(1e-9 * Math.max(1, v))));
    }

    @Property
    void decayedUsageNeverExceedsWhatWasUsed(@ForAll @Size(max = 30) List<@From("charges") Charge> jobs,
            @ForAll @IntRange(min = 1, max = 200_000) int halfLife) {
        UsageLedger l = new UsageLedger(halfLife);
        jobs.forEach(l::add);
        Map<Association, Double> used = new HashMap<>();
        for (Charge c : jobs) used.merge(new Association(c.account(), c.user()), c.rate() * (c.end() - c.start()), Double::sum);
        l.usageAt(200_000, List.of()).forEach((k, v) -> assertThat(v).isBetween(0.0, used.get(k) * (1 + 1e-12)));
    }

    @Property
    void factorsStayBetweenZeroAndOne(@ForAll @Size(max = 30) List<@From("charges") Charge> jobs) {
        UsageLedger l = new UsageLedger(3600);
        jobs.forEach(l::add);
        ShareTree t = ShareTree.compute(TREE, l.usageAt(200_000, List.of()), USERS);
        double leafShares = 0;
        for (ShareTree.Row r : t.rows()) {
            assertThat(r.fairShare()).isBetween(0.0, 1.0);
            assertThat(r.effectiveUsage()).isBetween(0.0, 1.0 + 1e-12);
            assertThat(r.normUsage()).isBetween(0.0, 1.0 + 1e-12);
            if (r.isUser()) leafShares += r.normShares();
        }
        // every account here has users, so the users' normalized shares cover the whole cluster
        assertThat(leafShares).isCloseTo(1.0, within(1e-12));
    }
}
