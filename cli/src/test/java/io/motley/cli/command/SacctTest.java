package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.accounting.JobRun;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.util.List;
import org.junit.jupiter.api.Test;

/** sacct against the jobs of the reference capture's accounting run (4379-4383). */
class SacctTest {
    private static final long NOW = at("2026-11-22T13:00:00");

    // ---- the capture's output, verbatim (trailing spaces included) ----

    private static final List<String> DEFAULT = List.of(
            "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode ",
            "------------ ---------- ---------- ---------- ---------- ---------- -------- ",
            "4379             tlimit      debug       root          1    TIMEOUT      0:0 ",
            "4379.batch        batch                  root          1  CANCELLED     0:15 ",
            "4380              okjob      debug       root          1  COMPLETED      0:0 ",
            "4380.batch        batch                  root          1  COMPLETED      0:0 ",
            "4381            failjob      debug       root          1     FAILED      3:0 ",
            "4381.batch        batch                  root          1     FAILED      3:0 ",
            "4382          runcancel      debug       root          1 CANCELLED+      0:0 ",
            "4382.batch        batch                  root          1  CANCELLED     0:15 ",
            "4383         pendcancel      debug       root          1 CANCELLED+      0:0 ");

    private static final List<String> P2 = List.of(
            "JobID|JobName|State|ExitCode|Elapsed|NodeList",
            "4379|tlimit|TIMEOUT|0:0|00:01:16|vm",
            "4379.batch|batch|CANCELLED|0:15|00:01:16|vm",
            "4380|okjob|COMPLETED|0:0|00:00:00|vm",
            "4380.batch|batch|COMPLETED|0:0|00:00:00|vm",
            "4381|failjob|FAILED|3:0|00:00:00|vm",
            "4381.batch|batch|FAILED|3:0|00:00:00|vm",
            "4382|runcancel|CANCELLED by 0|0:0|00:00:02|vm",
            "4382.batch|batch|CANCELLED|0:15|00:00:02|vm",
            "4383|pendcancel|CANCELLED by 0|0:0|00:00:00|None assigned");

    private static final List<String> X = List.of(
            "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode ",
            "------------ ---------- ---------- ---------- ---------- ---------- -------- ",
            "4379             tlimit      debug       root          1    TIMEOUT      0:0 ",
            "4380              okjob      debug       root          1  COMPLETED      0:0 ",
            "4381            failjob      debug       root          1     FAILED      3:0 ",
            "4382          runcancel      debug       root          1 CANCELLED+      0:0 ",
            "4383         pendcancel      debug       root          1 CANCELLED+      0:0 ");

    private static final List<String> LONG = List.of(
            "JobID|JobIDRaw|JobName|Partition|MaxVMSize|MaxVMSizeNode|MaxVMSizeTask|AveVMSize|MaxRSS|MaxRSSNode|MaxRSSTask|AveRSS|MaxPages|MaxPagesNode|MaxPagesTask|AvePages|MinCPU|MinCPUNode|MinCPUTask|AveCPU|NTasks|AllocCPUS|Elapsed|State|ExitCode|AveCPUFreq|ReqCPUFreqMin|ReqCPUFreqMax|ReqCPUFreqGov|ReqMem|ConsumedEnergy|MaxDiskRead|MaxDiskReadNode|MaxDiskReadTask|AveDiskRead|MaxDiskWrite|MaxDiskWriteNode|MaxDiskWriteTask|AveDiskWrite|ReqTRES|AllocTRES|TRESUsageInAve|TRESUsageInMax|TRESUsageInMaxNode|TRESUsageInMaxTask|TRESUsageInMin|TRESUsageInMinNode|TRESUsageInMinTask|TRESUsageInTot|TRESUsageOutMax|TRESUsageOutMaxNode|TRESUsageOutMaxTask|TRESUsageOutAve|TRESUsageOutTot",
            "4379|4379|tlimit|debug||||||||||||||||||1|00:01:16|TIMEOUT|0:0||Unknown|Unknown|Unknown|1000M||||||||||billing=1,cpu=1,mem=1000M,node=1|billing=1,cpu=1,mem=1000M,node=1|||||||||||||",
            "4379.batch|4379.batch|batch||||||||||||||||||1|1|00:01:16|CANCELLED|0:15|0|0|0|0||0||||||||||cpu=1,mem=1000M,node=1|||||||||||||");

    private static final List<String> FORMAT = List.of(
            "JobID                JobName  Partition    Account  AllocCPUS      State ExitCode               Start                 End    Elapsed     ReqMem     MaxRSS ",
            "------------ --------------- ---------- ---------- ---------- ---------- -------- ------------------- ------------------- ---------- ---------- ---------- ",
            "4379                  tlimit      debug       root          1    TIMEOUT      0:0 2026-11-22T12:57:35 2026-11-22T12:58:51   00:01:16      1000M            ",
            "4379.batch             batch                  root          1  CANCELLED     0:15 2026-11-22T12:57:35 2026-11-22T12:58:51   00:01:16                       ",
            "4380                   okjob      debug       root          1  COMPLETED      0:0 2026-11-22T12:57:35 2026-11-22T12:57:35   00:00:00      1000M            ",
            "4380.batch             batch                  root          1  COMPLETED      0:0 2026-11-22T12:57:35 2026-11-22T12:57:35   00:00:00                       ",
            "4381                 failjob      debug       root          1     FAILED      3:0 2026-11-22T12:57:35 2026-11-22T12:57:35   00:00:00      1000M            ",
            "4381.batch             batch                  root          1     FAILED      3:0 2026-11-22T12:57:35 2026-11-22T12:57:35   00:00:00                       ",
            "4382               runcancel      debug       root          1 CANCELLED+      0:0 2026-11-22T12:57:36 2026-11-22T12:57:38   00:00:02      1000M            ",
            "4382.batch             batch                  root          1  CANCELLED     0:15 2026-11-22T12:57:36 2026-11-22T12:57:38   00:00:02                       ",
            "4383              pendcancel      debug       root          1 CANCELLED+      0:0                None 2026-11-22T12:57:38   00:00:00      1000M            ");

