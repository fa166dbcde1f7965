package io.motley.bench.fuzz;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one target's run found.
 *
 * @param crashes distinct crashes, each with its first (shrunk) input
 * @param known crashes of a {@link Target.Known} class, by reason, with how often they occurred
 * @param hung whether the run stopped because one call never returned
 */
public record Report(
        String target,
        long seed,
        long tried,
        long accepted,
        long refused,
        List<Finding> crashes,
        Map<String, Long> known,
        Duration wall,
        long slowestCallNanos,
        long mostAllocatedBytes,
        int largestInput,
        boolean hung) {

    public Report {
        crashes = List.copyOf(crashes);
        known = Map.copyOf(known);
    }

    /** One line: inputs tried, accepted and refused, crashes, the slowest call and the largest allocation. */
    public String summary() {
        long knownCount = known.values().stream().mapToLong(Long::longValue).sum();
        return String.format(
                "%-18s %10d inputs (%d accepted, %d refused) in %6.1f s   crashes %d%s   slowest call %.1f ms,"
                        + " most allocated %.1f MiB, largest input %d",
                target,
                tried,
                accepted,
                refused,
                wall.toMillis() / 1000.0,
                crashes.size(),
                knownCount == 0 ? "" : "   known " + knownCount,
                slowestCallNanos / 1e6,
                mostAllocatedBytes / 1048576.0,
                largestInput);
    }

    /** The summary, then each crash and known crash class with its input (cut to {@code maxInputChars}). */
    public String describe(int maxInputChars) {
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        for (Finding f : crashes)
            sb.append("  ").append(f.describe(maxInputChars, seed)).append('\n');
        known.forEach((why, n) -> sb.append("  known (not failed): ")
                .append(why)
                .append(", ")
                .append(n)
                .append(" inputs\n"));
        return sb.toString();
    }

    /** A crash: what went wrong, where, and the input that does it. */
    public record Finding(
            Kind kind, String signature, String detail, long iteration, long count, String input, int inputSize) {

        public String describe(int maxInputChars, long seed) {
            String shown = input.length() <= maxInputChars
                    ? input
                    : input.substring(0, maxInputChars * 2 / 3) + " ...(" + (input.length() - maxInputChars)
                            + " chars cut)... " + input.substring(input.length() - maxInputChars / 3);
            return kind + " " + signature + (detail == null ? "" : ": " + detail) + "\n    first at input #" + iteration
                    + " of seed " + seed + ", seen " + count + "x; input (" + inputSize + " long): " + shown;
        }
    }

    /** What kind of crash. */
    public enum Kind {
        /** An exception the contract does not allow. */
        EXCEPTION,
        /** Accepted, but the result is wrong. */
        PROPERTY,
        /** A call used more CPU time than allowed. */
        SLOW,
        /** A call allocated more memory than allowed. */
        ALLOCATION,
        /** A call did not return at all. */
        HANG
    }
}
