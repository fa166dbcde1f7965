package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multifactor priority, accounts and fair share through the real commands. */
class PriorityIT {
    @TempDir
    Path dir;

    @Test
    void accountsNiceSprioAndSshare() throws Exception {
        String me = System.getProperty("user.name");
        // the blocker must hold the node through the checks below, however busy the machine
        String conf = """
                NodeTimeout=30
                PriorityWeightFairshare=10000
                PriorityWeightAge=100
                PriorityWeightQOS=1000
                AccountName=physics Fairshare=40 Users=%s
                AccountName=chem Fairshare=60 Users=someoneelse
                QOSName=high Priority=100
                """.formatted(me);
        try (TestCluster c = new TestCluster(dir, conf)) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");

            TestCluster.Run badAccount = c.cmd("sbatch", "-A", "chem", "--wrap", "true");
            assertThat(badAccount.rc()).isEqualTo(1);
            assertThat(badAccount.err())
                    .isEqualTo(
                            "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n");
            TestCluster.Run badQos = c.cmd("sbatch", "--qos=gold", "--wrap", "true");
            assertThat(badQos.err())
                    .isEqualTo("sbatch: error: Batch job submission failed: Invalid qos specification\n");

            // some usage for physics, charged by default (the only account listing this user)
            long used = c.submit("--wrap", "sleep 2");
            c.awaitState(used, "COMPLETED", Duration.ofSeconds(30));

            long blocker = c.submit("--wrap", "sleep 60");
            c.awaitState(blocker, "RUNNING", Duration.ofSeconds(20));
            long nice = c.submit("--nice=500", "--wrap", "true");
            long normal = c.submit("--wrap", "true");
            long high = c.submit("--qos=high", "--wrap", "true");
            // the later jobs rank ahead of the nice one, the high QOS first of all
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(c.cmd("squeue", "-h", "-t", "PD", "-o", "%i %Q")
                                    .lines())
                            .extracting(l -> l.split(" ")[0])
                            .containsExactly(Long.toString(high), Long.toString(normal), Long.toString(nice)));
            assertThat(c.cmd("scontrol", "show", "job", Long.toString(nice)).out())
                    .contains("Nice=500 Account=physics QOS=normal");

            TestCluster.Run sprio = c.cmd("sprio");
            assertThat(sprio.rc()).isZero();
            assertThat(sprio.lines().get(0))
                    .isEqualTo("          JOBID PARTITION   PRIORITY       SITE        AGE  FAIRSHARE        QOS");
            assertThat(sprio.lines())
                    .as(() -> c.cmd("squeue", "-t", "all", "-o", "%i %T %r %Q").out() + logs(c))
                    .hasSize(4);
            assertThat(c.cmd("sprio", "-h", "-j", Long.toString(high), "-o", "%i %q")
                            .out()
                            .trim())
                    .isEqualTo(high + " 1.0000000");
            assertThat(c.cmd("sprio", "-h", "-j", Long.toString(nice), "-o", "%N")
                            .out()
                            .trim())
                    .isEqualTo("500");
            assertThat(c.cmd("sprio", "-w").lines().get(1))
                    .contains("Weights")
                    .contains("10000")
                    .contains("1000");
            // physics used everything so far: its fair share is below 1, and so is the job's factor
            double fs = Double.parseDouble(c.cmd("sprio", "-h", "-n", "-j", Long.toString(normal), "-o", "%f")
                    .out()
                    .trim());
            assertThat(fs).isGreaterThan(0).isLessThan(1);

            TestCluster.Run sshare = c.cmd("sshare", "-a");
            assertThat(sshare.rc()).isZero();
            assertThat(sshare.lines().get(0))
                    .isEqualTo(
                            "Account                    User  RawShares  NormShares    RawUsage  EffectvUsage  FairShare ");
            String physicsUser = sshare.lines().stream()
                    .filter(l -> l.startsWith("  physics "))
                    .findFirst()
                    .orElseThrow();
            String[] f = physicsUser.trim().split("\\s+");
            // physics, user, RawShares, NormShares, RawUsage, EffectvUsage, FairShare
            assertThat(f[1]).isEqualTo(me);
            assertThat(Long.parseLong(f[4])).isGreaterThanOrEqualTo(1);
            assertThat(Double.parseDouble(f[5])).isEqualTo(1.0);
            assertThat(Double.parseDouble(f[6])).isLessThan(1.0);
            assertThat(sshare.lines()).anyMatch(l -> l.startsWith(" chem ") && l.contains(" 60 "));

            c.cmd("scancel", Long.toString(blocker));
            c.awaitState(nice, "COMPLETED", Duration.ofSeconds(30));
        }
    }

    /** The daemons' logs, to explain a failed assertion. */
    static String logs(TestCluster c) {
        try {
            return c.log("controller") + c.log("agent-n1");
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void basicKeepsSubmissionOrderAndSprioSaysSo() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PriorityType=priority/basic\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            TestCluster.Run r = c.cmd("sprio");
            assertThat(r.rc()).isEqualTo(1);
            assertThat(r.err())
                    .isEqualTo("You are not running a supported priority plugin\n(priority/basic).\n"
                            + "Only 'priority/multifactor' is supported.\n");
        }
    }
}
