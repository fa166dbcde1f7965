package io.motley.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.controller.store.MemoryStore;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.KillReason;
import io.motley.pki.http.HttpRoute;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What /metrics says about a small cluster whose state the test made, read back from the text format. */
class ClusterMetricsTest {
    final AtomicLong now = new AtomicLong(1_000_000);

    record Link(String node) implements AgentChannel {
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

    static JobRequest req(int cpus) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .cpusPerTask(cpus)
                .submitHost("h")
                .build();
    }

    static void submit(Cluster c, JobRequest r, int uid, String user) {
        Submission s = c.submit(r, new Caller(uid, uid, user, null));
        assertThat(s).isInstanceOf(Submission.Accepted.class);
    }

    static String scrape(PrometheusRegistry registry) throws Exception {
        HttpRoute.Response r = new MetricsRoute(registry)
                .handle(new HttpRoute.Request(
                        "GET", "/metrics", "", Map.of(), new byte[0], new InetSocketAddress(0), false));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain; version=0.0.4");
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The value of the one series written exactly as {@code series} (name and labels). */
    static double value(String text, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("series %s in%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void jobsNodesPartitionsUsersAndTheSchedulerAreCountedUnderSlurmsNames() throws Exception {
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10"), new MemoryStore(), now::get);
        c.register(new Link("n1"), new AgentReport.Registration(Node.of("n1", 2, 4000), 2, 4000, List.of(), List.of()));
        c.register(new Link("n2"), new AgentReport.Registration(Node.of("n2", 2, 4000), 2, 4000, List.of(), List.of()));
        assertThat(c.updateNode("n2", "DRAIN", "fan", Caller.uid(0))).isEmpty();
        submit(c, req(1), 1001, "alice");
        submit(c, req(1), 1001, "alice");
        submit(c, req(2), 1002, "bob");
        c.schedulePass();
        now.addAndGet(90);

        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(c, now::get, () -> Map.of("ca", 2_000_000L)));
        String text = scrape(registry);

        assertThat(value(text, "slurm_jobs")).isEqualTo(3);
        assertThat(value(text, "slurm_jobs_running")).isEqualTo(2);
        assertThat(value(text, "slurm_jobs_pending")).isEqualTo(1);
        assertThat(value(text, "slurm_jobs_cpus_alloc")).isEqualTo(2);
        assertThat(value(text, "slurm_user_jobs_running{username=\"alice\"}")).isEqualTo(2);
        assertThat(value(text, "slurm_user_jobs_pending{username=\"bob\"}")).isEqualTo(1);
        assertThat(value(text, "slurm_nodes")).isEqualTo(2);
        assertThat(value(text, "slurm_nodes_alloc")).isEqualTo(1);
        assertThat(value(text, "slurm_nodes_drained")).isEqualTo(1);
        assertThat(value(text, "slurm_node_cpus_alloc{node=\"n1\"}")).isEqualTo(2);
        assertThat(value(text, "slurm_node_cpus_idle{node=\"n2\"}")).isEqualTo(2);
        assertThat(value(text, "slurm_node_memory_bytes{node=\"n1\"}")).isEqualTo(4000.0 * 1024 * 1024);
        assertThat(value(text, "slurm_node_state{node=\"n2\",state=\"drained\"}"))
                .isEqualTo(1);
        assertThat(value(text, "motley_node_drained_by_health_check{node=\"n2\"}"))
                .isZero();
        assertThat(value(text, "slurm_cpus")).isEqualTo(4);
        assertThat(value(text, "slurm_cpus_alloc")).isEqualTo(2);
        assertThat(value(text, "slurm_partitions")).isEqualTo(1);
        assertThat(value(text, "slurm_partition_jobs_running{partition=\"main\"}"))
                .isEqualTo(2);
        assertThat(value(text, "slurm_partition_cpus{partition=\"main\"}")).isEqualTo(4);
        assertThat(value(text, "motley_jobs_pending_by_reason{reason=\"Resources\"}"))
                .isEqualTo(1);
        assertThat(value(text, "motley_jobs_pending_oldest_seconds{reason=\"Resources\"}"))
                .isEqualTo(90);
        assertThat(value(text, "slurm_schedule_cycle_cnt")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "slurm_sdiag_jobs_submitted")).isEqualTo(3);
        assertThat(value(text, "motley_database_up")).isEqualTo(1);
        assertThat(value(text, "motley_certificate_expiry_timestamp_seconds{certificate=\"ca\"}"))
                .isEqualTo(2_000_000);
        // bounded cardinality: no series is labelled by job
        assertThat(text).doesNotContainPattern("\\{[^}]*job(_?id)?=");
    }

