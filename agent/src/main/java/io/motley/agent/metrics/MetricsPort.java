package io.motley.agent.metrics;

import io.motley.pki.http.HttpRoute;
import io.motley.pki.http.WebServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * The agent's /metrics port: plain HTTP (the page holds no secret and takes no token), on
 * AgentMetricsBind (127.0.0.1 unless the operator opens it to the network for Prometheus).
 */
public final class MetricsPort {
    private MetricsPort() {}

    /** Bodies of GETs only: nothing larger is ever read. */
    private static final int MAX_BODY = 4096;

    public static WebServer start(String bind, int port, PrometheusRegistry registry) throws IOException {
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        WebServer web = WebServer.startPlain(bind, port, MAX_BODY);
        web.mount("/metrics", request -> {
            if (!request.method().equals("GET") && !request.method().equals("HEAD"))
                return HttpRoute.Response.text(405, "only GET\n").withHeader("Allow", "GET, HEAD");
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            writer.write(out, registry.scrape());
            return new HttpRoute.Response(200, writer.getContentType(), out.toByteArray(), Map.of());
        });
        return web;
    }
}
