package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.core.step.TaskUsage;
import io.motley.protocol.Frame;
import io.motley.protocol.Messages;
import io.motley.protocol.StepMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sstat's layout, selection and errors against real Slurm 22.05's answers (the compat capture,
 * e2e/src/test/resources/compat/slurm-22.05.txt, taken with jobacct_gather/linux on a node named
 * vm): the cases whose columns do not change from run to run are compared exactly.
 */
class SstatTest {
    private static final long SST = 7050;
    private static final long NOSTEP = 7051;
    private static final long DONE = 7001;

    /** The capture's blocks: each case's stdout ("| ") and stderr ("! ") lines and exit code, by id. */
    private static Map<String, List<String>> capture() throws Exception {
        Path fixture = Path.of("../e2e/src/test/resources/compat/slurm-22.05.txt");
        Map<String, List<String>> out = new java.util.HashMap<>();
        List<String> cur = null;
        for (String line : Files.readAllLines(fixture, StandardCharsets.UTF_8)) {
            if (line.startsWith("=== ")) {
                cur = new ArrayList<>();
                out.put(line.substring(4), cur);
            } else if (cur != null && !line.startsWith("$ ")) {
                cur.add(line);
            }
        }
        return out;
    }

    private static final Step STEP0 =
            Step.started(SST, 0, new StepRequest(1, 1, 0, 1, 0, false, "sleep"), List.of("vm"), 1000);

    private static TaskUsage task(int step, int task, long... pids) {
        List<Long> p = new ArrayList<>();
        for (long x : pids) p.add(x);
        return new TaskUsage(step, task, "vm", p, 1628, 1628, 2920, 2920, 0, 0, 6977, 1);
    }

    /** The pid of step 0's task in the capture's sstat -i. */
    private static long capturedPid() {
        try {
            String line = capture().get("sstat.i").get(2).trim();
            return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        } catch (Exception e) {
            throw new IllegalStateException("the capture's sstat.i has no pid", e);
        }
    }

    /** The controller as it answers sstat for the capture's jobs: sst with step 0, nostep with only its script. */
    private static FakeCluster cluster(boolean denied) {
        FakeCluster c = new FakeCluster();
        c.answers.put(StepMessages.STAT, req -> {
            long job = req.lng("job", 0);
            StepMessages.StepStats st;
            if (job == SST)
                st = denied
                        ? new StepMessages.StepStats(List.of(STEP0), List.of(), List.of(), "vm", true)
                        : new StepMessages.StepStats(
                                List.of(STEP0),
                                List.of(task(TaskUsage.BATCH, 0, 20911, 20915, 20918), task(0, 0, capturedPid())),
                                List.of(),
                                "vm",
                                false);
            else if (job == NOSTEP)
                st = new StepMessages.StepStats(
                        List.of(), List.of(task(TaskUsage.BATCH, 0, 20930)), List.of(), "vm", false);
            else if (job == DONE) st = StepMessages.StepStats.none();
            else return Frame.error("Invalid job id specified");
            return Messages.encode(st);
        });
        return c;
    }

    /** What Motley prints, with the capture's normalisation (ids and the node's name). */
    private static List<String> asCaptured(Result r) {
        List<String> out = new ArrayList<>();
        for (String l : r.out().split("\n", -1)) if (!l.isEmpty()) out.add("| " + norm(l));
        for (String l : r.err().split("\n", -1)) if (!l.isEmpty()) out.add("! " + norm(l));
        out.add("exit " + r.code());
        return out;
    }

    private static String norm(String s) {
        return s.replace(Long.toString(DONE), "{done}")
                .replaceAll("\\b70\\d\\d\\b", "{id}")
                .replaceAll("\\bvm\\b", "{node}");
    }

