package io.motley.cli.command;

import io.motley.cli.format.Column;
import io.motley.cli.format.FormatString;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.priority.Factors;
import io.motley.core.priority.PriorityConfig;
import io.motley.protocol.Message.Priorities;
import io.motley.protocol.Message.PriorityFactors;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * sprio: the factors that make up pending jobs' priorities under priority/multifactor, in
 * Slurm 22.05's columns. Columns whose weight is 0 are left out of the default format, as sprio
 * does; under priority/basic it says the plugin is not supported.
 */
public final class Sprio implements Command {
    static final String LONG_FORMAT = "%.15i %9r %.8u %.10Y %.10S %.10A %.10B %.10F %.10J %.10P %.10Q %.11N %.20T";
    static final String LONG_NORMALIZED = "%.15i %9r %.8u %10y %10a %10b %10f %10j %10p %10q %20t";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('j', "jobs"),
            OptionSpec.value('u', "user"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('o', "format"),
            OptionSpec.flag('l', "long"),
            OptionSpec.flag('n', "norm"),
            OptionSpec.flag('w', "weights"),
            OptionSpec.flag('h', "noheader"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('\0', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("sprio", OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        Set<Long> ids = new HashSet<>();
        for (String list : p.all("jobs")) {
            for (String t : list.split(",")) {
                if (t.isBlank()) continue;
                try {
                    ids.add(Long.parseLong(t.trim()));
                } catch (NumberFormatException e) {
                    throw new UsageException("error: Invalid job id: " + t.trim(), 1, false);
                }
            }
        }
        Set<String> users = new HashSet<>();
        users.addAll(p.listAll("user"));
        Set<String> parts = new HashSet<>();
        parts.addAll(p.listAll("partition"));

        Priorities resp = io.gateway().ask(new PriorityFactors());
        PriorityConfig w = resp.weights();
        if (!w.multifactor()) {
            io.err().println("You are not running a supported priority plugin");
            io.err().println("(" + w.typeName() + ").");
            io.err().println("Only 'priority/multifactor' is supported.");
            return 1;
        }
        List<Factors> jobs = new ArrayList<>();
        for (Factors x : resp.factors()) {
            if (!ids.isEmpty() && !ids.contains(x.jobId())) continue;
            if (!users.isEmpty() && !users.contains(x.user())) continue;
            if (!parts.isEmpty() && !parts.contains(x.partition())) continue;
            jobs.add(x);
        }
        jobs.sort(Comparator.comparingLong(Factors::jobId));

        String format =
                p.has("format") ? p.last("format") : defaultFormat(w, p.has("long"), p.has("norm"), !users.isEmpty());
        List<Column> cols = FormatString.parse(format);
        if (!p.has("noheader")) io.out().println(FormatString.header(cols, Sprio::header));
        if (p.has("weights")) {
            io.out().println(FormatString.render(cols, w, c -> weight(c)));
            return 0;
        }
        if (!ids.isEmpty() && jobs.isEmpty()) {
            io.out().println("Unable to find jobs matching user/id(s) specified");
            return 0;
        }
        for (Factors x : jobs) io.out().println(FormatString.render(cols, x, Sprio::value));
        return 0;
    }

    /** sprio's default: job id, partition, (user with -u), priority, site, then each factor with a weight. */
    static String defaultFormat(PriorityConfig w, boolean longList, boolean normalized, boolean withUser) {
        if (longList) return normalized ? LONG_NORMALIZED : LONG_FORMAT;
        StringBuilder f = new StringBuilder("%.15i %9r");
        if (withUser) f.append(" %.8u");
        String n = normalized ? " %10" : " %.10";
        f.append(normalized ? " %10y" : " %.10Y %.10S");
        if (w.weightAge() > 0) f.append(n).append(normalized ? 'a' : 'A');
        if (w.weightFairshare() > 0) f.append(n).append(normalized ? 'f' : 'F');
        if (w.weightJobSize() > 0) f.append(n).append(normalized ? 'j' : 'J');
        if (w.weightPartition() > 0) f.append(n).append(normalized ? 'p' : 'P');
        if (w.weightQos() > 0) f.append(n).append(normalized ? 'q' : 'Q');
        return f.toString();
    }

    static String header(char c) {
        return switch (c) {
            case 'i' -> "JOBID";
            case 'r', 'p', 'P' -> "PARTITION";
            case 'u' -> "USER";
            case 'Y', 'y' -> "PRIORITY";
            case 'S' -> "SITE";
            case 'A', 'a' -> "AGE";
            case 'B', 'b' -> "ASSOC";
            case 'F', 'f' -> "FAIRSHARE";
            case 'J', 'j' -> "JOBSIZE";
            case 'Q', 'q' -> "QOS";
            case 'N' -> "NICE";
            case 'T', 't' -> "TRES";
            case 'c' -> "CLUSTER";
            case 'o' -> "ACCOUNT";
            case 'n' -> "QOSNAME";
            default -> null;
        };
    }

    private static Function<Factors, String> value(char c) {
        return switch (c) {
            case 'i' -> x -> Long.toString(x.jobId());
            case 'r' -> Factors::partition;
            case 'u' -> Factors::user;
            case 'Y' -> x -> Long.toString(x.priority());
            case 'y' -> x -> String.format(Locale.ROOT, "%16.14f", x.priority() / (double) Factors.MAX_PRIORITY);
            case 'S', 'B' -> x -> "0";
            case 'A' -> x -> whole(x.weightedAge());
            case 'F' -> x -> whole(x.weightedFairShare());
            case 'J' -> x -> whole(x.weightedJobSize());
            case 'P' -> x -> whole(x.weightedPartition());
            case 'Q' -> x -> whole(x.weightedQos());
            case 'a' -> x -> norm(x.weights().weightAge(), x.age());
            case 'b' -> x -> norm(0, 0);
            case 'f' -> x -> norm(x.weights().weightFairshare(), x.fairShare());
            case 'j' -> x -> norm(x.weights().weightJobSize(), x.jobSize());
            case 'p' -> x -> norm(x.weights().weightPartition(), x.partitionFactor());
            case 'q' -> x -> norm(x.weights().weightQos(), x.qos());
            case 'N' -> x -> Long.toString(x.nice());
            case 'c' -> x -> "";
            default -> x -> "";
        };
    }

    /** The weights line of -w: "Weights" under JOBID, 1 for SITE, each factor's weight. */
    private static Function<PriorityConfig, String> weight(char c) {
        return switch (c) {
            case 'i' -> w -> "Weights";
            case 'S' -> w -> "1";
            case 'A', 'a' -> w -> Long.toString(w.weightAge());
            case 'B', 'b' -> w -> "0";
            case 'F', 'f' -> w -> Long.toString(w.weightFairshare());
            case 'J', 'j' -> w -> Long.toString(w.weightJobSize());
            case 'P', 'p' -> w -> Long.toString(w.weightPartition());
            case 'Q', 'q' -> w -> Long.toString(w.weightQos());
            default -> w -> "";
        };
    }

    /** A weighted factor as sprio prints it: rounded to a whole number (printf's %.0f, ties to even). */
    static String whole(double v) {
        return new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** A factor as -n prints it: seven decimals, 0 where the weight is 0 (sprio divides the weighted figure back). */
    static String norm(long weight, double factor) {
        return String.format(Locale.ROOT, "%.7f", weight == 0 ? 0.0 : factor);
    }

    private static final String HELP = """
            Usage: sprio [OPTIONS]
              -j, --jobs=LIST       pending jobs to show (comma separated ids; default all)
              -u, --user=LIST       only these users' jobs (adds a USER column)
              -p, --partition=LIST  only jobs in these partitions
              -l, --long            every factor, the user and the nice value
              -n, --norm            factors as fractions of 1 instead of weighted figures
              -w, --weights         the configured weights (PriorityWeight* in motley.conf)
              -o, --format=FORMAT   %i job, %r partition, %u user, %Y/%y priority, %A/%a age, %F/%f fair share,
                                    %J/%j job size, %P/%p partition factor, %Q/%q QOS, %N nice, %S site
              -h, --noheader        no header line
            Columns whose weight is 0 are left out by default, as in Slurm. Only under
            PriorityType=priority/multifactor (Motley's default).""";
}
