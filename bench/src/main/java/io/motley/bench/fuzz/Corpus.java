package io.motley.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Inputs from valid seeds: most are mutations of a seed or of an input the parser accepted earlier
 * (so mutations reach past the first check into deeper structure), some are made fresh by a
 * generator. Accepted inputs are kept up to a bound, replacing older ones at random.
 */
final class Corpus<I> implements Target.Inputs<I> {
    private static final int KEPT = 2000;
    // Accepted inputs longer than this are not kept: mutating them again would make every input huge.
    private static final int KEEP_SIZE = 4096;

    private final List<I> entries;
    private final int seeds;
    private final Function<Random, I> fresh;
    private final Mutator<I> mutator;
    private final ToIntFunction<I> size;

    /** Mutates one input, drawing on the corpus for splicing. */
    @FunctionalInterface
    interface Mutator<I> {
        I mutate(I input, Random rnd, Corpus<I> corpus);
    }

    Corpus(List<I> seeds, Function<Random, I> fresh, Mutator<I> mutator, ToIntFunction<I> size) {
        this.entries = new ArrayList<>(seeds);
        this.seeds = seeds.size();
        this.fresh = fresh;
        this.mutator = mutator;
        this.size = size;
    }

    @Override
    public I next(Random rnd) {
        if (entries.isEmpty() || rnd.nextInt(10) == 0) return fresh.apply(rnd);
        I base = pick(rnd);
        // Mostly one mutation; now and then a stack of them.
        int n = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(6) : 1;
        for (int i = 0; i < n; i++) base = mutator.mutate(base, rnd, this);
        return base;
    }

    @Override
    public void accepted(I input, Random rnd) {
        if (size.applyAsInt(input) > KEEP_SIZE) return;
        if (entries.size() < KEPT) {
            entries.add(input);
        } else if (rnd.nextInt(4) == 0) {
            entries.set(seeds + rnd.nextInt(KEPT - seeds), input);
        }
    }

    /** A seed or a kept input, seeds a little more often than their number alone would give. */
    I pick(Random rnd) {
        if (seeds > 0 && rnd.nextInt(3) == 0) return entries.get(rnd.nextInt(seeds));
        return entries.get(rnd.nextInt(entries.size()));
    }

    /** A fresh input from the generator. */
    I fresh(Random rnd) {
        return fresh.apply(rnd);
    }
}