    private static final List<String> REASON = List.of(
            "JobID|State|ExitCode|Reason",
            "4379|TIMEOUT|0:0|None",
            "4380|COMPLETED|0:0|None",
            "4381|FAILED|3:0|None",
            "4382|CANCELLED by 0|0:0|None",
            "4383|CANCELLED by 0|0:0|None");

    private static final List<String> EMPTY = List.of(
            "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode ",
            "------------ ---------- ---------- ---------- ---------- ---------- -------- ");

    private static Job ran(long id, String name, String from, String to, JobState s, ExitStatus exit) {
        return Fixtures.job(id, name)
                .account("root")
                .submitted(at(from))
                .limit(id == 4379 ? 60 : -1)
                .running("vm", at(from), 1000)
                .ended(s, exit, at(to))
                .build();
    }

    private static FakeCluster capture() {
        Job tlimit = ran(
                4379, "tlimit", "2026-11-22T12:57:35", "2026-11-22T12:58:51", JobState.TIMEOUT, new ExitStatus(0, 15));
        Job ok = ran(4380, "okjob", "2026-11-22T12:57:35", "2026-11-22T12:57:35", JobState.COMPLETED, ExitStatus.NONE);
        Job fail = ran(
                4381, "failjob", "2026-11-22T12:57:35", "2026-11-22T12:57:35", JobState.FAILED, new ExitStatus(3, 0));
        Job runcancel = Fixtures.job(4382, "runcancel")
                .account("root")
                .submitted(at("2026-11-22T12:57:36"))
                .running("vm", at("2026-11-22T12:57:36"), 1000)
                .ended(JobState.CANCELLED, new ExitStatus(0, 15), at("2026-11-22T12:57:38"))
                .cancelledBy(0)
                .build();
        Job pendcancel = Fixtures.job(4383, "pendcancel")
                .account("root")
                .submitted(at("2026-11-22T12:57:36"))
                .memPerCpu(1000)
                .pending(PendingReason.Resources)
                .ended(JobState.CANCELLED, ExitStatus.NONE, at("2026-11-22T12:57:38"))
                .cancelledBy(0)
                .build();
        return new FakeCluster().jobs(tlimit, ok, fail, runcancel, pendcancel);
    }

    private static String text(List<String> ls) {
        return String.join("\n", ls) + "\n";
    }

