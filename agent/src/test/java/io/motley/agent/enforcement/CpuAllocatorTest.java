package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Jobs get disjoint CPUs while there are enough, share the least used when not, and keep them across a restart. */
class CpuAllocatorTest {
    @Test
    void lowestFreeIdsFirstAndDisjoint() {
        CpuAllocator a = new CpuAllocator(List.of(0, 1, 2, 3));
        assertThat(a.allocate(1, 1)).containsExactly(0);
        assertThat(a.allocate(2, 2)).containsExactly(1, 2);
        a.release(1);
        assertThat(a.allocate(3, 2)).containsExactly(0, 3);
        assertThat(a.allocate(3, 2)).as("a job asking again keeps what it has").containsExactly(0, 3);
    }

    @Test
    void sharesTheLeastUsedWhenTooFewAreFree() {
        CpuAllocator a = new CpuAllocator(List.of(0, 1));
        a.allocate(1, 1);
        a.allocate(2, 1);
        a.allocate(3, 1);
        assertThat(a.of(3)).hasSize(1);
        assertThat(a.allocate(4, 1))
                .as("CPU 0 and 1 are both used once or twice; 4 takes the less used")
                .isNotEqualTo(a.of(3));
        assertThat(a.allocate(5, 8)).as("more than the host has: all of them").containsExactly(0, 1);
    }

    @Test
    void restoreRebuildsTheAllocationOfAdoptedJobs() {
        CpuAllocator a = new CpuAllocator(List.of(0, 1, 2, 3));
        a.restore(7, List.of(0, 1));
        a.restore(8, List.of(9));
        assertThat(a.of(8)).as("ids this host does not have are dropped").isEmpty();
        assertThat(a.allocate(9, 2)).containsExactly(2, 3);
    }

    @Test
    void neverOverlapsWhileEnoughAreFree() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(16);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) ids.add(i * 2);
            CpuAllocator a = new CpuAllocator(ids);
            List<Long> live = new ArrayList<>();
            for (long job = 0; job < 50; job++) {
                if (!live.isEmpty() && rnd.nextBoolean()) a.release(live.remove(rnd.nextInt(live.size())));
                int used = live.stream().mapToInt(j -> a.of(j).size()).sum();
                int want = 1 + rnd.nextInt(3);
                if (used + want > n) continue;
                List<Integer> got = a.allocate(job, want);
                assertThat(got).hasSize(want).isSubsetOf(ids);
                Set<Integer> others = new HashSet<>();
                live.forEach(j -> others.addAll(a.of(j)));
                assertThat(got).filteredOn(others::contains).isEmpty();
                live.add(job);
            }
        }
    }

    @Test
    void cpuListsRoundTrip() {
        assertThat(CpuAllocator.parseList("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuAllocator.formatList(List.of(11, 0, 1, 2, 3, 8, 10))).isEqualTo("0-3,8,10-11");
        assertThat(CpuAllocator.parseList(" 5\n")).containsExactly(5);
        assertThat(CpuAllocator.formatList(List.of())).isEmpty();
        assertThatThrownBy(() -> new CpuAllocator(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
