package io.motley.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health-check program: ok, failures with their reason, timeouts, and a node that recovers. */
class HealthCheckTest {
    @TempDir
    Path dir;

    Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        p.toFile().setExecutable(true);
        return p;
    }

    @Test
    void exitCodeZeroIsOk() throws Exception {
        assertThat(HealthCheck.run(List.of(script("ok", "echo all good").toString()), Duration.ofSeconds(10)))
                .isEqualTo("ok");
    }

    @Test
    void aFailureGivesTheFirstLineOfOutputOrTheExitCode() throws Exception {
        Duration t = Duration.ofSeconds(10);
        assertThat(HealthCheck.run(
                        List.of(script("disk", "echo; echo '  /scratch is full  ' >&2; echo more; exit 1")
                                .toString()),
                        t))
                .isEqualTo("fail:/scratch is full");
        assertThat(HealthCheck.run(List.of(script("silent", "exit 3").toString()), t))
                .isEqualTo("fail:exit code 3");
        String longLine = "x".repeat(500);
        assertThat(HealthCheck.run(
                        List.of(script("long", "echo " + longLine + "; exit 1").toString()), t))
                .isEqualTo("fail:" + "x".repeat(200));
        assertThat(HealthCheck.run(List.of(dir.resolve("missing").toString()), t))
                .startsWith("fail:cannot run " + dir.resolve("missing"));
    }

    @Test
    void aCheckStillRunningAtTheTimeoutIsKilledAndFails() throws Exception {
        Path marker = dir.resolve("survived");
        Path slow = script("slow", "echo checking GPUs; sleep 31; touch " + marker);
        long t0 = System.nanoTime();
        assertThat(HealthCheck.run(List.of(slow.toString()), Duration.ofMillis(500)))
                .isEqualTo("fail:timed out after 500 ms: checking GPUs");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        // the sleeping child was killed with the script: nothing is left to finish the check later
        await().atMost(Duration.ofSeconds(10)).until(() -> running("sleep 31").isEmpty());
        assertThat(marker).doesNotExist();
    }

    @Test
    void aBackgroundChildDoesNotKeepTheCheckWaiting() throws Exception {
        Path bg = script("bg", "sleep 37 & echo started a helper; exit 0");
        long t0 = System.nanoTime();
        try {
            assertThat(HealthCheck.run(List.of(bg.toString()), Duration.ofSeconds(20)))
                    .isEqualTo("ok");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        } finally {
            running("sleep 37").forEach(ProcessHandle::destroy);
        }
    }

    /** This user's live processes whose command line is exactly {@code commandLine}. */
    static List<ProcessHandle> running(String commandLine) {
        return ProcessHandle.allProcesses()
                .filter(p ->
                        p.info().commandLine().map(c -> c.endsWith(commandLine)).orElse(false))
                .toList();
    }

    @Test
    void runsPeriodicallyFromStartAndFollowsFailureAndRecovery() throws Exception {
        Path flag = dir.resolve("broken");
        Path check = script("check", "if [ -e " + flag + " ]; then cat " + flag + "; exit 1; fi; exit 0");
        List<String> heard = new CopyOnWriteArrayList<>();
        try (HealthCheck hc = new HealthCheck(
                List.of(check.toString()), Duration.ofMillis(100), Duration.ofSeconds(10), heard::add)) {
            assertThat(hc.lastResult()).isNull();
            hc.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "ok".equals(hc.lastResult()));

            Files.writeString(flag, "ECC errors on GPU 1\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> "fail:ECC errors on GPU 1".equals(hc.lastResult()));

            Files.delete(flag);
            await().atMost(Duration.ofSeconds(10)).until(() -> "ok".equals(hc.lastResult()));
        }
        // listeners hear changes only, not every run
        assertThat(heard).containsExactly("ok", "fail:ECC errors on GPU 1", "ok");
    }

    @Test
    void closeStopsTheChecks() throws Exception {
        Path count = dir.resolve("count");
        Path check = script("counting", "echo x >> " + count);
        HealthCheck hc = new HealthCheck(List.of(check.toString()), Duration.ofMillis(50), Duration.ofSeconds(10));
        hc.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(count) && Files.readAllLines(count).size() >= 2);
        hc.close();
        // a run that had already started when close came may still finish; after that, none
        await().atMost(Duration.ofSeconds(5)).until(hc::stopped);
        long runs = Files.readAllLines(count).size();
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> Files.readAllLines(count).size() == runs);
    }

    @Test
    void refusesAMissingProgramOrANonPositiveInterval() {
        assertThatThrownBy(() -> new HealthCheck(List.of(), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HealthCheck.of("/bin/true", 0)).hasMessageContaining("interval");
    }
}
