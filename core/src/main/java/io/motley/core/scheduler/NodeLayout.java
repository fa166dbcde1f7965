package io.motley.core.scheduler;

import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.NodeView;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of a snapshot in the order passes fill them (lowest Weight first, then by name, as in
 * Slurm), with each node's GPUs by device index and their GRES types worked out once: a pass asks
 * for them on every node it tries.
 */
final class NodeLayout {
    private final List<NodeView> source;
    final NodeView[] nodes;
    final Map<String, Integer> index = new HashMap<>();
    /** Per node, its GPUs sorted by device index (stably, as a pass would sort them) and their types. */
    final int[][] gpuIndex;

    final String[][] gpuType;

    NodeLayout(List<NodeView> source) {
        this.source = source;
        nodes = source.stream()
                .sorted(Comparator.comparingInt(NodeView::weight).thenComparing(NodeView::name))
                .toArray(NodeView[]::new);
        gpuIndex = new int[nodes.length][];
        gpuType = new String[nodes.length][];
        for (int i = 0; i < nodes.length; i++) {
            index.put(nodes[i].name(), i);
            List<Gpu> sorted = nodes[i].gpus().stream()
                    .sorted(Comparator.comparingInt(Gpu::index))
                    .toList();
            gpuIndex[i] = sorted.stream().mapToInt(Gpu::index).toArray();
            gpuType[i] = sorted.stream().map(Gpu::type).toArray(String[]::new);
        }
    }

    /** Whether these are the nodes this layout was made from, unchanged. */
    boolean describes(List<NodeView> nodes) {
        return source == nodes || source.equals(nodes);
    }

    /** GPUs of a type (any type when null) on node i, as {@link NodeView#gpuCount} counts them. */
    long gpuCount(int i, String type) {
        if (type == null) return gpuType[i].length;
        long n = 0;
        for (String t : gpuType[i]) {
            if (t.equals(type)) n++;
        }
        return n;
    }
}
