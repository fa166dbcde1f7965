package io.motley.core.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.layout.TaskLayout.Distribution;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskLayoutTest {

    @Test
    void balancedCountsGiveTheFirstNodesOneMore() {
        assertThat(TaskLayout.tasksPerNode(6, 3, 0)).containsExactly(2, 2, 2);
        assertThat(TaskLayout.tasksPerNode(7, 3, 0)).containsExactly(3, 2, 2);
        assertThat(TaskLayout.tasksPerNode(3, 2, 0)).containsExactly(2, 1);
        assertThat(TaskLayout.tasksPerNode(1, 1, 0)).containsExactly(1);
    }

    @Test
    void tasksPerNodeFillsNodesInTurnUpToTheLimit() {
        assertThat(TaskLayout.tasksPerNode(6, 3, 2)).containsExactly(2, 2, 2);
        assertThat(TaskLayout.tasksPerNode(5, 3, 2)).containsExactly(2, 2, 1);
        assertThat(TaskLayout.tasksPerNode(4, 3, 4)).containsExactly(2, 1, 1);
        assertThatThrownBy(() -> TaskLayout.tasksPerNode(7, 3, 2)).hasMessageContaining("do not fit");
        assertThatThrownBy(() -> TaskLayout.tasksPerNode(2, 3, 0)).hasMessageContaining("cannot use 3 nodes");
    }

    @Test
    void blockFillsANodeBeforeTheNext() {
        assertThat(TaskLayout.nodeOfTask(new int[] {2, 2, 1}, Distribution.BLOCK))
                .containsExactly(0, 0, 1, 1, 2);
        assertThat(TaskLayout.tasksOf(new int[] {2, 2, 1}, Distribution.BLOCK))
                .isDeepEqualTo(new int[][] {{0, 1}, {2, 3}, {4}});
    }

    @Test
    void cyclicDealsOneTaskPerNodeInTurn() {
        assertThat(TaskLayout.nodeOfTask(new int[] {3, 1, 2}, Distribution.CYCLIC))
                .containsExactly(0, 1, 2, 0, 2, 0);
        assertThat(TaskLayout.tasksOf(new int[] {2, 2, 2}, Distribution.CYCLIC))
                .isDeepEqualTo(new int[][] {{0, 3}, {1, 4}, {2, 5}});
    }

    @Test
    void distributionParsesSlurmsFirstLevel() {
        assertThat(Distribution.parse(null)).isEqualTo(Distribution.BLOCK);
        assertThat(Distribution.parse("cyclic:block")).isEqualTo(Distribution.CYCLIC);
        assertThat(Distribution.parse("block")).isEqualTo(Distribution.BLOCK);
        assertThatThrownBy(() -> Distribution.parse("plane")).hasMessageContaining("invalid distribution");
    }

    @Test
    void compressedCountsReadAsSlurmPrintsThem() {
        assertThat(TaskLayout.compress(new int[] {2, 2, 2, 1})).isEqualTo("2(x3),1");
        assertThat(TaskLayout.compress(new int[] {2})).isEqualTo("2");
        assertThat(TaskLayout.compress(new int[] {1, 2, 1})).isEqualTo("1,2,1");
        assertThat(TaskLayout.compress(new int[] {4, 4})).isEqualTo("4(x2)");
        assertThat(TaskLayout.expand("2(x3),1")).containsExactly(2, 2, 2, 1);
        assertThatThrownBy(() -> TaskLayout.expand("2(x3")).hasMessageContaining("invalid count");
    }

    @Test
    void everyLayoutPlacesEveryTaskOnceWithinItsNodesCounts() {
        for (long seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            int nodes = 1 + rnd.nextInt(8);
            int tasks = nodes + rnd.nextInt(30);
            int perNode = rnd.nextBoolean() ? 0 : (tasks + nodes - 1) / nodes + rnd.nextInt(3);
            int[] counts = TaskLayout.tasksPerNode(tasks, nodes, perNode);
            String as = "seed " + seed;
            assertThat(Arrays.stream(counts).sum()).as(as).isEqualTo(tasks);
            assertThat(Arrays.stream(counts).min().orElseThrow()).as(as).isPositive();
            if (perNode > 0)
                assertThat(Arrays.stream(counts).max().orElseThrow()).as(as).isLessThanOrEqualTo(perNode);
            assertThat(TaskLayout.expand(TaskLayout.compress(counts))).as(as).containsExactly(counts);
            for (Distribution d : Distribution.values()) {
                int[] node = TaskLayout.nodeOfTask(counts, d);
                int[] seen = new int[nodes];
                for (int n : node) seen[n]++;
                assertThat(seen).as(as + " " + d).containsExactly(counts);
            }
        }
    }
}
