package io.motley.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.bench.fuzz.Report.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The fuzzer itself: it tells refusals from crashes, shrinks what it finds, and catches slow, greedy and hung calls. */
class FuzzerTest {

    /** A made-up parser: refuses 'x', crashes on "boom", and spins, allocates or blocks on its other trigger words. */
    static Target<String> toy(List<String> words) {
        Corpus<String> corpus = new Corpus<>(
                List.of("hello", "a b c"),
                rnd -> Mutations.randomText(rnd, words, 3),
                (s, rnd, c) -> Mutations.text(s, rnd, words, List.of(), c),
                String::length);
        return new Target<>(
                "toy",
                "refuses with IllegalArgumentException",
                Shape.TEXT,
                corpus,
                s -> {
                    if (s.contains("x")) throw new IllegalArgumentException("no x here");
                    if (s.contains("boom")) throw new NullPointerException("boom");
                    if (s.contains("spin")) spin(Duration.ofMillis(300));
                    if (s.contains("big")) consume(new byte[64 << 20]);
                    if (s.contains("hang")) new CountDownLatch(1).await();
                    return () -> {
                        PropertyViolation.check(!s.contains("odd"), "no odd results");
                        if (s.contains("kaput"))
                            throw new IllegalArgumentException("a check that throws is a crash, even this");
                    };
                },
                Target.refusedWith(IllegalArgumentException.class),
                List.of());
    }

    static Fuzzer.Settings settings(long inputs, boolean stopAtFirstCrash) {
        return new Fuzzer.Settings(
                1, inputs, null, Duration.ofMillis(100), 16L << 20, Duration.ofSeconds(2), stopAtFirstCrash);
    }

    @Test
    void refusalsAreNotCrashesButOtherExceptionsAreAndTheirInputIsShrunk() {
        Report r = Fuzzer.run(toy(List.of("x", "boom", " ", "y")), settings(3000, false));
        assertThat(r.tried()).isEqualTo(3000);
        assertThat(r.refused()).isPositive();
        assertThat(r.accepted()).isPositive();
        assertThat(r.crashes()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.EXCEPTION);
            assertThat(f.signature()).startsWith("java.lang.NullPointerException");
            assertThat(f.input()).isEqualTo("\"boom\"");
            assertThat(f.count()).isGreaterThan(1);
        });
    }

    @Test
    void aWrongResultIsACrash() {
        Report r = Fuzzer.run(toy(List.of("odd", "q")), settings(1000, true));
        assertThat(r.crashes()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.PROPERTY);
            assertThat(f.signature()).isEqualTo("property \"no odd results\"");
            assertThat(f.input()).isEqualTo("\"odd\"");
        });
    }

    @Test
    void anythingACheckThrowsIsACrash() {
        Report r = Fuzzer.run(toy(List.of("kaput", "q")), settings(1000, true));
        assertThat(r.crashes()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.EXCEPTION);
            assertThat(f.signature()).startsWith("java.lang.IllegalArgumentException");
            assertThat(f.input()).isEqualTo("\"kaput\"");
        });
    }

    @Test
    void slowCallsAndLargeAllocationsAreCrashes() {
        assertThat(Fuzzer.run(toy(List.of("spin", "q")), settings(1000, true)).crashes())
                .extracting(Report.Finding::kind)
                .containsExactly(Kind.SLOW);
        // zeroing 64 MiB can itself pass 100 ms of CPU on a busy machine: the slow limit is set out of its way
        Fuzzer.Settings roomy =
                new Fuzzer.Settings(1, 1000, null, Duration.ofSeconds(30), 16L << 20, Duration.ofSeconds(60), true);
        assertThat(Fuzzer.run(toy(List.of("big", "q")), roomy).crashes())
                .extracting(Report.Finding::kind)
                .containsExactly(Kind.ALLOCATION);
    }

    @Test
    void aCallThatNeverReturnsIsReportedAsAHang() {
        Report r = Fuzzer.run(toy(List.of("hang", "q")), settings(1000, true));
        assertThat(r.hung()).isTrue();
        assertThat(r.crashes()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.HANG);
            assertThat(f.input()).contains("hang");
        });
    }

    @Test
    void theSameSeedTriesTheSameInputs() {
        Report a = Fuzzer.run(toy(List.of("x", "y", "z")), settings(2000, false));
        Report b = Fuzzer.run(toy(List.of("x", "y", "z")), settings(2000, false));
        assertThat(List.of(b.accepted(), b.refused())).isEqualTo(List.of(a.accepted(), a.refused()));
        Report other = Fuzzer.run(
                toy(List.of("x", "y", "z")),
                new Fuzzer.Settings(2, 2000, null, Duration.ofMillis(100), 16L << 20, Duration.ofSeconds(2), false));
        assertThat(List.of(other.accepted(), other.refused())).isNotEqualTo(List.of(a.accepted(), a.refused()));
    }

    /** Uses {@code cpu} of CPU time (not wall time: on a busy machine the thread may get only part of a core). */
    private static void spin(Duration cpu) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + cpu.toNanos();
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < until) x += x * 31 + 1;
        consume(x);
    }

    private static volatile Object sink;

    private static void consume(Object o) {
        sink = o;
    }
}
