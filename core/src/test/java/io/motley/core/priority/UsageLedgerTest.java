package io.motley.core.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class UsageLedgerTest {
    private static final Association ALICE = new Association("physics", "alice");

    @Test
    void aJobIsWorthItsDecayedIntegral() {
        UsageLedger l = new UsageLedger(100);
        l.add(new Charge("physics", "alice", 2, 0, 100));
        // 2 * 100/ln2 * (1 - 2^-1) = 100/ln2
        assertThat(l.usageAt(100, List.of()).get(ALICE)).isCloseTo(144.2695, within(1e-4));
        // one half-life later it is worth half
        assertThat(l.usageAt(200, List.of()).get(ALICE)).isCloseTo(72.1348, within(1e-4));
    }

    @Test
    void withoutHalfLifeUsageIsPlainBillingSeconds() {
        UsageLedger l = new UsageLedger(0);
        l.add(new Charge("physics", "alice", 2, 0, 100));
        assertThat(l.usageAt(10_000, List.of()).get(ALICE)).isEqualTo(200.0);
    }

    @Test
    void theOrderJobsEndInDoesNotMatter() {
        UsageLedger ab = new UsageLedger(60);
        ab.add(new Charge("physics", "alice", 1, 0, 100));
        ab.add(new Charge("physics", "alice", 3, 50, 150));
        UsageLedger ba = new UsageLedger(60);
        ba.add(new Charge("physics", "alice", 3, 50, 150));
        ba.add(new Charge("physics", "alice", 1, 0, 100));
        assertThat(ab.usageAt(300, List.of()).get(ALICE))
                .isCloseTo(ba.usageAt(300, List.of()).get(ALICE), within(1e-9));
    }

    @Test
    void aRunningJobCountsWhatItUsedSoFar() {
        UsageLedger l = new UsageLedger(100);
        double running =
                l.usageAt(100, List.of(new Charge("physics", "alice", 2, 0, 0))).get(ALICE);
        assertThat(running).isCloseTo(144.2695, within(1e-4));
        assertThat(l.usageAt(100, List.of(new Charge("physics", "alice", 2, 100, 0))))
                .doesNotContainKey(ALICE);
    }

    @Test
    void gpusCountOnlyWhenBilled() {
        PriorityConfig d = PriorityConfig.defaults();
        assertThat(Charge.rate(d, 4, 2)).isEqualTo(4.0);
        PriorityConfig gpu = new PriorityConfig(true, 0, 0, 0, 0, 0, 0, 0, false, java.util.Map.of(), 1.0, 2.0);
        assertThat(Charge.rate(gpu, 4, 2)).isEqualTo(8.0);
    }
}
