package io.motley.core.time;

import java.util.List;

/**
 * Where Slurm's time parser (sbatch --begin and --deadline) stops on a time it refuses: the {@code pos=} of its
 * {@code Invalid time specification (pos=N): TEXT} line, which users see before sbatch's own error. Motley reads
 * times with {@link Durations#parseTimestamp}; this only walks the text as Slurm's parser does to name the same
 * position: blanks, '-' and 'T' skipped, the day words, {@code now[+-]N[unit]}, {@code HH:MM[:SS][am|pm]} and the
 * date forms, the first character none of them takes being the position. A text Slurm reads to its end but cannot
 * turn into a date is refused at its length.
 */
public final class TimeRefusal {
    private TimeRefusal() {}

    private static final List<String> WORDS = List.of("today", "tomorrow", "midnight", "noon", "fika", "teatime");

    private static final List<String> UNITS =
            List.of("seconds", "second", "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week");

    /** Slurm's line for {@code text}: {@code Invalid time specification (pos=N): text}. */
    public static String line(String text) {
        return "Invalid time specification (pos=" + position(text) + "): " + text;
    }

    /** The position Slurm's parser names for {@code text}. */
    public static int position(String text) {
        Walk w = new Walk(text);
        if (w.startsWith(0, "uts")) return 0;
        int pos = 0;
        while (!w.end(pos)) {
            char c = w.at(pos);
            if (c == ' ' || c == '\t' || c == '-' || c == 'T') {
                pos++;
                continue;
            }
            String word = w.wordAt(pos);
            if (word != null) {
                pos += word.length();
                continue;
            }
            if (w.startsWith(pos, "now")) {
                int at = w.afterNow(pos);
                if (at < 0) return -at - 1;
                pos = at + 1;
                continue;
            }
            if (!digit(c)) return pos;
            int at = w.at(pos + 1) == ':' || w.at(pos + 2) == ':' ? w.time(pos) : w.date(pos);
            if (at < 0) return -at - 1;
            pos = at + 1;
        }
        return pos;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The text and the walks of Slurm's sub-parsers. Each returns the position of the last character it took, or,
     * refused, {@code -(position + 1)}.
     */
    private record Walk(String s) {
        /** The character at {@code i}, NUL past the end, as C's string reads. */
        char at(int i) {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        boolean end(int i) {
            return at(i) == '\0' || at(i) == '\n';
        }

        boolean startsWith(int i, String word) {
            return s.regionMatches(true, i, word, 0, word.length());
        }

        String wordAt(int i) {
            for (String w : WORDS) if (startsWith(i, w)) return w;
            return null;
        }

        static int refused(int at) {
            return -(at + 1);
        }

        /** now, then blanks, then a signed count and unit or the end. Slurm adds the sign's index to pos. */
        int afterNow(int pos) {
            for (int i = pos + 3; ; i++) {
                char c = at(i);
                if (c == '+' || c == '-') return delta(pos + i);
                if (c == ' ' || c == '\t') continue;
                if (end(i)) return pos + i - 1;
                return refused(pos + i);
            }
        }

        /** Digits and one unit word after the sign at {@code pos}. */
        int delta(int pos) {
            int offset = pos + 1;
            boolean digits = false;
            for (; !end(offset); offset++) {
                if (Character.isWhitespace(at(offset))) continue;
                String unit = null;
                for (String u : UNITS) {
                    if (startsWith(offset, u)) {
                        unit = u;
                        break;
                    }
                }
                if (unit != null) {
                    offset += unit.length();
                    break;
                }
                if (digit(at(offset))) {
                    digits = true;
                    continue;
                }
                return refused(offset - 1);
            }
            // no digits: refused where the sign was
            return digits ? offset - 1 : refused(pos);
        }

        /** HH:MM[:SS] [am|pm]. */
        int time(int offset) {
            if (!digit(at(offset))) return refused(offset);
            int hour = at(offset++) - '0';
            if (at(offset) != ':') {
                if (!digit(at(offset))) return refused(offset);
                hour = hour * 10 + at(offset++) - '0';
            }
            if (hour > 23) return refused(offset - 2);
            if (at(offset) != ':') return refused(offset);
            offset++;
            int[] next = twoDigits(offset, 59);
            if (next[1] != 0) return refused(next[0]);
            offset = next[0];
            if (at(offset) == ':') {
                next = twoDigits(offset + 1, 59);
                if (next[1] != 0) return refused(next[0]);
                offset = next[0];
            }
            while (Character.isWhitespace(at(offset))) offset++;
            if (startsWith(offset, "pm")) {
                hour += 12;
                if (hour > 24) return refused(offset);
                offset += 2;
            } else if (startsWith(offset, "am")) {
                if (hour > 12) return refused(offset);
                offset += 2;
            }
            return offset - 1;
        }

        /** Two digits from {@code offset} at most {@code max}: {offset after them, 0} or {where refused, 1}. */
        int[] twoDigits(int offset, int max) {
            if (!digit(at(offset))) return new int[] {offset, 1};
            if (!digit(at(offset + 1))) return new int[] {offset + 1, 1};
            int v = (at(offset) - '0') * 10 + at(offset + 1) - '0';
            return v > max ? new int[] {offset, 1} : new int[] {offset + 2, 0};
        }

        /** YYYY-MM-DD, or MMDD[YY], MM/DD[/YY], MM.DD[.YY]. */
        int date(int offset) {
            if (s.length() >= offset + 7 && at(offset + 4) == '-' && at(offset + 7) == '-') {
                for (int i = 0; i < 4; i++) {
                    if (!digit(at(offset))) return refused(offset);
                    offset++;
                }
                offset++;
                int[] month = upTo2(offset, 1, 12);
                if (month[1] != 0) return refused(month[0]);
                offset = month[0] + 1;
                if (!digit(at(offset))) return refused(offset);
                int[] day = upTo2(offset, 1, 31);
                if (day[1] != 0) return refused(day[0]);
                return day[0] - 1;
            }
            int[] month = upTo2(offset, 1, 12);
            if (month[1] != 0) return refused(month[0]);
            offset = month[0];
            if (at(offset) == '.' || at(offset) == '/') offset++;
            if (!digit(at(offset))) return refused(offset);
            int[] day = upTo2(offset, 1, 31);
            if (day[1] != 0) return refused(day[0]);
            offset = day[0];
            if (at(offset) == '.' || at(offset) == '/') offset++;
            if (digit(at(offset))) {
                offset++;
                if (!digit(at(offset))) return refused(offset);
                offset++;
            }
            return offset - 1;
        }

        /**
         * One digit and a second if there is one, read as Slurm reads a month or day (the first taken whatever it
         * is): {offset after them, 0}, or {two before that, 1} when out of [min, max].
         */
        int[] upTo2(int offset, int min, int max) {
            int v = at(offset++) - '0';
            if (digit(at(offset))) v = v * 10 + at(offset++) - '0';
            return v < min || v > max ? new int[] {offset - 2, 1} : new int[] {offset, 0};
        }
    }
}
