package io.motley.core.scheduler;

import io.motley.core.job.PendingReason;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The pass's reasons as an immutable map from job id, filled without boxing: a queue of 100,000
 * jobs makes a HashMap and its {@code Map.copyOf} a quarter of a pass. {@link Plan} keeps it as is.
 */
final class ReasonTable extends AbstractMap<Long, PendingReason> {
    private final long[] keys;
    private final PendingReason[] values;
    private final int size;
    private final int shift;

    private ReasonTable(long[] keys, PendingReason[] values, int size, int shift) {
        this.keys = keys;
        this.values = values;
        this.size = size;
        this.shift = shift;
    }

    private static int slot(long id, int shift) {
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** Collects a pass's reasons; a second reason for the same id replaces the first, as in a map. */
    static final class Builder {
        private final long[] keys;
        private final PendingReason[] values;
        private final int shift;
        private int size;

        Builder(int expected) {
            int bits = 1;
            while ((1 << bits) < 2L * Math.max(1, expected) && bits < 30) bits++;
            keys = new long[1 << bits];
            values = new PendingReason[1 << bits];
            shift = 64 - bits;
        }

        void put(long id, PendingReason reason) {
            int mask = keys.length - 1;
            for (int s = slot(id, shift); ; s = (s + 1) & mask) {
                if (values[s] == null) {
                    keys[s] = id;
                    values[s] = reason;
                    size++;
                    return;
                }
                if (keys[s] == id) {
                    values[s] = reason;
                    return;
                }
            }
        }

        /** The finished map; the builder is not used after this. */
        ReasonTable build() {
            return new ReasonTable(keys, values, size, shift);
        }
    }

    private int find(Object key) {
        if (!(key instanceof Long l)) return -1;
        long id = l;
        int mask = keys.length - 1;
        for (int s = slot(id, shift); values[s] != null; s = (s + 1) & mask) {
            if (keys[s] == id) return s;
        }
        return -1;
    }

    @Override
    public PendingReason get(Object key) {
        int s = find(key);
        return s < 0 ? null : values[s];
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void forEach(BiConsumer<? super Long, ? super PendingReason> action) {
        for (int s = 0; s < keys.length; s++) {
            if (values[s] != null) action.accept(keys[s], values[s]);
        }
    }

    @Override
    public Set<Map.Entry<Long, PendingReason>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<Long, PendingReason>> iterator() {
                return new Iterator<>() {
                    private int s = advance(0);

                    private int advance(int from) {
                        while (from < keys.length && values[from] == null) from++;
                        return from;
                    }

                    @Override
                    public boolean hasNext() {
                        return s < keys.length;
                    }

                    @Override
                    public Map.Entry<Long, PendingReason> next() {
                        if (s >= keys.length) throw new NoSuchElementException();
                        Map.Entry<Long, PendingReason> e = Map.entry(keys[s], values[s]);
                        s = advance(s + 1);
                        return e;
                    }
                };
            }
        };
    }
}
