package io.motley.protocol;

/**
 * A frame that is no valid message: an unknown op, a missing part, a field that is no number. The
 * message names the field and quotes (bounded, escaped) the bad value, so it can be logged and
 * sent back to the client as it is.
 */
public final class MalformedMessage extends IllegalArgumentException {
    public MalformedMessage(String message) {
        super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a client's mistake, not a failure to trace
    }
}
