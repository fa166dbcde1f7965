package io.motley.controller.store;

/** A failure of the job database, with a message an operator can act on. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
