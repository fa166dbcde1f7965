package io.motley.bench.fuzz;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.motley.protocol.FrameIO;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fuzz target on a bounded number of inputs from a fixed seed, so the suite tries the same inputs each run
 * (bench/fuzz tries many more, from other seeds). A failure prints the seed and the input. Options:
 * {@code -Dfuzz.seed=N} another seed; {@code -Dfuzz.inputs=N} N inputs per target; {@code -Dfuzz.seconds=N} N seconds
 * per target, counting every distinct crash; {@code -Dfuzz.target=NAME} one target only.
 */
class FuzzTest {
    static final long SEED = Long.getLong("fuzz.seed", 20261122L);

    // About a second per target on a busy 2-core machine, so that the whole class stays under 20 s.
    static final Map<String, Integer> INPUTS = Map.ofEntries(
            entry("frame", 15_000),
            entry("sbatch", 30_000),
            entry("hostlist-expand", 1_500),
            entry("hostlist-compress", 10_000),
            entry("time-limit", 30_000),
            entry("timestamp", 15_000),
            entry("memory-size", 30_000),
            entry("array", 2_000),
            entry("dependency", 8_000),
            entry("constraint", 15_000),
            entry("output-pattern", 15_000),
            entry("config", 6_000));

    static Stream<String> targets() {
        String only = System.getProperty("fuzz.target", "");
        return Targets.all().stream().map(Target::name).filter(n -> only.isEmpty() || n.equals(only));
    }

    @Test
    void everyTargetHasASuiteBudget() {
        assertThat(INPUTS.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        Targets.all().stream().map(Target::name).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void survivesItsInputs(String name) {
        long seconds = Long.getLong("fuzz.seconds", 0);
        Fuzzer.Settings settings = seconds > 0
                ? Fuzzer.Settings.time(SEED, Duration.ofSeconds(seconds))
                : Fuzzer.Settings.inputs(SEED, Long.getLong("fuzz.inputs", INPUTS.get(name)));
        Report report = Fuzzer.run(Targets.named(name), settings);
        System.out.print(report.describe(300));
        assertThat(report.crashes())
                .as("%s  replay: -Dfuzz.seed=%d -Dfuzz.target=%s", report.describe(4000), SEED, name)
                .isEmpty();
        // Inputs that only ever bounce off the first check would test nothing behind it.
        assertThat(report.accepted()).as("inputs accepted").isGreaterThan(report.tried() / 20);
    }

    /** A frame nested 200,000 levels deep once overflowed the reader's stack; the reader now stops at its depth bound. */
    @Test
    void deepFramesAreRefused() {
        assertThat(catchThrowable(() -> FrameIO.fromBytes(Targets.nestedFrame(200_000))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("levels");
    }
}
