package io.motley.controller.server;

import io.motley.controller.cluster.Cluster;
import io.motley.protocol.Frame;

/**
 * The controller's own answer to a request, for benchmarks that stand in for the controller's
 * socket: the same {@link Requests} the server uses, reached from the bench module (same package,
 * so that the controller need not make its request handling public).
 */
public final class BenchAnswers {
    private final Requests requests;

    public BenchAnswers(Cluster cluster) {
        this.requests = new Requests(cluster);
    }

    /** The answer frame to {@code request}, which must carry the caller's stamp. */
    public Frame answer(Frame request) {
        return requests.handle(request);
    }
}
