package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputPatternTest {
    @Test
    void expandsSlurmsPatternsRelativeToTheWorkDir() {
        assertThat(OutputPattern.expand(OutputPattern.DEFAULT, 42, "wrap", "ann", "n1", "/home/ann"))
                .isEqualTo("/home/ann/slurm-42.out");
        assertThat(OutputPattern.expand("%x-%j-%u-%N.log", 7, "train", "ann", "gpu1", "/w/"))
                .isEqualTo("/w/train-7-ann-gpu1.log");
        assertThat(OutputPattern.expand("/abs/100%%-%5j.out", 7, "x", "u", "n", "/w"))
                .isEqualTo("/abs/100%-00007.out");
        assertThat(OutputPattern.expand("a-%A_%a.out", 7, "x", "u", "n", "/w")).isEqualTo("/w/a-7_4294967294.out");
        assertThat(OutputPattern.expand("odd-%q-%", 7, "x", "u", "n", "/w")).isEqualTo("/w/odd-%q-%");
        // workflow tools write -o logs/%J.out: for the batch script %J is the job id alone
        assertThat(OutputPattern.expand("logs/%J.out", 7, "x", "u", "n", "/w")).isEqualTo("/w/logs/7.out");
        assertThat(OutputPattern.expand("%3J", 7, "x", "u", "n", "/w")).isEqualTo("/w/007");
        // the batch script is task 0 on node 0, in the step Slurm calls "batch"
        assertThat(OutputPattern.expand("o-%t-%2n-%3t-%s.log", 7, "x", "u", "n", "/w"))
                .isEqualTo("/w/o-0-00-000-batch.log");
    }

    @Test
    void paddingIsCappedAtTenDigitsAsInSlurm() {
        // Found by the fuzz target: these built strings of 2 GB (OutOfMemoryError) and 1 MB on the agent and the
        // controller.
        assertThat(OutputPattern.expand("%2147483647a", 7, "x", "u", "n", "/w")).isEqualTo("/w/4294967294");
        assertThat(OutputPattern.expand("/tmp/%u/%N.%999999j", 7, "x", "u", "n", "/w"))
                .isEqualTo("/tmp/u/n.0000000007");
        assertThat(OutputPattern.expand("%99999999999999999999j", 7, "x", "u", "n", "/w"))
                .isEqualTo("/w/0000000007");
        assertThat(OutputPattern.expand("%255j-%10j-%9j", 7, "x", "u", "n", "/w"))
                .isEqualTo("/w/0000000007-0000000007-000000007");
        // Only ASCII digits are a width (Slurm's isdigit); ARABIC-INDIC DIGIT THREE made a width of 1587.
        assertThat(OutputPattern.expand("%\u0663j", 7, "x", "u", "n", "/w")).isEqualTo("/w/%\u0663j");
    }

    @Test
    void environmentCarriesSlurmsVariablesOverTheExportedOnes() {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/w/sub")
                .name("train")
                .ntasks(2)
                .cpusPerTask(3)
                .timeLimit(TimeLimit.of(600))
                .submitDir("/w")
                .environment(Map.of("HOME", "/home/ann", "SLURM_JOB_ID", "stale"))
                .submitHost("laptop")
                .build();
        Job j = Job.builder(5, r)
                .owner("ann", 1000, 100)
                .priority(1)
                .times(Job.Times.submitted(10))
                .allocation(Job.Allocation.queued("main", TimeLimit.of(600)))
                .build()
                .started("main", "n1", 6, 6000, TimeLimit.of(600), 20);
        Map<String, String> env = JobEnvironment.build(j, "c1", "n1");
        assertThat(env)
                .containsEntry("HOME", "/home/ann")
                .containsEntry("SLURM_JOB_ID", "5")
                .containsEntry("SLURM_JOBID", "5")
                .containsEntry("SLURM_NTASKS", "2")
                .containsEntry("SLURM_CPUS_PER_TASK", "3")
                .containsEntry("SLURM_CPUS_ON_NODE", "6")
                .containsEntry("SLURM_MEM_PER_CPU", "1000")
                .doesNotContainKey("SLURM_MEM_PER_NODE")
                .containsEntry("SLURM_NODE_ALIASES", "(null)")
                .containsEntry("SLURM_TOPOLOGY_ADDR", "n1")
                .containsEntry("SLURM_TOPOLOGY_ADDR_PATTERN", "node")
                .containsEntry("SLURM_PRIO_PROCESS", "0")
                .containsEntry("TMPDIR", "/tmp")
                .containsEntry("SLURM_SUBMIT_DIR", "/w")
                .containsEntry("SLURM_SUBMIT_HOST", "laptop")
                .containsEntry("SLURM_CLUSTER_NAME", "c1")
                .containsEntry("SLURMD_NODENAME", "n1")
                .containsEntry("SLURM_JOB_NODELIST", "n1")
                .containsEntry("SLURM_JOB_USER", "ann")
                .containsEntry("SLURM_JOB_END_TIME", "620");

        // --mem given: per node, as Slurm; a TMPDIR of the job's own is kept
        JobRequest withMem = r.toBuilder()
                .memory(new MemoryRequest.PerNode(6000))
                .environment(Map.of("TMPDIR", "/scratch"))
                .build();
        Map<String, String> env2 = JobEnvironment.build(
                Job.builder(6, withMem)
                        .owner("ann", 1000, 100)
                        .priority(1)
                        .times(Job.Times.submitted(10))
                        .allocation(Job.Allocation.queued("main", TimeLimit.of(600)))
                        .build()
                        .started("main", "n1", 6, 6000, TimeLimit.of(600), 20),
                "c1",
                "n1");
        assertThat(env2)
                .containsEntry("SLURM_MEM_PER_NODE", "6000")
                .doesNotContainKey("SLURM_MEM_PER_CPU")
                .containsEntry("TMPDIR", "/scratch");
    }
}
