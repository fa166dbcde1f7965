package io.motley.cli.command;

import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import java.util.List;
import java.util.Locale;

/** seff JOBID: a finished job's CPU and memory efficiency, in the layout of Slurm's contributed seff. */
public final class Seff implements Command {
    private static final List<OptionSpec> OPTIONS =
            List.of(OptionSpec.flag('h', "help"), OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("seff", OPTIONS, false).parse(args);
        if (p.has("help") || p.operands().size() != 1) {
            io.out()
                    .println(
                            "Usage: seff [Options] <Jobid>\n       Options:\n       -h    Help menu\n       -V    Version");
            return p.has("help") ? 0 : 1;
        }
        if (p.has("version")) {
            io.out().println(Version.TEXT);
            return 0;
        }
        long id;
        try {
            id = Long.parseLong(p.operands().get(0));
        } catch (NumberFormatException e) {
            throw new UsageException("error: Invalid job id " + p.operands().get(0), 1, false);
        }
        List<Job> found = Requests.job(io, id);
        if (found.isEmpty()) {
            io.err().println("Job not found.");
            return 2;
        }
        Job j = found.get(0);
        String cluster = Requests.partitions(io).cluster();
        io.out().print(report(j, cluster, io.nowSeconds()));
        return 0;
    }

    static String report(Job j, String cluster, long now) {
        StringBuilder sb = new StringBuilder();
        sb.append("Job ID: ").append(j.id()).append('\n');
        sb.append("Cluster: ").append(cluster).append('\n');
        sb.append("User/Group: ")
                .append(j.user())
                .append('/')
                .append(Scontrol.groupName(j.gid()))
                .append('\n');
        int cpus = Math.max(1, j.allocCpus() > 0 ? j.allocCpus() : j.request().cpus());
        if (j.state() == JobState.PENDING) {
            sb.append("State: PENDING\n");
            sb.append("Cores: ").append(cpus).append('\n');
            sb.append("Efficiency not available for jobs in the PENDING state.\n");
            return sb.toString();
        }
        sb.append("State: ")
                .append(j.state().name())
                .append(" (exit code ")
                .append(j.exit().code())
                .append(")\n");
        sb.append("Cores: ").append(cpus).append('\n');
        long wall = j.elapsed(now);
        long cpuSec = j.usage().totalCpuMs() / 1000;
        long coreWall = wall * cpus;
        double cpuEff = coreWall > 0 ? 100.0 * j.usage().totalCpuMs() / 1000.0 / coreWall : 0;
        sb.append("CPU Utilized: ").append(time(cpuSec)).append('\n');
        sb.append(String.format(Locale.ROOT, "CPU Efficiency: %.2f%% of %s core-walltime%n", cpuEff, time(coreWall)));
        sb.append("Job Wall-clock time: ").append(time(wall)).append('\n');
        long allocKiB = j.allocMemMiB() * 1024;
        long rss = j.usage().maxRssKiB();
        sb.append("Memory Utilized: ").append(kbytes(rss)).append('\n');
        double memEff = allocKiB > 0 ? 100.0 * rss / allocKiB : 0;
        sb.append(String.format(Locale.ROOT, "Memory Efficiency: %.2f%% of %s%n", memEff, kbytes(allocKiB)));
        if (j.state() == JobState.RUNNING) {
            sb.append("WARNING: Efficiency statistics may be misleading for RUNNING jobs.\n");
        }
        return sb.toString();
    }

    /** seff's time: HH:MM:SS, or D-HH:MM:SS from a day on. */
    static String time(long s) {
        String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", s % 86400 / 3600, s % 3600 / 60, s % 60);
        return s >= 86400 ? (s / 86400) + "-" + hms : hms;
    }

    /** seff's memory: two decimals in the largest 1024-unit, "0.00 MB" for nothing. */
    static String kbytes(long kib) {
        if (kib <= 0) return "0.00 MB";
        String[] units = {"K", "M", "G", "T", "P", "E"};
        int exp = (int) (Math.log(kib) / Math.log(1024));
        exp = Math.min(exp, units.length - 1);
        return String.format(Locale.ROOT, "%.2f %sB", kib / Math.pow(1024, exp), units[exp]);
    }
}
