package io.motley.controller.rest;

import static io.motley.controller.rest.RestFixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/rest.md's curl examples run as written against a test server, with MOTLEY_URL and SLURM_JWT set. */
class RestDocsTest {
    @TempDir
    Path dir;

    static List<String> shellBlocks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?ms)^```sh\\n(.*?)^```").matcher(markdown);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void everyCurlExampleRuns() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/curl")),
                "curl is not installed (scripts/setup-test-host installs it)");
        String doc = Files.readString(Path.of("../docs/rest.md"));
        List<String> blocks = shellBlocks(doc);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
        try (RestFixture f = new RestFixture(dir)) {
            HttpServer server = RestHttpTest.serve(f.api);
            try {
                String url = "http://127.0.0.1:" + server.getAddress().getPort();
                for (String block : blocks) {
                    assertThat(block).contains("curl");
                    ProcessBuilder pb =
                            new ProcessBuilder("/bin/bash", "-euo", "pipefail", "-c", block).redirectErrorStream(true);
                    pb.environment().put("MOTLEY_URL", url);
                    pb.environment().put("SLURM_JWT", f.token(ALICE));
                    Process p = pb.start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(p.exitValue())
                            .as("block:\n%s\noutput:\n%s", block, out)
                            .isZero();
                }
                // the examples did what they say: the job they submitted was cancelled
                assertThat(f.cluster.jobs()).singleElement().satisfies(j -> {
                    assertThat(j.request().name()).isEqualTo("hello");
                    assertThat(j.state()).isEqualTo(io.motley.core.job.JobState.CANCELLED);
                    assertThat(j.timeLimit()).isEqualTo(new io.motley.core.job.TimeLimit.Seconds(1200));
                });
            } finally {
                server.stop(0);
                ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            }
        }
    }
}
