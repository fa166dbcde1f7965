package io.motley.controller.cluster;

import io.motley.core.cluster.Reconciliation;
import io.motley.core.job.JobState;
import io.motley.core.job.Usage;
import java.util.List;

/** Short ways for the cluster's tests to say who asks, what an agent reports, and what came back. */
final class Calls {
    private Calls() {}

    static Caller as(int uid, int gid, String user) {
        return new Caller(uid, gid, user, null);
    }

    static Caller as(int uid, int gid, String user, List<String> groups) {
        return new Caller(uid, gid, user, groups);
    }

    /** The id of an accepted submission; fails the test with the refusal otherwise. */
    static long id(Submission s) {
        if (s instanceof Submission.Accepted a) return a.id();
        throw new AssertionError("submission refused: " + s);
    }

    /** Slurm's words for a refused submission, or null when it was accepted. */
    static String failure(Submission s) {
        return s instanceof Submission.Refused r ? r.failure() : null;
    }

    /** The sentence on this case of a refused submission, or null. */
    static String detail(Submission s) {
        return s instanceof Submission.Refused r ? r.detail() : null;
    }

    static boolean accepted(Submission s) {
        return s instanceof Submission.Accepted;
    }

    static Reconciliation.ReportedRun running(long id, int run) {
        return new Reconciliation.ReportedRun(id, run, false);
    }

    static AgentReport.RunEnded ended(long id, int run, JobState state, int code, int signal, long end, String desc) {
        return new AgentReport.RunEnded(id, run, state, code, signal, end, Usage.NONE, desc);
    }
}
