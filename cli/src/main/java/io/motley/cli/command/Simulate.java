package io.motley.cli.command;

import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.priority.PriorityConfig;
import io.motley.core.simulation.Figures;
import io.motley.core.simulation.JobList;
import io.motley.core.simulation.Policy;
import io.motley.core.simulation.PriorityWeights;
import io.motley.core.simulation.SimulatedCluster;
import io.motley.core.simulation.SimulationResult;
import io.motley.core.simulation.Simulator;
import io.motley.core.simulation.SwfTrace;
import io.motley.core.simulation.WorkloadJob;
import io.motley.core.time.Durations;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * {@code motley simulate}: runs the scheduler in virtual time over a workload file (an SWF trace
 * or a Motley job list) and prints mean and p95 wait, mean bounded slowdown, utilization and
 * makespan, one row per policy. The one command that reads local files and calls no cluster.
 */
public final class Simulate implements Command {
    static final String NAME = "motley simulate";
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('c', "cluster"),
            OptionSpec.value('f', "format"),
            OptionSpec.value('p', "policy"),
            OptionSpec.value('\0', "priority"),
            OptionSpec.flag('\0', "json"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        // Reported here rather than by Main, which would name the command "motley" alone.
        try {
            return simulate(args, io);
        } catch (UsageException e) {
            io.err().println(NAME + ": " + e.getMessage());
            if (e.tryHelp()) io.err().println("Try \"" + NAME + " --help\" for more information");
            return e.exitCode();
        }
    }

