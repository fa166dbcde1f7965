package io.motley.agent.health;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's health-check program (Slurm's HealthCheckProgram), run once at start and then every
 * interval. Exit code 0 is healthy ({@code "ok"}); anything else, a program that cannot be
 * started, or one still running at the timeout (it is killed, with its children) is
 * {@code "fail:<reason>"}, the reason being the first non-blank line of its output (stdout and
 * stderr together), trimmed to {@value #MAX_REASON} characters, or {@code exit code N} when it
 * printed nothing. The controller drains the node on a failure and resumes it when it passes.
 */
public final class HealthCheck implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthCheck.class);

    public static final String OK = "ok";
    public static final String FAIL_PREFIX = "fail:";
    static final int MAX_REASON = 200;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    // enough to find the first line; a chatty program must not fill the agent's memory
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;

    private final List<String> command;
    private final Duration interval;
    private final Duration timeout;
    private final Consumer<String> onChange;
    private final ScheduledExecutorService executor;
    private volatile String lastResult;
    private boolean started;

    /** A check that runs {@code command} (program and arguments) every {@code interval}, killing it after {@code timeout}. */
    public HealthCheck(List<String> command, Duration interval, Duration timeout) {
        this(command, interval, timeout, result -> {});
    }

    /** As above; {@code onChange} hears every new result (the first one included), for example to send a heartbeat at once. */
    public HealthCheck(List<String> command, Duration interval, Duration timeout, Consumer<String> onChange) {
        if (command == null || command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("health check program must be named");
        }
        if (interval.isNegative() || interval.isZero())
            throw new IllegalArgumentException("health check interval must be positive");
        if (timeout.isNegative() || timeout.isZero())
            throw new IllegalArgumentException("health check timeout must be positive");
        this.command = List.copyOf(command);
        this.interval = interval;
        this.timeout = timeout;
        this.onChange = Objects.requireNonNull(onChange);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health-check");
            t.setDaemon(true);
            return t;
        });
    }

    /** Slurm's way: one program, no arguments, every {@code intervalSeconds}, {@link #DEFAULT_TIMEOUT} to finish. */
    public static HealthCheck of(String program, long intervalSeconds) {
        return new HealthCheck(List.of(program), Duration.ofSeconds(intervalSeconds), DEFAULT_TIMEOUT);
    }

    /** Runs the check now and then every interval, on its own daemon thread; runs never overlap. */
    public synchronized void start() {
        if (started) return;
        started = true;
        log.info(
                "health check every {} command=\"{}\" timeout={}",
                seconds(interval),
                String.join(" ", command),
                seconds(timeout));
        executor.scheduleWithFixedDelay(this::scheduledRun, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** null before the first run has finished; then "ok" or "fail:reason". */
    public String lastResult() {
        return lastResult;
    }

    /** Stops the checks; a run in progress is killed and its result dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** True once closed and no run is left in progress. */
    public boolean stopped() {
        return executor.isTerminated();
    }

    private void scheduledRun() {
        try {
            record(run(command, timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // never let one bad run end the schedule
            log.error("health check run failed unexpectedly command=\"{}\"", String.join(" ", command), e);
        }
    }

    private void record(String result) {
        String before = lastResult;
        lastResult = result;
        if (result.equals(before)) {
            log.debug("health check result=\"{}\"", result);
            return;
        }
        if (result.equals(OK)) {
            log.info("health check passes{}", before == null ? "" : " again");
        } else {
            log.warn(
                    "health check failed reason=\"{}\" command=\"{}\"",
                    result.substring(FAIL_PREFIX.length()),
                    String.join(" ", command));
        }
        try {
            onChange.accept(result);
        } catch (RuntimeException e) {
            log.warn("health check listener failed error=\"{}\"", e.toString());
        }
    }

    /** Runs {@code command} once and gives its result, "ok" or "fail:reason". */
    public static String run(List<String> command, Duration timeout) throws InterruptedException {
        Path out;
        try {
            out = Files.createTempFile("motley-health-", ".out");
        } catch (IOException e) {
            return FAIL_PREFIX + "cannot create a file for the check's output: " + e.getMessage();
        }
        try {
            // output goes to a file, not a pipe: a child the check leaves running in the background
            // would hold a pipe open and keep us waiting for it
            Process p;
            try {
                p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
            } catch (IOException e) {
                return fail("cannot run " + command.get(0) + ": " + e.getMessage());
            }
            closeInput(p);
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill(p);
                throw e;
            }
            if (!finished) {
                kill(p);
                String first = firstLine(out);
                return fail("timed out after " + seconds(timeout) + (first.isEmpty() ? "" : ": " + first));
            }
            int code = p.exitValue();
            if (code == 0) return OK;
            String first = firstLine(out);
            return fail(first.isEmpty() ? "exit code " + code : first);
        } catch (IOException e) {
            return fail("cannot read the check's output: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                log.debug("could not remove {}: {}", out, e.getMessage());
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String fail(String reason) {
        String r = reason.strip();
        if (r.length() > MAX_REASON) r = r.substring(0, MAX_REASON).strip();
        return FAIL_PREFIX + r;
    }

    private static void closeInput(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the check does not read its input anyway
        }
    }

    private static void kill(Process p) {
        // the parent goes first: killing a child first lets the script run its next line (seen in CI)
        java.util.List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String firstLine(Path out) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(out)) {
            head = in.readNBytes(MAX_OUTPUT_BYTES);
        }
        return new String(head, StandardCharsets.UTF_8)
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .findFirst()
                .orElse("");
    }
}
