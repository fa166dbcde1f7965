package io.motley.controller.metrics;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gauge families built for one scrape: each named once with its help, then given a value per
 * label set. Slurm's OpenMetrics endpoints export every figure as a gauge, and so does this.
 */
final class Gauges {
    private record Family(String help, List<GaugeDataPointSnapshot> points) {}

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Sets {@code name}{labels} to {@code value}; {@code labels} alternate names and values. */
    Gauges set(String name, String help, double value, String... labels) {
        Family f = families.computeIfAbsent(name, n -> new Family(help, new ArrayList<>()));
        GaugeDataPointSnapshot.Builder b = GaugeDataPointSnapshot.builder().value(value);
        if (labels.length > 0) b.labels(Labels.of(labels));
        f.points().add(b.build());
        return this;
    }

    /** Declares a family that may have no values this scrape, so that its HELP and TYPE are still there. */
    Gauges declare(String name, String help) {
        families.computeIfAbsent(name, n -> new Family(help, new ArrayList<>()));
        return this;
    }

    void addTo(MetricSnapshots.Builder out) {
        families.forEach((name, f) -> {
            GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(name).help(f.help());
            f.points().forEach(g::dataPoint);
            out.metricSnapshot(g.build());
        });
    }
}
