package io.motley.pki.http;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What answers the requests under one path prefix of a {@link WebServer} ("/metrics",
 * "/slurm/", "/openapi/", "/"). The server has already read the whole body (never more than its
 * bound) and answers for the route: a route that throws gets a plain 500 with no detail (the
 * exception is logged), and the server keeps serving. A route is called from many threads at once.
 */
@FunctionalInterface
public interface HttpRoute {

    /** Answers one request. */
    Response handle(Request request) throws Exception;

    /**
     * One HTTP request as the route sees it.
     *
     * @param method GET, POST, ... as sent
     * @param path the decoded path, always starting with "/" (the route's prefix included)
     * @param query the raw query string after '?', or "" when there is none
     * @param headers header names in lower case, each with its values in the order sent
     * @param body the whole body (empty for none); its size is at most the server's bound
     * @param remote who sent it
     * @param secure whether it came over HTTPS
     */
    record Request(
            String method,
            String path,
            String query,
            Map<String, List<String>> headers,
            byte[] body,
            InetSocketAddress remote,
            boolean secure) {
        public Request {
            headers = Map.copyOf(headers);
        }

        /** The first value of header {@code name} (any case). */
        public Optional<String> header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A body written to the connection as it is made (chunked), for answers too large to hold whole. */
    @FunctionalInterface
    interface BodyWriter {
        /** Writes the body to {@code out}; the server flushes and closes it. */
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    /**
     * One answer: status, content type, body and any further headers (names as they are to be
     * sent; Content-Type and Content-Length are the server's). {@code stream}, when not null, is
     * the body instead of {@code body}: written to the connection in chunks once the status and
     * headers are sent, so a failure while writing it cuts the answer short (it is logged).
     */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers, BodyWriter stream) {
        public Response {
            headers = Map.copyOf(headers);
        }

        public Response(int status, String contentType, byte[] body, Map<String, String> headers) {
            this(status, contentType, body, headers, null);
        }

        public static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        public static Response json(int status, String json) {
            return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        /** An answer whose body {@code writer} writes as it makes it. */
        public static Response streamed(int status, String contentType, BodyWriter writer) {
            return new Response(status, contentType, new byte[0], Map.of(), writer);
        }

        /** The body as text; a streamed one is written out whole for it (tests). */
        public String bodyText() {
            if (stream == null) return new String(body, StandardCharsets.UTF_8);
            var out = new java.io.ByteArrayOutputStream();
            try {
                stream.writeTo(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        public Response withHeader(String name, String value) {
            var all = new java.util.LinkedHashMap<>(headers);
            all.put(name, value);
            return new Response(status, contentType, body, all, stream);
        }
    }
}
