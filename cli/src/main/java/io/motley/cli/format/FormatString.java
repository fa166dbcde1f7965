package io.motley.cli.format;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Parses and renders squeue/sinfo format strings ({@code "%.18i %.9P %j"}). */
public final class FormatString {
    private FormatString() {}

    public static List<Column> parse(String format) {
        List<Column> out = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                lit.append(c);
                continue;
            }
            int j = i + 1;
            boolean right = false;
            if (j < format.length() && format.charAt(j) == '.') {
                right = true;
                j++;
            }
            int width = 0;
            while (j < format.length() && Character.isDigit(format.charAt(j))) {
                width = width * 10 + (format.charAt(j) - '0');
                j++;
            }
            if (j >= format.length()) {
                lit.append(format, i, j);
                break;
            }
            if (format.charAt(j) == '%') {
                lit.append('%');
                i = j;
                continue;
            }
            if (!lit.isEmpty()) {
                out.add(Column.literal(lit.toString()));
                lit.setLength(0);
            }
            out.add(new Column(format.charAt(j), width, right, null));
            i = j;
        }
        if (!lit.isEmpty()) out.add(Column.literal(lit.toString()));
        return out;
    }

    /**
     * A -o format as Slurm's squeue and sinfo read it: the text before the first '%' is printed as
     * written; the rest is cut at every '%', empty pieces dropped (so "%%" prints nothing), and each
     * piece is {@code [.][WIDTH]CODE[SUFFIX]}. A code {@code known} does not take is printed as
     * written, '%' and all, once {@code invalid} was told of it.
     */
    public static List<Column> parse(
            String format,
            java.util.function.Predicate<Character> known,
            java.util.function.Consumer<Character> invalid) {
        List<Column> out = new ArrayList<>();
        int first = format.indexOf('%');
        if (first < 0) {
            if (!format.isEmpty()) out.add(Column.literal(format));
            return out;
        }
        if (first > 0) out.add(Column.literal(format.substring(0, first)));
        for (String token : format.substring(first + 1).split("%")) {
            if (token.isEmpty()) continue;
            int i = 0;
            boolean right = token.charAt(0) == '.';
            if (right) i++;
            int width = 0;
            while (i < token.length() && Character.isDigit(token.charAt(i)))
                width = width * 10 + (token.charAt(i++) - '0');
            if (i >= token.length()) {
                // no code at all ("%5" at the end): Slurm's reads past the piece; nothing sensible to print
                invalid.accept('\0');
                continue;
            }
            char code = token.charAt(i);
            String suffix = token.substring(i + 1);
            if (known.test(code)) {
                out.add(new Column(code, width, right, null));
                if (!suffix.isEmpty()) out.add(Column.literal(suffix));
            } else {
                invalid.accept(code);
                out.add(Column.literal("%" + token));
            }
        }
        return out;
    }

    /** One line: each field's value fitted to its column, literals as written. */
    public static <T> String render(List<Column> cols, T row, Function<Character, Function<T, String>> fields) {
        StringBuilder sb = new StringBuilder();
        for (Column c : cols) {
            if (c.isLiteral()) {
                sb.append(c.literal());
            } else {
                Function<T, String> f = fields.apply(c.field());
                sb.append(c.fit(f == null ? "" : f.apply(row)));
            }
        }
        return sb.toString();
    }

    /** One line, as {@link #render} makes it, appended to {@code sb} (a long listing builds no string per line). */
    public static <T> void renderTo(
            StringBuilder sb, List<Column> cols, T row, Function<Character, Function<T, String>> fields) {
        for (Column c : cols) {
            if (c.isLiteral()) {
                sb.append(c.literal());
            } else {
                Function<T, String> f = fields.apply(c.field());
                c.fitTo(sb, f == null ? "" : f.apply(row));
            }
        }
    }

    public static String header(List<Column> cols, Function<Character, String> names) {
        StringBuilder sb = new StringBuilder();
        for (Column c : cols) {
            if (c.isLiteral()) {
                sb.append(c.literal());
            } else {
                String n = names.apply(c.field());
                sb.append(c.fit(n == null ? "" : n));
            }
        }
        return sb.toString();
    }
}
