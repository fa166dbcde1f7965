package io.motley.core.scheduler;

import io.motley.core.cluster.Partition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot's partitions over a {@link NodeLayout}: each partition's nodes as a membership array,
 * and for each distinct list of partitions a job names, the order a pass tries them in and the
 * job's tier. Both are worked out once and reused while the partitions and nodes stay the same.
 */
final class PartitionTable {
    private final List<Partition> source;
    private final NodeLayout layout;
    /** Partitions by name (the last of a name wins, as in a map), indexed as {@link #byName} says. */
    final Partition[] partitions;

    final Map<String, Integer> byName = new HashMap<>();
    private final boolean[][] members;
    private final Map<List<String>, Route> routes = new HashMap<>();

    /** A job's partitions as a pass tries them: higher tier first, else as the user gave them; -1 for an unknown name. */
    record Route(int[] order, int tier) {}

    PartitionTable(List<Partition> source, NodeLayout layout) {
        this.source = source;
        this.layout = layout;
        List<Partition> distinct = new ArrayList<>();
        for (Partition p : source) {
            Integer at = byName.putIfAbsent(p.name(), distinct.size());
            if (at == null) distinct.add(p);
            else distinct.set(at, p);
        }
        partitions = distinct.toArray(Partition[]::new);
        members = new boolean[partitions.length][];
    }

    /** Whether these are the partitions, over the same nodes, this table was made from. */
    boolean describes(List<Partition> partitions, NodeLayout layout) {
        return this.layout == layout && (source == partitions || source.equals(partitions));
    }

    Route route(List<String> names) {
        Route r = routes.get(names);
        if (r == null) {
            r = newRoute(names);
            routes.put(List.copyOf(names), r);
        }
        return r;
    }

    private Route newRoute(List<String> names) {
        int tier = Integer.MIN_VALUE;
        for (String name : names) {
            Integer i = byName.get(name);
            if (i != null) tier = Math.max(tier, partitions[i].priorityTier());
        }
        List<String> sorted = names;
        if (names.size() >= 2) {
            sorted = new ArrayList<>(names);
            sorted.sort(Comparator.comparingInt(
                    n -> byName.containsKey(n) ? -partitions[byName.get(n)].priorityTier() : 0));
        }
        int[] order = new int[sorted.size()];
        for (int k = 0; k < order.length; k++) order[k] = byName.getOrDefault(sorted.get(k), -1);
        return new Route(order, tier == Integer.MIN_VALUE ? 0 : tier);
    }

    /** Which nodes (by layout index) partition i holds. */
    boolean[] members(int i) {
        boolean[] in = members[i];
        if (in == null) {
            Partition p = partitions[i];
            in = new boolean[layout.nodes.length];
            if (p.nodes() == null) {
                Arrays.fill(in, true);
            } else {
                for (String name : p.nodes()) {
                    Integer n = layout.index.get(name);
                    if (n != null) in[n] = true;
                }
            }
            members[i] = in;
        }
        return in;
    }
}
