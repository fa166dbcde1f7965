package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArraySpecTest {
    @Test
    void parsesRangesListsStepsAndThrottles() {
        assertThat(ArraySpec.parse("1-5").indices()).containsExactly(1, 2, 3, 4, 5);
        assertThat(ArraySpec.parse("1,3,5").indices()).containsExactly(1, 3, 5);
        assertThat(ArraySpec.parse("0-15:4").indices()).containsExactly(0, 4, 8, 12);
        assertThat(ArraySpec.parse("0-15:4").step()).isEqualTo(4);
        ArraySpec t = ArraySpec.parse("1-20%2");
        assertThat(t.indices()).hasSize(20);
        assertThat(t.throttle()).isEqualTo(2);
        assertThat(ArraySpec.parse("7,1-3").indices()).containsExactly(1, 2, 3, 7);
        assertThat(ArraySpec.parse("0-9999").indices()).hasSize(10_000);
        assertThatThrownBy(() -> ArraySpec.parse("5-1")).hasMessageContaining("invalid --array range");
        assertThatThrownBy(() -> ArraySpec.parse("a-b")).hasMessageContaining("invalid --array specification");
        assertThatThrownBy(() -> ArraySpec.parse("1-3%0")).hasMessageContaining("throttle");
    }

    @Test
    void highestIndexIsFoundWithoutUnfoldingTheRange() {
        assertThat(ArraySpec.highestIndex("1-5")).isEqualTo(5);
        assertThat(ArraySpec.highestIndex("0-15:4")).isEqualTo(12);
        assertThat(ArraySpec.highestIndex("7,1-3%2")).isEqualTo(7);
        // two billion indices: parse would give up after a million, this answers at once
        assertThat(ArraySpec.highestIndex("0-2000000000")).isEqualTo(2_000_000_000);
        assertThatThrownBy(() -> ArraySpec.highestIndex("5-1")).hasMessageContaining("invalid --array range");
        assertThatThrownBy(() -> ArraySpec.highestIndex("a-b")).hasMessageContaining("invalid --array specification");
        assertThatThrownBy(() -> ArraySpec.highestIndex("1-3%0")).hasMessageContaining("throttle");
        long seed = System.nanoTime();
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < 500; i++) {
            StringBuilder spec = new StringBuilder();
            for (int k = rnd.nextInt(3); k >= 0; k--) {
                int lo = rnd.nextInt(50);
                if (!spec.isEmpty()) spec.append(',');
                spec.append(lo);
                if (rnd.nextBoolean()) spec.append('-').append(lo + rnd.nextInt(50));
                if (rnd.nextBoolean()) spec.append(':').append(1 + rnd.nextInt(7));
            }
            assertThat(ArraySpec.highestIndex(spec.toString()))
                    .as("seed %d spec %s", seed, spec)
                    .isEqualTo(ArraySpec.parse(spec.toString()).max());
        }
    }

    @Test
    void repeatedRangesCountTowardsTheBound() {
        // Found by the fuzz target: each part filled the set again, so "0-999999," a dozen times took over a second of
        // the
        // controller's CPU and a thousand times (9 KB) over a minute, all while the set never grew past the bound.
        String repeated = "0-999999,".repeat(1000) + "0";
        long before = io.motley.core.Allocations.now();
        assertThatThrownBy(() -> ArraySpec.parse(repeated))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 1000000 tasks");
        // At most one part's million indices are made (about 56 MiB) before the count passes the bound.
        assertThat(io.motley.core.Allocations.now() - before)
                .as("bytes allocated")
                .isLessThan(128L << 20);
        assertThatThrownBy(() -> ArraySpec.parse("0-999999,0-999999")).hasMessageContaining("more than 1000000 tasks");
        assertThatThrownBy(() -> ArraySpec.parse("0-2147483647:2")).hasMessageContaining("more than 1000000 tasks");
        assertThat(ArraySpec.parse("0-999999").indices()).hasSize(ArraySpec.MAX_TASKS);
        assertThat(ArraySpec.parse("0-1999998:2").indices())
                .hasSize(ArraySpec.MAX_TASKS)
                .endsWith(1999998);
        assertThat(ArraySpec.parse("1-5,3-8").indices()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void aSpecWithNoIndicesIsRefused() {
        // Found by the fuzz target: these parsed to an array with no tasks, whose min() threw
        // IndexOutOfBoundsException.
        for (String spec : new String[] {",", ",,,", " , ", ",%2"}) {
            assertThatThrownBy(() -> ArraySpec.parse(spec))
                    .as(spec)
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid --array specification");
        }
        assertThat(ArraySpec.parse("1,").indices()).containsExactly(1);
    }

    @Test
    void foldsAsSqueueShowsThem() {
        assertThat(ArraySpec.fold(List.of(1, 2, 3, 5, 7, 8, 9))).isEqualTo("1-3,5,7-9");
        assertThat(ArraySpec.unfold("1-3,5")).containsExactly(1, 2, 3, 5);
        assertThat(ArraySpec.unfold("")).isEmpty();
        assertThat(new ArrayPart(12, -1, "4-10").display(2)).isEqualTo("12_[4-10%2]");
        assertThat(new ArrayPart(12, 3, "").display(0)).isEqualTo("12_3");
    }

    @Test
    void tasksSeeSlurmsArrayVariablesAndPatterns() {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/w")
                .name("arr")
                .submitHost("h")
                .array("0-12:4%2")
                .build();
        Job task = Job.builder(20, r)
                .owner("ann", 1, 1)
                .priority(1)
                .times(Job.Times.submitted(1))
                .allocation(Job.Allocation.queued("main", TimeLimit.UNLIMITED))
                .build()
                .withArray(new ArrayPart(17, 8, ""))
                .started("main", "n1", 1, 100, TimeLimit.UNLIMITED, 5);
        assertThat(JobEnvironment.build(task, "c", "n1"))
                .containsEntry("SLURM_ARRAY_JOB_ID", "17")
                .containsEntry("SLURM_ARRAY_TASK_ID", "8")
                .containsEntry("SLURM_ARRAY_TASK_COUNT", "4")
                .containsEntry("SLURM_ARRAY_TASK_MIN", "0")
                .containsEntry("SLURM_ARRAY_TASK_MAX", "12")
                .containsEntry("SLURM_ARRAY_TASK_STEP", "4")
                .containsEntry("SLURM_JOB_ID", "20");
        assertThat(OutputPattern.stdout(task, "n1")).isEqualTo("/w/slurm-17_8.out");
        assertThat(task.displayId()).isEqualTo("17_8");
    }
}
