package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sacctmgr and sreport end to end: root adds an account and a user with MaxJobs=1 and
 * GrpTRES=cpu=2; the user's jobs wait with Slurm's reasons or are refused as Slurm does; a user
 * who is no administrator is refused with Slurm's words; sreport prints Slurm's layout.
 */
class AccountsIT {
    static final String OTHER = "motley-sec-a";

    @TempDir
    static Path dir;

    static TestCluster c;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(SecurityIT.root(), "acting as an unprivileged user against a root agent needs root to create one");
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() && new File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as another user (scripts/setup-test-host installs them)");
        SecurityIT.ensureUser(OTHER);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        c = new TestCluster(dir, "PartitionName=main Nodes=ALL Default=YES\n");
        c.startController();
        c.startAgent("n1", 4, "4000M");
        c.awaitNodesUp("n1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.cmd("scancel", "-u", "root");
            c.close();
        }
    }

    static String reason(long id) {
        return c.cmd("squeue", "-h", "-j", Long.toString(id), "-o", "%r").out().trim();
    }

    @Test
    void limitsPermissionsAndReports() {
        TestCluster.Run add = c.cmd("sacctmgr", "-i", "add", "account", "physics", "Description=Physics");
        assertThat(add.rc()).as(add.err()).isZero();
        assertThat(add.out()).startsWith(" Adding Account(s)\n  physics\n Settings\n  Description     = Physics\n");
        TestCluster.Run user =
                c.cmd("sacctmgr", "-i", "add", "user", "root", "account=physics", "maxjobs=1", "grptres=cpu=2");
        assertThat(user.rc()).as(user.err()).isZero();
        assertThat(user.out()).contains("  MaxJobs       = 1\n").contains("  GrpTRES       = cpu=2\n");
        assertThat(c.cmd(
                                "sacctmgr",
                                "-P",
                                "-n",
                                "show",
                                "assoc",
                                "where",
                                "user=root",
                                "format=account,user,maxjobs,grptres")
                        .out())
                .isEqualTo("physics|root|1|cpu=2\n");

        // without -i sacctmgr asks, and an answer other than y discards
        TestCluster.Run asked =
                c.cmdIn(dir, "n\n", TestCluster.BIN.resolve("sacctmgr").toString(), "add", "qos", "high");
        assertThat(asked.out())
                .contains("Would you like to commit changes? (You have 30 seconds to decide)")
                .contains(" Changes Discarded");
        assertThat(c.cmd("sacctmgr", "-n", "-P", "show", "qos", "format=name").out())
                .isEqualTo("normal\n");

        long first = c.submit("--wrap", "sleep 300");
        c.awaitState(first, "RUNNING", Duration.ofSeconds(30));
        long second = c.submit("--wrap", "sleep 300");
        await().atMost(Duration.ofSeconds(30)).until(() -> reason(second).equals("AssocMaxJobsLimit"));
        assertThat(c.state(second)).isEqualTo("PENDING");
        // sreport user top below counts whole CPU-seconds and leaves out users with none: the first job
        // holds its CPU for two seconds at least before it is cancelled (it once ran for less than one)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !c.cmd("squeue", "-h", "-j", Long.toString(first), "-o", "%M")
                        .out()
                        .trim()
                        .matches("0:0[01]"));

        // a job over GrpTRES or MaxWall on its own is accepted and waits, as Slurm does without DenyOnLimit
        c.cmd("scancel", Long.toString(first), Long.toString(second));
        assertThat(c.cmd("sacctmgr", "-i", "modify", "user", "root", "set", "grptres=cpu=1", "maxwall=10")
                        .rc())
                .isZero();
        long wide = c.submit("-c", "2", "--wrap", "sleep 1");
        await().atMost(Duration.ofSeconds(30)).until(() -> reason(wide).equals("AssocGrpCpuLimit"));
        long longer = c.submit("-t", "20", "--wrap", "sleep 1");
        await().atMost(Duration.ofSeconds(30)).until(() -> reason(longer).equals("AssocMaxWallDurationPerJobLimit"));
        c.cmd("scancel", Long.toString(longer));

        // MaxSubmitJobs refuses at submission
        assertThat(c.cmd("sacctmgr", "-i", "modify", "user", "root", "set", "maxsubmitjobs=1")
                        .rc())
                .isZero();
        TestCluster.Run refused = c.cmd("sbatch", "--wrap", "true");
        assertThat(refused.rc()).isNotZero();
        assertThat(refused.err())
                .contains("Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)");
        c.cmd("scancel", Long.toString(wide));

        // only root and administrators change the database
        TestCluster.Run denied = c.cmdIn(
                dir,
                null,
                "runuser",
                "-u",
                OTHER,
                "--",
                TestCluster.BIN.resolve("sacctmgr").toString(),
                "-i",
                "add",
                "account",
                "chem");
        assertThat(denied.rc()).isEqualTo(1);
        assertThat(denied.err()).isEqualTo(" Problem adding accounts: Access/permission denied\n");
        // ... and read the daemons' logs
        TestCluster.Run logs = c.cmdIn(
                dir,
                null,
                "runuser",
                "-u",
                OTHER,
                "--",
                TestCluster.BIN.resolve("motley").toString(),
                "logs",
                "--controller");
        assertThat(logs.rc()).isEqualTo(1);
        assertThat(logs.err()).contains("Access/permission denied: daemon logs are for root and administrators");
        assertThat(logs.out()).isEmpty();
        assertThat(c.cmd("sacctmgr", "-n", "-P", "show", "account", "format=account")
                        .out())
                .isEqualTo("physics\n");

        String today = LocalDate.now().toString();
        String tomorrow = LocalDate.now().plusDays(1).toString();
        TestCluster.Run util = c.cmd(
                "sreport", "cluster", "utilization", "start=" + today + "T00:00:00", "end=" + tomorrow + "T00:00:00");
        assertThat(util.rc()).as(util.err()).isZero();
        assertThat(util.out().lines().toList())
                .contains(
                        "Cluster Utilization " + today + "T00:00:00 - " + today + "T23:59:59",
                        "Usage reported in CPU Minutes",
                        "  Cluster Allocate     Down PLND Dow     Idle  Planned Reported ");
        TestCluster.Run top = c.cmd(
                "sreport",
                "-t",
                "seconds",
                "user",
                "top",
                "start=" + today + "T00:00:00",
                "end=" + tomorrow + "T00:00:00");
        assertThat(top.rc()).as(top.err()).isZero();
        assertThat(top.out())
                .contains("Top 10 Users " + today + "T00:00:00 - " + today + "T23:59:59 (86400 secs)")
                .contains("  Cluster     Login     Proper Name         Account ")
                .containsPattern("      root            root         physics +\\d+ ");
    }
}
