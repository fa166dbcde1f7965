package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps across the nodes of a multi-node allocation, with two agents on this one host: the other
 * node's agent holds the job's part, runs the step's tasks there in the job's box, their output
 * comes back to srun, and a cancel ends them there too.
 */
class MultiNodeStepsIT {
    @TempDir
    Path dir;

    // node names of their own: other clusters on this host use n1, n2 with the same small job ids

    @Test
    void aStepRunsTasksOnEveryNodeOfTheJobAndTheirOutputComesBackToSrun() throws Exception {
        // the agent closes srun's connection while a step outlasts this: srun's end report must still arrive
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\nAgentRequestTimeout=2\n")) {
            c.startController();
            c.startAgent("msn1", 2, "1000M");
            c.startAgent("msn2", 2, "1000M");
            c.awaitNodesUp(Duration.ofSeconds(90), "msn1", "msn2");
            Path script = c.work.resolve("multi.sh");
            Files.writeString(script, """
                    #!/bin/sh
                    #SBATCH -N 2
                    #SBATCH --ntasks-per-node=2
                    #SBATCH -o multi-%j.out
                    srun -l sh -c 'echo "task $SLURM_PROCID/$SLURM_NTASKS node $SLURM_NODEID on $SLURMD_NODENAME step $SLURM_STEP_ID user $(id -un) job $MOTLEY_JOB_ID"'
                    echo "rc=$?"
                    srun -N 2 -n 2 sh -c 'exit $((SLURM_PROCID * 5))'
                    echo "rc=$?"
                    srun -N 2 -n 2 sh -c 'printf "no newline from $SLURM_PROCID"'
                    echo
                    echo "rc=$?"
                    srun -N 2 -n 2 perl -e '$x = "a" x (60 << 20); 1 while (times)[0] < 0.5; sleep 3'
                    echo "slept rc=$?"
                    srun --ntasks-per-node=1 --nodes=2 --nodelist=msn[1-2] --ntasks=2 -l printenv SLURMD_NODENAME | sort
                    printf 'abc\ndef\n' | srun -w msn2 -n 1 sh -c 'echo "w on $SLURMD_NODENAME"; tr a-z A-Z'
                    echo "w rc=$?"
                    srun -N 2 -n 4 --cpu-bind=verbose,cores -l sh -c 'grep Cpus_allowed_list /proc/self/status' | sort
                    srun -K -N 2 -n 2 sh -c 'if [ $SLURM_NODEID = 0 ]; then exit 3; fi; exec sleep 300'
                    echo "K here rc=$?"
                    srun -K -N 2 -n 2 sh -c 'if [ $SLURM_NODEID = 1 ]; then exit 4; fi; exec sleep 300'
                    echo "K there rc=$?"
                    """);
            long id = c.submit(script.toString());
            // nine steps: on a loaded machine (load 15) it takes a minute
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(240));
            String out = Files.readString(c.workFile("multi-" + id + ".out"));
            String user = System.getProperty("user.name");
            assertThat(out)
                    .contains("0: task 0/4 node 0 on msn1 step 0 user " + user + " job " + id + "\n")
                    .contains("1: task 1/4 node 0 on msn1 step 0 user " + user + " job " + id + "\n")
                    .contains("2: task 2/4 node 1 on msn2 step 0 user " + user + " job " + id + "\n")
                    .contains("3: task 3/4 node 1 on msn2 step 0 user " + user + " job " + id + "\n")
                    .contains("rc=0\n")
                    .contains("srun: error: msn2: task 1: Exited with exit code 5\nrc=5\n")
                    .contains("no newline from 1")
                    .contains("slept rc=0\n")
                    .contains("0: msn1\n1: msn2\n")
                    // -w: the step runs on the node named, not the job's first; its task 0 there reads srun's stdin
                    .contains("w on msn2\nABC\nDEF\nw rc=0\n")
                    .doesNotContain("cannot record the end")
                    // -K: a failed task here ends the one on msn2, and a failed one there ends the one here
                    .containsPattern("srun: error: msn1: task 0: Exited with exit code 3\n(.*\n)*K here rc=[1-9]")
                    .containsPattern("srun: error: msn2: task 1: Exited with exit code 4\n(.*\n)*K there rc=[1-9]");
            assertThat(out.split("srun: Terminating StepId=" + id + "\\.", -1)).hasSize(3);
            // --cpu-bind=cores: each node binds its two tasks to one CPU each of the job's there, msn2 as srun's msn1
            for (int node = 0; node < 2; node++) {
                java.util.regex.Matcher a = java.util.regex.Pattern.compile(
                                (2 * node) + ": Cpus_allowed_list:\\s+(\\d+)\n")
                        .matcher(out);
                java.util.regex.Matcher b = java.util.regex.Pattern.compile(
                                (2 * node + 1) + ": Cpus_allowed_list:\\s+(\\d+)\n")
                        .matcher(out);
                assertThat(a.find() && b.find()).as(out).isTrue();
                assertThat(a.group(1)).as(out).isNotEqualTo(b.group(1));
            }
            assertThat(out).contains("2: cpu-bind=MASK - msn2, task  2  0 [", "3: cpu-bind=MASK - msn2, task  3  1 [");
            assertThat(c.cmd("sacct", "-j", Long.toString(id), "-P", "-n", "-o", "JobID,State")
                            .lines())
                    .contains(id + ".0|COMPLETED", id + ".1|FAILED", id + ".3|COMPLETED");
            // step 3's two tasks each held a 60 MiB string and burnt half a second of CPU, one on each node: its
            // end gathered their figures from both agents
            List<String> used = c.cmd(
                            "sacct",
                            "-j",
                            id + ".3",
                            "-P",
                            "-n",
                            "-o",
                            "JobID,NTasks,MaxRSS,MaxRSSNode,MaxRSSTask,AveRSS,TotalCPU,UserCPU")
                    .lines();
            assertThat(used).hasSize(1);
            String[] f = used.get(0).split("\\|", -1);
            assertThat(f[0]).isEqualTo(id + ".3");
            assertThat(f[1]).isEqualTo("2");
            assertThat(kib(f[2])).as(used.get(0)).isGreaterThan(60 * 1024);
            assertThat(f[3]).isIn("msn1", "msn2");
            assertThat(f[4]).isIn("0", "1");
            assertThat(kib(f[5])).as(used.get(0)).isGreaterThan(60 * 1024);
            assertThat(cpuMs(f[6])).as(used.get(0)).isGreaterThanOrEqualTo(1000);
            assertThat(cpuMs(f[7])).as(used.get(0)).isGreaterThanOrEqualTo(1000);
        }
    }

    /** sacct's memory figure (1234K) in KiB. */
    private static long kib(String v) {
        assertThat(v).matches("[0-9]+K");
        return Long.parseLong(v.substring(0, v.length() - 1));
    }

    /** sacct's CPU time ([D-][HH:]MM:SS[.mmm]) in ms. */
    private static long cpuMs(String v) {
        assertThat(v).matches("([0-9]+-)?([0-9]+:)?[0-9]+:[0-9]+(\\.[0-9]+)?");
        String[] dayRest = v.contains("-") ? v.split("-") : new String[] {"0", v};
        String[] hms = dayRest[1].split(":");
        double s = Double.parseDouble(hms[hms.length - 1]);
        long m = Long.parseLong(hms[hms.length - 2]);
        long h = hms.length > 2 ? Long.parseLong(hms[0]) : 0;
        return Math.round(((Long.parseLong(dayRest[0]) * 24 + h) * 3600 + m * 60 + s) * 1000);
    }

    @Test
    void cancellingTheJobEndsTheTasksOnTheOtherNode() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("msn1", 2, "1000M");
            c.startAgent("msn2", 2, "1000M");
            c.awaitNodesUp(Duration.ofSeconds(90), "msn1", "msn2");
            Path marker = c.work.resolve("remote-alive");
            long id = c.submit(
                    "-N",
                    "2",
                    "-o",
                    "cancel-%j.out",
                    "--wrap",
                    "srun -N 2 -n 2 sh -c 'if [ $SLURM_NODEID = 1 ]; then echo $$ > " + marker
                            + "; fi; exec sleep 300'");
            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            Files.exists(marker) && !Files.readString(marker).isBlank());
            long pid = Long.parseLong(Files.readString(marker).trim());
            assertThat(ProcessHandle.of(pid)).isPresent();
            TestCluster.Run cancel = c.cmd("scancel", Long.toString(id));
            assertThat(cancel.rc()).as(cancel.err()).isZero();
            c.awaitState(id, "CANCELLED", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
    }

    /**
     * The controller is down for a while in the middle of a step over two nodes: what the tasks
     * wrote meanwhile was kept by their agents and reaches srun once the controller is back, in
     * order, and the step ends as it would have. (What is on the wire at the moment the controller
     * dies is not covered: the agent has no acknowledgement of it, so the tasks write nothing then.)
     */
    @Test
    void whatTasksWriteWhileTheControllerIsDownStillReachesSrun() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("msn1", 1, "1000M");
            c.startAgent("msn2", 1, "1000M");
            c.awaitNodesUp(Duration.ofSeconds(90), "msn1", "msn2");
            Path down = c.work.resolve("controller-down");
            Path back = c.work.resolve("controller-back");
            String lines = "for i in %s; do echo \"$SLURMD_NODENAME line $i\"; done; ";
            String waitFor = "while [ ! -e %s ]; do sleep 0.2; done; ";
            long id = c.submit(
                    "-N",
                    "2",
                    "-o",
                    "outage-%j.out",
                    "--wrap",
                    "srun -N 2 -n 2 sh -c '" + lines.formatted("1 2") + waitFor.formatted(down)
                            + lines.formatted("3 4 5 6") + waitFor.formatted(back) + lines.formatted("7 8")
                            + "'; echo \"srun rc=$?\"");
            Path out = c.workFile("outage-" + id + ".out");
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                String sofar = read(out);
                return sofar.contains("msn1 line 2\n") && sofar.contains("msn2 line 2\n");
            });
            List<String> agents = List.of("agent-msn1", "agent-msn2");
            List<Integer> downs = agents.stream().map(a -> linksDown(c, a)).toList();
            c.killController();
            // the agents see their links close; then the tasks write lines 3 to 6, which each agent keeps, and the
            // controller comes back
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            linksDown(c, agents.get(0)) > downs.get(0) && linksDown(c, agents.get(1)) > downs.get(1));
            Files.createFile(down);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> agents.stream()
                            .allMatch(a -> logOf(c, a).contains("step task events are kept to send again")));
            c.startController();
            Files.createFile(back);
            c.awaitState(id, "COMPLETED", Duration.ofSeconds(90));
            String text = Files.readString(out);
            for (String node : List.of("msn1", "msn2")) {
                assertThat(text.lines().filter(l -> l.startsWith(node + " ")))
                        .as(text)
                        .containsExactly(java.util.stream.IntStream.rangeClosed(1, 8)
                                .mapToObj(i -> node + " line " + i)
                                .toArray(String[]::new));
            }
            assertThat(text).contains("srun rc=0\n");
        }
    }

    @Test
    void aLostNodeEndsTheJobNodeFailAndItsTasksOnTheOtherNodes() throws Exception {
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\nJobRequeue=0\n")) {
            c.startController();
            c.startAgent("msn1", 1, "1000M");
            c.startAgent("msn2", 1, "1000M");
            c.startAgent("msn3", 1, "1000M");
            c.awaitNodesUp(Duration.ofSeconds(90), "msn1", "msn2", "msn3");
            long id = c.submit(
                    "-N",
                    "3",
                    "-o",
                    "lost-%j.out",
                    "--wrap",
                    "srun -N 3 -n 3 sh -c 'echo $$ > " + c.work + "/pid-$SLURMD_NODENAME; exec sleep 60'");
            List<Path> pids = List.of(c.work.resolve("pid-msn1"), c.work.resolve("pid-msn2"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> pids.stream().allMatch(f -> Files.exists(f) && !read(f).isBlank()));
            List<Long> tasks =
                    pids.stream().map(f -> Long.parseLong(read(f).trim())).toList();
            c.killAgent("msn3");
            c.awaitState(id, "NODE_FAIL", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> tasks.stream()
                            .allMatch(pid ->
                                    ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)));
        }
    }

    /** How many times agent {@code name} has logged its controller link down. */
    private static int linksDown(TestCluster c, String name) {
        return logOf(c, name).split("controller link down", -1).length - 1;
    }

    private static String logOf(TestCluster c, String name) {
        try {
            return c.log(name);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
