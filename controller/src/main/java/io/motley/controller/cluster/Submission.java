package io.motley.controller.cluster;

/** The answer to a submission: the new job's id once it is committed, or why it was refused. */
public sealed interface Submission {
    /** The job is committed under this id. */
    record Accepted(long id) implements Submission {}

    /**
     * Refused: {@code failure} is Slurm's error text ("Invalid partition name specified"),
     * {@code detail} a sentence on this case, or null.
     */
    record Refused(String failure, String detail) implements Submission {}
}
