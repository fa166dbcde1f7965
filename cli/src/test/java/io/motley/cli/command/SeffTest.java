package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.Usage;
import org.junit.jupiter.api.Test;

class SeffTest {
    @Test
    void reportsCpuAndMemoryEfficiencyAsSeffDoes() {
        Job j = Fixtures.job(7, "train")
                .cpus(1, 2)
                .running("vm", 1000, 2048)
                .ended(JobState.COMPLETED, ExitStatus.NONE, 1100)
                .build()
                .withUsage(new Usage(524288, 900000, 90_000, 10_000));
        assertThat(Seff.report(j, "lab", 2000)).isEqualTo("""
                Job ID: 7
                Cluster: lab
                User/Group: root/root
                State: COMPLETED (exit code 0)
                Cores: 2
                CPU Utilized: 00:01:40
                CPU Efficiency: 50.00% of 00:03:20 core-walltime
                Job Wall-clock time: 00:01:40
                Memory Utilized: 512.00 MB
                Memory Efficiency: 25.00% of 2.00 GB
                """);
    }

    @Test
    void unitsAndLongTimes() {
        assertThat(Seff.kbytes(0)).isEqualTo("0.00 MB");
        assertThat(Seff.kbytes(512)).isEqualTo("512.00 KB");
        assertThat(Seff.kbytes(3 * 1024 * 1024)).isEqualTo("3.00 GB");
        assertThat(Seff.time(90061)).isEqualTo("1-01:01:01");
    }
}
