package io.motley.cli.command;

import io.motley.cli.format.Column;
import io.motley.cli.format.FormatString;
import io.motley.cli.format.JobText;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.FreeText;
import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.time.Durations;
import io.motley.protocol.Message.Queue;
import io.motley.protocol.Message.QueueRow;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** squeue: the jobs in the queue, in Slurm's default or a user-given format. */
public final class Squeue implements Command {
    static final String DEFAULT_FORMAT = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
    static final String LONG_FORMAT = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('j', "jobs"),
            OptionSpec.value('u', "user"),
            OptionSpec.flag('\0', "me"),
            OptionSpec.value('t', "states"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('n', "name"),
            OptionSpec.value('A', "account"),
            OptionSpec.value('w', "nodelist"),
            OptionSpec.flag('h', "noheader"),
            OptionSpec.value('o', "format"),
            OptionSpec.flag('l', "long"),
            OptionSpec.flag('r', "array"),
            OptionSpec.flag('\0', "start"),
            OptionSpec.flag('a', "all"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('\0', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("squeue", OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        Set<Long> ids = new HashSet<>();
        for (String list : p.all("jobs")) {
            for (String t : list.split(",")) {
                ids.add(jobId(t.trim()));
            }
        }
        ids.addAll(p.operands().stream().map(Squeue::jobId).toList());
        Set<String> users = new HashSet<>();
        users.addAll(p.listAll("user"));
        if (p.has("me")) users.add(io.userName());
        EnumSet<JobState> states = EnumSet.of(JobState.PENDING, JobState.RUNNING);
        if (p.has("states")) states = parseStates(p.last("states"));
        // --start lists pending jobs only, as Slurm's does
        if (p.has("start")) states = EnumSet.of(JobState.PENDING);
        Set<String> partitions = p.list("partition");
        Set<String> names = p.list("name");
        Set<String> accounts = p.list("account");
        Set<String> onNodes = p.has("nodelist") ? new HashSet<>(Hostlist.expand(p.last("nodelist"))) : Set.of();
        String format = p.has("format")
                ? p.last("format")
                : p.has("start") ? START_FORMAT : p.has("long") ? LONG_FORMAT : DEFAULT_FORMAT;
        List<Column> cols = FormatString.parse(format);
        StringBuilder fields = new StringBuilder();
        for (Column c : cols) if (!c.isLiteral()) fields.append(c.field());
        if (p.has("start")) fields.append('S');
        if (p.has("array")) fields.append(Queue.ARRAY_TASKS);
        // an explicit job id shows that job whatever its state, as in Slurm, unless states are named too
        boolean byState = ids.isEmpty() || p.has("states") || p.has("start");
        Queue query =
                new Queue(ids, users, byState ? states : null, partitions, names, accounts, onNodes, fields.toString());

        List<QueueRow> rows = new ArrayList<>(io.gateway().ask(query).rows());
        if (p.has("array")) rows = expandArrays(rows);
        rows.sort(ORDER);
        if (p.has("start")) rows.sort(byStart(io.nowSeconds()));
        if (p.has("long")) {
            io.out()
                    .println(DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ENGLISH)
                            .format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(io.nowSeconds()), io.zone())));
        }
        if (!p.has("noheader")) io.out().println(FormatString.header(cols, Squeue::header));
        print(rows, cols, io);
        return 0;
    }

    /** The rows, one line each, in {@code cols}' format. */
    static void print(List<QueueRow> rows, List<Column> cols, Io io) {
        Map<Character, Function<QueueRow, String>> fields = new HashMap<>();
        for (Column c : cols) if (!c.isLiteral()) fields.computeIfAbsent(c.field(), f -> escaped(field(f, io)));
        // a million lines are printed in blocks, not one synchronized println each
        StringBuilder block = new StringBuilder(1 << 17);
        String eol = System.lineSeparator();
        for (QueueRow r : rows) {
            FormatString.renderTo(block, cols, r, fields::get);
            block.append(eol);
            if (block.length() >= 1 << 16) {
                io.out().print(block);
                block.setLength(0);
            }
        }
        io.out().print(block);
        io.out().flush();
    }

    /** squeue --start's columns (Slurm's). */
    static final String START_FORMAT = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

    /** --start: jobs with a known start first, soonest first; then the others by id. */
    private static Comparator<QueueRow> byStart(long now) {
        return Comparator.comparingLong((QueueRow r) -> {
                    long t = expectedStart(r, now);
                    return t > 0 ? t : Long.MAX_VALUE;
                })
                .thenComparingLong(QueueRow::id);
    }

