package io.motley.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The history ring: bounded, oldest dropped first, and what one sample counts. */
class HistoryTest {
    static History.Sample at(long t) {
        return new History.Sample(t, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());
    }

    @Test
    void theRingKeepsTheNewestSamplesUpToItsCapacity() {
        History h = new History(3);
        for (long t = 1; t <= 5; t++) h.add(at(t));
        assertThat(h.samples()).extracting(History.Sample::time).containsExactly(3L, 4L, 5L);
    }

    @Test
    void aSampleCountsTheNodesThatTakeJobs() {
        Node up = Node.of("a", 4, 8000);
        Node down = Node.of("b", 16, 64000).withState(NodeState.DOWN, "gone", 1);
        History.Sample s = History.sample(7, List.of(up, down), List.of());
        assertThat(s.cpus()).isEqualTo(4);
        assertThat(s.memMiB()).isEqualTo(8000);
        assertThat(s.running()).isZero();
        assertThat(s.jobsByUser()).isEmpty();
    }

    @Test
    void usersBeyondTheLargestAreSummedAsOthers() {
        Map<String, Integer> by = new TreeMap<>();
        for (int i = 0; i < History.MAX_USERS + 3; i++) by.put("u" + (char) ('a' + i), i + 1);
        Map<String, Integer> kept = History.largest(by);
        assertThat(kept).hasSize(History.MAX_USERS + 1);
        // the three with fewest jobs (1, 2 and 3) are summed
        assertThat(kept.get(History.OTHERS)).isEqualTo(6);
        assertThat(kept.keySet().iterator().next()).isEqualTo("u" + (char) ('a' + History.MAX_USERS + 2));
    }
}
