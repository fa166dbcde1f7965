package io.motley.core.layout;

import java.util.Arrays;

/**
 * How a job's or step's tasks fall on its nodes, as Slurm lays them out: how many per node
 * (balanced, or --ntasks-per-node), which node each task runs on (block or cyclic distribution),
 * and the counts in Slurm's compressed form ({@code 2(x3),1}, as SLURM_TASKS_PER_NODE and
 * SLURM_JOB_CPUS_PER_NODE print them). Pure values, no I/O.
 */
public final class TaskLayout {
    private TaskLayout() {}

    /** -m block (tasks fill a node before the next) or cyclic (one per node in turn). */
    public enum Distribution {
        BLOCK,
        CYCLIC;

        /** -m's first part ({@code block}, {@code cyclic}, {@code block:cyclic}, ...); null or empty: block. */
        public static Distribution parse(String text) {
            if (text == null || text.isBlank()) return BLOCK;
            String first = text.split("[:,]", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            return switch (first) {
                case "block", "*" -> BLOCK;
                case "cyclic" -> CYCLIC;
                default -> throw new IllegalArgumentException("invalid distribution '" + text + "'");
            };
        }
    }

    /**
     * Tasks per node for {@code tasks} tasks on {@code nodes} nodes: at most {@code perNode} each
     * when given (above 0), the first nodes full and the rest with what is left; otherwise as even
     * as can be, the first nodes taking one more ({@code 7} on 3 nodes: 3, 2, 2).
     *
     * @throws IllegalArgumentException when the tasks do not fit (more than nodes times perNode) or
     *     there are fewer tasks than nodes
     */
    public static int[] tasksPerNode(int tasks, int nodes, int perNode) {
        if (nodes < 1) throw new IllegalArgumentException("at least one node is needed");
        if (tasks < nodes) throw new IllegalArgumentException(tasks + " tasks cannot use " + nodes + " nodes");
        int[] counts = new int[nodes];
        if (perNode > 0) {
            if ((long) perNode * nodes < tasks)
                throw new IllegalArgumentException(tasks + " tasks do not fit " + nodes + " nodes of " + perNode);
            // every node gets at least one: fill in turn, each up to perNode
            int left = tasks;
            for (int i = 0; i < nodes; i++) {
                counts[i] = 1;
                left--;
            }
            for (int i = 0; i < nodes && left > 0; i++) {
                int more = Math.min(perNode - 1, left);
                counts[i] += more;
                left -= more;
            }
            return counts;
        }
        for (int i = 0; i < nodes; i++) counts[i] = tasks / nodes + (i < tasks % nodes ? 1 : 0);
        return counts;
    }

    /** The node (index into the counts) of every task, in task order, under {@code distribution}. */
    public static int[] nodeOfTask(int[] counts, Distribution distribution) {
        int total = Arrays.stream(counts).sum();
        int[] node = new int[total];
        if (distribution == Distribution.BLOCK) {
            int t = 0;
            for (int i = 0; i < counts.length; i++) {
                for (int k = 0; k < counts[i]; k++) node[t++] = i;
            }
            return node;
        }
        int[] left = counts.clone();
        int t = 0;
        while (t < total) {
            for (int i = 0; i < left.length && t < total; i++) {
                if (left[i] > 0) {
                    left[i]--;
                    node[t++] = i;
                }
            }
        }
        return node;
    }

    /** Each node's task ids (global ranks), in order, under {@code distribution}. */
    public static int[][] tasksOf(int[] counts, Distribution distribution) {
        int[] node = nodeOfTask(counts, distribution);
        int[][] ids = new int[counts.length][];
        int[] filled = new int[counts.length];
        for (int i = 0; i < counts.length; i++) ids[i] = new int[counts[i]];
        for (int t = 0; t < node.length; t++) ids[node[t]][filled[node[t]]++] = t;
        return ids;
    }

    /** Counts in Slurm's compressed form: runs of equal values as {@code N(xK)} ({@code 2(x3),1}). */
    public static String compress(int[] counts) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < counts.length) {
            int j = i;
            while (j < counts.length && counts[j] == counts[i]) j++;
            if (!out.isEmpty()) out.append(',');
            out.append(counts[i]);
            if (j - i > 1) out.append("(x").append(j - i).append(')');
            i = j;
        }
        return out.toString();
    }

    /** Slurm's compressed form read back ({@code 2(x3),1} gives 2, 2, 2, 1). */
    public static int[] expand(String text) {
        if (text == null || text.isBlank()) return new int[0];
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int open = p.indexOf("(x");
            try {
                if (open < 0) {
                    out.add(Integer.parseInt(p));
                    continue;
                }
                if (!p.endsWith(")")) throw new IllegalArgumentException("invalid count '" + part + "'");
                int value = Integer.parseInt(p.substring(0, open));
                int times = Integer.parseInt(p.substring(open + 2, p.length() - 1));
                for (int k = 0; k < times; k++) out.add(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid count '" + part + "'", e);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
