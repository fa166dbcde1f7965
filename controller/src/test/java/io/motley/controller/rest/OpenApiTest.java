package io.motley.controller.rest;

import static io.motley.controller.rest.RestFixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI document at /openapi/v3 and the API agree: every served path is in it, every path in it is served. */
class OpenApiTest {
    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static Map<String, Object> paths(RestFixture f) {
        RestResponse r = f.call("GET", RestApi.OPENAPI, (io.motley.controller.cluster.Caller) null, null);
        assertThat(r.status()).isEqualTo(200);
        return (Map<String, Object>) RestFixture.json(r).get("paths");
    }

    @Test
    void theDocumentListsExactlyTheRoutesServed() {
        try (RestFixture f = new RestFixture(dir)) {
            Map<String, Object> paths = paths(f);
            Map<String, List<String>> documented = new TreeMap<>();
            paths.forEach((p, ops) -> documented.put(
                    p,
                    new ArrayList<>(((Map<?, ?>) ops)
                            .keySet().stream().map(String::valueOf).sorted().toList())));
            Map<String, List<String>> served = new TreeMap<>();
            RestApi.ROUTES.forEach((p, m) -> served.put(p, m.stream().sorted().toList()));
            assertThat(documented).isEqualTo(served);
        }
    }

    /** Each documented path and method, called with a token, is answered by its handler (not 404 or 405). */
    @Test
    void everyDocumentedOperationIsServed() {
        try (RestFixture f = new RestFixture(dir)) {
            long id = f.submit(ALICE, "probe");
            Map<String, Object> paths = paths(f);
            for (Map.Entry<String, Object> e : paths.entrySet()) {
                String path = e.getKey()
                        .replace("{job_id}", Long.toString(id))
                        .replace("{node_name}", "n1")
                        .replace("{partition_name}", "main");
                for (Object method : ((Map<?, ?>) e.getValue()).keySet()) {
                    String m = String.valueOf(method).toUpperCase(java.util.Locale.ROOT);
                    boolean nodeUpdate = m.equals("POST") && path.contains("/node/");
                    String body = nodeUpdate
                            ? "{\"state\":[\"RESUME\"]}"
                            : m.equals("POST")
                                    ? path.endsWith("submit") ? RestFixture.submitBody("doc") : "{\"comment\":\"doc\"}"
                                    : null;
                    // updating a node is root's (and administrators')
                    RestResponse r = f.call(m, path, nodeUpdate ? RestFixture.ROOT : ALICE, body);
                    assertThat(r.status()).as(m + " " + path + ": " + r.text()).isEqualTo(200);
                }
            }
        }
    }
}
