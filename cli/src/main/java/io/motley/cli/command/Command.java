package io.motley.cli.command;

import java.util.List;

/** One of the Slurm-named commands: parses its arguments, talks to the cluster, prints, returns the exit code. */
public interface Command {
    int run(List<String> args, Io io) throws Exception;
}
