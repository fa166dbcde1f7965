package io.motley.cli.command;

import io.motley.cli.format.Column;
import io.motley.cli.format.FormatString;
import io.motley.cli.format.LongField;
import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.time.Durations;
import io.motley.protocol.dataparser.SlurmctldJson;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * sinfo: partitions and their nodes, one line per group of nodes that look alike in the fields
 * asked for (by default: per partition and node state), or one line per node with -N.
 */
public final class Sinfo implements Command {
    static final String DEFAULT_FORMAT = "%9P %.5a %.10l %.6D %.6t %N";
    static final String LONG_FORMAT = "%9P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N";
    static final String NODE_FORMAT = "%N %.6D %.9P %6t";
    // 22.05 prints CPUS left-justified in this layout (see the reference capture)
    static final String NODE_LONG_FORMAT = "%N %.6D %.9P %.11T %4c %.8z %.6m %.8d %.6w %.8f %20E";
    static final String SUMMARIZE_FORMAT = "%9P %.5a %.10l %.16F %N";
    static final String REASONS_FORMAT = "%20E %9u %19H %N";
    static final String REASONS_LONG_FORMAT = "%20E %12U %19H %6t %N";

    /** -O's column for a field name sinfo does not know: it prints nothing, not even its width. */
    static final char INVALID = '\uE100';

    // -O fields with no -o code: codes of Motley's own
    static final char COMMENT = '\uE101';
    static final char EXTRA = '\uE102';
    static final char GRES_USED = '\uE103';
    static final char PORT = '\uE104';
    static final char STATE_COMPLETE = '\uE105';
    static final char ALLOC_MEM = '\uE106';

    // Slurm pads these fields to at least this width in its own layouts, wider when a value needs it.
    private static final int MIN_FIELD_SIZE = 9;

    // Fields whose differing values keep nodes on separate lines (Slurm's "match flags").
    private static final String NODE_MATCH_FIELDS = "cCdeEfGmnoOtTwzHuUbvXYZ" + STATE_COMPLETE + ALLOC_MEM;
    // Fields that describe a partition: with none of them in the format, lines are not per partition.
    private static final String PARTITION_FIELDS = "PRalLghrsSpIMB";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('a', "all"),
            OptionSpec.flag('d', "dead"),
            OptionSpec.flag('e', "exact"),
            OptionSpec.flag('\0', "federation"),
            OptionSpec.value('i', "iterate"),
            OptionSpec.flag('\0', "local"),
            OptionSpec.flag('T', "reservation"),
            OptionSpec.flag('h', "noheader"),
            OptionSpec.value('M', "clusters"),
            OptionSpec.flag('\0', "help"),
            OptionSpec.flag('\0', "hide"),
            OptionSpec.flag('l', "long"),
            OptionSpec.value('n', "nodes"),
            OptionSpec.flag('N', "Node"),
            OptionSpec.value('o', "format"),
            OptionSpec.value('O', "Format"),
            OptionSpec.value('p', "partition"),
            OptionSpec.flag('r', "responding"),
            OptionSpec.flag('R', "list-reasons"),
            OptionSpec.flag('s', "summarize"),
            OptionSpec.value('S', "sort"),
            OptionSpec.value('t', "states"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('V', "version"),
            new OptionSpec('\0', "json", OptionSpec.Arg.OPTIONAL, "json"));

    /** One output line: a partition (null for "n/a") and the nodes it stands for. */
    record Row(Partition partition, int partitionIndex, List<Node> nodes) {}

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("sinfo", OPTIONS, false).parse(args);
        if (p.has("help")) {
            io.out().println(HELP);
            return 0;
        }
        if (p.has("usage")) {
            io.out().println(USAGE);
            return 0;
        }
        if (p.has("version")) {
            io.out().println(Version.TEXT);
            return 0;
        }
        // words that are no options are passed over without a word, as Slurm's sinfo does (it never reads them)
        if (p.has("iterate")) {
            String every = p.last("iterate");
            if (!every.matches("[0-9]+") || every.matches("0+"))
                throw new UsageException("error: Error: invalid entry for --iterate=" + every, 1, false);
            throw new UsageException("error: --iterate is not supported by Motley yet", 1, false);
        }
        if (p.has("reservation")) {
            // Motley has no reservations: Slurm's answer when none is defined
            io.out().println("No reservations in the system");
            return 0;
        }
        // --federation and --local: one cluster, which is both the federation and the local cluster
        boolean nodeMode = p.has("Node");
        boolean longOutput = p.has("long");
        boolean reasons = p.has("list-reasons");
        Predicate<Node> stateFilter =
                p.has("states") ? parseStates(p.last("states")) : reasons ? Sinfo::hasReason : n -> true;
        Set<String> onlyNodes = p.has("nodes") ? new HashSet<>(expandNodes(p.last("nodes"))) : null;
        Set<String> onlyPartitions = p.has("partition") ? p.list("partition") : null;

