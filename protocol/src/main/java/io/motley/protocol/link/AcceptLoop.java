package io.motley.protocol.link;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A server's accept loop. A failed accept (out of descriptors, most often) is retried after a pause
 * of 10 ms doubling to 1 s, back to 10 ms after the next success, and reported once per interval
 * with a count: never a tight loop that burns a core and fills the disk with the same line.
 */
public final class AcceptLoop<C> {
    static final long FIRST_PAUSE_MS = 10;
    static final long LAST_PAUSE_MS = 1000;

    /** Where connections come from: a server socket, or a stand-in in tests. */
    public interface Source<C> {
        C accept() throws IOException;

        boolean isOpen();
    }

    /**
     * Says that accepts are failing (how many failures since the last report, the last error), or
     * that they work again (the failures not yet reported, and null).
     */
    public interface Reporter {
        void report(long failures, IOException last);
    }

    /** Waits between failed accepts; a stand-in in tests records the pauses instead. */
    public interface Pause {
        void pause(long millis) throws InterruptedException;
    }

    private final Source<C> source;
    private final Consumer<C> handler;
    private final Reporter reporter;
    private final ReportThrottle throttle;
    private final Pause pause;

    public AcceptLoop(Source<C> source, Consumer<C> handler, Reporter reporter) {
        this(source, handler, reporter, new ReportThrottle(Duration.ofSeconds(10)), Thread::sleep);
    }

    public AcceptLoop(Source<C> source, Consumer<C> handler, Reporter reporter, ReportThrottle throttle, Pause pause) {
        this.source = source;
        this.handler = handler;
        this.reporter = reporter;
        this.throttle = throttle;
        this.pause = pause;
    }

    /** Accepts until the source closes (or the thread is interrupted), handing each connection to the handler. */
    public void run() {
        long next = FIRST_PAUSE_MS;
        boolean failing = false;
        while (source.isOpen() && !Thread.currentThread().isInterrupted()) {
            C c;
            try {
                c = source.accept();
            } catch (IOException e) {
                if (!source.isOpen()) return;
                failing = true;
                long n = throttle.event();
                if (n > 0) reporter.report(n, e);
                try {
                    pause.pause(next);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                next = Math.min(LAST_PAUSE_MS, next * 2);
                continue;
            }
            if (failing) {
                failing = false;
                next = FIRST_PAUSE_MS;
                long n = throttle.flush();
                if (n > 0) reporter.report(n, null);
            }
            handler.accept(c);
        }
    }
}
