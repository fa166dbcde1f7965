package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputPatternTest {
    @Test
    void expandsSlurmsPatternsRelativeToTheWorkDir() {
        assertThat(OutputPattern.expand(OutputPattern.DEFAULT, 42, "wrap", "ann", "n1", "/home/ann")).isEqualTo("/home/ann/slurm-42.out");
        assertThat(OutputPattern.expand("%x-%j-%u-%N.log", 7, "train", "ann", "gpu1", "/w/")).isEqualTo("/w/train-7-ann-gpu1.log");
        assertThat(OutputPattern.expand("/abs/100%%-%5j.out", 7, "x", "u", "n", "/w")).isEqualTo("/abs/100%-00007.out");
        assertThat(OutputPattern.expand("a-%A_%a.out", 7, "x", "u", "n", "/w")).isEqualTo("/w/a-7_4294967294.out");
        assertThat(OutputPattern.expand("odd-%q-%", 7, "x", "u", "n", "/w")).isEqualTo("/w/odd-%q-%");
    }

    @Test
    void environmentCarriesSlurmsVariablesOverTheExportedOnes() {
        JobRequest r = new JobRequest("train", List.of(), 2, 3, true, 1, JobRequest.UNSET, JobRequest.UNSET, 600, null, null,
                "/w/sub", "/w", Map.of("HOME", "/home/ann", "SLURM_JOB_ID", "stale"), "#!/bin/sh\n", List.of(), false, null,
                null, "laptop");
        Job j = new Job(5, r, "ann", 1000, 100, JobState.PENDING, PendingReason.None, 1, 10, 0, 0, "main", null, 0, 0, 600,
                ExitStatus.NONE, -1).started("main", "n1", 6, 6000, 600, 20);
        Map<String, String> env = JobEnvironment.build(j, "c1", "n1");
        assertThat(env).containsEntry("HOME", "/home/ann").containsEntry("SLURM_JOB_ID", "5").containsEntry("SLURM_JOBID", "5")
                .containsEntry("SLURM_NTASKS", "2").containsEntry("SLURM_CPUS_PER_TASK", "3").containsEntry("SLURM_CPUS_ON_NODE", "6")
                .containsEntry("SLURM_MEM_PER_NODE", "6000").containsEntry("SLURM_SUBMIT_DIR", "/w")
                .containsEntry("SLURM_SUBMIT_HOST", "laptop").containsEntry("SLURM_CLUSTER_NAME", "c1")
                .containsEntry("SLURMD_NODENAME", "n1").containsEntry("SLURM_JOB_NODELIST", "n1").containsEntry("SLURM_JOB_USER", "ann")
                .containsEntry("SLURM_JOB_END_TIME", "620");
    }
}
