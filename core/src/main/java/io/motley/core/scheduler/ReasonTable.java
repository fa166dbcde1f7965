package io.motley.core.scheduler;

import io.motley.core.job.PendingReason;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The pass's reasons as an immutable map from job id, kept as two arrays in the order the pass
 * wrote them: a HashMap of 100,000 reasons and its {@code Map.copyOf} made a quarter of a pass,
 * and the controller only walks the reasons. The lookup table is built on the first {@link #get}.
 * {@link Plan} keeps it as is.
 */
final class ReasonTable extends AbstractMap<Long, PendingReason> {
    private final long[] ids;
    private final PendingReason[] reasons;
    private final int size;
    /** Open addressing over positions + 1 (0: empty), built when first asked; null until then. */
    private volatile int[] index;

    private ReasonTable(long[] ids, PendingReason[] reasons, int size) {
        this.ids = ids;
        this.reasons = reasons;
        this.size = size;
    }

    /** Collects a pass's reasons; a second reason for the same id replaces the first, as in a map. */
    static final class Builder {
        private long[] ids;
        private PendingReason[] reasons;
        private int size;
        /** Where each id is, only when the queue may hold an id twice. */
        private final Map<Long, Integer> seen;

        Builder(int expected, boolean idsUnique) {
            ids = new long[Math.max(1, expected)];
            reasons = new PendingReason[ids.length];
            seen = idsUnique ? null : new HashMap<>();
        }

        void put(long id, PendingReason reason) {
            if (seen != null) {
                Integer at = seen.putIfAbsent(id, size);
                if (at != null) {
                    reasons[at] = reason;
                    return;
                }
            }
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, 2 * size);
                reasons = Arrays.copyOf(reasons, 2 * size);
            }
            ids[size] = id;
            reasons[size++] = reason;
        }

        /** The finished map; the builder is not used after this. */
        ReasonTable build() {
            return new ReasonTable(ids, reasons, size);
        }
    }

    private static int slot(long id, int shift) {
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> shift);
    }

    private int find(Object key) {
        if (!(key instanceof Long l) || size == 0) return -1;
        int[] table = index;
        if (table == null) index = table = buildIndex();
        long id = l;
        int mask = table.length - 1;
        int shift = 64 - Integer.numberOfTrailingZeros(table.length);
        for (int s = slot(id, shift); table[s] != 0; s = (s + 1) & mask) {
            if (ids[table[s] - 1] == id) return table[s] - 1;
        }
        return -1;
    }

    private int[] buildIndex() {
        int bits = 1;
        while ((1 << bits) < 2L * size && bits < 30) bits++;
        int[] table = new int[1 << bits];
        int mask = table.length - 1;
        for (int k = 0; k < size; k++) {
            int s = slot(ids[k], 64 - bits);
            while (table[s] != 0) s = (s + 1) & mask;
            table[s] = k + 1;
        }
        return table;
    }

    @Override
    public PendingReason get(Object key) {
        int k = find(key);
        return k < 0 ? null : reasons[k];
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
        for (int k = 0; k < size; k++) action.accept(ids[k], reasons[k]);
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
                    private int k;

                    @Override
                    public boolean hasNext() {
                        return k < size;
                    }

                    @Override
                    public Map.Entry<Long, PendingReason> next() {
                        if (k >= size) throw new NoSuchElementException();
                        Map.Entry<Long, PendingReason> e = Map.entry(ids[k], reasons[k]);
                        k++;
                        return e;
                    }
                };
            }
        };
    }
}
