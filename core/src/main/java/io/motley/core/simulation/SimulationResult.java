package io.motley.core.simulation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of simulating a workload under one policy: every job that ran, in submission order;
 * the jobs left out because the cluster could never run them, counted by reason; and the figures.
 */
public record SimulationResult(
        Policy policy, List<JobOutcome> outcomes, Map<String, Integer> neverRunnable, Figures figures) {

    public SimulationResult {
        outcomes = List.copyOf(outcomes);
        neverRunnable = Collections.unmodifiableMap(new LinkedHashMap<>(neverRunnable));
    }

    /** Jobs that reached their time limit and were killed at it. */
    public int killed() {
        int k = 0;
        for (JobOutcome o : outcomes) if (o.killed()) k++;
        return k;
    }

    /** Jobs left out because no node of their partitions could ever run them. */
    public int neverRunnableCount() {
        int k = 0;
        for (int c : neverRunnable.values()) k += c;
        return k;
    }
}