    private static Result sstat(boolean denied, String args) throws Exception {
        String a = args.replace("$SST", Long.toString(SST))
                .replace("$NOSTEP", Long.toString(NOSTEP))
                .replace("$done", Long.toString(DONE));
        return Fixtures.run(new Sstat(), cluster(denied), 2000, a.isEmpty() ? new String[0] : a.split(" "));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sstat.allsteps.stable=--allsteps -j $SST --format=JobID,NTasks,Nodelist",
                "sstat.j.0=-j $SST.0 --format=JobID,NTasks,Nodelist",
                "sstat.j.batch=-j $SST.batch --format=JobID,NTasks,Nodelist",
                "sstat.j.5=-j $SST.5",
                "sstat.j.list=-j $SST.0,$SST.batch -o JobID,NTasks",
                "sstat.p=-p -j $SST --format=JobID,NTasks,Nodelist",
                "sstat.P=-P -j $SST --format=JobID,NTasks,Nodelist",
                "sstat.n=-n -j $SST --format=JobID,NTasks,Nodelist",
                "sstat.o.width=-j $SST -o JobID%20,NTasks%3,Nodelist%-8",
                "sstat.o.lower=-j $SST -o jobid,ntasks,maxrssnode,maxrsstask",
                "sstat.o.bogus=-j $SST -o JobID,nosuchfield",
                "sstat.i=-i -j $SST",
                "sstat.nostep=-j $NOSTEP",
                "sstat.nostep.a=-a -j $NOSTEP -o JobID,NTasks,Nodelist",
                "sstat.done=-j $done",
                "sstat.unknown=-j 999999",
                "sstat.abc=-j abc",
                "sstat.noargs=",
                "sstat.e=-e",
                "sstat.usage=--usage",
                "sstat.bogus=--bogus",
            })
    void answersAsSlurmDid(String spec) throws Exception {
        int eq = spec.indexOf('=');
        String id = spec.substring(0, eq);
        assertThat(asCaptured(sstat(false, spec.substring(eq + 1))))
                .as(id)
                .isEqualTo(capture().get(id));
    }

    @Test
    void anotherUsersStepIsRefusedAsSlurmsNodeRefusesIt() throws Exception {
        assertThat(asCaptured(sstat(true, "-j $SST -o JobID,NTasks")))
                .isEqualTo(capture().get("sstat.other_user"));
    }

    @Test
    void theDefaultColumnsAndTheirWidthsAreSlurms() throws Exception {
        List<String> slurm = capture().get("sstat.j");
        List<String> ours = asCaptured(sstat(false, "-j $SST"));
        // header and rule exactly; the line has as many columns, the JobID column cut as Slurm's
        assertThat(ours.subList(0, 2)).isEqualTo(slurm.subList(0, 2));
        assertThat(ours.get(2).replace("{node}", "vm").length())
                .isEqualTo(slurm.get(2).replace("{node}", "vm").length());
        assertThat(asCaptured(sstat(false, "-a -j $SST")).stream()
                        .map(l -> l.length() > 15 ? l.substring(0, 15) : l)
                        .toList())
                .isEqualTo(capture().get("sstat.a").stream()
                        .map(l -> l.length() > 15 ? l.substring(0, 15) : l)
                        .toList());
    }

    @Test
    void figuresAreSummedOverNodesWithTheirMaximaAveragesAndUnits() {
        List<TaskUsage> tasks = List.of(
                new TaskUsage(0, 0, "n1", List.of(10L), 1024, 2048, 4096, 8192, 3, 61_000, 100, 0),
                new TaskUsage(0, 1, "n2", List.of(20L), 512, 1536, 4096, 4096, 5, 1_000, 5000, 2),
                new TaskUsage(0, 2, "n2", List.of(21L, 22L), 0, 1000, 0, 4096, 0, 3_700_000, 0, 0));
        Map<String, String> v = Sstat.values(12, 0, tasks, true);
        assertThat(v).containsEntry("JobID", "12.0").containsEntry("NTasks", "3");
        assertThat(v).containsEntry("Nodelist", "n[1-2]").containsEntry("Pids", "10,20,21,22");
        // 2048 KiB is 2M; 1536 KiB of task 1 is less
        assertThat(v)
                .containsEntry("MaxRSS", "2M")
                .containsEntry("MaxRSSNode", "n1")
                .containsEntry("MaxRSSTask", "0");
        // (1024 + 512 + 0) KiB / 3 = 512 KiB
        assertThat(v).containsEntry("AveRSS", "512K");
        assertThat(v)
                .containsEntry("MaxVMSize", "8M")
                .containsEntry("MaxPages", "5")
                .containsEntry("MaxPagesTask", "1");
        assertThat(v)
                .containsEntry("MinCPU", "00:00:01")
                .containsEntry("MinCPUNode", "n2")
                .containsEntry("MinCPUTask", "1");
        // (61 + 1 + 3700) s / 3 = 1254 s
        assertThat(v).containsEntry("AveCPU", "00:20:54");
        // bytes as Slurm's exact conversion leaves them; under one byte on average, Slurm's %.2fM
        assertThat(v).containsEntry("MaxDiskRead", "5000").containsEntry("MaxDiskReadNode", "n2");
        assertThat(v).containsEntry("AveDiskWrite", "0.67M").containsEntry("MaxDiskWrite", "2");
        assertThat(v).containsEntry("AveCPUFreq", "0").containsEntry("ReqCPUFreqMin", "Unknown");
        assertThat(Sstat.values(12, 0, tasks, false)).containsEntry("MaxRSS", "2097152");
        // the TRES strings: the same figures by TRES name, sorted by it as Slurm prints them
        assertThat(v)
                .containsEntry(
                        "TRESUsageInAve", "cpu=00:20:54,energy=0,fs/disk=1700,mem=512K,pages=2.67,vmem=2796202.67")
                .containsEntry("TRESUsageInMax", "cpu=01:01:40,energy=0,fs/disk=5000,mem=2M,pages=5,vmem=8M")
                .containsEntry("TRESUsageInMaxNode", "cpu=n2,energy=n1,fs/disk=n2,mem=n1,pages=n2,vmem=n1")
                .containsEntry("TRESUsageInMaxTask", "cpu=2,energy=0,fs/disk=1,mem=0,pages=1,vmem=0")
                .containsEntry("TRESUsageInMinTask", "cpu=1,energy=0,fs/disk=2,mem=2,pages=2,vmem=1")
                .containsEntry("TRESUsageOutAve", "energy=0,fs/disk=0")
                .containsEntry("TRESUsageOutTot", "energy=0,fs/disk=2")
                .containsEntry("TRESUsageOutMaxNode", "energy=n1,fs/disk=n2");
        assertThat(Sstat.cpu(90061)).isEqualTo("1-01:01:01");
        assertThat(Sstat.bytes(1536, true)).isEqualTo("1.50K");
    }

    @Test
    void cpuFrequencyIsTheTasksAverageWeighedByCpuTimeInSlurmsUnits() {
        List<TaskUsage> tasks = List.of(
                new TaskUsage(0, 0, "n1", List.of(10L), 0, 0, 0, 0, 0, 3_000, 0, 0, 0, 2000),
                new TaskUsage(0, 1, "n2", List.of(20L), 0, 0, 0, 0, 0, 1_000, 0, 0, 0, 3000),
                // unknown there (an agent without /proc): left out
                new TaskUsage(0, 2, "n3", List.of(30L), 0, 0, 0, 0, 0, 9_000, 0, 0, 0, 0));
        // (2000 x 3 + 3000 x 1) / 4 = 2250, read as kHz as Slurm reads /proc/cpuinfo's MHz: 2.25M
        assertThat(Sstat.values(12, 0, tasks, true)).containsEntry("AveCPUFreq", "2.25M");
        assertThat(Sstat.values(12, 0, tasks, false)).containsEntry("AveCPUFreq", "2250K");
        // cpufreq's kHz: 2.10G; no CPU time yet: the frequency read
        assertThat(Sstat.frequency(2_096_013, true)).isEqualTo("2.10G");
        assertThat(Sstat.values(
                        12, 0, List.of(new TaskUsage(0, 0, "n1", List.of(10L), 0, 0, 0, 0, 0, 0, 0, 0, 0, 2096)), true))
                .containsEntry("AveCPUFreq", "2.10M");
    }

    @Test
    void aNodeThatDidNotAnswerIsNamedAndTheOthersFiguresShown() throws Exception {
        FakeCluster c = new FakeCluster();
        Step two = Step.started(SST, 0, new StepRequest(2, 2, 0, 1, 0, false, "x"), List.of("n1", "n2"), 1000);
        c.answers.put(
                StepMessages.STAT,
                req -> Messages.encode(new StepMessages.StepStats(
                        List.of(two),
                        List.of(new TaskUsage(0, 0, "n1", List.of(5L), 1024, 1024, 0, 0, 0, 0, 0, 0)),
                        List.of("n2"),
                        "n1",
                        false)));
        Result r =
                Fixtures.run(new Sstat(), c, 2000, "-n", "-P", "-j", Long.toString(SST), "-o", "JobID,NTasks,MaxRSS");
        assertThat(r.out()).isEqualTo("7050.0|1|1M\n");
        assertThat(r.err())
                .isEqualTo("sstat: error: slurm_job_step_stat: there was an error with the request to n2 rc = Socket"
                        + " timed out on send/recv operation\n");
    }
}
