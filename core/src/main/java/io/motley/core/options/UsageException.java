package io.motley.core.options;

/** Bad command-line input: the message is printed after "command: " and the command exits with {@code exitCode}. */
public final class UsageException extends RuntimeException {
    private final int exitCode;
    private final boolean tryHelp;

    public UsageException(String message, int exitCode, boolean tryHelp) {
        super(message);
        this.exitCode = exitCode;
        this.tryHelp = tryHelp;
    }

    public int exitCode() {
        return exitCode;
    }

    /** Whether getopt's "Try ... --help" line follows, as it does for unknown options. */
    public boolean tryHelp() {
        return tryHelp;
    }
}
