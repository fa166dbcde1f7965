package io.motley.core.job;

import io.motley.core.dependency.Dependency;
import io.motley.core.size.MemorySize;
import io.motley.core.time.Durations;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * scontrol update JobId=N KEY=VALUE...: the changes asked for, read once from the KEY=VALUE pairs
 * and applied to a pending job's request. Pure; keys are Slurm's, in any case. A field that was
 * not named is null.
 *
 * @param dependency the new dependency, canonical; "" to clear it
 * @param priority Priority=: a fixed priority, 0 to hold the job, {@link #PRIORITY_RESET} to let
 *     the priority plugin set it again
 * @param arrayTaskThrottle ArrayTaskThrottle=: the array's %N, 0 for none
 * @param edits the other fields' changes, in the order asked
 */
public record JobUpdate(
        Map<String, String> asked,
        Long timeLimitSeconds,
        List<String> partitions,
        Integer ntasks,
        Integer cpusPerTask,
        String name,
        String comment,
        String dependency,
        Integer nice,
        Long priority,
        Integer arrayTaskThrottle,
        List<UnaryOperator<JobRequest>> edits) {

    /** Priority=4294967294, Slurm's INFINITE: the priority is computed again (what scontrol release sends). */
    public static final long PRIORITY_RESET = 0xFFFF_FFFEL;

    /**
     * The request option that keeps a priority an operator set (Slurm's direct_set_prio); not
     * sbatch's "priority", which keeps what anyone asked at submission, unenforced.
     */
    public static final String PRIORITY_OPTION = "fixed-priority";

    public JobUpdate {
        edits = List.copyOf(edits);
    }

    /** As {@link #parse(Map, ZonedDateTime)}, with StartTime read against this moment here. */
    public static JobUpdate parse(Map<String, String> pairs) {
        return parse(pairs, ZonedDateTime.now());
    }

    /**
     * Reads the pairs: TimeLimit, Partition, Dependency, NumCPUs (MinCPUsNode), NumTasks, NumNodes,
     * Name (JobName), Comment, Nice, MinMemoryNode, MinMemoryCPU, StartTime (as sbatch --begin, read
     * at {@code now}), Features, ReqNodeList, ExcNodeList, WorkDir, StdOut, StdErr, Account, QOS
     * and Requeue. An empty Features, ReqNodeList, ExcNodeList or StartTime clears it.
     *
     * @throws IllegalArgumentException with Slurm's words for a key Motley cannot update or a value it cannot read
     */
    public static JobUpdate parse(Map<String, String> pairs, ZonedDateTime now) {
        List<UnaryOperator<JobRequest>> edits = new ArrayList<>();
        Long limit = null;
        List<String> parts = null;
        Integer ntasks = null;
        Integer cpusPerTask = null;
        String name = null;
        String comment = null;
        String dependency = null;
        Integer nice = null;
        Long priority = null;
        Integer throttle = null;
        for (var e : pairs.entrySet()) {
            String v = e.getValue();
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Update of " + e.getKey() + " is not supported by Motley yet");
            }
            try {
                switch (key) {
                    case "timelimit" -> limit = Durations.parseTimeLimit(v);
                    case "partition" -> parts = List.of(v.split(","));
                    case "numcpus", "mincpusnode" -> {
                        ntasks = 1;
                        cpusPerTask = Integer.parseInt(v);
                    }
                    case "numtasks" -> ntasks = Integer.parseInt(v);
                    case "name", "jobname" -> name = v;
                    case "comment" -> comment = v;
                    case "dependency" ->
                        dependency = v.isEmpty() ? "" : Dependency.parse(v).toString();
                    case "nice" -> nice = Integer.parseInt(v.trim());
                    case "priority" -> priority = priority(v);
                    case "arraytaskthrottle" -> throttle = throttle(v);
                    case "mailtype" -> {
                        String type = MailType.canonical(v);
                        edits.add(r -> withOption(r, "mail-type", type));
                    }
                    // empty: back to the job's owner, as in Slurm
                    case "mailuser" -> edits.add(r -> withOption(r, "mail-user", v.isBlank() ? null : v));
                    case "minmemorynode" -> {
                        long mib = MemorySize.parseMebibytes(v);
                        edits.add(r -> r.toBuilder()
                                .memory(new MemoryRequest.PerNode(mib))
                                .build());
                    }
                    case "minmemorycpu" -> {
                        long mib = MemorySize.parseMebibytes(v);
                        edits.add(r -> r.toBuilder()
                                .memory(new MemoryRequest.PerCpu(mib))
                                .build());
                    }
                    case "starttime" -> {
                        long begin = v.isEmpty() ? 0 : Durations.parseTimestamp(v, now);
                        edits.add(r -> r.withBeginTime(begin));
                    }
                    case "features" ->
                        edits.add(r -> placed(
                                r, v, r.placement().nodeList(), r.placement().excludeList()));
                    case "reqnodelist" ->
                        edits.add(r -> placed(
                                r, r.placement().constraint(), v, r.placement().excludeList()));
                    case "excnodelist" ->
                        edits.add(r -> placed(
                                r, r.placement().constraint(), r.placement().nodeList(), v));
                    case "workdir" -> {
                        if (!v.startsWith("/"))
                            throw new IllegalArgumentException("'" + v + "' is not an absolute path");
                        edits.add(r -> r.toBuilder()
                                .payload(new JobRequest.Payload(
                                        v,
                                        r.payload().submitDir(),
                                        r.payload().environment(),
                                        r.payload().script(),
                                        r.payload().arguments(),
                                        r.payload().submitHost(),
                                        r.payload().options()))
                                .build());
                    }
                    case "stdout" ->
                        edits.add(r -> r.toBuilder()
                                .output(v, r.output().stderrPattern())
                                .build());
                    case "stderr" ->
                        edits.add(r -> r.toBuilder()
                                .output(r.output().stdoutPattern(), v)
                                .build());
                    case "account" -> edits.add(r -> r.toBuilder().account(v).build());
                    case "qos" -> edits.add(r -> r.toBuilder().qos(v).build());
                    case "requeue" -> {
                        boolean may = switch (v.trim()) {
                            case "0" -> false;
                            case "1" -> true;
                            default -> throw new IllegalArgumentException("'" + v + "' is not 0 or 1");
                        };
                        edits.add(r -> r.toBuilder().requeue(may).build());
                    }
                    // kept, not enforced, as sbatch's -s, --contiguous and --reboot; YES also drops --exclusive, as
                    // slurmctld's share_res=1 clears whole_node
                    case "oversubscribe" -> {
                        boolean yes = flag(v);
                        edits.add(r -> {
                            JobRequest.Placement p = r.placement();
                            JobRequest shared = yes
                                    ? r.toBuilder()
                                            .placement(new JobRequest.Placement(
                                                    p.partitions(),
                                                    p.constraint(),
                                                    p.nodeList(),
                                                    p.excludeList(),
                                                    false))
                                            .build()
                                    : r;
                            return withOption(shared, "oversubscribe", yes ? "" : "no");
                        });
                    }
                    case "contiguous", "reboot" -> {
                        boolean yes = flag(v);
                        edits.add(r -> withOption(r, key, yes ? "1" : null));
                    }
                    case "numnodes", "minnodes" -> {
                        String[] range = v.trim().split("-", 2);
                        int min = Integer.parseInt(range[0]);
                        int max = range.length > 1 ? Integer.parseInt(range[1]) : min;
                        if (min < 1 || max < min) throw new IllegalArgumentException("'" + v + "' is no node count");
                        edits.add(r -> r.toBuilder().nodes(min, max).build());
                    }
                    default -> throw new IllegalStateException(key);
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("Invalid " + e.getKey() + " specification: " + ex.getMessage(), ex);
            }
        }
        return new JobUpdate(
                Map.copyOf(pairs),
                limit,
                parts,
                ntasks,
                cpusPerTask,
                name,
                comment,
                dependency,
                nice,
                priority,
                throttle,
                edits);
    }

    /**
     * OverSubscribe=, Contiguous=, Reboot=: yes or no (a prefix of either, any case), or a number below 65535 (as
     * Slurm's parse_uint16 reads one), 0 for no.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static boolean flag(String v) {
        String t = v.strip().toUpperCase(Locale.ROOT);
        if (!t.isEmpty() && "YES".startsWith(t)) return true;
        if (!t.isEmpty() && "NO".startsWith(t)) return false;
        if (t.matches("\\d{1,5}") && Integer.parseInt(t) < 0xFFFF) return Integer.parseInt(t) != 0;
        throw new IllegalArgumentException("'" + v + "' is not yes, no or a number");
    }

    /** Priority=: as Slurm's parse_uint32, a whole number from 0 below 4294967295 (NO_VAL). */
    private static long priority(String v) {
        try {
            long p = Long.parseLong(v);
            if (p < 0 || p >= 0xFFFF_FFFFL) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid Priority value: " + v, e);
        }
    }

    /**
     * ArrayTaskThrottle=: as Slurm reads it (strtoll), the leading digits, so "abc" is 0 (no
     * throttle); a negative count is refused.
     */
    public static int throttle(String v) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("^\\s*([-+]?\\d+)").matcher(v);
        if (!m.find()) return 0;
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            n = m.group(1).startsWith("-") ? -1 : Integer.MAX_VALUE;
        }
        if (n < 0) throw new IllegalArgumentException("Invalid ArrayTaskThrottle value");
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** {@code r} with one of its kept options set (null removes it). */
    private static JobRequest withOption(JobRequest r, String key, String value) {
        Map<String, String> opts = new java.util.TreeMap<>(r.options());
        if (value == null) opts.remove(key);
        else opts.put(key, value);
        return r.toBuilder().options(opts).build();
    }

    /** The priority an operator set for the job (Slurm's direct_set_prio), if one did. */
    public static java.util.OptionalLong fixedPriority(JobRequest r) {
        String p = r.options().get(PRIORITY_OPTION);
        if (p == null) return java.util.OptionalLong.empty();
        try {
            return java.util.OptionalLong.of(Long.parseLong(p));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** {@code r} with its fixed priority set, or cleared with null (the priority plugin sets it again). */
    public static JobRequest withFixedPriority(JobRequest r, Long priority) {
        return withOption(r, PRIORITY_OPTION, priority == null ? null : Long.toString(priority));
    }

    /** {@code r} with its constraint and node lists replaced (blank: none), the rest of its placement kept. */
    private static JobRequest placed(JobRequest r, String constraint, String nodeList, String excludeList) {
        JobRequest.Placement p = r.placement();
        return r.toBuilder()
                .placement(new JobRequest.Placement(
                        p.partitions(),
                        blankNull(constraint),
                        blankNull(nodeList),
                        blankNull(excludeList),
                        p.exclusive()))
                .build();
    }

    private static String blankNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Whether scontrol update may name {@code key} (any case) for a job. */
    public static boolean supports(String key) {
        return KEYS.contains(key.toLowerCase(Locale.ROOT));
    }

    private static final List<String> KEYS = List.of(
            "timelimit",
            "partition",
            "numcpus",
            "mincpusnode",
            "numtasks",
            "name",
            "jobname",
            "comment",
            "dependency",
            "nice",
            "minmemorynode",
            "minmemorycpu",
            "starttime",
            "features",
            "reqnodelist",
            "excnodelist",
            "workdir",
            "stdout",
            "stderr",
            "account",
            "qos",
            "requeue",
            "numnodes",
            "minnodes",
            "priority",
            "arraytaskthrottle",
            "mailtype",
            "mailuser",
            "oversubscribe",
            "contiguous",
            "reboot");

    /**
     * The keys Slurm also takes for a job that has started (its others want a pending job): a
     * running job's limit, priority, nice, name, comment, requeue flag, mail and array throttle.
     */
    private static final java.util.Set<String> ANY_TIME = java.util.Set.of(
            "timelimit",
            "priority",
            "nice",
            "name",
            "jobname",
            "comment",
            "requeue",
            "mailtype",
            "mailuser",
            "arraytaskthrottle");

    /**
     * Whether only an operator may ask this of {@code r}, as slurmctld rules: OverSubscribe and Reboot always, and
     * Contiguous unless it is taken away.
     */
    public boolean wantsOperator(JobRequest r) {
        for (var e : asked.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (key.equals("oversubscribe") || key.equals("reboot")) return true;
            if (key.equals("contiguous") && flag(e.getValue()) && r.flag("contiguous") == 0) return true;
        }
        return false;
    }

    /** Whether every key asked may change a job that is no longer pending. */
    public boolean fitsStartedJob() {
        return asked.keySet().stream().allMatch(k -> ANY_TIME.contains(k.toLowerCase(Locale.ROOT)));
    }

    /**
     * The request with the changes made. {@code given}: the partitions the job was given when its
     * request named none (they become its request's own, as in Slurm's record of the job).
     */
    public JobRequest apply(JobRequest r, List<String> given) {
        List<String> parts = partitions != null ? partitions : r.partitions().isEmpty() ? given : r.partitions();
        JobRequest next = r.updated(
                        name != null ? name : r.name(),
                        parts,
                        ntasks != null ? ntasks : r.ntasks(),
                        cpusPerTask != null ? cpusPerTask : r.cpusPerTask(),
                        timeLimitSeconds != null
                                ? TimeLimit.of(timeLimitSeconds)
                                : r.timing().limit(),
                        comment != null ? comment : r.comment())
                .withDependency(dependency == null ? r.dependency() : dependency.isEmpty() ? null : dependency)
                .withNice(nice != null ? nice : r.nice());
        for (UnaryOperator<JobRequest> edit : edits) next = edit.apply(next);
        return next;
    }

    /**
     * Whether the update sets a negative nice value (raises the job's priority), which only an
     * operator may, as in Slurm: anyone may set any nice from 0 up.
     */
    public boolean lowersNice(JobRequest r) {
        return nice != null && nice < 0 && nice != r.nice();
    }
}
