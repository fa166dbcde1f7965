package io.motley.cli.command;

/** What --version prints: Motley's version and the Slurm release whose behaviour it follows. */
public final class Version {
    /** The release number, which the agents report too (motley health compares them). */
    static final String NUMBER = "0.1.0";

    public static final String TEXT = "motley " + NUMBER + " (Slurm 22.05 compatible)";

    private Version() {}
}
