package io.motley.core.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.accounts.LimitCheck.Held;
import io.motley.core.accounts.LimitCheck.Owner;
import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.job.PendingReason;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.QueuedJob;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import io.motley.core.scheduler.Start;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitCheckTest {
    static final Owner BOB = new Owner("physics", "bob");

    static AccountsDb db(String... lines) {
        AccountsDb db = AccountsDb.empty();
        for (String l : lines)
            db = AccountsChange.apply(db, Sacctmgr.parse(List.of(l.split(" "))), "c")
                    .db();
        return db;
    }

    static Plan plan(AccountsDb db, List<Held> running, List<QueuedJob> pending) {
        Map<Long, Owner> owners = new HashMap<>();
        for (QueuedJob q : pending) owners.put(q.submitOrder(), BOB);
        Snapshot snap = new Snapshot(
                List.of(new NodeView("n1", 16, 64000, NodeState.UP, List.of(new Gpu(0, "A100", 40000, "u0")))),
                List.of(Partition.allNodes("main", true)),
                List.of(),
                pending,
                0,
                1000);
        return Scheduler.plan(snap, SchedulerOptions.FCFS, LimitCheck.gate(db, running, owners));
    }

    static QueuedJob job(long id, int cpus, long limit) {
        return new QueuedJob(id, 100, List.of("main"), cpus, 100, limit, false);
    }

    @Test
    void maxJobsStartsOnlyAsManyAsAllowedInOnePass() {
        AccountsDb db = db("add account physics", "add user bob account=physics maxjobs=1");
        Plan p = plan(db, List.of(), List.of(job(1, 1, 60), job(2, 1, 60)));
        assertThat(p.starts()).extracting(Start::jobId).containsExactly(1L);
        assertThat(p.reasons()).containsEntry(2L, PendingReason.AssocMaxJobsLimit);
        Plan later = plan(db, List.of(new Held(BOB, 1, 100, 0)), List.of(job(2, 1, 60)));
        assertThat(later.starts()).isEmpty();
        assertThat(later.reasons()).containsEntry(2L, PendingReason.AssocMaxJobsLimit);
    }

    @Test
    void grpTresCountsRunningJobsAtTheUserAndEveryAccountAbove() {
        AccountsDb db = db(
                "add account science grptres=cpu=4",
                "add account physics parent=science",
                "add user bob account=physics grptres=mem=1G");
        Plan p = plan(db, List.of(new Held(BOB, 3, 100, 0)), List.of(job(1, 2, 60), job(2, 1, 60)));
        // job 1 would bring science to 5 CPUs; job 2 fits, and is not held behind job 1
        assertThat(p.reasons()).containsEntry(1L, PendingReason.AssocGrpCpuLimit);
        assertThat(p.starts()).extracting(Start::jobId).containsExactly(2L);
        Plan mem = plan(db, List.of(new Held(BOB, 0, 1000, 0)), List.of(job(3, 1, 60)));
        assertThat(mem.reasons()).containsEntry(3L, PendingReason.AssocGrpMemLimit);
        AccountsDb gpus = db("add account physics", "add user bob account=physics grptres=gres/gpu=0");
        Plan g = plan(gpus, List.of(), List.of(new QueuedJob(4, 1, List.of("main"), 1, 100, 60, false, 1, null)));
        assertThat(g.reasons()).containsEntry(4L, PendingReason.AssocGrpGRES);
    }

    @Test
    void maxWallIsInheritedAndHoldsBackLongerJobs() {
        AccountsDb db = db("add account physics maxwall=1:00:00", "add user bob account=physics");
        Plan p = plan(db, List.of(), List.of(job(1, 1, 7200), job(2, 1, 3600)));
        assertThat(p.reasons()).containsEntry(1L, PendingReason.AssocMaxWallDurationPerJobLimit);
        assertThat(p.starts()).extracting(Start::jobId).containsExactly(2L);
        assertThat(LimitCheck.maxWall(db, BOB)).isEqualTo(3600);
    }

    @Test
    void maxSubmitJobsRefusesAtSubmission() {
        AccountsDb db = db("add account physics", "add user bob account=physics maxsubmit=2");
        assertThat(LimitCheck.atSubmit(db, BOB, 1)).isEmpty();
        assertThat(LimitCheck.atSubmit(db, BOB, 2)).contains(LimitCheck.POLICY_VIOLATION);
        assertThat(LimitCheck.atSubmit(db("add account physics", "add user bob account=physics"), BOB, 100))
                .isEmpty();
    }

    @Test
    void jobsOfNoAssociationPassFreely() {
        AccountsDb db = db("add account physics maxjobs=0", "add user bob account=physics");
        Snapshot snap = new Snapshot(
                List.of(new NodeView("n1", 4, 4000, NodeState.UP)),
                List.of(Partition.allNodes("main", true)),
                List.of(),
                List.of(job(1, 1, 60)),
                0,
                0);
        assertThat(Scheduler.plan(snap, SchedulerOptions.FCFS, LimitCheck.gate(db, List.of(), Map.of()))
                        .starts())
                .hasSize(1);
    }
}
