package io.motley.cli.command;

import io.motley.cli.format.JobText;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.time.Durations;
import io.motley.protocol.Message;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * motley top: nodes and jobs on one screen, redrawn every few seconds until {@code q}. Keys:
 * {@code q} quits, {@code s} sorts the jobs by the next key (id, user, state, time), {@code u}
 * shows only the caller's jobs or everyone's again. {@code -n N} draws N screens and exits, without
 * clearing the screen (for scripts and logs, as top's batch mode).
 */
public final class MotleyTop implements Command {
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('d', "delay"),
            OptionSpec.value('n', "iterations"),
            OptionSpec.value('s', "sort"),
            OptionSpec.flag('u', "me"),
            OptionSpec.flag('h', "help"));

    static final String HELP = """
            usage: motley top [-d SECONDS] [-n ITERATIONS] [-s id|user|state|time] [-u]
            A live view of the cluster's nodes and jobs, redrawn every -d seconds (default 2).
            Keys: q quit, s next sort order, u only your jobs / everyone's. -n N draws N screens
            and exits without clearing the screen.""";

    static final List<String> SORTS = List.of("id", "user", "state", "time");

    private static final String CLEAR = "\033[H\033[2J";

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("motley top", OPTIONS, false).parse(args);
        if (p.has("help")) {
            io.out().println(HELP);
            return 0;
        }
        double delay = p.has("delay") ? positive(p.last("delay"), "delay") : 2.0;
        long iterations = p.has("iterations") ? (long) positive(p.last("iterations"), "iterations") : -1;
        String sort = p.has("sort") ? p.last("sort").toLowerCase(Locale.ROOT) : "id";
        if (!SORTS.contains(sort))
            throw new UsageException("error: -s takes one of " + String.join(", ", SORTS), 2, false);
        boolean mine = p.has("me");
        boolean live = iterations < 0 && io.stdinIsTerminal();
        Terminal term = live ? Terminal.raw() : null;
        long started = System.nanoTime();
        try {
            for (long frame = 0; iterations < 0 || frame < iterations; frame++) {
                long now = io.nowSeconds() + (System.nanoTime() - started) / 1_000_000_000L;
                String screen = screen(io, now, sort, mine);
                if (live) io.out().print(CLEAR);
                else if (frame > 0) io.out().println();
                io.out().print(screen);
                io.out().flush();
                if (iterations >= 0 && frame + 1 >= iterations) break;
                // wait for the next frame, reading keys meanwhile
                long until = System.nanoTime() + (long) (delay * 1e9);
                boolean redraw = false;
                while (!redraw && System.nanoTime() < until) {
                    int key = io.in().available() > 0 ? io.in().read() : -2;
                    if (key == -1 && !live) return 0;
                    switch (key) {
                        case 'q', 'Q' -> {
                            return 0;
                        }
                        case 's' -> {
                            sort = SORTS.get((SORTS.indexOf(sort) + 1) % SORTS.size());
                            redraw = true;
                        }
                        case 'u' -> {
                            mine = !mine;
                            redraw = true;
                        }
                        default -> Thread.sleep(50);
                    }
                }
            }
            return 0;
        } finally {
            if (term != null) term.restore();
        }
    }

    private static double positive(String v, String what) {
        try {
            double d = Double.parseDouble(v);
            if (d > 0) return d;
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("error: --" + what + " takes a positive number, not '" + v + "'", 2, false);
    }

    /** One screen: a summary line, the nodes, the jobs that are pending or running. */
    static String screen(Io io, long now, String sort, boolean mine) throws Exception {
        List<Node> nodes = io.gateway().ask(new Message.Nodes()).nodes();
        List<Job> jobs = new ArrayList<>();
        for (Job j : Requests.jobs(io)) {
            if (j.state() != JobState.PENDING && j.state() != JobState.RUNNING) continue;
            if (mine && j.uid() != io.uid()) continue;
            jobs.add(j);
        }
        jobs.sort(order(sort, now));
        int cpus = 0;
        int alloc = 0;
        int up = 0;
        for (Node n : nodes) {
            cpus += n.cpus();
            alloc += n.allocCpus();
            if (n.state() != NodeState.DOWN && !n.notResponding()) up++;
        }
        long running = jobs.stream().filter(j -> j.state() == JobState.RUNNING).count();
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "motley top - %s  nodes %d/%d up  CPUs %d/%d allocated  jobs %d running, %d pending  (sort: %s%s)%n",
                DateTimeFormatter.ISO_LOCAL_TIME.format(
                        Instant.ofEpochSecond(now).atZone(io.zone()).toLocalTime()),
                up,
                nodes.size(),
                alloc,
                cpus,
                running,
                jobs.size() - running,
                sort,
                mine ? ", mine" : ""));
        b.append('\n');
        b.append(String.format(
                Locale.ROOT,
                "%-12s %-10s %9s %15s %5s %6s %s%n",
                "NODE",
                "STATE",
                "CPUS",
                "MEMORY(MiB)",
                "GPUS",
                "LOAD",
                "REASON"));
        for (Node n : nodes) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-12s %-10s %9s %15s %5d %6.2f %s%n",
                    cut(n.name(), 12),
                    cut(n.displayState(), 10),
                    n.allocCpus() + "/" + n.cpus(),
                    n.allocMemMiB() + "/" + n.memMiB(),
                    n.gpus().size(),
                    n.cpuLoad(),
                    n.reason() == null ? "" : FreeText.escape(n.reason())));
        }
        b.append('\n');
        b.append(String.format(
                Locale.ROOT,
                "%-12s %-9s %-10s %-14s %2s %11s %s%n",
                "JOBID",
                "USER",
                "PARTITION",
                "NAME",
                "ST",
                "TIME",
                "NODE(REASON)"));
        for (Job j : jobs) {
            boolean run = j.state() == JobState.RUNNING;
            b.append(String.format(
                    Locale.ROOT,
                    "%-12s %-9s %-10s %-14s %2s %11s %s%n",
                    cut(j.displayId(), 12),
                    cut(j.user(), 9),
                    cut(j.partition(), 10),
                    cut(j.request().name(), 14),
                    j.state().code(),
                    Durations.formatCompact(j.elapsed(now)),
                    run ? j.node() : "(" + JobText.reason(j) + ")"));
        }
        return b.toString();
    }

    static Comparator<Job> order(String sort, long now) {
        Comparator<Job> byId = Comparator.comparingLong(Job::id);
        return switch (sort) {
            case "user" -> Comparator.comparing(Job::user).thenComparing(byId);
            case "state" ->
                Comparator.comparing((Job j) -> j.state() == JobState.RUNNING ? 0 : 1)
                        .thenComparing(byId);
            case "time" -> Comparator.comparingLong((Job j) -> -j.elapsed(now)).thenComparing(byId);
            default -> byId;
        };
    }

    private static String cut(String s, int width) {
        if (s == null) return "";
        return s.length() <= width ? s : s.substring(0, width - 1) + "+";
    }

    /** The controlling terminal in raw mode (keys arrive one at a time, unechoed) until restored. */
    static final class Terminal {
        private final String saved;

        private Terminal(String saved) {
            this.saved = saved;
        }

        static Terminal raw() {
            try {
                String saved = stty("-g").trim();
                stty("-icanon", "-echo", "min", "0", "time", "0");
                Terminal t = new Terminal(saved);
                Runtime.getRuntime().addShutdownHook(new Thread(t::restore));
                return t;
            } catch (IOException | InterruptedException e) {
                return null;
            }
        }

        void restore() {
            try {
                stty(saved);
            } catch (IOException | InterruptedException e) {
                // the terminal is gone
            }
        }

        private static String stty(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("stty"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IOException("stty failed: " + out);
            return out;
        }
    }
}
