package io.motley.core.accounts;

import io.motley.core.job.PendingReason;
import io.motley.core.scheduler.JobGate;
import io.motley.core.scheduler.QueuedJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Association limits as slurmctld's acct_policy enforces them, as pure decisions. At submission
 * only MaxSubmitJobs refuses (with Slurm's ESLURM_ACCOUNTING_POLICY wording); a job over MaxWall
 * or over a GrpTRES on its own is accepted and waits with the limit's reason, as Slurm does
 * without the DenyOnLimit QOS flag. In a pass, MaxJobs and MaxWall are checked before a job is
 * placed and GrpTRES (cpu, mem, gres/gpu, at the user's association and at every account above
 * it) once its resources are known.
 */
public final class LimitCheck {
    /** Slurm's ESLURM_ACCOUNTING_POLICY. */
    public static final String POLICY_VIOLATION =
            "Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)";

    private LimitCheck() {}

    /** Whose a job is: the association it is charged to. */
    public record Owner(String account, String user) {}

    /** What a running job holds, charged to {@code owner}. */
    public record Held(Owner owner, int cpus, long memMiB, int gpus) {}

    /** A per-user limit: the user's association's own, else the nearest account's above it; -1: none. */
    static long inherited(AccountsDb db, Owner o, ToLongFunction<AssocLimits> limit) {
        Optional<AccountsDb.Assoc> a = db.assoc(o.account(), o.user());
        if (a.isPresent() && limit.applyAsLong(a.get().limits()) >= 0)
            return limit.applyAsLong(a.get().limits());
        for (AccountsDb.Account acc : db.ancestry(o.account())) {
            long v = limit.applyAsLong(acc.limits());
            if (v >= 0) return v;
        }
        return -1;
    }

    /** The refusal of a submission that would take the association past MaxSubmitJobs, given its active jobs. */
    public static Optional<String> atSubmit(AccountsDb db, Owner owner, long activeJobs) {
        long max = inherited(db, owner, AssocLimits::maxSubmitJobs);
        if (max >= 0 && activeJobs + 1 > max) return Optional.of(POLICY_VIOLATION);
        return Optional.empty();
    }

    /** The time limit a job without one gets: its association's MaxWall (seconds), or -1. */
    public static long maxWall(AccountsDb db, Owner owner) {
        return inherited(db, owner, AssocLimits::maxWallSeconds);
    }

    /**
     * The gate of one pass. {@code owners} says whose each queued job is, by the job's id (an
     * array task by its array's id, the queued job's {@code submitOrder}); jobs with no owner
     * (accounts not enforced) pass freely.
     */
    public static JobGate gate(AccountsDb db, List<Held> running, Map<Long, Owner> owners) {
        return new Gate(db, running, owners);
    }

    private static final class Gate implements JobGate {
        private final AccountsDb db;
        private final Map<Long, Owner> owners;
        private final Map<Owner, Integer> jobs = new HashMap<>();
        /** What the running jobs hold, by user association and by account (the account's whole subtree). */
        private final Map<Owner, long[]> byAssoc = new HashMap<>();

        private final Map<String, long[]> byAccount = new HashMap<>();

        Gate(AccountsDb db, List<Held> running, Map<Long, Owner> owners) {
            this.db = db;
            this.owners = owners;
            for (Held h : running) count(h.owner(), h.cpus(), h.memMiB(), h.gpus());
        }

        private void count(Owner o, int cpus, long mem, int gpus) {
            jobs.merge(o, 1, Integer::sum);
            add(byAssoc.computeIfAbsent(o, k -> new long[3]), cpus, mem, gpus);
            for (AccountsDb.Account a : db.ancestry(o.account()))
                add(byAccount.computeIfAbsent(a.name(), k -> new long[3]), cpus, mem, gpus);
        }

        private static void add(long[] t, int cpus, long mem, int gpus) {
            t[0] += cpus;
            t[1] += mem;
            t[2] += gpus;
        }

        @Override
        public PendingReason before(QueuedJob job) {
            Owner o = owners.get(job.submitOrder());
            if (o == null) return null;
            long maxJobs = inherited(db, o, AssocLimits::maxJobs);
            if (maxJobs >= 0 && jobs.getOrDefault(o, 0) >= maxJobs) return PendingReason.AssocMaxJobsLimit;
            long maxWall = maxWall(db, o);
            // -1 is UNLIMITED, over any MaxWall; -2 (none given) got the MaxWall at submission, or predates it
            if (maxWall >= 0 && (job.timeLimitSeconds() == -1 || job.timeLimitSeconds() > maxWall))
                return PendingReason.AssocMaxWallDurationPerJobLimit;
            return null;
        }

        @Override
        public PendingReason admit(QueuedJob job, int cpus, long memMiB, int gpus) {
            Owner o = owners.get(job.submitOrder());
            if (o == null) return null;
            List<PendingReason> why = new ArrayList<>(1);
            db.assoc(o.account(), o.user())
                    .ifPresent(a -> over(a.limits().grpTres(), byAssoc.get(o), cpus, memMiB, gpus, why));
            for (AccountsDb.Account a : db.ancestry(o.account())) {
                if (!why.isEmpty()) break;
                over(a.limits().grpTres(), byAccount.get(a.name()), cpus, memMiB, gpus, why);
            }
            if (!why.isEmpty()) return why.get(0);
            count(o, cpus, memMiB, gpus);
            return null;
        }

        private static void over(Tres limit, long[] used, int cpus, long mem, int gpus, List<PendingReason> why) {
            long[] u = used == null ? new long[3] : used;
            if (limit.cpu() >= 0 && u[0] + cpus > limit.cpu()) why.add(PendingReason.AssocGrpCpuLimit);
            else if (limit.memMiB() >= 0 && u[1] + mem > limit.memMiB()) why.add(PendingReason.AssocGrpMemLimit);
            else if (limit.gpus() >= 0 && u[2] + gpus > limit.gpus()) why.add(PendingReason.AssocGrpGRES);
        }
    }
}
