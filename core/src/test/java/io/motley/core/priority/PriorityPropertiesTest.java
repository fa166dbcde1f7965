package io.motley.core.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What must hold for any workload: the ledger's figures do not depend on feeding order, factors
 * stay in [0,1]. Property tests over seeded random workloads (the seed reproduces a failure).
 */
class PriorityPropertiesTest {
    static final int TRIES = 1000;
    static final List<String> USERS = List.of("alice", "bob", "carol", "dan");
    static final Associations TREE = new Associations(
            List.of(
                    new Associations.Account("sci", null, 7, List.of("alice")),
                    new Associations.Account("bio", "sci", 2, List.of("bob", "alice")),
                    new Associations.Account("geo", "sci", 5, List.of("carol")),
                    new Associations.Account("ops", null, 3, List.of("dan"))),
            Map.of(),
            List.of());
    static final Map<String, String> HOME = Map.of("alice", "bio", "bob", "bio", "carol", "geo", "dan", "ops");

    /** Up to 30 random jobs' charges. */
    static List<Charge> charges(Random rnd) {
        List<Charge> out = new ArrayList<>();
        int n = rnd.nextInt(31);
        for (int i = 0; i < n; i++) {
            String u = USERS.get(rnd.nextInt(USERS.size()));
            long start = rnd.nextLong(100_001);
            out.add(new Charge(HOME.get(u), u, 1 + rnd.nextInt(64), start, start + 1 + rnd.nextLong(50_000)));
        }
        return out;
    }

    @Test
    void feedingOrderDoesNotMatter() {
        for (long seed = 0; seed < TRIES; seed++) feedingOrderDoesNotMatter(seed);
    }

    private void feedingOrderDoesNotMatter(long seed) {
        Random rnd = new Random(seed);
        List<Charge> jobs = charges(rnd);
        int halfLife = rnd.nextInt(200_001);
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

    @Test
    void decayedUsageNeverExceedsWhatWasUsed() {
        for (long seed = 0; seed < TRIES; seed++) decayedUsageNeverExceedsWhatWasUsed(new Random(seed));
    }

    private void decayedUsageNeverExceedsWhatWasUsed(Random rnd) {
        List<Charge> jobs = charges(rnd);
        int halfLife = 1 + rnd.nextInt(200_000);
        UsageLedger l = new UsageLedger(halfLife);
        jobs.forEach(l::add);
        Map<Association, Double> used = new HashMap<>();
        for (Charge c : jobs)
            used.merge(new Association(c.account(), c.user()), c.rate() * (c.end() - c.start()), Double::sum);
        l.usageAt(200_000, List.of()).forEach((k, v) -> assertThat(v).isBetween(0.0, used.get(k) * (1 + 1e-12)));
    }

    @Test
    void factorsStayBetweenZeroAndOne() {
        for (long seed = 0; seed < TRIES; seed++) factorsStayBetweenZeroAndOne(charges(new Random(seed)));
    }

    private void factorsStayBetweenZeroAndOne(List<Charge> jobs) {
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
