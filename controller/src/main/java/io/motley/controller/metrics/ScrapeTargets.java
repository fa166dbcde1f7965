package io.motley.controller.metrics;

import io.motley.core.cluster.Node;
import io.motley.pki.http.HttpRoute;
import java.net.URI;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /metrics/targets}: the cluster's metrics endpoints for Prometheus's HTTP service
 * discovery ({@code http_sd_configs}): the controller's own port, and each node's agent at its
 * address and AgentMetricsPort when that is set (plain HTTP). Nodes joining or leaving show up at
 * Prometheus's next refresh, with no list to keep by hand.
 */
public final class ScrapeTargets implements HttpRoute {
    private final Supplier<URI> self;
    private final Supplier<List<Node>> nodes;
    private final IntSupplier agentPort;
    private final String cluster;

    /** {@code agentPort}: AgentMetricsPort, or a negative number when agents serve no metrics. */
    public ScrapeTargets(String cluster, Supplier<URI> self, Supplier<List<Node>> nodes, IntSupplier agentPort) {
        this.cluster = cluster;
        this.self = self;
        this.nodes = nodes;
        this.agentPort = agentPort;
    }

    @Override
    public Response handle(Request request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD"))
            return Response.text(405, "only GET\n").withHeader("Allow", "GET, HEAD");
        URI me = self.get();
        StringBuilder json = new StringBuilder("[");
        group(json, me.getHost() + ":" + me.getPort(), me.getScheme(), "controller", null);
        int port = agentPort.getAsInt();
        if (port > 0) {
            for (Node n : nodes.get()) {
                String host = n.address() == null || n.address().isEmpty() ? n.name() : n.address();
                if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
                json.append(',');
                group(json, host + ":" + port, "http", "agent", n.name());
            }
        }
        return Response.json(200, json.append("]\n").toString());
    }

    private void group(StringBuilder json, String target, String scheme, String role, String node) {
        json.append("{\"targets\":[")
                .append(quote(target))
                .append("],\"labels\":{\"__scheme__\":")
                .append(quote(scheme))
                .append(",\"motley_role\":")
                .append(quote(role))
                .append(",\"motley_cluster\":")
                .append(quote(cluster));
        if (node != null) json.append(",\"motley_node\":").append(quote(node));
        json.append("}}");
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
