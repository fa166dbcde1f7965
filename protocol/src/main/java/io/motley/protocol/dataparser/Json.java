package io.motley.protocol.dataparser;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a tree of maps (in their order), collections, strings, numbers, booleans and nulls as
 * JSON, indented as Slurm's commands print it. Small on purpose: the command path carries no JSON
 * library.
 */
public final class Json {
    private Json() {}

    /** Text held before it goes out to a stream: written after a list's element once this much is waiting. */
    static final int STREAM_CHUNK = 16 * 1024;

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, null, value, 0);
        return sb.append('\n').toString();
    }

    /**
     * Writes {@code value} to {@code out} in UTF-8, the same bytes as {@link #write(Object)}, a
     * piece at a time: after each element of a list once {@value #STREAM_CHUNK} characters wait,
     * so what is held at once is that much and one element. With a list whose elements are made
     * as it is iterated (a lazy view), a document of any length takes memory for one element.
     * {@code out} is neither flushed nor closed.
     */
    public static void write(OutputStream out, Object value) throws IOException {
        StringBuilder sb = new StringBuilder(STREAM_CHUNK + 8 * 1024);
        try {
            write(sb, out, value, 0);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        sb.append('\n');
        drain(sb, out);
    }

    private static void drain(StringBuilder sb, OutputStream out) throws IOException {
        // drained only between a list's elements, so never inside a surrogate pair
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.setLength(0);
    }

    /** {@code out}: where the text goes while it is written, or null to keep it all in {@code sb}. */
    private static void write(StringBuilder sb, OutputStream out, Object v, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append("{\n");
                Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    indent(sb, depth + 1);
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, out, e.getValue(), depth + 1);
                    sb.append(it.hasNext() ? ",\n" : "\n");
                }
                indent(sb, depth);
                sb.append('}');
            }
            case Collection<?> c -> {
                if (c.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append("[\n");
                Iterator<?> it = c.iterator();
                while (it.hasNext()) {
                    indent(sb, depth + 1);
                    write(sb, out, it.next(), depth + 1);
                    sb.append(it.hasNext() ? ",\n" : "\n");
                    if (out != null && sb.length() >= STREAM_CHUNK) {
                        try {
                            drain(sb, out);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
                indent(sb, depth);
                sb.append(']');
            }
            default -> string(sb, v.toString());
        }
    }

    private static void indent(StringBuilder sb, int depth) {
        sb.append("  ".repeat(depth));
    }

    /** A JSON string: quotes, backslashes and every control character escaped. */
    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029')
                        sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
