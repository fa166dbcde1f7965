package io.motley.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.controller.rest.Tokens;
import io.motley.controller.store.MemoryStore;
import io.motley.core.accounts.Sacctmgr;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.KillReason;
import io.motley.pki.http.HttpRoute;
import io.motley.protocol.Message;
import io.motley.protocol.dataparser.JsonReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's route called directly: its pages, who may read and do what, and the JSON it answers. */
class DashboardTest {
    static final Caller ROOT = new Caller(0, 0, "root", List.of("root"));
    static final Caller ALICE = new Caller(1001, 1001, "alice", List.of("alice"));
    static final Caller BOB = new Caller(1002, 1002, "bob", List.of("bob"));

    final AtomicLong now = new AtomicLong(2_000_000_000L);
    Cluster cluster;
    Tokens tokens;
    Dashboard dashboard;
    /** What motley logs answers for the next read, and the files the fake reader holds. */
    Message.Answer logsAnswer;

    final List<String> fileReads = new ArrayList<>();

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

    @BeforeEach
    void start() {
        cluster = new Cluster(
                ClusterConfig.parse("ClusterName=lab\nNodeName=n1 CPUs=4 RealMemory=8000\n"
                        + "PartitionName=main Nodes=n1 Default=YES\n"),
                new MemoryStore(),
                now::get);
        cluster.register(
                new Link("n1"), new AgentReport.Registration(Node.of("n1", 4, 8000), 4, 8000, List.of(), List.of()));
        tokens = new Tokens("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), now::get);
        JobOutput output = new JobOutput(
                cluster::job, (id, stream, offset, max, caller) -> logsAnswer, (file, uid, gid, offset, max) -> {
                    fileReads.add(file + " uid=" + uid + " offset=" + offset);
                    return file.toString().endsWith("slurm-1.out")
                            ? Optional.of("hello\n".getBytes(StandardCharsets.UTF_8))
                            : Optional.empty();
                });
        dashboard = new Dashboard(cluster, tokens, new History(10), output);
    }

    HttpRoute.Response call(String method, String pathAndQuery, Caller who, String body) {
        int q = pathAndQuery.indexOf('?');
        Map<String, List<String>> headers =
                who == null ? Map.of() : Map.of("x-slurm-user-token", List.of(tokens.issue(who, 600)));
        return dashboard.handle(new HttpRoute.Request(
                method,
                q < 0 ? pathAndQuery : pathAndQuery.substring(0, q),
                q < 0 ? "" : pathAndQuery.substring(q + 1),
                headers,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress(0),
                true));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpRoute.Response r) {
        return (Map<String, Object>) JsonReader.read(r.bodyText());
    }

    long submit(Caller who) {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/home/" + who.user() + "/run")
                .name("j")
                .submitHost("h")
                .build();
        Submission s = cluster.submit(r, who);
        assertThat(s).isInstanceOf(Submission.Accepted.class);
        return ((Submission.Accepted) s).id();
    }

    // ---- pages --------------------------------------------------------------------------------

    @Test
    void thePageLoadsWithoutATokenAndNeedsNothingFromElsewhere() {
        HttpRoute.Response r = call("GET", "/", null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/html");
        assertThat(r.bodyText())
                .contains("<script src=\"app.js\"")
                .doesNotContain("http://")
                .doesNotContain("https://");
        assertThat(r.headers().get("Content-Security-Policy"))
                .contains("default-src 'self'")
                .contains("script-src 'self'");
        for (String asset : List.of("/app.js", "/style.css", "/favicon.svg", "/favicon.ico")) {
            HttpRoute.Response a = call("GET", asset, null, null);
            assertThat(a.status()).as(asset).isEqualTo(200);
            assertThat(a.bodyText()).as(asset).doesNotContain("https://").doesNotContain("//cdn");
        }
    }

    @Test
    void onlyTheBundledFilesAreServed() {
        for (String path : List.of("/etc/passwd", "/../pom.xml", "/dashboard/app.js", "/index.htm", "/app.js/"))
            assertThat(call("GET", path, null, null).status()).as(path).isEqualTo(404);
        assertThat(call("POST", "/", null, "x").status()).isEqualTo(405);
    }

    // ---- the JSON answers ----------------------------------------------------------------------

    @Test
    void everyAnswerNeedsAValidToken() {
        for (String path : List.of("me", "nodes", "history", "shares", "job/1/output", "job/1/steps", "job/1/files")) {
            HttpRoute.Response r = call("GET", Dashboard.API + path, null, null);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(json(r).get("error")).asString().contains("scontrol token");
        }
        HttpRoute.Response forged = dashboard.handle(new HttpRoute.Request(
                "GET",
                Dashboard.API + "me",
                "",
                Map.of("authorization", List.of("Bearer " + new Tokens(new byte[32], now::get).issue(ROOT, 60))),
                new byte[0],
                new InetSocketAddress(0),
                true));
        assertThat(forged.status()).isEqualTo(401);
    }

    @Test
    void meSaysWhoTheTokenIsAndWhetherTheyAdminister() {
        assertThat(json(call("GET", Dashboard.API + "me", ALICE, null)))
                .containsEntry("user", "alice")
                .containsEntry("admin", false)
                .containsEntry("admin_level", "None");
        assertThat(json(call("GET", Dashboard.API + "me", ROOT, null)))
                .containsEntry("admin", true)
                .containsEntry("admin_level", "Administrator");
        sacctmgr("add", "account", "lab");
        sacctmgr("add", "user", "alice", "account=lab", "adminlevel=Administrator");
        sacctmgr("add", "user", "bob", "account=lab", "adminlevel=Operator");
        assertThat(json(call("GET", Dashboard.API + "me", ALICE, null)))
                .containsEntry("admin", true)
                .containsEntry("admin_level", "Administrator");
        // an Operator administers the accounts database, not the nodes: Slurm's rule
        assertThat(json(call("GET", Dashboard.API + "me", BOB, null)))
                .containsEntry("admin", false)
                .containsEntry("admin_level", "Operator");
    }

    /** sacctmgr as root; the change must be made. */
    void sacctmgr(String... args) {
        assertThat(cluster.changeAccounts(Sacctmgr.parse(List.of(args)), ROOT, true)
                        .changed())
                .as(String.join(" ", args))
                .isTrue();
    }

    @Test
    void anAdministratorDrainsAndResumesAnOperatorDoesNot() {
        sacctmgr("add", "account", "lab");
        sacctmgr("add", "user", "alice", "account=lab", "adminlevel=Administrator");
        sacctmgr("add", "user", "bob", "account=lab", "adminlevel=Operator");
        HttpRoute.Response byBob =
                call("POST", Dashboard.API + "node/n1", BOB, "{\"state\":\"DRAIN\",\"reason\":\"mine\"}");
        assertThat(byBob.status()).isEqualTo(403);
        assertThat(cluster.nodes().get(0).reason()).isNull();
        HttpRoute.Response byAlice =
                call("POST", Dashboard.API + "node/n1", ALICE, "{\"state\":\"DRAIN\",\"reason\":\"new fan\"}");
        assertThat(byAlice.status()).as(byAlice.bodyText()).isEqualTo(200);
        assertThat(cluster.nodes().get(0).reason()).isEqualTo("new fan");
        assertThat(call("POST", Dashboard.API + "node/n1", ALICE, "{\"state\":\"RESUME\"}")
                        .status())
                .isEqualTo(200);
        assertThat(cluster.nodes().get(0).reason()).isNull();
        // demoted, she is refused again
        sacctmgr("modify", "user", "alice", "set", "adminlevel=None");
        assertThat(call("POST", Dashboard.API + "node/n1", ALICE, "{\"state\":\"DRAIN\",\"reason\":\"x\"}")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void theJobPageNamesItsFilesExpandedAndTheTailReadsThem() {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/home/alice/run")
                .name("counter")
                .submitHost("h")
                .output("logs/%x-%N-%t.out", "counter-%j.err")
                .build();
        long id = ((Submission.Accepted) cluster.submit(r, ALICE)).id();
        Map<String, Object> files = json(call("GET", Dashboard.API + "job/" + id + "/files", ALICE, null));
        String node = cluster.job(id).orElseThrow().node() == null ? "%N" : "n1";
        assertThat(files)
                .containsEntry("standard_output", "/home/alice/run/logs/counter-" + node + "-0.out")
                .containsEntry("standard_error", "/home/alice/run/counter-" + id + ".err")
                .containsEntry("stderr_with_stdout", false);
        // the tail reads the file the page names, whatever path motley logs echoes
        logsAnswer = new Message.LogText("counter-%j.err", "h", null, 0, new byte[0], false, JobState.RUNNING);
        assertThat(call("GET", Dashboard.API + "job/" + id + "/output?stream=err", ALICE, null)
                        .status())
                .isEqualTo(200);
        assertThat(fileReads).containsExactly("/home/alice/run/counter-" + id + ".err uid=1001 offset=0");
        // without -e, stderr is the stdout file
        long plain = submit(ALICE);
        assertThat(json(call("GET", Dashboard.API + "job/" + plain + "/files", ALICE, null)))
                .containsEntry("standard_output", "/home/alice/run/slurm-" + plain + ".out")
                .containsEntry("stderr_with_stdout", true);
        assertThat(call("GET", Dashboard.API + "job/99/files", ALICE, null).status())
                .isEqualTo(404);
    }

    @Test
    void nodesCarryTheirBarsAndTheDrainReason() {
        HttpRoute.Response drain =
                call("POST", Dashboard.API + "node/n1", ROOT, "{\"state\":\"DRAIN\",\"reason\":\"new disk\"}");
        assertThat(drain.status()).as(drain.bodyText()).isEqualTo(200);
        Map<?, ?> n1 = (Map<?, ?>) ((List<?>)
                        json(call("GET", Dashboard.API + "nodes", ALICE, null)).get("nodes"))
                .get(0);
        assertThat(n1.get("name")).isEqualTo("n1");
        assertThat(n1.get("state")).isEqualTo("drained");
        assertThat(n1.get("reason")).isEqualTo("new disk");
        assertThat(n1.get("cpus")).isEqualTo(4L);
        assertThat(n1.get("memory_mib")).isEqualTo(8000L);
        assertThat(n1.get("partitions")).isEqualTo(List.of("main"));

        HttpRoute.Response resume = call("POST", Dashboard.API + "node/n1", ROOT, "{\"state\":\"RESUME\"}");
        assertThat(resume.status()).isEqualTo(200);
        assertThat(cluster.nodes().get(0).reason()).isNull();
    }

    @Test
    void onlyRootDrainsAndAMistakeIsA4xx() {
        HttpRoute.Response r =
                call("POST", Dashboard.API + "node/n1", ALICE, "{\"state\":\"DRAIN\",\"reason\":\"mine\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(cluster.nodes().get(0).reason()).isNull();
        assertThat(call("POST", Dashboard.API + "node/n9", ROOT, "{\"state\":\"DRAIN\",\"reason\":\"x\"}")
                        .status())
                .isEqualTo(404);
        assertThat(call("POST", Dashboard.API + "node/n1", ROOT, "{\"state\":\"DRAIN\"}")
                        .status())
                .isEqualTo(400);
        assertThat(call("POST", Dashboard.API + "node/n1", ROOT, "{\"state\":").status())
                .isEqualTo(400);
        assertThat(call("POST", Dashboard.API + "node/n1", ROOT, "{\"state\":\"DRAIN\",\"colour\":1}")
                        .status())
                .isEqualTo(400);
        assertThat(call("GET", Dashboard.API + "node/n1", ROOT, null).status()).isEqualTo(405);
    }

    @Test
    void anotherUsersOutputIsRefusedAndNothingIsRead() {
        long id = submit(BOB);
        logsAnswer = new Message.LogText(
                "/home/bob/run/slurm-" + id + ".out", "h", "n1", 0, "secret".getBytes(), false, JobState.RUNNING);
        HttpRoute.Response r = call("GET", Dashboard.API + "job/" + id + "/output", ALICE, null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.bodyText())
                .doesNotContain("secret")
                .doesNotContain(Base64.getEncoder().encodeToString("secret".getBytes()));
        assertThat(call("GET", Dashboard.API + "job/" + id + "/output", ROOT, null)
                        .status())
                .isEqualTo(200);
        assertThat(call("GET", Dashboard.API + "job/99/output", ROOT, null).status())
                .isEqualTo(404);
    }

    @Test
    void outputComesFromTheNodesOutboxWhileItIsThere() {
        long id = submit(ALICE);
        logsAnswer =
                new Message.LogText("slurm-" + id + ".out", "h", "n1", 5, "world".getBytes(), false, JobState.RUNNING);
        Map<String, Object> doc = json(call("GET", Dashboard.API + "job/" + id + "/output?offset=5", ALICE, null));
        assertThat(new String(Base64.getDecoder().decode((String) doc.get("data_base64")), StandardCharsets.UTF_8))
                .isEqualTo("world");
        assertThat(doc)
                .containsEntry("next", 10L)
                .containsEntry("source", "node")
                .containsEntry("complete", false);
        assertThat(fileReads).isEmpty();
    }

    @Test
    void elseFromItsFileInItsWorkingDirectoryReadAsItsUser() {
        long id = submit(ALICE);
        assertThat(id).isEqualTo(1);
        logsAnswer = new Message.LogText("slurm-1.out", "h", null, 0, new byte[0], false, JobState.RUNNING);
        Map<String, Object> doc = json(call("GET", Dashboard.API + "job/1/output?offset=0", ALICE, null));
        assertThat(new String(Base64.getDecoder().decode((String) doc.get("data_base64")), StandardCharsets.UTF_8))
                .isEqualTo("hello\n");
        assertThat(doc).containsEntry("source", "file").containsEntry("next", 6L);
        assertThat(fileReads).containsExactly(Path.of("/home/alice/run/slurm-1.out") + " uid=1001 offset=0");
    }

    @Test
    void badOutputQueriesAre400() {
        long id = submit(ALICE);
        assertThat(call("GET", Dashboard.API + "job/" + id + "/output?stream=secret", ALICE, null)
                        .status())
                .isEqualTo(400);
        assertThat(call("GET", Dashboard.API + "job/" + id + "/output?offset=-1", ALICE, null)
                        .status())
                .isEqualTo(400);
        assertThat(call("GET", Dashboard.API + "job/" + id + "/output?offset=x", ALICE, null)
                        .status())
                .isEqualTo(400);
        assertThat(call("GET", Dashboard.API + "job/abc/output", ALICE, null).status())
                .isEqualTo(400);
    }

    @Test
    void historyComesFromPrometheusWhenOneIsSetAndFromTheRingWhenItDoesNotAnswer() throws Exception {
        dashboard.history().add(History.sample(now.get(), cluster.nodes(), cluster.jobs()));
        List<String> queries = java.util.Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer prom = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        prom.createContext("/api/v1/query_range", x -> {
            queries.add(x.getRequestURI().getRawQuery());
            String metric = x.getRequestURI().getQuery().contains("username") ? "{\"username\":\"carol\"}" : "{}";
            byte[] b = ("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":" + metric
                            + ",\"values\":[[1999999970,\"2\"],[2000000000,\"5\"]]}]}}")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        prom.start();
        try {
            Dashboard withProm = new Dashboard(
                    cluster,
                    tokens,
                    dashboard.history(),
                    null,
                    new PrometheusHistory(java.net.URI.create(
                            "http://127.0.0.1:" + prom.getAddress().getPort())),
                    now::get);
            dashboard = withProm;
            Map<String, Object> h = json(call("GET", Dashboard.API + "history", ALICE, null));
            assertThat(h).containsEntry("source", "prometheus").containsEntry("note", "");
            List<?> samples = (List<?>) h.get("samples");
            assertThat(samples).hasSize(2);
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) samples.get(1);
            assertThat(last)
                    .containsEntry("time", 2_000_000_000L)
                    .containsEntry("running", 5L)
                    .containsEntry("jobs_by_user", Map.of("carol", 5L));
            // a day back at the ring's step, ending at the last whole step
            assertThat(queries).hasSize(PrometheusHistory.TOTALS.size() + 1);
            long end = now.get() / History.INTERVAL_SECONDS * History.INTERVAL_SECONDS;
            assertThat(queries.get(0))
                    .contains("&start=" + (end - (History.DAY - 1) * History.INTERVAL_SECONDS))
                    .contains("&end=" + end + "&step=30");
        } finally {
            prom.stop(0);
        }
        // Prometheus gone: the controller's own sample, and the page is told why
        Map<String, Object> h = json(call("GET", Dashboard.API + "history", ALICE, null));
        assertThat(h).containsEntry("source", "controller");
        assertThat((String) h.get("note")).contains("No history from Prometheus at http://127.0.0.1:");
        assertThat((List<?>) h.get("samples")).hasSize(1);
    }

    @Test
    void historyAndSharesAreJson() {
        dashboard.history().add(History.sample(now.get(), cluster.nodes(), cluster.jobs()));
        Map<String, Object> h = json(call("GET", Dashboard.API + "history", ALICE, null));
        assertThat((List<?>) h.get("samples")).hasSize(1);
        Map<String, Object> s = json(call("GET", Dashboard.API + "shares", ALICE, null));
        assertThat(s).containsKey("rows");
        assertThat(json(call("GET", Dashboard.API + "job/" + submit(ALICE) + "/steps", ALICE, null)))
                .containsEntry("steps", List.of());
    }
}
