package io.motley.core.job;

import io.motley.core.time.Durations;

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
     * A limit of {@code seconds}, or unlimited for {@link Durations#UNLIMITED} (what {@link
     * Durations#parseTimeLimit} and the partitions' DefaultTime and MaxTime give for none). Any
     * other negative number is refused, so that a stray "not given" marker cannot pass for a limit.
     */
    static TimeLimit of(long seconds) {
        if (seconds == Durations.UNLIMITED) return UNLIMITED;
        return new Seconds(seconds);
    }

    /** Whether the user gave a limit (an unlimited one counts). */
    default boolean given() {
        return !(this instanceof Unset);
    }

    /** The limit in seconds, or {@code otherwise} when there is none (unlimited or not given). */
    default long secondsOr(long otherwise) {
        // instanceof rather than a pattern switch: this runs in every command, where a type switch's bootstrap costs
        // milliseconds of start-up
        return this instanceof Seconds s ? s.seconds() : otherwise;
    }

    /** When a job started at {@code start} under this limit must end, or {@code otherwise} without a positive limit. */
    default long endFrom(long start, long otherwise) {
        return this instanceof Seconds s && s.seconds() > 0 ? start + s.seconds() : otherwise;
    }
}
