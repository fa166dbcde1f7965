package io.motley.core.accounting;

import io.motley.core.job.ExitStatus;
import io.motley.core.job.Usage;

/** A step of one run of a job (for now each run has one, {@code batch}), with what it used. */
public record JobStep(
        int run,
        String name,
        long startTime,
        long endTime,
        String state,
        ExitStatus exit,
        String nodeList,
        int allocCpus,
        Usage usage) {
    public JobStep {
        exit = exit == null ? ExitStatus.NONE : exit;
        usage = usage == null ? Usage.NONE : usage;
    }
}
