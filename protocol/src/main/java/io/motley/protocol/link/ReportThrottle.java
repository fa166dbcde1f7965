package io.motley.protocol.link;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets one report of a recurring event through per interval and counts the others, so that a
 * flood (refused connections, failed accepts) writes a line per interval with a count, never a
 * line per event.
 */
public final class ReportThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long held;
    private long lastReport;
    private boolean reported;

    public ReportThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    public ReportThrottle(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Counts one event. When a report is due, returns how many events it covers (this one and
     * those held back since the last report); otherwise 0, and the caller stays quiet.
     */
    public synchronized long event() {
        held++;
        long now = nanoClock.getAsLong();
        if (reported && now - lastReport < intervalNanos) return 0;
        reported = true;
        lastReport = now;
        long n = held;
        held = 0;
        return n;
    }

    /**
     * The events held back since the last report when the interval has passed (they are then
     * reported), else 0: for a "works again" line that is itself never written more than once an interval.
     */
    public synchronized long flush() {
        long now = nanoClock.getAsLong();
        if (held == 0 || now - lastReport < intervalNanos) return 0;
        lastReport = now;
        long n = held;
        held = 0;
        return n;
    }
}
