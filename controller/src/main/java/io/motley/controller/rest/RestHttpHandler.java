package io.motley.controller.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Carries the {@link RestApi} on the JDK's HTTP server: mount it at {@code /slurm/},
 * {@code /slurmdb/} and {@code /openapi/} ({@code server.createContext("/slurm/", handler)}). It
 * reads at most one byte more than the API takes, so an oversized body costs no more than that.
 */
public final class RestHttpHandler implements HttpHandler {
    private final RestApi api;

    public RestHttpHandler(RestApi api) {
        this.api = api;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(api.maxBodyBytes() + 1);
            }
            RestRequest req = new RestRequest(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders(),
                    body);
            RestResponse res = api.handle(req);
            ex.getResponseHeaders().set("Content-Type", res.contentType());
            boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
            if (res.streamed() != null) {
                ex.sendResponseHeaders(res.status(), head ? -1 : 0); // 0: chunked
                if (!head) {
                    try (OutputStream out = ex.getResponseBody()) {
                        res.streamed().writeTo(out);
                    }
                }
                return;
            }
            ex.sendResponseHeaders(res.status(), head ? -1 : res.body().length == 0 ? -1 : res.body().length);
            if (!head && res.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(res.body());
                }
            }
        }
    }
}
