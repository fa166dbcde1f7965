package io.motley.bench.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Structure-aware mutations of text and bytes: edits that keep most of a valid input and change one
 * thing a parser must check (a number at a type's edge, a separator doubled, a bracket left open, a
 * piece repeated until the input is large or deeply nested, an odd character).
 */
final class Mutations {
    private Mutations() {}

    /** Numbers at the edges that parsers get wrong: zero, signs, int and long overflow, long runs of digits. */
    static final List<String> NUMBERS = List.of(
            "0",
            "1",
            "-1",
            "7",
            "59",
            "60",
            "99",
            "100",
            "255",
            "1000",
            "1024",
            "65535",
            "65536",
            "999999",
            "1000000",
            "1048575",
            "1048576",
            "2147483647",
            "2147483648",
            "-2147483648",
            "4294967295",
            "4294967296",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "99999999999999999999999",
            "000000000000000000000000001",
            "123456789012345678",
            "1234567890123456789",
            "00",
            "007",
            "+5",
            "1e3",
            "0x10",
            "1.5");

    /** Characters that trip parsers: separators of every kind, controls, and non-ASCII letters, digits and spaces. */
    static final String ODD = " \t\n\r\u000b\f\u0000\u0001\u001b\u007f\u0085\u00a0\u2003\u2028\u3000\ufeff\ufffd"
            + "éİıſ\u212a\u0663\uff19\u00b2\ud800\udc00\ud83d\ude00%$\\'\"#;:,-+=/*?&|()[]{}<>!~`^@_.";

    /**
     * A mutation of {@code s}, using {@code words} (the target's tokens) for insertions, {@code pairs} for nesting and
     * {@code corpus} (when not null) for splicing.
     */
    static String text(String s, Random rnd, List<String> words, List<String[]> pairs, Corpus<String> corpus) {
        int n = s.length();
        switch (rnd.nextInt(13)) {
            case 0, 1 -> {
                return insert(s, rnd.nextInt(n + 1), pick(rnd, words));
            }
            case 2 -> {
                if (n == 0) return pick(rnd, words);
                int from = rnd.nextInt(n);
                int to = from + rnd.nextInt(Math.min(n - from, 8) + 1);
                return s.substring(0, from) + pick(rnd, words) + s.substring(to);
            }
            case 3 -> {
                if (n == 0) return s;
                int from = rnd.nextInt(n);
                int to = from + 1 + rnd.nextInt(Math.min(n - from, 16));
                return s.substring(0, from) + s.substring(to);
            }
            case 4 -> {
                if (n == 0) return s;
                int i = rnd.nextInt(n);
                return s.substring(0, i) + ODD.charAt(rnd.nextInt(ODD.length())) + s.substring(i + 1);
            }
            case 5 -> {
                return insert(s, rnd.nextInt(n + 1), String.valueOf(ODD.charAt(rnd.nextInt(ODD.length()))));
            }
            case 6, 7 -> {
                return replaceNumber(s, rnd);
            }
            case 8 -> {
                return repeat(s, rnd);
            }
            case 9 -> {
                if (pairs.isEmpty()) return repeat(s, rnd);
                String[] pair = pairs.get(rnd.nextInt(pairs.size()));
                int depth = deep(rnd);
                int from = rnd.nextInt(n + 1);
                int to = from + rnd.nextInt(n - from + 1);
                // Sometimes the nesting is left unbalanced on purpose.
                String close = rnd.nextInt(4) == 0 ? "" : pair[1].repeat(depth);
                return s.substring(0, from) + pair[0].repeat(depth) + s.substring(from, to) + close + s.substring(to);
            }
            case 10 -> {
                if (corpus == null) return repeat(s, rnd);
                String other = corpus.pick(rnd);
                return s.substring(0, rnd.nextInt(n + 1)) + other.substring(rnd.nextInt(other.length() + 1));
            }
            case 11 -> {
                if (n == 0) return s;
                int i = rnd.nextInt(n);
                char c = s.charAt(i);
                char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
                return s.substring(0, i) + flipped + s.substring(i + 1);
            }
            default -> {
                return randomText(rnd, words, 1 + rnd.nextInt(12));
            }
        }
    }

