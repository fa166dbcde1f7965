package io.motley.controller.metrics;

import io.motley.pki.http.HttpRoute;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /metrics}: the registry in Prometheus's text format (version 0.0.4, which every
 * Prometheus and promtool reads); Slurm's per-topic pages below it give their part of it. Needs no token: Prometheus scrapes it; restrict it by address.
 */
public final class MetricsRoute implements HttpRoute {
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsRoute(PrometheusRegistry registry) {
        this.registry = registry;
    }

    /**
     * The families a path serves: everything at /metrics, and at Slurm 25.11's own pages
     * (/metrics/jobs, nodes, partitions, scheduler, jobs-users-accts) what slurmctld puts there,
     * so a scrape config written for Slurm works unchanged; null for any other path.
     */
    static Predicate<String> slurmEndpoint(String path) {
        return switch (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) {
            case "/metrics" -> name -> true;
            case "/metrics/jobs" -> prefixes("slurm_jobs", "motley_jobs_");
            case "/metrics/nodes" -> prefixes("slurm_node", "slurm_cpus", "slurm_gpus", "slurm_memory", "motley_node_");
            case "/metrics/partitions" -> prefixes("slurm_partition");
            case "/metrics/scheduler" -> prefixes("slurm_sched", "slurm_bf_", "slurm_sdiag_", "slurm_rpc_");
            case "/metrics/jobs-users-accts" -> prefixes("slurm_user_", "slurm_account_");
            default -> null;
        };
    }

    private static Predicate<String> prefixes(String... p) {
        return name -> {
            for (String prefix : p) if (name.startsWith(prefix)) return true;
            return false;
        };
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (!request.method().equals("GET") && !request.method().equals("HEAD"))
            return Response.text(405, "only GET\n").withHeader("Allow", "GET, HEAD");
        Predicate<String> names = slurmEndpoint(request.path());
        if (names == null) return Response.text(404, "no such metrics page\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        writer.write(out, registry.scrape(names));
        return new Response(200, writer.getContentType(), out.toByteArray(), Map.of());
    }
}