    @Test
    void aNodeDrainedByItsHealthCheckIsToldFromAnOperatorsDrainAndADeadDatabaseIsSeen() throws Exception {
        MemoryStore store = new MemoryStore();
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10"), store, now::get);
        c.register(new Link("n1"), new AgentReport.Registration(Node.of("n1", 2, 4000), 2, 4000, List.of(), List.of()));
        c.heartbeat("n1", new AgentReport.Load(0.5, 1000, "", "fail:disk full", now.get() * 1000));
        store.failWith("the job database is unreachable");
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(c, now::get, Map::of));
        String text = scrape(registry);
        assertThat(value(text, "motley_node_drained_by_health_check{node=\"n1\"}"))
                .isEqualTo(1);
        assertThat(value(text, "motley_database_up")).isZero();
    }

    @Test
    void rpcCountsAndTimesAreKeptByKnownTypeAndEverythingElseIsUnknown() throws Exception {
        RpcStatistics rpc = new RpcStatistics(op -> op.equals("submit") || op.equals("queue"));
        rpc.answered("submit", 2_000_000);
        rpc.answered("submit", 4_000_000);
        rpc.answered("queue", 1_000_000);
        rpc.answered("made-up-" + System.nanoTime(), 1_000);
        rpc.answered("another-made-up", 1_000);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(rpc);
        String text = scrape(registry);
        assertThat(value(text, "slurm_rpc_stats{operation=\"submit\"}")).isEqualTo(2);
        assertThat(value(text, "slurm_rpc_stats_avg_time{operation=\"submit\"}"))
                .isEqualTo(3000);
        assertThat(value(text, "slurm_rpc_stats_total_time{operation=\"queue\"}"))
                .isEqualTo(1000);
        assertThat(value(text, "slurm_rpc_stats{operation=\"unknown\"}")).isEqualTo(2);
        assertThat(value(text, "slurm_rpc_duration_seconds_count{operation=\"submit\"}"))
                .isEqualTo(2);
        assertThat(value(text, "slurm_rpc_duration_seconds_bucket{operation=\"submit\",le=\"0.005\"}"))
                .isEqualTo(2);
        assertThat(text).doesNotContain("made-up");
    }

    @Test
    void theScrapeTargetsListTheControllerAndEachNodesAgentForHttpServiceDiscovery() {
        Node n1 = Node.of("n1", 2, 4000);
        ScrapeTargets none =
                new ScrapeTargets("lab", () -> java.net.URI.create("https://ctl:6919"), () -> List.of(n1), () -> -1);
        HttpRoute.Request get = new HttpRoute.Request(
                "GET", "/metrics/targets", "", Map.of(), new byte[0], new InetSocketAddress(0), true);
        assertThat(none.handle(get).bodyText())
                .isEqualTo("[{\"targets\":[\"ctl:6919\"],\"labels\":{\"__scheme__\":\"https\","
                        + "\"motley_role\":\"controller\",\"motley_cluster\":\"lab\"}}]\n");
        ScrapeTargets agents =
                new ScrapeTargets("lab", () -> java.net.URI.create("https://ctl:6919"), () -> List.of(n1), () -> 9817);
        assertThat(agents.handle(get).bodyText())
                .contains("{\"targets\":[\"n1:9817\"],\"labels\":{\"__scheme__\":\"http\",\"motley_role\":\"agent\","
                        + "\"motley_cluster\":\"lab\",\"motley_node\":\"n1\"}}");
        assertThat(ScrapeTargets.quote("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\u000a\"");
    }

    @Test
    void slurmsOwnPagesServeTheirPartAndOtherPathsAreNotFound() throws Exception {
        Cluster c = new Cluster(ClusterConfig.parse("NodeTimeout=10"), new MemoryStore(), now::get);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(c, now::get, Map::of));
        MetricsRoute route = new MetricsRoute(registry);
        java.util.function.Function<String, HttpRoute.Response> get = path -> {
            try {
                return route.handle(
                        new HttpRoute.Request("GET", path, "", Map.of(), new byte[0], new InetSocketAddress(0), false));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        String nodes = get.apply("/metrics/nodes").bodyText();
        assertThat(nodes).contains("slurm_nodes 0").contains("slurm_cpus 0").doesNotContain("slurm_jobs ");
        String jobs = get.apply("/metrics/jobs").bodyText();
        assertThat(jobs).contains("slurm_jobs 0").doesNotContain("slurm_nodes ").doesNotContain("slurm_user_");
        assertThat(get.apply("/metrics/scheduler").bodyText())
                .contains("slurm_schedule_cycle_cnt")
                .contains("slurm_bf_cycle_cnt")
                .doesNotContain("slurm_partition");
        assertThat(get.apply("/metrics/partitions").bodyText()).contains("slurm_partition_cpus{partition=\"main\"}");
        assertThat(get.apply("/metrics").bodyText()).contains("slurm_nodes 0").contains("slurm_jobs 0");
        assertThat(get.apply("/metrics/other").status()).isEqualTo(404);
    }
}
