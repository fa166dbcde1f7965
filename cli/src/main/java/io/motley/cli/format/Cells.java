package io.motley.cli.format;

/** Fixed-width cells as sacct and sshare print them: a negative width left-justifies. */
public final class Cells {
    private Cells() {}

    /** The value cut to at most {@code width} characters. */
    public static String cut(String s, int width) {
        return s.length() > width ? s.substring(0, width) : s;
    }

    /** The value padded to {@code |width|}: on the right for a negative width, else on the left. */
    public static String justify(String s, int width) {
        int abs = Math.abs(width);
        if (s.length() >= abs) return s;
        String pad = " ".repeat(abs - s.length());
        return width < 0 ? s + pad : pad + s;
    }
}
