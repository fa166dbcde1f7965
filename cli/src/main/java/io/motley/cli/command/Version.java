package io.motley.cli.command;

/** What --version prints: Motley's version and the Slurm release whose behaviour it follows. */
final class Version {
    static final String TEXT = "motley 0.1.0 (Slurm 22.05 compatible)";

    private Version() {}
}
