package io.motley.controller.cluster;

import static io.motley.controller.cluster.Calls.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.priority.ShareTree;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multifactor priorities and fair share in the controller, with the clock in the test's hand. */
class PrioritiesTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000);

    static final String CONF = """
            NodeTimeout=1000
            PriorityWeightFairshare=10000
            PriorityWeightAge=1000
            PriorityMaxAge=1000
            PriorityDecayHalfLife=0
            AccountName=physics Fairshare=50 Users=alice
            AccountName=chem Fairshare=50 Users=carol,alice
            QOSName=high Priority=10
            """;

    Cluster cluster(Store store, String conf) {
        return new Cluster(ClusterConfig.parse(conf), store, now::get);
    }

    static JobRequest req(int cpus, String account, int nice, String qos) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .cpusPerTask(cpus, false)
                .account(account)
                .submitHost("h")
                .nice(nice)
                .qos(qos)
                .build();
    }

    @Test
    void accountsAreCheckedAndDefaultsRecorded() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, CONF);
            Submission bad = c.submit(req(1, "chem", 0, null), as(1001, 1001, "bob"));
            assertThat(accepted(bad)).isFalse();
            assertThat(failure(bad)).isEqualTo("Invalid account or account/partition combination specified");
            assertThat(failure(c.submit(req(1, "nosuch", 0, null), as(1000, 1000, "alice"))))
                    .isEqualTo("Invalid account or account/partition combination specified");
            assertThat(failure(c.submit(req(1, null, 0, "bogus"), as(1000, 1000, "alice"))))
                    .isEqualTo("Invalid qos specification");
            long ok = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            // no -A: the first account listing alice; no --qos: normal
            assertThat(c.job(ok).orElseThrow().request().account()).isEqualTo("physics");
            assertThat(c.job(ok).orElseThrow().request().qos()).isEqualTo("normal");
            // refused submissions spend an id and are recorded FAILED
            assertThat(c.job(ok - 1).orElseThrow().state()).isEqualTo(JobState.FAILED);
        }
    }

    @Test
    void usageLowersFairShareAndSurvivesARestart() {
        Store store = Store.sqlite(dir.resolve("db"));
        Cluster c = cluster(store, CONF);
        ClusterTest.FakeLink n1 = new ClusterTest.FakeLink("n1");
        c.register(n1, ClusterTest.registration("n1", 2));
        long run = id(c.submit(req(2, "physics", 0, null), as(1000, 1000, "alice")));
        c.schedulePass();
        assertThat(c.job(run).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        now.addAndGet(100);
        // running jobs count too
        assertThat(c.shares().row("physics", "alice").orElseThrow().rawUsage()).isEqualTo(200.0);
        c.jobEnded("n1", ended(run, 0, JobState.valueOf("COMPLETED"), 0, 0, now.get(), null));
        long mine = id(c.submit(req(1, "physics", 0, null), as(1000, 1000, "alice")));
        long theirs = id(c.submit(req(1, "chem", 0, null), as(1002, 1002, "carol")));
        c.refreshPriorities(now.get());
        // physics used everything: U 1, S 0.5 -> 2^-2; chem used nothing -> 1
        assertThat(c.job(mine).orElseThrow().priority()).isEqualTo(2500);
        assertThat(c.job(theirs).orElseThrow().priority()).isEqualTo(10000);
        store.close();

        Store again = Store.sqlite(dir.resolve("db"));
        Cluster c2 = cluster(again, CONF);
        ShareTree t = c2.shares();
        assertThat(t.row("physics", "alice").orElseThrow().rawUsage()).isEqualTo(200.0);
        assertThat(t.factor("physics", "alice")).isCloseTo(0.25, within(1e-12));
        c2.refreshPriorities(now.get());
        assertThat(c2.job(mine).orElseThrow().priority()).isEqualTo(2500);
        again.close();
    }

    @Test
    void niceLowersPriorityAndOnlyAnOperatorSetsANegativeOne() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, CONF);
            long a = id(c.submit(req(1, "chem", 0, null), as(1002, 1002, "carol")));
            long b = id(c.submit(req(1, "chem", 100, null), as(1002, 1002, "carol")));
            c.refreshPriorities(now.get());
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(10000);
            assertThat(c.job(b).orElseThrow().priority()).isEqualTo(9900);
            // as in Slurm, only a negative nice needs an operator: any nice from 0 up is the owner's
            assertThat(c.updateJob(b, Map.of("Nice", "-1"), Caller.uid(1002))).contains("Access/permission denied");
            assertThat(c.updateJob(a, Map.of("Nice", "50"), Caller.uid(1002))).isEmpty();
            assertThat(c.updateJob(b, Map.of("Nice", "-10"), Caller.uid(0))).isEmpty();
            c.refreshPriorities(now.get());
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(9950);
            assertThat(c.job(b).orElseThrow().priority()).isEqualTo(10010);
        }
    }

    @Test
    void topUnderBasicTakesTheHighestAndTheOthersShareTheLossInTheirOrder() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityType=priority/basic");
            long a = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            long b = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            long d = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            long e = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            // another user's job gives nothing up
            long other = id(c.submit(req(1, null, 0, null), as(1001, 1001, "bob")));
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 1);
            assertThat(c.top(e, Caller.uid(1000))).isEmpty();
            // as slurmctld's _set_top: e takes the highest (3 more) and its nice drops as much; a, b and d give up
            // 3/3, 2/2 and 1/1 in turn, keeping their order, and each nice rises by what its job gave up
            assertThat(c.job(e).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 1);
            assertThat(c.job(e).orElseThrow().request().nice()).isEqualTo(-3);
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 2);
            assertThat(c.job(b).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 3);
            assertThat(c.job(d).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 4);
            assertThat(c.job(d).orElseThrow().request().nice()).isEqualTo(1);
            assertThat(c.job(other).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 5);
            // the top job again: nothing to gain, nothing moves
            assertThat(c.top(e, Caller.uid(1000))).isEmpty();
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 2);
            // a held job is not moved, in Slurm's words
            c.hold(List.of(b), Caller.uid(1000), true);
            assertThat(c.top(b, Caller.uid(1000))).contains("Job is in held state, pending scheduler release");
        }
    }

    @Test
    void topUnderBasicNeverTakesAnotherJobToTheNewTop() {
        Job top = Job.builder(3, req(1, null, 0, null)).priority(99).build();
        Job high = Job.builder(1, req(1, null, 0, null)).priority(100).build();
        Job same = Job.builder(2, req(1, null, 0, null)).priority(100).build();
        Job low = Job.builder(4, req(1, null, 0, null)).priority(50).build();
        // 1 gained: shared out it is 0 each, which would leave both at 100; each goes one below the top instead,
        // giving up 2 between them, and the last one gets the 1 over back, as slurmctld's running total does
        assertThat(Priorities.topBasic(top, List.of(high, same, low)))
                .extracting(Job::id, Job::priority)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3L, 100L),
                        org.assertj.core.groups.Tuple.tuple(1L, 99L),
                        org.assertj.core.groups.Tuple.tuple(2L, 99L),
                        org.assertj.core.groups.Tuple.tuple(4L, 51L));
    }

    @Test
    void topWorksThroughNiceEvenWithEveryWeightZero() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "NodeTimeout=1000");
            long a = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            long b = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            c.refreshPriorities(now.get());
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(1);
            assertThat(c.top(b, Caller.uid(1000))).isEmpty();
            c.refreshPriorities(now.get());
            Job jb = c.job(b).orElseThrow();
            Job ja = c.job(a).orElseThrow();
            assertThat(jb.priority()).isGreaterThan(ja.priority());
            // what b gained, a gave up
            assertThat(jb.request().nice() + ja.request().nice()).isZero();
        }
    }

    @Test
    void basicKeepsSubmissionOrder() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityType=priority/basic");
            long a = id(c.submit(req(1, null, 100, null), as(1000, 1000, "alice")));
            c.refreshPriorities(now.get());
            // nice 100 comes off the first priority handed out, as priority/basic does it
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 1 - 100);
            assertThat(c.priorityFactors()).isNull();
        }
    }

    @Test
    void basicCountsDownFromTheLowestGivenAsSlurmDoesAHeldJobTakingNoneUntilReleased() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityType=priority/basic");
            long a = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            long held = id(c.submit(req(1, null, 0, null).withHold(true), as(1000, 1000, "alice")));
            long b = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            assertThat(c.job(a).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 1);
            assertThat(c.job(held).orElseThrow().priority()).isZero();
            assertThat(c.job(b).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 2);
            c.hold(List.of(held), as(1000, 1000, "alice"), false);
            assertThat(c.job(held).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 3);
            long nice = id(c.submit(req(1, null, 10, null), as(1000, 1000, "alice")));
            assertThat(c.job(nice).orElseThrow().priority())
                    .as("less its nice; the count moves by one")
                    .isEqualTo(Priorities.PRIORITY_BASE - 4 - 10);
        }
        // after a restart the count goes on below the lowest priority the store holds, nice and all, as slurmctld's
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, "PriorityType=priority/basic");
            long d = id(c.submit(req(1, null, 0, null), as(1000, 1000, "alice")));
            assertThat(c.job(d).orElseThrow().priority()).isEqualTo(Priorities.PRIORITY_BASE - 15);
        }
    }

    @Test
    void queuedJobsAreRerankedEveryCalcPeriodNewOnesAtOnce() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            Cluster c = cluster(store, CONF);
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 2));
            long t0 = now.get();
            long run = id(c.submit(req(2, "physics", 0, null), as(1000, 1000, "alice")));
            c.schedulePass();
            long mine = id(c.submit(req(1, "physics", 0, null), as(1000, 1000, "alice")));
            c.refreshPriorities(now.get());
            assertThat(c.job(mine).orElseThrow().priority()).isEqualTo(10000);
            now.set(t0 + 100);
            c.jobEnded("n1", ended(run, 0, JobState.valueOf("COMPLETED"), 0, 0, now.get(), null));
            c.refreshPriorities(now.get());
            // not yet: PriorityCalcPeriod (5 minutes) has not passed since the last full ranking
            assertThat(c.job(mine).orElseThrow().priority()).isEqualTo(10000);
            long later = id(c.submit(req(1, "physics", 0, null), as(1000, 1000, "alice")));
            c.refreshPriorities(now.get());
            assertThat(c.job(later).orElseThrow().priority()).isEqualTo(2500);
            now.set(t0 + 300);
            c.refreshPriorities(now.get());
            // fair share 2^-2 of 10000, plus 300 s of PriorityMaxAge=1000 (minutes, as in slurm.conf) at weight 1000
            assertThat(c.job(mine).orElseThrow().priority()).isEqualTo(2505);
        }
    }

    @Test
    void anArrayDoesNotJumpAheadOfAnEarlierJobOfEqualPriority() {
        try (Store store = Store.sqlite(dir.resolve("db"))) {
            // every weight 0: all priorities are 1, so submission order decides, as in Slurm
            Cluster c = cluster(store, "NodeTimeout=1000");
            c.register(new ClusterTest.FakeLink("n1"), ClusterTest.registration("n1", 1));
            long blocker = id(c.submit(req(1, null, 0, null), as(0, 0, "root")));
            c.schedulePass();
            long first = id(c.submit(req(1, null, 0, null), as(0, 0, "root")));
            JobRequest a = req(1, null, 0, null);
            JobRequest array = a.toBuilder().array("1-2").build();
            c.submit(array, as(0, 0, "root"));
            c.jobEnded("n1", ended(blocker, 0, JobState.valueOf("COMPLETED"), 0, 0, now.get(), null));
            c.schedulePass();
            assertThat(c.job(first).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        }
    }
}
