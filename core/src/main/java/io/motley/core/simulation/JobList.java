package io.motley.core.simulation;

import io.motley.core.size.MemorySize;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Motley's own workload format: one job per line, columns separated by spaces or tabs, {@code #}
 * starting a comment.
 *
 * <pre>
 * # SUBMIT  CPUS  RUN      [LIMIT     [MEM   [PARTITION]]]
 *   0       4     600      15:00      8G     batch
 *   30      1     1:30:00  2:00:00    -      -
 *   45      2     90
 * </pre>
 *
 * <ul>
 *   <li>SUBMIT: seconds from the start of the workload (a whole number, 0 or more).
 *   <li>CPUS: CPUs the job asks for, on one node.
 *   <li>RUN: how long the job runs when nothing stops it.
 *   <li>LIMIT: its time limit; {@code -} or absent means none given (the partition's DefaultTime,
 *       else MaxTime), {@code UNLIMITED} means none. A job that reaches its limit is killed there.
 *   <li>MEM: memory per node as sbatch's {@code --mem} takes it ({@code 500} is MiB, {@code 8G});
 *       {@code -} or absent means none given, the job then gets a per-CPU share of its node.
 *   <li>PARTITION: a partition or a comma-separated list; {@code -} or absent means the default.
 * </ul>
 *
 * RUN and LIMIT are whole seconds when written as a bare number (unlike sbatch's {@code --time},
 * where a bare number is minutes), or sbatch's other forms: {@code M:SS}, {@code H:MM:SS},
 * {@code D-HH[:MM[:SS]]}. Jobs get the line number they are on as their id.
 *
 * <p>After the columns, {@code KEY=VALUE} words give sbatch's options: {@code dependency=} (as
 * --dependency, naming jobs by their line numbers), {@code array=} (as --array),
 * {@code name=} (as --job-name; singleton compares it), {@code user=}, {@code begin=SECONDS}
 * (as --begin, in the workload's seconds) and {@code hold=SECONDS} (submitted held, released
 * then; {@code hold=never} for never).
 */
public final class JobList {

    private JobList() {}

    /** Parses a job list; a bad line is an error naming the line and the column. */
    public static List<WorkloadJob> parse(String text) {
        List<WorkloadJob> jobs = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.strip();
            if (line.isEmpty()) continue;
            int lineNo = i + 1;
            try {
                jobs.add(job(line.split("\\s+"), lineNo));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(jobs);
    }

    private static WorkloadJob job(String[] words, int lineNo) {
        int columns = 0;
        while (columns < words.length && words[columns].indexOf('=') < 0) columns++;
        String[] c = java.util.Arrays.copyOf(words, columns);
        Map<String, String> keys = new LinkedHashMap<>();
        for (int k = columns; k < words.length; k++) {
            int eq = words[k].indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("column '" + words[k] + "' after KEY=VALUE words");
            String key = words[k].substring(0, eq);
            if (!KEYS.contains(key))
                throw new IllegalArgumentException(
                        "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            if (keys.put(key, words[k].substring(eq + 1)) != null)
                throw new IllegalArgumentException("key '" + key + "' given twice");
        }
        if (c.length < 3 || c.length > 6) {
            throw new IllegalArgumentException(
                    "expected SUBMIT CPUS RUN [LIMIT [MEM [PARTITION]]], got " + c.length + " columns");
        }
        long submit = wholeNumber(c[0], "SUBMIT");
        long cpus = wholeNumber(c[1], "CPUS");
        if (cpus < 1 || cpus > Integer.MAX_VALUE)
            throw new IllegalArgumentException("CPUS must be at least 1, got " + c[1]);
        long run = seconds(c[2], "RUN");
        if (run == Durations.UNLIMITED) throw new IllegalArgumentException("RUN must be a positive time, got " + c[2]);
        long limit = WorkloadJob.NOT_GIVEN;
        if (c.length > 3 && !c[3].equals("-")) limit = seconds(c[3], "LIMIT");
        long mem = WorkloadJob.NOT_GIVEN;
        if (c.length > 4 && !c[4].equals("-")) {
            try {
                mem = MemorySize.parseMebibytes(c[4]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("MEM: " + e.getMessage(), e);
            }
        }
        List<String> partitions = List.of();
        if (c.length > 5 && !c[5].equals("-")) {
            partitions = List.of(c[5].split(","));
            if (partitions.isEmpty() || partitions.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("PARTITION '" + c[5] + "' has an empty name");
            }
        }
        long begin = keys.containsKey("begin") ? wholeNumber(keys.get("begin"), "begin") : 0;
        long release = WorkloadJob.NOT_HELD;
        if (keys.containsKey("hold")) {
            String h = keys.get("hold");
            release = h.equals("never") ? Long.MAX_VALUE : wholeNumber(h, "hold");
        }
        try {
            return new WorkloadJob(
                    lineNo,
                    submit,
                    (int) cpus,
                    mem,
                    run,
                    limit,
                    partitions,
                    nonEmpty(keys.get("user"), "user"),
                    nonEmpty(keys.get("name"), "name"),
                    nonEmpty(keys.get("dependency"), "dependency"),
                    nonEmpty(keys.get("array"), "array"),
                    begin,
                    release);
        } catch (IllegalArgumentException e) {
            // WorkloadJob names the job; here the line is named already
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^job \\d+: ", ""), e);
        }
    }

    /** The KEY=VALUE words a line may end with. */
    private static final List<String> KEYS = List.of("dependency", "array", "name", "user", "begin", "hold");

    private static String nonEmpty(String v, String key) {
        if (v != null && v.isEmpty()) throw new IllegalArgumentException(key + "= needs a value");
        return v;
    }

    private static long wholeNumber(String s, String column) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0) return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " must be a whole number, got '" + s + "'", e);
        }
        throw new IllegalArgumentException(column + " must not be negative, got " + s);
    }

    /** A bare number is seconds; anything else is read as sbatch's --time; UNLIMITED for none. */
    private static long seconds(String s, String column) {
        if (s.chars().allMatch(Character::isDigit)) {
            long v = wholeNumber(s, column);
            // Zero means "no limit" for sbatch --time; a run time of zero is meaningless.
            return v == 0 ? Durations.UNLIMITED : v;
        }
        try {
            return Durations.parseTimeLimit(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(column + ": " + e.getMessage(), e);
        }
    }
}
