package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** squeue on the busy cluster of the reference capture. */
class SqueueTest {
    private static final long NOW = at("2026-11-22T12:39:16");
    private static final long SUBMIT = at("2026-11-22T12:39:13");

    private static FakeCluster busy() {
        return new FakeCluster()
                .jobs(
                        // in id order, as the controller lists them; squeue sorts
                        Fixtures.job(1345, "false")
                                .submitted(at("2026-11-22T12:28:27"))
                                .running("vm", at("2026-11-22T12:28:28"), 1000)
                                .ended(JobState.FAILED, new ExitStatus(1, 0), at("2026-11-22T12:28:28"))
                                .build(),
                        Fixtures.job(1346, "tlimit")
                                .submitted(at("2026-11-22T12:39:11"))
                                .limit(60)
                                .running("vm", at("2026-11-22T12:39:11"), 1000)
                                .build(),
                        Fixtures.job(1347, "runner")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build(),
                        Fixtures.job(1348, "pendA")
                                .priority(4294901028L)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Resources)
                                .build(),
                        Fixtures.job(1349, "pendB")
                                .priority(4294901027L)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build(),
                        Fixtures.job(1353, "held")
                                .priority(4294901023L)
                                .submitted(SUBMIT)
                                .held()
                                .build(),
                        Fixtures.job(1360, "mine")
                                .user("alice", 1000)
                                .priority(4294901016L)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build());
    }

    @Test
    void jsonPrintsTheRestApisJobObjectsForTheSelectedJobs() throws Exception {
        FakeCluster c = busy();
        Result r = Fixtures.run(new Squeue(), c, NOW, "--json", "-u", "alice");
        assertThat(r.code()).as(r.err()).isZero();
        java.util.Map<?, ?> doc = (java.util.Map<?, ?>) io.motley.protocol.dataparser.JsonReader.read(r.out());
        List<?> jobs = (List<?>) doc.get("jobs");
        assertThat(jobs).hasSize(1);
        io.motley.core.job.Job mine =
                c.jobs.stream().filter(j -> j.id() == 1360).findFirst().orElseThrow();
        // the same object the REST API serves for the job, from the same writer
        Object served = io.motley.protocol.dataparser.JsonReader.read(io.motley.protocol.dataparser.Json.write(
                io.motley.protocol.dataparser.SlurmctldJson.job(mine, null, "anchor")));
        assertThat(jobs.get(0)).isEqualTo(served);
        java.util.Map<?, ?> meta = (java.util.Map<?, ?>) doc.get("meta");
        assertThat(meta.get("command")).isEqualTo(List.of("squeue", "--json", "-u", "alice"));
        assertThat(((java.util.Map<?, ?>) meta.get("plugin")).get("data_parser"))
                .isEqualTo("data_parser/v0.0.40");
        assertThat((List<?>) doc.get("errors")).isEmpty();
        Result all = Fixtures.run(new Squeue(), c, NOW, "--json=v0.0.40");
        List<?> active =
                (List<?>) ((java.util.Map<?, ?>) io.motley.protocol.dataparser.JsonReader.read(all.out())).get("jobs");
        assertThat(active).hasSize((int)
                c.jobs.stream().filter(j -> !j.state().isTerminal()).count());
        Result old = Fixtures.run(new Squeue(), c, NOW, "--json=v0.0.38");
        assertThat(old.code()).isEqualTo(1);
        assertThat(old.err()).contains("only data_parser v0.0.40");
    }

    @Test
    void defaultLayoutHasSlurmsWidthsAndOrder() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW);
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)",
                        "              1348     debug    pendA     root PD       0:00      1 (Resources)",
                        "              1349     debug    pendB     root PD       0:00      1 (Priority)",
                        "              1360     debug     mine    alice PD       0:00      1 (Priority)",
                        "              1353     debug     held     root PD       0:00      1 (JobHeldUser)",
                        "              1346     debug   tlimit     root  R       0:05      1 vm",
                        "              1347     debug   runner     root  R       0:03      1 vm"));
    }

    @Test
    void startListsPendingJobsWithExpectedStartsAsSlurmDoes() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy().expect(1348, at("2026-11-22T12:40:11"), "vm"), NOW, "--start");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        lines(
                                "             JOBID PARTITION     NAME     USER ST          START_TIME  NODES SCHEDNODES           NODELIST(REASON)",
                                "              1348     debug    pendA     root PD 2026-11-22T12:40:11      1 vm                   (Resources)",
                                "              1349     debug    pendB     root PD                 N/A      1 (null)               (Priority)",
                                "              1353     debug     held     root PD                 N/A      1 (null)               (JobHeldUser)",
                                "              1360     debug     mine    alice PD                 N/A      1 (null)               (Priority)"));
    }

    @Test
    void userFormatWithoutHeader() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-o", "%i|%T|%r");
        assertThat(r.out())
                .isEqualTo(lines(
                        "1348|PENDING|Resources",
                        "1349|PENDING|Priority",
                        "1360|PENDING|Priority",
                        "1353|PENDING|JobHeldUser",
                        "1346|RUNNING|None",
                        "1347|RUNNING|None"));
    }

    /**
     * Slurm's squeue cuts -o at every '%': "%%" prints nothing, and a piece whose code is no letter
     * is printed as written, after an error line.
     */
    @Test
    void aFormatIsReadAsSlurmsSqueueReadsIt() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-t", "R", "-o", "job=%i|%T%%");
        assertThat(r.out()).isEqualTo(lines("job=JOBID|STATE", "job=1346|RUNNING", "job=1347|RUNNING"));
        Result odd = Fixtures.run(new Squeue(), busy(), NOW, "-t", "R", "-o", "%.5i %-4u %.2t");
        assertThat(odd.code()).isZero();
        assertThat(odd.out()).isEqualTo(lines("JOBID %-4u ST", " 1346 %-4u  R", " 1347 %-4u  R"));
        assertThat(odd.err()).isEqualTo(lines("squeue: error: Invalid job format specification: -"));
    }

    @Test
    void stateFilter() throws Exception {
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "-t", "R", "-o", "%i")
                        .out())
                .isEqualTo(lines("1346", "1347"));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "--states=PD", "-o", "%i")
                        .out())
                .isEqualTo(lines("1348", "1349", "1360", "1353"));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "-t", "all", "-o", "%i %t")
                        .out())
                .isEqualTo(lines("1345 F", "1348 PD", "1349 PD", "1360 PD", "1353 PD", "1346 R", "1347 R"));
        Result bad = Fixtures.run(new Squeue(), busy(), NOW, "-t", "XX");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err())
                .as("Slurm's list of states follows, then an empty line")
                .isEqualTo(lines(
                        "squeue: error: Invalid job state specified: XX",
                        "squeue: error: Valid job states include: " + Squeue.VALID_STATES,
                        ""));
    }

    @Test
    void meShowsOnlyTheCallersJobs() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, 1000, "alice", "", "--me");
        assertThat(r.out())
                .isEqualTo(lines(
                        "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)",
                        "              1360     debug     mine    alice PD       0:00      1 (Priority)"));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "-u", "1000", "-o", "%i")
                        .out())
                .isEqualTo(lines("1360"));
    }

    /**
     * A suspended job is listed without -t, as S, with its nodes and a clock that stands at what it
     * ran (Slurm's job_time_used); -t S and -t suspended select it; a resumed job's time leaves
     * its suspension out.
     */
    @Test
    void aSuspendedJobShowsSAndItsClockStands() throws Exception {
        io.motley.core.job.Job started = Fixtures.job(1380, "counter")
                .submitted(SUBMIT)
                .running("vm", SUBMIT - 100, 1000)
                .build();
        FakeCluster c = new FakeCluster()
                .jobs(
                        started.suspended(SUBMIT - 40),
                        Fixtures.job(1381, "again")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT - 100, 1000)
                                .build()
                                .suspended(SUBMIT - 90)
                                .resumed(SUBMIT - 30));
        assertThat(Fixtures.run(new Squeue(), c, NOW).out())
                .isEqualTo(lines(
                        "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)",
                        // Slurm sorts by state's number: RUNNING (1) before SUSPENDED (2)
                        "              1381     debug    again     root  R       0:43      1 vm",
                        "              1380     debug  counter     root  S       1:00      1 vm"));
        for (String state : List.of("S", "suspended", "SUSPENDED")) {
            assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-t", state, "-o", "%i %t %T")
                            .out())
                    .as(state)
                    .isEqualTo(lines("1380 S SUSPENDED"));
        }
    }

    @Test
    void jobIdsShowThoseJobsWhilePendingOrRunningUnlessStatesAskForMore() throws Exception {
        // as Slurm: a script waiting for `squeue -j N` to come back empty must see a finished job leave
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-j", "1345,1349");
        assertThat(r.out())
                .isEqualTo(lines(
                        "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)",
                        "              1349     debug    pendB     root PD       0:00      1 (Priority)"));
        Result all = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-j", "1345", "-j", "1349", "-t", "all", "-o", "%i");
        assertThat(all.out()).as("-t all, and -j given twice").isEqualTo(lines("1345", "1349"));
        Result finished = Fixtures.run(new Squeue(), busy(), NOW, "-j", "1345");
        assertThat(finished.code()).as("a finished job is known: no error").isZero();
        assertThat(finished.out())
                .isEqualTo(
                        lines("             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)"));
        Result pendingOnly = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-j", "1345,1349", "-t", "PD", "-o", "%i");
        assertThat(pendingOnly.out()).as("named states still filter named jobs").isEqualTo(lines("1349"));
        Result bad = Fixtures.run(new Squeue(), busy(), NOW, "-j", "x1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("squeue: error: Invalid job id: x1"));
    }

    @Test
    void niceAndQosColumnsAreTheJobsOwn() throws Exception {
        io.motley.core.job.Job base = Fixtures.job(1370, "niced")
                .priority(9900)
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        FakeCluster c = new FakeCluster()
                .jobs(
                        base.withRequest(
                                base.request().charged("physics", "high").withNice(100)),
                        Fixtures.job(1371, "plain")
                                .priority(10000)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build());
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-o", "%i %Q %y %q %a")
                        .out())
                .isEqualTo(lines("1371 10000 0 normal (null)", "1370 9900 100 high physics"));
    }

    // ---- text users typed, and why a job failed ----

    @Test
    void aNewlineInANameCannotSplitARow() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1350, "evil\n  1351     debug     fake")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build(),
                        Fixtures.job(1352, "bell\u0007\u001b[2J")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build());
        Result r = Fixtures.run(new Squeue(), c, NOW, "-h", "-o", "%i %j");
        assertThat(r.out()).isEqualTo(lines("1350 evil\\n  1351     debug     fake", "1352 bell\\x07\\x1b[2J"));
    }

    @Test
    void aFailedLaunchShowsWhyInTheReasonColumns() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1353, "nospace")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .ended(JobState.FAILED, new ExitStatus(1, 0), SUBMIT)
                                .desc("Launch failed on vm: No space left on device")
                                .build(),
                        Fixtures.job(1354, "fine")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .ended(JobState.COMPLETED, ExitStatus.NONE, SUBMIT)
                                .build());
        Result r = Fixtures.run(new Squeue(), c, NOW, "-h", "-t", "all", "-o", "%i|%R|%r");
        assertThat(r.out())
                .isEqualTo(
                        lines(
                                "1354|vm|None",
                                "1353|(Launch failed on vm: No space left on device)|Launch failed on vm: No space left on device"));
    }

    @Test
    void listOptionsTakeRepeatsAndSpacesAsSlurmDoes() throws Exception {
        // a repeated item once threw IllegalArgumentException: duplicate element
        Result r = Fixtures.run(
                new Squeue(),
                busy(),
                NOW,
                "-h",
                "-o",
                "%i",
                "-p",
                "debug,debug",
                "-n",
                "pendA, pendA,,held",
                "-u",
                "root",
                "-u",
                "root,alice");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(lines("1348", "1353"));
    }

    // ---- what the controller selects and sends ----

    @Test
    void dashUpperUIsTheAccountFilterAsInSlurm() throws Exception {
        FakeCluster c = busy();
        Result u = Fixtures.run(new Squeue(), c, NOW, "-h", "-U", "chem", "-o", "%i");
        assertThat(u.code()).as(u.err()).isZero();
        assertThat(c.last(io.motley.protocol.Ops.QUEUE).str("accounts")).isEqualTo("chem");
    }

    @Test
    void theControllerSelectsAndSendsOnlyThePrintedFields() throws Exception {
        FakeCluster c = busy();
        Result r = Fixtures.run(
                new Squeue(), c, NOW, "-h", "-u", "alice", "-p", "debug", "-n", "mine", "-A", "physics", "-o", "%i %u");
        assertThat(r.code()).isZero();
        io.motley.protocol.Frame asked = c.last(io.motley.protocol.Ops.QUEUE);
        assertThat(asked)
                .as("squeue asks with its filters, not for every job's record")
                .isNotNull();
        assertThat(c.last(io.motley.protocol.Ops.JOBS)).isNull();
        assertThat(asked.str("users")).isEqualTo("alice");
        assertThat(asked.str("partitions")).isEqualTo("debug");
        assertThat(asked.str("names")).isEqualTo("mine");
        assertThat(asked.str("accounts")).isEqualTo("physics");
        // with the partition and start squeue sorts by
        assertThat(asked.str("fields")).isEqualTo("iuPSe");
        // 1360 is alice's but charged to no account
        assertThat(r.out()).isEmpty();
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-u", "alice", "-o", "%i %u")
                        .out())
                .isEqualTo(lines("1360 alice"));
    }

    @Test
    void accountFilterShowsThatAccountsJobs() throws Exception {
        io.motley.core.job.Job base = Fixtures.job(1380, "charged")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        FakeCluster c = busy().jobs(base.withRequest(base.request().charged("physics", null)));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "--account=physics", "-o", "%i %a")
                        .out())
                .isEqualTo(lines("1380 physics"));
    }

    @Test
    void arrayOptionListsEachPendingTask() throws Exception {
        io.motley.core.job.Job array = Fixtures.job(1390, "arr")
                .priority(4294901030L)
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build()
                .withArray(new io.motley.core.job.ArrayPart(1390, -1, "3-5"));
        FakeCluster c = new FakeCluster().jobs(array);
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-o", "%i %A").out())
                .isEqualTo(lines("1390_[3-5] 1390"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-r", "-o", "%i %t").out())
                .isEqualTo(lines("1390_3 PD", "1390_4 PD", "1390_5 PD"));
    }

    @Test
    void everyFormatCodeHasSlurmsHeaderAndValue() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1348, "pendA")
                                .priority(4294901028L)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Resources)
                                .build(),
                        Fixtures.job(1351, "arr")
                                .priority(4294901020L)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build()
                                .withArray(new io.motley.core.job.ArrayPart(1351, -1, "1-3")),
                        Fixtures.job(1352, "task")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build()
                                .withArray(new io.motley.core.job.ArrayPart(1351, 7, "")));
        Result r = Fixtures.run(
                new Squeue(), c, NOW, "-o", "%b|%d|%f|%F|%h|%H|%I|%J|%K|%n|%O|%p|%v|%w|%W|%x|%X|%z|%g|%G|%o");
        assertThat(r.out())
                .isEqualTo(
                        lines(
                                "TRES_PER_NODE|MIN_TMP_DISK|FEATURES|ARRAY_JOB_ID|OVER_SUBSCRIBE|SOCKETS_PER_NODE"
                                        + "|CORES_PER_SOCKET|THREADS_PER_CORE|ARRAY_TASK_ID|REQ_NODES|CONTIGUOUS|PRIORITY"
                                        + "|RESERVATION|WCKEY|LICENSES|EXC_NODES|CORE_SPEC|S:C:T|GROUP|GROUP|COMMAND",
                                "N/A|0|(null)|1348|OK|*|*|*|N/A||0|0.99998457101173|(null)|(null)|(null)||N/A|*:*:*|root|0|(null)",
                                "N/A|0|(null)|1351|OK|*|*|*|1-3||0|0.99998456914909|(null)|(null)|(null)||N/A|*:*:*|root|0|(null)",
                                "N/A|0|(null)|1351|OK|*|*|*|7||0|0.99998433724977|(null)|(null)|(null)||N/A|*:*:*|root|0|(null)"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-r", "-o", "%i %F %K")
                        .out())
                .isEqualTo(lines("1348 1348 N/A", "1351_1 1351 1", "1351_2 1351 2", "1351_3 1351 3", "1351_7 1351 7"));
    }

    @Test
    void oneUnknownJobIdIsSlurmsError() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-j", "999999");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(lines("slurm_load_jobs error: Invalid job id specified"));
        Result filtered = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-j", "1346", "-t", "PD");
        assertThat(filtered.code()).as("a job that exists but is filtered out").isZero();
        assertThat(filtered.out()).isEmpty();
        Result several = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-j", "999998,999999");
        assertThat(several.code()).as("several ids are filtered, as Slurm's").isZero();
        assertThat(several.err()).isEmpty();
    }

    @Test
    void unknownUserIsSlurmsError() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-u", "nosuchuser");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEqualTo(lines("squeue: error: Invalid user: nosuchuser", ""));
        assertThat(r.out())
                .isEqualTo(
                        lines("             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)"));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-u", "alice,root,1000")
                        .err())
                .as("owners of listed jobs, local users and uids are known")
                .isEmpty();
    }

    @Test
    void oneTaskOfAPendingArrayIsShownAlone() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1351, "arr")
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build()
                                .withArray(new io.motley.core.job.ArrayPart(1351, -1, "2-5")),
                        Fixtures.job(1352, "arr")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build()
                                .withArray(new io.motley.core.job.ArrayPart(1351, 1, "")),
                        Fixtures.job(1353, "other")
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build());
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-j", "1351_3", "-o", "%i %t")
                        .out())
                .isEqualTo(lines("1351_3 PD"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-j", "1351_1,1351_4,1353", "-o", "%i %t")
                        .out())
                .isEqualTo(lines("1351_4 PD", "1353 PD", "1351_1 R"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-j", "1351", "-o", "%i %t")
                        .out())
                .isEqualTo(lines("1351_[2-5] PD", "1351_1 R"));
    }

    @Test
    void longWithoutHeaderHasNoDateLine() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-l", "-h", "-t", "R");
        assertThat(r.out())
                .isEqualTo(lines(
                        "              1346     debug   tlimit     root  RUNNING       0:05      1:00      1 vm",
                        "              1347     debug   runner     root  RUNNING       0:03 365-00:00:00      1 vm"));
    }

    @Test
    void clustersNamingThisOnePrintsItsNameFirstAsSlurmsSqueue() throws Exception {
        Result r = Fixtures.run(new Squeue(), busy(), NOW, "-M", "anchor", "-t", "R", "-o", "%i");
        assertThat(r.out()).isEqualTo(lines("CLUSTER: anchor", "JOBID", "1346", "1347"));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-M", "anchor", "-h", "-t", "R", "-o", "%i")
                        .out())
                .isEqualTo(lines("1346", "1347"));
        Result far = Fixtures.run(new Squeue(), busy(), NOW, "--clusters=far");
        assertThat(far.code()).isEqualTo(1);
        assertThat(far.err()).startsWith("squeue: error: 'far' can't be reached now");
    }

    @Test
    void cancelledArrayIsATaskPerLineWithArrayOption() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(Fixtures.job(1390, "arr")
                        .submitted(SUBMIT)
                        .ended(JobState.CANCELLED, new ExitStatus(0, 0), NOW)
                        .build()
                        .withArray(new io.motley.core.job.ArrayPart(1390, -1, "3-5")));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-r", "-t", "all", "-o", "%i %t")
                        .out())
                .isEqualTo(lines("1390_3 CA", "1390_4 CA", "1390_5 CA"));
    }

    @Test
    void defaultOrderIsSlurmsPartitionStatePriorityAfterItsPresortByStart() throws Exception {
        // Slurm 22.05 sorts by P,t,-p after a merge sort by start time whose compare puts a job without one
        // after whichever it meets: two held jobs (priority 0, no start) come out the later one first
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1001, "a")
                                .priority(100)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build(),
                        Fixtures.job(1002, "h1").submitted(SUBMIT).held().build(),
                        Fixtures.job(1003, "h2").submitted(SUBMIT).held().build(),
                        Fixtures.job(1004, "b")
                                .priority(99)
                                .submitted(SUBMIT)
                                .pending(PendingReason.Priority)
                                .build(),
                        Fixtures.job(1005, "r")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build(),
                        Fixtures.job(1006, "c")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .ended(JobState.CANCELLED, new ExitStatus(0, 15), SUBMIT)
                                .build());
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-t", "all", "-o", "%i %t")
                        .out())
                .isEqualTo(lines("1006 CA", "1001 PD", "1004 PD", "1003 PD", "1002 PD", "1005 R"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-S", "u", "-o", "%i")
                        .out())
                .as("-S replaces the keys; the presort stays")
                .isEqualTo(lines("1005", "1004", "1003", "1002", "1001"));
    }

    @Test
    void timesLimitsIdsAndDependenciesReadAsSlurms() throws Exception {
        long end = at("2026-11-22T12:39:14");
        Job dep = Fixtures.job(1405, "dep")
                .submitted(SUBMIT)
                .pending(PendingReason.DependencyNeverSatisfied)
                .build();
        dep = dep.withRequest(
                dep.request().toBuilder().dependency("afterok:1346", false).build());
        FakeCluster c = new FakeCluster()
                .jobs(
                        Fixtures.job(1401, "done")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .ended(JobState.COMPLETED, ExitStatus.NONE, end)
                                .build(),
                        Fixtures.job(1402, "run")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build(),
                        Fixtures.job(1403, "canc")
                                .submitted(SUBMIT)
                                .ended(JobState.CANCELLED, ExitStatus.NONE, end)
                                .build(),
                        Fixtures.job(1404, "next")
                                .submitted(SUBMIT)
                                .pending(PendingReason.Resources)
                                .build(),
                        dep,
                        Fixtures.job(1407, "task")
                                .submitted(SUBMIT)
                                .running("vm", SUBMIT, 1000)
                                .build()
                                .withArray(new io.motley.core.job.ArrayPart(1406, 2, null)))
                .expect(1404, at("2026-11-22T13:00:00"), "vm");
        Result r = Fixtures.run(new Squeue(), c, NOW, "-h", "-t", "all", "-S", "i", "-o", "%i|%A|%l|%L|%S|%e|%E");
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-t", "all", "-S", "i", "-o", "%B")
                        .out())
                .as("no batch host: n/a")
                .isEqualTo(lines("vm", "vm", "n/a", "n/a", "n/a", "vm"));
        assertThat(r.out())
                .as("a started job without a limit has 365 days; one ended unstarted started at its end; %A is the"
                        + " record's id")
                .isEqualTo(lines(
                        "1401|1401|365-00:00:00|364-23:59:59|2026-11-22T12:39:13|2026-11-22T12:39:14|(null)",
                        "1402|1402|365-00:00:00|364-23:59:57|2026-11-22T12:39:13|2027-11-22T12:39:13|(null)",
                        "1403|1403|UNLIMITED|UNLIMITED|2026-11-22T12:39:14|2026-11-22T12:39:14|(null)",
                        "1404|1404|UNLIMITED|UNLIMITED|2026-11-22T13:00:00|NONE|(null)",
                        "1405|1405|UNLIMITED|UNLIMITED|N/A|N/A|afterok:1346(failed)",
                        "1406_2|1407|365-00:00:00|364-23:59:57|2026-11-22T12:39:13|2027-11-22T12:39:13|(null)"));
    }

    @Test
    void aNodeTheClusterDoesNotHaveIsAnError() throws Exception {
        FakeCluster c = busy().nodes(Fixtures.vm());
        Result bad = Fixtures.run(new Squeue(), c, NOW, "-w", "nonode");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("squeue: error: Invalid node name nonode"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-w", "vm", "-o", "%i")
                        .out())
                .isEqualTo(lines("1346", "1347"));
    }

    @Test
    void licensesAndReservationsMatchNoJobAndFederationFlagsChangeNothing() throws Exception {
        String header = "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)";
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-L", "foo").out()).isEqualTo(lines(header));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "--reservation=nores")
                        .out())
                .isEqualTo(lines(header));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "--federation", "--local", "--sibling")
                        .out())
                .isEqualTo(Fixtures.run(new Squeue(), busy(), NOW).out());
    }

    @Test
    void aThrottledArraysTaskIdKeepsItsThrottle() throws Exception {
        io.motley.core.job.Job folded = Fixtures.job(1351, "arr")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        folded = folded.withRequest(folded.request().toBuilder().array("1-5%2").build())
                .withArray(new io.motley.core.job.ArrayPart(1351, -1, "1-5"));
        assertThat(Fixtures.run(new Squeue(), new FakeCluster().jobs(folded), NOW, "-h", "-o", "%K")
                        .out())
                .isEqualTo(lines("1-5%2"));
    }

    @Test
    void sortKeysAreSlurmsFormatCodes() throws Exception {
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "-S", "-i", "-o", "%i")
                        .out())
                .isEqualTo(lines("1360", "1353", "1349", "1348", "1347", "1346"));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "--sort=+u,-M", "-o", "%i %u %M")
                        .out())
                .as("ties keep squeue's order")
                .isEqualTo(lines(
                        "1360 alice 0:00",
                        "1346 root 0:05",
                        "1347 root 0:03",
                        "1353 root 0:00",
                        "1349 root 0:00",
                        "1348 root 0:00"));
        Result bad = Fixtures.run(new Squeue(), busy(), NOW, "-S", "i,%");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("squeue: error: Invalid sort specification: %"));
    }

    @Test
    void qosFilter() throws Exception {
        io.motley.core.job.Job base = Fixtures.job(1370, "high")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        FakeCluster c = busy().jobs(base.withRequest(base.request().charged("physics", "high")));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-q", "high", "-o", "%i")
                        .out())
                .isEqualTo(lines("1370"));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "--qos=normal", "-t", "R", "-o", "%i")
                        .out())
                .isEqualTo(lines("1346", "1347"));
    }

    @Test
    void slurmStatesNoJobIsInAreAccepted() throws Exception {
        Result cg = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-t", "CG");
        assertThat(cg.code()).isZero();
        assertThat(cg.out()).isEmpty();
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-h", "-t", "completing,S,suspended,R", "-o", "%i")
                        .out())
                .isEqualTo(lines("1346", "1347"));
    }

    @Test
    void iterateListsAgainEverySecondsWithTheDate() throws Exception {
        java.util.List<Long> slept = new java.util.ArrayList<>();
        Squeue squeue = new Squeue(u -> true, s -> {
            slept.add(s);
            if (slept.size() == 2) throw new InterruptedException();
        });
        Result r = Fixtures.run(squeue, busy(), NOW, "-i", "5", "-t", "R", "-o", "%i %M");
        assertThat(r.code()).isZero();
        assertThat(slept).containsExactly(5L, 5L);
        assertThat(r.out())
                .isEqualTo(lines(
                        "Sun Nov 22 12:39:16 2026",
                        "JOBID TIME",
                        "1346 0:05",
                        "1347 0:03",
                        "",
                        "Sun Nov 22 12:39:21 2026",
                        "JOBID TIME",
                        "1346 0:10",
                        "1347 0:08",
                        ""));
        assertThat(Fixtures.run(new Squeue(), busy(), NOW, "-i", "0").code()).isEqualTo(1);
    }

    @Test
    void longFormatTakesSlurmsFieldNames() throws Exception {
        Result r = Fixtures.run(
                new Squeue(),
                busy(),
                NOW,
                "-t",
                "R",
                "-O",
                "JobID,Name:10,UserName:.6,State:8|,partition:.7,TimeUsed,NumNodes:6,ReasonList");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        lines(
                                "JOBID               NAME        USERSTATE   |PARTITITIME                NODES NODELIST(REASON)    ",
                                "1346                tlimit      rootRUNNING |  debug0:05                1     vm                  ",
                                "1347                runner      rootRUNNING |  debug0:03                1     vm                  "));
        Result bad = Fixtures.run(new Squeue(), busy(), NOW, "-h", "-t", "R", "-O", "JobID:5,Bogus:3,StateCompact:3");
        assertThat(bad.err()).isEqualTo(lines("squeue: error: Invalid job format specification: Bogus"));
        assertThat(bad.out()).as("as Slurm's: no column for it").isEqualTo(lines("1346 R  ", "1347 R  "));
    }

    @Test
    void longFormatJobIdIsTheRecordsOwnIdAndFieldsWithoutACodeHaveSlurmsValues() throws Exception {
        FakeCluster c = new FakeCluster()
                .jobs(Fixtures.job(1391, "arr")
                        .submitted(SUBMIT)
                        .running("vm", SUBMIT, 1000)
                        .build()
                        .withArray(new io.motley.core.job.ArrayPart(1390, 3, null)));
        Result r = Fixtures.run(
                new Squeue(), c, NOW, "-O", "JobID:6,JobArrayID:8,BatchFlag:3,Profile:7,STDIN,Container:7,PackJobID:4");
        assertThat(r.out())
                .isEqualTo(lines(
                        "JOBID JOBID   BATPROFILESTDIN               CONTAINHET_",
                        "1391  1390_3  1  NotSet /dev/null           (null) N/A "));
    }

    /** Jobs like the reference's: finished, failed, -c 2 --mem=500, cancelled while pending, held, on a dependency, waiting. */
    private static FakeCluster records() {
        Job env1 = Fixtures.job(1401, "envdump")
                .submitted(at("2026-11-22T12:30:00"))
                .running("vm", at("2026-11-22T12:30:01"), 1000)
                .ended(JobState.COMPLETED, ExitStatus.NONE, at("2026-11-22T12:30:02"))
                .build();
        env1 = env1.withRequest(Sbatch.withCommand(env1.request(), "/srv/anchor/fmt/envdump.sh", List.of("a", "b")));
        return new FakeCluster()
                .jobs(
                        env1,
                        Fixtures.job(1402, "fail")
                                .submitted(at("2026-11-22T12:30:00"))
                                .running("vm", at("2026-11-22T12:30:00"), 1000)
                                .ended(JobState.FAILED, new ExitStatus(3, 0), at("2026-11-22T12:30:01"))
                                .build(),
                        Fixtures.job(1403, "env3")
                                .cpus(1, 2)
                                .memPerNode(500)
                                .submitted(at("2026-11-22T12:30:00"))
                                .running("vm", at("2026-11-22T12:30:00"), 500)
                                .ended(JobState.COMPLETED, ExitStatus.NONE, at("2026-11-22T12:30:01"))
                                .build(),
                        Fixtures.job(1404, "canc")
                                .submitted(SUBMIT)
                                .ended(JobState.CANCELLED, ExitStatus.NONE, SUBMIT)
                                .build(),
                        Fixtures.job(1405, "held").submitted(SUBMIT).held().build(),
                        Fixtures.job(1406, "dep")
                                .submitted(SUBMIT)
                                .pending(PendingReason.Dependency)
                                .build(),
                        Fixtures.job(1407, "pend1")
                                .submitted(at("2026-11-22T12:38:14"))
                                .pending(PendingReason.Priority)
                                .build());
    }

    @Test
    void longFormatFieldsOfTheJobsRecordHaveSlurmsHeadersAndValues() throws Exception {
        Result r = Fixtures.run(
                new Squeue(),
                records(),
                NOW,
                "-t",
                "all",
                "-O",
                "JobID:5,exit_code:4,cpus-per-task:3,MaxCPUs:3,MaxNodes:3,NTPerNode:3,NumTasks:11,Requeue:3,"
                        + "RestartCnt:3,PendingTime:4,AllocSID:2,AssocID:2,Deadline:4,AllocNodes:4,Cluster:7,tres-alloc");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .isEqualTo(lines(
                        "JOBIDEXITCPUMAXMAXNTATASKS      REQRESPENDALASDEADALLOCLUSTERTRES_ALLOC          ",
                        "1404 0   1  1  1  0  4294967294 1  0  0   0 0 N/A vm  anchor cpu=1,node=1,billing",
                        "1401 0   1  1  1  0  1          1  0  1   0 0 N/A vm  anchor cpu=1,mem=1000M,node",
                        "1403 0   2  2  1  0  1          1  0  0   0 0 N/A vm  anchor cpu=2,mem=500M,node=",
                        "1402 768 1  1  1  0  1          1  0  0   0 0 N/A vm  anchor cpu=1,mem=1000M,node",
                        "1406 0   1  1  1  0  1          1  0  3   0 0 N/A vm  anchor cpu=1,node=1,billing",
                        "1407 0   1  1  1  0  1          1  0  62  0 0 N/A vm  anchor cpu=1,node=1,billing",
                        "1405 0   1  1  1  0  1          1  0  3   0 0 N/A vm  anchor cpu=1,node=1,billing"));
    }

    @Test
    void longFormatTimesOfTheRecordAreNaWhileTheJobIsNotEligible() throws Exception {
        Result r = Fixtures.run(
                new Squeue(), records(), NOW, "-t", "all", "-h", "-O", "JobID:5,EligibleTime,AccrueTime,LastSchedEval");
        assertThat(r.out())
                .isEqualTo(lines(
                        "1404 2026-11-22T12:39:13 N/A                 2026-11-22T12:39:13 ",
                        "1401 2026-11-22T12:30:00 2026-11-22T12:30:00 2026-11-22T12:30:01 ",
                        "1403 2026-11-22T12:30:00 2026-11-22T12:30:00 2026-11-22T12:30:00 ",
                        "1402 2026-11-22T12:30:00 2026-11-22T12:30:00 2026-11-22T12:30:00 ",
                        "1406 N/A                 N/A                 2026-11-22T12:39:13 ",
                        "1407 2026-11-22T12:38:14 2026-11-22T12:38:14 2026-11-22T12:38:14 ",
                        "1405 N/A                 N/A                 2026-11-22T12:39:13 "));
    }

    @Test
    void commandIsTheScriptAsSubmittedAndOutputFilesAreScontrols() throws Exception {
        Result r = Fixtures.run(
                new Squeue(), records(), NOW, "-t", "CD", "-h", "-O", "JobID:5,Command:33,STDOUT:36,STDERR");
        assertThat(r.out())
                .isEqualTo(
                        lines(
                                "1401 /srv/anchor/fmt/envdump.sh a b   /srv/anchor/fmt/slurm-1401.out      /srv/anchor/fmt/slur",
                                "1403 (null)                           /srv/anchor/fmt/slurm-1403.out      /srv/anchor/fmt/slur"));
        assertThat(Fixtures.run(new Squeue(), records(), NOW, "-t", "CD", "-o", "%.5i %o")
                        .out())
                .isEqualTo(lines("JOBID COMMAND", " 1401 /srv/anchor/fmt/envdump.sh a b", " 1403 (null)"));
    }

    @Test
    void overSubscribeIsNoForAnExclusiveJob() throws Exception {
        Job alone = Fixtures.job(1410, "alone")
                .submitted(SUBMIT)
                .running("vm", SUBMIT, 2000)
                .build();
        JobRequest r = alone.request();
        alone = alone.withRequest(r.toBuilder()
                .placement(new JobRequest.Placement(r.placement().partitions(), null, null, null, true))
                .build());
        Job shared = Fixtures.job(1411, "shared")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        FakeCluster c = new FakeCluster().jobs(alone, shared);
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-O", "JobID:5,OverSubscribe:3")
                        .out())
                .isEqualTo(lines("1411 OK ", "1410 NO "));
        assertThat(Fixtures.run(new Squeue(), c, NOW, "-h", "-o", "%i %h").out())
                .isEqualTo(lines("1411 OK", "1410 NO"));
    }

    @Test
    void maxNodesIsARangesMaximumNotTheSpreadOfATaskCount() {
        Job one = Fixtures.job(1420, "n2")
                .submitted(SUBMIT)
                .pending(PendingReason.Priority)
                .build();
        // sbatch -n 2 (no -N): up to two nodes, but no maximum the user gave
        Job tasks =
                one.withRequest(one.request().toBuilder().ntasks(2).nodes(1, 2).build());
        assertThat(Squeue.maxNodes(tasks)).isEqualTo(1);
        // sbatch -N 1-3
        Job range = one.withRequest(one.request().toBuilder().nodes(1, 3).build());
        assertThat(Squeue.maxNodes(range)).isEqualTo(3);
    }
}
