package io.motley.core.scheduler;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What the running jobs hold on each node of a {@link NodeLayout}, kept from pass to pass and
 * brought up to date from the allocations that came or went since the last (a job ended, one
 * started) instead of summed again over every running job. A pass copies it and never changes
 * it. Holds exactly what summing the snapshot's running allocations gives: an allocation on a
 * node outside the layout counts nowhere, and GPUs held are the union of the allocations'.
 */
final class HeldResources {
    final NodeLayout layout;
    /** Per node, CPUs and memory not held by a running job (negative when over-committed). */
    final int[] freeCpus;

    final long[] freeMem;
    /** Per node, the GPU device indices running jobs hold; a pass copies one before changing it. */
    final BitSet[] usedGpus;
    /** Per node, how many of its GPUs no running job holds. */
    final int[] freeGpus;
    /** Per node, its running allocations (null when none). */
    final List<Allocation>[] on;
    /** The running allocations these figures were made from, as the last snapshot listed them. */
    private Allocation[] last = new Allocation[0];

    @SuppressWarnings("unchecked")
    HeldResources(NodeLayout layout) {
        this.layout = layout;
        int n = layout.nodes.length;
        freeCpus = new int[n];
        freeMem = new long[n];
        usedGpus = new BitSet[n];
        freeGpus = new int[n];
        on = new List[n];
        for (int i = 0; i < n; i++) {
            freeCpus[i] = layout.nodes[i].cpus();
            freeMem[i] = layout.nodes[i].memMiB();
            usedGpus[i] = new BitSet();
            freeGpus[i] = layout.gpuIndex[i].length;
        }
    }

    private static boolean same(Allocation last, Allocation a) {
        return last == a || last.equals(a);
    }

    /** Brings the figures to what {@code running} holds. */
    void update(List<Allocation> running) {
        int n = running.size();
        int m = last.length;
        boolean[] kept = new boolean[m];
        boolean[] isNew = new boolean[n];
        IncrementalScheduler.Ranks byJob = null;
        int j = 0;
        for (int k = 0; k < n; k++) {
            Allocation a = running.get(k);
            int p = -1;
            // mostly in the last snapshot's order, a few gone (ended) between them
            for (int ahead = j; ahead < Math.min(m, j + 4); ahead++) {
                if (!kept[ahead] && same(last[ahead], a)) {
                    p = ahead;
                    break;
                }
            }
            if (p < 0 && m > 0) {
                if (byJob == null) {
                    byJob = new IncrementalScheduler.Ranks(m);
                    for (int q = 0; q < m; q++) byJob.put(last[q].jobId(), q);
                }
                int q = byJob.get(a.jobId());
                if (q >= 0 && !kept[q] && same(last[q], a)) p = q;
            }
            if (p >= 0) {
                kept[p] = true;
                j = p + 1;
            } else {
                isNew[k] = true;
            }
        }
        for (int q = 0; q < m; q++) {
            if (!kept[q]) remove(last[q]);
        }
        for (int k = 0; k < n; k++) {
            if (isNew[k]) add(running.get(k));
        }
        last = running.toArray(Allocation[]::new);
    }

    private void add(Allocation a) {
        Integer at = layout.index.get(a.node());
        if (at == null) return;
        int i = at;
        freeCpus[i] -= a.cpus();
        freeMem[i] -= a.memMiB();
        if (on[i] == null) on[i] = new ArrayList<>(2);
        on[i].add(a);
        if (!a.gpuIds().isEmpty()) {
            BitSet used = (BitSet) usedGpus[i].clone();
            a.gpuIds().forEach(used::set);
            gpusChanged(i, used);
        }
    }

    private void remove(Allocation a) {
        Integer at = layout.index.get(a.node());
        if (at == null) return;
        int i = at;
        freeCpus[i] += a.cpus();
        freeMem[i] += a.memMiB();
        List<Allocation> here = on[i];
        // the one kept may be an equal record of an earlier snapshot
        for (int k = 0; k < here.size(); k++) {
            if (same(here.get(k), a)) {
                here.remove(k);
                break;
            }
        }
        if (!a.gpuIds().isEmpty()) {
            // another allocation may hold the same device: the union again, over what is left
            BitSet used = new BitSet();
            for (Allocation other : here) other.gpuIds().forEach(used::set);
            gpusChanged(i, used);
        }
    }

    /** A new set, never the old one changed: a pass may still hold the old one. */
    private void gpusChanged(int i, BitSet used) {
        usedGpus[i] = used;
        int c = 0;
        for (int g : layout.gpuIndex[i]) {
            if (!used.get(g)) c++;
        }
        freeGpus[i] = c;
    }
}
