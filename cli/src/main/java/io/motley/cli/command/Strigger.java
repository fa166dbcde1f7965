package io.motley.cli.command;

import io.motley.core.options.UsageException;
import java.util.List;

/**
 * strigger: Motley has no event triggers (Slurm's programs run by slurmctld when a node goes down,
 * a job ends or a time limit nears). Every use is refused with what to use instead, exit 1, so
 * that a script that sets a trigger learns at once that none was set; --help and --version answer
 * as other commands do.
 */
public final class Strigger implements Command {
    static final String HELP = """
            Usage: strigger [--set | --get | --clear] [OPTIONS]
            Motley has no event triggers: strigger refuses every request (exit 1).
            To act on events: --dependency=afternotok:JOBID (a job that runs when another fails),
            `motley health` (exit 1 on a problem, for cron), and the controller's /metrics for
            Prometheus alerts on nodes down or drained (docs/metrics.md).""";

    /** What every request gets. */
    static final String REFUSED = "error: event triggers are not supported by Motley; use a job's --dependency,"
            + " `motley health` or Prometheus alerts on the controller's /metrics instead"
            + " (docs/slurm-differences.md#strigger)";

    @Override
    public int run(List<String> args, Io io) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("--usage")) {
                io.out().println(HELP);
                return 0;
            }
            if (a.equals("-V") || a.equals("--version")) {
                io.out().println(Version.TEXT);
                return 0;
            }
        }
        throw new UsageException(REFUSED, 1, false);
    }
}
