package io.motley.bench.fuzz;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * One parser under fuzzing: where its inputs come from, how it is called, and its contract, that is
 * which exception means "bad input, refused with a message". Anything else the call throws, a wrong
 * result ({@link PropertyViolation}), a call that runs too long or allocates too much, is a crash.
 *
 * @param name short name used in reports and with {@code -Dfuzz.target=}
 * @param contract one line saying what a clean refusal is
 * @param shape how inputs are measured, shrunk and printed
 * @param inputs where the next input comes from (mutated seeds and fresh ones)
 * @param call the parser, returning the checks of what it accepted
 * @param refusal which throwables are clean refusals
 * @param known crash classes already found and being fixed elsewhere: counted and reported, not failed
 * @param allocationBudget bytes one call may allocate when the parser's own bounds allow more than the fuzzer's default
 *     (0: the default)
 */
public record Target<I>(
        String name,
        String contract,
        Shape<I> shape,
        Inputs<I> inputs,
        Call<I> call,
        Predicate<Throwable> refusal,
        List<Known> known,
        long allocationBudget) {

    public Target {
        known = List.copyOf(known);
    }

    public Target(
            String name,
            String contract,
            Shape<I> shape,
            Inputs<I> inputs,
            Call<I> call,
            Predicate<Throwable> refusal,
            List<Known> known) {
        this(name, contract, shape, inputs, call, refusal, known, 0);
    }

    /** The same target with no crash class excused. */
    public Target<I> withoutKnown() {
        return new Target<>(name, contract, shape, inputs, call, refusal, List.of(), allocationBudget);
    }

    /** The same target allowed {@code bytes} per call. */
    public Target<I> allowing(long bytes) {
        return new Target<>(name, contract, shape, inputs, call, refusal, known, bytes);
    }

    /**
     * Calls the parser on one input and returns the checks of its result (null: none). Only the parser's call counts
     * towards the CPU and allocation limits; a check may call other parsers (a round trip) at its own cost, and anything
     * a check throws is a crash, since the input was accepted.
     */
    @FunctionalInterface
    public interface Call<I> {
        Check run(I input) throws Exception;
    }

    /** The properties an accepted input's result must have; throws {@link PropertyViolation} when one does not hold. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /** A source of inputs; told which ones the parser accepted, so it can mutate valid inputs further. */
    public interface Inputs<I> {
        I next(Random rnd);

        default void accepted(I input, Random rnd) {}
    }

    /** A crash class that is known and fixed elsewhere. */
    public record Known(String why, Predicate<Throwable> matches) {}

    /** Refused exactly with {@code type} (not a subclass such as NumberFormatException) and a message. */
    public static Predicate<Throwable> refusedWith(Class<? extends Throwable> type) {
        return t -> t.getClass() == type
                && t.getMessage() != null
                && !t.getMessage().isBlank();
    }

    /** Refused with {@code type} or any subclass of it (IOException and EOFException for a reader). */
    public static Predicate<Throwable> refusedWithAny(Class<? extends Throwable> type) {
        return type::isInstance;
    }

    /** The parser promises never to refuse: every non-null input gives a result. */
    public static Predicate<Throwable> neverRefuses() {
        return t -> false;
    }
}
