package io.motley.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What every simulation must satisfy, whatever the workload. */
final class SimulationInvariants {
    private SimulationInvariants() {}

    static void check(SimulationResult r, SimulatedCluster cluster) {
        Map<String, Integer> cpus = new HashMap<>();
        for (NodeView n : cluster.nodes()) cpus.put(n.name(), n.cpus());
        List<long[]> events = new ArrayList<>(); // time, node index, delta
        List<String> names = cluster.nodes().stream().map(NodeView::name).toList();
        for (JobOutcome o : r.outcomes()) {
            assertThat(o.startSeconds())
                    .as("job %d starts after its submission", o.id())
                    .isGreaterThanOrEqualTo(o.submitSeconds());
            assertThat(o.endSeconds()).as("job %d runs", o.id()).isGreaterThan(o.startSeconds());
            events.add(new long[] {o.startSeconds(), names.indexOf(o.node()), o.cpus()});
            events.add(new long[] {o.endSeconds(), names.indexOf(o.node()), -o.cpus()});
        }
        // ends before starts at the same instant: a job may start the second another ends
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[2]));
        long[] used = new long[names.size()];
        for (long[] e : events) {
            used[(int) e[1]] += e[2];
            assertThat(used[(int) e[1]])
                    .as("CPUs in use on %s at %d", names.get((int) e[1]), e[0])
                    .isLessThanOrEqualTo(cpus.get(names.get((int) e[1])));
        }
    }

    /** With one partition, FCFS starts jobs in submission order. */
    static void startsInSubmissionOrder(SimulationResult r) {
        long last = Long.MIN_VALUE;
        for (JobOutcome o : r.outcomes()) {
            assertThat(o.startSeconds()).as("job %d", o.id()).isGreaterThanOrEqualTo(last);
            last = o.startSeconds();
        }
    }
}
