package io.motley.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.agent.launch.JobLauncher.RunUse;
import io.motley.core.job.Usage;
import io.motley.pki.http.WebServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
    static double value(String text, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("series %s in%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    static AgentMetrics.Sources sources(List<RunUse> runs, String health, String gpus) {
        return new AgentMetrics.Sources(
                "n1",
                "0.1.0",
                "CGROUP1",
                1_000,
                () -> runs,
                () -> health,
                true,
                () -> gpus,
                () -> 0.75,
                () -> 2048,
                () -> true,
                () -> Map.of("node", 5_000L));
    }

    @Test
    void servesEachJobsUseTheNodesGpusContainmentAndHealthOverHttp() throws Exception {
        RunUse run = new RunUse(42, "cgroup1", 2, 1024, new Usage(512 * 1024, 0, 1500, 500), 1, List.of(0));
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(
                new AgentMetrics(sources(List.of(run), "fail:disk full", "0:util=37%,mem=100MiB;1:util=0%,mem=0MiB")));
        WebServer web = MetricsPort.start("127.0.0.1", 0, registry);
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(web.baseUrl().resolve("/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            String text = r.body();
            assertThat(value(text, "motley_agent_jobs_running")).isEqualTo(1);
            assertThat(value(text, "motley_job_cpus{jobid=\"42\"}")).isEqualTo(2);
            assertThat(value(text, "motley_job_memory_limit_bytes{jobid=\"42\"}"))
                    .isEqualTo(1024.0 * 1024 * 1024);
            assertThat(value(text, "motley_job_memory_max_rss_bytes{jobid=\"42\"}"))
                    .isEqualTo(512.0 * 1024 * 1024);
            assertThat(value(text, "motley_job_cpu_seconds_total{jobid=\"42\"}"))
                    .isEqualTo(2.0);
            assertThat(value(text, "motley_job_oom_kills{jobid=\"42\"}")).isEqualTo(1);
            assertThat(value(text, "motley_job_gpus{jobid=\"42\"}")).isEqualTo(1);
            assertThat(value(text, "motley_job_containment{containment=\"cgroup1\",jobid=\"42\"}"))
                    .isEqualTo(1);
            assertThat(value(text, "motley_agent_health_check_ok")).isZero();
            assertThat(value(text, "motley_gpu_utilization_ratio{gpu=\"0\"}")).isEqualTo(0.37);
            assertThat(value(text, "motley_gpu_memory_used_bytes{gpu=\"0\"}")).isEqualTo(100.0 * 1024 * 1024);
            assertThat(value(text, "motley_node_memory_free_bytes")).isEqualTo(2048.0 * 1024 * 1024);
            assertThat(value(text, "motley_agent_controller_connected")).isEqualTo(1);
            assertThat(value(text, "motley_certificate_expiry_timestamp_seconds{certificate=\"node\"}"))
                    .isEqualTo(5000);
            assertThat(text).contains("motley_agent_info{containment=\"CGROUP1\",node=\"n1\",version=\"0.1.0\"} 1");
        } finally {
            web.close();
        }
    }

    @Test
    void aHealthCheckThatHasNotFinishedYetHasNoVerdictAndAPassingOneIsOne() {
        PrometheusRegistry none = new PrometheusRegistry();
        none.register(new AgentMetrics(sources(List.of(), null, "")));
        assertThat(none.scrape().stream().map(m -> m.getMetadata().getPrometheusName()))
                .doesNotContain("motley_agent_health_check_ok")
                .contains("motley_agent_jobs_running");
        PrometheusRegistry ok = new PrometheusRegistry();
        ok.register(new AgentMetrics(sources(List.of(), "ok", "")));
        assertThat(ok.scrape().stream()
                        .filter(m -> m.getMetadata().getPrometheusName().equals("motley_agent_health_check_ok"))
                        .findFirst()
                        .orElseThrow()
                        .getDataPoints()
                        .get(0))
                .extracting(p ->
                        ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p).getValue())
                .isEqualTo(1.0);
    }
}
