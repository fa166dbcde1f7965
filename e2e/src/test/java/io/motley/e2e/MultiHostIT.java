package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.e2e.TestCluster.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * One cluster over four hosts of a test bed (scripts/testbed): a controller host and three agent
 * hosts that share no files and reach each other only by address. The tests share the cluster and
 * run in order; each leaves every daemon up and serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class MultiHostIT {
    // names unique to this run: a second bed on the machine gets other namespaces, and other cgroups
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static final String CTL = "ctl" + TAG;
    private static final String A = "a" + TAG;
    private static final String B = "b" + TAG;
    private static final String C = "c" + TAG;
    private static final List<String> AGENTS = List.of(A, B, C);
    private static TestBed bed;

    @BeforeAll
    static void up() throws Exception {
        TestBed.unavailable().ifPresent(why -> org.junit.jupiter.api.Assumptions.abort("MultiHostIT: " + why));
        bed = new TestBed("mh" + TAG, CTL, AGENTS, "NodeTimeout=8\nKillWait=2\nJobRequeue=1\nRequeueDelay=2\n");
        bed.startController();
        bed.startAgent(A, 1, "300M");
        bed.startAgent(B, 1, "400M");
        bed.startAgent(C, 2, "500M");
        bed.awaitNodesUp(A, A, B, C);
    }

    @AfterAll
    static void down() throws Exception {
        if (bed != null) bed.close();
    }

    /** Every daemon is alive, and on every agent host the commands answer and show all nodes up. */
    private static void assertServing() {
        assertThat(bed.controllerAlive()).as("controller alive").isTrue();
        for (String h : AGENTS) {
            assertThat(bed.agentAlive(h)).as("agent on " + h + " alive").isTrue();
            bed.awaitNodesUp(h, A, B, C);
        }
    }

    /** Whether a {@code sleep SECONDS} runs anywhere on the machine (the bed's hosts share one process table). */
    private static boolean sleeping(String seconds) {
        return ProcessHandle.allProcesses()
                .anyMatch(p -> p.info().command().orElse("").endsWith("/sleep")
                        && List.of(seconds).equals(List.of(p.info().arguments().orElse(new String[0]))));
    }

    @Test
    @Order(1)
    void hostsRegisterWithTheirOwnHostnamesAndHardwareAndShareNoFiles() throws Exception {
        for (String h : AGENTS) assertThat(bed.cmd(h, "hostname").out().trim()).isEqualTo(h);
        Run nodes = bed.cmd(B, "sinfo", "-N", "-h", "-o", "%N %c %m");
        assertThat(nodes.lines()).containsExactlyInAnyOrder(A + " 1 300", B + " 1 400", C + " 2 500");
        String ctlLog = bed.log(CTL, "controller");
        assertThat(ctlLog).contains("port=" + TestBed.PORT);
        for (String h : AGENTS) {
            assertThat(ctlLog).contains("agent registered node=" + h + " ");
            assertThat(bed.log(h, "agent")).contains("registered with controller=" + bed.address(CTL) + ":");
        }

        // a file made in one host's /tmp, /home or MOTLEY_HOME is not there in another
        for (String dir : List.of("/tmp", "/home", TestBed.HOST_HOME)) {
            assertThat(bed.cmd(A, "touch", dir + "/only-on-a").rc()).isZero();
            assertThat(bed.cmd(A, "test", "-e", dir + "/only-on-a").rc()).isZero();
            assertThat(bed.cmd(B, "test", "-e", dir + "/only-on-a").rc())
                    .as(dir)
                    .isNotZero();
            assertThat(bed.cmd(CTL, "test", "-e", dir + "/only-on-a").rc())
                    .as(dir)
                    .isNotZero();
        }
        // hosts know each other by address only: no name resolves (and no query leaves the bed)
        assertThat(bed.cmd(A, "getent", "hosts", B).rc()).isNotZero();
        // ... while /etc and the software are shared
        assertThat(bed.cmd(B, "test", "-x", TestCluster.BIN.resolve("motley").toString())
                        .rc())
                .isZero();

        // motley health on one host tells each host's own free disk and certificate, as its agent found them
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Run health = bed.cmd(B, "motley", "health");
            for (String h : AGENTS)
                assertThat(health.out())
                        .as(health.err())
                        .containsPattern("(?m)^OK   disk         " + h + ":spool \\d+ MiB free \\(" + TestBed.HOST_HOME
                                + "/spool/" + h + "\\)$")
                        .containsPattern("(?m)^OK   certificate  " + h + " +valid for \\d+ more days$");
        });
        assertServing();
    }

    @Test
    @Order(2)
    void jobSubmittedOnOneHostRunsOnAnotherAndEveryHostSeesIt() throws Exception {
        long id = bed.submit(
                A,
                "-w",
                B,
                "--wrap",
                "echo ran on $(hostname) node=$SLURMD_NODENAME; while [ ! -e " + TestBed.JOBS
                        + "/go-$SLURM_JOB_ID ]; do sleep 0.2; done");
        bed.awaitState(C, id, "RUNNING", Duration.ofSeconds(30));
        assertThat(bed.cmd(C, "squeue", "-h", "-j", Long.toString(id), "-o", "%T %N")
                        .out()
                        .trim())
                .isEqualTo("RUNNING " + B);

        Files.writeString(bed.tmp(B).resolve("jobs/go-" + id), "");
        bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(30));
        Path out = bed.tmp(B).resolve("jobs/slurm-" + id + ".out");
        assertThat(Files.readString(out)).isEqualTo("ran on " + B + " node=" + B + "\n");
        assertThat(bed.tmp(A).resolve("jobs/slurm-" + id + ".out")).doesNotExist();
        for (String h : AGENTS) {
            assertThat(bed.cmd(h, "sacct", "-j", Long.toString(id), "-X", "-P", "-n", "-o", "State,NodeList")
                            .out()
                            .trim())
                    .as("sacct on " + h)
                    .isEqualTo("COMPLETED|" + B);
        }

        // srun outside an allocation on A, its job placed on B: the task runs on B, with A's stdin, its output on A
        Run srun = bed.cmd(
                A,
                "sh",
                "-c",
                "echo hello | " + TestCluster.BIN.resolve("srun") + " -w " + B
                        + " sh -c 'read x; echo on $(hostname) node=$SLURMD_NODENAME read $x'");
        assertThat(srun.rc()).as(srun.err()).isZero();
        assertThat(srun.out()).isEqualTo("on " + B + " node=" + B + " read hello\n");

        // srun --pty on A, its job placed on B: a shell on B, on a terminal that B's agent opened, typed to from A
        Run pty = bed.cmd(
                A,
                "sh",
                "-c",
                "printf 'echo typed on $(hostname) node=$SLURMD_NODENAME tty=$(tty)\\nexit 3\\n' | script -qfec '"
                        + TestCluster.BIN.resolve("srun") + " --pty -w " + B + " sh -i' /dev/null");
        assertThat(pty.rc()).as(pty.out() + pty.err()).isEqualTo(3);
        assertThat(pty.out()).contains("typed on " + B + " node=" + B + " tty=/dev/pts/");

        // salloc on A, its job placed on B: the allocation lasts until the command ends, and its steps run on B
        Run salloc = bed.cmd(
                A,
                "salloc",
                "-w",
                B,
                "sh",
                "-c",
                TestCluster.BIN.resolve("srun") + " sh -c 'echo step on $(hostname)'; exit 4");
        assertThat(salloc.rc()).as(salloc.out() + salloc.err()).isEqualTo(4);
        assertThat(salloc.out()).isEqualTo("step on " + B + "\n");
        assertServing();
    }

    /**
     * An MPI program across hosts that share no files: Open MPI's mpirun in a two-node job on A and B starts its
     * daemon on B through srun, which reaches B's agent through the controller, and the ranks talk over the bed's
     * network. (MpiIT runs the same on one host.)
     */
    @Test
    @Order(3)
    void mpirunStartsItsRanksOnEveryHostOfTheJob() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new java.io.File("/usr/bin/mpirun").canExecute(),
                "Open MPI's mpirun is needed (scripts/setup-test-host installs openmpi-bin)");
        long id = bed.submit(
                A,
                "-N",
                "2",
                "-n",
                "2",
                "-w",
                A + "," + B,
                "-o",
                "mpi-%j.out",
                // the bed runs jobs as root, which mpirun refuses unless told twice; its daemons talk over the
                // bed's subnet (10.213.N.0/24, scripts/testbed)
                "--export=ALL,OMPI_ALLOW_RUN_AS_ROOT=1,OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
                        + ",OMPI_MCA_oob_tcp_if_include=10.213.0.0/16,OMPI_MCA_btl_tcp_if_include=10.213.0.0/16",
                "--wrap",
                "mpirun sh -c 'echo \"rank $OMPI_COMM_WORLD_RANK of $OMPI_COMM_WORLD_SIZE on $(hostname)\"'");
        Path file = bed.tmp(A).resolve("jobs/mpi-" + id + ".out");
        try {
            bed.awaitState(C, id, "COMPLETED", Duration.ofSeconds(90));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "job " + id + ": " + bed.cmd(C, "squeue", "-s").out()
                            + bed.cmd(C, "scontrol", "show", "job", "" + id).out()
                            + (Files.exists(file) ? Files.readString(file) : "(no output)"),
                    e);
        }
        String out = Files.readString(file);
        assertThat(out.lines().filter(l -> l.startsWith("rank ")).sorted().toList())
                .as(out)
                .containsExactly("rank 0 of 2 on " + A, "rank 1 of 2 on " + B);
        // the daemons' launch was the job's step 0, seen from any host
        assertThat(bed.cmd(B, "sacct", "-j", id + ".0", "-n", "-P", "-o", "JobName")
                        .out()
                        .trim())
                .isEqualTo("orted");
        assertServing();
    }

    @Test
    @Order(4)
    void cutLinkFailsTheNodeAndWhenItHealsTheAgentReconnectsAndKillsWhatWasGivenUp() throws Exception {
        String failSleep = "7" + TAG + "1";
        String requeueSleep = "7" + TAG + "2";
        long failed = bed.submit(A, "--no-requeue", "-w", C, "--wrap", "sleep " + failSleep);
        String runs = TestBed.JOBS + "/runs-$SLURM_JOB_ID";
        long requeued = bed.submit(
                A,
                "--requeue",
                "-w",
                C,
                "--wrap",
                "echo run >> " + runs + "; [ $(wc -l < " + runs + ") -ge 2 ] || sleep " + requeueSleep);
        bed.awaitState(A, failed, "RUNNING", Duration.ofSeconds(30));
        bed.awaitState(A, requeued, "RUNNING", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> sleeping(failSleep) && sleeping(requeueSleep));
        int registrations = count(bed.log(C, "agent"), "registered with controller=");

        bed.cut(C);
        // heartbeats every 2 s (NodeTimeout=8): after two missed ones the node is NOT_RESPONDING (alloc*, no
        // reason, its jobs still running), and DOWN only after NodeTimeout; another host sees each step
        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String now = bed.cmd(A, "sinfo", "-N", "-h", "-o", "%N %t %E").lines().stream()
                            .filter(l -> l.startsWith(C + " "))
                            .findFirst()
                            .orElse("");
                    if (seen.isEmpty() || !seen.getLast().equals(now)) seen.add(now);
                    return now.equals(C + " down* Not responding");
                });
        assertThat(seen)
                .as("states of %s seen from %s", C, A)
                .containsSubsequence(C + " alloc* none", C + " down* Not responding")
                .doesNotContain(C + " down Not responding");
        bed.awaitState(B, failed, "NODE_FAIL", Duration.ofSeconds(10));
        bed.awaitState(B, requeued, "PENDING", Duration.ofSeconds(10));
        // the node itself knows nothing of this: behind the cut its runs go on
        assertThat(sleeping(failSleep)).isTrue();
        assertThat(sleeping(requeueSleep)).isTrue();
        bed.awaitNodesUp(B, A, B);

        bed.heal(C);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> count(bed.log(C, "agent"), "registered with controller=") > registrations);
        bed.awaitNodesUp(A, C);
        // the runs the controller gave up on are killed; the requeued job runs again, once
        await().atMost(Duration.ofSeconds(30)).until(() -> !sleeping(failSleep) && !sleeping(requeueSleep));
        bed.awaitState(A, requeued, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Files.readAllLines(bed.tmp(C).resolve("jobs/runs-" + requeued)))
                .containsExactly("run", "run");
        // ... each only after its old run ended on the node
        String cLog = bed.log(C, "agent");
        assertThat(cLog.indexOf("job ended job=" + requeued + " run=0 "))
                .isNotNegative()
                .isLessThan(cLog.indexOf("job launched job=" + requeued + " run=1 "));
        assertThat(bed.log(CTL, "controller"))
                .contains("agent runs a job that is not running there; killing it node=" + C + " job=" + failed + " ");
        assertThat(bed.state(B, failed)).isEqualTo("NODE_FAIL");
        assertThat(bed.cmd(B, "scontrol", "show", "job", Long.toString(requeued))
                        .out())
                .contains("Restarts=1");
        assertServing();
    }

    @Test
    @Order(5)
    void controllerRestartLeavesJobsOnOtherHostsRunning() throws Exception {
        long id = bed.submit(
                C,
                "-w",
                A,
                "--wrap",
                "echo started >> " + TestBed.JOBS + "/restart-$SLURM_JOB_ID; while [ ! -e " + TestBed.JOBS
                        + "/go-$SLURM_JOB_ID ]; do sleep 0.2; done");
        bed.awaitState(B, id, "RUNNING", Duration.ofSeconds(30));
        int[] before = AGENTS.stream()
                .mapToInt(h -> count(logOf(h), "registered with controller="))
                .toArray();

        bed.killController();
        assertThat(bed.cmd(B, "squeue", "-h").rc()).isNotZero();
        bed.startController();
        for (int i = 0; i < AGENTS.size(); i++) {
            String h = AGENTS.get(i);
            int n = before[i];
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> count(logOf(h), "registered with controller=") > n);
        }
        assertThat(bed.state(B, id)).isEqualTo("RUNNING");

        Files.writeString(bed.tmp(A).resolve("jobs/go-" + id), "");
        bed.awaitState(C, id, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Files.readAllLines(bed.tmp(A).resolve("jobs/restart-" + id))).containsExactly("started");
        assertServing();
    }

    /**
     * A one-way partition (nft drops what C sends to the controller; the controller's packets still
     * reach C): the node goes NOT_RESPONDING, then DOWN after NodeTimeout, its jobs end NODE_FAIL or
     * are requeued; once the rule is lifted the agent is back, the runs given up on are killed and
     * the requeued job runs once more.
     */
    @Test
    @Order(6)
    void aOneWayPartitionFailsTheNodeAndWhenItHealsTheAgentIsReconciled() throws Exception {
        oneWayPartition("8", () -> bed.dropTo(C, CTL), () -> bed.undrop(C));
    }

    /**
     * The other way (nft in the controller's host drops what it sends to C; C's packets still reach
     * the controller, which therefore hears nothing new from C: its acknowledgements are lost, so C
     * sends nothing but the same retransmission): the same as above, by heartbeat timeout, and the
     * agent learns of the link the controller gave up once the rule is lifted.
     */
    @Test
    @Order(7)
    void aOneWayPartitionFromTheControllerFailsTheNodeAndWhenItHealsTheAgentIsReconciled() throws Exception {
        oneWayPartition("9", () -> bed.dropTo(CTL, C), () -> bed.undrop(CTL));
    }

    /** A one-way partition made by {@code drop} and lifted by {@code undrop}, with two jobs on C. */
    private static void oneWayPartition(String digit, Runnable drop, Runnable undrop) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/nft")), "nft is missing: run scripts/setup-test-host");
        String failSleep = digit + TAG + "1";
        String requeueSleep = digit + TAG + "2";
        long failed = bed.submit(A, "--no-requeue", "-w", C, "--wrap", "sleep " + failSleep);
        String runs = TestBed.JOBS + "/oneway-$SLURM_JOB_ID";
        long requeued = bed.submit(
                A,
                "--requeue",
                "-w",
                C,
                "--wrap",
                "echo run >> " + runs + "; [ $(wc -l < " + runs + ") -ge 2 ] || sleep " + requeueSleep);
        bed.awaitState(A, failed, "RUNNING", Duration.ofSeconds(30));
        bed.awaitState(A, requeued, "RUNNING", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> sleeping(failSleep) && sleeping(requeueSleep));
        int registrations = count(logOf(C), "registered with controller=");
        int losses = count(logOf(C), "controller link down");

        drop.run();
        try {
            bed.awaitState(B, failed, "NODE_FAIL", Duration.ofSeconds(30));
            bed.awaitState(B, requeued, "PENDING", Duration.ofSeconds(10));
            assertThat(bed.cmd(A, "sinfo", "-N", "-h", "-n", C, "-o", "%t %E")
                            .out()
                            .trim())
                    .isEqualTo("down* Not responding");
            assertThat(sleeping(failSleep)).isTrue();
        } finally {
            undrop.run();
        }
        bed.awaitNodesUp(A, C);
        // the agent saw the link the controller gave up end, and registered anew (which reconciled it); the
        // controller shows the node up as it takes the registration, a moment before the agent logs the answer
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count(logOf(C), "controller link down") > losses
                        && count(logOf(C), "registered with controller=") > registrations);
        await().atMost(Duration.ofSeconds(30)).until(() -> !sleeping(failSleep) && !sleeping(requeueSleep));
        bed.awaitState(A, requeued, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Files.readAllLines(bed.tmp(C).resolve("jobs/oneway-" + requeued)))
                .containsExactly("run", "run");
        assertThat(bed.state(B, failed)).isEqualTo("NODE_FAIL");
        assertServing();
    }

    private static String logOf(String host) {
        try {
            return bed.log(host, "agent");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
