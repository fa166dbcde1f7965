package io.motley.cli.command;

import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.protocol.Message.DaemonLog;
import io.motley.protocol.Message.DaemonLogText;
import io.motley.protocol.Message.LogText;
import io.motley.protocol.Message.Logs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * motley logs JOBID [-e] [-f]: a job's output from wherever it is now. While the output of a job
 * that ran on a node without its submit directory waits in that node's outbox (the submit host was
 * away, say), it comes from there through the controller; otherwise from the file Slurm would have
 * written (the delivered file on the submit host, or the file on a shared filesystem), read here.
 * -f follows the output until the job has ended and all of it is shown. --controller and --node
 * NAME show the daemons' own logs instead.
 */
public final class MotleyLogs implements Command {
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('f', "follow"),
            OptionSpec.flag('e', "stderr"),
            OptionSpec.flag('\0', "controller"),
            OptionSpec.value('\0', "node"),
            OptionSpec.flag('h', "help"));

    static final String HELP = """
            usage: motley logs JOBID [-f] [-e]
                   motley logs --controller [-f]
                   motley logs --node NAME [-f]
            Prints a job's output from wherever it is: the node's outbox while it waits there for the
            submit host, else the file it was written to (slurm-%j.out or -o/-e). -f follows it until
            the job has ended; -e shows the -e file instead (for a job submitted with -e).
            --controller prints the controller's own log, --node NAME the log of that node's agent
            (read on its host and sent over its link, so it works across hosts); -f follows it until
            interrupted. Daemon logs are for root and administrators (AdminLevel Operator or above).""";

    /** How long -f waits between looks. */
    private final LongConsumer pause;

    public MotleyLogs() {
        this(ms -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    MotleyLogs(LongConsumer pause) {
        this.pause = pause;
    }

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("motley logs", OPTIONS, false).parse(args);
        if (p.has("help")) {
            io.out().println(HELP);
            return 0;
        }
        if (p.has("controller") || p.has("node")) {
            if (p.has("controller") && p.has("node"))
                throw new UsageException("error: --controller and --node are one or the other", 2, true);
            if (!p.operands().isEmpty() || p.has("stderr"))
                throw new UsageException("error: a daemon's log takes no job id and no -e", 2, true);
            String node = p.has("node") ? p.last("node") : null;
            if (node != null && node.isBlank()) throw new UsageException("error: --node needs a node name", 2, true);
            return daemonLog(node, p.has("follow"), io);
        }
        if (p.operands().size() != 1) throw new UsageException("error: one job id expected", 2, true);
        long id;
        try {
            id = Long.parseLong(p.operands().get(0));
        } catch (NumberFormatException e) {
            throw new UsageException("error: Invalid job id " + p.operands().get(0), 1, false);
        }
        String stream = p.has("stderr") ? "err" : "out";
        boolean follow = p.has("follow");
        long offset = 0;
        while (true) {
            LogText t = io.gateway().ask(new Logs(id, stream, offset, 1 << 20));
            boolean ended = !(t.state() == JobState.PENDING || t.state() == JobState.RUNNING);
            if (t.node() != null) {
                io.out().write(t.data());
                io.out().flush();
                offset = t.offset() + t.data().length;
                if (t.data().length > 0) continue;
                if (!follow || t.complete()) return 0;
            } else {
                if (t.state() == JobState.PENDING && !follow) {
                    io.err().println("motley logs: job " + id + " has not started yet");
                    return 0;
                }
                Path file = Path.of(t.path());
                if (!Files.exists(file)) {
                    if (t.state() != JobState.PENDING && !follow) {
                        io.err()
                                .println("motley logs: error: " + t.path() + " is not on this host"
                                        + (t.submitNode() == null
                                                ? ""
                                                : "; the job's output is written on node " + t.submitNode()));
                        return 1;
                    }
                } else {
                    long read = copy(file, offset, io);
                    offset += read;
                    if (read > 0) continue;
                    if (!follow || ended) return 0;
                }
                if (ended && !follow) return 0;
            }
            pause.accept(500);
        }
    }

    /**
     * A daemon's log, read through the controller (which reads an agent's over its link) in
     * pieces from an offset; with -f, new lines as they come, until interrupted. A log replaced
     * by a shorter one (rotated) is followed from its start.
     */
    private int daemonLog(String node, boolean follow, Io io) throws Exception {
        long offset = 0;
        while (true) {
            DaemonLogText t = io.gateway().ask(new DaemonLog(node, offset, 1 << 20));
            if (t.offset() < offset) {
                io.err().println("motley logs: the log was replaced (rotated); from its start:");
            }
            io.out().write(t.data());
            io.out().flush();
            offset = t.offset() + t.data().length;
            if (t.data().length > 0) continue;
            if (!follow) return 0;
            pause.accept(500);
        }
    }

    /** Copies what the file holds beyond {@code offset}; returns how many bytes. */
    private static long copy(Path file, long offset, Io io) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (f.length() <= offset) return 0;
            f.seek(offset);
            byte[] buf = new byte[(int) Math.min(1 << 20, f.length() - offset)];
            int n = f.read(buf);
            if (n <= 0) return 0;
            io.out().write(buf, 0, n);
            io.out().flush();
            return n;
        }
    }
}
