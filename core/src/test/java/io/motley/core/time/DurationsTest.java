package io.motley.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Nested
    class ParseTimeLimit {

        @ParameterizedTest(name = "\"{0}\" -> {1}s")
        @CsvSource(
                delimiter = '|',
                value = {
                    "10|600",
                    "1|60",
                    "90|5400",
                    "5:30|330",
                    "0:45|45",
                    "59:59|3599",
                    "1:00:00|3600",
                    "23:59:59|86399",
                    "100:00:00|360000",
                    "2-0|172800",
                    "1-12|129600",
                    "1-12:30|131400",
                    "1-12:30:15|131415",
                    "7-00:00:00|604800",
                    "365-00:00:00|31536000",
                    "'  30  '|1800",
                    "'\t15\n'|900",
                    "99999999|5999999940",
                    // Slurm does not range-check the inner fields; 1:75 is 1 minute 75 seconds.
                    "1:75|135",
                })
        void acceptsSlurmFormats(String input, long seconds) {
            assertThat(Durations.parseTimeLimit(input)).isEqualTo(seconds);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "UNLIMITED",
                    "unlimited",
                    "Unlimited",
                    "INFINITE",
                    "infinite",
                    " INFINITE ",
                    "0",
                    "00",
                    "0:00",
                    "00:00:00",
                    "0-0",
                    "0-00:00:00"
                })
        void unlimitedAndZeroMeanNoLimit(String input) {
            assertThat(Durations.parseTimeLimit(input)).isEqualTo(Durations.UNLIMITED);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "",
                    " ",
                    "abc",
                    "-5",
                    "-1",
                    "1-",
                    "-1-0",
                    "1:2:3:4",
                    "1-2-3",
                    "1-2:3:4:5",
                    ":5",
                    "5:",
                    "1::2",
                    "1.5",
                    "10m",
                    "+5",
                    "1 0",
                    "1-:30",
                    "UNLIMITEDX",
                    "inf",
                    "٣",
                    "99999999999999999999",
                    "153722867280912931",
                    "106751991167301-0"
                })
        void rejectsMalformedInput(String input) {
            assertThatThrownBy(() -> Durations.parseTimeLimit(input))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(input);
        }

        @Test
        void errorMessageListsAcceptedFormats() {
            assertThatThrownBy(() -> Durations.parseTimeLimit("ten"))
                    .hasMessage("'ten' is not a time limit; use minutes, minutes:seconds, hours:minutes:seconds,"
                            + " days-hours, days-hours:minutes, days-hours:minutes:seconds or UNLIMITED");
        }
    }

    @Nested
    class Format {

        @ParameterizedTest(name = "{0}s -> {1}")
        @CsvSource({
            "0, 0:00",
            "5, 0:05",
            "60, 1:00",
            "76, 1:16",
            "600, 10:00",
            "3599, 59:59",
            "3600, 1:00:00",
            "3661, 1:01:01",
            "36000, 10:00:00",
            "86399, 23:59:59",
            "86400, 1-00:00:00",
            "90061, 1-01:01:01",
            "31536000, 365-00:00:00",
            "-1, UNLIMITED",
        })
        void compactMatchesSqueue(long seconds, String text) {
            assertThat(Durations.formatCompact(seconds)).isEqualTo(text);
        }

        @ParameterizedTest(name = "{0}s -> {1}")
        @CsvSource({
            "0, 00:00:00",
            "5, 00:00:05",
            "76, 00:01:16",
            "3600, 01:00:00",
            "86399, 23:59:59",
            "86400, 1-00:00:00",
            "1036800, 12-00:00:00",
            "31536000, 365-00:00:00",
            "-1, UNLIMITED",
        })
        void fixedMatchesScontrolAndSacct(long seconds, String text) {
            assertThat(Durations.formatFixed(seconds)).isEqualTo(text);
        }

        @Test
        void negativeDurationsOtherThanUnlimitedAreRejected() {
            assertThatThrownBy(() -> Durations.formatCompact(-2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-2");
            assertThatThrownBy(() -> Durations.formatFixed(Long.MIN_VALUE))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void formattedLimitsParseBackToTheSameSeconds() {
            Random random = new Random(20261122L);
            for (int i = 0; i < 2000; i++) {
                long seconds = 1 + (long) (random.nextDouble() * (i % 2 == 0 ? 200_000 : 400L * 86400));
                assertThat(Durations.parseTimeLimit(Durations.formatFixed(seconds)))
                        .isEqualTo(seconds);
                assertThat(Durations.parseTimeLimit(Durations.formatCompact(seconds)))
                        .isEqualTo(seconds);
            }
            assertThat(Durations.parseTimeLimit(Durations.formatCompact(Durations.UNLIMITED)))
                    .isEqualTo(Durations.UNLIMITED);
        }
    }

    @Nested
    class ParseTimestamp {

        private static final ZoneId ZONE = ZoneId.of("America/New_York");
        // A Sunday afternoon; 12:39:13 sits mid-minute so minute-boundary rules show.
        private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 22, 12, 39, 13, 500_000_000, ZONE);

        private static long at(String localDateTime) {
            return LocalDateTime.parse(localDateTime).atZone(ZONE).toEpochSecond();
        }

        private static long nowSeconds() {
            return NOW.toEpochSecond();
        }

        @ParameterizedTest(name = "\"{0}\" -> {1}")
        @CsvSource(
                delimiter = '|',
                value = {
                    "2026-12-25|2026-12-25T00:00:00",
                    "2025-01-02|2025-01-02T00:00:00",
                    "2026-12-5|2026-12-05T00:00:00",
                    "2026-12-25T16:00|2026-12-25T16:00:00",
                    "2026-12-25T16:00:30|2026-12-25T16:00:30",
                    "2026-12-25t16:00|2026-12-25T16:00:00",
                    "2026-12-25 16:00|2026-12-25T16:00:00",
                    "2026-12-25-16:00|2026-12-25T16:00:00",
                    "2024-02-29|2024-02-29T00:00:00",
                    "122526|2026-12-25T00:00:00",
                    "010125|2025-01-01T00:00:00",
                    "12/25/26|2026-12-25T00:00:00",
                    "1/5/27|2027-01-05T00:00:00",
                    "12/25/2026|2026-12-25T00:00:00",
                    "12.25.26|2026-12-25T00:00:00",
                    "12/25/26-16:00|2026-12-25T16:00:00",
                    "12/25/26T16:00:05|2026-12-25T16:00:05",
                    "16:00 12/25/26|2026-12-25T16:00:00",
                    // No year: the next such date, so one already past this year means next year.
                    "12/25|2026-12-25T00:00:00",
                    "1225|2026-12-25T00:00:00",
                    "01/15|2027-01-15T00:00:00",
                    "11/22|2027-11-22T00:00:00",
                    "11/22-16:00|2026-11-22T16:00:00",
                    "11/23|2026-11-23T00:00:00",
                    // A time of day means its next occurrence.
                    "16:00|2026-11-22T16:00:00",
                    "10:00|2026-11-23T10:00:00",
                    "12:40|2026-11-22T12:40:00",
                    "12:39|2026-11-23T12:39:00",
                    "12:39:30|2026-11-22T12:39:30",
                    "12:39:13|2026-11-23T12:39:13",
                    "12:39:00|2026-11-23T12:39:00",
                    "0:00|2026-11-23T00:00:00",
                    "4:00 PM|2026-11-22T16:00:00",
                    "4:00pm|2026-11-22T16:00:00",
                    "9:30AM|2026-11-23T09:30:00",
                    "12:00am|2026-11-23T00:00:00",
                    "12:00 pm|2026-11-23T12:00:00",
                    "12:45pm|2026-11-22T12:45:00",
                    "today|2026-11-22T00:00:00",
                    "TODAY|2026-11-22T00:00:00",
                    "tomorrow|2026-11-23T00:00:00",
                    "midnight|2026-11-23T00:00:00",
                    "noon|2026-11-23T12:00:00",
                    "elevenses|2026-11-23T11:00:00",
                    "fika|2026-11-22T15:00:00",
                    "teatime|2026-11-22T16:00:00",
                    "Teatime|2026-11-22T16:00:00",
                    "today noon|2026-11-22T12:00:00",
                    "tomorrow teatime|2026-11-23T16:00:00",
                    "tomorrow 08:15|2026-11-23T08:15:00",
                    "noon 12/24/26|2026-12-24T12:00:00",
                    "'  2026-12-25  '|2026-12-25T00:00:00",
                })
        void absoluteForms(String input, String expected) {
            assertThat(Durations.parseTimestamp(input, NOW)).isEqualTo(at(expected));
        }

        @ParameterizedTest(name = "\"{0}\" -> now + {1}s")
        @CsvSource(
                delimiter = '|',
                value = {
                    "now|0",
                    "NOW|0",
                    "now+0|0",
                    "now+60|60",
                    "now-60|-60",
                    "now+30s|30",
                    "now+30sec|30",
                    "now+1second|1",
                    "now+30seconds|30",
                    "now+5m|300",
                    "now+5min|300",
                    "now+1minute|60",
                    "now+10minutes|600",
                    "now+3h|10800",
                    "now+1hour|3600",
                    "now+2hours|7200",
                    "now+1d|86400",
                    "now+1day|86400",
                    "NOW+2DAYS|172800",
                    "now+1w|604800",
                    "now+1week|604800",
                    "now-2weeks|-1209600",
                    "now + 2 days|172800",
                    "'now +1 hour'|3600",
                })
        void relativeToNow(String input, long offset) {
            assertThat(Durations.parseTimestamp(input, NOW)).isEqualTo(nowSeconds() + offset);
        }

        @Test
        void unixTimestampsPassThrough() {
            assertThat(Durations.parseTimestamp("uts1700000000", NOW)).isEqualTo(1_700_000_000L);
            assertThatThrownBy(() -> Durations.parseTimestamp("uts12", NOW))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest(name = "past \"{0}\" -> {1}")
        @CsvSource(
                delimiter = '|',
                value = {
                    "10:00|2026-11-22T10:00:00",
                    "16:00|2026-11-22T16:00:00",
                    "01/15|2026-01-15T00:00:00",
                    "11/22|2026-11-22T00:00:00",
                    "12/25|2025-12-25T00:00:00",
                    "2026-12-25|2026-12-25T00:00:00",
                    "now-1day|2026-11-21T12:39:13",
                })
        void pastModeLooksBackLikeSacct(String input, String expected) {
            assertThat(Durations.parseTimestamp(input, NOW, true)).isEqualTo(at(expected));
        }

        @Test
        void datesAreReadInNowsZone() {
            ZonedDateTime utcNow = NOW.withZoneSameInstant(ZoneOffset.UTC);
            long newYork = Durations.parseTimestamp("2026-12-25T16:00", NOW);
            long utc = Durations.parseTimestamp("2026-12-25T16:00", utcNow);
            assertThat(newYork - utc).isEqualTo(5 * 3600);
            assertThat(utc).isEqualTo(LocalDateTime.parse("2026-12-25T16:00").toEpochSecond(ZoneOffset.UTC));
        }

        @Test
        void timeInADaylightSavingGapMovesForward() {
            // 02:30 does not exist in New York on 2026-03-08; the clock jumps from 02:00 to 03:00.
            long parsed = Durations.parseTimestamp("2026-03-08T02:30", NOW);
            assertThat(Durations.formatTimestamp(parsed, ZONE)).isEqualTo("2026-03-08T03:30:00");
        }

        @Test
        void tomorrowFollowsTheCalendarAcrossMonthAndYearEnds() {
            ZonedDateTime newYearsEve = ZonedDateTime.of(2026, 12, 31, 23, 0, 0, 0, ZONE);
            assertThat(Durations.parseTimestamp("tomorrow", newYearsEve)).isEqualTo(at("2027-01-01T00:00:00"));
            assertThat(Durations.parseTimestamp("22:00", newYearsEve)).isEqualTo(at("2027-01-01T22:00:00"));
            assertThat(Durations.parseTimestamp("01/01", newYearsEve)).isEqualTo(at("2027-01-01T00:00:00"));
        }

        @Test
        void leapDayWithoutYearNeedsALeapYear() {
            ZonedDateTime inLeapYear = ZonedDateTime.of(2028, 1, 10, 9, 0, 0, 0, ZONE);
            assertThat(Durations.parseTimestamp("02/29", inLeapYear)).isEqualTo(at("2028-02-29T00:00:00"));
            assertThatThrownBy(() -> Durations.parseTimestamp("02/29", NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("02/29");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "",
                    "   ",
                    "garbage",
                    "yesterday",
                    "2026-13-01",
                    "2026-00-10",
                    "2026-02-30",
                    "2025-02-29",
                    "2026-1-10",
                    "26-12-25",
                    "25:00",
                    "24:00",
                    "12:60",
                    "12:30:60",
                    "12:5",
                    "123:00",
                    "13:00pm",
                    "0:30am",
                    "pm",
                    "noon pm",
                    "4:00 pm pm",
                    "now+",
                    "now+x",
                    "now+5fortnights",
                    "now*5",
                    "now+-5",
                    "now++5",
                    "now 5",
                    "now+1.5h",
                    "tomorrow today",
                    "12:00 13:00",
                    "noon midnight",
                    "12/25 01/01",
                    "13/01",
                    "00/10",
                    "12/32",
                    "02/30/26",
                    "1/2/3/4",
                    "12345",
                    "1234567",
                    "-5",
                    "2026-12-25T",
                    "2026-12-25T25:00",
                    "12/25-",
                    "T12:00",
                    "now+99999999999999999999"
                })
        void rejectsMalformedInput(String input) {
            assertThatThrownBy(() -> Durations.parseTimestamp(input, NOW)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void timestampsThatCannotPrintAreRefused() {
            // Found by the fuzz target: accepted, then formatTimestamp threw for everyone listing the job.
            for (String input : new String[] {
                "Uts123456789012345678",
                "uts9223372036854775807",
                "now+99999999999weeks",
                "now-99999999999weeks",
                "uts253402387200"
            }) {
                assertThatThrownBy(() -> Durations.parseTimestamp(input, NOW))
                        .as(input)
                        .isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("outside the years 0000 to 9999");
            }
            assertThat(Durations.formatTimestamp(Durations.parseTimestamp("9999-12-31T23:59:59", NOW), ZONE))
                    .isEqualTo("9999-12-31T23:59:59");
            assertThat(Durations.formatTimestamp(Durations.parseTimestamp("0000-01-01", NOW), ZONE))
                    .isEqualTo("0000-01-01T00:00:00");
        }

        @Test
        void aLongTokenIsRefusedInLinearTime() {
            // Found by the fuzz target: every cut of a token was tried as date-T-time, copying the rest each time
            // (742 MiB allocated for one 150,000-character input).
            String token = "-1".repeat(30_000) + "x";
            long before = io.motley.core.Allocations.now();
            assertThatThrownBy(() -> Durations.parseTimestamp(token, NOW))
                    .isExactlyInstanceOf(IllegalArgumentException.class);
            assertThat(io.motley.core.Allocations.now() - before)
                    .as("bytes allocated")
                    .isLessThan(64L << 20);
        }

        @Test
        void characterThatLowerCasesToTwoDoesNotMakeParsingQuadratic() {
            // Found by the fuzz target: String.toLowerCase copies its whole result again for each U+0130, so 60,000 of
            // them allocated gigabytes before the input was refused.
            String dotted = "\u0130".repeat(60_000);
            long before = io.motley.core.Allocations.now();
            assertThatThrownBy(() -> Durations.parseTimestamp(dotted, NOW))
                    .isExactlyInstanceOf(IllegalArgumentException.class);
            assertThat(io.motley.core.Allocations.now() - before)
                    .as("bytes allocated")
                    .isLessThan(64L << 20);
            // Only ASCII letters fold: the Kelvin sign is not a 'k'.
            assertThatThrownBy(() -> Durations.parseTimestamp("now+1wee\u212as", NOW))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(Durations.parseTimestamp("NOW+1WEEKS", NOW)).isEqualTo(nowSeconds() + 604800);
        }

        @Test
        void errorNamesTheInput() {
            assertThatThrownBy(() -> Durations.parseTimestamp("next tuesday", NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'next tuesday'");
        }
    }

    @Nested
    class FormatTimestamp {

        @Test
        void printsIsoLocalTimeInTheGivenZone() {
            long epoch = LocalDateTime.parse("2026-11-22T12:39:13").toEpochSecond(ZoneOffset.UTC);
            assertThat(Durations.formatTimestamp(epoch, ZoneOffset.UTC)).isEqualTo("2026-11-22T12:39:13");
            assertThat(Durations.formatTimestamp(epoch, ZoneId.of("America/New_York")))
                    .isEqualTo("2026-11-22T07:39:13");
            assertThat(Durations.formatTimestamp(0, ZoneOffset.UTC)).isEqualTo("1970-01-01T00:00:00");
        }

        @Test
        void keepsSecondsWhenTheyAreZero() {
            long epoch = LocalDateTime.parse("2026-01-01T00:00").toEpochSecond(ZoneOffset.UTC);
            assertThat(Durations.formatTimestamp(epoch, ZoneOffset.UTC)).isEqualTo("2026-01-01T00:00:00");
        }

        @Test
        void formattedTimestampsParseBack() {
            ZoneId zone = ZoneId.of("Europe/Berlin");
            ZonedDateTime now = ZonedDateTime.of(2026, 6, 1, 8, 0, 0, 0, zone);
            Random random = new Random(42);
            for (int i = 0; i < 1000; i++) {
                long epoch = 1_600_000_000L + random.nextInt(400_000_000);
                String text = Durations.formatTimestamp(epoch, zone);
                long parsed = Durations.parseTimestamp(text, now);
                // In the autumn overlap hour a local time names two instants; the earlier is chosen.
                assertThat(parsed).isIn(epoch, epoch - 3600);
                assertThat(Durations.formatTimestamp(parsed, zone)).isEqualTo(text);
            }
        }
    }
}
