package io.motley.bench.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** What the fuzzer needs to know of a kind of input: its size, how to cut a piece out (to shrink a crash), how to print it. */
public interface Shape<I> {

    int size(I input);

    /** The input without its elements {@code from} (inclusive) to {@code to} (exclusive). */
    I without(I input, int from, int to);

    /** The whole input as text that can be pasted back into a test: a Java string literal, hex, a list of literals. */
    String show(I input);

    Shape<String> TEXT = new Shape<>() {
        public int size(String s) {
            return s.length();
        }

        public String without(String s, int from, int to) {
            return s.substring(0, from) + s.substring(to);
        }

        public String show(String s) {
            return literal(s);
        }
    };

    Shape<byte[]> BYTES = new Shape<>() {
        public int size(byte[] b) {
            return b.length;
        }

        public byte[] without(byte[] b, int from, int to) {
            byte[] out = Arrays.copyOf(b, b.length - (to - from));
            System.arraycopy(b, to, out, from, b.length - to);
            return out;
        }

        public String show(byte[] b) {
            return "hex " + HexFormat.of().formatHex(b);
        }
    };

    Shape<List<String>> NAMES = new Shape<>() {
        public int size(List<String> names) {
            return names.size();
        }

        public List<String> without(List<String> names, int from, int to) {
            List<String> out = new ArrayList<>(names.subList(0, from));
            out.addAll(names.subList(to, names.size()));
            return out;
        }

        public String show(List<String> names) {
            return names.stream().map(Shape::literal).toList().toString();
        }
    };

    /** A Java string literal of {@code s}: quotes and backslashes escaped, anything outside printable ASCII as \\uXXXX. */
    static String literal(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