    /** sacct's State and Suspended for a suspended job and a resumed one; Elapsed leaves the suspension out. */
    @Test
    void suspendedTimeIsShownAndLeftOutOfElapsed() throws Exception {
        io.motley.core.job.Job started = Fixtures.job(1380, "counter")
                .submitted(NOW - 200)
                .running("vm", NOW - 100, 1000)
                .build();
        FakeCluster c = new FakeCluster()
                .jobs(
                        started.suspended(NOW - 40),
                        Fixtures.job(1381, "again")
                                .submitted(NOW - 200)
                                .running("vm", NOW - 100, 1000)
                                .build()
                                .suspended(NOW - 90)
                                .resumed(NOW - 30));
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-n", "-P", "-o", "JobID,State,Elapsed,Suspended")
                        .out())
                .isEqualTo(text(List.of("1380|SUSPENDED|00:01:00|00:00:40", "1381|RUNNING|00:00:40|00:01:00")));
    }

    @Test
    void theBatchStepIsOneTaskAndOnlyAJobThatNeverStartedCountsZeroEnergy() throws Exception {
        // Slurm 22.05 with slurmdbd (the compatibility capture): `-n 2` gives the batch step NTasks 1;
        // ConsumedEnergy reads 0 for a job with no allocation yet, blank for one that started
        Job two = Fixtures.job(4390, "two")
                .cpus(2, 1)
                .submitted(at("2026-11-22T12:57:40"))
                .running("vm", at("2026-11-22T12:57:40"), 1000)
                .ended(JobState.COMPLETED, ExitStatus.NONE, at("2026-11-22T12:57:41"))
                .build();
        Job waiting = Fixtures.job(4391, "waiting")
                .submitted(at("2026-11-22T12:57:42"))
                .build();
        FakeCluster c = new FakeCluster().jobs(two, waiting);
        assertThat(Fixtures.run(
                                new Sacct(),
                                c,
                                NOW,
                                "--parsable2",
                                "-o",
                                "JobID,NTasks,AllocCPUS,ConsumedEnergy,ConsumedEnergyRaw")
                        .out())
                .isEqualTo(text(List.of(
                        "JobID|NTasks|AllocCPUS|ConsumedEnergy|ConsumedEnergyRaw",
                        "4390||2||",
                        "4390.batch|1|2|0|0",
                        "4391||1|0|0")));
    }

    @Test
    void defaultLayoutMatchesTheCapture() throws Exception {
        Result r = Fixtures.run(new Sacct(), capture(), NOW);
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(text(DEFAULT));
    }

    @Test
    void parsable2AllocationsLongAndFormatWidthsMatchTheCapture() throws Exception {
        assertThat(Fixtures.run(
                                new Sacct(),
                                capture(),
                                NOW,
                                "--parsable2",
                                "-o",
                                "JobID,JobName,State,ExitCode,Elapsed,NodeList")
                        .out())
                .isEqualTo(text(P2));
        assertThat(Fixtures.run(new Sacct(), capture(), NOW, "-X").out()).isEqualTo(text(X));
        assertThat(Fixtures.run(new Sacct(), capture(), NOW, "-j", "4379", "-l", "--parsable2")
                        .out())
                .isEqualTo(text(LONG));
        assertThat(Fixtures.run(
                                new Sacct(),
                                capture(),
                                NOW,
                                "--format=JobID,JobName%15,Partition,Account,AllocCPUS,State,ExitCode,Start,End,Elapsed,ReqMem,MaxRSS")
                        .out())
                .isEqualTo(text(FORMAT));
        assertThat(Fixtures.run(
                                new Sacct(),
                                capture(),
                                NOW,
                                "-S",
                                "now-1hour",
                                "-X",
                                "--parsable2",
                                "-o",
                                "JobID,State,ExitCode,Reason")
                        .out())
                .isEqualTo(text(REASON));
    }

    @Test
    void aJobSallocOrSrunMadeToHoldAnAllocationHasNoBatchStep() throws Exception {
        Job made = ran(
                4386, "hostname", "2026-11-22T12:57:40", "2026-11-22T12:57:41", JobState.COMPLETED, ExitStatus.NONE);
        made = made.withRequest(made.request().toBuilder()
                .options(java.util.Map.of(io.motley.core.job.JobRequest.ALLOCATION, "srun"))
                .build());
        FakeCluster cluster = new FakeCluster().jobs(made);
        long t = at("2026-11-22T12:57:40");
        cluster.canned.put(
                io.motley.protocol.StepMessages.LIST,
                io.motley.protocol.Messages.encode(
                        new io.motley.protocol.StepMessages.Steps(List.of(io.motley.core.step.Step.started(
                                        4386,
                                        0,
                                        new io.motley.core.step.StepRequest(1, 0, 0, 1, 0, false, "hostname"),
                                        List.of("vm"),
                                        t)
                                .ended(io.motley.core.step.StepState.COMPLETED, 0, 0, t + 1)))));
        assertThat(Fixtures.run(new Sacct(), cluster, NOW, "--parsable2", "-o", "JobID,JobName,State")
                        .out())
                .isEqualTo(
                        text(List.of("JobID|JobName|State", "4386|hostname|COMPLETED", "4386.0|hostname|COMPLETED")));
        String json = Fixtures.run(new Sacct(), cluster, NOW, "--json").out();
        assertThat(json).contains("\"id\": \"4386.0\"").doesNotContain("4386.batch");
    }

    @Test
    void srunStepsFollowTheBatchStepWithTheirOwnStateAndExitAndXHidesThem() throws Exception {
        Job withsrun = ran(
                4385, "withsrun", "2026-11-22T12:57:40", "2026-11-22T12:57:40", JobState.COMPLETED, ExitStatus.NONE);
        FakeCluster cluster = new FakeCluster().jobs(withsrun);
        long t = at("2026-11-22T12:57:40");
        io.motley.core.step.StepRequest one = new io.motley.core.step.StepRequest(1, 0, 0, 1, 0, false, "hostname");
        cluster.canned.put(
                io.motley.protocol.StepMessages.LIST,
                io.motley.protocol.Messages.encode(new io.motley.protocol.StepMessages.Steps(List.of(
                        io.motley.core.step.Step.started(4385, 0, one, List.of("vm"), t)
                                .ended(io.motley.core.step.StepState.COMPLETED, 0, 0, t),
                        io.motley.core.step.Step.started(4385, 1, one, List.of("vm"), t)
                                .ended(io.motley.core.step.StepState.FAILED, 2, 0, t + 3)))));
        assertThat(Fixtures.run(
                                new Sacct(),
                                cluster,
                                NOW,
                                "--parsable2",
                                "-o",
                                "JobID,JobName,State,ExitCode,Elapsed,NodeList")
                        .out())
                .isEqualTo(text(List.of(
                        "JobID|JobName|State|ExitCode|Elapsed|NodeList",
                        "4385|withsrun|COMPLETED|0:0|00:00:00|vm",
                        "4385.batch|batch|COMPLETED|0:0|00:00:00|vm",
                        "4385.0|hostname|COMPLETED|0:0|00:00:00|vm",
                        "4385.1|hostname|FAILED|2:0|00:00:03|vm")));
        assertThat(Fixtures.run(new Sacct(), cluster, NOW, "--parsable2", "-o", "JobID", "-j", "4385.1")
                        .out())
                .isEqualTo(text(List.of("JobID", "4385.1")));
        assertThat(Fixtures.run(new Sacct(), cluster, NOW, "--parsable2", "-o", "JobID", "-X")
                        .out())
                .isEqualTo(text(List.of("JobID", "4385")));
        // the job's DerivedExitCode is its srun steps' highest, -X or not, as slurmctld's derived_ec
        assertThat(Fixtures.run(new Sacct(), cluster, NOW, "--parsable2", "-o", "JobID,ExitCode,DerivedExitCode", "-X")
                        .out())
                .isEqualTo(text(List.of("JobID|ExitCode|DerivedExitCode", "4385|0:0|2:0")));
        // --json lists them too, after the batch step, with their own state, exit code and tasks
        String json = Fixtures.run(new Sacct(), cluster, NOW, "--json").out();
        assertThat(json.split("\"id\": \"4385\\.", -1)).as(json).hasSize(4);
        assertThat(json.indexOf("\"id\": \"4385.batch\"")).isPositive().isLessThan(json.indexOf("\"id\": \"4385.0\""));
        String derived = json.substring(json.indexOf("\"derived_exit_code\""), json.indexOf("\"time\": {"));
        assertThat(derived).contains("\"ERROR\"").contains("\"number\": 2");
        String second = json.substring(json.indexOf("\"id\": \"4385.0\""));
        assertThat(second).contains("\"id\": \"4385.1\"", "\"name\": \"hostname\"");
        String last = json.substring(json.lastIndexOf("\"time\": {"));
        assertThat(last)
                .contains("\"elapsed\": 3")
                .contains("\"FAILED\"")
                .contains("\"return_code\": {\n")
                .contains("\"number\": 2");
    }

    @Test
    void anSrunStepShowsWhatItsTasksUsedOnEveryNodeAndOneWithoutUsageShowsNothing() throws Exception {
        Job withsrun = ran(
                4385, "withsrun", "2026-11-22T12:57:40", "2026-11-22T12:57:50", JobState.COMPLETED, ExitStatus.NONE);
        FakeCluster cluster = new FakeCluster().jobs(withsrun);
        long t = at("2026-11-22T12:57:40");
        io.motley.core.step.StepRequest two = new io.motley.core.step.StepRequest(2, 2, 0, 1, 0, false, "burn");
        // task 0 on vm1 and task 1 on vm2: peak RSS, peak VM (KiB), major faults, CPU ms (of it in the kernel),
        // bytes read and written
        io.motley.core.step.StepUsage usage = io.motley.core.step.StepUsage.of(
                        0,
                        List.of(
                                new io.motley.core.step.TaskUsage(
                                        0, 0, "vm1", List.of(), 0, 20_000, 0, 300_000, 2, 61_500, 3 << 20, 0, 1_500, 0),
                                new io.motley.core.step.TaskUsage(
                                        0, 1, "vm2", List.of(), 0, 63_000, 0, 200_000, 0, 1_250, 1 << 20, 512, 250, 0)))
                .orElseThrow();
        cluster.canned.put(
                io.motley.protocol.StepMessages.LIST,
                io.motley.protocol.Messages.encode(new io.motley.protocol.StepMessages.Steps(List.of(
                        io.motley.core.step.Step.started(4385, 0, two, List.of("vm1", "vm2"), t)
                                .ended(io.motley.core.step.StepState.COMPLETED, 0, 0, t + 9)
                                .withUsage(usage),
                        io.motley.core.step.Step.started(4385, 1, two, List.of("vm1", "vm2"), t)
                                .ended(io.motley.core.step.StepState.FAILED, 2, 0, t + 9)))));
        String fields = "JobID,NTasks,MaxRSS,MaxRSSNode,MaxRSSTask,AveRSS,MaxVMSize,MaxVMSizeNode,MaxVMSizeTask,"
                + "AveVMSize,MaxPages,MinCPU,MinCPUNode,MinCPUTask,AveCPU,TotalCPU,UserCPU,SystemCPU,MaxDiskRead,"
                + "MaxDiskReadNode,AveDiskWrite,TRESUsageInMax";
        assertThat(Fixtures.run(new Sacct(), cluster, NOW, "-n", "--parsable2", "-o", fields)
                        .out())
                .isEqualTo(text(List.of(
                        "4385|||||||||||||||||||||",
                        "4385.batch|1||||||||||||||||||||",
                        // the most and where, the average over the two tasks, CPU times summed as the batch step's
                        "4385.0|2|63000K|vm2|1|41500K|300000K|vm1|0|250000K|2|00:00:01|vm2|1|00:00:31|01:02.750"
                                + "|01:01.000|00:01.750|3M|vm1|256|",
                        // a step none of whose tasks was measured: empty, not 0
                        "4385.1|2||||||||||||||||||||")));
        // the averages by TRES name, as sstat's strings
        assertThat(Fixtures.run(
                                new Sacct(),
                                cluster,
                                NOW,
                                "-n",
                                "--parsable2",
                                "-j",
                                "4385.0",
                                "-o",
                                "JobID,TRESUsageInAve,TRESUsageOutAve")
                        .out())
                .isEqualTo(
                        "4385.0|cpu=00:00:31,energy=0,fs/disk=2M,mem=41500K,pages=1,vmem=250000K|energy=0,fs/disk=256\n");
        // fixed width: the batch step's formats, numbers not cut
        assertThat(Fixtures.run(
                                new Sacct(),
                                cluster,
                                NOW,
                                "-n",
                                "-j",
                                "4385.0",
                                "-o",
                                "JobID,MaxRSS,MaxRSSNode,TotalCPU")
                        .out())
                .isEqualTo(lines("4385.0           63000K        vm2  01:02.750 "));
    }

    /** A task of array 100, submitted with it at {@code submit}, that ran from {@code from}. */
    private static Job task(long id, int task, String submit, String from) {
        return Fixtures.job(id, "arr")
                .account("root")
                .submitted(at(submit))
                .running("vm", at(from), 1000)
                .ended(JobState.COMPLETED, ExitStatus.NONE, at(from))
                .build()
                .withArray(new io.motley.core.job.ArrayPart(100, task, null));
    }

    @Test
    void arrayTasksAreListedInTaskOrderWhateverOrderTheyRanIn() throws Exception {
        Job t3 = task(101, 3, "2026-11-22T12:57:34", "2026-11-22T12:57:35");
        Job other =
                ran(104, "other", "2026-11-22T12:57:35", "2026-11-22T12:57:36", JobState.COMPLETED, ExitStatus.NONE);
        Job t1 = task(102, 1, "2026-11-22T12:57:34", "2026-11-22T12:57:36");
        Job t2 = task(103, 2, "2026-11-22T12:57:34", "2026-11-22T12:57:37");
        FakeCluster c = new FakeCluster().jobs(t3, other, t1, t2);
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-n", "--parsable2", "-o", "JobID")
                        .out())
                .isEqualTo(text(List.of("100_1", "100_2", "100_3", "104")));
    }

    /**
     * sacct sorts by submit second, then array job id (0 for a plain job), then task, then job id:
     * an array submitted in the same second as plain jobs after it is listed after them, as the
     * capture from Slurm 22.05 shows (m5 before arr, arrt and m4 there); one from an earlier second
     * is not.
     */
    @Test
    void withinOneSubmitSecondPlainJobsComeBeforeArraysAndTheirPendingRemainderLast() throws Exception {
        long second = at("2026-11-22T12:57:40");
        Job early = Fixtures.job(90, "early")
                .account("root")
                .submitted(at("2026-11-22T12:57:39"))
                .build();
        Job arr = Fixtures.job(100, "arr")
                .account("root")
                .submitted(second)
                .build()
                .withArray(new io.motley.core.job.ArrayPart(100, -1, "1-10"));
        Job ranTask = task(111, 4, "2026-11-22T12:57:40", "2026-11-22T12:57:41");
        Job m1 = Fixtures.job(112, "m1").account("root").submitted(second).build();
        Job m5 = Fixtures.job(113, "m5").account("root").submitted(second).build();
        FakeCluster c = new FakeCluster().jobs(arr, ranTask, early, m1, m5);
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-n", "--parsable2", "-o", "JobID")
                        .out())
                .isEqualTo(text(List.of("90", "112", "113", "100_4", "100_[1-10]")));
    }

    @Test
    void aBatchStepWithoutMeasuredMemoryLeavesMaxRssBlank() throws Exception {
        Job measured = ran(4390, "m", "2026-11-22T12:57:35", "2026-11-22T12:57:36", JobState.COMPLETED, ExitStatus.NONE)
                .toBuilder()
                .usage(new io.motley.core.job.Usage(0, 0, 120, 30))
                .build();
        Job withRss = ran(4391, "r", "2026-11-22T12:57:35", "2026-11-22T12:57:36", JobState.COMPLETED, ExitStatus.NONE)
                .toBuilder()
                .usage(new io.motley.core.job.Usage(2048, 4096, 120, 30))
                .build();
        FakeCluster c = new FakeCluster().jobs(measured, withRss);
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-n", "--parsable2", "-o", "JobID,MaxRSS,MaxVMSize,TotalCPU")
                        .out())
                .isEqualTo(text(List.of(
                        "4390|||00:00.150",
                        "4390.batch|||00:00.150",
                        "4391|||00:00.150",
                        "4391.batch|2048K|4096K|00:00.150")));
    }

    @Test
    void batchScriptAndEnvironmentArePrintedUnderSlurmsHeadingsForJobsNamedWithJ() throws Exception {
        FakeCluster c = capture();
        c.canned.put(
                Ops.JOB_TEXTS,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.Texts(List.of(
                        new io.motley.protocol.Message.Texts.Text("4385", "#!/bin/sh\necho hi\n"),
                        new io.motley.protocol.Message.Texts.Text("4386_2", null)))));
        String dashes = "-".repeat(80);
        Result r = Fixtures.run(new Sacct(), c, NOW, "-B", "-j", "4385,4386");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "Batch Script for 4385",
                        dashes,
                        "#!/bin/sh",
                        "echo hi",
                        "",
                        "Batch Script for 4386_2",
                        dashes,
                        "NONE",
                        ""));
        Frame req = c.last(Ops.JOB_TEXTS);
        assertThat(req.str("ids")).isEqualTo("4385,4386");
        assertThat(req.bool("environment")).isFalse();
        Result env = Fixtures.run(new Sacct(), c, NOW, "--env-vars", "-j", "4385");
        assertThat(env.out()).startsWith("Environment used for 4385 (must be batch to display)\n" + dashes + "\n");
        assertThat(c.last(Ops.JOB_TEXTS).bool("environment")).isTrue();

        // as Slurm's: -j is needed, and the two are not asked together
        Result noJobs = Fixtures.run(new Sacct(), c, NOW, "-B");
        assertThat(noJobs.code()).isEqualTo(1);
        assertThat(noJobs.err())
                .isEqualTo(lines("sacct: fatal: When requesting job scripts you must also request specific jobs"
                        + " with the '-j' option."));
        assertThat(Fixtures.run(new Sacct(), c, NOW, "--env-vars").err()).contains("requesting job environment");
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-B", "--env-vars", "-j", "1")
                        .err())
                .isEqualTo(lines("sacct: fatal: Options --batch-script and --env-vars are mutually exclusive"));
    }

    @Test
    void clustersNamingThisOneAnswersAndAnotherIsRefused() throws Exception {
        assertThat(Fixtures.run(new Sacct(), capture(), NOW, "-M", "anchor", "-X")
                        .out())
                .isEqualTo(text(X));
        Result far = Fixtures.run(new Sacct(), capture(), NOW, "-M", "far");
        assertThat(far.code()).isEqualTo(1);
        assertThat(far.err()).startsWith("sacct: error: 'far' can't be reached now");
    }

    @Test
    void unknownJobPrintsTheHeaderOnly() throws Exception {
        FakeCluster c = capture();
        Result r = Fixtures.run(new Sacct(), c, NOW, "-j", "999999");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(text(EMPTY));
        Frame req = c.last(Ops.ACCOUNTING);
        assertThat(req.str("ids")).isEqualTo("999999");
        assertThat(req.lng("start", -1)).isZero();
    }

    @Test
    void longValuesAreCutWithAPlusAndParsableKeepsThemWhole() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(Fixtures.job(4386, "interactive")
                        .account("root")
                        .submitted(at("2026-11-22T12:57:41"))
                        .running("vm", at("2026-11-22T12:57:41"), 1000)
                        .ended(JobState.COMPLETED, ExitStatus.NONE, at("2026-11-22T12:57:41"))
                        .build());
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-n").out())
                .isEqualTo(lines("4386         interacti+      debug       root          1  COMPLETED      0:0 "));
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-p", "-n", "-o", "jobname,state")
                        .out())
                .isEqualTo(lines("interactive|COMPLETED|", "batch|COMPLETED|"));
        // an explicit width makes even JobID right-justified, as in sacct
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-o", "jobid%6,jobname%4")
                        .out())
                .isEqualTo(lines(" JobID JobN ", "------ ---- ", "  4386 int+ "));
    }

    @Test
    void runningAndPendingJobs() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(10, "run")
                                .account("root")
                                .submitted(at("2026-11-22T12:00:00"))
                                .cpus(2, 1)
                                .running("vm", at("2026-11-22T12:30:00"), 2000)
                                .build(),
                        Fixtures.job(11, "wait")
                                .submitted(at("2026-11-22T12:10:00"))
                                .pending(PendingReason.Priority)
                                .build());
        Result r = Fixtures.run(
                new Sacct(),
                c,
                NOW,
                "-P",
                "-o",
                "jobid,state,alloccpus,start,end,elapsed,cputime,nodelist,reason,alloctres,reqtres");
        // a waiting job's AllocCPUS is what it asked for, as real Slurm 22.05 with slurmdbd shows it (sacct.default)
        assertThat(r.out())
                .isEqualTo(
                        lines(
                                "JobID|State|AllocCPUS|Start|End|Elapsed|CPUTime|NodeList|Reason|AllocTRES|ReqTRES",
                                "10|RUNNING|2|2026-11-22T12:30:00|Unknown|00:30:00|01:00:00|vm|None|billing=2,cpu=2,mem=2000M,node=1|billing=2,cpu=2,mem=2000M,node=1",
                                "10.batch|RUNNING|2|2026-11-22T12:30:00|Unknown|00:30:00|01:00:00|vm||cpu=2,mem=2000M,node=1|",
                                "11|PENDING|1|Unknown|Unknown|00:00:00|00:00:00|None assigned|Priority||billing=1,cpu=1,node=1"));
    }

    @Test
    void userSelectionAndDefaultWindow() throws Exception {
        FakeCluster c = capture();
        c.jobs(Fixtures.job(4390, "alices")
                .user("alice", 1000)
                .submitted(at("2026-11-22T12:58:00"))
                .pending(PendingReason.Priority)
                .build());

        Fixtures.run(new Sacct(), c, NOW, 1000, "alice", "");
        Frame mine = c.last(Ops.ACCOUNTING);
        assertThat(mine.str("uids")).isEqualTo("1000");
        assertThat(mine.has("users")).isFalse();
        assertThat(mine.lng("start", 0)).isEqualTo(at("2026-11-22T00:00:00"));
        assertThat(mine.lng("end", 0)).as("until now, this second included").isEqualTo(NOW + 1);
        assertThat(mine.has("ids")).isFalse();

        Result named =
                Fixtures.run(new Sacct(), c, NOW, 1000, "alice", "", "-X", "-n", "-o", "jobid,user,uid", "-u", "root");
        assertThat(c.last(Ops.ACCOUNTING).str("users")).isEqualTo("root");
        assertThat(c.last(Ops.ACCOUNTING).has("uids")).isFalse();
        assertThat(named.out()).startsWith("4379              root      0 \n").doesNotContain("alice");

        Result byUid = Fixtures.run(new Sacct(), c, NOW, "-X", "-n", "-P", "-o", "jobid,user,group", "--user=1000");
        assertThat(byUid.out()).isEqualTo(lines("4390|alice|1000"));

        Fixtures.run(new Sacct(), c, NOW, 1000, "alice", "", "-a");
        assertThat(c.last(Ops.ACCOUNTING).has("uids")).isFalse();
        assertThat(c.last(Ops.ACCOUNTING).has("users")).isFalse();
    }

    @Test
    void stateNameAndStepSelection() throws Exception {
        FakeCluster c = capture();
        // as in Slurm, -s without -S asks about this moment: these jobs were cancelled minutes ago
        Result now = Fixtures.run(new Sacct(), c, NOW, "-s", "CA", "-P", "-n", "-o", "jobid,state");
        assertThat(now.out()).isEmpty();
        assertThat(c.last(Ops.ACCOUNTING).lng("start", -1)).isEqualTo(NOW);
        assertThat(c.last(Ops.ACCOUNTING).str("states")).isEqualTo("CANCELLED");
        Result cancelled = Fixtures.run(
                new Sacct(), c, NOW, "-s", "CA", "-S", "12:00", "-E", "now", "-P", "-n", "-o", "jobid,state");
        assertThat(cancelled.out())
                .isEqualTo(lines("4382|CANCELLED by 0", "4382.batch|CANCELLED", "4383|CANCELLED by 0"));

        Result byName = Fixtures.run(new Sacct(), c, NOW, "--name=okjob,failjob", "-X", "-P", "-n", "-o", "jobid");
        assertThat(byName.out()).isEqualTo(lines("4380", "4381"));

        Result step = Fixtures.run(new Sacct(), c, NOW, "-j", "4381.batch", "-P", "-n", "-o", "jobid,exitcode");
        assertThat(step.out()).isEqualTo(lines("4381.batch|3:0"));
    }

    @Test
    void clusterIsAskedForOnlyWhenShown() throws Exception {
        FakeCluster c = capture();
        Fixtures.run(new Sacct(), c, NOW, "-X");
        assertThat(c.last(Ops.PARTITIONS)).isNull();
        Result r = Fixtures.run(
                new Sacct(), c, NOW, "-X", "-P", "-n", "-j", "4380", "-o", "jobid,cluster,timelimit,workdir");
        assertThat(r.out()).isEqualTo(lines("4380|anchor|UNLIMITED|/srv/anchor/fmt"));
    }

    @Test
    void reqMemCountsTheCpusAskedForNotThoseAnExclusiveJobHolds() throws Exception {
        // Slurm 22.05 with slurmdbd, DefMemPerCPU=1000: an --exclusive job of one CPU on a 2-CPU node shows 1000M
        FakeCluster c = new FakeCluster()
                .jobs(Fixtures.job(12, "excl")
                        .submitted(at("2026-11-22T12:00:00"))
                        .running("vm", at("2026-11-22T12:30:00"), 2000)
                        .holding(2)
                        .build());
        Result r = Fixtures.run(new Sacct(), c, NOW, "-X", "-P", "-n", "-o", "jobid,reqmem,alloccpus");
        assertThat(r.out()).isEqualTo(lines("12|1000M|2"));
    }

    @Test
    void errors() throws Exception {
        Result field = Fixtures.run(new Sacct(), capture(), NOW, "-o", "JobID,Bogus");
        assertThat(field.code()).isEqualTo(1);
        assertThat(field.out()).isEmpty();
        assertThat(field.err()).isEqualTo(lines("sacct: error: Invalid field requested: \"Bogus\""));

        Result state = Fixtures.run(new Sacct(), capture(), NOW, "-s", "XX");
        assertThat(state.code()).isEqualTo(1);
        assertThat(state.err()).isEqualTo(lines("sacct: fatal: unrecognized job state value 'XX'"));

        Result job = Fixtures.run(new Sacct(), capture(), NOW, "-j", "abc");
        assertThat(job.code()).isEqualTo(1);
        assertThat(job.err()).isEqualTo(lines("sacct: fatal: Bad job/step specified: abc"));

        Result time = Fixtures.run(new Sacct(), capture(), NOW, "-S", "yesterdayish");
        assertThat(time.code()).isEqualTo(1);
        assertThat(time.err()).startsWith("sacct: error: Invalid time specification");

        // an unknown option is said alone, without a "Try sacct --help" line (Slurm 22.05 with slurmdbd)
        Result option = Fixtures.run(new Sacct(), capture(), NOW, "--bogus");
        assertThat(option.code()).isEqualTo(1);
        assertThat(option.err()).isEqualTo(lines("sacct: unrecognized option '--bogus'"));
    }

    @Test
    void fieldNamesMayBeAbbreviatedAndAnyCase() throws Exception {
        Result r =
                Fixtures.run(new Sacct(), capture(), NOW, "-X", "-P", "-n", "-j", "4381", "-o", "JOBN,exit,elapsedr");
        assertThat(r.out()).isEqualTo(lines("failjob|3:0|0"));
        assertThat(Fixtures.run(new Sacct(), capture(), NOW, "-e").out())
                .startsWith("Account             AdminComment ");
    }

    @Test
    void helpFormatListsSlurm2205sFieldsInItsOrderAndOlderNamesStillRead() throws Exception {
        String listed = Fixtures.run(new Sacct(), capture(), NOW, "-e").out();
        // as Slurm 22.05.8 with slurmdbd printed it (compat suite, sacct.e)
        assertThat(listed.lines().toList())
                .startsWith("Account             AdminComment        AllocCPUS           AllocNodes         ")
                .contains("Constraints         ConsumedEnergy      ConsumedEnergyRaw   Container          ")
                .endsWith("WorkDir            ");
        assertThat(listed).doesNotContain("AllocGRES").doesNotContain("ReqGRES");
        Result r = Fixtures.run(new Sacct(), capture(), NOW, "-X", "-P", "-j", "4381", "-o", "allocgres,dbindex");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("AllocGRES|DBIndex\n");
    }

    // ---- text users typed, and why a job failed ----

    @Test
    void parsableOutputEscapesTheDelimiterAndControlCharactersInsideValues() throws Exception {
        Job odd = ran(
                4390, "a|b\\c\nd", "2026-11-22T12:57:35", "2026-11-22T12:57:35", JobState.COMPLETED, ExitStatus.NONE);
        FakeCluster c = new FakeCluster().jobs(odd);
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-P", "-n", "-o", "JobID,JobName,State")
                        .out())
                .isEqualTo(lines("4390|a\\|b\\\\c\\\\nd|COMPLETED"));
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-p", "-n", "--delimiter=;", "-o", "JobName")
                        .out())
                .isEqualTo(lines("a|b\\\\c\\\\nd;"));
        // the fixed-width table only needs the control characters written out
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-X", "-n", "-o", "JobName%20")
                        .out())
                .isEqualTo(lines("            a|b\\c\\nd "));
    }

    @Test
    void theReasonFieldShowsWhyALaunchFailed() throws Exception {
        Job failed = Fixtures.job(4391, "nospace")
                .account("root")
                .submitted(at("2026-11-22T12:57:35"))
                .running("vm", at("2026-11-22T12:57:35"), 1000)
                .ended(JobState.FAILED, new ExitStatus(1, 0), at("2026-11-22T12:57:35"))
                .desc("Launch failed on vm: No space left on device")
                .build();
        Job ok = ran(4392, "okjob", "2026-11-22T12:57:35", "2026-11-22T12:57:35", JobState.COMPLETED, ExitStatus.NONE);
        Result r = Fixtures.run(
                new Sacct(), new FakeCluster().jobs(failed, ok), NOW, "-X", "-P", "-o", "JobID,State,Reason");
        assertThat(r.out())
                .isEqualTo(lines(
                        "JobID|State|Reason",
                        "4391|FAILED|Launch failed on vm: No space left on device",
                        "4392|COMPLETED|None"));
    }

    /** 4380 of the capture, requeued once: its first run on vm ended by the requeue. */
    private static FakeCluster requeued() {
        FakeCluster c = capture();
        c.runs.put(
                4380L,
                List.of(new JobRun(
                        0,
                        at("2026-11-22T12:50:00"),
                        at("2026-11-22T12:55:00"),
                        JobRun.REQUEUED,
                        ExitStatus.NONE,
                        "vm",
                        1)));
        c.jobs.replaceAll(j -> j.id() == 4380 ? requeuedOnce(j) : j);
        return c;
    }

    private static Job requeuedOnce(Job j) {
        return j.toBuilder().restarts(1).build();
    }

    @Test
    void duplicatesListEarlierRunsAsRequeuedLines() throws Exception {
        FakeCluster c = requeued();
        Result plain = Fixtures.run(new Sacct(), c, NOW, "-j", "4380", "-P", "-n", "-o", "jobid,state,start,end");
        assertThat(plain.out())
                .isEqualTo(lines(
                        "4380|COMPLETED|2026-11-22T12:57:35|2026-11-22T12:57:35",
                        "4380.batch|COMPLETED|2026-11-22T12:57:35|2026-11-22T12:57:35"));
        Result dup = Fixtures.run(
                new Sacct(), c, NOW, "-D", "-X", "-j", "4380", "-P", "-n", "-o", "jobid,state,start,end,nodelist");
        assertThat(c.last(Ops.ACCOUNTING).bool("duplicates")).isTrue();
        assertThat(c.last(Ops.ACCOUNTING).bool("allocations")).isTrue();
        assertThat(dup.out())
                .isEqualTo(lines(
                        "4380|REQUEUED|2026-11-22T12:50:00|2026-11-22T12:55:00|vm",
                        "4380|COMPLETED|2026-11-22T12:57:35|2026-11-22T12:57:35|vm"));
        Result rq = Fixtures.run(
                new Sacct(), c, NOW, "-s", "RQ", "-S", "12:00", "-E", "now", "-X", "-P", "-n", "-o", "jobid,state");
        assertThat(rq.out()).as("without -D, the latest run that matches").isEqualTo(lines("4380|REQUEUED"));
    }

    @Test
    void accountsPartitionsNodesAndArrayTasksGoIntoTheQuery() throws Exception {
        FakeCluster c = capture();
        Result r = Fixtures.run(
                new Sacct(),
                c,
                NOW,
                1000,
                "alice",
                "",
                "-A",
                "root,x",
                "-r",
                "debug",
                "-N",
                "vm,vx",
                "--name",
                "okjob",
                "-X",
                "-P",
                "-n",
                "-o",
                "jobid");
        assertThat(r.err()).isEmpty();
        Frame q = c.last(Ops.ACCOUNTING);
        assertThat(q.str("accounts").split(",")).containsExactlyInAnyOrder("root", "x");
        assertThat(q.str("partitions")).isEqualTo("debug");
        assertThat(q.str("nodes").split(",")).containsExactlyInAnyOrder("vm", "vx");
        assertThat(q.str("names")).isEqualTo("okjob");
        assertThat(q.has("uids")).as("-N looks at every user's jobs").isFalse();
        assertThat(r.out()).isEqualTo(lines("4380"));
        assertThat(Fixtures.run(new Sacct(), c, NOW, "-r", "other", "-n").out()).isEmpty();
        Fixtures.run(new Sacct(), c, NOW, "-j", "4384_1,4385");
        assertThat(c.last(Ops.ACCOUNTING).str("ids")).isEqualTo("4384_1,4385");
        Result after = Fixtures.run(new Sacct(), c, NOW, "-S", "13:00", "-E", "12:00");
        assertThat(after.code()).isEqualTo(1);
        assertThat(after.err())
                .startsWith("sacct: error: Start time (2026-11-22T13:00:00) requested is after end time");
    }

    @Test
    void jsonHasTheLayoutOfDataParserV0040() throws Exception {
        Result r = Fixtures.run(new Sacct(), requeued(), NOW, "--json", "-D", "-j", "4379,4380,4383");
        assertThat(r.code()).isZero();
        String json = r.out();
        // the top level, and a job's fields as slurmrestd's v0.0.40 names and nests them
        for (String key : List.of(
                "\"jobs\": [",
                "\"meta\": {",
                "\"errors\": []",
                "\"warnings\": []",
                "\"data_parser\": \"data_parser/v0.0.40\"",
                "\"job_id\": 4379",
                "\"name\": \"tlimit\"",
                "\"account\": \"root\"",
                "\"partition\": \"debug\"",
                "\"state\": {\n        \"current\": [\n          \"TIMEOUT\"\n        ],\n        \"reason\": \"None\"",
                "\"current\": [\n          \"REQUEUED\"",
                "\"submission\": " + at("2026-11-22T12:57:35"),
                "\"limit\": {\n          \"set\": false,\n          \"infinite\": true,\n          \"number\": 0",
                "\"return_code\": {\n          \"set\": true,\n          \"infinite\": false,\n          \"number\": 0",
                "\"status\": [\n          \"SUCCESS\"",
                "\"steps\": [",
                "\"id\": \"4379.batch\"",
                "\"name\": \"SIGTERM\"",
                "\"nodes\": \"None assigned\"",
                "\"cluster\": \"anchor\"")) {
            assertThat(json).contains(key);
        }
        assertThat(json.split("\"job_id\": 43", -1))
                .as("4379, 4380 twice (-D), 4383")
                .hasSize(5);
        assertThat(json).startsWith("{\n  \"jobs\": [").endsWith("}\n");
    }
}