    /**
     * When a job starts or is expected to: its start once running; for a pending one the start of
     * its reservation, else its --begin time while that is ahead; 0 when unknown.
     */
    static long expectedStart(QueueRow r, long now) {
        if (r.state() != JobState.PENDING) return r.start();
        if (r.schedNodes() != null || r.expectedStart() > 0) return r.expectedStart();
        return r.begin() > now ? r.begin() : 0;
    }

    /** Pending first (highest priority first, held as 0), then running and the rest by id, as squeue lists them. */
    static final Comparator<QueueRow> ORDER = Comparator.<QueueRow>comparingInt(
                    r -> r.state() == JobState.PENDING ? 0 : 1)
            .thenComparing((a, b) -> a.state() == JobState.PENDING ? Long.compare(b.priority(), a.priority()) : 0)
            .thenComparingLong(QueueRow::id);

    /** squeue -r: one line per pending array task instead of the folded 12_[3-9]. */
    static List<QueueRow> expandArrays(List<QueueRow> rows) {
        List<QueueRow> out = new ArrayList<>();
        for (QueueRow r : rows) {
            if (r.pending() == null || r.state() != JobState.PENDING) {
                out.add(r);
                continue;
            }
            for (int i : ArraySpec.unfold(r.pending())) out.add(task(r, r.arrayJobId() + "_" + i));
        }
        return out;
    }

    private static QueueRow task(QueueRow r, String display) {
        return new QueueRow(
                r.id(),
                display,
                r.arrayJobId(),
                null,
                r.state(),
                r.priority(),
                r.partition(),
                r.name(),
                r.user(),
                r.uid(),
                r.gid(),
                r.start(),
                r.end(),
                r.limit(),
                r.nodesOrReason(),
                r.node(),
                r.reason(),
                r.cpus(),
                r.memory(),
                r.submit(),
                r.expectedStart(),
                r.schedNodes(),
                r.begin(),
                r.workDir(),
                r.account(),
                r.comment(),
                r.qos(),
                r.nice(),
                r.dependency());
    }

