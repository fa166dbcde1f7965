package io.motley.controller.metrics;

import io.motley.pki.http.HttpRoute;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * {@code GET /metrics}: the registry in Prometheus's text format (version 0.0.4, which every
 * Prometheus and promtool reads). Needs no token: Prometheus scrapes it; restrict it by address.
 */
public final class MetricsRoute implements HttpRoute {
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsRoute(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (!request.method().equals("GET") && !request.method().equals("HEAD"))
            return Response.text(405, "only GET\n").withHeader("Allow", "GET, HEAD");
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        writer.write(out, registry.scrape());
        return new Response(200, writer.getContentType(), out.toByteArray(), Map.of());
    }
}
