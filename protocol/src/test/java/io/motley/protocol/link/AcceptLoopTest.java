package io.motley.protocol.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AcceptLoopTest {
    /** Accepts that fail (as with EMFILE) or succeed as scripted; past the script the source is closed. */
    private static final class Script implements AcceptLoop.Source<String> {
        private final List<Boolean> outcomes = new ArrayList<>();
        private int i;
        private boolean closed;

        Script fail(int n) {
            for (int k = 0; k < n; k++) outcomes.add(false);
            return this;
        }

        Script succeed() {
            outcomes.add(true);
            return this;
        }

        @Override
        public String accept() throws IOException {
            if (i == outcomes.size()) {
                closed = true;
                throw new IOException("closed");
            }
            if (!outcomes.get(i++)) throw new IOException("Too many open files");
            return "conn" + i;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }
    }

    @Test
    void failedAcceptsBackOffFromTenMillisecondsDoublingToOneSecondAndResetAfterASuccess() {
        AtomicLong clock = new AtomicLong();
        List<Long> pauses = new ArrayList<>();
        List<String> handled = new ArrayList<>();
        Script source = new Script().fail(10).succeed().fail(2);
        new AcceptLoop<>(
                        source,
                        handled::add,
                        (n, e) -> {},
                        new ReportThrottle(Duration.ofSeconds(10), clock::get),
                        ms -> {
                            pauses.add(ms);
                            clock.addAndGet(ms * 1_000_000);
                        })
                .run();
        assertThat(pauses).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L, 1000L, 10L, 20L);
        assertThat(handled).containsExactly("conn11");
    }

    @Test
    void aFloodOfFailuresIsReportedOncePerIntervalWithACount() {
        AtomicLong clock = new AtomicLong();
        List<String> reports = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        ReportThrottle throttle = new ReportThrottle(Duration.ofSeconds(10), clock::get);
        Script source = new Script().fail(40).succeed();
        new AcceptLoop<>(
                        source,
                        c -> {},
                        (n, e) -> {
                            reports.add(n + " " + (e == null ? "recovered" : e.getMessage()));
                            times.add(clock.get());
                        },
                        throttle,
                        ms -> clock.addAndGet(ms * 1_000_000))
                .run();
        // 40 failures over 34 s of pauses: the first at once, then one line per 10 s with the count since the last
        assertThat(reports).hasSizeBetween(3, 5);
        assertThat(reports.get(0)).isEqualTo("1 Too many open files");
        for (int k = 1; k < times.size(); k++)
            assertThat(times.get(k) - times.get(k - 1)).isGreaterThanOrEqualTo(10_000_000_000L);
        long reported =
                reports.stream().mapToLong(r -> Long.parseLong(r.split(" ")[0])).sum();
        // none lost: those held back since the last line are told in the next one
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(reported + throttle.flush()).isEqualTo(40);
    }

    @Test
    void theThrottleLetsTheFirstEventThroughThenOnePerInterval() {
        AtomicLong clock = new AtomicLong();
        ReportThrottle t = new ReportThrottle(Duration.ofSeconds(10), clock::get);
        assertThat(t.event()).isEqualTo(1);
        assertThat(t.event()).isZero();
        assertThat(t.event()).isZero();
        assertThat(t.flush()).isZero();
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(t.event()).isEqualTo(3);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(t.event()).isZero();
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(t.flush()).isEqualTo(1);
        assertThat(t.flush()).isZero();
    }
}