    /** Words of the target, odd characters and numbers strung together. */
    static String randomText(Random rnd, List<String> words, int pieces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> sb.append(ODD.charAt(rnd.nextInt(ODD.length())));
                case 1 -> sb.append(pick(rnd, NUMBERS));
                default -> sb.append(pick(rnd, words));
            }
        }
        return sb.toString();
    }

    /** A depth or count that is usually small and sometimes far past any recursion or size bound (up to 200,000). */
    static int deep(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> 1_000 + rnd.nextInt(200_000);
            case 1 -> 100 + rnd.nextInt(1000);
            default -> 1 + rnd.nextInt(20);
        };
    }

    static String pick(Random rnd, List<String> words) {
        return words.get(rnd.nextInt(words.size()));
    }

    private static String insert(String s, int at, String piece) {
        return s.substring(0, at) + piece + s.substring(at);
    }

    /** Replaces one run of digits (or inserts where there is none) with an edge number. */
    private static String replaceNumber(String s, Random rnd) {
        int[] starts = new int[s.length()];
        int runs = 0;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i)) && (i == 0 || !Character.isDigit(s.charAt(i - 1)))) starts[runs++] = i;
        }
        String number = pick(rnd, NUMBERS);
        if (runs == 0) return insert(s, rnd.nextInt(s.length() + 1), number);
        int from = starts[rnd.nextInt(runs)];
        int to = from;
        while (to < s.length() && Character.isDigit(s.charAt(to))) to++;
        return s.substring(0, from) + number + s.substring(to);
    }

    /** Repeats one piece of {@code s} a few or very many times. */
    private static String repeat(String s, Random rnd) {
        if (s.isEmpty()) return s;
        int from = rnd.nextInt(s.length());
        int to = from + 1 + rnd.nextInt(Math.min(s.length() - from, 32));
        String piece = s.substring(from, to);
        int times = Math.max(1, Math.min(deep(rnd), 200_000 / piece.length()));
        return s.substring(0, to) + piece.repeat(times) + s.substring(to);
    }

    /** 32-bit values for length and count fields: signs, the frame cap and either side of it, the input's own size. */
    static final int[] INTS = {
        0,
        1,
        2,
        3,
        4,
        7,
        8,
        -1,
        -2,
        255,
        256,
        65535,
        65536,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        256 * 1024 * 1024,
        256 * 1024 * 1024 + 1,
        1 << 30,
        0x00ffffff
    };

    /** A mutation of {@code b}; with {@code lengthPrefixed}, often fixes the leading 4-byte length so the body is parsed. */
    static byte[] bytes(byte[] b, Random rnd, Corpus<byte[]> corpus, boolean lengthPrefixed) {
        byte[] out = switch (rnd.nextInt(9)) {
            case 0 -> {
                if (b.length == 0) yield new byte[] {(byte) rnd.nextInt()};
                byte[] c = b.clone();
                c[rnd.nextInt(c.length)] ^= (byte) (1 << rnd.nextInt(8));
                yield c;
            }
            case 1, 2 -> {
                if (b.length < 4) yield b;
                byte[] c = b.clone();
                int at = rnd.nextInt(c.length - 3);
                int value = rnd.nextInt(4) == 0 ? c.length - at : INTS[rnd.nextInt(INTS.length)];
                ByteBuffer.wrap(c, at, 4).putInt(value);
                yield c;
            }
            case 3 -> Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length));
            case 4 -> {
                int at = rnd.nextInt(b.length + 1);
                byte[] extra = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(extra);
                yield concat(Arrays.copyOf(b, at), extra, Arrays.copyOfRange(b, at, b.length));
            }
            case 5 -> {
                if (b.length == 0) yield b;
                int from = rnd.nextInt(b.length);
                int to = from + 1 + rnd.nextInt(Math.min(b.length - from, 64));
                yield concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, b.length));
            }
            case 6 -> {
                if (b.length == 0) yield b;
                int from = rnd.nextInt(b.length);
                int to = from + 1 + rnd.nextInt(Math.min(b.length - from, 64));
                byte[] piece = Arrays.copyOfRange(b, from, to);
                int times = Math.max(1, Math.min(deep(rnd), 1_000_000 / piece.length));
                byte[] repeated = new byte[piece.length * times];
                for (int i = 0; i < times; i++) System.arraycopy(piece, 0, repeated, i * piece.length, piece.length);
                yield concat(Arrays.copyOf(b, to), repeated, Arrays.copyOfRange(b, to, b.length));
            }
            case 7 -> {
                byte[] other = corpus.pick(rnd);
                yield concat(
                        Arrays.copyOf(b, rnd.nextInt(b.length + 1)),
                        Arrays.copyOfRange(other, rnd.nextInt(other.length + 1), other.length));
            }
            default -> {
                byte[] c = new byte[rnd.nextInt(64)];
                rnd.nextBytes(c);
                yield c;
            }
        };
        if (lengthPrefixed && out.length >= 4 && rnd.nextInt(3) > 0) {
            out = out == b ? b.clone() : out;
            ByteBuffer.wrap(out).putInt(out.length - 4);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
