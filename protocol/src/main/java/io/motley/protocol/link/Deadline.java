package io.motley.protocol.link;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not finished a step (its handshake, its next request) in time. A
 * read timeout alone would not do: it restarts with every byte, so a peer sending one byte every
 * few seconds could hold a connection for hours.
 */
public final class Deadline implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor TIMER = timer();
    private final ScheduledFuture<?> task;
    private volatile boolean expired;

    private Deadline(Duration after, Closeable connection) {
        task = TIMER.schedule(
                () -> {
                    expired = true;
                    try {
                        connection.close();
                    } catch (IOException ignored) {
                        // the connection is being given up; a failed close leaves nothing more to do
                    }
                },
                after.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** Closes {@code connection} after {@code after} unless this deadline is closed first. */
    public static Deadline closeAfter(Duration after, Closeable connection) {
        return new Deadline(after, connection);
    }

    /** Whether the time ran out (and the connection was closed by this deadline). */
    public boolean expired() {
        return expired;
    }

    /** The step finished: the connection stays open. */
    @Override
    public void close() {
        task.cancel(false);
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "deadlines");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
