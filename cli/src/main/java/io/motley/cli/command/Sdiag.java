package io.motley.cli.command;

import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.protocol.Message.Diagnostics;
import io.motley.protocol.Message.DiagnosticsQuery;
import io.motley.protocol.Message.Passes;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * sdiag: the controller's statistics in Slurm's layout: jobs submitted, started and ended since
 * it started, the jobs pending and running now, and the scheduling passes. Figures Motley does
 * not keep (threads, agent queues, RPC counts, backfill depth) are left out rather than shown as 0.
 */
public final class Sdiag implements Command {
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('a', "all"),
            OptionSpec.flag('r', "reset"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    private static final String HELP = """
            Usage: sdiag [OPTIONS]
              -a, --all       all statistics (the default)
              -h, --help      show this help
              -V, --version   print the version
            Motley keeps jobs submitted/started/completed/canceled/failed, jobs pending/running and the
            scheduling passes' times, counted since the controller started; -r (reset) is not supported.""";

    /** Slurm's slurm_ctime2: "Tue Dec 01 02:19:05 2026". */
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ROOT);

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("sdiag", OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        if (p.has("reset")) throw new UsageException("error: -r (reset) is not supported by Motley", 1, false);
        io.out().print(text(io.gateway().ask(new DiagnosticsQuery()), io.zone()));
        return 0;
    }

    static String text(Diagnostics d, ZoneId zone) {
        StringBuilder sb = new StringBuilder();
        sb.append("*******************************************************\n");
        sb.append("sdiag output at ").append(when(d.now(), zone)).append('\n');
        sb.append("Data since      ").append(when(d.since(), zone)).append('\n');
        sb.append("*******************************************************\n");
        sb.append("Jobs submitted: ").append(d.submitted()).append('\n');
        sb.append("Jobs started:   ").append(d.started()).append('\n');
        sb.append("Jobs completed: ").append(d.completed()).append('\n');
        sb.append("Jobs canceled:  ").append(d.canceled()).append('\n');
        sb.append("Jobs failed:    ").append(d.failed()).append("\n\n");
        sb.append("Job states ts:  ").append(when(d.now(), zone)).append('\n');
        sb.append("Jobs pending:   ").append(d.pending()).append('\n');
        sb.append("Jobs running:   ").append(d.running()).append('\n');

        Passes m = d.main();
        sb.append("\nMain schedule statistics (microseconds):\n");
        sb.append("\tLast cycle:   ").append(m.lastMicros()).append('\n');
        sb.append("\tMax cycle:    ").append(m.maxMicros()).append('\n');
        sb.append("\tTotal cycles: ").append(m.count()).append('\n');
        if (m.count() > 0)
            sb.append("\tMean cycle:   ").append(m.totalMicros() / m.count()).append('\n');
        if (d.now() - d.since() > 60)
            sb.append("\tCycles per minute: ")
                    .append(m.count() / ((d.now() - d.since()) / 60))
                    .append('\n');
        sb.append("\tLast queue length: ").append(m.lastQueueLength()).append('\n');

        Passes b = d.backfill();
        sb.append("\nBackfilling stats\n");
        sb.append("\tTotal cycles: ").append(b.count()).append('\n');
        sb.append("\tLast cycle when: ")
                .append(b.lastWhen() > 0 ? when(b.lastWhen(), zone) : "N/A")
                .append('\n');
        sb.append("\tLast cycle: ").append(b.lastMicros()).append('\n');
        sb.append("\tMax cycle:  ").append(b.maxMicros()).append('\n');
        if (b.count() > 0)
            sb.append("\tMean cycle: ").append(b.totalMicros() / b.count()).append('\n');
        sb.append("\tLast queue length: ").append(b.lastQueueLength()).append('\n');
        return sb.toString();
    }

    private static String when(long epoch, ZoneId zone) {
        return CTIME.format(Instant.ofEpochSecond(epoch).atZone(zone)) + " (" + epoch + ")";
    }
}
