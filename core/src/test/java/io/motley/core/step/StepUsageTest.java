package io.motley.core.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepUsageTest {
    /** A task's final figures: peak RSS and VM (KiB), major faults, CPU ms (of it in the kernel), bytes read and written. */
    private static TaskUsage task(
            int step, int task, String node, long rss, long vm, long pages, long cpu, long sys, long read, long write) {
        return new TaskUsage(step, task, node, List.of(), 0, rss, 0, vm, pages, cpu, read, write, sys, 0);
    }

    @Test
    void maximaNameTheirTaskAndNodeAveragesDivideByTheTasksAndCpuTimesAdd() {
        List<TaskUsage> tasks = List.of(
                task(0, 0, "n1", 1000, 9000, 1, 1500, 100, 10, 400),
                task(0, 1, "n1", 3000, 5000, 7, 200, 50, 30, 0),
                task(0, 2, "n2", 2000, 7000, 0, 900, 0, 0, 200),
                // another step's task, and the batch step's, count for nothing here
                task(1, 3, "n2", 99_000, 99_000, 99, 1, 0, 99, 99),
                task(TaskUsage.BATCH, 0, "n1", 99_000, 99_000, 99, 99_000, 0, 99, 99));
        StepUsage u = StepUsage.of(0, tasks).orElseThrow();
        assertEquals(3, u.tasks());
        assertEquals(new StepUsage.Extreme(3000, "n1", 1), u.maxRss());
        assertEquals(2000, u.aveRssKiB());
        assertEquals(new StepUsage.Extreme(9000, "n1", 0), u.maxVm());
        assertEquals(7000, u.aveVmKiB());
        assertEquals(new StepUsage.Extreme(7, "n1", 1), u.maxPages());
        assertEquals(3, u.avePages(), "8 / 3 rounded");
        assertEquals(new StepUsage.Extreme(200, "n1", 1), u.minCpu());
        assertEquals(867, u.aveCpuMs(), "2600 / 3 rounded");
        assertEquals(150, u.systemCpuMs());
        assertEquals(2450, u.userCpuMs());
        assertEquals(2600, u.totalCpuMs());
        assertEquals(new StepUsage.Extreme(30, "n1", 1), u.maxDiskRead());
        assertEquals(13, u.aveDiskRead());
        assertEquals(new StepUsage.Extreme(400, "n1", 0), u.maxDiskWrite());
        assertEquals(200, u.aveDiskWrite());
    }

    @Test
    void aStepWhoseTasksNoNodeMeasuredHasNoUsage() {
        assertTrue(StepUsage.of(0, List.of()).isEmpty());
        assertTrue(
                StepUsage.of(2, List.of(task(1, 0, "n1", 1, 1, 1, 1, 0, 1, 1))).isEmpty());
    }

    @Test
    void tiesNameTheLowestTaskWhateverOrderTheNodesAnsweredIn() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<TaskUsage> tasks = new ArrayList<>();
            int n = 1 + r.nextInt(6);
            for (int t = 0; t < n; t++) {
                tasks.add(task(0, t, "n" + (t % 3), r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3), 0, 0, 0));
            }
            StepUsage sorted = StepUsage.of(0, tasks).orElseThrow();
            Collections.shuffle(tasks, r);
            assertEquals(sorted, StepUsage.of(0, tasks).orElseThrow(), "seed " + seed);
            // the maximum is one task's own figure, and no task has more
            long most = tasks.stream().mapToLong(TaskUsage::maxRssKiB).max().orElseThrow();
            assertEquals(most, sorted.maxRss().value(), "seed " + seed);
            int named = sorted.maxRss().task();
            assertEquals(
                    tasks.stream()
                            .filter(t -> t.maxRssKiB() == most)
                            .mapToInt(TaskUsage::task)
                            .min()
                            .orElseThrow(),
                    named,
                    "seed " + seed);
        }
    }

    @Test
    void theTextFormReadsBackAndAnythingElseIsRefusedWithTheReason() {
        StepUsage u = StepUsage.of(
                        4,
                        List.of(
                                task(4, 0, "node-a1", 61_440, 200_000, 3, 1234, 34, 5, 6),
                                task(4, 1, "node-b.example", 70_000, 100_000, 0, 2000, 0, 0, 0)))
                .orElseThrow();
        assertEquals(u, StepUsage.parse(u.toText()));
        assertTrue(u.toText().startsWith("tasks=2,maxRss=70000/node-b.example/1,"), u.toText());
        assertEquals(
                "step usage: aveVm missing",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> StepUsage.parse(u.toText().replaceAll(",aveVm=[0-9]+", "")))
                        .getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> StepUsage.parse(u.toText().replace("/1,", "/x,")));
        assertThrows(
                IllegalArgumentException.class, () -> StepUsage.parse(u.toText().replace("tasks=2", "tasks=-2")));
        assertThrows(IllegalArgumentException.class, () -> StepUsage.parse(""));
        assertThrows(
                IllegalArgumentException.class, () -> StepUsage.parse(u.toText().replace("tasks=2", "tasks=0")));
    }

    @Test
    void theCpuFrequencyIsTheTasksAverageWeighedByCpuTimeAndOlderRecordsReadAsUnknown() {
        List<TaskUsage> tasks = List.of(
                new TaskUsage(3, 0, "a", List.of(1L), 0, 0, 0, 0, 0, 3_000, 0, 0, 0, 2_000_000),
                new TaskUsage(3, 1, "b", List.of(2L), 0, 0, 0, 0, 0, 1_000, 0, 0, 0, 3_000_000),
                new TaskUsage(3, 2, "c", List.of(3L), 0, 0, 0, 0, 0, 5_000, 0, 0, 0, 0));
        StepUsage u = StepUsage.of(3, tasks).orElseThrow();
        assertEquals(2_250_000, u.aveCpuFreq());
        assertEquals(u, StepUsage.parse(u.toText()));
        // a record kept before the frequency was: 0, unknown
        assertEquals(
                0, StepUsage.parse(u.toText().replaceAll(",cpuFreq=[0-9]+", "")).aveCpuFreq());
        // no CPU time yet: the frequency read
        assertEquals(
                1_800_000,
                StepUsage.aveFrequency(
                        List.of(new TaskUsage(3, 0, "a", List.of(1L), 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_800_000))));
    }

    @Test
    void anEndedStepKeepsTheUsageItIsGiven() {
        Step s = Step.started(12, 0, new StepRequest(2, 0, 0, 1, 0, false, "x"), List.of("n1"), 100);
        StepUsage u =
                StepUsage.of(0, List.of(task(0, 0, "n1", 1, 1, 1, 1, 0, 1, 1))).orElseThrow();
        Step done = s.ended(StepState.COMPLETED, 0, 0, 101).withUsage(u);
        assertEquals(u, done.usage());
        assertEquals(null, s.usage());
        assertEquals(u, done.withUsage(u).usage());
    }
}
