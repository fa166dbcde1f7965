package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API end to end: a real controller's HTTPS port (its URL from run/http.url, the
 * cluster CA trusted), tokens printed by a real {@code scontrol token} run as an unprivileged user
 * and by root for another, a job submitted with a script that runs as the token's user, listed,
 * cancelled with a signal; another user's job and bad JSON refused in slurmrestd's error layout;
 * gzip where asked; and docs/rest.md's curl examples run as written against the same cluster.
 */
class RestIT {
    static final String A = "motley-rest-a";
    static final String B = "motley-rest-b";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Answer(int status, JsonNode json, String text, HttpResponse<byte[]> raw) {}

    static Answer call(HttpClient client, String method, URI uri, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("X-SLURM-USER-TOKEN", token);
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        JsonNode json = text.isBlank() ? null : JSON.readTree(text);
        return new Answer(r.statusCode(), json, text, r);
    }

    /** slurmrestd's error layout: the envelope, and one entry in errors with its number. */
    static void assertError(Answer a, int status, int errno) {
        assertThat(a.status()).as(a.text()).isEqualTo(status);
        assertThat(a.json().has("meta")).isTrue();
        assertThat(a.json().path("warnings").isArray()).isTrue();
        JsonNode e = a.json().path("errors");
        assertThat(e.isArray() && e.size() == 1).as(a.text()).isTrue();
        assertThat(e.get(0).path("error_number").asInt()).isEqualTo(errno);
        assertThat(e.get(0).path("description").asText()).isNotBlank();
        assertThat(e.get(0).path("error").asText()).isNotBlank();
        assertThat(a.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** What `scontrol token` printed: the token after SLURM_JWT=. */
    static String token(TestCluster.Run r) {
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("SLURM_JWT=");
        return r.out().strip().substring("SLURM_JWT=".length());
    }

    static List<String> shellBlocks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?ms)^```sh\\n(.*?)^```").matcher(markdown);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void overHttpsWithRealTokensAJobIsSubmittedListedAndCancelledAndMistakesAre4xx() throws Exception {
        assumeTrue(SecurityIT.root(), "tokens for two unprivileged users need root to create the users");
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() && new File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as other users (scripts/setup-test-host installs them)");
        assumeTrue(
                new File("/usr/bin/curl").canExecute(), "curl is not installed (scripts/setup-test-host installs it)");
        SecurityIT.ensureUser(A);
        SecurityIT.ensureUser(B);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path workA = SecurityIT.userDir(A);
        try (TestCluster c = new TestCluster(dir, "HttpPort=0\nMinJobAge=600\n")) {
            c.startController();
            c.startAgent("n1", 2, "1G");
            c.awaitNodesUp("n1");

            URI base =
                    URI.create(Files.readString(c.home.resolve("run/http.url")).strip());
            assertThat(base.getScheme())
                    .as("the test cluster has a CA, so HTTPS")
                    .isEqualTo("https");
            Path ca = c.home.resolve("etc/tls/ca.crt");
            HttpClient https = MetricsIT.trusting(ca);

            // A's token from scontrol run as A; B's issued by root for B
            String tokenA = token(c.cmdIn(
                    workA,
                    null,
                    "runuser",
                    "-u",
                    A,
                    "--",
                    TestCluster.BIN.resolve("scontrol").toString(),
                    "token",
                    "lifespan=600"));
            String tokenB = token(c.cmd("scontrol", "token", "username=" + B, "lifespan=600"));

            Answer ping = call(https, "GET", base.resolve("/slurm/v0.0.40/ping"), tokenA, null);
            assertThat(ping.status()).as(ping.text()).isEqualTo(200);
            assertThat(ping.json().path("pings").get(0).path("pinged").asText()).isEqualTo("UP");
            assertThat(ping.json().path("meta").path("client").path("user").asText())
                    .isEqualTo(A);

            // a job with a script, as A: it runs as A, in A's directory
            String submit = """
                    {"script": "#!/bin/sh\\nid -un > rest-whoami.txt\\nsleep 120\\n",
                     "job": {"name": "rest-e2e", "current_working_directory": "%s",
                             "environment": ["PATH=/usr/bin:/bin"], "time_limit": 5}}
                    """.formatted(workA);
            Answer sub = call(https, "POST", base.resolve("/slurm/v0.0.40/job/submit"), tokenA, submit);
            assertThat(sub.status()).as(sub.text()).isEqualTo(200);
            long id = sub.json().path("job_id").asLong();
            assertThat(id).isPositive();
            c.awaitState(id, "RUNNING", Duration.ofSeconds(30));
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> Files.exists(workA.resolve("rest-whoami.txt"))
                            && Files.readString(workA.resolve("rest-whoami.txt"))
                                    .strip()
                                    .equals(A));

            Answer one = call(https, "GET", base.resolve("/slurm/v0.0.40/job/" + id), tokenA, null);
            assertThat(one.status()).isEqualTo(200);
            JsonNode job = one.json().path("jobs").get(0);
            assertThat(job.path("job_id").asLong()).isEqualTo(id);
            assertThat(job.path("name").asText()).isEqualTo("rest-e2e");
            assertThat(job.path("user_name").asText()).isEqualTo(A);
            assertThat(job.path("job_state").get(0).asText()).isEqualTo("RUNNING");

            // B's job, submitted by root on B's behalf with B's token
            Answer subB = call(
                    https,
                    "POST",
                    base.resolve("/slurm/v0.0.40/job/submit"),
                    tokenB,
                    "{\"script\": \"#!/bin/sh\\nsleep 120\\n\", \"job\": {\"name\": \"rest-b\","
                            + " \"current_working_directory\": \"/tmp\", \"environment\": [\"PATH=/usr/bin:/bin\"],"
                            + " \"hold\": true}}");
            assertThat(subB.status()).as(subB.text()).isEqualTo(200);
            long idB = subB.json().path("job_id").asLong();

            // the listing: streamed (chunked) and whole
            Answer list = call(https, "GET", base.resolve("/slurm/v0.0.40/jobs"), tokenA, null);
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.raw().headers().firstValue("Transfer-Encoding")).hasValue("chunked");
            List<Long> ids = new ArrayList<>();
            list.json().path("jobs").forEach(j -> ids.add(j.path("job_id").asLong()));
            assertThat(ids).contains(id, idB);
            assertThat(list.json().path("errors").size()).isZero();

