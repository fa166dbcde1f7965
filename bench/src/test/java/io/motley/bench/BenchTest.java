package io.motley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {
    @TempDir
    Path logs;

    @Test
    void theContainmentEachAgentChoseIsReadFromItsLog() throws Exception {
        Files.writeString(
                logs.resolve("agent-vm-2.log"),
                "2026-12-01T09:56:25.721 INFO  [main] Containment: containment chosen: cgroup1 (best available)\n"
                        + "2026-12-01T09:56:25.738 INFO  [main] JobLauncher: jobs run as their submitters node=vm-2"
                        + " containment=cgroup1 cpus=1 root_jobs=allowed\n");
        Files.writeString(
                logs.resolve("agent-vm-1.log"),
                "2026-12-01T09:56:26.821 INFO  [main] JobLauncher: jobs run as their submitters node=vm-1"
                        + " containment=process-tracking cpus=0 root_jobs=allowed\n");
        Files.writeString(logs.resolve("controller.log"), "node=ctl containment=none\n");
        assertThat(Bench.containment(logs)).isEqualTo("vm-1=process-tracking vm-2=cgroup1");
    }

    @Test
    void noAgentLogSaysSo() throws Exception {
        assertThat(Bench.containment(logs)).startsWith("unknown");
    }
}
