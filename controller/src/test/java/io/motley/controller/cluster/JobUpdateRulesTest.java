package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.JobUpdate;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scontrol update on jobs that run, and the keys Slurm 22.05 takes for them: TimeLimit (users
 * shorten, operators also lengthen; the agents are told), Priority (an operator's lasts, 0 holds),
 * Nice beside it, ArrayTaskThrottle and MailType/MailUser; each survives a controller restart.
 */
class JobUpdateRulesTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);
    static final Caller ROOT = Caller.uid(0);
    static final Caller ANN = as(1000, 1000, "ann");
    static final Caller BOB = as(1001, 1001, "bob");

    Cluster cluster(Store store, String conf) {
        return new Cluster(ClusterConfig.parse("NodeTimeout=1000\n" + conf), store, now::get);
    }

    static JobRequest req(String limit) {
        JobRequest.Builder b = JobRequest.builder("#!/bin/sh\nsleep 300\n", "/tmp")
                .name("j")
                .cpusPerTask(1)
                .submitHost("h");
        if (limit != null) b.timeLimit(TimeLimit.of(io.motley.core.time.Durations.parseTimeLimit(limit)));
        return b.build();
    }

    @Test
    void aPendingJobsDefaultMemoryFollowsItsCpusAndAnUpdateNoNodeFitsIsRefusedInSlurmctldsWords() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "DefMemPerCPU=1000\nPartitionName=p Nodes=n1 Default=YES State=DOWN\n");
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 4));
            long id = id(c.submit(req(null), ANN));
            assertThat(c.job(id).orElseThrow().allocMemMiB()).isEqualTo(1000);
            assertThat(c.updateJob(id, Map.of("NumCPUs", "2"), ANN)).isEmpty();
            // DefMemPerCPU gives each CPU its share, as slurmctld's MinMemoryCPU=1000M stays after NumCPUs=2
            assertThat(c.job(id).orElseThrow().allocMemMiB()).isEqualTo(2000);
            assertThat(c.job(id).orElseThrow().minMemory())
                    .isEqualTo(new io.motley.core.job.MemoryRequest.PerCpu(1000));
            assertThat(c.updateJob(id, Map.of("NumCPUs", "8"), ANN))
                    .contains("Requested partition configuration not available now");
            assertThat(c.job(id).orElseThrow().request().cpus()).isEqualTo(2);
        }
    }

    @Test
    void releasingARunningJobThatIsNotHeldChangesNothingAsInSlurm() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 4));
            long id = id(c.submit(req("5"), ANN));
            c.schedulePass();
            assertThat(c.updateJob(id, Map.of("Priority", "500"), ROOT)).isEmpty();
            assertThat(c.hold(List.of(id), ROOT, false)).allMatch(o -> o.error() == null);
            // the operator's priority stays fixed: a release of a job that is not held is ignored
            assertThat(JobUpdate.fixedPriority(c.job(id).orElseThrow().request()))
                    .hasValue(500);
            assertThat(c.job(id).orElseThrow().priority()).isEqualTo(500);
        }
    }

    @Test
    void overSubscribeAndRebootAreAnOperatorsContiguousTheOwnersOnlyToTakeAway() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PartitionName=p Nodes=n1 Default=YES State=DOWN\n");
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 4));
            long id = id(c.submit(
                    req(null).toBuilder()
                            .placement(new JobRequest.Placement(List.of(), null, null, null, true))
                            .build(),
                    ANN));
            assertThat(c.job(id).orElseThrow().request().overSubscribe()).isEqualTo("NO");
            for (String key : List.of("OverSubscribe", "Reboot", "Contiguous")) {
                assertThat(c.updateJob(id, Map.of(key, "1"), ANN)).as(key).contains("Access/permission denied");
            }
            assertThat(c.updateJob(id, Map.of("OverSubscribe", "1", "Contiguous", "1", "Reboot", "1"), ROOT))
                    .isEmpty();
            JobRequest r = c.job(id).orElseThrow().request();
            // yes drops --exclusive, as slurmctld's share_res=1 clears whole_node
            assertThat(r.exclusive()).isFalse();
            assertThat(r.overSubscribe()).isEqualTo("YES");
            assertThat(r.flag("contiguous")).isEqualTo(1);
            assertThat(r.flag("reboot")).isEqualTo(1);
            assertThat(c.updateJob(id, Map.of("Contiguous", "0"), ANN)).isEmpty();
            assertThat(c.updateJob(id, Map.of("OverSubscribe", "0", "Reboot", "0"), ROOT))
                    .isEmpty();
            r = c.job(id).orElseThrow().request();
            assertThat(r.overSubscribe()).isEqualTo("NO");
            assertThat(r.flag("contiguous")).isZero();
            assertThat(r.flag("reboot")).isZero();
        }
    }

    @Test
    void aRunningJobsLimitIsShortenedByItsOwnerLengthenedOnlyByAnOperatorAndTheAgentIsTold() {
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        long id;
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            c.register(n1, ClusterTest.registration("n1", 4));
            id = id(c.submit(req("5"), ANN));
            c.schedulePass();
            assertThat(c.job(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);

            assertThat(c.updateJob(id, Map.of("TimeLimit", "10"), ANN)).contains("Access/permission denied");
            assertThat(c.updateJob(id, Map.of("TimeLimit", "UNLIMITED"), ANN)).contains("Access/permission denied");
            assertThat(c.updateJob(id, Map.of("TimeLimit", "1"), BOB)).contains("Access/permission denied");
            assertThat(c.job(id).orElseThrow().timeLimit()).isEqualTo(new TimeLimit.Seconds(300));
            assertThat(n1.limits).isEmpty();

            assertThat(c.updateJob(id, Map.of("TimeLimit", "2"), ANN)).isEmpty();
            assertThat(c.updateJob(id, Map.of("TimeLimit", "1:00:00"), ROOT)).isEmpty();
            // the same limit again changes nothing and tells nobody
            assertThat(c.updateJob(id, Map.of("TimeLimit", "60"), ANN)).isEmpty();
            assertThat(n1.limits).containsExactly(id + ".0:120", id + ".0:3600");
            assertThat(c.job(id).orElseThrow().timeLimit()).isEqualTo(new TimeLimit.Seconds(3600));

            // keys that want a pending job are refused on a running one, as slurmctld refuses them
            assertThat(c.updateJob(id, Map.of("TimeLimit", "30", "NumTasks", "2"), ROOT))
                    .contains("Job is no longer pending execution");
            assertThat(c.job(id).orElseThrow().timeLimit()).isEqualTo(new TimeLimit.Seconds(3600));
        }
        // the controller keeps the new limit, and an agent that registers again is told it (it may have missed it)
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            assertThat(c.job(id).orElseThrow().timeLimit()).isEqualTo(new TimeLimit.Seconds(3600));
            ClusterTest.FakeLink again = new ClusterTest.FakeLink("n1");
            c.register(again, ClusterTest.registration("n1", 4, running(id, 0)));
            assertThat(again.limits).containsExactly(id + ".0:3600");

            c.jobEnded("n1", ended(id, 0, JobState.COMPLETED, 0, 0, now.get(), null));
            assertThat(c.updateJob(id, Map.of("TimeLimit", "1"), ROOT)).contains("Job has already finished");
        }
    }

    @Test
    void aLimitLiftedByAnOperatorReachesTheAgentAsNone() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
            c.register(n1, ClusterTest.registration("n1", 4));
            long id = id(c.submit(req("5"), ANN));
            c.schedulePass();
            assertThat(c.updateJob(id, Map.of("TimeLimit", "UNLIMITED"), ROOT)).isEmpty();
            assertThat(c.job(id).orElseThrow().timeLimit()).isEqualTo(TimeLimit.UNLIMITED);
            assertThat(n1.limits).containsExactly(id + ".0:0");
            // from none, any limit is shorter: the owner may set one
            assertThat(c.updateJob(id, Map.of("TimeLimit", "3"), ANN)).isEmpty();
            assertThat(n1.limits).containsExactly(id + ".0:0", id + ".0:180");
        }
    }

    @Test
    void anOperatorsPriorityLastsAUsersMayOnlyLowerItForNowAndZeroHolds() {
        long fixed;
        long mine;
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityWeightAge=1000\nPriorityMaxAge=1000");
            fixed = id(c.submit(req("5"), ANN));
            mine = id(c.submit(req("5"), ANN));
            now.addAndGet(500);
            c.refreshPriorities(now.get());
            long computed = c.job(mine).orElseThrow().priority();
            assertThat(computed).isGreaterThan(1);

            assertThat(c.updateJob(fixed, Map.of("Priority", "5000"), ANN)).contains("Access/permission denied");
            assertThat(c.updateJob(fixed, Map.of("Priority", "5000"), BOB)).contains("Access/permission denied");
            assertThat(c.updateJob(fixed, Map.of("Priority", "5000"), ROOT)).isEmpty();
            assertThat(c.job(fixed).orElseThrow().priority()).isEqualTo(5000);

            // a user may lower the priority, and is told it will not last: the next calculation puts it back
            assertThat(c.updateJob(mine, Map.of("Priority", Long.toString(computed / 2)), ANN))
                    .contains("Changes to job priority are not persistent, change nice instead");
            now.addAndGet(1000);
            c.refreshPriorities(now.get());
            assertThat(c.job(fixed).orElseThrow().priority()).isEqualTo(5000);
            assertThat(c.job(mine).orElseThrow().priority()).isGreaterThanOrEqualTo(computed);

            // a nice value does not move a priority an operator set
            assertThat(c.updateJob(fixed, Map.of("Nice", "100"), ANN)).isEmpty();
            assertThat(c.job(fixed).orElseThrow().request().nice()).isZero();
        }
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityWeightAge=1000\nPriorityMaxAge=1000");
            c.refreshPriorities(now.get());
            assertThat(c.job(fixed).orElseThrow().priority())
                    .as("after a restart")
                    .isEqualTo(5000);

            // Priority=0 holds: the owner's hold is a user hold, which the owner may release
            assertThat(c.updateJob(mine, Map.of("Priority", "0"), ANN)).isEmpty();
            assertThat(c.job(mine).orElseThrow().reason()).isEqualTo(PendingReason.JobHeldUser);
            assertThat(c.job(mine).orElseThrow().request().hold()).isTrue();
            assertThat(c.updateJob(mine, Map.of("Priority", "7"), ROOT))
                    .contains("Job is in held state, pending scheduler release");
            assertThat(c.updateJob(mine, Map.of("Priority", Long.toString(JobUpdate.PRIORITY_RESET)), ANN))
                    .isEmpty();
            assertThat(c.job(mine).orElseThrow().request().hold()).isFalse();

            // an operator's Priority=0 is an administrator's hold; releasing it computes the priority again
            assertThat(c.updateJob(fixed, Map.of("Priority", "0"), ROOT)).isEmpty();
            assertThat(c.job(fixed).orElseThrow().reason()).isEqualTo(PendingReason.JobHeldAdmin);
            assertThat(c.job(fixed).orElseThrow().priority()).isZero();
            assertThat(c.updateJob(fixed, Map.of("Priority", Long.toString(JobUpdate.PRIORITY_RESET)), ANN))
                    .contains("Access/permission denied");
            assertThat(c.hold(List.of(fixed), ROOT, false))
                    .singleElement()
                    .satisfies(o -> assertThat(o.error()).isNull());
            assertThat(JobUpdate.fixedPriority(c.job(fixed).orElseThrow().request()))
                    .isEmpty();
        }
    }

    @Test
    void underBasicANiceChangeMovesThePriorityAndASetPriorityResetsTheNice() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityType=priority/basic");
            long a = id(c.submit(req("5"), ANN));
            long before = c.job(a).orElseThrow().priority();
            assertThat(c.updateJob(a, Map.of("Nice", "10"), ANN)).isEmpty();
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(before - 10);
            assertThat(c.updateJob(a, Map.of("Nice", "-5"), ANN)).contains("Access/permission denied");
            assertThat(c.updateJob(a, Map.of("Nice", "-5"), ROOT)).isEmpty();
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(before + 5);
            assertThat(c.updateJob(a, Map.of("Priority", "42"), ROOT)).isEmpty();
            assertThat(c.job(a).orElseThrow().request().nice()).isZero();
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(42);
        }
    }

    @Test
    void theArrayThrottleChangesWhatRunsAndSurvivesARestart() {
        long array;
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 8));
            array = id(c.submit(req("5").toBuilder().array("1-6%1").build(), ANN));
            c.schedulePass();
            assertThat(runningTasks(c, array)).isEqualTo(1);
            assertThat(c.updateJob(array, Map.of("ArrayTaskThrottle", "3"), ANN))
                    .isEmpty();
            assertThat(c.job(array).orElseThrow().request().array()).isEqualTo("1-6%3");
            c.schedulePass();
            assertThat(runningTasks(c, array)).isEqualTo(3);
            assertThat(c.updateJob(array, Map.of("ArrayTaskThrottle", "-1"), ANN))
                    .contains("Invalid ArrayTaskThrottle specification: Invalid ArrayTaskThrottle value");
            // 0 takes the throttle away
            assertThat(c.updateJob(array, Map.of("ArrayTaskThrottle", "0"), ANN))
                    .isEmpty();
            // a job that is no array takes it and changes nothing, as in Slurm
            long plain = id(c.submit(req("5"), ANN));
            assertThat(c.updateJob(plain, Map.of("ArrayTaskThrottle", "2"), ANN))
                    .isEmpty();
            assertThat(c.job(plain).orElseThrow().request().array()).isNull();
        }
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            assertThat(c.job(array).orElseThrow().request().array()).isEqualTo("1-6");
        }
    }

    @Test
    void mailTypeAndUserAreKeptForPendingAndRunningJobs() {
        long id;
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 4));
            id = id(c.submit(req("5"), ANN));
            c.schedulePass();
            assertThat(c.job(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
            assertThat(c.updateJob(id, Map.of("MailType", "end,fail", "MailUser", "ann@lab"), ANN))
                    .isEmpty();
            assertThat(c.updateJob(id, Map.of("MailType", "bogus"), ANN))
                    .contains("Invalid MailType specification: Invalid MailType: bogus");
            assertThat(c.updateJob(id, Map.of("MailUser", "x"), BOB)).contains("Access/permission denied");
        }
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "");
            assertThat(c.job(id).orElseThrow().request().options())
                    .containsEntry("mail-type", "END,FAIL")
                    .containsEntry("mail-user", "ann@lab");
        }
    }

    private static long runningTasks(Cluster c, long arrayId) {
        long n = 0;
        for (long id = arrayId; id < arrayId + 20; id++) {
            var j = c.job(id);
            if (j.isPresent()
                    && j.get().array() != null
                    && j.get().array().arrayJobId() == arrayId
                    && j.get().state() == JobState.RUNNING) n++;
        }
        return n;
    }
}
