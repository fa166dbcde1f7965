package io.motley.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Reconciliation.Belief;
import io.motley.core.cluster.Reconciliation.KillCancelled;
import io.motley.core.cluster.Reconciliation.KillStray;
import io.motley.core.cluster.Reconciliation.ProcessEnd;
import io.motley.core.cluster.Reconciliation.Relaunch;
import io.motley.core.cluster.Reconciliation.ReportedRun;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
    @Test
    void agreementNeedsNothing() {
        var r = Reconciliation.reconcile(
                List.of(new ReportedRun(1, 0, false)), Map.of(1L, new Belief(0, true, false)), Map.of(1L, 0));
        assertThat(r.actions()).isEmpty();
        assertThat(r.stillEnding()).isEmpty();
    }

    @Test
    void unknownAndMisplacedRunsAreKilledAndLostLaunchesResent() {
        Map<Long, Integer> here = new TreeMap<>(Map.of(2L, 0, 3L, 1));
        var r = Reconciliation.reconcile(
                List.of(new ReportedRun(9, 0, false), new ReportedRun(4, 0, false), new ReportedRun(3, 1, false)),
                Map.of(4L, new Belief(0, false, false), 3L, new Belief(1, true, false)),
                here);
        // job 9 is unknown, job 4 runs elsewhere (or not at all), job 2's launch never arrived
        assertThat(r.actions()).containsExactly(new KillStray(9, 0), new KillStray(4, 0), new Relaunch(2));
        assertThat(r.stillEnding()).isEmpty();
    }

    @Test
    void anEarlierRunOfARequeuedJobIsKilledByItsRunNumberAndTheJobWaitsForIt() {
        var r = Reconciliation.reconcile(
                List.of(new ReportedRun(5, 0, false)), Map.of(5L, new Belief(1, false, false)), Map.of());
        assertThat(r.actions()).containsExactly(new KillStray(5, 0));
        assertThat(r.stillEnding()).containsExactly(5L);
    }

    @Test
    void endsAreProcessedInOrderAndAnEndedRunIsNotRelaunched() {
        var r = Reconciliation.reconcile(
                List.of(new ReportedRun(7, 0, true), new ReportedRun(8, 2, false)),
                Map.of(7L, new Belief(0, true, false), 8L, new Belief(2, true, true)),
                new TreeMap<>(Map.of(7L, 0, 8L, 2)));
        assertThat(r.actions()).containsExactly(new ProcessEnd(7, 0), new KillCancelled(8, 2));
    }
}
