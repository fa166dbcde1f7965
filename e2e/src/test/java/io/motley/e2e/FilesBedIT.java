package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.e2e.TestCluster.Run;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jobs on a host that does not have the submit directory (docs/files.md), on a test bed
 * (scripts/testbed) of a controller host and two agent hosts that share no files: a job submitted
 * on A from a directory in A's private /home runs on B, and its output appears in that directory
 * on A, the submitting user's, while it runs.
 */
@Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)
class FilesBedIT {
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static final String CTL = "fc" + TAG;
    private static final String A = "fa" + TAG;
    private static final String B = "fb" + TAG;
    /** A node whose agent's spool is a tiny filesystem (a tmpfs in the host's own mount namespace): a full disk. */
    private static final String FULL = "ff" + TAG;
    /** An unprivileged user (hosts share /etc); its home exists only in A's private /home. */
    private static final String USER = "motleyfs";

    private static final String PROJECT = "/home/" + USER + "/project";
    private static TestBed bed;

    @BeforeAll
    static void up() throws Exception {
        TestBed.unavailable().ifPresent(why -> org.junit.jupiter.api.Assumptions.abort("FilesBedIT: " + why));
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() && new File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as another user (scripts/setup-test-host installs them)");
        SecurityIT.ensureUser(USER);
        bed = new TestBed(
                "fs" + TAG,
                CTL,
                List.of(A, B, FULL),
                "NodeTimeout=8\nKillWait=2\nRequeueDelay=0\nPartitionName=main Nodes=ALL Default=YES\n"
                        + "PartitionName=apart Nodes=ALL SharedFilesystem=no\n");
        bed.startController();
        bed.startAgent(A, 1, "300M");
        bed.startAgent(B, 1, "300M");
        String spool = TestBed.HOST_HOME + "/spool/" + FULL;
        Run mount = bed.cmd(
                FULL,
                "/bin/sh",
                "-c",
                "mkdir -p " + spool + " && mount -t tmpfs -o size=256k,mode=700 motley-full " + spool);
        assertThat(mount.rc()).as(mount.err()).isZero();
        bed.startAgent(FULL, 1, "300M");
        bed.awaitNodesUp(A, A, B, FULL);
        Path project = bed.dir(A).resolve("home").resolve(USER).resolve("project");
        Files.createDirectories(project);
        SecurityIT.chownTree(project.getParent(), USER);
    }

    @AfterAll
    static void down() throws Exception {
        if (bed != null) bed.close();
    }

    /** Runs a command as the user on A, in the project directory. */
    private static Run asUser(String... args) {
        return asUserIn(PROJECT, args);
    }

