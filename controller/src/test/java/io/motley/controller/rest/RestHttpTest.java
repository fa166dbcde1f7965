package io.motley.controller.rest;

import static io.motley.controller.rest.RestFixture.ALICE;
import static io.motley.controller.rest.RestFixture.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.motley.core.job.JobState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API behind the JDK's HTTP server (loopback, a free port), called with the JDK's HTTP client. */
class RestHttpTest {
    @TempDir
    Path dir;

    RestFixture f;
    HttpServer server;
    HttpClient client;
    String base;

    /** The server a test (or docs/rest.md's examples) talks to: the API mounted as the controller mounts it. */
    static HttpServer serve(RestApi api) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        RestHttpHandler h = new RestHttpHandler(api);
        for (String prefix : List.of("/slurm/", "/slurmdb/", "/openapi/")) s.createContext(prefix, h);
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        s.start();
        return s;
    }

    @BeforeEach
    void start() throws Exception {
        f = new RestFixture(dir);
        server = serve(f.api);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        client = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        client.close();
        f.close();
    }

    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("X-SLURM-USER-TOKEN", token);
        if (body != null) b.header("Content-Type", "application/json");
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void submitShowAndCancelOverHttp() throws Exception {
        String alice = f.token(ALICE);
        HttpResponse<String> sub = send("POST", "/slurm/v0.0.40/job/submit", alice, RestFixture.submitBody("http"));
        assertThat(sub.statusCode()).as(sub.body()).isEqualTo(200);
        assertThat(sub.headers().firstValue("Content-Type")).hasValue("application/json");
        long id = (Long) ((Map<?, ?>) io.motley.protocol.dataparser.JsonReader.read(sub.body())).get("job_id");
        HttpResponse<String> show = send("GET", "/slurm/v0.0.40/job/" + id, alice, null);
        assertThat(show.statusCode()).isEqualTo(200);
        assertThat(show.body()).contains("\"name\": \"http\"").contains("\"user_name\": \"alice\"");
        assertThat(send("DELETE", "/slurm/v0.0.40/job/" + id, f.token(BOB), null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(send("DELETE", "/slurm/v0.0.40/job/" + id, alice, null).statusCode())
                .isEqualTo(200);
        assertThat(f.job(id).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void bearerTokenAndMissingToken() throws Exception {
        HttpRequest withBearer = HttpRequest.newBuilder(URI.create(base + "/slurm/v0.0.40/ping"))
                .header("Authorization", "Bearer " + f.token(BOB))
                .build();
        assertThat(client.send(withBearer, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        HttpResponse<String> none = send("GET", "/slurm/v0.0.40/ping", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"error_number\": 6000");
    }

    @Test
    void anOversizedBodyIs413AndTheServerKeepsServing() throws Exception {
        String big = "{\"script\":\"" + "y".repeat(f.api.maxBodyBytes() + 10) + "\",\"job\":{}}";
        HttpResponse<String> r = send("POST", "/slurm/v0.0.40/job/submit", f.token(ALICE), big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("Data too large to handle");
        assertThat(send("GET", "/slurm/v0.0.40/ping", f.token(ALICE), null).statusCode())
                .isEqualTo(200);
        assertThat(f.cluster.jobs()).isEmpty();
    }

    @Test
    void badJsonIs400AndTheServerKeepsServing() throws Exception {
        HttpResponse<String> r =
                send("POST", "/slurm/v0.0.40/job/submit", f.token(ALICE), "{\"script\": 12, \"job\": [");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Unable to parse query").doesNotContain("Exception");
        assertThat(send("GET", "/openapi/v3", null, null).statusCode()).isEqualTo(200);
    }
}
