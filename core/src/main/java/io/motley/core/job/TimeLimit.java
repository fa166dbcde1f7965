package io.motley.core.job;

/** A job's time limit: not given (the partition's default applies), unlimited, or a number of seconds. */
public sealed interface TimeLimit {
    /** The user gave none: the partition's DefaultTime, else its MaxTime, applies. */
    record Unset() implements TimeLimit {}

    /** No limit (sbatch -t UNLIMITED, or a partition without MaxTime). */
    record Unlimited() implements TimeLimit {}

    /** At most this many seconds. */
    record Seconds(long seconds) implements TimeLimit {
        public Seconds {
            if (seconds < 0) throw new IllegalArgumentException("a time limit cannot be negative: " + seconds);
        }
    }

    TimeLimit UNSET = new Unset();
    TimeLimit UNLIMITED = new Unlimited();

    /**
     * From the number the wire and older code carry: {@link JobRequest#UNSET} (-2) for not given,
     * -1 for unlimited, else seconds.
     */
    static TimeLimit of(long legacy) {
        if (legacy == JobRequest.UNSET) return UNSET;
        if (legacy < 0) return UNLIMITED;
        return new Seconds(legacy);
    }

    /** The number the wire and older code carry: -2 not given, -1 unlimited, else seconds. */
    default long legacySeconds() {
        // instanceof rather than a pattern switch: this runs in every command, where a type switch's bootstrap costs
        // milliseconds of start-up
        if (this instanceof Seconds s) return s.seconds();
        return this instanceof Unset ? JobRequest.UNSET : -1;
    }
}
