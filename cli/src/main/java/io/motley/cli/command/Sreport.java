package io.motley.cli.command;

import static io.motley.cli.format.Cells.justify;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.cluster.Node;
import io.motley.core.job.Job;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.time.Durations;
import io.motley.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * sreport: {@code cluster utilization} and {@code user top} in Slurm's layout, computed from the
 * job records (CPU-seconds allocated within the window) and the nodes' CPUs. Motley keeps no
 * rollup tables: Down, PLND Down and Planned are 0 and Reported is the registered nodes' CPUs
 * over the whole window (see docs/accounts.md).
 */
public final class Sreport implements Command {
    private static final String DASHES = "-".repeat(80);
    private static final DateTimeFormatter SLURM_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('n', "noheader"),
            OptionSpec.flag('p', "parsable"),
            OptionSpec.flag('P', "parsable2"),
            OptionSpec.value('t', "time"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    /** How usage is printed (-t): seconds, minutes or hours, as sreport's time formats. */
    enum Unit {
        SECONDS("Seconds", 1),
        MINUTES("Minutes", 60),
        HOURS("Hours", 3600);

        final String word;
        final long per;

        Unit(String word, long per) {
            this.word = word;
            this.per = per;
        }

        static Unit of(String s) {
            String t = s.toLowerCase(Locale.ROOT);
            for (Unit u : values()) if (u.word.toLowerCase(Locale.ROOT).startsWith(t) && !t.isEmpty()) return u;
            throw new IllegalArgumentException(
                    "unknown time format " + s + " (Motley prints Seconds, Minutes or Hours)");
        }
    }

    /** The report's options: window [start, end), unit, output style. */
    record Report(long start, long end, Unit unit, String delimiter, boolean ending, boolean header, int top) {}

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("sreport", OPTIONS, true).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        List<String> ops = p.operands();
        if (ops.size() < 2) {
            io.err().println("sreport: give a report: cluster utilization, or user top");
            return 1;
        }
        ZonedDateTime now = Instant.ofEpochSecond(io.nowSeconds()).atZone(io.zone());
        // sreport's default window: yesterday, midnight to midnight
        long end = now.toLocalDate().atStartOfDay(io.zone()).toEpochSecond();
        long start = end - 86400;
        int top = 10;
        for (String a : ops.subList(2, ops.size())) {
            int eq = a.indexOf('=');
            String k = eq < 0 ? a.toLowerCase(Locale.ROOT) : a.substring(0, eq).toLowerCase(Locale.ROOT);
            String v = eq < 0 ? "" : a.substring(eq + 1);
            if (k.startsWith("start")) start = Durations.parseTimestamp(v, now, true);
            else if (k.startsWith("end")) end = Durations.parseTimestamp(v, now, true);
            else if (k.startsWith("topcount")) top = Integer.parseInt(v);
            else if (!k.startsWith("cluster")) {
                io.err().println(" Unknown condition: " + a);
                return 1;
            }
        }
        Unit unit = p.has("time") ? Unit.of(p.last("time")) : Unit.MINUTES;
        String delimiter = p.has("parsable") || p.has("parsable2") ? "|" : null;
        Report rep = new Report(start, end, unit, delimiter, p.has("parsable"), !p.has("noheader"), top);
        String what = ops.get(0).toLowerCase(Locale.ROOT) + " " + ops.get(1).toLowerCase(Locale.ROOT);
        List<Job> jobs = io.gateway()
                .ask(new Message.Accounting(AccountingQuery.builder()
                        .window(start, end)
                        .allocationsOnly(true)
                        .build()))
                .jobs();
        String cluster = io.gateway().ask(new Message.Partitions()).cluster();
        if (what.startsWith("cluster util")) {
            long cpus = 0;
            for (Node n : io.gateway().ask(new Message.Nodes()).nodes()) cpus += n.cpus();
            io.out().print(utilization(rep, cluster, cpus, jobs, io.zone()));
            return 0;
        }
        if (what.startsWith("user top")) {
            io.out().print(userTop(rep, cluster, jobs, io.zone(), Sreport::properName));
            return 0;
        }
        io.err().println("sreport: Motley reports cluster utilization and user top, not '" + what + "'");
        return 1;
    }

    /** CPU-seconds a job held within [start, end). */
    static long cpuSeconds(Job j, long start, long end) {
        if (j.startTime() <= 0) return 0;
        long from = Math.max(j.startTime(), start);
        long to = Math.min(j.endTime() > 0 ? j.endTime() : end, end);
        return to > from ? (to - from) * j.allocCpus() : 0;
    }

    static String utilization(Report r, String cluster, long cpus, List<Job> jobs, java.time.ZoneId zone) {
        long period = Math.max(0, r.end() - r.start());
        long reported = cpus * period;
        long alloc = 0;
        for (Job j : jobs) alloc += cpuSeconds(j, r.start(), r.end());
        alloc = Math.min(alloc, reported);
        long idle = reported - alloc;
        StringBuilder out = new StringBuilder();
        if (r.header()) banner(out, "Cluster Utilization " + window(r, zone), r.unit());
        List<String> names = List.of("Cluster", "Allocated", "Down", "PLND Down", "Idle", "Planned", "Reported");
        long[] secs = {alloc, 0, 0, idle, 0, reported};
        int[] widths = new int[names.size()];
        widths[0] = 9;
        for (int i = 1; i < widths.length; i++) widths[i] = usageWidth(secs[i - 1] / r.unit().per);
        List<String> values = new ArrayList<>();
        values.add(cluster);
        for (long s : secs) values.add(Long.toString(s / r.unit().per));
        table(out, r, names, widths, List.of(values));
        return out.toString();
    }

