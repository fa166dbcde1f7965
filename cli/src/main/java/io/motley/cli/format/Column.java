package io.motley.cli.format;

/**
 * One field of a Slurm "-o/--format" string such as {@code %.18i}: the field letter, its width
 * (0 = as wide as the value) and whether it is right-justified ({@code .}). Text between fields
 * is kept as a literal column.
 */
public record Column(char field, int width, boolean right, String literal) {
    public static Column literal(String text) {
        return new Column('\0', 0, false, text);
    }

    public boolean isLiteral() {
        return literal != null;
    }

    /** Appends a value padded or truncated to this column, without the copies {@link #fit} makes. */
    public void fitTo(StringBuilder sb, String value) {
        if (width <= 0) {
            sb.append(value);
        } else if (value.length() >= width) {
            sb.append(value, 0, width);
        } else {
            int pad = width - value.length();
            if (!right) sb.append(value);
            sb.repeat(' ', pad);
            if (right) sb.append(value);
        }
    }

    /** Pads or truncates a value to this column, as squeue and sinfo do. */
    public String fit(String value) {
        if (width <= 0) return value;
        if (value.length() > width) return value.substring(0, width);
        String pad = " ".repeat(width - value.length());
        return right ? pad + value : value + pad;
    }
}
