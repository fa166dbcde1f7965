package io.motley.controller.rest;

import io.motley.pki.http.HttpRoute;
import java.util.Map;

/**
 * The REST API on the controller's HTTP(S) port: each request of the {@link
 * io.motley.pki.http.WebServer} handed to {@link RestApi#handle} as it is, and its answer back
 * (a streamed one as a stream, which the server sends chunked, and gzipped where the client asks).
 * Mounted under "/slurm/", "/slurmdb/" and "/openapi/" beside /metrics.
 */
public final class RestRoute implements HttpRoute {
    private final RestApi api;

    public RestRoute(RestApi api) {
        this.api = api;
    }

    @Override
    public Response handle(Request r) {
        RestResponse a = api.handle(new RestRequest(r.method(), r.path(), r.query(), r.headers(), r.body()));
        if (a.streamed() != null) return Response.streamed(a.status(), a.contentType(), a.streamed()::writeTo);
        return new Response(a.status(), a.contentType(), a.body(), Map.of());
    }
}
