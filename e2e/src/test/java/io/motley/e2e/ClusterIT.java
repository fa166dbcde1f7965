package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A controller and two agents, each its own process, driven through the Slurm-named commands. */
class ClusterIT {
    @TempDir
    static Path dir;

    static TestCluster c;

    @BeforeAll
    static void start() throws Exception {
        // sbatch -t counts whole minutes, as Slurm's; a partition's DefaultTime may be seconds
        c = new TestCluster(dir, "PartitionName=main Default=YES\nPartitionName=quick DefaultTime=0:02\n");
        c.startController();
        c.startAgent("n1", 1, "1000M");
        c.startAgent("n2", 1, "1000M");
        c.awaitNodesUp("n1", "n2");
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    @Test
    void batchScriptRunsWithDirectivesEnvironmentAndOutputFile() throws Exception {
        Path script = c.workFile("envjob.sh");
        Files.writeString(script, """
                #!/bin/sh
                #SBATCH --job-name=envjob
                #SBATCH -o envjob-%j.out
                #SBATCH --cpus-per-task=1 --mem=100M
                # a comment between directives is fine
                echo "cwd=$(pwd) args=$1,$2"
                env | grep -E '^SLURM' | sort
                echo to-stderr >&2
                """);
        long id = c.submit(script.toString(), "a1", "b2");
        c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
        String out = Files.readString(c.workFile("envjob-" + id + ".out"));
        assertThat(out)
                .contains(
                        "cwd=" + c.work + " args=a1,b2",
                        "to-stderr",
                        "SLURM_JOB_ID=" + id,
                        "SLURM_JOBID=" + id,
                        "SLURM_JOB_NAME=envjob",
                        "SLURM_JOB_PARTITION=main",
                        "SLURM_NNODES=1",
                        "SLURM_NTASKS=1",
                        "SLURM_CPUS_PER_TASK=1",
                        "SLURM_CPUS_ON_NODE=1",
                        "SLURM_MEM_PER_NODE=100",
                        "SLURM_SUBMIT_DIR=" + c.work,
                        "SLURM_CLUSTER_NAME=e2e",
                        "SLURM_JOB_USER=" + System.getProperty("user.name"));
        assertThat(out)
                .containsPattern("SLURM_JOB_NODELIST=n[12]")
                .containsPattern("SLURMD_NODENAME=n[12]")
                .containsPattern("SLURM_NODELIST=n[12]")
                .containsPattern("SLURM_SUBMIT_HOST=\\S+");

        TestCluster.Run acct =
                c.cmd("sacct", "-j", Long.toString(id), "-X", "-P", "-n", "-o", "JobID,JobName,State,ExitCode,ReqMem");
        assertThat(acct.out().trim()).isEqualTo(id + "|envjob|COMPLETED|0:0|100M");
    }

    @Test
    void commandLineOverridesDirectivesAndStderrCanBeSeparate() throws Exception {
        Path script = c.workFile("ovr.sh");
        Files.writeString(script, "#!/bin/sh\n#SBATCH -J fromscript\n#SBATCH -t 5\necho out; echo err >&2; exit 3\n");
        long id = c.submit("-J", "fromcli", "-o", "ovr-%x-%j.out", "-e", "ovr-%j.err", script.toString());
        c.awaitState(id, "FAILED", Duration.ofSeconds(30));
        assertThat(Files.readString(c.workFile("ovr-fromcli-" + id + ".out"))).isEqualTo("out\n");
        assertThat(Files.readString(c.workFile("ovr-" + id + ".err"))).isEqualTo("err\n");
        TestCluster.Run acct =
                c.cmd("sacct", "-j", Long.toString(id), "-X", "-P", "-n", "-o", "JobName,State,ExitCode,Timelimit");
        assertThat(acct.out().trim()).isEqualTo("fromcli|FAILED|3:0|00:05:00");
    }

    @Test
    void twoNodesRunJobsSideBySideAndTheThirdWaitsForResources() {
        long a = c.submit("--wrap", "sleep 60");
        long b = c.submit("--wrap", "sleep 60");
        long w = c.submit("--wrap", "true");
        c.awaitState(a, "RUNNING", Duration.ofSeconds(20));
        c.awaitState(b, "RUNNING", Duration.ofSeconds(20));
        TestCluster.Run q = c.cmd("squeue", "-h", "-o", "%i %t %R");
        assertThat(q.lines()).contains(w + " PD (Resources)");
        String nodeA =
                c.cmd("squeue", "-h", "-j", Long.toString(a), "-o", "%N").out().trim();
        String nodeB =
                c.cmd("squeue", "-h", "-j", Long.toString(b), "-o", "%N").out().trim();
        assertThat(List.of(nodeA, nodeB)).containsExactlyInAnyOrder("n1", "n2");
        assertThat(c.cmd("sinfo", "-h", "-p", "main", "-o", "%P %D %t %N").out().trim())
                .isEqualTo("main* 2 alloc n[1-2]");
        // a freed core is refilled at once
        c.cmd("scancel", Long.toString(a), Long.toString(b));
        c.awaitState(w, "COMPLETED", Duration.ofSeconds(30));
    }

    @Test
    void cancelPendingAndRunningJobs() {
        long running = c.submit("--wrap", "sleep 60");
        long running2 = c.submit("--wrap", "sleep 60");
        long pending = c.submit("--wrap", "sleep 60");
        c.awaitState(running, "RUNNING", Duration.ofSeconds(20));
        c.awaitState(running2, "RUNNING", Duration.ofSeconds(20));
        assertThat(c.cmd("scancel", Long.toString(pending)).rc()).isZero();
        c.awaitState(pending, "CANCELLED", Duration.ofSeconds(10));
        assertThat(c.cmd("scancel", Long.toString(running), Long.toString(running2))
                        .rc())
                .isZero();
        c.awaitState(running, "CANCELLED", Duration.ofSeconds(20));
        c.awaitState(running2, "CANCELLED", Duration.ofSeconds(20));
        // as in Slurm: the allocation line reads 0:0, its .batch step carries the signal
        TestCluster.Run acct = c.cmd("sacct", "-j", running + "," + pending, "-P", "-n", "-o", "JobID,State,ExitCode");
        String me = c.cmd("squeue", "-h", "-t", "all", "-j", Long.toString(running), "-o", "%U")
                .out()
                .trim();
        assertThat(acct.lines())
                .containsExactly(
                        running + "|CANCELLED by " + me + "|0:0",
                        running + ".batch|CANCELLED|0:15",
                        pending + "|CANCELLED by " + me + "|0:0");
        assertThat(c.cmd("scontrol", "show", "job", Long.toString(running)).out())
                .contains("JobState=CANCELLED", "ExitCode=0:15");
        // Slurm is silent about ids that do not exist
        TestCluster.Run unknown = c.cmd("scancel", "999999");
        assertThat(unknown.rc()).isZero();
        assertThat(unknown.err()).isEmpty();
    }

    @Test
    void timeLimitKillsTheWholeProcessTree() throws Exception {
        Path pids = c.workFile("tree.pids");
        long id = c.submit(
                "-p",
                "quick",
                "-o",
                "tl-%j.out",
                "--wrap",
                "echo start; sleep 300 & echo $! > " + pids + "; (sleep 301 &) ; wait");
        c.awaitState(id, "TIMEOUT", Duration.ofSeconds(30));
        assertThat(Files.readString(c.workFile("tl-" + id + ".out")))
                .contains("start")
                .containsPattern("\\*\\*\\* JOB " + id + " ON n[12] CANCELLED AT \\S+ DUE TO TIME LIMIT \\*\\*\\*");
        long child = Long.parseLong(Files.readString(pids).trim());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child)
                        .map(h -> !h.isAlive() || zombie(child))
                        .orElse(true));
        TestCluster.Run acct = c.cmd("sacct", "-j", Long.toString(id), "-P", "-n", "-o", "State,ExitCode");
        assertThat(acct.lines()).containsExactly("TIMEOUT|0:0", "CANCELLED|0:15");
        assertThat(c.cmd("scontrol", "show", "job", Long.toString(id)).out())
                .contains("JobState=TIMEOUT Reason=TimeLimit", "ExitCode=0:15");
        TestCluster.Run ps = new TestCluster.Run(0, psOutput(), "");
        assertThat(ps.out()).doesNotContain("sleep 301");
    }

    @Test
    void impossibleRequestsAreRefusedAtSubmitWithSlurmsWording() {
        TestCluster.Run mem = c.cmd("sbatch", "--wrap=true", "--mem=100G");
        assertThat(mem.rc()).isEqualTo(1);
        assertThat(mem.err())
                .isEqualTo(
                        "sbatch: error: Memory specification can not be satisfied\n"
                                + "sbatch: error: Batch job submission failed: Requested node configuration is not available\n");
        TestCluster.Run part = c.cmd("sbatch", "--wrap=true", "-p", "nosuchpart");
        assertThat(part.rc()).isEqualTo(1);
        assertThat(part.err())
                .contains(
                        "sbatch: error: invalid partition specified: nosuchpart",
                        "Batch job submission failed: Invalid partition name specified");
        TestCluster.Run cpus = c.cmd("sbatch", "--wrap=true", "-c", "4");
        assertThat(cpus.rc()).isEqualTo(1);
        TestCluster.Run time = c.cmd("sbatch", "--wrap=true", "-t", "notatime");
        assertThat(time.rc()).isEqualTo(255);
        assertThat(time.err()).isEqualTo("sbatch: error: Invalid --time specification\n");
        TestCluster.Run flag = c.cmd("sbatch", "--bogus-option=1", "--wrap=true");
        assertThat(flag.rc()).isEqualTo(255);
        assertThat(flag.err()).startsWith("sbatch: unrecognized option '--bogus-option=1'");
        TestCluster.Run missing = c.cmd("sbatch", "nosuchfile.sh");
        assertThat(missing.rc()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("sbatch: error: Unable to open file nosuchfile.sh\n");
        TestCluster.Run piped = c.cmdIn(c.work, "true\n", "sbatch");
        assertThat(piped.rc()).isEqualTo(1);
        assertThat(piped.err()).contains("This does not look like a batch script");
    }

    @Test
    void heldJobWaitsUntilReleased() {
        long id = c.submit("-H", "--wrap", "true");
        assertThat(c.cmd("squeue", "-h", "-j", Long.toString(id), "-o", "%t %r")
                        .out()
                        .trim())
                .isEqualTo("PD JobHeldUser");
        assertThat(c.cmd("scontrol", "release", Long.toString(id)).rc()).isZero();
        c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
    }

    @Test
    void waitFlagReturnsTheJobsExitCode() {
        TestCluster.Run r = c.cmd("sbatch", "--wait", "--wrap", "exit 7");
        assertThat(r.out()).startsWith("Submitted batch job ");
        assertThat(r.rc()).isEqualTo(7);
    }

    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (Exception e) {
            return true;
        }
    }

    static String psOutput() {
        try {
            Process p = new ProcessBuilder("ps", "-eo", "stat,args").start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            // zombies hold no resources; only live processes count
            return String.join("\n", out.lines().filter(l -> !l.startsWith("Z")).toList());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
