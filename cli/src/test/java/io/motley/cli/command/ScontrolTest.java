package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScontrolTest {
    private static final long IDLE_AT = at("2026-11-22T12:28:26");
    private static final long BUSY_AT = at("2026-11-22T12:39:16");
    private static final long SUBMIT = at("2026-11-22T12:39:13");

    private static Job runner() {
        return Fixtures.job(1347, "runner")
                .priority(4294901029L)
                .submitted(SUBMIT)
                .limit(365L * 86400)
                .running("vm", SUBMIT, 1000)
                .build();
    }

    private static Job pendA() {
        return Fixtures.job(1348, "pendA")
                .priority(4294901028L)
                .submitted(SUBMIT)
                .memPerCpu(1000)
                .pending(PendingReason.Resources)
                .build();
    }

    private static Job timedOut() {
        return Fixtures.job(1346, "tlimit")
                .priority(4294901030L)
                .submitted(at("2026-11-22T12:39:11"))
                .limit(60)
                .stdout("%x-%j.out")
                .running("vm", at("2026-11-22T12:39:11"), 1000)
                .ended(JobState.TIMEOUT, new ExitStatus(0, 15), at("2026-11-22T12:40:19"))
                .build();
    }

    private static Job cancelledPending() {
        return Fixtures.job(1339, "wrap")
                .priority(4294901037L)
                .submitted(at("2026-11-22T12:28:26"))
                .cpus(1, 4)
                .memPerCpu(1000)
                .pending(PendingReason.PartitionTimeLimit)
                .ended(JobState.CANCELLED, ExitStatus.NONE, at("2026-11-22T12:38:14"))
                .cancelledBy(0)
                .build();
    }

    private static FakeCluster cluster() {
        return new FakeCluster()
                .nodes(Fixtures.vm())
                .partitions(Fixtures.debug())
                .jobs(runner(), pendA(), timedOut(), cancelledPending());
    }

    @Test
    void aQueuedJobShowsTheMemoryItWasGivenAtSubmitPerCpu() throws Exception {
        // the controller gives a job without --mem DefMemPerCPU x its CPUs when it is queued: Slurm shows it per CPU
        Job base = Fixtures.job(1370, "q")
                .cpus(1, 2)
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        Job queued = base.toBuilder()
                .allocation(new Job.Allocation(base.partition(), null, 0, 2000, List.of(), base.timeLimit()))
                .build();
        String out = Fixtures.run(new Scontrol(), new FakeCluster().jobs(queued), BUSY_AT, "show", "job", "1370")
                .out();
        assertThat(out).contains(" MinMemoryCPU=1000M ").contains("TRES=cpu=2,mem=2000M,node=1,billing=2");
        Job script = queued.withRequest(queued.request().toBuilder()
                .options(Map.of(Sbatch.COMMAND, "/w/run.sh a b"))
                .build());
        assertThat(Fixtures.run(new Scontrol(), new FakeCluster().jobs(script), BUSY_AT, "show", "job", "1370")
                        .out())
                .contains("\n   Command=/w/run.sh a b\n");
    }

    @Test
    void featuresAndPreferredFeaturesShowAsGiven() throws Exception {
        Job base = Fixtures.job(1372, "f")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        Job asked = base.withRequest(base.request().toBuilder()
                .placement(new io.motley.core.job.JobRequest.Placement(
                        base.request().placement().partitions(), "linux&(amd|arm)", null, null, false))
                .options(Map.of("prefer", "bigmem"))
                .build());
        assertThat(Fixtures.run(new Scontrol(), new FakeCluster().jobs(asked), BUSY_AT, "show", "job", "1372")
                        .out())
                .contains("\n   Features=linux&(amd|arm) DelayBoot=00:00:00\n   Prefer=bigmem\n   OverSubscribe=");
        assertThat(Fixtures.run(new Scontrol(), new FakeCluster().jobs(base), BUSY_AT, "show", "job", "1372")
                        .out())
                .contains("\n   Features=(null) DelayBoot=00:00:00\n   OverSubscribe=");
    }

    @Test
    void aPendingJobThatAskedForNodesWithNShowsItsRange() throws Exception {
        Job base = Fixtures.job(1371, "n")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        Job asked = base.withRequest(base.request().toBuilder()
                .nodes(1, 1)
                .options(Map.of("nodes", "1"))
                .build());
        assertThat(Fixtures.run(new Scontrol(), new FakeCluster().jobs(asked), BUSY_AT, "show", "job", "1371")
                        .out())
                .contains("   NumNodes=1-1 NumCPUs=1 ");
        // without -N: the count alone, as Slurm shows it
        assertThat(Fixtures.run(new Scontrol(), new FakeCluster().jobs(base), BUSY_AT, "show", "job", "1371")
                        .out())
                .contains("   NumNodes=1 NumCPUs=1 ");
    }

    @Test
    void tokenPrintsSlurmJwtAndSendsTheLifespanAndUser() throws Exception {
        FakeCluster c = cluster();
        c.canned.put(
                io.motley.protocol.Ops.TOKEN,
                io.motley.protocol.Frame.op(io.motley.protocol.Ops.OK).put("jwt", "h.p.s"));
        Result r = Fixtures.run(new Scontrol(), c, IDLE_AT, "token", "lifespan=60", "username=alice");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("SLURM_JWT=h.p.s\n");
        assertThat(c.last(io.motley.protocol.Ops.TOKEN).lng("lifespan", -1)).isEqualTo(60);
        assertThat(c.last(io.motley.protocol.Ops.TOKEN).str("user")).isEqualTo("alice");
        Result bad = Fixtures.run(new Scontrol(), c, IDLE_AT, "token", "lifespan=soon");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("Invalid lifespan value: soon");
        c.canned.put(
                io.motley.protocol.Ops.TOKEN,
                io.motley.protocol.Frame.error("Access/permission denied: only root may ask for another user's token"));
        Result refused = Fixtures.run(new Scontrol(), c, IDLE_AT, "token", "username=bob");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("Unable to fetch token: Access/permission denied");
    }

    @Test
    void showNodeHasSlurmsLayout() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster(), IDLE_AT, "show", "node");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "NodeName=vm Arch=x86_64 CoresPerSocket=2 ",
                        "   CPUAlloc=0 CPUEfctv=2 CPUTot=2 CPULoad=1.08",
                        "   AvailableFeatures=(null)",
                        "   ActiveFeatures=(null)",
                        "   Gres=(null)",
                        "   NodeAddr=vm NodeHostName=vm Version=22.05.8",
                        "   OS=Linux 6.18.44-fc-v769 #1 SMP PREEMPT_DYNAMIC @0 ",
                        "   RealMemory=24105 AllocMem=0 FreeMem=23776 Sockets=1 Boards=1",
                        "   State=IDLE ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A",
                        "   Partitions=debug ",
                        "   BootTime=2026-11-22T11:33:17 SlurmdStartTime=2026-11-22T11:57:10",
                        // Motley does not track when a node was last busy: an idle one shows its agent's start
                        "   LastBusyTime=2026-11-22T11:57:10",
                        "   CfgTRES=cpu=2,mem=24105M,billing=2",
                        "   AllocTRES=",
                        "   CapWatts=n/a",
                        "   CurrentWatts=0 AveWatts=0",
                        "   ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s",
                        ""));
    }

    @Test
    void allocatedNodeShowsItsAllocationAndADrainReason() throws Exception {
        FakeCluster c = new FakeCluster()
                .partitions(Fixtures.debug())
                .nodes(Fixtures.vm()
                        .withAllocation(2, 2000)
                        .withLoad(0.23, 23827, null)
                        .withState(NodeState.DRAIN, "disk swap", at("2026-11-22T12:30:00"))
                        .withWeight(7));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "nodes", "vm");
        assertThat(r.out())
                .contains(
                        "   CPUAlloc=2 CPUEfctv=2 CPUTot=2 CPULoad=0.23\n",
                        "   RealMemory=24105 AllocMem=2000 FreeMem=23827 Sockets=1 Boards=1\n",
                        "   State=ALLOCATED+DRAIN ThreadsPerCore=1 TmpDisk=0 Weight=7 Owner=N/A MCS_label=N/A\n",
                        "   AllocTRES=cpu=2,mem=2000M\n",
                        "   ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s\n"
                                + "   Reason=disk swap [root@2026-11-22T12:30:00]\n\n");
    }

    @Test
    void aNodeThatIsNotRespondingShowsSlurmsFlagAndNoReasonUntilItIsDown() throws Exception {
        FakeCluster silent = new FakeCluster()
                .partitions(Fixtures.debug())
                .nodes(Fixtures.vm().withNotResponding(true));
        Result r = Fixtures.run(new Scontrol(), silent, BUSY_AT, "show", "node", "vm");
        assertThat(r.out()).contains("   State=IDLE+NOT_RESPONDING ThreadsPerCore=1 ");
        assertThat(r.out()).doesNotContain("Reason=");

        FakeCluster down = new FakeCluster()
                .partitions(Fixtures.debug())
                .nodes(Fixtures.vm()
                        .withState(NodeState.DOWN, "Not responding", at("2026-11-22T12:30:00"))
                        .withNotResponding(true));
        Result d = Fixtures.run(new Scontrol(), down, BUSY_AT, "show", "node", "vm");
        assertThat(d.out())
                .contains(
                        "   State=DOWN+NOT_RESPONDING ThreadsPerCore=1 ",
                        "   Reason=Not responding [root@2026-11-22T12:30:00]\n");
    }

    @Test
    void unknownNodeIsAnError() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster(), IDLE_AT, "show", "node", "nosuch");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).as("on stdout, as Slurm's").isEqualTo(lines("Node nosuch not found"));
    }

    @Test
    void showPartitionMatchesTheCapture() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster(), IDLE_AT, "show", "partition");
        assertThat(r.out())
                .isEqualTo(lines(
                        "PartitionName=debug",
                        "   AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL",
                        "   AllocNodes=ALL Default=YES QoS=N/A",
                        "   DefaultTime=NONE DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO",
                        "   MaxNodes=UNLIMITED MaxTime=UNLIMITED MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED",
                        "   Nodes=ALL",
                        "   PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO",
                        "   OverTimeLimit=NONE PreemptMode=OFF",
                        "   State=UP TotalCPUs=2 TotalNodes=1 SelectTypeParameters=NONE",
                        "   JobDefaults=(null)",
                        "   DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED",
                        "   TRES=cpu=2,mem=24105M,node=1,billing=2",
                        ""));
    }

    @Test
    void partitionWithListedNodesAndLimits() throws Exception {
        FakeCluster c = new FakeCluster()
                .nodes(Fixtures.node("n1", 4, 8192), Fixtures.node("n2", 4, 8192))
                .partitions(new io.motley.core.cluster.Partition(
                        "short",
                        false,
                        java.util.List.of("n1", "n2"),
                        3600,
                        600,
                        io.motley.core.cluster.PartitionState.DRAIN));
        Result r = Fixtures.run(new Scontrol(), c, IDLE_AT, "-o", "show", "partitions", "short");
        assertThat(r.out())
                .isEqualTo(lines("PartitionName=short AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL"
                        + " AllocNodes=ALL Default=NO QoS=N/A DefaultTime=00:10:00 DisableRootJobs=NO ExclusiveUser=NO"
                        + " GraceTime=0 Hidden=NO MaxNodes=UNLIMITED MaxTime=01:00:00 MinNodes=0 LLN=NO"
                        + " MaxCPUsPerNode=UNLIMITED Nodes=n[1-2] PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO"
                        + " OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=DRAIN TotalCPUs=8 TotalNodes=2"
                        + " SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED"
                        + " TRES=cpu=8,mem=16G,node=2,billing=8"));
        Result missing = Fixtures.run(new Scontrol(), c, IDLE_AT, "show", "partition", "long");
        assertThat(missing.code()).isEqualTo(1);
        // on stdout, as Slurm's scontrol prints it
        assertThat(missing.out()).isEqualTo(lines("Partition long not found"));
    }

    @Test
    void anExclusiveJobIsNotOversubscribed() throws Exception {
        io.motley.core.job.Job runner = runner();
        io.motley.core.job.JobRequest r = runner.request();
        io.motley.core.job.Job exclusive = runner.toBuilder()
                .request(r.toBuilder()
                        .placement(new io.motley.core.job.JobRequest.Placement(r.partitions(), null, null, null, true))
                        .build())
                .build();
        FakeCluster c = new FakeCluster()
                .nodes(Fixtures.vm())
                .partitions(Fixtures.debug())
                .jobs(exclusive);
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "1347")
                        .out())
                .contains("   OverSubscribe=NO Contiguous=0");
    }

    @Test
    void showRunningJobMatchesTheCaptureWhereMotleyHasTheValues() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "job", "1347");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "JobId=1347 JobName=runner",
                        "   UserId=root(0) GroupId=root(0) MCS_label=N/A",
                        "   Priority=4294901029 Nice=0 Account=(null) QOS=(null)",
                        "   JobState=RUNNING Reason=None Dependency=(null)",
                        "   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0",
                        "   RunTime=00:00:03 TimeLimit=365-00:00:00 TimeMin=N/A",
                        "   SubmitTime=2026-11-22T12:39:13 EligibleTime=2026-11-22T12:39:13",
                        "   AccrueTime=2026-11-22T12:39:13",
                        "   StartTime=2026-11-22T12:39:13 EndTime=2027-11-22T12:39:13 Deadline=N/A",
                        "   SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-22T12:39:13 Scheduler=Main",
                        "   Partition=debug AllocNode:Sid=vm:0",
                        "   ReqNodeList=(null) ExcNodeList=(null)",
                        "   NodeList=vm",
                        "   BatchHost=vm",
                        "   NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:*",
                        "   TRES=cpu=1,mem=1000M,node=1,billing=1",
                        "   Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=*",
                        "   MinCPUsNode=1 MinMemoryCPU=1000M MinTmpDiskNode=0",
                        "   Features=(null) DelayBoot=00:00:00",
                        "   OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null)",
                        "   Command=(null)",
                        "   WorkDir=/srv/anchor/fmt",
                        "   StdErr=/srv/anchor/fmt/slurm-1347.out",
                        "   StdIn=/dev/null",
                        "   StdOut=/srv/anchor/fmt/slurm-1347.out",
                        "   Power=",
                        "   ",
                        ""));
    }

    @Test
    void pendingTimedOutAndCancelledJobs() throws Exception {
        Result pending = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "job", "1348");
        assertThat(pending.out())
                .contains(
                        "   JobState=PENDING Reason=Resources Dependency=(null)\n",
                        "   RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A\n",
                        "   StartTime=Unknown EndTime=Unknown Deadline=N/A\n",
                        "   NodeList=\n   NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:*\n",
                        "   TRES=cpu=1,mem=1000M,node=1,billing=1\n",
                        "   MinCPUsNode=1 MinMemoryCPU=1000M MinTmpDiskNode=0\n");

        // holding a backfill reservation: its expected start (no time limit, so no expected end)
        Result reserved = Fixtures.run(
                new Scontrol(),
                cluster().expect(1348, at("2026-11-22T12:40:11"), "vm"),
                BUSY_AT,
                "show",
                "job",
                "1348");
        assertThat(reserved.out())
                .contains("   StartTime=2026-11-22T12:40:11 EndTime=Unknown Deadline=N/A\n")
                .as("the node it is planned on, as Slurm's SchedNodeList")
                .contains("   NodeList= SchedNodeList=vm\n");

        Result timeout = Fixtures.run(new Scontrol(), cluster(), at("2026-11-22T12:41:00"), "show", "job", "1346");
        assertThat(timeout.out())
                .contains(
                        "   JobState=TIMEOUT Reason=TimeLimit Dependency=(null)\n",
                        "   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15\n",
                        "   RunTime=00:01:08 TimeLimit=00:01:00 TimeMin=N/A\n",
                        "   StartTime=2026-11-22T12:39:11 EndTime=2026-11-22T12:40:19 Deadline=N/A\n",
                        "   NodeList=vm\n   BatchHost=vm\n",
                        "   StdErr=/srv/anchor/fmt/tlimit-1346.out\n");

        Result cancelled = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "job", "1339");
        assertThat(cancelled.out())
                .contains(
                        "   JobState=CANCELLED Reason=PartitionTimeLimit Dependency=(null)\n",
                        "   StartTime=2026-11-22T12:38:14 EndTime=2026-11-22T12:38:14 Deadline=N/A\n",
                        "   NodeList=\n   NumNodes=1 NumCPUs=4 NumTasks=N/A CPUs/Task=4 ReqB:S:C:T=0:0:*:*\n",
                        "   TRES=cpu=4,mem=4000M,node=1,billing=4\n",
                        "   MinCPUsNode=4 MinMemoryCPU=1000M MinTmpDiskNode=0\n");
        assertThat(cancelled.out()).doesNotContain("BatchHost");
    }

    @Test
    void showAllJobsInIdOrderAndOneLinerForm() throws Exception {
        Result all = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "jobs");
        assertThat(all.out()).startsWith("JobId=1339 JobName=wrap\n");
        assertThat(all.out().split("\n\n")).hasSize(4);
        assertThat(all.out().indexOf("JobId=1346")).isLessThan(all.out().indexOf("JobId=1347"));

        Result one = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "--oneliner", "show", "job", "1347");
        assertThat(one.out())
                .startsWith("JobId=1347 JobName=runner UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=")
                .endsWith(" StdOut=/srv/anchor/fmt/slurm-1347.out Power= \n")
                .doesNotContain("\n   ");
    }

    @Test
    void commentAndUnprivilegedUser() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(Fixtures.job(7, "mine")
                        .user("alice", 1000)
                        .comment("for paper")
                        .account("physics")
                        .submitted(SUBMIT)
                        .pending(PendingReason.Priority)
                        .build());
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "7");
        assertThat(r.out())
                .contains(
                        "   UserId=alice(1000) GroupId=1000(1000) MCS_label=N/A\n",
                        " Nice=0 Account=physics QOS=(null)\n",
                        "   WorkDir=/srv/anchor/fmt\n   Comment=for paper \n   StdErr=");
    }

    @Test
    void unknownJobIsSlurmsError() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "job", "999999");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(lines("slurm_load_jobs error: Invalid job id specified"));

        Result none = Fixtures.run(new Scontrol(), new FakeCluster(), BUSY_AT, "show", "job");
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEqualTo(lines("No jobs in the system"));
    }

    /** The request of {@code j} with --deadline and --no-requeue as given. */
    private static Job withDeadline(Job j, long deadline, boolean requeue) {
        Frame r = Codec.request(j.request(), true).put("deadline", deadline).put("requeue", requeue);
        return j.withRequest(Codec.request(r));
    }

    @Test
    void requeuedAndDeadlineJobsShowRestartsEligibilityAndDeadline() throws Exception {
        // requeued after it timed out: pending again, eligible at the end of the requeue delay
        Job requeued = timedOut().requeue(at("2026-11-22T12:43:00"), false);
        Job late = withDeadline(
                        Fixtures.job(1360, "late")
                                .submitted(SUBMIT)
                                .limit(600)
                                .pending(PendingReason.None)
                                .build(),
                        at("2026-11-22T12:45:00"),
                        false)
                .ended(JobState.DEADLINE, new ExitStatus(0, 1), BUSY_AT);
        FakeCluster c = new FakeCluster()
                .nodes(Fixtures.vm())
                .partitions(Fixtures.debug())
                .jobs(requeued, late);
        Result r = Fixtures.run(new Scontrol(), c, at("2026-11-22T12:41:00"), "show", "job", "1346");
        assertThat(r.out())
                .contains(
                        "   JobState=PENDING Reason=BeginTime Dependency=(null)\n",
                        "   Requeue=1 Restarts=1 BatchFlag=1 Reboot=0 ExitCode=0:0\n",
                        "   SubmitTime=2026-11-22T12:39:11 EligibleTime=2026-11-22T12:43:00\n",
                        "   StartTime=Unknown EndTime=Unknown Deadline=N/A\n");
        Result d = Fixtures.run(new Scontrol(), c, at("2026-11-22T12:41:00"), "show", "job", "1360");
        assertThat(d.out())
                .contains(
                        "   JobState=DEADLINE Reason=DeadLine Dependency=(null)\n",
                        "   Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:1\n",
                        "   StartTime=2026-11-22T12:39:16 EndTime=2026-11-22T12:39:16 Deadline=2026-11-22T12:45:00\n");
    }

    /** scontrol suspend/resume, as Slurm's scontrol_suspend: "<error> for job <id>" on stderr, exit 1. */
    @Test
    void suspendAndResumeSendTheIdsAndReportSlurmsErrors() throws Exception {
        FakeCluster c = cluster();
        c.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame()
                        .put("id", "1347")
                        .put("error", "Access/permission denied")
                        .put("always", true));
        Result denied = Fixtures.run(new Scontrol(), c, BUSY_AT, "suspend", "1347");
        assertThat(c.last(Ops.SUSPEND).str("ids")).isEqualTo("1347");
        assertThat(denied.code()).isEqualTo(1);
        assertThat(denied.err()).isEqualTo(lines("Access/permission denied for job 1347"));

        FakeCluster ok = cluster();
        assertThat(Fixtures.run(new Scontrol(), ok, BUSY_AT, "suspend", "1347,1346", "jobid=1348")
                        .code())
                .isZero();
        assertThat(ok.last(Ops.SUSPEND).str("ids")).isEqualTo("1347,1346,1348");
        assertThat(Fixtures.run(new Scontrol(), ok, BUSY_AT, "res", "1347").code())
                .isZero();
        assertThat(ok.last(Ops.RESUME).str("ids")).isEqualTo("1347");
        Result bare = Fixtures.run(new Scontrol(), ok, BUSY_AT, "suspend");
        assertThat(bare.code()).isEqualTo(1);
        assertThat(bare.err()).isEqualTo(lines("too few arguments for keyword:suspend"));
    }

    /** An array task named ARRAY_TASK is suspended by its own record's id; one still pending in the array's is no id. */
    @Test
    void suspendTakesAnArrayTaskByItsArrayName() throws Exception {
        Job folded = Fixtures.job(1351, "arr").submitted(SUBMIT).build();
        folded = folded.withRequest(folded.request().toBuilder().array("1-5").build())
                .withArray(new io.motley.core.job.ArrayPart(1351, -1, "3-5"));
        Job task1 = Fixtures.job(1352, "arr")
                .submitted(SUBMIT)
                .running("vm", SUBMIT, 1000)
                .build()
                .withArray(new io.motley.core.job.ArrayPart(1351, 1, null));
        FakeCluster c = new FakeCluster().jobs(folded, task1);
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, "suspend", "1351_1").code())
                .isZero();
        assertThat(c.last(Ops.SUSPEND).str("ids")).isEqualTo("1352");
        Result pending = Fixtures.run(new Scontrol(), c, BUSY_AT, "resume", "1351_4");
        assertThat(pending.code()).isEqualTo(1);
        assertThat(pending.err()).isEqualTo(lines("Job is pending execution for job 1351_4"));
        Result none = Fixtures.run(new Scontrol(), c, BUSY_AT, "suspend", "1351_9");
        assertThat(none.err()).isEqualTo(lines("Invalid job id specified for job 1351_9"));
        assertThat(c.last(Ops.RESUME)).isNull();
    }

    /** top of a task still pending in its array's record moves that record, as slurmctld's find_job_array_rec finds it. */
    @Test
    void topOfAFoldedTaskTopsTheArraysRecord() throws Exception {
        Job folded = Fixtures.job(1351, "arr").submitted(SUBMIT).build();
        folded = folded.withRequest(folded.request().toBuilder().array("1-5").build())
                .withArray(new io.motley.core.job.ArrayPart(1351, -1, "3-5"));
        FakeCluster c = new FakeCluster().jobs(folded);
        c.canned.put(Ops.TOP, Frame.op(Ops.OK));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "top", "1351_4");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(c.last(Ops.TOP).str("ids")).isEqualTo("1351");
        Result none = Fixtures.run(new Scontrol(), c, BUSY_AT, "top", "1351_9");
        assertThat(none.err()).isEqualTo(lines("Invalid job id specified for job 1351_9"));
    }

    /** A suspended job shows Slurm's SUSPENDED, its SuspendTime and SecsPreSuspend, and its end moved by the suspension. */
    @Test
    void showSuspendedJobGivesItsSuspensionAndAStoppedClock() throws Exception {
        Job suspended = runner().suspended(SUBMIT + 2);
        FakeCluster c = new FakeCluster()
                .nodes(Fixtures.vm())
                .partitions(Fixtures.debug())
                .jobs(suspended);
        String out = Fixtures.run(new Scontrol(), c, BUSY_AT + 60, "show", "job", "1347")
                .out();
        assertThat(out)
                .contains(
                        "   JobState=SUSPENDED Reason=None Dependency=(null)\n",
                        "   RunTime=00:00:02 TimeLimit=365-00:00:00 TimeMin=N/A\n",
                        "   StartTime=2026-11-22T12:39:13 EndTime=2027-11-22T12:40:14 Deadline=N/A\n",
                        "   SuspendTime=2026-11-22T12:39:15 SecsPreSuspend=2 LastSchedEval=");
    }

    @Test
    void requeueAndRequeueholdSendTheIdsAndReportSlurmsErrors() throws Exception {
        FakeCluster c = cluster();
        c.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame().put("id", "1347"))
                .add(new Frame()
                        .put("id", "1348")
                        .put("error", "Job is pending execution")
                        .put("always", true))
                .add(new Frame()
                        .put("id", "1346")
                        .put("error", "Requested operation is presently disabled")
                        .put("always", true));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "requeue", "1347,1348", "jobid=1346");
        assertThat(c.last(Ops.REQUEUE).str("ids")).isEqualTo("1347,1348,1346");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines(
                        "Job is pending execution for job 1348",
                        "Requested operation is presently disabled for job 1346"));

        FakeCluster ok = cluster();
        Result held = Fixtures.run(new Scontrol(), ok, BUSY_AT, "requeuehold", "1347");
        assertThat(held.code()).isZero();
        assertThat(ok.last(Ops.REQUEUE_HOLD).str("ids")).isEqualTo("1347");
    }

    @Test
    void holdSendsTheIdsAndReportsFailuresInSlurmsWords() throws Exception {
        FakeCluster c = cluster();
        c.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame().put("id", "1348"))
                .add(new Frame()
                        .put("id", "1347")
                        .put("error", "Job is no longer pending execution")
                        .put("always", true))
                .add(new Frame()
                        .put("id", "1346")
                        .put("error", "Job is no longer pending execution")
                        .put("always", true))
                .add(new Frame()
                        .put("id", "5")
                        .put("error", "Invalid job id specified")
                        .put("always", true));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "hold", "1348,1347", "1346", "jobid=5");
        assertThat(c.last(Ops.HOLD).str("ids")).isEqualTo("1348,1347,1346,5");
        assertThat(c.last(Ops.HOLD).has("user"))
                .as("hold: an operator's is an administrator's")
                .isFalse();
        FakeCluster u = cluster();
        Fixtures.run(new Scontrol(), u, BUSY_AT, "uhold", "1348");
        assertThat(u.last(Ops.HOLD).bool("user"))
                .as("uhold: a user's hold, whoever sets it")
                .isTrue();
        assertThat(r.code()).isEqualTo(1);
        // 1347 runs: Slurm takes its hold silently; a failure ends with slurm_suspend's line
        assertThat(r.err())
                .isEqualTo(lines(
                        "Job has already finished for job 1346",
                        "Invalid job id specified for job 5",
                        "slurm_suspend error: Invalid job id specified"));

        FakeCluster ok = cluster();
        Result released = Fixtures.run(new Scontrol(), ok, BUSY_AT, "release", "1348");
        assertThat(released.code()).isZero();
        assertThat(released.err()).isEmpty();
        assertThat(ok.last(Ops.RELEASE).str("ids")).isEqualTo("1348");
    }

    /**
     * hold, release and update name array tasks as ARRAY_INDEX for the controller to split off, and print the
     * answers of jobs reached through their array as Slurm's scontrol prints a per-task reply: ARRAY_TASKS: reason,
     * tasks folded, lowest first, Success too once there are several lines; silent when all succeeded. A running
     * task's hold is taken, as in Slurm.
     */
    @Test
    void arrayTasksAreSentByNameAndAnsweredTaskByTask() throws Exception {
        FakeCluster c = cluster();
        c.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame().put("id", "1351").put("tasks", "4-5"))
                .add(new Frame()
                        .put("id", "1351")
                        .put("error", "Job is no longer pending execution")
                        .put("always", true)
                        .put("tasks", "2"))
                .add(new Frame().put("id", "1351").put("tasks", "3"));
        Result held = Fixtures.run(new Scontrol(), c, BUSY_AT, "hold", "1351_4,1351_5", "1351");
        assertThat(c.last(Ops.HOLD).str("tasks")).isEqualTo("1351_4,1351_5");
        assertThat(c.last(Ops.HOLD).str("ids")).isEqualTo("1351");
        assertThat(held.err()).isEmpty();
        assertThat(held.code()).isZero();

        c.holdAnswer = req -> Frame.op(Ops.OK)
                .add(new Frame()
                        .put("id", "1351")
                        .put("error", "Job has already finished")
                        .put("always", true)
                        .put("tasks", "1"))
                .add(new Frame().put("id", "1351").put("tasks", "3-5"))
                .add(new Frame().put("id", "1351").put("tasks", "2"));
        Result some = Fixtures.run(new Scontrol(), c, BUSY_AT, "release", "1351");
        assertThat(some.code()).isEqualTo(1);
        assertThat(some.err()).isEqualTo(lines("1351_1: Job has already finished", "1351_2-5: Success"));

        c.canned.put(
                Ops.UPDATE_JOB,
                Frame.op(Ops.OK)
                        .add(new Frame()
                                .put("id", "1351")
                                .put("error", "Invalid job id specified")
                                .put("always", true)
                                .put("tasks", "9")));
        Result update = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1351_9", "TimeLimit=5");
        assertThat(c.last(Ops.UPDATE_JOB).str("tasks")).isEqualTo("1351_9");
        assertThat(update.code()).isEqualTo(1);
        assertThat(update.err()).isEqualTo(lines("1351_9: Invalid job id specified"));
    }

    @Test
    void entitiesMotleyHasNoneOfAnswerAsAnEmptySlurmDoes() throws Exception {
        Result res = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "reservation");
        assertThat(res.code()).isZero();
        assertThat(res.out()).isEqualTo(lines("No reservations in the system"));
        assertThat(Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "licenses")
                        .out())
                .isEqualTo(lines("No licenses configured in Slurm."));
        assertThat(Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "frontend")
                        .out())
                .isEqualTo(lines("No nodes in the system"));
        Result topo = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "topology");
        assertThat(topo.code()).isZero();
        assertThat(topo.err()).isEqualTo(lines("scontrol: error: No topology information available"));
    }

    @Test
    void keywordErrors() throws Exception {
        Result bad = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "frobnicate");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("invalid keyword: frobnicate"));

        Result entity = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "gizmo");
        assertThat(entity.code()).isEqualTo(1);
        assertThat(entity.err()).isEqualTo(lines("invalid entity:gizmo for keyword:show "));

        Result noIds = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "hold");
        assertThat(noIds.code()).isEqualTo(1);
        assertThat(noIds.err()).isEqualTo(lines("too few arguments for keyword:hold"));

        Result badId = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "release", "abc");
        assertThat(badId.code()).isEqualTo(1);
        assertThat(badId.err()).isEqualTo(lines("Invalid job id specified for job abc"));

        // top and update check their ids here too, as typed requests carry numbers only
        Result badTop = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "top", "12,abc");
        assertThat(badTop.code()).isEqualTo(1);
        assertThat(badTop.err()).isEqualTo(lines("Invalid job id specified for job abc"));
        Result badUpdate = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "update", "JobId=x1", "TimeLimit=5");
        assertThat(badUpdate.code()).isEqualTo(1);
        assertThat(badUpdate.err()).isEqualTo(lines("Invalid job id specified for job x1"));
    }

    @Test
    void versionAndCommandsFromStdin() throws Exception {
        assertThat(Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "-V").out()).isEqualTo(lines(Version.TEXT));
        assertThat(Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "version").out())
                .isEqualTo(lines(Version.TEXT));

        // Slurm's prompt before each command, a terminal or not (readline prints it), and nothing after quit
        Result r = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, 0, "root", "show partition\n\nquit\nshow node\n");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .startsWith("scontrol: PartitionName=debug\n")
                .endsWith("scontrol: scontrol: ")
                .doesNotContain("NodeName");
        // at the end of the input, a newline after the prompt
        assertThat(Fixtures.run(new Scontrol(), cluster(), BUSY_AT, 0, "root", "")
                        .out())
                .isEqualTo("scontrol: \n");
    }

    @Test
    void showJobPrintsNiceAccountAndQos() throws Exception {
        io.motley.core.job.Job base = Fixtures.job(41, "niced").priority(9900).build();
        io.motley.core.job.Job j =
                base.withRequest(base.request().charged("physics", "high").withNice(100));
        FakeCluster c = new FakeCluster().jobs(j);
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "41");
        assertThat(r.out().lines().skip(2).findFirst().orElseThrow())
                .isEqualTo("   Priority=9900 Nice=100 Account=physics QOS=high");
    }

    // ---- text users typed, why a job failed, and ping ----

    @Test
    void showJobPrintsAStateDescriptionAsSlurmDoesAndEscapesControlCharacters() throws Exception {
        Job failed = Fixtures.job(1360, "evil\nJobId=1 fake")
                .submitted(SUBMIT)
                .running("vm", SUBMIT, 1000)
                .ended(JobState.FAILED, new ExitStatus(1, 0), SUBMIT)
                .desc("Launch failed on vm: No space left on device")
                .build();
        Result r = Fixtures.run(new Scontrol(), new FakeCluster().jobs(failed), BUSY_AT, "show", "job", "1360");
        assertThat(r.out()).startsWith("JobId=1360 JobName=evil\\nJobId=1 fake\n");
        assertThat(r.out())
                .contains(
                        "\n   JobState=FAILED Reason=Launch_failed_on_vm:_No_space_left_on_device Dependency=(null)\n");
        assertThat(r.out().lines().filter(l -> l.startsWith("JobId="))).hasSize(1);
    }

    @Test
    void pingSaysWhetherTheControllerAndItsDatabaseCanTakeJobs() throws Exception {
        FakeCluster up = new FakeCluster();
        up.canned.put(Ops.PING, Frame.op(Ops.OK).put("host", "ctl1").put("database", "ok"));
        Result ok = Fixtures.run(new Scontrol(), up, BUSY_AT, "ping");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).isEqualTo(lines("Slurmctld(primary) at ctl1 is UP"));

        FakeCluster lost = new FakeCluster();
        lost.canned.put(
                Ops.PING,
                Frame.op(Ops.OK)
                        .put("host", "ctl1")
                        .put(
                                "database",
                                "the job database /m/state/motley.db was deleted or replaced while the controller ran"));
        Result bad = Fixtures.run(new Scontrol(), lost, BUSY_AT, "ping");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out())
                .isEqualTo(
                        lines(
                                "Slurmctld(primary) at ctl1 is UP",
                                "Job database is UNUSABLE: the job database /m/state/motley.db was deleted or replaced while the controller ran"));
    }

    @Test
    void showConfigPrintsSlurmsKeyValueLayoutThenThePingLine() throws Exception {
        FakeCluster c = new FakeCluster();
        c.canned.put(
                Ops.CONFIG,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.ConfigInfo(
                        IDLE_AT,
                        io.motley.core.config.ConfigListing.slurm(io.motley.core.config.ClusterConfig.defaults()),
                        List.of(new io.motley.core.config.ConfigListing.Setting("ContainmentType", "auto")))));
        c.canned.put(Ops.PING, Frame.op(Ops.OK).put("host", "ctl1").put("database", "ok"));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "config");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .startsWith(lines(
                        "Configuration data as of 2026-11-22T12:28:26",
                        "AccountingStoreFlags    = (null)",
                        "AcctGatherNodeFreq      = 0 sec",
                        "ClusterName             = motley"))
                .contains("\nSchedulerTimeSlice      = 30 sec\n")
                .endsWith(lines(
                        "SlurmdTimeout           = 30 sec",
                        "",
                        "Motley Configuration:",
                        "ContainmentType         = auto",
                        "",
                        "Slurmctld(primary) at ctl1 is UP"));
    }

    @Test
    void showDaemonsNamesSlurmsDaemonsThatRunHere() throws Exception {
        FakeCluster here = new FakeCluster();
        here.canned.put(Ops.PING, Frame.op(Ops.OK).put("host", "vm.example.org").put("database", "ok"));
        Result both = Fixtures.run(new Scontrol(), here, BUSY_AT, "show", "daemons");
        assertThat(both.code()).isZero();
        assertThat(both.out()).isEqualTo(lines("slurmctld slurmd"));
        FakeCluster elsewhere = new FakeCluster();
        elsewhere.canned.put(Ops.PING, Frame.op(Ops.OK).put("host", "ctl1").put("database", "ok"));
        assertThat(Fixtures.run(new Scontrol(), elsewhere, BUSY_AT, "show", "daemons")
                        .out())
                .isEqualTo(lines("slurmd"));
        FakeCluster none = new FakeCluster();
        none.canned.put(Ops.PING, Frame.error("cannot reach the controller"));
        assertThat(Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "daemons")
                        .out())
                .isEqualTo(lines("(null)"));
        Result extra = Fixtures.run(new Scontrol(), here, BUSY_AT, "show", "daemons", "x");
        assertThat(extra.code()).isEqualTo(1);
        assertThat(extra.err()).isEqualTo(lines("too many arguments for keyword:show"));
    }

    @Test
    void notifyIsTakenForARunningJobAndRefusedWithSlurmsWordsOtherwise() throws Exception {
        FakeCluster c = new FakeCluster().jobs(runner(), pendA(), timedOut());
        Result ok = Fixtures.run(new Scontrol(), c, BUSY_AT, "notify", "1347", "hello", "there");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out() + ok.err()).isEmpty();
        Result pending = Fixtures.run(new Scontrol(), c, BUSY_AT, "notify", "1348", "hello");
        assertThat(pending.code()).isEqualTo(1);
        assertThat(pending.err()).isEqualTo(lines("job notify failure: Requested operation is presently disabled"));
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, "notify", "1346", "hi")
                        .err())
                .isEqualTo(lines("job notify failure: Job/step already completing or completed"));
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, "notify", "999", "hi")
                        .err())
                .isEqualTo(lines("job notify failure: Invalid job id specified"));
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, 4242, "eve", "", "notify", "1347", "hi")
                        .err())
                .isEqualTo(lines("job notify failure: Access/permission denied"));
        Result few = Fixtures.run(new Scontrol(), c, BUSY_AT, "notify", "1347");
        assertThat(few.code()).isEqualTo(1);
        assertThat(few.err()).isEqualTo(lines("too few arguments for keyword:notify"));
    }

    @Test
    void listpidsPrintsTheLocalAgentsAnswerInSlurmsColumns() throws Exception {
        FakeCluster c = new FakeCluster();
        c.canned.put(
                Ops.LIST_PIDS,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.PidList(
                        "vm",
                        List.of(
                                new io.motley.protocol.Message.JobPid(27659, 7041, "batch", 0, 0),
                                new io.motley.protocol.Message.JobPid(27662, 7041, "batch", -1, -1)))));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "listpids");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "PID      JOBID    STEPID   LOCALID GLOBALID",
                        "27659    7041     batch    0       0       ",
                        "27662    7041     batch    -       -       "));
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, "listpids", "7041.batch")
                        .out())
                .isEqualTo(r.out());
        Result step = Fixtures.run(new Scontrol(), c, BUSY_AT, "listpids", "7041.0");
        assertThat(step.code()).isEqualTo(1);
        assertThat(step.err()).isEqualTo(lines("StepId=7041.0 does not exist on node vm."));
        Result bad = Fixtures.run(new Scontrol(), c, BUSY_AT, "listpids", "abc");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("\"abc\" does not look like a jobid"));

        FakeCluster empty = new FakeCluster();
        empty.canned.put(
                Ops.LIST_PIDS,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.PidList("vm", List.of())));
        Result none = Fixtures.run(new Scontrol(), empty, BUSY_AT, "listpids");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).isEqualTo(lines("PID      JOBID    STEPID   LOCALID GLOBALID"));
        assertThat(none.err()).isEqualTo(lines("No job steps exist on this node."));
        assertThat(Fixtures.run(new Scontrol(), empty, BUSY_AT, "listpids", "12")
                        .err())
                .isEqualTo(lines("There are no steps for job 12 on node vm."));
    }

    @Test
    void pingOfAnUnreachableControllerSaysDownAndExitsOne() throws Exception {
        FakeCluster c = new FakeCluster();
        c.canned.put(Ops.PING, Frame.error("cannot reach the controller"));
        Result root = Fixtures.run(new Scontrol(), c, BUSY_AT, "ping");
        assertThat(root.code()).isEqualTo(1);
        assertThat(root.out())
                .isEqualTo(lines(
                        "Slurmctld(primary) at controller is DOWN",
                        "*****************************************",
                        "** RESTORE SLURMCTLD DAEMON TO SERVICE **",
                        "*****************************************"));
        Result user = Fixtures.run(new Scontrol(), c, BUSY_AT, 1000, "ann", "", "ping");
        assertThat(user.code()).isEqualTo(1);
        assertThat(user.out()).isEqualTo(lines("Slurmctld(primary) at controller is DOWN"));
    }

    @Test
    void showHostnamesAndHostlistsWorkWithoutTheCluster() throws Exception {
        FakeCluster none = new FakeCluster();
        Result names = Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "hostnames", "n[3-4],login");
        assertThat(names.out()).isEqualTo(lines("n3", "n4", "login"));
        Result fromEnv = Fixtures.run(
                new Scontrol(), none, BUSY_AT, 0, "root", "", Map.of("SLURM_NODELIST", "vm[1-2]"), "show", "hostn");
        assertThat(fromEnv.out()).isEqualTo(lines("vm1", "vm2"));
        Result noList = Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "hostnames");
        assertThat(noList.code()).isZero();
        assertThat(noList.err()).isEqualTo(lines("scontrol: error: host list is empty"));
        Result list = Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "hostlist", "n3,n1,n2");
        assertThat(list.out()).isEqualTo(lines("n[3,1-2]"));
        Result sorted = Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "hostlistsorted", "n3,n1,n2,n1");
        assertThat(sorted.out()).isEqualTo(lines("n[1-3]"));
        Result bad = Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "hostlist", "n[2-1]");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("Invalid hostlist: n[2-1]"));
        Result missing = Fixtures.run(new Scontrol(), none, BUSY_AT, "show", "hostlist");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(none.requests).isEmpty();
    }

    @Test
    void updatePartitionStateAsksTheControllerAndSpeaksSlurmsWords() throws Exception {
        FakeCluster c = new FakeCluster();
        c.canned.put(Ops.UPDATE_PARTITION, Frame.op(Ops.OK));
        Result ok = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=debug", "State=dr");
        assertThat(ok.code()).isZero();
        assertThat(ok.out() + ok.err()).isEmpty();
        assertThat(c.last(Ops.UPDATE_PARTITION).str("name")).isEqualTo("debug");
        assertThat(c.last(Ops.UPDATE_PARTITION).str("state")).isEqualTo("DRAIN");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "Partition=debug", "St=D");
        assertThat(c.last(Ops.UPDATE_PARTITION).str("state")).isEqualTo("DOWN");
        // times in whole minutes, rounded up as Slurm's time_str2mins; the state left alone
        assertThat(Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=debug", "MaxTime=60")
                        .code())
                .isZero();
        assertThat(c.last(Ops.UPDATE_PARTITION).str("maxTime")).isEqualTo("3600");
        assertThat(c.last(Ops.UPDATE_PARTITION).str("state")).isNull();
        assertThat(c.last(Ops.UPDATE_PARTITION).str("defaultTime")).isNull();
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=debug", "MaxT=INFINITE", "DefaultTime=0:30");
        assertThat(c.last(Ops.UPDATE_PARTITION).str("maxTime")).isEqualTo("-1");
        assertThat(c.last(Ops.UPDATE_PARTITION).str("defaultTime")).isEqualTo("60");
        Result badTime = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=debug", "MaxTime=soon");
        assertThat(badTime.code()).isEqualTo(1);
        assertThat(badTime.err()).isEqualTo(lines("scontrol: error: Invalid input MaxTime=soon"));

        Result bad = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=debug", "State=bogus");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err())
                .isEqualTo(lines(
                        "scontrol: error: Invalid input: State=bogus",
                        "scontrol: error: Acceptable State values are UP, DOWN, DRAIN and INACTIVE",
                        "slurm_update error: No error"));
        Result none = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=debug");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo(lines("scontrol: error: No changes specified"));

        c.canned.put(Ops.UPDATE_PARTITION, Frame.op(Ops.OK).put("error", "Invalid partition name specified"));
        Result nope = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "PartitionName=nope", "State=UP");
        assertThat(nope.code()).isEqualTo(1);
        assertThat(nope.err()).isEqualTo(lines("slurm_update error: Invalid partition name specified"));

        Result nothing = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "Foo=1");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).startsWith(lines("No valid entity in update command"));
    }

    @Test
    void writeBatchScriptPrintsOrWritesTheScript(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        FakeCluster c = new FakeCluster();
        c.canned.put(Ops.BATCH_SCRIPT, Frame.op(Ops.OK).put("script", "#!/bin/sh\necho hi\n"));
        Result out = Fixtures.run(new Scontrol(), c, BUSY_AT, "write", "batch_script", "1347", "-");
        assertThat(out.code()).isZero();
        assertThat(out.out()).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(c.last(Ops.BATCH_SCRIPT).str("id")).isEqualTo("1347");

        java.nio.file.Path file = dir.resolve("job.sh");
        Result written = Fixtures.run(new Scontrol(), c, BUSY_AT, "write", "batch", "1347", file.toString());
        assertThat(written.code()).isZero();
        assertThat(written.out()).isEqualTo(lines("batch script for job 1347 written to " + file));
        assertThat(java.nio.file.Files.readString(file)).isEqualTo("#!/bin/sh\necho hi\n");

        Result noDir = Fixtures.run(
                new Scontrol(),
                c,
                BUSY_AT,
                "write",
                "batch_script",
                "1347",
                dir.resolve("no/such.sh").toString());
        assertThat(noDir.code()).isEqualTo(1);
        assertThat(noDir.err())
                .isEqualTo(lines("failed to open file `" + dir.resolve("no/such.sh") + "`: No such file or directory"));

        c.canned.put(Ops.BATCH_SCRIPT, Frame.error("Invalid job id specified"));
        Result missing = Fixtures.run(new Scontrol(), c, BUSY_AT, "write", "batch_script", "999", "-");
        assertThat(missing.code()).as("as Slurm's scontrol").isZero();
        assertThat(missing.err()).isEqualTo(lines("job script retrieval failed: Invalid job id specified"));
    }

    /** As Slurm's scontrol: JobName= without JobId= selects the jobs of that name. */
    @Test
    void updateByJobNameUpdatesTheJobsOfThatName() throws Exception {
        FakeCluster c = cluster();
        c.canned.put(Ops.UPDATE_JOB, Frame.op(Ops.OK));
        Result r = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobName=pendA", "TimeLimit=9");
        assertThat(r.code()).as(r.err()).isZero();
        Frame asked = c.last(Ops.UPDATE_JOB);
        assertThat(asked.str("ids")).isEqualTo("1348");
        assertThat(asked.children().get(0).str("TimeLimit")).isEqualTo("00:09:00");
        int before = c.requests.size();
        Result none = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "Name=nosuch", "TimeLimit=9");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo(lines("scontrol: error: No jobs with name 'nosuch'"));
        assertThat(c.requests.stream()
                        .filter(f -> f.op().equals(Ops.UPDATE_JOB))
                        .count())
                .isEqualTo(c.requests.subList(0, before).stream()
                        .filter(f -> f.op().equals(Ops.UPDATE_JOB))
                        .count());
    }

    @Test
    void updateJobSpeaksSlurmsWordsAndMovesTheTimeLimit() throws Exception {
        FakeCluster c = cluster();
        c.canned.put(Ops.UPDATE_JOB, Frame.op(Ops.OK));
        // runner has 365 days: +5 adds five minutes, -1:00:00 takes an hour
        Result plus = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=+5");
        assertThat(plus.code()).as(plus.err()).isZero();
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("365-00:05:00");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=-1:00:00");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("364-23:00:00");
        Result tooMuch = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1346", "TimeLimit=-5");
        assertThat(tooMuch.code()).isEqualTo(1);
        assertThat(tooMuch.err())
                .isEqualTo(lines("scontrol: error: TimeLimit decrement larger than current time limit (5 > 1)"));
        Result order = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "TimeLimit=+5", "JobId=1347");
        assertThat(order.err())
                .isEqualTo(lines("scontrol: error: JobId must precede TimeLimit increment or decrement"));

        int before = c.requests.size();
        Result unsupported = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1348", "Bogus=3");
        assertThat(unsupported.code()).isEqualTo(1);
        assertThat(unsupported.err())
                .isEqualTo(lines("Update of this parameter is not supported: Bogus=3", "Request aborted"));
        assertThat(c.requests).hasSize(before);
        Result licenses = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1348", "Licenses=matlab");
        assertThat(licenses.code()).isEqualTo(1);
        assertThat(licenses.err()).isEqualTo(lines("Invalid license specification for job 1348"));
        assertThat(c.requests).hasSize(before);

        c.canned.put(
                Ops.UPDATE_JOB,
                Frame.op(Ops.OK).add(new Frame().put("id", 999).put("error", "Invalid job id specified")));
        Result missing = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=999", "TimeLimit=5");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo(lines("Invalid job id specified for job 999"));
    }

    @Test
    void updateJobChecksPriorityNiceThrottleAndMailAsSlurmsScontrolDoesBeforeAsking() throws Exception {
        FakeCluster c = cluster();
        c.canned.put(Ops.UPDATE_JOB, Frame.op(Ops.OK));
        int before = c.requests.size();
        String[][] refused = {
            {"Priority=abc", "scontrol: error: Invalid Priority value: abc"},
            {"Priority=-1", "scontrol: error: Invalid Priority value: -1"},
            {"Priority=4294967295", "scontrol: error: Invalid Priority value: 4294967295"},
            {"TimeLimit=soon", "scontrol: error: Invalid TimeLimit value"},
            {"TimeLimit+=+5", "scontrol: error: Invalid syntax, variations of +=- are not accepted."},
            {"Nice=2147483646", "scontrol: error: Nice value out of range (+/- 2147483645). Value ignored"},
            {"ArrayTaskThrottle=-2", "scontrol: error: Invalid ArrayTaskThrottle value"},
            {"MailType=bogus", "Invalid MailType: bogus"},
            {"Priority+=5", "scontrol: error: Option Priority does not accept [+|-]= syntax"},
            {"Shared=maybe", "scontrol: error: Invalid OverSubscribe value: maybe"},
            {"Contiguous=-1", "scontrol: error: Invalid Contiguous value: -1"},
            {"Reboot=65535", "scontrol: error: Invalid reboot value: 65535"},
        };
        for (String[] r : refused) {
            Result res = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", r[0]);
            assertThat(res.code()).as(r[0]).isEqualTo(1);
            assertThat(res.err()).as(r[0]).isEqualTo(lines(r[1]));
        }
        assertThat(c.requests).hasSize(before);

        // Slurm's abbreviations, its bare Nice (100), TimeLimit+=N, and MailType as Slurm keeps it
        Result ok = Fixtures.run(
                new Scontrol(),
                c,
                BUSY_AT,
                "update",
                "JobId=1347",
                "Pr=5",
                "Nice",
                "MailT=end,begin",
                "MailU=ann@lab",
                "ArrayTaskT=abc",
                "TimeLimit+=5");
        assertThat(ok.code()).as(ok.err()).isZero();
        Frame sent = c.last(Ops.UPDATE_JOB).children().get(0);
        assertThat(sent.str("Priority")).isEqualTo("5");
        assertThat(sent.str("Nice")).isEqualTo("100");
        assertThat(sent.str("MailType")).isEqualTo("BEGIN,END");
        assertThat(sent.str("MailUser")).isEqualTo("ann@lab");
        assertThat(sent.str("ArrayTaskThrottle")).isEqualTo("abc");
        assertThat(sent.str("TimeLimit")).isEqualTo("365-00:05:00");
        // OverSubscribe (or Shared, two letters on), Contiguous and Reboot read yes, no or a number
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "Sh=0", "Con=y", "Reb=2");
        Frame flags = c.last(Ops.UPDATE_JOB).children().get(0);
        assertThat(flags.str("OverSubscribe")).isEqualTo("0");
        assertThat(flags.str("Contiguous")).isEqualTo("1");
        assertThat(flags.str("Reboot")).isEqualTo("1");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "OverSubscribe=YES");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("OverSubscribe"))
                .isEqualTo("1");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit-=1:00:00");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("364-23:00:00");
        // whole minutes, rounded up, as Slurm's scontrol sends them
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=0:30");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("00:01:00");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=10:30");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("00:11:00");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=+0:30");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("365-00:01:00");
        Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=UNLIMITED");
        assertThat(c.last(Ops.UPDATE_JOB).children().get(0).str("TimeLimit")).isEqualTo("UNLIMITED");

        // the controller's refusal, with Slurm's words and the job's id
        c.canned.put(
                Ops.UPDATE_JOB,
                Frame.op(Ops.OK).add(new Frame().put("id", 1347).put("error", "Access/permission denied")));
        Result denied = Fixtures.run(new Scontrol(), c, BUSY_AT, "update", "JobId=1347", "TimeLimit=400-0");
        assertThat(denied.code()).isEqualTo(1);
        assertThat(denied.err()).isEqualTo(lines("Access/permission denied for job 1347"));
    }

    @Test
    void showJobFillsWhatSlurmShowsForPlacementBeginDependencyMemoryAndLimits() throws Exception {
        Job placed = Fixtures.job(1360, "placed").submitted(SUBMIT).build();
        placed = placed.withRequest(placed.request().toBuilder()
                        .placement(new io.motley.core.job.JobRequest.Placement(
                                List.of("debug"), null, "vm", "n[1-2]", false))
                        .dependency("afterok:1346", false)
                        .build()
                        .withBeginTime(BUSY_AT + 3600))
                .withReason(PendingReason.DependencyNeverSatisfied);
        Job unlimitedRunning = Fixtures.job(1361, "free")
                .submitted(SUBMIT)
                .running("vm", SUBMIT, 1000)
                .build();
        FakeCluster c = new FakeCluster().jobs(placed, unlimitedRunning);
        c.canned.put(
                Ops.CONFIG,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.ConfigInfo(
                        IDLE_AT,
                        io.motley.core.config.ConfigListing.slurm(
                                io.motley.core.config.ClusterConfig.parse("DefMemPerCPU=1000")),
                        List.of())));
        String out =
                Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "1360").out();
        assertThat(out)
                .contains("Dependency=afterok:1346(failed)")
                .contains("\n   ReqNodeList=vm ExcNodeList=n[1-2]\n")
                .contains("StartTime=2026-11-22T13:39:16 EndTime=Unknown")
                .contains("MinMemoryCPU=1000M")
                .contains("TRES=cpu=1,mem=1000M,node=1,billing=1");
        String running =
                Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "1361").out();
        assertThat(running)
                .contains("TimeLimit=365-00:00:00")
                .contains("StartTime=2026-11-22T12:39:13 EndTime=2027-11-22T12:39:13");
    }

    @Test
    void showJobOfAnArrayTaskFindsItsRecordAndTheThrottle() throws Exception {
        Job folded = Fixtures.job(1351, "arr").submitted(SUBMIT).build();
        folded = folded.withRequest(folded.request().toBuilder().array("1-5%2").build())
                .withArray(new io.motley.core.job.ArrayPart(1351, -1, "3-5"));
        Job task1 = Fixtures.job(1352, "arr")
                .submitted(SUBMIT)
                .running("vm", SUBMIT, 1000)
                .build()
                .withArray(new io.motley.core.job.ArrayPart(1351, 1, null));
        FakeCluster c = new FakeCluster().jobs(folded, task1);
        Result pending = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "1351_4");
        assertThat(pending.code()).isZero();
        assertThat(pending.out())
                .as("as Slurm's scontrol: the array's record shown as the one task named, without the throttle")
                .startsWith("JobId=1351 ArrayJobId=1351 ArrayTaskId=4 JobName=arr\n")
                .contains("\n   StdOut=/srv/anchor/fmt/slurm-1351_4.out\n");
        Result one = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "1351_1");
        assertThat(one.out()).startsWith("JobId=1352 ArrayJobId=1351 ArrayTaskId=1 JobName=arr\n");
        Result none = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "1351_9");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo(lines("slurm_load_jobs error: Invalid job id specified"));
        Result abc = Fixtures.run(new Scontrol(), c, BUSY_AT, "show", "job", "abc");
        assertThat(abc.code()).isEqualTo(1);
        assertThat(abc.err()).isEqualTo(lines("scontrol_print_job error: Invalid job id specified"));
    }

    @Test
    void anUnknownPartitionIsSaidOnStdout() throws Exception {
        Result r = Fixtures.run(new Scontrol(), cluster(), BUSY_AT, "show", "partition", "nope");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(lines("Partition nope not found"));
        assertThat(r.err()).isEmpty();
    }
}