    private static long jobId(String s) {
        int u = s.indexOf('_');
        if (u > 0) s = s.substring(0, u);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("error: Invalid job id: " + s, 1, false);
        }
    }

    static EnumSet<JobState> parseStates(String list) {
        EnumSet<JobState> out = EnumSet.noneOf(JobState.class);
        for (String s : list.split(",")) {
            if (s.equalsIgnoreCase("all")) return EnumSet.allOf(JobState.class);
            out.add(JobState.parse(s)
                    .orElseThrow(() -> new UsageException("error: Invalid job state specified: " + s, 1, false)));
        }
        return out;
    }

    static String header(char c) {
        return switch (c) {
            case 'i', 'A' -> "JOBID";
            case 'P' -> "PARTITION";
            case 'j' -> "NAME";
            case 'u' -> "USER";
            case 'U' -> "UID";
            case 'g' -> "GROUP";
            case 'G' -> "GID";
            case 'T' -> "STATE";
            case 't' -> "ST";
            case 'M' -> "TIME";
            case 'l' -> "TIME_LIMIT";
            case 'L' -> "TIME_LEFT";
            case 'D' -> "NODES";
            case 'R' -> "NODELIST(REASON)";
            case 'N' -> "NODELIST";
            case 'r' -> "REASON";
            case 'C' -> "CPUS";
            case 'c' -> "MIN_CPUS";
            case 'm' -> "MIN_MEMORY";
            case 'V' -> "SUBMIT_TIME";
            case 'S' -> "START_TIME";
            case 'e' -> "END_TIME";
            case 'Z' -> "WORK_DIR";
            case 'a' -> "ACCOUNT";
            case 'k' -> "COMMENT";
            case 'Q' -> "PRIORITY";
            case 'o' -> "COMMAND";
            case 'q' -> "QOS";
            case 'y' -> "NICE";
            case 'B' -> "EXEC_HOST";
            case 'E' -> "DEPENDENCY";
            case 'Y' -> "SCHEDNODES";
            default -> null;
        };
    }

    /**
     * A field with its control characters written out: records stored before they were refused
     * at submit may hold them, and a newline in a name must not start a row of its own.
     */
    private static Function<QueueRow, String> escaped(Function<QueueRow, String> f) {
        return f == null ? null : r -> FreeText.escape(f.apply(r));
    }

    /** What format code {@code c} prints of a row; null for a code squeue does not know. */
    static Function<QueueRow, String> field(char c, Io io) {
        // a queue's times repeat (every pending job's is 0:00): format each value once
        Map<Long, String> durations = new HashMap<>();
        java.util.function.LongFunction<String> compact =
                t -> durations.computeIfAbsent(t, x -> Durations.formatCompact(x));
        return switch (c) {
            case 'i' -> r -> r.display() != null ? r.display() : Long.toString(r.id());
            case 'A' -> r -> Long.toString(r.arrayJobId() != 0 ? r.arrayJobId() : r.id());
            case 'P' -> QueueRow::partition;
            case 'j', 'o' -> QueueRow::name;
            case 'u' -> QueueRow::user;
            case 'U' -> r -> Long.toString(r.uid());
            case 'g', 'G' -> r -> Long.toString(r.gid());
            case 'T' -> r -> r.state().name();
            case 't' -> r -> r.state().code();
            case 'M' -> r -> compact.apply(elapsed(r, io.nowSeconds()));
            case 'l' -> r -> compact.apply(limit(r.limit()));
            case 'L' ->
                r -> r.limit() < 0 || r.state() != JobState.RUNNING
                        ? compact.apply(limit(r.limit()))
                        : compact.apply(Math.max(0, r.limit() - elapsed(r, io.nowSeconds())));
            case 'D' -> r -> "1";
            case 'R' -> QueueRow::nodesOrReason;
            case 'N', 'B' -> r -> r.node() == null ? "" : r.node();
            case 'r' -> QueueRow::reason;
            case 'C', 'c' -> r -> Long.toString(r.cpus());
            case 'm' -> QueueRow::memory;
            case 'V' -> r -> JobText.timestamp(r.submit(), io.zone(), "N/A");
            case 'S' -> r -> JobText.timestamp(expectedStart(r, io.nowSeconds()), io.zone(), "N/A");
            case 'Y' -> r -> r.schedNodes() != null && r.state() == JobState.PENDING ? r.schedNodes() : "(null)";
            case 'e' ->
                r -> r.end() > 0
                        ? JobText.timestamp(r.end(), io.zone(), "N/A")
                        : r.start() > 0 && r.limit() > 0
                                ? JobText.timestamp(r.start() + r.limit(), io.zone(), "N/A")
                                : "N/A";
            case 'Z' -> QueueRow::workDir;
            case 'a' -> r -> r.account() == null ? "(null)" : r.account();
            case 'k' -> r -> r.comment() == null ? "(null)" : r.comment();
            case 'Q' -> r -> Long.toString(r.priority());
            case 'q' -> r -> r.qos() == null ? "normal" : r.qos();
            case 'y' -> r -> Long.toString(r.nice());
            case 'E' -> r -> r.dependency() == null ? "(null)" : r.dependency() + "(unfulfilled)";
            default -> null;
        };
    }

    /** Seconds the job has run (or ran), as squeue's TIME shows. */
    private static long elapsed(QueueRow r, long now) {
        if (r.start() == 0) return 0;
        long end = r.end() != 0 ? r.end() : now;
        return Math.max(0, end - r.start());
    }

    private static long limit(long limit) {
        return limit < 0 ? Durations.UNLIMITED : limit;
    }

    private static final String HELP = """
            Usage: squeue [OPTIONS]
              -j, --jobs=LIST        job ids to show
              -u, --user=LIST        users (names or uids) whose jobs to show
                  --me               only my jobs
              -t, --states=LIST      states to show (PD,R,CD,F,CA,TO,NF,OOM or 'all'); default PD,R
              -p, --partition=LIST   partitions to show
              -n, --name=LIST        job names to show
              -A, --account=LIST     accounts whose jobs to show
              -w, --nodelist=HOSTS   jobs on these nodes
              -h, --noheader         no header line
              -o, --format=FORMAT    fields: %i %P %j %u %T %t %M %l %L %D %R %N %r %C %m %V %S %e %Z %a %k %Q %q %y %Y
              -l, --long             long format with state and time limit
              -r, --array            one line per pending array task
                  --start            pending jobs with their expected start times (known for jobs
                                     holding a backfill reservation, and for --begin) and the node
                                     planned (SCHEDNODES)""";
}
