package io.motley.core.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * sbatch's --array: indices as ranges, lists and steps ({@code 1-10}, {@code 1,3,5},
 * {@code 0-15:4}, combined with commas) and an optional {@code %N} limit on how many tasks run at
 * once. Indices are kept sorted and distinct.
 */
public record ArraySpec(List<Integer> indices, int throttle) {
    /** The largest array Motley accepts (Slurm's MaxArraySize is configurable; its default is 1001). */
    public static final int MAX_TASKS = 1_000_000;

    public ArraySpec {
        indices = List.copyOf(indices);
    }

    public static ArraySpec parse(String spec) {
        Syntax syntax = Syntax.of(spec);
        TreeSet<Integer> out = new TreeSet<>();
        long asked = 0;
        for (Range r : syntax.ranges()) {
            // Counted before the part's indices are made, repeats included: bounding only the distinct indices
            // let "0-999999," written a thousand times make a billion insertions into a full set.
            asked += ((long) r.hi() - r.lo()) / r.step() + 1;
            if (asked > MAX_TASKS)
                throw new IllegalArgumentException("--array asks for more than " + MAX_TASKS + " tasks");
            for (long i = r.lo(); i <= r.hi(); i += r.step()) out.add((int) i);
        }
        return new ArraySpec(new ArrayList<>(out), syntax.throttle());
    }

    /**
     * The largest index a --array specification names, found without unfolding it, so that a
     * huge range costs nothing to judge; the syntax is checked as {@link #parse} checks it.
     */
    public static int highestIndex(String spec) {
        int highest = -1;
        for (Range r : Syntax.of(spec).ranges())
            highest = Math.max(highest, r.lo() + (int) (((long) r.hi() - r.lo()) / r.step() * r.step()));
        return highest;
    }

    /** One comma-separated part: lo-hi:step, or a single index. */
    private record Range(int lo, int hi, int step) {}

    /** A specification read but not unfolded: its parts and its %N throttle (0 when none). */
    private record Syntax(List<Range> ranges, int throttle) {
        static Syntax of(String spec) {
            String s = spec.trim();
            int throttle = 0;
            int pct = s.indexOf('%');
            if (pct >= 0) {
                throttle = number(s.substring(pct + 1), spec);
                if (throttle < 1) throw new IllegalArgumentException("invalid --array throttle in " + spec);
                s = s.substring(0, pct);
            }
            List<Range> ranges = new ArrayList<>();
            for (String part : s.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) throw new IllegalArgumentException("invalid --array specification " + spec);
                int step = 1;
                int colon = p.indexOf(':');
                if (colon >= 0) {
                    step = number(p.substring(colon + 1), spec);
                    if (step < 1) throw new IllegalArgumentException("invalid --array step in " + spec);
                    p = p.substring(0, colon);
                }
                int dash = p.indexOf('-');
                int lo = number(dash < 0 ? p : p.substring(0, dash), spec);
                int hi = dash < 0 ? lo : number(p.substring(dash + 1), spec);
                if (hi < lo) throw new IllegalArgumentException("invalid --array range " + p + " in " + spec);
                ranges.add(new Range(lo, hi, step));
            }
            // "," and "%2" alone split into no parts at all: an array without tasks, whose min() and max() would throw
            if (ranges.isEmpty()) throw new IllegalArgumentException("invalid --array specification " + spec);
            return new Syntax(List.copyOf(ranges), throttle);
        }
    }

    /**
     * {@code spec} with its %N throttle replaced by {@code throttle} (scontrol update
     * ArrayTaskThrottle=); 0 takes the throttle away, as in Slurm.
     */
    public static String withThrottle(String spec, int throttle) {
        if (throttle < 0) throw new IllegalArgumentException("a throttle cannot be negative: " + throttle);
        int pct = spec.indexOf('%');
        String indices = pct < 0 ? spec.trim() : spec.substring(0, pct).trim();
        return throttle == 0 ? indices : indices + "%" + throttle;
    }

    private static int number(String t, String spec) {
        try {
            int n = Integer.parseInt(t.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --array specification " + spec);
        }
    }

    public int min() {
        return indices.get(0);
    }

    public int max() {
        return indices.get(indices.size() - 1);
    }

    /** The step when the indices are one evenly stepped range, else 1 (SLURM_ARRAY_TASK_STEP). */
    public int step() {
        if (indices.size() < 2) return 1;
        int step = indices.get(1) - indices.get(0);
        for (int i = 2; i < indices.size(); i++) if (indices.get(i) - indices.get(i - 1) != step) return 1;
        return step;
    }

    /** Indices as Slurm folds them: {@code 1-3,5,7-9}. */
    public static String fold(Collection<Integer> ids) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(ids));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(sorted.get(i));
            if (j > i) sb.append('-').append(sorted.get(j));
            i = j + 1;
        }
        return sb.toString();
    }

    /** The inverse of {@link #fold}: an empty text is no indices. */
    public static List<Integer> unfold(String folded) {
        if (folded == null || folded.isBlank()) return List.of();
        return parse(folded).indices();
    }
}
