package io.motley.agent.clock;

import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's wall clock: what it stamps on heartbeats (for the controller's skew check), job
 * ends and the spool. It is the host's clock, moved by {@value #OFFSET_PROPERTY} seconds when
 * that system property is set. That offset exists for tests only: namespaces share the kernel's
 * clock, so a test bed cannot give one host a wrong clock, and the property stands in for it.
 * Durations (time limits, timeouts) never come from here but from a monotonic clock.
 */
public final class WallClock {
    private static final Logger log = LoggerFactory.getLogger(WallClock.class);

    /** The system property (seconds, may be negative) that moves this agent's clock; tests only. */
    public static final String OFFSET_PROPERTY = "motley.test.clockOffsetSeconds";

    private static final long OFFSET_MS = offsetMillis(System.getProperties());

    private WallClock() {}

    static {
        if (OFFSET_MS != 0) {
            log.warn(
                    "this agent's clock is moved by {} s ({} is set: a test's simulated clock skew)",
                    OFFSET_MS / 1000,
                    OFFSET_PROPERTY);
        }
    }

    /** Epoch milliseconds as this agent sees them. */
    public static long millis() {
        return System.currentTimeMillis() + OFFSET_MS;
    }

    /** Epoch seconds as this agent sees them. */
    public static long seconds() {
        return Math.floorDiv(millis(), 1000);
    }

    /** The offset the properties ask for, in ms; 0 when unset. A value that is no whole number is an error. */
    static long offsetMillis(Properties p) {
        String v = p.getProperty(OFFSET_PROPERTY);
        if (v == null || v.isBlank()) return 0;
        try {
            return Math.multiplyExact(Long.parseLong(v.strip()), 1000L);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    OFFSET_PROPERTY + " must be a whole number of seconds, got '" + v + "'", e);
        }
    }
}