            // the same listing gzipped when asked for, as Prometheus asks for /metrics
            for (String path : List.of("/slurm/v0.0.40/jobs", "/metrics")) {
                HttpRequest.Builder gz =
                        HttpRequest.newBuilder(base.resolve(path)).header("Accept-Encoding", "gzip");
                if (path.startsWith("/slurm")) gz.header("X-SLURM-USER-TOKEN", tokenA);
                HttpResponse<byte[]> z = https.send(gz.build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(z.statusCode()).isEqualTo(200);
                assertThat(z.headers().firstValue("Content-Encoding")).as(path).hasValue("gzip");
                String text;
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(z.body()))) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                assertThat(text).contains(path.equals("/metrics") ? "slurm_jobs_running" : "\"job_id\": " + id);
            }

            // another user's job: refused with slurmrestd's error layout, and the job goes on
            assertError(call(https, "DELETE", base.resolve("/slurm/v0.0.40/job/" + idB), tokenA, null), 403, 2002);
            assertError(
                    call(https, "POST", base.resolve("/slurm/v0.0.40/job/" + idB), tokenA, "{\"time_limit\": 1}"),
                    403,
                    2002);
            assertThat(c.state(idB)).isEqualTo("PENDING");

            // the client's mistakes are 4xx, never 500
            assertError(
                    call(
                            https,
                            "POST",
                            base.resolve("/slurm/v0.0.40/job/submit"),
                            tokenA,
                            "{\"script\": 12, \"job\": ["),
                    400,
                    9001);
            assertError(
                    call(
                            https,
                            "POST",
                            base.resolve("/slurm/v0.0.40/job/submit"),
                            tokenA,
                            "{\"script\": \"#!/bin/sh\\n\", \"job\": {\"colour\": \"red\"}}"),
                    400,
                    9001);
            assertError(
                    call(
                            https,
                            "POST",
                            base.resolve("/slurm/v0.0.40/job/submit"),
                            tokenA,
                            "{\"script\": \"#!/bin/sh\\n\", \"job\": {\"time_limit\": \"soon\"}}"),
                    400,
                    9001);
            assertError(call(https, "GET", base.resolve("/slurm/v0.0.40/job/999999"), tokenA, null), 404, 2017);
            assertError(call(https, "GET", base.resolve("/slurm/v0.0.40/jobs"), null, null), 401, 6000);
            assertError(call(https, "GET", base.resolve("/slurm/v0.0.40/jobs"), tokenA + "x", null), 401, 6000);

            // cancel with a signal: the job ends CANCELLED
            Answer cancel =
                    call(https, "DELETE", base.resolve("/slurm/v0.0.40/job/" + id + "?signal=SIGKILL"), tokenA, null);
            assertThat(cancel.status()).as(cancel.text()).isEqualTo(200);
            c.awaitState(id, "CANCELLED", Duration.ofSeconds(30));
            assertError(call(https, "DELETE", base.resolve("/slurm/v0.0.40/job/" + id), tokenA, null), 409, 2021);

            // root drains and resumes the node as slurmrestd's update node does; A may not
            String tokenRoot = token(c.cmd("scontrol", "token", "lifespan=600"));
            URI n1 = base.resolve("/slurm/v0.0.40/node/n1");
            assertError(call(https, "POST", n1, tokenA, "{\"state\": [\"DRAIN\"], \"reason\": \"by A\"}"), 403, 2002);
            Answer drain = call(https, "POST", n1, tokenRoot, "{\"state\": [\"DRAIN\"], \"reason\": \"rest drain\"}");
            assertThat(drain.status()).as(drain.text()).isEqualTo(200);
            assertThat(c.cmd("scontrol", "show", "node", "n1").out()).contains("Reason=rest drain");
            Answer resume = call(https, "POST", n1, tokenRoot, "{\"state\": [\"RESUME\"]}");
            assertThat(resume.status()).as(resume.text()).isEqualTo(200);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> c.cmd("sinfo", "-h", "-N", "-o", "%N %t")
                            .out()
                            .lines()
                            .anyMatch("n1 idle"::equals));

            // scontrol show config says where the port is
            assertThat(c.cmd("scontrol", "show", "config").out())
                    .containsPattern("\nHttpPort +=  ?0 \\(any free port\\)\n")
                    .containsPattern("\nHttpBind +=");

            // the controller kept serving through all of it
            assertThat(call(https, "GET", base.resolve("/slurm/v0.0.40/diag"), tokenB, null)
                            .status())
                    .isEqualTo(200);

            // docs/rest.md's examples, as written, against this cluster, as A
            List<String> blocks = shellBlocks(Files.readString(TestCluster.REPO.resolve("docs/rest.md")));
            assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
            for (String block : blocks) {
                ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-euo", "pipefail", "-c", block)
                        .directory(workA.toFile())
                        .redirectErrorStream(true);
                pb.environment().put("MOTLEY_URL", base.toString());
                pb.environment().put("SLURM_JWT", tokenA);
                pb.environment().put("CURL_CA_BUNDLE", ca.toString());
                TestCluster.Run r = TestCluster.run(pb, null);
                assertThat(r.rc()).as("block:\n%s\noutput:\n%s", block, r.out()).isZero();
            }
            // the examples' job, submitted over HTTPS as A, was cancelled by them
            TestCluster.Run hello = c.cmd("squeue", "-h", "-t", "all", "-n", "hello", "-o", "%T %u");
            assertThat(hello.out().strip()).isEqualTo("CANCELLED " + A);
            c.cmd("scancel", "-u", B);
        } finally {
            TestCluster.deleteTree(workA);
        }
    }
}
