package io.motley.protocol.dataparser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {
    @Test
    void readsEveryKindOfValue() {
        assertThat(JsonReader.read("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
        Object v = JsonReader.read(
                " {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"s\": \"x\\n\\u00e9\\\"\\/\", \"o\": {}} ");
        assertThat(v)
                .isEqualTo(Map.of(
                        "a",
                        java.util.Arrays.asList(1L, -2L, 3.5, 1000.0, true, false, null),
                        "s",
                        "x\né\"/",
                        "o",
                        Map.of()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"a\":1,}",
                "[1,]",
                "{\"a\" 1}",
                "{\"a\":1}x",
                "01",
                "-",
                "1.",
                "\"\\x\"",
                "\"a\nb\"",
                "tru",
                "{\"a\":1,\"a\":2}",
                "{1:2}",
                "[1 2]",
                "\"\\u12\"",
                "nul",
                "+1",
                "\"\\ud800\"",
                "\"\\udc00\"",
                "\"\\ud800\\u0041\"",
                "\"\\u+123\""
            })
    void refusesWhatIsNotStrictJson(String text) {
        assertThatThrownBy(() -> JsonReader.read(text))
                .isInstanceOf(JsonReader.JsonException.class)
                .hasMessageContaining("at offset");
    }

    @Test
    void refusesNestingPastTheBound() {
        String deep = "[".repeat(JsonReader.MAX_DEPTH + 2) + "]".repeat(JsonReader.MAX_DEPTH + 2);
        assertThatThrownBy(() -> JsonReader.read(deep)).hasMessageContaining("nested deeper");
        String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        assertThat(JsonReader.read(ok)).isInstanceOf(List.class);
    }

    /** Whatever the writer writes, the reader reads back equal (seeded; the seed is in the failure). */
    @Test
    void readsBackWhatTheWriterWrites() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        for (int i = 0; i < 300; i++) {
            Object v = random(rnd, 0);
            assertThat(JsonReader.read(Json.write(v))).as("seed %d", seed).isEqualTo(v);
        }
    }

    private static Object random(Random rnd, int depth) {
        int kind = rnd.nextInt(depth > 3 ? 4 : 6);
        return switch (kind) {
            case 0 -> rnd.nextLong();
            case 1 -> rnd.nextBoolean();
            case 2 -> {
                StringBuilder sb = new StringBuilder();
                for (int i = rnd.nextInt(8); i > 0; i--) sb.append((char) rnd.nextInt(0x3000));
                yield sb.toString();
            }
            case 3 -> "plain";
            case 4 -> {
                List<Object> l = new java.util.ArrayList<>();
                for (int i = rnd.nextInt(4); i > 0; i--) l.add(random(rnd, depth + 1));
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = rnd.nextInt(4); i > 0; i--) m.put("k" + rnd.nextInt(100), random(rnd, depth + 1));
                yield m;
            }
        };
    }
}
