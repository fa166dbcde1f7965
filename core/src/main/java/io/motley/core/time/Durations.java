package io.motley.core.time;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and formats Slurm's time limits, elapsed times and timestamps. */
public final class Durations {

    /** Marker for "no time limit"; every method here treats it as UNLIMITED. */
    public static final long UNLIMITED = -1;

    private static final long MINUTE = 60;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;

    // The six shapes Slurm's -t/--time accepts; groups that did not take part stay null.
    private static final Pattern TIME_LIMIT = Pattern.compile(
            "(?:(\\d+)-(\\d+)(?::(\\d+)(?::(\\d+))?)?)" // days-hours[:minutes[:seconds]]
                    + "|(?:(\\d+)(?::(\\d+)(?::(\\d+))?)?)"); // minutes | minutes:seconds | h:m:s

    private static final Pattern NOW = Pattern.compile("now(?:\\s*([+-])\\s*(\\d+)\\s*([a-z]*))?");
    private static final Pattern UTS = Pattern.compile("uts(\\d+)");
    private static final Pattern CLOCK = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(am|pm)?");
    private static final Pattern ISO_DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{1,2})");
    private static final Pattern SLASH_DATE = Pattern.compile("(\\d{1,2})([/.])(\\d{1,2})(?:\\2(\\d{2}|\\d{4}))?");
    private static final Pattern PACKED_DATE = Pattern.compile("(\\d{2})(\\d{2})(\\d{2})?");

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    // Timestamps are accepted from year 0000 to 9999, with a day to spare so that the ends hold in every zone.
    private static final long EARLIEST =
            LocalDate.of(0, 1, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - DAY;
    private static final long LATEST =
            LocalDate.of(10000, 1, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() + DAY - 1;

    // The longest time of day a date can carry after 'T' or '-': "12:34:56pm".
    private static final int LONGEST_CLOCK = 10;

    private Durations() {}

    /**
     * Parses a Slurm -t/--time value into seconds: "minutes", "minutes:seconds",
     * "hours:minutes:seconds", "days-hours", "days-hours:minutes" or "days-hours:minutes:seconds".
     * "UNLIMITED", "INFINITE" and any value that adds up to zero give {@link #UNLIMITED}.
     */
    public static long parseTimeLimit(String s) {
        Objects.requireNonNull(s, "time limit");
        String t = s.strip();
        if (t.equalsIgnoreCase("UNLIMITED") || t.equalsIgnoreCase("INFINITE")) {
            return UNLIMITED;
        }
        Matcher m = TIME_LIMIT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a time limit; use minutes, minutes:seconds,"
                    + " hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds"
                    + " or UNLIMITED");
        }
        long seconds;
        try {
            if (m.group(1) != null) {
                seconds = sum(
                        field(m.group(1), DAY),
                        field(m.group(2), HOUR),
                        field(m.group(3), MINUTE),
                        field(m.group(4), 1));
            } else if (m.group(7) != null) {
                seconds = sum(field(m.group(5), HOUR), field(m.group(6), MINUTE), field(m.group(7), 1));
            } else {
                seconds = sum(field(m.group(5), MINUTE), field(m.group(6), 1), 0);
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("time limit '" + s + "' is too large", e);
        }
        // Slurm reads a zero limit as "no limit" (--time=0), whatever way the zero is spelled.
        return seconds == 0 ? UNLIMITED : seconds;
    }

    /**
     * Formats seconds the way squeue prints TIME and TIME_LIMIT: "0:05", "59:59", "1:00:00",
     * "1-00:00:00"; {@link #UNLIMITED} gives "UNLIMITED".
     */
    public static String formatCompact(long seconds) {
        if (seconds == UNLIMITED) {
            return "UNLIMITED";
        }
        requireNonNegative(seconds);
        long days = seconds / DAY;
        long hours = seconds % DAY / HOUR;
        long minutes = seconds % HOUR / MINUTE;
        long secs = seconds % MINUTE;
        if (days > 0) {
            return String.format(Locale.ROOT, "%d-%02d:%02d:%02d", days, hours, minutes, secs);
        }
        if (hours > 0) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs);
        }
        return String.format(Locale.ROOT, "%d:%02d", minutes, secs);
    }

    /**
     * Formats seconds the way scontrol and sacct print times: "00:01:16", "1-00:00:00";
     * {@link #UNLIMITED} gives "UNLIMITED".
     */
    public static String formatFixed(long seconds) {
        if (seconds == UNLIMITED) {
            return "UNLIMITED";
        }
        requireNonNegative(seconds);
        long days = seconds / DAY;
        long hours = seconds % DAY / HOUR;
        long minutes = seconds % HOUR / MINUTE;
        long secs = seconds % MINUTE;
        if (days > 0) {
            return String.format(Locale.ROOT, "%d-%02d:%02d:%02d", days, hours, minutes, secs);
        }
        return String.format(Locale.ROOT, "%02d:%02d:%02d", hours, minutes, secs);
    }

    /**
     * Parses a Slurm timestamp (sbatch --begin, sacct -S/-E) into epoch seconds, looking forward
     * from {@code now}: a bare time of day that has passed means tomorrow, and a date without a year
     * that has passed means next year. Same as {@code parseTimestamp(s, now, false)}.
     */
    public static long parseTimestamp(String s, ZonedDateTime now) {
        return parseTimestamp(s, now, false);
    }

    /**
     * Parses a Slurm timestamp into epoch seconds, in {@code now}'s zone. Accepts "YYYY-MM-DD[THH:MM[:SS]]",
     * "MMDD[YY]", "MM/DD[/YY]" (also with "." and with "-HH:MM[:SS]" or "THH:MM[:SS]" after the date),
     * "HH:MM[:SS]" with optional AM/PM, "now[{+|-}N[unit]]", "today", "tomorrow", "midnight", "noon",
     * "elevenses", "fika", "teatime" and "uts<epoch>". Words and a date may be combined ("tomorrow noon").
     * With {@code past} false (sbatch --begin) an incomplete time resolves to its next occurrence; with
     * {@code past} true (sacct) a bare time of day means today and a date without a year means this year,
     * or last year when its month is still to come, as Slurm does.
     */
    public static long parseTimestamp(String s, ZonedDateTime now, boolean past) {
        long epoch = resolveTimestamp(s, now, past);
        // squeue, scontrol and sacct print --begin and -S to every user: whatever is accepted must print.
        if (epoch < EARLIEST || epoch > LATEST) {
            throw new IllegalArgumentException("'" + s + "' is outside the years 0000 to 9999");
        }
        return epoch;
    }

    private static long resolveTimestamp(String s, ZonedDateTime now, boolean past) {
        Objects.requireNonNull(s, "timestamp");
        Objects.requireNonNull(now, "now");
        String t = asciiLowerCase(s.strip());
        ZonedDateTime current = now.truncatedTo(ChronoUnit.SECONDS);

        Matcher uts = UTS.matcher(t);
        if (uts.matches()) {
            long epoch = parseBounded(uts.group(1), s);
            // Slurm refuses small values so a typo like "uts12" does not land in 1970.
            if (epoch < 1_000_000) {
                throw new IllegalArgumentException("'" + s + "' is not a plausible Unix timestamp");
            }
            return epoch;
        }
        Matcher nowMatch = NOW.matcher(t);
        if (nowMatch.matches()) {
            if (nowMatch.group(1) == null) {
                return current.toEpochSecond();
            }
            long count = parseBounded(nowMatch.group(2), s);
            long unit = unitSeconds(nowMatch.group(3), s);
            try {
                long delta = Math.multiplyExact(count, unit);
                return nowMatch.group(1).equals("+")
                        ? Math.addExact(current.toEpochSecond(), delta)
                        : Math.subtractExact(current.toEpochSecond(), delta);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("time offset in '" + s + "' is too large", e);
            }
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty time specification");
        }

        Parts parts = new Parts(s, current);
        for (String token : t.split("\\s+")) {
            parts.accept(token);
        }
        return parts.resolve(past);
    }

    /** Formats epoch seconds as an ISO local date-time in {@code zone}, e.g. "2026-11-22T12:39:13". */
    public static String formatTimestamp(long epochSeconds, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        return Instant.ofEpochSecond(epochSeconds).atZone(zone).format(TIMESTAMP);
    }

    /**
     * Lower-cases ASCII letters only; every word and unit read here is ASCII. String.toLowerCase reallocates its result
     * for each character that lower-cases to two ('\u0130'), so 60,000 of them allocated gigabytes.
     */
    private static String asciiLowerCase(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] = (char) (c[i] + ('a' - 'A'));
            }
        }
        return new String(c);
    }

    private static long field(String digits, long unit) {
        return digits == null ? 0 : Math.multiplyExact(Long.parseLong(digits), unit);
    }

    private static long sum(long a, long b, long c) {
        return Math.addExact(Math.addExact(a, b), c);
    }

    private static long sum(long a, long b, long c, long d) {
        return Math.addExact(sum(a, b, c), d);
    }

    private static void requireNonNegative(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("cannot format a negative duration: " + seconds + " seconds");
        }
    }

    private static long parseBounded(String digits, String input) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number in '" + input + "' is too large", e);
        }
    }

    private static long unitSeconds(String unit, String input) {
        return switch (unit) {
            case "", "s", "sec", "secs", "second", "seconds" -> 1;
            case "m", "min", "mins", "minute", "minutes" -> MINUTE;
            case "h", "hr", "hrs", "hour", "hours" -> HOUR;
            case "d", "day", "days" -> DAY;
            case "w", "wk", "wks", "week", "weeks" -> WEEK;
            default ->
                throw new IllegalArgumentException("unknown time unit '" + unit + "' in '" + input
                        + "'; use seconds, minutes, hours, days or weeks");
        };
    }

    /** Date and time-of-day pieces collected from the words of an absolute timestamp. */
    private static final class Parts {
        private final String input;
        private final ZonedDateTime now;
        private LocalDate date;
        // Set when the date came without a year; the year is chosen in resolve().
        private int monthNoYear;
        private int dayNoYear;
        private LocalTime time;
        private boolean timeTakesMeridiem;

        Parts(String input, ZonedDateTime now) {
            this.input = input;
            this.now = now;
        }

        void accept(String token) {
            switch (token) {
                case "today" -> setDate(now.toLocalDate());
                case "tomorrow" -> setDate(now.toLocalDate().plusDays(1));
                case "midnight" -> setTime(LocalTime.MIDNIGHT, false);
                case "elevenses" -> setTime(LocalTime.of(11, 0), false);
                case "noon" -> setTime(LocalTime.NOON, false);
                case "fika" -> setTime(LocalTime.of(15, 0), false);
                case "teatime" -> setTime(LocalTime.of(16, 0), false);
                case "am", "pm" -> applyMeridiem(token);
                default -> acceptDateOrTime(token);
            }
        }

        private void acceptDateOrTime(String token) {
            Matcher clock = CLOCK.matcher(token);
            if (clock.matches()) {
                setClock(clock);
                return;
            }
            // A date may carry its time of day after a 'T' or '-': 2026-03-01T10:00, 03/01-10:00. Only the last
            // few characters can be a time of day; trying every cut of a long token took time quadratic in its length.
            int joint = -1;
            for (int i = token.length() - 1; i > 0 && i >= token.length() - LONGEST_CLOCK - 1; i--) {
                char c = token.charAt(i);
                if ((c == 't' || c == '-')
                        && CLOCK.matcher(token.substring(i + 1)).matches()) {
                    joint = i;
                    break;
                }
            }
            String datePart = joint < 0 ? token : token.substring(0, joint);
            if (!acceptDate(datePart)) {
                throw invalid();
            }
            if (joint >= 0) {
                Matcher m = CLOCK.matcher(token.substring(joint + 1));
                m.matches();
                setClock(m);
            }
        }

        private boolean acceptDate(String token) {
            Matcher iso = ISO_DATE.matcher(token);
            if (iso.matches()) {
                setDate(date(
                        Integer.parseInt(iso.group(1)),
                        Integer.parseInt(iso.group(2)),
                        Integer.parseInt(iso.group(3))));
                return true;
            }
            Matcher slash = SLASH_DATE.matcher(token);
            if (slash.matches()) {
                setMonthDay(Integer.parseInt(slash.group(1)), Integer.parseInt(slash.group(3)), slash.group(4));
                return true;
            }
            Matcher packed = PACKED_DATE.matcher(token);
            if (packed.matches()) {
                setMonthDay(Integer.parseInt(packed.group(1)), Integer.parseInt(packed.group(2)), packed.group(3));
                return true;
            }
            return false;
        }

        private void setMonthDay(int month, int day, String year) {
            if (year == null) {
                if (month < 1 || month > 12 || day < 1 || day > 31) {
                    throw invalid();
                }
                requireNoDate();
                monthNoYear = month;
                dayNoYear = day;
            } else {
                // Two-digit years are in this century, as in Slurm.
                int y = year.length() == 2 ? 2000 + Integer.parseInt(year) : Integer.parseInt(year);
                setDate(date(y, month, day));
            }
        }

        private void setClock(Matcher clock) {
            int hour = Integer.parseInt(clock.group(1));
            int minute = Integer.parseInt(clock.group(2));
            int second = clock.group(3) == null ? 0 : Integer.parseInt(clock.group(3));
            if (hour > 23 || minute > 59 || second > 59) {
                throw invalid();
            }
            setTime(LocalTime.of(hour, minute, second), true);
            if (clock.group(4) != null) {
                applyMeridiem(clock.group(4));
            }
        }

        private void applyMeridiem(String meridiem) {
            if (!timeTakesMeridiem) {
                throw invalid();
            }
            timeTakesMeridiem = false;
            int hour = time.getHour();
            if (hour < 1 || hour > 12) {
                throw invalid();
            }
            int h24 = meridiem.equals("am") ? hour % 12 : hour % 12 + 12;
            time = time.withHour(h24);
        }

        private void setDate(LocalDate d) {
            requireNoDate();
            date = d;
        }

        private void requireNoDate() {
            if (date != null || monthNoYear != 0) {
                throw new IllegalArgumentException("'" + input + "' gives more than one date");
            }
        }

        private void setTime(LocalTime t, boolean takesMeridiem) {
            if (time != null) {
                throw new IllegalArgumentException("'" + input + "' gives more than one time of day");
            }
            time = t;
            timeTakesMeridiem = takesMeridiem;
        }

        private LocalDate date(int year, int month, int day) {
            try {
                return LocalDate.of(year, month, day);
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("'" + input + "' names a date that does not exist", e);
            }
        }

        long resolve(boolean past) {
            LocalDateTime current = now.toLocalDateTime();
            LocalTime clock = time == null ? LocalTime.MIDNIGHT : time;
            LocalDate day;
            if (date != null) {
                day = date;
            } else if (monthNoYear != 0) {
                int year = current.getYear();
                if (past) {
                    if (monthNoYear > current.getMonthValue()) {
                        year--;
                    }
                } else if (!dateTime(year, clock).isAfter(current)) {
                    year++;
                }
                day = date(year, monthNoYear, dayNoYear);
            } else if (time == null) {
                throw invalid();
            } else {
                // A bare time of day means its next occurrence; one equal to now has gone.
                day = current.toLocalDate();
                if (!past && !LocalDateTime.of(day, clock).isAfter(current)) {
                    day = day.plusDays(1);
                }
            }
            return ZonedDateTime.of(LocalDateTime.of(day, clock), now.getZone()).toEpochSecond();
        }

        private LocalDateTime dateTime(int year, LocalTime clock) {
            // Feb 29 compares as the end of February in a year that lacks it.
            LocalDate first = LocalDate.of(year, monthNoYear, 1);
            int day = Math.min(dayNoYear, first.lengthOfMonth());
            return LocalDateTime.of(first.withDayOfMonth(day), clock);
        }

        private IllegalArgumentException invalid() {
            return new IllegalArgumentException("'" + input + "' is not a valid time; use YYYY-MM-DD[THH:MM[:SS]],"
                    + " MM/DD[/YY], MMDDYY, HH:MM[:SS] [AM|PM], now[+N[seconds|minutes|hours|days|weeks]],"
                    + " today, tomorrow, midnight, noon or teatime");
        }
    }
}
