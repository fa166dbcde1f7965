package io.motley.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The history read from Prometheus: a stand-in HTTP server answers /api/v1/query_range as
 * Prometheus does (its JSON layout, string values, error answers), on a free loopback port.
 */
class PrometheusHistoryTest {
    static final long T0 = 1_800_000_000L;

    HttpServer server;
    /** The queries the stand-in was asked, with their start, end and step. */
    final List<Map<String, String>> asked = Collections.synchronizedList(new ArrayList<>());
    /** What the stand-in answers next: a status and a body. */
    volatile int status = 200;

    volatile String failure;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/prom/api/v1/query_range", this::answer);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prom");
    }

    static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Two points, T0 and T0 + 30, for every query; the value says which query it answers. */
    void answer(HttpExchange x) throws IOException {
        Map<String, String> p = params(x.getRequestURI().getRawQuery());
        asked.add(p);
        String body;
        if (failure != null) {
            body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"" + failure + "\"}";
        } else {
            String q = p.get("query");
            String result;
            if (q.equals(PrometheusHistory.USERS)) {
                result =
                        series("{\"username\":\"alice\"}", "3", "4") + "," + series("{\"username\":\"bob\"}", "1", "0");
            } else {
                // each total a figure of its own, so that a mix-up shows; the second point is one more
                int v = new ArrayList<>(PrometheusHistory.TOTALS.values()).indexOf(q) + 1;
                // two controllers' series at the first point are summed; the CPU count comes as a float
                result = q.equals("sum(slurm_cpus)")
                        ? series("{}", "16.0", "17")
                        : series("{\"instance\":\"a\"}", Integer.toString(v * 10), Integer.toString(v * 10 + 1))
                                + ","
                                + series("{\"instance\":\"b\"}", "0", "NaN");
            }
            body = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[" + result + "]}}";
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(failure != null ? 400 : status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    static String series(String metric, String first, String second) {
        return "{\"metric\":" + metric + ",\"values\":[[" + T0 + ",\"" + first + "\"],[" + (T0 + 30) + ".0,\"" + second
                + "\"]]}";
    }

    @Test
    void aDayOfSamplesAtTheRingsStepFromQueryRange() throws Exception {
        List<History.Sample> samples = new PrometheusHistory(base()).samples(T0 - 86_400 + 30, T0 + 30, 30);
        assertThat(asked).hasSize(PrometheusHistory.TOTALS.size() + 1);
        assertThat(asked)
                .allSatisfy(p -> assertThat(p)
                        .containsEntry("start", Long.toString(T0 - 86_400 + 30))
                        .containsEntry("end", Long.toString(T0 + 30))
                        .containsEntry("step", "30"));
        assertThat(samples).hasSize(2);
        History.Sample first = samples.get(0);
        assertThat(first.time()).isEqualTo(T0);
        assertThat(first.cpus()).isEqualTo(16);
        assertThat(first.cpusAllocated()).isEqualTo(20);
        assertThat(first.memMiB()).isEqualTo(30);
        assertThat(first.memAllocatedMiB()).isEqualTo(40);
        assertThat(first.gpus()).isEqualTo(50);
        assertThat(first.gpusAllocated()).isEqualTo(60);
        assertThat(first.running()).isEqualTo(70);
        assertThat(first.pending()).isEqualTo(80);
        assertThat(first.jobsByUser()).containsExactly(Map.entry("alice", 3), Map.entry("bob", 1));
        History.Sample second = samples.get(1);
        assertThat(second.time()).isEqualTo(T0 + 30);
        assertThat(second.cpus()).isEqualTo(17);
        // the other controller's NaN counts as nothing
        assertThat(second.running()).isEqualTo(71);
        // a user with no jobs left is not charted
        assertThat(second.jobsByUser()).containsExactly(Map.entry("alice", 4));
    }

    @Test
    void anErrorAnswerOrNoPrometheusIsAnIOException() throws Exception {
        failure = "parse error";
        assertThatThrownBy(() -> new PrometheusHistory(base()).samples(T0, T0 + 30, 30))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("400")
                .hasMessageContaining("parse error");
        failure = null;
        status = 503;
        assertThatThrownBy(() -> new PrometheusHistory(base()).samples(T0, T0 + 30, 30))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("503");
        URI gone = base();
        stop();
        assertThatThrownBy(() -> new PrometheusHistory(gone).samples(T0, T0 + 30, 30))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unreachable");
        start();
    }

    @Test
    void onlyAnHttpAddressIsTaken() {
        assertThatThrownBy(() -> new PrometheusHistory(URI.create("file:///etc/passwd")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PrometheusHistory(URI.create("localhost:9090")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new PrometheusHistory(URI.create("https://mon.lab/prometheus")).base())
                .hasToString("https://mon.lab/prometheus/");
    }
}
