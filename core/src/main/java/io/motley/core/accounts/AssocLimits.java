package io.motley.core.accounts;

/**
 * The limits an association (an account, or a user in an account) may carry, as sacctmgr sets
 * them: MaxJobs (running jobs), MaxSubmitJobs (pending and running), MaxWall (a job's time limit,
 * seconds) and GrpTRES (what the association's running jobs hold together). -1: not set here, so
 * the parent account's applies (GrpTRES applies at every level).
 */
public record AssocLimits(long maxJobs, long maxSubmitJobs, long maxWallSeconds, Tres grpTres) {
    public static final AssocLimits NONE = new AssocLimits(-1, -1, -1, Tres.NONE);

    public AssocLimits {
        if (grpTres == null) grpTres = Tres.NONE;
    }

    public boolean isEmpty() {
        return maxJobs < 0 && maxSubmitJobs < 0 && maxWallSeconds < 0 && grpTres.isEmpty();
    }

    public AssocLimits withMaxJobs(long v) {
        return new AssocLimits(v, maxSubmitJobs, maxWallSeconds, grpTres);
    }

    public AssocLimits withMaxSubmitJobs(long v) {
        return new AssocLimits(maxJobs, v, maxWallSeconds, grpTres);
    }

    public AssocLimits withMaxWall(long seconds) {
        return new AssocLimits(maxJobs, maxSubmitJobs, seconds, grpTres);
    }

    public AssocLimits withGrpTres(Tres t) {
        return new AssocLimits(maxJobs, maxSubmitJobs, maxWallSeconds, t);
    }
}
