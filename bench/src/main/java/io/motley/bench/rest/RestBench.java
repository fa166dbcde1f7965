package io.motley.bench.rest;

import com.sun.net.httpserver.HttpServer;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.rest.RestApi;
import io.motley.controller.rest.RestHttpHandler;
import io.motley.controller.rest.Tokens;
import io.motley.controller.rest.Users;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The REST API's figures: job submissions per second from CLIENTS concurrent clients, each on its
 * own keep-alive HTTP/1.1 connection and waiting for its answer (every answered id durable: the
 * store commits before the API answers), with the latency's median and p99; then job listing
 * (GET /slurm/v0.0.40/jobs) with LIST jobs in the controller. The API runs in this JVM behind the
 * JDK's HTTP server on loopback, over the controller's Cluster and the embedded SQLite store
 * (synchronous=FULL) in a temporary directory: {@code RestBench [COUNT [CLIENTS [LIST]]]}.
 * Plain HTTP: the controller's HTTPS server is not part of this module yet. Prints figures only.
 */
public final class RestBench {
    private RestBench() {}

    static final String BODY = "{\"script\":\"#!/bin/sh\\ntrue\\n\",\"job\":{\"name\":\"bench\","
            + "\"current_working_directory\":\"/tmp\",\"environment\":[\"PATH=/usr/bin:/bin\"],\"time_limit\":10}}";

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int listed = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        Path home = Files.createTempDirectory("motley-rest-bench");
        ClusterConfig config = ClusterConfig.parse("MinJobAge=86400\n");
        try (Store store = Store.open(config, home)) {
            Cluster cluster = new Cluster(config, store, () -> System.currentTimeMillis() / 1000);
            Tokens tokens =
                    Tokens.loadOrCreate(home.resolve("state/jwt_hs256.key"), () -> System.currentTimeMillis() / 1000);
            RestApi api = new RestApi(
                    cluster, tokens, Users.of(Map.of(), Map.of()), "bench", () -> System.currentTimeMillis() / 1000);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            RestHttpHandler handler = new RestHttpHandler(api);
            server.createContext("/slurm/", handler);
            ExecutorService serverThreads = Executors.newFixedThreadPool(Math.max(16, clients * 2));
            server.setExecutor(serverThreads);
            server.start();
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/slurm/v0.0.40/";
            String token = tokens.issue(new Caller(1000, 1000, "bench", List.of("bench")), 3600);
            try {
                // the listing first, over exactly LIST jobs (the fill warms the path up), then COUNT submissions
                run("fill", base, token, "POST", "job/submit", listed, clients, false);
                run("list " + cluster.jobs().size() + " jobs", base, token, "GET", "jobs", clients * 5, clients, true);
                run("submit", base, token, "POST", "job/submit", count, clients, true);
            } finally {
                server.stop(0);
                serverThreads.shutdownNow();
            }
        }
    }

    /** {@code total} requests from {@code clients} threads, each with its own connection; prints rate and latency. */
    static void run(
            String what, String base, String token, String method, String path, int total, int clients, boolean print)
            throws Exception {
        AtomicInteger left = new AtomicInteger(total);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        long[] bytes = new long[1];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                try (HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build()) {
                    long[] lat = new long[total];
                    int n = 0;
                    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                            .header("X-SLURM-USER-TOKEN", token)
                            .header("Content-Type", "application/json")
                            .method(
                                    method,
                                    method.equals("POST")
                                            ? HttpRequest.BodyPublishers.ofString(BODY)
                                            : HttpRequest.BodyPublishers.noBody())
                            .build();
                    while (left.getAndDecrement() > 0) {
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        lat[n++] = System.nanoTime() - t0;
                        if (r.statusCode() != 200)
                            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
                        synchronized (bytes) {
                            bytes[0] = r.body().length;
                        }
                    }
                    return Arrays.copyOf(lat, n);
                }
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : results) for (long l : f.get()) all.add(l);
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (!print) return;
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "%s: %d clients, %,d requests in %.2f s = %,.0f/s; latency median %.2f ms, p99 %.2f ms, max %.2f ms;"
                        + " answer %,d bytes%n",
                what,
                clients,
                sorted.length,
                secs,
                sorted.length / secs,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                sorted[sorted.length - 1] / 1e6,
                bytes[0]);
    }
}
