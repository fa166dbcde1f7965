package io.motley.core.job;

/**
 * Text that users type and that others read back (job names, comments, paths): which
 * characters are control characters (C0, DEL and C1, the ones that can start a new line or
 * steer a terminal), and how to show them harmlessly.
 */
public final class FreeText {
    private FreeText() {}

    /** Whether {@code c} is a C0 control character, DEL or a C1 control character. */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }

    /** Whether the text holds any control character; null holds none. */
    public static boolean hasControl(String s) {
        if (s == null) return false;
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) return true;
        }
        return false;
    }

    /**
     * The text with every control character written out ({@code \n}, {@code \r}, {@code \t},
     * else {@code \xHH}), so that it cannot start a line or move the cursor; null stays null.
     */
    public static String escape(String s) {
        if (!hasControl(s)) return s;
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isControl(c)) {
                sb.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb.toString();
    }

    /** The text escaped and cut to at most {@code max} characters (with "..." when cut), for messages that quote it. */
    public static String quote(String s, int max) {
        String e = escape(s);
        if (e == null || e.length() <= max) return e;
        return e.substring(0, Math.max(0, max)) + "...";
    }
}
