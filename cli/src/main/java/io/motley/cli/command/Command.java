package io.motley.cli.command;

import java.util.List;

/** One of the Slurm-named commands: parses its arguments, talks to the cluster, prints, returns the exit code. */
public interface Command {
    int run(List<String> args, Io io) throws Exception;

    /** --help/--usage prints the help, --version the version; true when one of them was answered. */
    static boolean helpOrVersion(io.motley.core.options.GetOpt.Parsed p, Io io, String help) {
        if (p.has("help") || p.has("usage")) {
            io.out().println(help);
            return true;
        }
        if (p.has("version")) {
            io.out().println(Version.TEXT);
            return true;
        }
        return false;
    }
}
