package io.motley.core.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Reads #SBATCH-style directives from batch scripts and splits option strings shell-style. */
public final class BatchScript {

    private BatchScript() {}

    /**
     * Returns the arguments of every directive line (prefix, then whitespace, then arguments) in order.
     * Scanning skips a leading "#!" line and stops at the first line that is neither blank nor a comment,
     * as sbatch does; directives must start in the first column.
     */
    public static List<String> directives(String scriptText, String prefix) {
        Objects.requireNonNull(scriptText, "script");
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("directive prefix must not be empty");
        }
        List<String> args = new ArrayList<>();
        String[] lines = scriptText.split("\n", -1);
        for (int i = hasInterpreterLine(scriptText) ? 1 : 0; i < lines.length; i++) {
            String line = stripCarriageReturn(lines[i]);
            if (isDirective(line, prefix)) {
                try {
                    args.addAll(splitWords(line.substring(prefix.length())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + (i + 1) + " of the script: " + e.getMessage(), e);
                }
                continue;
            }
            String content = line.strip();
            // The shell reads an indented '#' as a comment too, so it does not end the directive block.
            if (!content.isEmpty() && content.charAt(0) != '#') {
                break;
            }
        }
        return args;
    }

    /** Returns true when the script's first line starts with "#!". */
    public static boolean hasInterpreterLine(String scriptText) {
        Objects.requireNonNull(scriptText, "script");
        return scriptText.startsWith("#!");
    }

    /**
     * Splits a string into words the way a shell would, without expansions: whitespace separates words,
     * single and double quotes group and are removed, a backslash outside single quotes takes the next
     * character literally, and an unquoted '#' at the start of a word begins a comment running to the end
     * of the line.
     */
    public static List<String> splitWords(String s) {
        Objects.requireNonNull(s, "text");
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        // Tracks "" and '' so that an empty quoted argument still counts as a word.
        boolean inWord = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '#' && !inWord) {
                int newline = s.indexOf('\n', i);
                i = newline < 0 ? s.length() : newline;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                // Backslash-newline joins lines, as in the shell.
                i += 2;
            } else if (c == '\\') {
                inWord = true;
                if (i + 1 < s.length()) {
                    word.append(s.charAt(i + 1));
                    i += 2;
                } else {
                    // Nothing left to escape: keep the backslash rather than lose it.
                    word.append(c);
                    i++;
                }
            } else if (c == '\'' || c == '"') {
                inWord = true;
                i = readQuoted(s, i, word);
            } else {
                inWord = true;
                word.append(c);
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the quoted text starting at {@code open} to {@code word}; returns the index after the closing quote. */
    private static int readQuoted(String s, int open, StringBuilder word) {
        char quote = s.charAt(open);
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == quote) {
                return i + 1;
            }
            if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                word.append(s.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException(
                "unterminated " + (quote == '"' ? "double" : "single") + " quote in '" + s.strip() + "'");
    }

    private static boolean isDirective(String line, String prefix) {
        if (!line.startsWith(prefix)) {
            return false;
        }
        return line.length() == prefix.length() || Character.isWhitespace(line.charAt(prefix.length()));
    }

    private static String stripCarriageReturn(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
