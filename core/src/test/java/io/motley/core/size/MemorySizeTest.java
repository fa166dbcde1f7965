package io.motley.core.size;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {

    @ParameterizedTest(name = "\"{0}\" -> {1} MiB")
    @CsvSource(
            delimiter = '|',
            value = {
                "0|0",
                "0G|0",
                "1|1",
                "1000|1000",
                "1000M|1000",
                "1000m|1000",
                "4G|4096",
                "4g|4096",
                "100G|102400",
                "1T|1048576",
                "2t|2097152",
                "1024K|1",
                "2048k|2",
                "1K|1",
                "1025K|2",
                "0K|0",
                "'  16G  '|16384",
                "8796093022207|8796093022207",
                "8796093022207T|9223372036853727232",
            })
    void parsesSlurmMemorySpecifications(String input, long mib) {
        assertThat(MemorySize.parseMebibytes(input)).isEqualTo(mib);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "abc",
                "-1",
                "-1G",
                "+5",
                "1.5G",
                "1,5G",
                "10X",
                "10GB",
                "10MiB",
                "G",
                "M",
                "1 G",
                "0x10",
                "٣G",
                "8796093022208T",
                "99999999999999999999",
                "9007199254740992G"
            })
    void rejectsMalformedInput(String input) {
        assertThatThrownBy(() -> MemorySize.parseMebibytes(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + input + "'");
    }

    @Test
    void errorMessageShowsTheExpectedForm() {
        assertThatThrownBy(() -> MemorySize.parseMebibytes("lots"))
                .hasMessage("'lots' is not a memory size; use a whole number with an optional K, M, G or T suffix,"
                        + " e.g. 4000M or 16G");
    }

    @ParameterizedTest(name = "{0} MiB -> {1}")
    @CsvSource({
        "0, 0",
        "1, 1M",
        "1000, 1000M",
        "1536, 1536M",
        "24105, 24105M",
        "1024, 1G",
        "102400, 100G",
        "1047552, 1023G",
        "1048576, 1T",
        "1049600, 1025G",
        "3145728, 3T",
        "1048577, 1048577M",
    })
    void formatsInTheLargestExactUnit(long mib, String text) {
        assertThat(MemorySize.format(mib)).isEqualTo(text);
    }

    @Test
    void negativeSizesCannotBeFormatted() {
        assertThatThrownBy(() -> MemorySize.format(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void formattedSizesParseBack() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            long mib = switch (i % 3) {
                case 0 -> random.nextInt(1 << 20);
                case 1 -> 1024L * random.nextInt(1 << 16);
                default -> 1024L * 1024 * random.nextInt(1 << 10);
            };
            assertThat(MemorySize.parseMebibytes(MemorySize.format(mib))).isEqualTo(mib);
        }
    }
}
