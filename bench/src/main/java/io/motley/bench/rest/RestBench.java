package io.motley.bench.rest;

import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.rest.RestApi;
import io.motley.controller.rest.RestRoute;
import io.motley.controller.rest.Tokens;
import io.motley.controller.rest.Users;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.pki.CertificateAuthority;
import io.motley.pki.http.WebServer;
import io.motley.protocol.link.TlsCredentials;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The REST API's figures on the controller's own server: {@link RestApi} behind {@link RestRoute}
 * on the {@link WebServer} over HTTPS with a certificate of a throwaway cluster CA (as the
 * controller serves it), over the controller's Cluster and the embedded SQLite store
 * (synchronous=FULL) in a temporary directory. CLIENTS clients, each on its own keep-alive
 * HTTP/1.1 connection and waiting for each answer: first LIST jobs are submitted, then the job
 * listing (GET /slurm/v0.0.40/jobs) is timed plain and gzipped, with the bytes of an answer and the
 * heap it took, then COUNT submissions (every answered id durable: the store commits before the
 * API answers) with the latency's median and p99. {@code RestBench [COUNT [CLIENTS [LIST]]]}.
 * Prints figures only.
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
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("bench", now, Duration.ofDays(1));
        TlsCredentials cert = ca.issueWebServer(List.of("127.0.0.1", "localhost"), now, Duration.ofDays(1));
        SSLContext trust = trusting(ca);
        try (Store store = Store.open(config, home)) {
            Cluster cluster = new Cluster(config, store, () -> System.currentTimeMillis() / 1000);
            Tokens tokens =
                    Tokens.loadOrCreate(home.resolve("state/jwt_hs256.key"), () -> System.currentTimeMillis() / 1000);
            RestApi api = new RestApi(
                    cluster, tokens, Users.of(Map.of(), Map.of()), "bench", () -> System.currentTimeMillis() / 1000);
            try (WebServer server = WebServer.start(
                    "127.0.0.1",
                    0,
                    WebServer.tlsContext(cert.key(), cert.certificate(), cert.ca()),
                    WebServer.DEFAULT_MAX_BODY)) {
                RestRoute route = new RestRoute(api);
                server.mount("/slurm/", route).mount("/slurmdb/", route);
                String base = server.baseUrl() + "/slurm/v0.0.40/";
                String token = tokens.issue(new Caller(1000, 1000, "bench", List.of("bench")), 3600);
                System.out.printf(
                        Locale.ROOT,
                        "%s, %d cores, load average %.1f, max heap %,d MiB%n",
                        server.baseUrl(),
                        Runtime.getRuntime().availableProcessors(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        Runtime.getRuntime().maxMemory() >> 20);
                // LIST jobs (the fill warms the path up), the listing over them, then COUNT submissions
                Load fill = new Load("POST", "job/submit", false);
                run("fill", base, token, trust, fill, listed, clients, false);
                String jobs = cluster.jobs().size() + " jobs";
                run("list " + jobs, base, token, trust, new Load("GET", "jobs", false), clients * 5, clients, true);
                run(
                        "list " + jobs + " gzip",
                        base,
                        token,
                        trust,
                        new Load("GET", "jobs", true),
                        clients * 5,
                        clients,
                        true);
                run("submit", base, token, trust, fill, count, clients, true);
                System.out.printf(
                        Locale.ROOT,
                        "load average after: %.1f%n",
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
    }

    /** One kind of request: method, path below /slurm/v0.0.40/, and whether it asks for gzip. */
    record Load(String method, String path, boolean gzip) {}

    static SSLContext trusting(CertificateAuthority ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /** Samples the heap in use every 5 ms while a run lasts: what the answers took beyond the heap before. */
    static final class HeapSampler implements AutoCloseable {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread;
        private volatile boolean done;
        final long before;

        HeapSampler() {
            System.gc();
            before = memory.getHeapMemoryUsage().getUsed();
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (!done) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long peakAbove() {
            return Math.max(0, peak.get() - before);
        }

        @Override
        public void close() throws InterruptedException {
            done = true;
            thread.join();
        }
    }

    /**
     * {@code total} requests from {@code clients} threads, each with its own connection; prints rate,
     * latency, the bytes of an answer as sent, and the heap in use at most beyond what was in use
     * before (server and clients: the clients count the answer's bytes and keep none).
     */
    static void run(
            String what, String base, String token, SSLContext trust, Load load, int total, int clients, boolean print)
            throws Exception {
        AtomicInteger left = new AtomicInteger(total);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        AtomicLong bytes = new AtomicLong();
        long start;
        long heap;
        long before;
        try (HeapSampler sampler = new HeapSampler()) {
            before = sampler.before;
            start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    try (HttpClient client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .sslContext(trust)
                            .build()) {
                        long[] lat = new long[total];
                        int n = 0;
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + load.path()))
                                .header("X-SLURM-USER-TOKEN", token)
                                .method(
                                        load.method(),
                                        load.method().equals("POST")
                                                ? HttpRequest.BodyPublishers.ofString(BODY)
                                                : HttpRequest.BodyPublishers.noBody());
                        if (load.method().equals("POST")) b.header("Content-Type", "application/json");
                        if (load.gzip()) b.header("Accept-Encoding", "gzip");
                        HttpRequest req = b.build();
                        byte[] buffer = new byte[64 * 1024];
                        while (left.getAndDecrement() > 0) {
                            long t0 = System.nanoTime();
                            HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                            long size = 0;
                            try (InputStream in = r.body()) {
                                for (int k; (k = in.read(buffer)) >= 0; ) size += k;
                            }
                            lat[n++] = System.nanoTime() - t0;
                            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
                            if (load.gzip()
                                    && !r.headers()
                                            .firstValue("Content-Encoding")
                                            .orElse("")
                                            .equals("gzip"))
                                throw new IllegalStateException("gzip asked for, not given");
                            bytes.set(size);
                        }
                        return Arrays.copyOf(lat, n);
                    }
                }));
            }
            for (Future<long[]> f : results) f.get();
            heap = sampler.peakAbove();
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : results) for (long l : f.get()) all.add(l);
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (!print) return;
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "%s: %d clients, %,d requests in %.2f s = %,.1f/s; latency median %.2f ms, p99 %.2f ms, max %.2f ms;"
                        + " answer %,d bytes; heap at most %,d MiB above the %,d MiB before%n",
                what,
                clients,
                sorted.length,
                secs,
                sorted.length / secs,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                sorted[sorted.length - 1] / 1e6,
                bytes.get(),
                heap >> 20,
                before >> 20);
    }
}