        String format;
        boolean defaultLayout = !p.has("format") && !p.has("Format");
        if (p.has("Format")) {
            format = null;
        } else if (p.has("format")) {
            format = p.last("format");
        } else if (p.has("summarize")) {
            format = SUMMARIZE_FORMAT;
        } else if (nodeMode) {
            format = longOutput ? NODE_LONG_FORMAT : NODE_FORMAT;
        } else if (reasons) {
            format = longOutput ? REASONS_LONG_FORMAT : REASONS_FORMAT;
            defaultLayout = false;
        } else {
            format = longOutput ? LONG_FORMAT : DEFAULT_FORMAT;
        }
        List<Column> cols = format == null ? longFormat(p.last("Format"), io) : FormatString.parse(format);
        for (Column c : cols) {
            if (!c.isLiteral() && header(c.field()) == null) {
                io.err().println("Invalid node format specification: " + c.field());
            }
        }

        List<Node> nodes = new ArrayList<>();
        for (Node n : Requests.nodes(io)) {
            if (onlyNodes != null && !onlyNodes.contains(n.name())) continue;
            if (!stateFilter.test(n)) continue;
            // as in Slurm, "dead" is the NOT_RESPONDING flag, not the DOWN state an operator may set
            if (p.has("dead") && !n.notResponding()) continue;
            if (p.has("responding") && n.notResponding()) continue;
            nodes.add(n);
        }
        Requests.PartitionList partitionList = Requests.partitions(io);
        List<Partition> partitions = partitionList.partitions();
        if (p.has("json")) {
            Squeue.checkJsonVersion(p, "sinfo");
            List<Partition> shown = partitions.stream()
                    .filter(part -> onlyPartitions == null || onlyPartitions.contains(part.name()))
                    .toList();
            io.out().print(SlurmctldJson.sinfo(nodes, shown, partitionList.cluster(), io.userName(), args));
            return 0;
        }

        String matchFields = matchFields(cols);
        List<Row> rows = new ArrayList<>();
        boolean byPartition =
                nodeMode || cols.stream().anyMatch(c -> !c.isLiteral() && PARTITION_FIELDS.indexOf(c.field()) >= 0);
        if (!byPartition) {
            // without a partition field each node is counted once, whatever partitions hold it
            Map<String, List<Node>> groups = new LinkedHashMap<>();
            for (Node n : nodes) {
                boolean listed = partitions.stream()
                        .anyMatch(part -> part.contains(n.name())
                                && (onlyPartitions == null || onlyPartitions.contains(part.name())));
                if (listed)
                    groups.computeIfAbsent(groupKey(n, matchFields), k -> new ArrayList<>())
                            .add(n);
            }
            for (List<Node> g : groups.values()) rows.add(new Row(null, 0, List.copyOf(g)));
        }
        for (int i = 0; byPartition && i < partitions.size(); i++) {
            Partition part = partitions.get(i);
            if (onlyPartitions != null && !onlyPartitions.contains(part.name())) continue;
            List<Node> members =
                    nodes.stream().filter(n -> part.contains(n.name())).toList();
            if (members.isEmpty()) {
                // a partition with no node to show still gets its line (0 nodes, n/a), as in Slurm, unless by node
                if (!nodeMode) rows.add(new Row(part, i, List.of()));
                continue;
            }
            if (nodeMode) {
                for (Node n : members) rows.add(new Row(part, i, List.of(n)));
                continue;
            }
            Map<String, List<Node>> groups = new LinkedHashMap<>();
            for (Node n : members)
                groups.computeIfAbsent(groupKey(n, matchFields), k -> new ArrayList<>())
                        .add(n);
            for (List<Node> g : groups.values()) rows.add(new Row(part, i, List.copyOf(g)));
        }
        Comparator<Row> sortBy = p.has("sort") ? sortBy(p.last("sort"), partitionList.cluster(), io) : null;
        if (sortBy != null) {
            rows.sort(sortBy);
        } else if (nodeMode) {
            rows.sort(Comparator.comparing(
                    (Row r) -> r.nodes().isEmpty() ? "" : r.nodes().get(0).name(), NAME_ORDER));
        } else {
            // partitions as configured, then decreasing node state, as sinfo's default "#P,-t"
            rows.sort(Comparator.comparingInt(Row::partitionIndex)
                    .thenComparing(Comparator.comparingInt(Sinfo::rowStateRank).reversed()));
        }