    static String userTop(
            Report r,
            String cluster,
            List<Job> jobs,
            java.time.ZoneId zone,
            java.util.function.Function<String, String> proper) {
        Map<List<String>, Long> used = new LinkedHashMap<>();
        for (Job j : jobs) {
            long s = cpuSeconds(j, r.start(), r.end());
            if (s <= 0) continue;
            String account = j.request().account() == null ? "" : j.request().account();
            used.merge(List.of(j.user(), account), s, Long::sum);
        }
        List<Map.Entry<List<String>, Long>> sorted = new ArrayList<>(used.entrySet());
        sorted.sort(Map.Entry.<List<String>, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(e -> e.getKey().get(0)));
        List<Map.Entry<List<String>, Long>> shown = sorted.subList(0, Math.min(r.top(), sorted.size()));
        StringBuilder out = new StringBuilder();
        if (r.header()) {
            banner(
                    out,
                    "Top " + r.top() + " Users " + window(r, zone) + " (" + (r.end() - r.start()) + " secs)",
                    r.unit());
        }
        long max =
                shown.stream().mapToLong(e -> e.getValue() / r.unit().per).max().orElse(0);
        List<String> names = List.of("Cluster", "Login", "Proper Name", "Account", "Used", "Energy");
        int[] widths = {9, 9, 15, 15, usageWidth(max), usageWidth(0)};
        List<List<String>> rows = new ArrayList<>();
        for (var e : shown) {
            String login = e.getKey().get(0);
            rows.add(List.of(
                    cluster,
                    login,
                    proper.apply(login),
                    e.getKey().get(1),
                    Long.toString(e.getValue() / r.unit().per),
                    "0"));
        }
        table(out, r, names, widths, rows);
        return out.toString();
    }

    /** sreport_set_usage_col_width: 8 characters, one more for each power of ten from 10^8. */
    static int usageWidth(long number) {
        int len = 8;
        long order = 100_000_000L;
        while (number >= order && order < Long.MAX_VALUE / 10) {
            len++;
            order *= 10;
        }
        return len;
    }

    private static String window(Report r, java.time.ZoneId zone) {
        return time(r.start(), zone) + " - " + time(r.end() - 1, zone);
    }

    private static String time(long epoch, java.time.ZoneId zone) {
        return LocalDateTime.ofInstant(Instant.ofEpochSecond(epoch), zone).format(SLURM_TIME);
    }

    private static void banner(StringBuilder out, String title, Unit unit) {
        out.append(DASHES).append('\n');
        out.append(title).append('\n');
        out.append("Usage reported in CPU ").append(unit.word).append('\n');
        out.append(DASHES).append('\n');
    }

    private static void table(StringBuilder out, Report r, List<String> names, int[] widths, List<List<String>> rows) {
        if (r.header()) {
            // print_fields_header cuts a long name to its column without the '+' values get
            List<String> cut = new ArrayList<>();
            for (int i = 0; i < names.size(); i++)
                cut.add(r.delimiter() == null ? io.motley.cli.format.Cells.cut(names.get(i), widths[i]) : names.get(i));
            line(out, r, cut, widths);
            if (r.delimiter() == null) {
                for (int w : widths) out.append("-".repeat(w)).append(' ');
                out.append('\n');
            }
        }
        for (List<String> row : rows) line(out, r, row, widths);
    }

    private static void line(StringBuilder out, Report r, List<String> values, int[] widths) {
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (r.delimiter() != null) {
                out.append(v);
                if (r.ending() || i < values.size() - 1) out.append(r.delimiter());
            } else {
                String shown = v.length() > widths[i] ? v.substring(0, widths[i] - 1) + "+" : v;
                out.append(justify(shown, widths[i])).append(' ');
            }
        }
        out.append('\n');
    }

    /** The user's full name from /etc/passwd's GECOS field (sreport's Proper Name), else the login. */
    static String properName(String login) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length > 4 && f[0].equals(login)) {
                    String gecos = f[4].split(",", -1)[0];
                    return gecos.isEmpty() ? login : gecos;
                }
            }
        } catch (java.io.IOException e) {
            // no passwd file to read (macOS keeps users elsewhere): the login stands in, as sreport does
        }
        return login;
    }

    private static final String HELP = """
            Usage: sreport [-n] [-p|-P] [-t Seconds|Minutes|Hours] REPORT [start=TIME] [end=TIME] [TopCount=N]
              cluster utilization   allocated, idle and reported CPU time of the cluster
              user top              the users (per account) who used the most CPU time
            The window is yesterday unless start= and end= say otherwise. Motley reports from its job
            records: Down, PLND Down and Planned are 0 (see docs/accounts.md).""";
}
