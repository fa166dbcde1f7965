package io.motley.core.job;

import io.motley.core.dependency.Dependency;
import io.motley.core.time.Durations;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * scontrol update JobId=N KEY=VALUE...: the changes asked for, read once from the KEY=VALUE pairs
 * and applied to a pending job's request. Pure; keys are Slurm's, in any case. A field that was
 * not named is null.
 *
 * @param dependency the new dependency, canonical; "" to clear it
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
        Integer nice) {

    /**
     * Reads the pairs: TimeLimit, Partition, Dependency, NumCPUs (MinCPUsNode), NumTasks, Name
     * (JobName), Comment and Nice.
     *
     * @throws IllegalArgumentException with Slurm's words for a key Motley cannot update or a value it cannot read
     */
    public static JobUpdate parse(Map<String, String> pairs) {
        Long limit = null;
        List<String> parts = null;
        Integer ntasks = null;
        Integer cpusPerTask = null;
        String name = null;
        String comment = null;
        String dependency = null;
        Integer nice = null;
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
                    default -> throw new IllegalStateException(key);
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("Invalid " + e.getKey() + " specification: " + ex.getMessage(), ex);
            }
        }
        return new JobUpdate(Map.copyOf(pairs), limit, parts, ntasks, cpusPerTask, name, comment, dependency, nice);
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
            "nice");

    /**
     * The request with the changes made. {@code given}: the partitions the job was given when its
     * request named none (they become its request's own, as in Slurm's record of the job).
     */
    public JobRequest apply(JobRequest r, List<String> given) {
        List<String> parts = partitions != null ? partitions : r.partitions().isEmpty() ? given : r.partitions();
        return r.updated(
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
    }

    /** Whether the update lowers the job's nice value (raises its priority), which only root may. */
    public boolean lowersNice(JobRequest r) {
        return nice != null && nice < r.nice();
    }
}
