package io.motley.controller.web;

import io.motley.protocol.dataparser.JsonReader;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The history charts' samples read from Prometheus (motley.conf's PrometheusURL=) instead of the
 * controller's ring: the series the controller exports at /metrics, queried with Prometheus's
 * {@code /api/v1/query_range} at the ring's step, so that the charts outlive controller restarts.
 * Any failure (Prometheus unreachable or slow, an error status, an answer not in its layout) is an
 * {@link IOException}; the dashboard then draws the ring.
 */
public final class PrometheusHistory {
    /** The longest the dashboard waits for Prometheus, all queries together. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** The most points one answer may hold (Prometheus's own limit per series is 11,000). */
    static final int MAX_POINTS = 11_000;

    /** A Sample's figures, each the sum over the controller's series (one per scraped controller). */
    static final Map<String, String> TOTALS = totals();

    private static Map<String, String> totals() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("cpus", "sum(slurm_cpus)");
        q.put("cpus_allocated", "sum(slurm_cpus_alloc)");
        q.put("memory_mib", "sum(slurm_memory_bytes) / 1048576");
        q.put("memory_allocated_mib", "sum(slurm_memory_alloc_bytes) / 1048576");
        q.put("gpus", "sum(slurm_gpus)");
        q.put("gpus_allocated", "sum(slurm_gpus_alloc)");
        q.put("running", "sum(slurm_jobs_running)");
        q.put("pending", "sum(slurm_jobs_pending)");
        return java.util.Collections.unmodifiableMap(q);
    }

    /** Jobs per user, running and pending, by Slurm's username label. */
    static final String USERS = "sum by (username) (slurm_user_jobs_running + slurm_user_jobs_pending)";

    private final URI base;
    private final HttpClient client;

    /** Queries the Prometheus at {@code base} (http or https, with any path prefix it is served under). */
    public PrometheusHistory(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
    }

    PrometheusHistory(URI base, HttpClient client) {
        String scheme = base.getScheme();
        if (base.getHost() == null || !("http".equals(scheme) || "https".equals(scheme)))
            throw new IllegalArgumentException("PrometheusURL must be an http:// or https:// address: " + base);
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.client = client;
    }

    /** Where Prometheus is asked, for the page's note. */
    public URI base() {
        return base;
    }

    /**
     * The samples from {@code start} to {@code end} (Unix seconds) every {@code step} seconds,
     * oldest first; a time at which Prometheus has none of the series is left out.
     */
    public List<History.Sample> samples(long start, long end, long step) throws IOException {
        if (step < 1 || end < start || (end - start) / step + 1 > MAX_POINTS)
            throw new IllegalArgumentException("a range of at most " + MAX_POINTS + " steps");
        Map<String, CompletableFuture<HttpResponse<String>>> asked = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : TOTALS.entrySet())
            asked.put(e.getKey(), ask(e.getValue(), start, end, step));
        asked.put("users", ask(USERS, start, end, step));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        TreeMap<Long, Map<String, Double>> totals = new TreeMap<>();
        TreeMap<Long, Map<String, Integer>> users = new TreeMap<>();
        try {
            for (Map.Entry<String, CompletableFuture<HttpResponse<String>>> e : asked.entrySet()) {
                HttpResponse<String> r;
                try {
                    r = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException t) {
                    throw new IOException("no answer within " + TIMEOUT.toSeconds() + " s");
                } catch (ExecutionException x) {
                    Throwable why = x.getCause() == null ? x : x.getCause();
                    // the JDK's client often gives no message ("ConnectException" alone says it)
                    String what =
                            why.getClass().getSimpleName() + (why.getMessage() == null ? "" : ": " + why.getMessage());
                    throw new IOException("unreachable (" + what + ")", why);
                }
                List<Series> result = matrix(r);
                if (e.getKey().equals("users")) {
                    for (Series s : result) {
                        String user = s.labels().getOrDefault("username", "");
                        s.points().forEach((t, v) -> {
                            if (Double.isFinite(v))
                                users.computeIfAbsent(t, k -> new TreeMap<>()).put(user, (int) Math.round(v));
                        });
                    }
                } else {
                    // a series without a figure at a time (NaN: a stale or missing one) adds nothing
                    for (Series s : result)
                        s.points().forEach((t, v) -> {
                            Map<String, Double> at = totals.computeIfAbsent(t, k -> new HashMap<>());
                            if (Double.isFinite(v)) at.merge(e.getKey(), v, Double::sum);
                        });
                }
            }
        } catch (InterruptedException i) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", i);
        } finally {
            for (CompletableFuture<?> f : asked.values()) f.cancel(true);
        }
        List<History.Sample> out = new ArrayList<>();
        for (Map.Entry<Long, Map<String, Double>> e : totals.entrySet()) {
            Map<String, Double> v = e.getValue();
            Map<String, Integer> byUser = new TreeMap<>(users.getOrDefault(e.getKey(), Map.of()));
            byUser.values().removeIf(n -> n <= 0);
            out.add(new History.Sample(
                    e.getKey(),
                    (int) figure(v, "cpus"),
                    (int) figure(v, "cpus_allocated"),
                    figure(v, "memory_mib"),
                    figure(v, "memory_allocated_mib"),
                    (int) figure(v, "gpus"),
                    (int) figure(v, "gpus_allocated"),
                    (int) figure(v, "running"),
                    (int) figure(v, "pending"),
                    History.largest(byUser)));
        }
        return out;
    }

    private static long figure(Map<String, Double> v, String name) {
        Double d = v.get(name);
        return d == null || !Double.isFinite(d) ? 0 : Math.round(d);
    }

    private CompletableFuture<HttpResponse<String>> ask(String query, long start, long end, long step) {
        String q = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + start + "&end=" + end
                + "&step=" + step;
        HttpRequest req = HttpRequest.newBuilder(base.resolve("api/v1/query_range?" + q))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** One series of a range query: its labels and its points by time. */
    record Series(Map<String, String> labels, Map<Long, Double> points) {}

    /** A query_range answer's series: {"status": "success", "data": {"resultType": "matrix", "result": [...]}}. */
    static List<Series> matrix(HttpResponse<String> r) throws IOException {
        Object doc;
        try {
            doc = JsonReader.read(r.body());
        } catch (JsonReader.JsonException e) {
            throw new IOException("it answered " + r.statusCode() + " with no JSON");
        }
        if (!(doc instanceof Map<?, ?> m)) throw new IOException("it answered " + r.statusCode() + " with no object");
        if (r.statusCode() != 200 || !"success".equals(m.get("status")))
            throw new IOException(
                    "it answered " + r.statusCode() + (m.get("error") == null ? "" : ": " + m.get("error")));
        if (!(m.get("data") instanceof Map<?, ?> data)
                || !"matrix".equals(data.get("resultType"))
                || !(data.get("result") instanceof List<?> result))
            throw new IOException("its answer is not a range query's matrix");
        List<Series> out = new ArrayList<>();
        for (Object o : result) {
            if (!(o instanceof Map<?, ?> s) || !(s.get("values") instanceof List<?> values))
                throw new IOException("its answer has a series without values");
            Map<String, String> labels = new HashMap<>();
            if (s.get("metric") instanceof Map<?, ?> metric)
                metric.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
            Map<Long, Double> points = new TreeMap<>();
            for (Object p : values) {
                // [1700000000, "3"] or [1700000000.5, "NaN"]: the time a number, the value a string
                if (!(p instanceof List<?> pair)
                        || pair.size() != 2
                        || !(pair.get(0) instanceof Number t)
                        || !(pair.get(1) instanceof String v))
                    throw new IOException("its answer has a point that is not [time, \"value\"]");
                double value;
                try {
                    // Prometheus writes infinities as +Inf and -Inf, which Java's parser does not take
                    value = v.endsWith("Inf") ? Double.NaN : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IOException("its answer has a value that is not a number: " + v);
                }
                points.put((long) Math.floor(t.doubleValue()), value);
            }
            out.add(new Series(labels, points));
        }
        return out;
    }
}
