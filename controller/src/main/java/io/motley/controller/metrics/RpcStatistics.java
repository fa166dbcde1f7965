package io.motley.controller.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The user requests the controller answered, by type (sdiag's "Remote Procedure Call statistics
 * by message type"): counts and times, exported under the community exporter's names
 * ({@code slurm_rpc_stats}, {@code slurm_rpc_stats_avg_time}, {@code slurm_rpc_stats_total_time},
 * times in microseconds as sdiag prints them) and as a latency histogram in seconds. The types are
 * the protocol's request names; anything else is counted as "unknown", so a client cannot grow the
 * label set.
 */
public final class RpcStatistics implements MultiCollector {
    static final String UNKNOWN = "unknown";

    private record Totals(LongAdder count, LongAdder micros) {}

    private final Predicate<String> known;
    private final Map<String, Totals> byType = new ConcurrentHashMap<>();
    private final Histogram latency = Histogram.builder()
            .name("slurm_rpc_duration_seconds")
            .help("Time the controller took to answer a user request, by request type")
            .labelNames("operation")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
            .build();

    /** Counts only request types {@code known} accepts by their own name. */
    public RpcStatistics(Predicate<String> known) {
        this.known = known;
    }

    /** One request of type {@code op} was answered in {@code nanos}. */
    public void answered(String op, long nanos) {
        String type = op != null && known.test(op) ? op : UNKNOWN;
        Totals t = byType.computeIfAbsent(type, k -> new Totals(new LongAdder(), new LongAdder()));
        t.count().increment();
        t.micros().add(nanos / 1000);
        latency.labelValues(type).observe(nanos / 1e9);
    }

    @Override
    public MetricSnapshots collect() {
        Gauges g = new Gauges();
        g.declare("slurm_rpc_stats", "Requests answered since the controller started, by type");
        g.declare("slurm_rpc_stats_avg_time", "Mean time to answer a request, by type (microseconds)");
        g.declare("slurm_rpc_stats_total_time", "Total time spent answering requests, by type (microseconds)");
        byType.forEach((type, t) -> {
            long n = t.count().sum();
            long micros = t.micros().sum();
            g.set("slurm_rpc_stats", null, n, "operation", type);
            g.set("slurm_rpc_stats_avg_time", null, n == 0 ? 0 : (double) micros / n, "operation", type);
            g.set("slurm_rpc_stats_total_time", null, micros, "operation", type);
        });
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        g.addTo(out);
        out.metricSnapshot(latency.collect());
        return out.build();
    }
}
