package io.motley.core.hostlist;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** Expands and compresses Slurm hostlist expressions such as "node[01-09,12],gpu1". */
public final class Hostlist {

    /** Most names one expression may expand to, so a typo like "n[0-999999999]" fails instead of exhausting memory. */
    public static final int MAX_HOSTS = 1 << 20;

    /**
     * Most characters the names of one expression may add up to (32 per name at MAX_HOSTS; Linux allows 64 in a host
     * name), so that a long name times many numbers ("x" 1,000 times, then "[0-999999]": a gigabyte) fails as well.
     */
    public static final long MAX_CHARS = 32L * MAX_HOSTS;

    // Longer digit runs would not fit a long; such names are kept whole, never ranged.
    private static final int MAX_DIGITS = 18;

    private static final Comparator<Host> ORDER = Comparator.comparing(Host::prefix)
            .thenComparing(Host::numbered)
            .thenComparingLong(Host::number)
            .thenComparingInt(h -> h.digits().length());

    private Hostlist() {}

    /**
     * Expands a hostlist expression into host names, in the order written and keeping duplicates.
     * Top-level commas and whitespace separate items; several bracket groups in one item expand as a
     * cartesian product with the rightmost varying fastest. Blank input gives an empty list.
     */
    public static List<String> expand(String expr) {
        Objects.requireNonNull(expr, "hostlist");
        List<String> hosts = new ArrayList<>();
        long chars = 0;
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= expr.length(); i++) {
            char c = i < expr.length() ? expr.charAt(i) : ',';
            if (c == '[') {
                if (depth > 0) {
                    throw new IllegalArgumentException("nested '[' in hostlist '" + expr + "'");
                }
                depth++;
            } else if (c == ']') {
                if (depth == 0) {
                    throw new IllegalArgumentException("']' without '[' in hostlist '" + expr + "'");
                }
                depth--;
            } else if (depth == 0 && (c == ',' || Character.isWhitespace(c))) {
                if (i > start) {
                    chars += expandItem(expr, expr.substring(start, i), hosts, chars);
                }
                start = i + 1;
            }
        }
        if (depth > 0) {
            throw new IllegalArgumentException("unclosed '[' in hostlist '" + expr + "'");
        }
        return hosts;
    }

    /**
     * Compresses host names into a hostlist expression the way Slurm prints one: names are sorted by
     * prefix and then numerically, duplicates dropped, and names sharing a prefix go into one bracket
     * with consecutive numbers as ranges ("n[1-3,5]"); zero padding is kept ("node[01-02]").
     */
    public static String compress(Collection<String> hosts) {
        Objects.requireNonNull(hosts, "hosts");
        List<Host> sorted = new ArrayList<>(hosts.size());
        for (String name : hosts) {
            sorted.add(Host.of(name));
        }
        sorted.sort(ORDER);

        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            Host first = sorted.get(i);
            if (out.length() > 0) {
                out.append(',');
            }
            if (!first.numbered()) {
                out.append(first.name());
                i = skipSame(sorted, i);
                continue;
            }
            int end = i;
            while (end < sorted.size()
                    && sorted.get(end).numbered()
                    && sorted.get(end).prefix().equals(first.prefix())) {
                end++;
            }
            appendGroup(out, sorted.subList(i, end));
            i = end;
        }
        return out.toString();
    }

    /**
     * Compresses host names in the order given, as Slurm's unsorted hostlist does ({@code scontrol
     * show hostlist}): neighbours sharing a prefix share a bracket, consecutive numbers become
     * ranges, duplicates stay ("n3,n1,n2" gives "n[3,1-2]").
     */
    public static String compressInOrder(List<String> hosts) {
        Objects.requireNonNull(hosts, "hosts");
        List<Host> all = new ArrayList<>(hosts.size());
        for (String name : hosts) {
            all.add(Host.of(name));
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < all.size()) {
            Host first = all.get(i);
            if (out.length() > 0) {
                out.append(',');
            }
            if (!first.numbered()) {
                out.append(first.name());
                i++;
                continue;
            }
            int end = i + 1;
            while (end < all.size()
                    && all.get(end).numbered()
                    && all.get(end).prefix().equals(first.prefix())) {
                end++;
            }
            if (end == i + 1) {
                out.append(first.name());
            } else {
                out.append(first.prefix()).append('[');
                for (int k = i; k < end; ) {
                    Host lo = all.get(k);
                    Host hi = lo;
                    int next = k + 1;
                    while (next < end && continuesRange(lo, hi, all.get(next))) {
                        hi = all.get(next);
                        next++;
                    }
                    if (k > i) {
                        out.append(',');
                    }
                    out.append(lo.digits());
                    if (hi != lo) {
                        out.append('-').append(hi.digits());
                    }
                    k = next;
                }
                out.append(']');
            }
            i = end;
        }
        return out.toString();
    }

    /** Appends the item's names to {@code hosts}; returns how many characters they hold. */
    private static long expandItem(String expr, String item, List<String> hosts, long charsBefore) {
        // Each piece is one literal or one bracket's numbers; the item is their cartesian product.
        List<List<String>> pieces = new ArrayList<>();
        long combinations = 1;
        int pos = 0;
        while (pos < item.length()) {
            int open = item.indexOf('[', pos);
            if (open < 0) {
                pieces.add(List.of(item.substring(pos)));
                break;
            }
            if (open > pos) {
                pieces.add(List.of(item.substring(pos, open)));
            }
            int close = item.indexOf(']', open);
            List<String> numbers = expandBracket(expr, item.substring(open + 1, close), hosts.size());
            combinations *= numbers.size();
            if (hosts.size() + combinations > MAX_HOSTS) {
                throw tooMany(expr);
            }
            pieces.add(numbers);
            pos = close + 1;
        }
        if (hosts.size() + combinations > MAX_HOSTS) {
            throw tooMany(expr);
        }
        // Each piece's strings each appear in combinations / (their number) names.
        long chars = 0;
        for (List<String> piece : pieces) {
            long length = 0;
            for (String p : piece) {
                length += p.length();
            }
            chars += length * (combinations / piece.size());
        }
        if (charsBefore + chars > MAX_CHARS) {
            throw new IllegalArgumentException(
                    "hostlist '" + expr + "' expands to more than " + MAX_CHARS + " characters");
        }
        appendProduct(pieces, hosts);
        return chars;
    }

    private static List<String> expandBracket(String expr, String body, int alreadyExpanded) {
        if (body.isEmpty()) {
            throw new IllegalArgumentException("empty '[]' in hostlist '" + expr + "'");
        }
        List<String> numbers = new ArrayList<>();
        for (String range : body.split(",", -1)) {
            int dash = range.indexOf('-');
            String lo = dash < 0 ? range : range.substring(0, dash);
            String hi = dash < 0 ? range : range.substring(dash + 1);
            if (!isNumber(lo) || !isNumber(hi)) {
                throw new IllegalArgumentException(
                        "bad range '" + range + "' in hostlist '" + expr + "'; use numbers like [1-4,7] or [01-16]");
            }
            long from = Long.parseLong(lo);
            long to = Long.parseLong(hi);
            if (from > to) {
                throw new IllegalArgumentException("range '" + range + "' in hostlist '" + expr + "' runs backwards");
            }
            if (to - from + 1 > MAX_HOSTS - alreadyExpanded - numbers.size()) {
                throw tooMany(expr);
            }
            // The lower bound's width sets the zero padding for the whole range, as in Slurm.
            for (long n = from; n <= to; n++) {
                numbers.add(pad(n, lo.length()));
            }
        }
        return numbers;
    }

    /**
     * Appends every combination of one string per piece, rightmost varying fastest. Counts like an odometer
     * rather than recursing per piece: an item may hold thousands of brackets ("n[1][1][1]...").
     */
    private static void appendProduct(List<List<String>> pieces, List<String> hosts) {
        int[] at = new int[pieces.size()];
        StringBuilder name = new StringBuilder();
        while (true) {
            name.setLength(0);
            for (int p = 0; p < pieces.size(); p++) {
                name.append(pieces.get(p).get(at[p]));
            }
            hosts.add(name.toString());
            int p = pieces.size() - 1;
            while (p >= 0 && ++at[p] == pieces.get(p).size()) {
                at[p] = 0;
                p--;
            }
            if (p < 0) {
                return;
            }
        }
    }

    private static void appendGroup(StringBuilder out, List<Host> group) {
        Host first = group.get(0);
        int last = skipSame(group, 0);
        if (last == group.size()) {
            out.append(first.name());
            return;
        }
        out.append(first.prefix()).append('[');
        int i = 0;
        boolean firstRange = true;
        while (i < group.size()) {
            Host lo = group.get(i);
            Host hi = lo;
            int next = skipSame(group, i);
            // A range may only go on while the next number prints, at lo's width, as that host's digits.
            while (next < group.size() && continuesRange(lo, hi, group.get(next))) {
                hi = group.get(next);
                next = skipSame(group, next);
            }
            if (!firstRange) {
                out.append(',');
            }
            firstRange = false;
            out.append(lo.digits());
            if (hi != lo) {
                out.append('-').append(hi.digits());
            }
            i = next;
        }
        out.append(']');
    }

    private static boolean continuesRange(Host lo, Host hi, Host candidate) {
        return candidate.number() == hi.number() + 1
                && pad(candidate.number(), lo.digits().length()).equals(candidate.digits());
    }

    private static String pad(long number, int width) {
        int digits = 1;
        for (long n = number; n >= 10; n /= 10) {
            digits++;
        }
        if (digits >= width) {
            return Long.toString(number);
        }
        // Written into one buffer rather than zeros and digits concatenated: a bracket may hold a million numbers.
        StringBuilder padded = new StringBuilder(width);
        for (int i = digits; i < width; i++) {
            padded.append('0');
        }
        return padded.append(number).toString();
    }

    private static int skipSame(List<Host> sorted, int i) {
        int j = i + 1;
        while (j < sorted.size() && sorted.get(j).name().equals(sorted.get(i).name())) {
            j++;
        }
        return j;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= MAX_DIGITS && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static IllegalArgumentException tooMany(String expr) {
        return new IllegalArgumentException("hostlist '" + expr + "' expands to more than " + MAX_HOSTS + " hosts");
    }

    /** A host name split into its prefix and trailing number; unnumbered names have number -1. */
    private record Host(String name, String prefix, String digits, long number) {

        static Host of(String name) {
            Objects.requireNonNull(name, "host name");
            if (name.isEmpty()
                    || name.chars().anyMatch(c -> c == ',' || c == '[' || c == ']' || Character.isWhitespace(c))) {
                throw new IllegalArgumentException("'" + name + "' is not a host name");
            }
            int cut = name.length();
            while (cut > 0 && name.charAt(cut - 1) >= '0' && name.charAt(cut - 1) <= '9') {
                cut--;
            }
            String digits = name.substring(cut);
            if (digits.isEmpty() || digits.length() > MAX_DIGITS) {
                return new Host(name, name, "", -1);
            }
            return new Host(name, name.substring(0, cut), digits, Long.parseLong(digits));
        }

        boolean numbered() {
            return number >= 0;
        }
    }
}
