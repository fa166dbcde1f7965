package io.motley.bench.metrics;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.controller.metrics.ClusterMetrics;
import io.motley.controller.metrics.MetricsRoute;
import io.motley.controller.metrics.RpcStatistics;
import io.motley.controller.store.MemoryStore;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.pki.http.WebServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scrape time and size of the controller's /metrics with NODES nodes and JOBS jobs in view: a
 * Cluster filled through its own submit and one scheduling pass (NODES 8-CPU nodes in 4
 * partitions that each hold them all, jobs of one CPU from 200 users, so most run and the rest wait for resources), its
 * /metrics served by the controller's own WebServer and MetricsRoute on loopback and fetched
 * with the JDK's HTTP client, as Prometheus would. Prints figures only. Usage:
 * {@code bench/jmh --metrics [NODES [JOBS [SCRAPES]]]} (default 10,000, 100,000, 20).
 */
public final class MetricsScale {
    private MetricsScale() {}

    private record Silent(String node) implements AgentChannel {
        @Override
        public void launch(Job job) {}

        @Override
        public void kill(long jobId, int run, KillReason why) {}

        @Override
        public void acknowledge(long jobId, int run) {}

        @Override
        public void registered(long heartbeatSeconds) {}

        @Override
        public void close() {}
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int scrapes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        // four partitions over all the nodes: a partition naming its nodes is a list that submission's
        // admission check searches once per node (Partition.contains), 10,000 x 2,500 per job at this size
        StringBuilder conf = new StringBuilder("ClusterName=bench\n");
        for (int p = 0; p < 4; p++)
            conf.append("PartitionName=p")
                    .append(p)
                    .append(" Nodes=ALL")
                    .append(p == 0 ? " Default=YES" : "")
                    .append('\n');
        Cluster cluster = new Cluster(
                ClusterConfig.parse(conf.toString()), new MemoryStore(), () -> System.currentTimeMillis() / 1000);
        for (int i = 0; i < nodes; i++) {
            String name = String.format(Locale.ROOT, "n%05d", i);
            cluster.register(
                    new Silent(name),
                    new AgentReport.Registration(Node.of(name, 8, 64_000), 8, 64_000, List.of(), List.of()));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            int user = i % 200;
            JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/home/u" + user)
                    .name("j")
                    .cpusPerTask(1)
                    .partitions("p" + (i % 4))
                    .submitHost("h")
                    .build();
            if (!(cluster.submit(r, new Caller(1000 + user, 1000, "user" + user, List.of()))
                    instanceof Submission.Accepted)) throw new IllegalStateException("submission refused");
        }
        System.out.printf(Locale.ROOT, "%,d jobs submitted in %,d ms%n", jobs, (System.nanoTime() - t0) / 1_000_000);
        t0 = System.nanoTime();
        cluster.schedulePass();
        long runningJobs = cluster.jobs().stream()
                .filter(j -> j.state() == JobState.RUNNING)
                .count();
        System.out.printf(
                Locale.ROOT,
                "one pass in %,d ms: %,d jobs running, %,d pending, on %,d nodes%n",
                (System.nanoTime() - t0) / 1_000_000,
                runningJobs,
                jobs - runningJobs,
                nodes);

        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(cluster, () -> System.currentTimeMillis() / 1000, Map::of));
        RpcStatistics rpc = new RpcStatistics(op -> true);
        for (String op : List.of("submit", "queue", "nodes", "cancel", "ping")) rpc.answered(op, 1_000_000);
        registry.register(rpc);
        WebServer web = WebServer.start("127.0.0.1", 0, null, 4096);
        web.mount("/metrics", new MetricsRoute(registry));
        HttpClient client = HttpClient.newHttpClient();
        URI uri = web.baseUrl().resolve("/metrics");
        List<Long> times = new ArrayList<>();
        byte[] body = null;
        for (int i = 0; i < scrapes + 5; i++) {
            long s = System.nanoTime();
            HttpResponse<byte[]> r =
                    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - s;
            if (r.statusCode() != 200) throw new IllegalStateException("scrape answered " + r.statusCode());
            body = r.body();
            if (i >= 5) times.add(took); // the first five warm the JIT
        }
        // as Prometheus scrapes: it always sends Accept-Encoding: gzip, and the server then compresses
        List<Long> gzipTimes = new ArrayList<>();
        long gzipBytes = 0;
        for (int i = 0; i < scrapes; i++) {
            long s = System.nanoTime();
            HttpResponse<byte[]> r = client.send(
                    HttpRequest.newBuilder(uri)
                            .header("Accept-Encoding", "gzip")
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            gzipTimes.add(System.nanoTime() - s);
            if (r.statusCode() != 200) throw new IllegalStateException("scrape answered " + r.statusCode());
            if (!r.headers().firstValue("Content-Encoding").orElse("").equals("gzip"))
                throw new IllegalStateException("the scrape was not gzipped");
            gzipBytes = r.body().length;
        }
        web.close();
        Collections.sort(times);
        Collections.sort(gzipTimes);
        long series = 0;
        for (String line : new String(body, java.nio.charset.StandardCharsets.UTF_8).split("\n"))
            if (!line.isEmpty() && line.charAt(0) != '#') series++;
        System.out.printf(
                Locale.ROOT,
                "/metrics with %,d nodes and %,d jobs: %,d bytes, %,d series; scrape (HTTP GET, warm) median %,d ms,"
                        + " fastest %,d ms, slowest %,d ms over %d scrapes%n",
                nodes,
                jobs,
                body.length,
                series,
                times.get(times.size() / 2) / 1_000_000,
                times.get(0) / 1_000_000,
                times.get(times.size() - 1) / 1_000_000,
                times.size());
        System.out.printf(
                Locale.ROOT,
                "gzipped (Accept-Encoding: gzip, as Prometheus asks): %,d bytes; scrape median %,d ms, fastest %,d ms,"
                        + " slowest %,d ms over %d scrapes%n",
                gzipBytes,
                gzipTimes.get(gzipTimes.size() / 2) / 1_000_000,
                gzipTimes.get(0) / 1_000_000,
                gzipTimes.get(gzipTimes.size() - 1) / 1_000_000,
                gzipTimes.size());
    }
}