    /** Runs a command as the user on A, in directory {@code cwd}. */
    private static Run asUserIn(String cwd, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "runuser";
        all[1] = "-u";
        all[2] = USER;
        all[3] = "--";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            all[i + 4] = !a.contains("/") && Files.exists(TestCluster.BIN.resolve(a))
                    ? TestCluster.BIN.resolve(a).toString()
                    : a;
        }
        return bed.cmdIn(A, cwd, all);
    }

    @Test
    void outputOfAJobOnAnotherHostAppearsInTheSubmitDirectoryAsTheUserWhileItRuns() throws Exception {
        Run sub = asUser(
                "sbatch",
                "--parsable",
                "-w",
                B,
                "--wrap",
                "echo started on $(hostname) in $SLURM_SUBMIT_DIR; while [ ! -e /tmp/go-$SLURM_JOB_ID ]; do sleep 0.2;"
                        + " done; echo done");
        assertThat(sub.rc()).as(sub.err()).isZero();
        long id = Long.parseLong(sub.out().trim());
        Path out = bed.dir(A).resolve("home").resolve(USER).resolve("project/slurm-" + id + ".out");
        // the submit directory exists on A only
        assertThat(bed.cmd(B, "test", "-e", PROJECT).rc()).isNotZero();
        String first = "started on " + B + " in " + PROJECT;

        // while it runs, the file is on A, the user's, and tail (as the user, on A) shows it
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(out) && Files.readString(out).equals(first + "\n"));
        assertThat(bed.state(A, id)).isEqualTo("RUNNING");
        assertThat(Files.getOwner(out).getName()).isEqualTo(USER);
        Run tail = asUser("tail", "-n", "1", "slurm-" + id + ".out");
        assertThat(tail.out()).isEqualTo(first + "\n");
        // motley logs on A shows it from the node that runs it
        Run running = asUser("motley", "logs", Long.toString(id));
        assertThat(running.rc()).as(running.err()).isZero();
        assertThat(running.out()).isEqualTo(first + "\n");

        Files.writeString(bed.tmp(B).resolve("go-" + id), "");
        bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(out).equals(first + "\ndone\n"));
        assertThat(Files.getOwner(out).getName()).isEqualTo(USER);
        // delivered: motley logs on A reads the file where it was written
        Run done = asUser("motley", "logs", Long.toString(id));
        assertThat(done.rc()).as(done.err()).isZero();
        assertThat(done.out()).isEqualTo(first + "\ndone\n");
    }

    /**
     * --stage-in files read on A as the user reach the job's directory on B before it starts;
     * --stage-out files come back to A, the user's, also after a failure, before a dependent job
     * starts; a file the user cannot read is refused by sbatch, as the user's own rights decide.
     */
    @Test
    void stagedFilesTravelAsTheUserAndAreBackBeforeADependentStarts() throws Exception {
        Path project = bed.dir(A).resolve("home").resolve(USER).resolve("project");
        Run prep = asUser("/bin/sh", "-c", "echo hello >input.txt && mkdir -p data && echo x >data/x");
        assertThat(prep.rc()).as(prep.err()).isZero();
        Run sub = asUser(
                "sbatch",
                "--parsable",
                "-w",
                B,
                "--stage-in=input.txt,data",
                "--stage-out=res-*,out",
                "--wrap",
                "cat input.txt data/x >res-1.txt; mkdir out; echo y >out/y; echo no >other; exit 2");
        assertThat(sub.rc()).as(sub.err()).isZero();
        long id = Long.parseLong(sub.out().trim());
        Run dep = asUser("sbatch", "--parsable", "-w", A, "-d", "afterany:" + id, "--wrap", "cat res-1.txt out/y");
        assertThat(dep.rc()).as(dep.err()).isZero();
        long after = Long.parseLong(dep.out().trim());
        bed.awaitState(A, id, "FAILED", Duration.ofSeconds(40));
        // the files are back when the job counts as ended
        assertThat(project.resolve("res-1.txt")).hasContent("hello\nx\n");
        assertThat(Files.getOwner(project.resolve("res-1.txt")).getName()).isEqualTo(USER);
        assertThat(project.resolve("out/y")).hasContent("y\n");
        assertThat(project.resolve("other")).doesNotExist();
        assertThat(project.resolve(".motley-stage-out." + id + ".0.tar")).doesNotExist();
        bed.awaitState(A, after, "COMPLETED", Duration.ofSeconds(30));
        assertThat(project.resolve("slurm-" + after + ".out")).hasContent("hello\nx\ny\n");

        // read by sbatch as the user: a file only root may read is refused, and nothing is submitted
        Path secret = project.resolve("secret");
        Files.writeString(secret, "root's\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Run refused = asUser("sbatch", "-w", B, "--stage-in=secret", "--wrap", "true");
        assertThat(refused.rc()).isNotZero();
        assertThat(refused.err()).contains("--stage-in: cannot read the files").contains("Permission denied");
    }

    /**
     * A --stage-in archive over the 4 MiB that travel inside the submission (6 MiB that do not
     * compress) goes to the controller in chunks after it, and B, which does not have the submit
     * directory, reads it from there: the file is intact in the job's directory. The controller
     * keeps its copy while the ended job is in view, so that scontrol requeue runs it again with
     * the same file.
     */
    @Test
    void aStageInOverTheInlineSizeTravelsInChunksAndArrivesIntact() throws Exception {
        Path project = bed.dir(A).resolve("home").resolve(USER).resolve("project");
        Run prep = asUser("/bin/sh", "-c", "head -c 6291456 /dev/urandom >big.bin");
        assertThat(prep.rc()).as(prep.err()).isZero();
        String sum = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(project.resolve("big.bin"))));
        Run sub = asUser(
                "sbatch",
                "--parsable",
                "-w",
                B,
                "--stage-in=big.bin",
                "--wrap",
                "sha256sum big.bin | cut -c1-64; echo run ${SLURM_RESTART_COUNT:-0};" + " test \"$PWD\" != " + PROJECT
                        + " && echo own dir");
        assertThat(sub.rc()).as(sub.err()).isZero();
        long id = Long.parseLong(sub.out().trim());
        bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(60));
        Path out = project.resolve("slurm-" + id + ".out");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(out).hasContent(sum + "\nrun 0\nown dir\n"));
        Path spool = bed.home(CTL).resolve("state/stage-in");
        assertThat(spool.resolve(id + ".tar")).exists();

        Run requeue = asUser("scontrol", "requeue", Long.toString(id));
        assertThat(requeue.rc()).as(requeue.err()).isZero();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(Files.readString(out)).endsWith(sum + "\nrun 1\nown dir\n"));
        bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(30));
    }

    /**
     * SharedFilesystem=no on a PartitionName line: {@link TestBed#JOBS} exists on both hosts (auto
     * would take it as shared), yet a job of that partition runs in a directory of its own on B and
     * its output comes back to A; the same job in the default partition writes it on B.
     */
    @Test
    void sharedFilesystemNoOnThePartitionSendsOutputBackEvenWhereTheDirectoryExists() {
        long apart = bed.submit(A, "-p", "apart", "-w", B, "--wrap", "echo apart in $PWD");
        long main = bed.submit(A, "-w", B, "--wrap", "echo main in $PWD");
        bed.awaitState(A, apart, "COMPLETED", Duration.ofSeconds(30));
        bed.awaitState(A, main, "COMPLETED", Duration.ofSeconds(30));
        Path apartOut = bed.tmp(A).resolve("jobs/slurm-" + apart + ".out");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(apartOut));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(Files.readString(apartOut))
                        .isEqualTo("apart in " + TestBed.HOST_HOME + "/work/" + B + "/job" + apart + "\n"));
        assertThat(bed.tmp(B).resolve("jobs/slurm-" + apart + ".out")).doesNotExist();
        assertThat(bed.tmp(B).resolve("jobs/slurm-" + main + ".out")).hasContent("main in " + TestBed.JOBS + "\n");
        assertThat(bed.tmp(A).resolve("jobs/slurm-" + main + ".out")).doesNotExist();
    }

    /**
     * The node's side of output delivery fills up (its spool is a 256 KiB filesystem and the job
     * writes 1 MiB): the job's end says so in scontrol show job's reason, what fitted reaches the
     * submit host, and the node's agent goes on running jobs.
     */
    @Test
    void aFullDiskOnTheNodeIsReportedOnTheJobAndTheAgentGoesOn() throws Exception {
        Run sub = asUser(
                "sbatch",
                "--parsable",
                "-w",
                FULL,
                "--wrap",
                "echo first; head -c 1048576 /dev/zero | tr '\\0' x; echo; echo last");
        assertThat(sub.rc()).as(sub.err()).isZero();
        long id = Long.parseLong(sub.out().trim());
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> List.of("COMPLETED", "FAILED").contains(bed.state(A, id)));
        Run show = asUser("scontrol", "show", "job", Long.toString(id));
        // (scontrol writes the reason with underscores for spaces, as Slurm does); the spool that holds the
        // outbox also holds the run's exit status, so today the reason names that loss
        assertThat(show.out()).as(show.out()).contains("No_space_left_on_device");
        assertThat(bed.agentAlive(FULL)).isTrue();
        Path out = bed.dir(A).resolve("home").resolve(USER).resolve("project/slurm-" + id + ".out");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(out) && Files.readString(out).startsWith("first\n"));

        // once the outbox is delivered and gone, the node runs the next job as before (its spool is full until then:
        // a job sent to it before would fail to launch)
        String outbox = TestBed.HOST_HOME + "/spool/" + FULL + "/outbox";
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> bed.cmd(FULL, "/bin/sh", "-c", "ls " + outbox + " 2>/dev/null")
                        .out()
                        .isBlank());
        Run next = asUser("sbatch", "--parsable", "-w", FULL, "--wrap", "echo again");
        assertThat(next.rc()).as(next.err()).isZero();
        long again = Long.parseLong(next.out().trim());
        bed.awaitState(A, again, "COMPLETED", Duration.ofSeconds(60));
    }

    /**
     * The submit host's side fills up (the job is submitted on A from a 64 KiB filesystem and
     * writes 256 KiB on B): the job completes, its Reason in scontrol show job says its output was
     * not delivered and why, the node keeps all of it (motley logs shows it whole), and once there
     * is room the rest is written in place and the Reason goes.
     */
    @Test
    void aFullDiskOnTheSubmitHostIsReportedOnTheJobAndTheOutputWaitsOnTheNode() throws Exception {
        String dir = "/home/" + USER + "/full";
        Run mount = bed.cmd(
                A,
                "/bin/sh",
                "-c",
                "mkdir -p " + dir + " && mount -t tmpfs -o size=64k,mode=700 motley-full-submit " + dir + " && chown "
                        + USER + ": " + dir);
        assertThat(mount.rc()).as(mount.err()).isZero();
        try {
            Run sub = asUserIn(
                    dir,
                    "sbatch",
                    "--parsable",
                    "-w",
                    B,
                    "--wrap",
                    "echo first; head -c 262144 /dev/zero | tr '\\0' x; echo; echo last");
            assertThat(sub.rc()).as(sub.err()).isZero();
            long id = Long.parseLong(sub.out().trim());
            String whole = "first\n" + "x".repeat(262144) + "\nlast\n";
            bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(30));
            // (scontrol writes the reason with underscores for spaces, as Slurm does)
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> asUserIn(dir, "scontrol", "show", "job", Long.toString(id))
                            .out()
                            .contains("Reason=Output_not_delivered:_cannot_write_" + dir + "/slurm-" + id + ".out"));
            assertThat(asUserIn(dir, "scontrol", "show", "job", Long.toString(id))
                            .out())
                    .contains("No_space_left_on_device");
            // nothing is lost: the node holds all of it, and motley logs reads it there
            Run logs = asUserIn(dir, "motley", "logs", Long.toString(id));
            assertThat(logs.rc()).as(logs.err()).isZero();
            assertThat(logs.out().length()).isEqualTo(whole.length());
            assertThat(logs.out()).isEqualTo(whole);
            assertThat(bed.agentAlive(A)).isTrue();
            assertThat(bed.agentAlive(B)).isTrue();

            // room again: the node tries again (2 s after a refusal, doubling to 30 s) and the file is whole,
            // the user's, and the Reason gone
            Run grow = bed.cmd(A, "mount", "-o", "remount,size=4m", dir);
            assertThat(grow.rc()).as(grow.err()).isZero();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> bed.cmd(A, "cat", dir + "/slurm-" + id + ".out")
                            .out()
                            .equals(whole));
            assertThat(bed.cmd(A, "stat", "-c", "%U", dir + "/slurm-" + id + ".out")
                            .out()
                            .trim())
                    .isEqualTo(USER);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !asUserIn(dir, "scontrol", "show", "job", Long.toString(id))
                            .out()
                            .contains("Output_not_delivered"));
        } finally {
            bed.cmd(A, "umount", "-l", dir);
        }
    }
}
