package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The variables a multi-node batch script sees, as Slurm prints them. */
class MultiNodeEnvironmentTest {

    static Job started(JobRequest r, List<Job.Allocation.Part> parts) {
        return Job.builder(5, r).build().started("main", parts, TimeLimit.of(600), 1000);
    }

    @Test
    void threeNodesAndSixTasks() {
        JobRequest r =
                JobRequest.builder("#!/bin/sh\n", "/tmp").ntasks(6).nodes(3).build();
        Map<String, String> env = JobEnvironment.build(
                started(
                        r,
                        List.of(
                                new Job.Allocation.Part("n1", 2, 200, List.of()),
                                new Job.Allocation.Part("n2", 2, 200, List.of()),
                                new Job.Allocation.Part("n3", 2, 200, List.of()))),
                "c",
                "n1");
        assertThat(env)
                .containsEntry("SLURM_JOB_NODELIST", "n[1-3]")
                .containsEntry("SLURM_NODELIST", "n[1-3]")
                .containsEntry("SLURM_JOB_NUM_NODES", "3")
                .containsEntry("SLURM_NNODES", "3")
                .containsEntry("SLURM_NTASKS", "6")
                .containsEntry("SLURM_TASKS_PER_NODE", "2(x3)")
                .containsEntry("SLURM_JOB_CPUS_PER_NODE", "2(x3)")
                .containsEntry("SLURM_CPUS_ON_NODE", "2")
                .containsEntry("SLURM_MEM_PER_CPU", "100");
    }

    @Test
    void unevenTasksFollowTheSortedNodeList() {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .ntasks(7)
                .cpusPerTask(2)
                .nodes(2, 4)
                .build();
        // the scheduler's order (by Weight) need not be the hostlist's
        Map<String, String> env = JobEnvironment.build(
                started(
                        r,
                        List.of(
                                new Job.Allocation.Part("n10", 6, 600, List.of()),
                                new Job.Allocation.Part("n2", 4, 400, List.of()),
                                new Job.Allocation.Part("n9", 4, 400, List.of()))),
                "c",
                "n10");
        assertThat(env)
                .containsEntry("SLURM_JOB_NODELIST", "n[2,9-10]")
                .containsEntry("SLURM_TASKS_PER_NODE", "2(x2),3")
                .containsEntry("SLURM_JOB_CPUS_PER_NODE", "4(x2),6")
                .containsEntry("SLURM_CPUS_ON_NODE", "6")
                .containsEntry("SLURM_NTASKS", "7");
    }

    @Test
    void aSingleNodeJobReadsAsBefore() {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/tmp").ntasks(3).build();
        Map<String, String> env = JobEnvironment.build(
                Job.builder(5, r).build().started("main", "n1", 3, 300, TimeLimit.of(600), 1000), "c", "n1");
        assertThat(env)
                .containsEntry("SLURM_JOB_NODELIST", "n1")
                .containsEntry("SLURM_NNODES", "1")
                .containsEntry("SLURM_TASKS_PER_NODE", "3")
                .containsEntry("SLURM_JOB_CPUS_PER_NODE", "3");
    }

    @Test
    void oneNodeWithoutNHasAsManyTasksAsItsCpusHoldAndNtasksPerNodeIsPassedOn() {
        // Slurm 22.05 (the compatibility capture): --exclusive on a 2-CPU node gives SLURM_TASKS_PER_NODE=2,
        // -n 1 --exclusive 1; --ntasks-per-node=2 is passed on as SLURM_NTASKS_PER_NODE
        List<Job.Allocation.Part> whole = List.of(new Job.Allocation.Part("n1", 2, 2000, List.of()));
        JobRequest exclusive = JobRequest.builder("#!/bin/sh\n", "/tmp").build();
        assertThat(JobEnvironment.build(started(exclusive, whole), "c", "n1"))
                .containsEntry("SLURM_TASKS_PER_NODE", "2")
                .containsEntry("SLURM_NTASKS", "1")
                .doesNotContainKey("SLURM_NTASKS_PER_NODE");
        JobRequest one = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .options(Map.of("ntasks", "1"))
                .build();
        assertThat(JobEnvironment.build(started(one, whole), "c", "n1")).containsEntry("SLURM_TASKS_PER_NODE", "1");
        JobRequest perNode = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .ntasks(2)
                .ntasksPerNode(2)
                .build();
        assertThat(JobEnvironment.build(started(perNode, whole), "c", "n1"))
                .containsEntry("SLURM_TASKS_PER_NODE", "2")
                .containsEntry("SLURM_NTASKS_PER_NODE", "2");
    }
}
