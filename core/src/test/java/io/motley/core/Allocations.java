package io.motley.core;

import java.lang.management.ManagementFactory;

/** Bytes the current thread has allocated so far, for tests that hold a parser to linear cost on hostile input. */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {}

    public static long now() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
