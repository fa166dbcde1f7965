package io.motley.agent.link;

import java.util.function.DoubleSupplier;

/**
 * The agent's delays between attempts to reach the controller: doubling from a first delay up to a
 * cap, each drawn at random from the upper half of that step ("equal jitter"), so that agents which
 * lost the same controller do not all come back at the same instant, yet none waits longer than the
 * step itself. {@link #reset} starts again from the first delay once the agent is registered.
 */
final class Backoff {
    private final long firstMs;
    private final long capMs;
    private final DoubleSupplier random;
    private long stepMs;

    /** {@code random} yields values in [0, 1), as {@link java.util.Random#nextDouble} does. */
    Backoff(long firstMs, long capMs, DoubleSupplier random) {
        if (firstMs < 1 || capMs < firstMs) throw new IllegalArgumentException("need 1 <= first <= cap");
        this.firstMs = firstMs;
        this.capMs = capMs;
        this.random = random;
        this.stepMs = firstMs;
    }

    /** The delay before the next attempt, in milliseconds; each call moves one step further. */
    long next() {
        long step = stepMs;
        stepMs = Math.min(capMs, stepMs * 2);
        long half = step / 2;
        double r = Math.min(Math.max(random.getAsDouble(), 0), 1);
        return Math.min(step, half + (long) (r * (step - half + 1)));
    }

    /** Back to the first delay (the agent registered, so the next loss is a new one). */
    void reset() {
        stepMs = firstMs;
    }
}
