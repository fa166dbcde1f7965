package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --dependency and --begin through the real commands. */
class DependencyIT {
    @TempDir
    Path dir;

    @Test
    void dependenciesOrderJobsAndReportSlurmsReasons() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            Path order = c.workFile("order.log");
            long first = c.submit("--wrap", "sleep 3; echo first >> " + order);
            long fails = c.submit("--wrap", "exit 1");
            long ok = c.submit("--dependency=afterok:" + first, "--wrap", "echo ok >> " + order);
            long any = c.submit("-d", "afterany:" + first + ":" + fails, "--wrap", "echo any >> " + order);
            long notok = c.submit("--dependency=afternotok:" + fails, "--wrap", "echo notok >> " + order);
            long never = c.submit("--dependency=afterok:" + fails, "--wrap", "echo never >> " + order);
            long killed = c.submit("--dependency=afterok:" + fails, "--kill-on-invalid-dep=yes", "--wrap", "true");
            // the reason is the scheduling pass's, which follows the submission (Slurm shows None until then too)
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(c.cmd("squeue", "-h", "-j", Long.toString(ok), "-o", "%r %E")
                                    .out()
                                    .trim())
                            .isEqualTo("Dependency afterok:" + first + "(unfulfilled)"));

            c.awaitState(ok, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(any, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(notok, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(killed, "CANCELLED", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> c.cmd("squeue", "-h", "-j", Long.toString(never), "-o", "%t %r")
                            .out()
                            .trim()
                            .equals("PD DependencyNeverSatisfied"));
            assertThat(Files.readAllLines(order)).containsExactlyInAnyOrder("first", "ok", "any", "notok");
            assertThat(Files.readAllLines(order).indexOf("ok"))
                    .isGreaterThan(Files.readAllLines(order).indexOf("first"));

            TestCluster.Run bad = c.cmd("sbatch", "--dependency=afterok:999999", "--wrap", "true");
            assertThat(bad.rc()).isEqualTo(1);
            assertThat(bad.err()).contains("Batch job submission failed: Job dependency problem");
            TestCluster.Run syntax = c.cmd("sbatch", "--dependency=before:1", "--wrap", "true");
            assertThat(syntax.rc()).isEqualTo(1);
            assertThat(syntax.err()).contains("invalid dependency type");
        }
    }

    @Test
    void singletonRunsOneAtATimeAndBeginWaits() throws Exception {
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("n1", 2, "2000M");
            c.awaitNodesUp("n1");
            long a = c.submit("-J", "solo", "--dependency=singleton", "--wrap", "sleep 2");
            long b = c.submit("-J", "solo", "--dependency=singleton", "--wrap", "true");
            c.awaitState(a, "RUNNING", Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(c.cmd("squeue", "-h", "-j", Long.toString(b), "-o", "%r")
                                    .out()
                                    .trim())
                            .isEqualTo("Dependency"));
            c.awaitState(b, "COMPLETED", Duration.ofSeconds(30));

            // room for a loaded machine: squeue must see it before its begin time
            long later = c.submit("--begin=now+8", "--wrap", "true");
            await().atMost(Duration.ofSeconds(6))
                    .untilAsserted(() -> assertThat(c.cmd("squeue", "-h", "-j", Long.toString(later), "-o", "%t %r")
                                    .out()
                                    .trim())
                            .isEqualTo("PD BeginTime"));
            c.awaitState(later, "COMPLETED", Duration.ofSeconds(30));
            assertThat(c.cmd("sbatch", "--begin=soonish", "--wrap", "true").err())
                    .contains("Invalid --begin specification");
        }
    }
}
