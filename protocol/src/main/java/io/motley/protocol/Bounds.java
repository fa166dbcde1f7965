package io.motley.protocol;

import java.io.IOException;

/**
 * How much one frame may hold: its size in bytes and how deep its children nest. A reader checks
 * the size before it buffers anything and the depth as it descends, so a peer can neither make a
 * daemon allocate without bound nor overflow its stack.
 */
public record Bounds(int maxBytes, int maxDepth) {
    /** Our frames nest a few levels (a job list, a job, its environment); sixteen leaves room. */
    public static final int DEPTH = 16;

    /** What a peer may send before it has authenticated: the handshake's few short fields. */
    public static final Bounds HANDSHAKE = new Bounds(4 * 1024, DEPTH);

    /** Answers from an authenticated controller and records we stored ourselves: squeue over many jobs is large. */
    public static final Bounds ANSWERS = new Bounds(256 * 1024 * 1024, DEPTH);

    /**
     * Room in a request beside its script: the exported environment, the argument vector, the other
     * fields, and a --stage-in archive (at most 4 MiB, 5.4 MiB as base64: Staging.MAX_IN_BYTES; a
     * larger one travels after the submission in chunks of Staging.CHUNK_BYTES).
     */
    public static final long REQUEST_HEADROOM = 16L * 1024 * 1024;

    public Bounds {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1");
        if (maxDepth < 1) throw new IllegalArgumentException("maxDepth must be at least 1");
    }

    /** Requests into the controller and the agent's socket: the largest batch script (max_script_size) plus headroom. */
    public static Bounds requests(long maxScriptBytes) {
        return new Bounds((int) Math.min(ANSWERS.maxBytes(), maxScriptBytes + REQUEST_HEADROOM), DEPTH);
    }

    /** Refuses a frame of {@code length} bytes (as read from the wire: unsigned) when it is over the limit. */
    public void checkLength(int length) throws Exceeded {
        long n = Integer.toUnsignedLong(length);
        if (n > maxBytes) throw new Exceeded("frame of " + n + " bytes is over the limit of " + maxBytes + " bytes");
    }

    /** Refuses a frame whose children reach {@code depth} levels (the frame itself is level 1). */
    void checkDepth(int depth) throws Exceeded {
        if (depth > maxDepth) {
            throw new Exceeded(
                    "frame nested more than " + maxDepth + " levels deep is over the limit of " + maxDepth + " levels");
        }
    }

    /** A frame broke a bound: the message names the bound, for the one error frame and log line the peer earns. */
    public static final class Exceeded extends IOException {
        public Exceeded(String message) {
            super(message);
        }
    }
}
