package io.motley.core.simulation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A workload in the Standard Workload Format of the Parallel Workloads Archive: header comments
 * ({@code ; MaxProcs: 128}) and one line per job of 18 whitespace-separated fields, -1 meaning
 * unknown. The simulator reads five of them: submit time (field 2), run time (4), allocated
 * processors (5), requested processors (8) and requested time (9). A job uses its requested
 * processors, else its allocated ones, for its run time, with its requested time as its time
 * limit (none when unknown). Jobs with no run time (≤ 0), no processors or no submit time cannot
 * be simulated; they are left out and counted in {@link #skipped()}. A job whose preceding job
 * (field 17) is a simulated job earlier in the trace depends on it ({@code afterany}: it cannot
 * start before that job ends); the think time (field 18) is not added, since the submit time
 * already holds it.
 *
 * @param header the header's {@code Key: value} comments, keys as written
 * @param jobs the jobs that can be simulated, in file order, each with its SWF job number as id
 * @param skipped how many job lines were left out
 */
public record SwfTrace(Map<String, String> header, List<WorkloadJob> jobs, int skipped) {

    /** Number of fields on an SWF job line. */
    public static final int FIELDS = 18;

    public SwfTrace {
        header = Collections.unmodifiableMap(new LinkedHashMap<>(header));
        jobs = List.copyOf(jobs);
    }

    /**
     * Parses a trace's text. A job line with other than 18 fields, or a non-numeric field the
     * simulator reads, is an error naming the line.
     */
    public static SwfTrace parse(String text) {
        Map<String, String> header = new LinkedHashMap<>();
        List<WorkloadJob> jobs = new ArrayList<>();
        int skipped = 0;
        java.util.Set<Long> simulated = new java.util.HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            if (line.charAt(0) == ';') {
                headerLine(line.substring(1), header);
                continue;
            }
            WorkloadJob job = jobLine(line, i + 1, simulated);
            if (job == null) {
                skipped++;
            } else {
                jobs.add(job);
                simulated.add(job.id());
            }
        }
        return new SwfTrace(header, jobs, skipped);
    }

    /** The header's {@code MaxProcs}, or -1 when the trace does not give it. */
    public int maxProcs() {
        return intHeader("MaxProcs");
    }

    /** The header's {@code MaxNodes}, or -1 when the trace does not give it. */
    public int maxNodes() {
        return intHeader("MaxNodes");
    }

    private int intHeader(String key) {
        for (var e : header.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key)) {
                try {
                    int v = Integer.parseInt(e.getValue().strip().split("\\s+")[0]);
                    return v > 0 ? v : -1;
                } catch (NumberFormatException ex) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static void headerLine(String comment, Map<String, String> header) {
        int colon = comment.indexOf(':');
        if (colon <= 0) return;
        String key = comment.substring(0, colon).strip();
        // Keys are single words (MaxProcs, UnixStartTime); free-text notes with a colon are not header fields.
        if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) return;
        header.putIfAbsent(key, comment.substring(colon + 1).strip());
    }

    private static WorkloadJob jobLine(String line, int lineNo, java.util.Set<Long> simulated) {
        String[] f = line.split("\\s+");
        if (f.length != FIELDS) {
            throw new IllegalArgumentException(
                    "line " + lineNo + ": an SWF job line has " + FIELDS + " fields, this one has " + f.length);
        }
        long number = field(f, 1, "job number", lineNo);
        long submit = field(f, 2, "submit time", lineNo);
        long run = field(f, 4, "run time", lineNo);
        long allocated = field(f, 5, "allocated processors", lineNo);
        long requested = field(f, 8, "requested processors", lineNo);
        long requestedTime = field(f, 9, "requested time", lineNo);
        long procs = requested > 0 ? requested : allocated;
        if (submit < 0 || run <= 0 || procs <= 0) return null;
        if (procs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "line " + lineNo + ": " + procs + " processors is more than Motley can count");
        }
        long limit = requestedTime > 0 ? requestedTime : WorkloadJob.NOT_GIVEN;
        long user = field(f, 12, "user id", lineNo);
        long preceding = field(f, 17, "preceding job number", lineNo);
        return new WorkloadJob(
                number,
                submit,
                (int) procs,
                WorkloadJob.NOT_GIVEN,
                run,
                limit,
                List.of(),
                user >= 0 ? "user" + user : null,
                null,
                preceding > 0 && preceding != number && simulated.contains(preceding) ? "afterany:" + preceding : null,
                null,
                0,
                WorkloadJob.NOT_HELD);
    }

    /** Field {@code n} (1-based, as the format numbers them); a fractional value is rounded, as some traces write them. */
    private static long field(String[] f, int n, String name, int lineNo) {
        String s = f[n - 1];
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(s);
                if (Double.isFinite(d)) return Math.round(d);
            } catch (NumberFormatException ignored) {
                // reported below with the field's name
            }
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, "line %d: field %d (%s) is not a number: '%s'", lineNo, n, name, s), e);
        }
    }
}