    private int simulate(List<String> args, Io io) throws IOException {
        GetOpt.Parsed p = new GetOpt(NAME, OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        if (p.operands().size() != 1) {
            throw new UsageException(
                    "error: give one workload file: motley simulate WORKLOAD [--cluster FILE]", 1, true);
        }
        List<Policy> policies = policies(p.all("policy"));
        String workloadFile = p.operands().get(0);
        String format = p.has("format") ? p.last("format").toLowerCase(Locale.ROOT) : formatByName(workloadFile);
        if (!format.equals("swf") && !format.equals("jobs")) {
            throw error("unknown format '" + p.last("format") + "'; use swf or jobs");
        }
        String workloadText = read(io, workloadFile);
        List<WorkloadJob> jobs;
        SwfTrace trace = null;
        if (format.equals("swf")) {
            trace = parse(workloadFile, () -> SwfTrace.parse(workloadText));
            jobs = trace.jobs();
        } else {
            jobs = parse(workloadFile, () -> JobList.parse(workloadText));
        }
        SimulatedCluster cluster;
        if (p.has("cluster")) {
            String clusterFile = p.last("cluster");
            String clusterText = read(io, clusterFile);
            cluster = parse(clusterFile, () -> SimulatedCluster.parse(clusterText));
        } else if (trace == null) {
            throw error("a job list needs a cluster to run on: --cluster FILE");
        } else if (trace.maxProcs() < 1) {
            throw error(workloadFile + " has no MaxProcs header; describe the machine with --cluster FILE");
        } else {
            cluster = SimulatedCluster.interchangeableCpus(trace.maxProcs());
        }

        // one row per policy and ranking: equal priorities (submission order) unless --priority names weights
        List<String> rankings = new ArrayList<>();
        for (String spec : p.all("priority")) rankings.add(spec.strip());
        if (rankings.isEmpty()) rankings.add(null);
        List<PriorityConfig> weights = new ArrayList<>();
        for (String spec : rankings) {
            try {
                weights.add(spec == null || spec.equals("none") ? null : PriorityWeights.parse(spec));
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
        List<SimulationResult> results = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> rankedBy = new ArrayList<>();
        for (Policy policy : policies) {
            for (int i = 0; i < rankings.size(); i++) {
                results.add(Simulator.run(jobs, cluster, policy, weights.get(i)));
                String spec = rankings.get(i);
                labels.add(spec == null ? policy.label() : policy.label() + " " + spec);
                rankedBy.add(spec);
            }
        }
        notes(io, trace, jobs.size(), results.get(0));
        if (p.has("json")) {
            if (results.size() == 1) {
                io.out().println(json(results.get(0), rankedBy.get(0)));
            } else {
                StringJoiner all = new StringJoiner(",", "[", "]");
                for (int i = 0; i < results.size(); i++) all.add(json(results.get(i), rankedBy.get(i)));
                io.out().println(all);
            }
        } else {
            int width =
                    Math.max(8, labels.stream().mapToInt(String::length).max().orElse(0));
            String row = "%-" + width + ROW.substring(ROW.indexOf('s'));
            io.out()
                    .println(String.format(
                            Locale.ROOT,
                            row,
                            "POLICY",
                            "JOBS",
                            "MEAN_WAIT",
                            "P95_WAIT",
                            "MEAN_BSLD",
                            "UTILIZATION",
                            "MAKESPAN"));
            for (int i = 0; i < results.size(); i++) {
                SimulationResult r = results.get(i);
                Figures f = r.figures();
                io.out()
                        .println(String.format(
                                Locale.ROOT,
                                row,
                                labels.get(i),
                                f.jobs(),
                                Durations.formatCompact(Math.round(f.meanWaitSeconds())),
                                Durations.formatCompact(f.p95WaitSeconds()),
                                String.format(Locale.ROOT, "%.2f", f.meanBoundedSlowdown()),
                                String.format(Locale.ROOT, "%.1f%%", 100 * f.utilization()),
                                Durations.formatCompact(f.makespanSeconds())));
            }
        }
        return 0;
    }

    private static final String ROW = "%-8s %8s %12s %12s %10s %12s %14s";

    private static List<Policy> policies(List<String> given) {
        List<Policy> out = new ArrayList<>();
        for (String list : given) {
            for (String name : list.split(",")) {
                Policy policy;
                try {
                    policy = Policy.parse(name);
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
                out.add(policy);
            }
        }
        return out.isEmpty() ? List.of(Policy.FCFS) : out;
    }

    static String formatByName(String file) {
        String f = file.toLowerCase(Locale.ROOT);
        return f.endsWith(".swf") || f.endsWith(".swf.gz") ? "swf" : "jobs";
    }

    /** The file's text, gunzipped when it is gzip data (the Parallel Workloads Archive ships .swf.gz). */
    private static String read(Io io, String file) throws IOException {
        Path path = Path.of(io.cwd()).resolve(file);
        if (!Files.exists(path)) throw error("cannot read " + file + ": no such file");
        if (Files.isDirectory(path)) throw error("cannot read " + file + ": it is a directory");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
            if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                    bytes = in.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw error("cannot read " + file + ": " + e.getMessage());
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Runs a core parser and names the file in its error: "jobs.txt line 3: ...". */
    private static <T> T parse(String file, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw error(file + (m.startsWith("line ") ? " " : ": ") + m);
        }
    }

    private static void notes(Io io, SwfTrace trace, int usable, SimulationResult first) {
        if (trace != null && trace.skipped() > 0) {
            io.err()
                    .println(NAME + ": note: " + trace.skipped() + " of " + (usable + trace.skipped())
                            + " trace jobs skipped (no run time, no processors or no submit time)");
        }
        if (first.neverRunnableCount() > 0) {
            StringJoiner why = new StringJoiner(", ");
            for (Map.Entry<String, Integer> e : first.neverRunnable().entrySet())
                why.add(e.getValue() + " " + e.getKey());
            io.err()
                    .println(NAME + ": note: " + first.neverRunnableCount()
                            + " jobs left out, the cluster can never run them: " + why);
        }
        if (first.killed() > 0) {
            io.err()
                    .println(NAME + ": note: " + first.killed()
                            + " jobs reached their time limit and were killed there");
        }
    }

    static String json(SimulationResult r) {
        return json(r, null);
    }

    /** {@code ranking}: the --priority weights the run used, or null for equal priorities (the key is then left out). */
    static String json(SimulationResult r, String ranking) {
        Figures f = r.figures();
        return "{\"policy\":\"" + r.policy().label() + "\""
                + (ranking == null
                        ? ""
                        : ",\"priority\":\"" + ranking.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                + ",\"jobs\":" + f.jobs()
                + ",\"mean_wait_s\":" + number(f.meanWaitSeconds())
                + ",\"p95_wait_s\":" + f.p95WaitSeconds()
                + ",\"mean_bounded_slowdown\":" + number(f.meanBoundedSlowdown())
                + ",\"utilization\":" + number(f.utilization())
                + ",\"makespan_s\":" + f.makespanSeconds()
                + "}";
    }

    /** Six decimals, no trailing zeros: stable across runs and short. */
    private static String number(double d) {
        return BigDecimal.valueOf(d)
                .setScale(6, RoundingMode.HALF_EVEN)
                .stripTrailingZeros()
                .toPlainString();
    }

    private static UsageException error(String message) {
        return new UsageException("error: " + message, 1, false);
    }

    private static final String HELP = """
            Usage: motley simulate WORKLOAD [--cluster FILE] [--format swf|jobs] [--policy fcfs|backfill[,...]]
                                   [--priority WEIGHTS]... [--json]
            Runs the scheduler in virtual time over WORKLOAD and prints, per policy: jobs run, mean and
            95th-percentile wait, mean bounded slowdown (threshold 10 s), utilization and makespan.
              -c, --cluster=FILE     the cluster: NodeName=n[1-4] CPUs=16 RealMemory=64000 lines and optional
                                     PartitionName= lines, as in motley.conf. An SWF trace without it runs on
                                     its MaxProcs header's CPUs as one machine.
              -f, --format=FORMAT    swf (Standard Workload Format, also gzipped) or jobs (Motley's job list:
                                     SUBMIT CPUS RUN [LIMIT [MEM [PARTITION]]] per line); default: swf for
                                     names ending .swf or .swf.gz, else jobs
              -p, --policy=LIST      policies to compare, one row each (default fcfs): fcfs (priority
                                     order, a waiting job holds back its partition) or backfill (EASY:
                                     the top waiting job holds a reservation, later jobs start early
                                     when they leave it intact)
                  --priority=WEIGHTS rank jobs by multifactor priority: age=W,fairshare=W,jobsize=W,
                                     partition=W,maxage=TIME,halflife=TIME,favorsmall,calc=SECONDS
                                     (fair share per SWF user); repeat it to compare rankings, 'none'
                                     for equal priorities; each policy runs once per ranking
                  --json             one JSON object (an array when several policies are compared) with
                                     policy, jobs, mean_wait_s, p95_wait_s, mean_bounded_slowdown,
                                     utilization, makespan_s
            Times in the table are [D-]H:MM:SS. See docs/simulate.md.""";
}
