package io.motley.cli.format;

import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.OutputPattern;
import io.motley.core.size.MemorySize;
import io.motley.core.time.Durations;
import java.time.ZoneId;

/** How a job's fields read in Slurm's commands, shared by squeue, scontrol and sacct. */
public final class JobText {
    private JobText() {}

    public static String timestamp(long epoch, ZoneId zone, String none) {
        return epoch <= 0 ? none : Durations.formatTimestamp(epoch, zone);
    }

    /**
     * squeue's %R: a pending job's reason in parentheses, else its node list; a job that failed,
     * timed out, ran out of memory or missed its deadline with a state description (a launch
     * that failed on its node, say) shows that instead, as Slurm's squeue does.
     */
    public static String nodesOrReason(Job j) {
        if (j.state() == JobState.PENDING)
            return "(" + (j.stateDesc() != null ? j.stateDesc() : j.reason().name()) + ")";
        boolean shown = switch (j.state()) {
            case FAILED, TIMEOUT, OUT_OF_MEMORY, DEADLINE -> true;
            default -> false;
        };
        if (shown && j.stateDesc() != null) return "(" + j.stateDesc() + ")";
        return j.node() == null ? "" : j.nodeList();
    }

    /** The job's Reason as scontrol shows it: its state description, else its reason code. */
    public static String reason(Job j) {
        return j.stateDesc() != null ? j.stateDesc() : j.reason().name();
    }

    public static String nodes(Job j) {
        return j.node() == null ? "" : j.nodeList();
    }

    /** CPUs the job holds (running or ran), else what it asked for. */
    public static int cpus(Job j) {
        return j.allocCpus() > 0 ? j.allocCpus() : j.request().cpus();
    }

    /** Memory per node: what it holds, else what it asked for, "0" when it named none. */
    public static String memory(Job j) {
        if (j.allocMemMiB() > 0) return MemorySize.format(j.allocMemMiB());
        return MemorySize.format(j.request().requestedMemMiB(0));
    }

    public static String stdout(Job j) {
        return OutputPattern.stdout(j, j.node() == null ? "%N" : j.node());
    }

    public static String stderr(Job j) {
        return OutputPattern.stderr(j, j.node() == null ? "%N" : j.node());
    }

    public static String limitCompact(Job j) {
        return Durations.formatCompact(j.timeLimit().secondsOr(Durations.UNLIMITED));
    }

    public static String limitFixed(Job j) {
        return Durations.formatFixed(j.timeLimit().secondsOr(Durations.UNLIMITED));
    }
}