        int partWidth = MIN_FIELD_SIZE;
        int nodeWidth = MIN_FIELD_SIZE;
        for (Row r : rows) {
            if (r.partition() != null)
                partWidth = Math.max(
                        partWidth,
                        r.partition().name().length() + (r.partition().isDefault() ? 1 : 0));
            nodeWidth = Math.max(nodeWidth, nodeList(r).length());
        }
        Layout layout = new Layout(
                defaultLayout ? partWidth : -1,
                defaultLayout && nodeMode ? nodeWidth : -1,
                partitionList.cluster(),
                io);

        if (longOutput) {
            io.out()
                    .println(DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ENGLISH)
                            .format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(io.nowSeconds()), io.zone())));
        }
        String cluster = ClusterOption.reached(p, partitionList.cluster());
        if (cluster != null && !p.has("noheader")) io.out().println("CLUSTER: " + cluster);
        if (!p.has("noheader")) io.out().println(layout.line(cols, null));
        for (Row r : rows) io.out().println(layout.line(cols, r));
        return 0;
    }

    /**
     * The order of sinfo -S's keys: format codes, each with an optional '+' or '-' (descending),
     * {@code #P} for partitions as configured; numbers compare as numbers, states by their rank.
     */
    static Comparator<Row> sortBy(String keys, String cluster, Io io) {
        Comparator<Row> by = (a, b) -> 0;
        for (String k : keys.split(",")) {
            String t = k.trim();
            boolean desc = t.startsWith("-");
            if (desc || t.startsWith("+")) t = t.substring(1);
            boolean configured = t.startsWith("#");
            if (configured) t = t.substring(1);
            if (t.length() != 1 || header(t.charAt(0)) == null)
                throw new UsageException("error: Invalid sort specification: " + k.trim(), 1, false);
            char f = t.charAt(0);
            Comparator<Row> one;
            if (configured && (f == 'P' || f == 'R')) {
                one = Comparator.comparingInt(Row::partitionIndex);
            } else if (f == 't' || f == 'T') {
                one = Comparator.comparingInt(Sinfo::rowStateRank);
            } else if (f == 'N' || f == 'n') {
                one = Comparator.comparing(
                        (Row r) -> r.nodes().isEmpty() ? "" : r.nodes().get(0).name(), NAME_ORDER);
            } else if (f == 'P' || f == 'R') {
                one = Comparator.comparing(
                        (Row r) -> r.partition() == null ? "" : r.partition().name());
            } else {
                one = (a, b) -> {
                    String va = value(f, a, cluster, io.zone());
                    String vb = value(f, b, cluster, io.zone());
                    if (va.matches("\\d+") && vb.matches("\\d+"))
                        return Long.compare(Long.parseLong(va), Long.parseLong(vb));
                    return va.compareTo(vb);
                };
            }
            by = by.thenComparing(desc ? one.reversed() : one);
        }
        return by;
    }

    /** sinfo -O's field names (lower case) and the code that prints each (Slurm 22.05's pairs). */
    private static final Map<String, Character> LONG_NAMES = Map.ofEntries(
            Map.entry("allocmem", ALLOC_MEM),
            Map.entry("allocnodes", 'S'),
            Map.entry("available", 'a'),
            Map.entry("cluster", 'V'),
            Map.entry("comment", COMMENT),
            Map.entry("cores", 'Y'),
            Map.entry("cpus", 'c'),
            Map.entry("cpusload", 'O'),
            Map.entry("cpusstate", 'C'),
            Map.entry("defaulttime", 'L'),
            Map.entry("disk", 'd'),
            Map.entry("extra", EXTRA),
            Map.entry("features", 'f'),
            Map.entry("features_act", 'b'),
            Map.entry("freemem", 'e'),
            Map.entry("gres", 'G'),
            Map.entry("gresused", GRES_USED),
            Map.entry("groups", 'g'),
            Map.entry("maxcpuspernode", 'B'),
            Map.entry("memory", 'm'),
            Map.entry("nodeaddr", 'o'),
            Map.entry("nodeai", 'A'),
            Map.entry("nodeaiot", 'F'),
            Map.entry("nodehost", 'n'),
            Map.entry("nodelist", 'N'),
            Map.entry("nodes", 'D'),
            Map.entry("oversubscribe", 'h'),
            Map.entry("share", 'h'),
            Map.entry("partition", 'P'),
            Map.entry("partitionname", 'R'),
            Map.entry("port", PORT),
            Map.entry("preemptmode", 'M'),
            Map.entry("priorityjobfactor", 'I'),
            Map.entry("prioritytier", 'p'),
            Map.entry("reason", 'E'),
            Map.entry("root", 'r'),
            Map.entry("size", 's'),
            Map.entry("socketcorethread", 'z'),
            Map.entry("sockets", 'X'),
            Map.entry("statecompact", 't'),
            Map.entry("statecomplete", STATE_COMPLETE),
            Map.entry("statelong", 'T'),
            Map.entry("threads", 'Z'),
            Map.entry("time", 'l'),
            Map.entry("timestamp", 'H'),
            Map.entry("user", 'u'),
            Map.entry("userlong", 'U'),
            Map.entry("version", 'v'),
            Map.entry("weight", 'w'));

    /**
     * The columns of sinfo -O: {@code Name[:[.]WIDTH[SUFFIX]]} each, comma-separated, 20 wide and
     * left-justified unless given (a colon without digits: as wide as the value), with nothing
     * between them but a suffix. A name sinfo does not know is said on stderr and prints only its
     * suffix, as Slurm's.
     */
    static List<Column> longFormat(String spec, Io io) {
        List<Column> out = new ArrayList<>();
        for (String token : spec.split(",")) {
            if (token.isEmpty()) continue;
            LongField f = LongField.parse(token);
            String name = f.name();
            int width = f.width();
            boolean right = f.right();
            String suffix = f.suffix();
            Character code = LONG_NAMES.get(name.toLowerCase(Locale.ROOT));
            if (code == null) {
                io.err().println("sinfo: error: Invalid job format specification: " + name);
                code = INVALID;
                width = 0;
            }
            out.add(new Column(code, width, right, null));
            if (!suffix.isEmpty()) out.add(Column.literal(suffix));
        }
        return out;
    }

    /** The widths sinfo computes for its own layouts (-1: use the format's width). */
    private record Layout(int partWidth, int nodeWidth, String cluster, Io io) {
        String line(List<Column> cols, Row row) {
            StringBuilder sb = new StringBuilder();
            for (Column c : cols) {
                if (c.isLiteral()) {
                    sb.append(c.literal());
                    continue;
                }
                char f = c.field();
                int width = c.width();
                if ((f == 'P' || f == 'R') && partWidth >= 0) width = partWidth;
                if ((f == 'N' || f == 'n') && nodeWidth >= 0) width = nodeWidth;
                String name = header(f);
                if (name == null) {
                    sb.append('%').append(f);
                    continue;
                }
                if (row == null) {
                    // node list titles are never cut, as in sinfo
                    boolean cut = f != 'N' && f != 'n' && f != 'o';
                    sb.append(cut ? fit(name, width, c.right()) : pad(name, width, c.right()));
                } else if (f == 'P') {
                    sb.append(fit(partitionName(row.partition(), width), width, c.right()));
                } else {
                    sb.append(fit(value(f, row, cluster, io.zone()), width, c.right()));
                }
            }
            return sb.toString();
        }
    }

    static String fit(String value, int width, boolean right) {
        return new Column('x', width, right, null).fit(value);
    }

    private static String pad(String value, int width, boolean right) {
        if (value.length() >= width) return value;
        String spaces = " ".repeat(width - value.length());
        return right ? spaces + value : value + spaces;
    }

    /** The partition name with "*" for the default one, squeezed into the width as sinfo does. */
    private static String partitionName(Partition part, int width) {
        if (part == null) return "n/a";
        if (!part.isDefault()) return part.name();
        if (width == 0 || part.name().length() < width) return part.name() + "*";
        return part.name().substring(0, width - 1) + "*";
    }

    static String header(char f) {
        return switch (f) {
            case 'a' -> "AVAIL";
            case 'A' -> "NODES(A/I)";
            case 'b' -> "ACTIVE_FEATURES";
            case 'B' -> "MAX_CPUS_PER_NODE";
            case 'c' -> "CPUS";
            case 'C' -> "CPUS(A/I/O/T)";
            case 'd' -> "TMP_DISK";
            case 'D' -> "NODES";
            case 'e' -> "FREE_MEM";
            case 'E' -> "REASON";
            case 'f' -> "AVAIL_FEATURES";
            case 'F' -> "NODES(A/I/O/T)";
            case 'g' -> "GROUPS";
            case 'G' -> "GRES";
            case 'h' -> "OVERSUBSCRIBE";
            case 'H' -> "TIMESTAMP";
            case 'I' -> "PRIO_JOB_FACTOR";
            case 'l' -> "TIMELIMIT";
            case 'L' -> "DEFAULTTIME";
            case 'm' -> "MEMORY";
            case 'M' -> "PREEMPT_MODE";
            case 'n' -> "HOSTNAMES";
            case 'N' -> "NODELIST";
            case 'o' -> "NODE_ADDR";
            case 'O' -> "CPU_LOAD";
            case 'p' -> "PRIO_TIER";
            case 'P', 'R' -> "PARTITION";
            case 'r' -> "ROOT";
            case 's' -> "JOB_SIZE";
            case 'S' -> "ALLOCNODES";
            case 't', 'T' -> "STATE";
            case 'u', 'U' -> "USER";
            case 'v' -> "VERSION";
            case 'V' -> "CLUSTER";
            case 'w' -> "WEIGHT";
            case 'X' -> "SOCKETS";
            case 'Y' -> "CORES";
            case 'z' -> "S:C:T";
            case 'Z' -> "THREADS";
            case COMMENT -> "COMMENT";
            case EXTRA -> "EXTRA";
            case GRES_USED -> "GRES_USED";
            case PORT -> "PORT";
            case STATE_COMPLETE -> "STATECOMPLETE";
            case ALLOC_MEM -> "ALLOCMEM";
            case INVALID -> "";
            default -> null;
        };
    }

    static String value(char f, Row r, String cluster, java.time.ZoneId zone) {
        Partition part = r.partition();
        List<Node> ns = r.nodes();
        return switch (f) {
            case 'a' -> part == null ? "n/a" : avail(part.state());
            case 'A' -> count(ns, Sinfo::isAllocated) + "/" + count(ns, Sinfo::isIdle);
            case 'b' -> "(null)";
            case 'f' -> {
                java.util.Set<String> fs = new java.util.LinkedHashSet<>();
                ns.forEach(n -> fs.addAll(n.features()));
                yield fs.isEmpty() ? "(null)" : String.join(",", fs);
            }
            case 'G' -> {
                java.util.Set<String> gs = new java.util.LinkedHashSet<>();
                ns.forEach(n -> gs.add(Gpu.gres(n.gpus())));
                yield gs.size() == 1
                        ? gs.iterator().next()
                        : gs.stream()
                                .filter(g -> !g.equals("(null)"))
                                .reduce((a, b) -> a + "," + b)
                                .orElse("(null)");
            }
            case 'B' -> "UNLIMITED";
            case 'c' -> minPlus(ns.stream().mapToLong(Node::cpus).boxed().toList());
            case 'C' -> cpusAiot(ns);
            case 'd' -> "0";
            case 'D' -> Integer.toString(ns.size());
            case 'e' -> range(ns.stream().mapToLong(Node::freeMemMiB).boxed().toList());
            case 'E' ->
                ns.isEmpty() || blank(ns.get(0).reason()) ? "none" : ns.get(0).reason();
            case 'F' ->
                count(ns, Sinfo::isAllocated) + "/" + count(ns, Sinfo::isIdle) + "/" + count(ns, Sinfo::isOther) + "/"
                        + ns.size();
            case 'g' -> part == null ? "n/a" : "all";
            case 'h' -> "NO";
            case 'H' ->
                ns.isEmpty() || ns.get(0).reasonTime() <= 0 || blank(ns.get(0).reason())
                        ? "Unknown"
                        : Durations.formatTimestamp(ns.get(0).reasonTime(), zone);
            case 'I', 'p' -> "1";
            case 'w' -> range(ns.stream().map(n -> (long) n.weight()).toList());
            case 'l' -> part == null ? "n/a" : limit(part.maxTimeSeconds(), "infinite");
            case 'L' -> part == null ? "n/a" : limit(part.defaultTimeSeconds(), "n/a");
            case 'm' -> minPlus(ns.stream().map(Node::memMiB).toList());
            case 'M' -> "OFF";
            case 'n', 'N' -> Hostlist.compress(ns.stream().map(Node::name).toList());
            case 'o' ->
                Hostlist.compress(ns.stream()
                        .map(n -> blank(n.address()) ? n.name() : n.address())
                        .toList());
            case 'O' -> loadRange(ns);
            case 'P' -> partitionName(part, 0);
            case 'R' -> part == null ? "n/a" : part.name();
            case 'r' -> part == null ? "n/a" : "no";
            case 's' -> part == null ? "n/a" : "1-infinite";
            case 'S' -> part == null ? "n/a" : "all";
            case 't' -> ns.isEmpty() ? "n/a" : shortState(ns.get(0));
            case 'T' -> ns.isEmpty() ? "n/a" : ns.get(0).displayState();
            case 'u' -> ns.isEmpty() || blank(ns.get(0).reason()) ? "Unknown" : "root";
            case 'U' -> ns.isEmpty() || blank(ns.get(0).reason()) ? "Unknown" : "root(0)";
            case 'v' ->
                ns.isEmpty() || blank(ns.get(0).version()) ? "N/A" : ns.get(0).version();
            // the cluster's name is shown only for clusters named with -M, which Motley (one cluster) has not
            case 'V' -> "N/A";
            // nodes have no comment, extra data or GPU use Motley keeps: Slurm's value for none
            case COMMENT, EXTRA, GRES_USED -> "(null)";
            // agents listen on no slurmd port: Slurm's default, as --json's node port
            case PORT -> "6818";
            case STATE_COMPLETE -> ns.isEmpty() ? "n/a" : stateComplete(ns.get(0));
            case ALLOC_MEM -> ns.isEmpty() ? "0" : Long.toString(ns.get(0).allocMemMiB());
            case 'X' -> minPlus(ns.stream().mapToLong(Node::sockets).boxed().toList());
            case 'Y' ->
                minPlus(ns.stream().mapToLong(Node::coresPerSocket).boxed().toList());
            case 'Z' ->
                minPlus(ns.stream().mapToLong(Node::threadsPerCore).boxed().toList());
            case 'z' ->
                minPlus(ns.stream().mapToLong(Node::sockets).boxed().toList()) + ":"
                        + minPlus(ns.stream()
                                .mapToLong(Node::coresPerSocket)
                                .boxed()
                                .toList()) + ":"
                        + minPlus(ns.stream()
                                .mapToLong(Node::threadsPerCore)
                                .boxed()
                                .toList());
            default -> "";
        };
    }

    private static String avail(PartitionState s) {
        return switch (s) {
            case UP -> "up";
            case DOWN -> "down";
            case DRAIN -> "drain";
            case INACTIVE -> "inactive";
        };
    }

    private static String limit(long seconds, String unlimited) {
        return seconds < 0 ? unlimited : Durations.formatCompact(seconds);
    }

    /** sinfo's short state (%t): idle, mix, alloc, down, drain, drng, with Slurm's * when not responding. */
    static String shortState(Node n) {
        String state = NodeState.display(n.state(), n.allocCpus(), n.cpus());
        String compact = switch (state) {
            case "mixed" -> "mix";
            case "allocated" -> "alloc";
            case "drained" -> "drain";
            case "draining" -> "drng";
            default -> state;
        };
        return compact + (n.notResponding() ? "*" : "");
    }

    /** StateComplete: the base state and each flag, lower case, as {@code idle+drain+not_responding}. */
    static String stateComplete(Node n) {
        String base = n.state() == NodeState.DOWN || n.state() == NodeState.INVAL
                ? "down"
                : n.allocCpus() == 0 ? "idle" : n.allocCpus() >= n.cpus() ? "allocated" : "mixed";
        StringBuilder sb = new StringBuilder(base);
        if (n.state() == NodeState.DRAIN) sb.append("+drain");
        if (n.state() == NodeState.INVAL) sb.append("+invalid_reg");
        if (n.notResponding()) sb.append("+not_responding");
        return sb.toString();
    }

    /**
     * The node's state as Slurm numbers it (DOWN 1, IDLE 2, ALLOCATED 3, MIXED 5, plus 0x200 for
     * DRAIN and 0x800 for NOT_RESPONDING): nodes group by it and lines sort by it, highest first.
     */
    static int stateRank(Node n) {
        int noRespond = n.notResponding() ? 0x800 : 0;
        if (n.state() == NodeState.DOWN) return 1 | noRespond;
        if (n.state() == NodeState.INVAL) return 0x400 | noRespond;
        int base = n.allocCpus() == 0 ? 2 : n.allocCpus() >= n.cpus() ? 3 : 5;
        return (n.state() == NodeState.DRAIN ? base | 0x200 : base) | noRespond;
    }

    private static int rowStateRank(Row r) {
        return r.nodes().isEmpty() ? 0 : stateRank(r.nodes().get(0));
    }

    private static boolean isAllocated(Node n) {
        return n.state() == NodeState.UP && n.allocCpus() > 0;
    }

    private static boolean isIdle(Node n) {
        return n.state() == NodeState.UP && n.allocCpus() == 0;
    }

    private static boolean isOther(Node n) {
        return n.state() != NodeState.UP;
    }

    private static long count(List<Node> ns, Predicate<Node> p) {
        return ns.stream().filter(p).count();
    }

    private static String cpusAiot(List<Node> ns) {
        long alloc = 0, idle = 0, other = 0, total = 0;
        for (Node n : ns) {
            total += n.cpus();
            if (n.state() == NodeState.DOWN || n.state() == NodeState.INVAL) {
                other += n.cpus();
            } else if (n.state() == NodeState.DRAIN) {
                alloc += n.allocCpus();
                other += Math.max(0, n.cpus() - n.allocCpus());
            } else {
                alloc += n.allocCpus();
                idle += Math.max(0, n.cpus() - n.allocCpus());
            }
        }
        return alloc + "/" + idle + "/" + other + "/" + total;
    }

    /** One value, or the smallest with "+" when the nodes differ ("2+"). */
    private static String minPlus(List<Long> values) {
        if (values.isEmpty()) return "0";
        long min = values.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
        return min == max ? Long.toString(min) : min + "+";
    }

    private static String range(List<Long> values) {
        if (values.isEmpty()) return "0";
        long min = values.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
        return min == max ? Long.toString(min) : min + "-" + max;
    }

    private static String loadRange(List<Node> ns) {
        if (ns.isEmpty()) return "0.00";
        double min = ns.stream().mapToDouble(Node::cpuLoad).min().orElse(0);
        double max = ns.stream().mapToDouble(Node::cpuLoad).max().orElse(0);
        String lo = String.format(Locale.ROOT, "%.2f", min);
        String hi = String.format(Locale.ROOT, "%.2f", max);
        return lo.equals(hi) ? hi : lo + "-" + hi;
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static String nodeList(Row r) {
        return Hostlist.compress(r.nodes().stream().map(Node::name).toList());
    }

    private static String matchFields(List<Column> cols) {
        StringBuilder sb = new StringBuilder();
        for (Column c : cols) {
            if (!c.isLiteral() && NODE_MATCH_FIELDS.indexOf(c.field()) >= 0) sb.append(c.field());
        }
        return sb.toString();
    }

    /** What a node shows in the fields that split groups; nodes with equal keys share a line. */
    private static String groupKey(Node n, String fields) {
        StringBuilder sb = new StringBuilder();
        for (char f : fields.toCharArray()) {
            String v = switch (f) {
                case 'c', 'C' -> Integer.toString(n.cpus());
                case 'e' -> Long.toString(n.freeMemMiB());
                case 'E', 'H', 'u', 'U' -> n.reason() + "@" + n.reasonTime();
                case 'm' -> Long.toString(n.memMiB());
                case 'n' -> n.name();
                case 'o' -> n.address();
                case 'O' -> Double.toString(n.cpuLoad());
                case 't', 'T', STATE_COMPLETE -> Integer.toString(stateRank(n));
                case ALLOC_MEM -> Long.toString(n.allocMemMiB());
                case 'z', 'X', 'Y', 'Z' -> n.sockets() + ":" + n.coresPerSocket() + ":" + n.threadsPerCore();
                case 'v' -> n.version();
                default -> "";
            };
            sb.append(v).append('\u0000');
        }
        return sb.toString();
    }

    private static List<String> expandNodes(String expr) {
        try {
            return Hostlist.expand(expr);
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: '" + expr + "' invalid entry for --nodes", 1, false);
        }
    }

    /** Node states as sinfo -t takes them: any prefix of a short or long name, any case, comma separated. */
    /**
     * What -R lists: nodes down, drained or invalid, as in Slurm, and also an up node that carries a
     * reason (Motley's: a clock-skew note that does not take the node out of service).
     */
    static boolean hasReason(Node n) {
        return n.state() != NodeState.UP || (n.reason() != null && !n.reason().isBlank());
    }

    static Predicate<Node> parseStates(String list) {
        if (list.equalsIgnoreCase("all")) return n -> true;
        List<Predicate<Node>> any = new ArrayList<>();
        for (String s : list.split(",")) {
            if (s.isEmpty()) continue;
            Predicate<Node> one = stateMatcher(s.toLowerCase(Locale.ROOT));
            if (one == null) {
                throw new UsageException(
                        "error: Bad state string: \"" + s + "\"\nsinfo: error: valid states: " + VALID_STATES,
                        1,
                        false);
            }
            any.add(one);
        }
        return n -> any.stream().anyMatch(p -> p.test(n));
    }

    private static Predicate<Node> stateMatcher(String s) {
        // In Slurm's order: the base states first, so "d" means DOWN as it does there.
        if (prefixOf(s, "unk", "unknown") || prefixOf(s, "err", "error") || prefixOf(s, "futr", "future"))
            return n -> false;
        if (prefixOf(s, "down", "down")) return n -> n.state() == NodeState.DOWN;
        if (prefixOf(s, "inval", "inval")) return n -> n.state() == NodeState.INVAL;
        if (prefixOf(s, "idle", "idle")) return n -> n.state() == NodeState.UP && n.allocCpus() == 0;
        if (prefixOf(s, "alloc", "allocated"))
            return n -> n.state() == NodeState.UP && n.allocCpus() >= n.cpus() && n.cpus() > 0;
        if (prefixOf(s, "mix", "mixed"))
            return n -> n.state() == NodeState.UP && n.allocCpus() > 0 && n.allocCpus() < n.cpus();
        if ("no_respond".startsWith(s) && s.length() >= 2) return Node::notResponding;
        if ("drain".startsWith(s)) return n -> n.state() == NodeState.DRAIN;
        if ("drained".startsWith(s)) return n -> n.state() == NodeState.DRAIN && n.allocCpus() == 0;
        if ("draining".startsWith(s) || "drng".startsWith(s))
            return n -> n.state() == NodeState.DRAIN && n.allocCpus() > 0;
        for (String other : List.of(
                "resv",
                "reserved",
                "perfctrs",
                "npc",
                "completing",
                "comp",
                "powered_down",
                "powering_up",
                "fail",
                "maint",
                "reboot_requested",
                "planned",
                "cloud")) {
            if (other.startsWith(s)) return n -> false;
        }
        return null;
    }

    private static boolean prefixOf(String s, String compact, String full) {
        return compact.startsWith(s) || full.startsWith(s);
    }

    /** Host names in Slurm's order: by prefix, then by number ("n2" before "n10"). */
    static final Comparator<String> NAME_ORDER = (a, b) -> {
        int i = a.length(), j = b.length();
        while (i > 0 && Character.isDigit(a.charAt(i - 1))) i--;
        while (j > 0 && Character.isDigit(b.charAt(j - 1))) j--;
        int c = a.substring(0, i).compareTo(b.substring(0, j));
        if (c != 0) return c;
        String da = a.substring(i), db = b.substring(j);
        if (da.isEmpty() || db.isEmpty() || da.length() > 18 || db.length() > 18) return a.compareTo(b);
        c = Long.compare(Long.parseLong(da), Long.parseLong(db));
        return c != 0 ? c : a.compareTo(b);
    };

    /** Slurm 22.05's list, as its sinfo prints it (its own state names, in its order, "?" and repeats included). */
    private static final String VALID_STATES = "unknown,down,idle,allocated,?,mixed,future,drain,drained,draining,"
            + "no_respond,reserved,perfctrs,cloud,completing,powering_down,powered_down,power_down,powering_up,fail,"
            + "maint,reboot,reboot^,unknown";

    private static final String USAGE = """
            Usage: sinfo [-adelNRrsTv] [-i seconds] [-t states] [-p partition] [-n nodes]
                         [-S fields] [-o format] [-O Format] [-M clusters] [--federation] [--local]
                         [--json]""";

    private static final String HELP = """
            Usage: sinfo [OPTIONS]
              -a, --all                  show all partitions (Motley has no hidden ones)
              -d, --dead                 show only non-responding nodes
              -h, --noheader             no headers on output
              -M, --clusters=NAME        this cluster (its ClusterName, or all): its name heads the output
              -l, --long                 long output: more fields, and the time first
                  --json                 data_parser v0.0.40's JSON: one entry per partition and node state
              -n, --nodes=NODES          report on these nodes (a hostlist)
              -N, --Node                 node-centric format: one line per node and partition
              -o, --format=FORMAT        format specification (%P %R %a %l %L %D %F %A %t %T %N %n %o
                                         %c %C %m %e %O %z %d %w %f %G %E %H %u %U %s %r %h %g %V)
              -O, --Format=FIELDS        Slurm's field names, each NAME[:[.]WIDTH[SUFFIX]] (20 wide
                                         by default): Available, CPUs, CPUsState, Memory, NodeList,
                                         Partition, StateLong, ... (see sinfo(1))
              -p, --partition=PARTITION  report on these partitions
              -r, --responding           report only responding nodes
              -R, --list-reasons         list the reasons nodes are down or drained (and an up node's clock skew)
              -s, --summarize            one line per partition with node counts (A/I/O/T)
              -S, --sort=KEYS            sort by format codes, e.g. #P,-t ('-' descending)
              -t, --states=STATES        only nodes in these states (idle,mix,alloc,down,drain,
                                         drained,draining, or 'all')
              -V, --version              output version information and exit

            Help options:
              --help                     show this help message
              --usage                    display brief usage message""";
}
