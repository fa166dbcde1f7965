package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics against Debian's Prometheus: promtool checks each endpoint, a throwaway Prometheus
 * finds the controller and the agent through the controller's service discovery, scrapes them,
 * and its API shows the expected series with the values the test made; the shipped alert rules
 * pass promtool's checks and unit tests, and every Grafana panel's query runs on that Prometheus.
 */
class MetricsIT {
    static final Path MONITORING = TestCluster.REPO.resolve("dist/monitoring");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static void needPrometheus() {
        Assumptions.assumeTrue(
                new File("/usr/bin/promtool").canExecute() && new File("/usr/bin/prometheus").canExecute(),
                "Debian's prometheus package is not installed (scripts/setup-test-host installs it)");
    }

    static HttpClient trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static String get(HttpClient client, URI uri) throws Exception {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", uri, r.body()).isEqualTo(200);
        return r.body();
    }

    /** promtool check metrics on {@code text}: the exit code and what it said. */
    static TestCluster.Run promtoolCheckMetrics(String text) {
        return TestCluster.run(new ProcessBuilder("/usr/bin/promtool", "check", "metrics"), text);
    }

    /** An instant query through Prometheus's API: the result vector (empty when nothing matches). */
    static JsonNode query(HttpClient client, int port, String promql) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("status").asText())
                .as("query %s: %s", promql, r.body())
                .isEqualTo("success");
        return answer.path("data").path("result");
    }

    static double single(HttpClient client, int port, String promql) throws Exception {
        JsonNode result = query(client, port, promql);
        assertThat(result).as("one series for %s", promql).hasSize(1);
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    @Test
    void prometheusDiscoversScrapesAndAlertsOnTheClusterAndEveryDashboardQueryRuns() throws Exception {
        needPrometheus();
        int agentMetrics = TestCluster.freePort();
        Process prometheus = null;
        try (TestCluster c = new TestCluster(dir, "HttpPort=0\nAgentMetricsPort=" + agentMetrics + "\n")) {
            c.startController();
            c.startAgent("n1", 2, "1G");
            c.awaitNodesUp("n1");
            long running = c.submit("--wrap", "sleep 120");
            long held = c.submit("--hold", "--wrap", "true");
            c.awaitState(running, "RUNNING", Duration.ofSeconds(30));
            assertThat(c.state(held)).isEqualTo("PENDING");

            // the controller's port: HTTPS with the cluster CA's certificate, its URL in run/http.url
            URI base =
                    URI.create(Files.readString(c.home.resolve("run/http.url")).strip());
            assertThat(base.getScheme()).isEqualTo("https");
            Path ca = c.home.resolve("etc/tls/ca.crt");
            HttpClient https = trusting(ca);
            String controllerText = get(https, base.resolve("/metrics"));
            assertThat(controllerText).contains("slurm_nodes 1.0").contains("slurm_jobs_running 1.0");
            TestCluster.Run check = promtoolCheckMetrics(controllerText);
            assertThat(check.rc())
                    .as("promtool check metrics (controller): %s%s", check.out(), check.err())
                    .isZero();

            URI agent = URI.create(
                    Files.readString(c.home.resolve("run/metrics-n1.url")).strip());
            assertThat(agent.getPort()).isEqualTo(agentMetrics);
            String agentText = get(HttpClient.newHttpClient(), agent.resolve("/metrics"));
            assertThat(agentText).contains("motley_job_cpus{jobid=\"" + running + "\"}");
            check = promtoolCheckMetrics(agentText);
            assertThat(check.rc())
                    .as("promtool check metrics (agent): %s%s", check.out(), check.err())
                    .isZero();

            // a throwaway Prometheus that finds both through the controller's /metrics/targets
            int port = TestCluster.freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - %s
                    scrape_configs:
                      - job_name: motley
                        tls_config:
                          ca_file: %s
                        http_sd_configs:
                          - url: %s
                            refresh_interval: 1s
                            tls_config:
                              ca_file: %s
                    """.formatted(
                    MONITORING.resolve("prometheus/motley-alerts.yml"), ca, base.resolve("/metrics/targets"), ca));
            check = TestCluster.run(
                    new ProcessBuilder("/usr/bin/promtool", "check", "config", config.toString()), null);
            assertThat(check.rc()).as(check.out() + check.err()).isZero();
            prometheus = new ProcessBuilder(
                            "/usr/bin/prometheus",
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("tsdb"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            HttpClient api = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .untilAsserted(() -> {
                        assertThat(single(api, port, "up{motley_role=\"controller\"}"))
                                .isEqualTo(1);
                        assertThat(single(api, port, "up{motley_role=\"agent\",motley_node=\"n1\"}"))
                                .isEqualTo(1);
                        assertThat(single(api, port, "motley_agent_jobs_running"))
                                .isEqualTo(1);
                    });
            assertThat(single(api, port, "slurm_nodes")).isEqualTo(1);
            assertThat(single(api, port, "slurm_jobs_running")).isEqualTo(1);
            assertThat(single(api, port, "slurm_jobs_hold")).isEqualTo(1);
            assertThat(single(api, port, "slurm_node_cpus{node=\"n1\"}")).isEqualTo(2);
            assertThat(single(api, port, "slurm_node_cpus_alloc{node=\"n1\"}")).isEqualTo(1);
            assertThat(single(api, port, "slurm_cpus")).isEqualTo(2);
            assertThat(single(api, port, "slurm_node_memory_bytes{node=\"n1\"}"))
                    .isEqualTo(1024.0 * 1024 * 1024);
            assertThat(single(api, port, "sum(motley_jobs_pending_by_reason{reason=~\"JobHeld.*\"})"))
                    .isEqualTo(1);
            assertThat(single(api, port, "motley_database_up")).isEqualTo(1);
            assertThat(single(api, port, "slurm_rpc_stats{operation=\"submit\"}"))
                    .isGreaterThanOrEqualTo(2);
            assertThat(single(api, port, "slurm_schedule_cycle_cnt")).isGreaterThanOrEqualTo(1);
            assertThat(single(api, port, "motley_certificate_expiry_timestamp_seconds{certificate=\"http\"} - time()"))
                    .isGreaterThan(86400);
            assertThat(single(api, port, "motley_job_cpus{jobid=\"" + running + "\"}"))
                    .isEqualTo(1);
            assertThat(single(api, port, "motley_job_memory_limit_bytes{jobid=\"" + running + "\"}"))
                    .isPositive();
            // the rules are loaded and evaluated: nothing is wrong with this cluster
            JsonNode alerts = JSON.readTree(get(api, URI.create("http://127.0.0.1:" + port + "/api/v1/rules")));
            assertThat(alerts.path("data").path("groups").get(0).path("rules")).hasSize(6);
            assertThat(query(api, port, "ALERTS{alertstate=\"firing\"}")).isEmpty();

            dashboardsQueryWithoutError(api, port);
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
    }

    /** Each dashboard has the structure Grafana provisions, and each panel's query runs on the test Prometheus. */
    static void dashboardsQueryWithoutError(HttpClient api, int port) throws Exception {
        List<Path> boards;
        try (Stream<Path> s = Files.list(MONITORING.resolve("grafana/dashboards"))) {
            boards = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(boards)
                .extracting(p -> p.getFileName().toString())
                .containsExactly("cluster-overview.json", "nodes.json", "scheduler.json", "users-accounts.json");
        List<String> uids = new ArrayList<>();
        int queries = 0;
        for (Path board : boards) {
            JsonNode d = JSON.readTree(board.toFile());
            String name = board.getFileName().toString();
            assertThat(d.path("title").asText()).as(name).startsWith("Motley / ");
            uids.add(d.path("uid").asText());
            JsonNode variables = d.path("templating").path("list");
            assertThat(variables).as(name + " datasource variable").anySatisfy(v -> {
                assertThat(v.path("name").asText()).isEqualTo("datasource");
                assertThat(v.path("type").asText()).isEqualTo("datasource");
                assertThat(v.path("query").asText()).isEqualTo("prometheus");
            });
            JsonNode panels = d.path("panels");
            assertThat(panels.size()).as(name + " panels").isGreaterThanOrEqualTo(4);
            List<Integer> ids = new ArrayList<>();
            for (JsonNode p : panels) {
                String title = name + " / " + p.path("title").asText();
                ids.add(p.path("id").asInt());
                assertThat(p.path("type").asText()).as(title).isIn("stat", "timeseries", "table", "bargauge", "gauge");
                assertThat(p.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
                JsonNode grid = p.path("gridPos");
                assertThat(grid.path("w").asInt()).as(title).isBetween(1, 24);
                assertThat(grid.path("x").asInt() + grid.path("w").asInt())
                        .as(title)
                        .isLessThanOrEqualTo(24);
                assertThat(p.path("targets").size()).as(title + " targets").isPositive();
                for (JsonNode t : p.path("targets")) {
                    String expr = t.path("expr").asText();
                    assertThat(expr).as(title).isNotBlank();
                    assertThat(t.path("refId").asText()).as(title).isNotBlank();
                    // Grafana's own variables, as it would fill them in
                    String promql = expr.replace("$__rate_interval", "1m").replace("$__interval", "15s");
                    assertThat(promql).as(title).doesNotContain("$");
                    query(api, port, promql);
                    queries++;
                }
            }
            assertThat(ids).as(name + " panel ids").doesNotHaveDuplicates();
        }
        assertThat(uids).doesNotHaveDuplicates();
        assertThat(queries).isGreaterThan(40);
    }

    @Test
    void theShippedAlertRulesPassPromtoolsChecksAndUnitTestsAndTheScrapeConfigIsValid() {
        needPrometheus();
        Path prom = MONITORING.resolve("prometheus");
        for (List<String> cmd : List.of(
                List.of("/usr/bin/promtool", "check", "rules", "motley-alerts.yml"),
                List.of("/usr/bin/promtool", "test", "rules", "motley-alerts.test.yml"),
                List.of("/usr/bin/promtool", "check", "config", "--syntax-only", "motley.yml"))) {
            TestCluster.Run r = TestCluster.run(new ProcessBuilder(cmd).directory(prom.toFile()), null);
            assertThat(r.rc())
                    .as(String.join(" ", cmd) + ": " + r.out() + r.err())
                    .isZero();
        }
    }
}
