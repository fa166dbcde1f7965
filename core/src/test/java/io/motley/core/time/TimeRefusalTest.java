package io.motley.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The positions worked out by hand from Slurm 22.05's parse_time for each text. */
class TimeRefusalTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "bogus|0",
                "someday|0",
                // 'T' is skipped as a separator before the words are tried, so "Today" fails at its 'o'
                "Today|1",
                "now+|3",
                "now+5x|4",
                "now+1hourx|9",
                "now x|4",
                "noon tomorrow 25:00|14",
                "12:61|3",
                "12:30:7|7",
                "13pm:00|0",
                "2026-13-01|5",
                "2026-12-0x|7",
                "13/01|0",
                "12/1x|4",
                "tomorrow 10am|11",
                "uts12|0",
            })
    void namesWhereSlurmsParserStops(String text, int pos) {
        assertThat(TimeRefusal.position(text)).isEqualTo(pos);
        assertThat(TimeRefusal.line(text)).isEqualTo("Invalid time specification (pos=" + pos + "): " + text);
    }
}
