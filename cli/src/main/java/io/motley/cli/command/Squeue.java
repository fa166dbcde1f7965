package io.motley.cli.command;

import io.motley.cli.format.Column;
import io.motley.cli.format.FormatString;
import io.motley.cli.format.JobText;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.time.Durations;
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
        Set<String> onNodes = p.has("nodelist") ? new HashSet<>(Hostlist.expand(p.last("nodelist"))) : Set.of();

        List<Job> jobs = new ArrayList<>();
        Map<Long, Requests.ExpectedStart> expected = new HashMap<>();
        List<Job> all = Requests.jobs(io, expected);
        if (p.has("array")) all = expandArrays(all);
        for (Job j : all) {
            if (!ids.isEmpty()
                    && !ids.contains(j.id())
                    && (j.array() == null || !ids.contains(j.array().arrayJobId()))) continue;
            // an explicit job id shows that job whatever its state, as in Slurm, unless states are named too
            if ((ids.isEmpty() || p.has("states") || p.has("start")) && !states.contains(j.state())) continue;
            if (!users.isEmpty() && !users.contains(j.user()) && !users.contains(Integer.toString(j.uid()))) continue;
            if (!partitions.isEmpty()
                    && java.util.Collections.disjoint(
                            partitions, List.of(j.partition().split(",")))) continue;
            if (!names.isEmpty() && !names.contains(j.request().name())) continue;
            if (!onNodes.isEmpty() && (j.node() == null || !onNodes.contains(j.node()))) continue;
            jobs.add(j);
        }
        jobs.sort(ORDER);
        if (p.has("start")) jobs.sort(byStart(expected, io.nowSeconds()));
        String format = p.has("format")
                ? p.last("format")
                : p.has("start") ? START_FORMAT : p.has("long") ? LONG_FORMAT : DEFAULT_FORMAT;
        List<Column> cols = FormatString.parse(format);
        if (p.has("long")) {
            io.out()
                    .println(DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ENGLISH)
                            .format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(io.nowSeconds()), io.zone())));
        }
        if (!p.has("noheader")) io.out().println(FormatString.header(cols, Squeue::header));
        for (Job j : jobs) io.out().println(FormatString.render(cols, j, c -> escaped(field(c, io, expected))));
        return 0;
    }

    /** squeue --start's columns (Slurm's). */
    static final String START_FORMAT = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

    /** --start: jobs with a known start first, soonest first; then the others by id. */
    private static Comparator<Job> byStart(Map<Long, Requests.ExpectedStart> expected, long now) {
        return Comparator.comparingLong((Job j) -> {
                    long t = expectedStart(j, expected, now);
                    return t > 0 ? t : Long.MAX_VALUE;
                })
                .thenComparingLong(Job::id);
    }

    /**
     * When a job starts or is expected to: its start once running; for a pending one the start of
     * its reservation, else its --begin time while that is ahead; 0 when unknown.
     */
    static long expectedStart(Job j, Map<Long, Requests.ExpectedStart> expected, long now) {
        if (j.state() != JobState.PENDING) return j.startTime();
        Requests.ExpectedStart e = expected.get(j.id());
        if (e != null) return e.start();
        return j.request().beginTime() > now ? j.request().beginTime() : 0;
    }

    /** Pending first (highest priority first), then running and the rest by id, as squeue lists them. */
    static final Comparator<Job> ORDER = Comparator.<Job>comparingInt(j -> j.state() == JobState.PENDING ? 0 : 1)
            .thenComparing((a, b) -> a.state() == JobState.PENDING ? Long.compare(prio(b), prio(a)) : 0)
            .thenComparingLong(Job::id);

    private static long prio(Job j) {
        return j.request().hold() ? 0 : j.priority();
    }

    /** squeue -r: one line per pending array task instead of the folded 12_[3-9]. */
    static List<Job> expandArrays(List<Job> jobs) {
        List<Job> out = new ArrayList<>();
        for (Job j : jobs) {
            if (j.array() == null || !j.array().holdsPending() || j.state() != JobState.PENDING) {
                out.add(j);
                continue;
            }
            for (int i : io.motley.core.job.ArraySpec.unfold(j.array().pending())) {
                out.add(j.withArray(new io.motley.core.job.ArrayPart(j.array().arrayJobId(), i, "")));
            }
        }
        return out;
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
    private static Function<Job, String> escaped(Function<Job, String> f) {
        return f == null ? null : j -> FreeText.escape(f.apply(j));
    }

    static Function<Job, String> field(char c, Io io) {
        return field(c, io, Map.of());
    }

    static Function<Job, String> field(char c, Io io, Map<Long, Requests.ExpectedStart> expected) {
        return switch (c) {
            case 'i' -> Job::displayId;
            case 'A' -> j -> Long.toString(j.array() != null ? j.array().arrayJobId() : j.id());
            case 'P' -> Job::partition;
            case 'j' -> j -> j.request().name();
            case 'u' -> Job::user;
            case 'U' -> j -> Integer.toString(j.uid());
            case 'g', 'G' -> j -> Integer.toString(j.gid());
            case 'T' -> j -> j.state().name();
            case 't' -> j -> j.state().code();
            case 'M' -> j -> Durations.formatCompact(j.elapsed(io.nowSeconds()));
            case 'l' -> JobText::limitCompact;
            case 'L' ->
                j -> j.timeLimitSeconds() < 0 || j.state() != JobState.RUNNING
                        ? JobText.limitCompact(j)
                        : Durations.formatCompact(Math.max(0, j.timeLimitSeconds() - j.elapsed(io.nowSeconds())));
            case 'D' -> j -> "1";
            case 'R' -> JobText::nodesOrReason;
            case 'N', 'B' -> JobText::nodes;
            case 'r' -> JobText::reason;
            case 'C', 'c' -> j -> Integer.toString(JobText.cpus(j));
            case 'm' -> JobText::memory;
            case 'V' -> j -> JobText.timestamp(j.submitTime(), io.zone(), "N/A");
            case 'S' -> j -> JobText.timestamp(expectedStart(j, expected, io.nowSeconds()), io.zone(), "N/A");
            case 'Y' ->
                j -> expected.containsKey(j.id()) && j.state() == JobState.PENDING
                        ? expected.get(j.id()).node()
                        : "(null)";
            case 'e' ->
                j -> j.endTime() > 0
                        ? JobText.timestamp(j.endTime(), io.zone(), "N/A")
                        : j.startTime() > 0 && j.timeLimitSeconds() > 0
                                ? JobText.timestamp(j.startTime() + j.timeLimitSeconds(), io.zone(), "N/A")
                                : "N/A";
            case 'Z' -> j -> j.request().workDir();
            case 'a' ->
                j -> j.request().account() == null ? "(null)" : j.request().account();
            case 'k' ->
                j -> j.request().comment() == null ? "(null)" : j.request().comment();
            case 'Q' -> j -> Long.toString(j.request().hold() ? 0 : j.priority());
            case 'o' -> j -> j.request().name();
            case 'q' -> j -> j.request().qos() == null ? "normal" : j.request().qos();
            case 'y' -> j -> Integer.toString(j.request().nice());
            case 'E' ->
                j -> j.request().dependency() == null ? "(null)" : j.request().dependency() + "(unfulfilled)";
            default -> null;
        };
    }

    private static final String HELP = """
            Usage: squeue [OPTIONS]
              -j, --jobs=LIST        job ids to show
              -u, --user=LIST        users (names or uids) whose jobs to show
                  --me               only my jobs
              -t, --states=LIST      states to show (PD,R,CD,F,CA,TO,NF,OOM or 'all'); default PD,R
              -p, --partition=LIST   partitions to show
              -n, --name=LIST        job names to show
              -w, --nodelist=HOSTS   jobs on these nodes
              -h, --noheader         no header line
              -o, --format=FORMAT    fields: %i %P %j %u %T %t %M %l %L %D %R %N %r %C %m %V %S %e %Z %a %k %Q %q %y %Y
              -l, --long             long format with state and time limit
              -r, --array            one line per pending array task
                  --start            pending jobs with their expected start times (known for jobs
                                     holding a backfill reservation, and for --begin) and the node
                                     planned (SCHEDNODES)""";
}
