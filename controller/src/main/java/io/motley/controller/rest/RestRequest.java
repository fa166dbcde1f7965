package io.motley.controller.rest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP request as the REST API sees it, whatever server carried it: the method, the path
 * (decoded, without the query), the raw query string (null when none), the headers (names in any
 * case) and the body (at most {@link RestApi#maxBodyBytes()} plus one byte: a transport reads no
 * further, and the API answers 413 when it holds more).
 */
public record RestRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    public RestRequest {
        TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(h);
        body = body == null ? new byte[0] : body;
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
