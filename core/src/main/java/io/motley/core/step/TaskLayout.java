package io.motley.core.step;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a step's tasks run: the counts per node of Slurm's block distribution (tasks spread as
 * evenly as the nodes allow, the first nodes taking one more; or {@code tasksPerNode} on each node
 * in turn), task ids numbered node by node.
 */
public record TaskLayout(List<String> nodes, List<Integer> counts) {
    public TaskLayout {
        nodes = List.copyOf(nodes);
        counts = List.copyOf(counts);
        if (nodes.size() != counts.size()) throw new IllegalArgumentException("one count per node");
    }

    /** {@code tasks} over {@code nodes}, block-wise; {@code tasksPerNode} 0 when not given. */
    public static TaskLayout block(List<String> nodes, int tasks, int tasksPerNode) {
        if (nodes.isEmpty()) throw new IllegalArgumentException("a step needs a node");
        List<Integer> counts = new ArrayList<>();
        int n = nodes.size();
        if (tasksPerNode > 0) {
            int left = tasks;
            for (int i = 0; i < n; i++) {
                int c = Math.min(tasksPerNode, left);
                counts.add(c);
                left -= c;
            }
            // more tasks than tasksPerNode allows on these nodes: the rest go round the nodes again
            for (int i = 0; left > 0; i = (i + 1) % n, left--) counts.set(i, counts.get(i) + 1);
        } else {
            for (int i = 0; i < n; i++) counts.add(tasks / n + (i < tasks % n ? 1 : 0));
        }
        return new TaskLayout(nodes, counts);
    }

    public int tasks() {
        return counts.stream().mapToInt(Integer::intValue).sum();
    }

    /** The node index of task {@code task}. */
    public int nodeOf(int task) {
        int first = 0;
        for (int i = 0; i < counts.size(); i++) {
            if (task < first + counts.get(i)) return i;
            first += counts.get(i);
        }
        throw new IllegalArgumentException("no task " + task + " in a step of " + tasks());
    }

    /** The task ids on node {@code index}, in order. */
    public List<Integer> tasksOn(int index) {
        int first = 0;
        for (int i = 0; i < index; i++) first += counts.get(i);
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < counts.get(index); t++) out.add(first + t);
        return out;
    }

    /** SLURM_TASKS_PER_NODE's form: counts in node order, runs as "2(x3)": "2(x3),1". */
    public String tasksPerNode() {
        return compressCounts(counts);
    }

    /** Counts in Slurm's "N(xR)" run-length form. */
    public static String compressCounts(List<Integer> counts) {
        return io.motley.core.layout.TaskLayout.compress(
                counts.stream().mapToInt(Integer::intValue).toArray());
    }
}
