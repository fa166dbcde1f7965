package io.motley.e2e;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real cluster for a test: a controller and agents as separate processes started through the
 * distribution's launcher, each with its own log, and the Slurm-named commands run as processes.
 */
final class TestCluster implements AutoCloseable {
    static final Path REPO =
            Path.of(System.getProperty("motley.repo", "..")).toAbsolutePath().normalize();
    static final Path BIN = REPO.resolve("dist/bin");
    final Path home;
    final Path work;
    final int port;
    private Process controller;
    private final Map<String, Process> agents = new LinkedHashMap<>();

    /** Result of one command: exit code and what it printed. */
    record Run(int rc, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    TestCluster(Path dir, String extraConfig) throws IOException {
        this.home = dir.resolve("home");
        this.work = dir.resolve("work");
        Files.createDirectories(home.resolve("etc"));
        Files.createDirectories(home.resolve("log"));
        Files.createDirectories(work);
        this.port = freePort();
        Files.writeString(
                home.resolve("etc/motley.conf"),
                "ClusterName=e2e\nControllerPort=" + port + "\nNodeTimeout=6\nKillWait=2\n" + extraConfig);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    void startController() throws IOException {
        Files.deleteIfExists(home.resolve("run/controller.port"));
        controller = daemon("controller", List.of("controller", "--home", home.toString(), "--bind", "127.0.0.1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(home.resolve("run/controller.port")));
    }

    /** Starts an agent as its own node with a slice of this machine; the first one owns run/agent.sock. */
    void startAgent(String name, int cpus, String mem) throws IOException {
        startAgent(name, cpus, mem, Map.of());
    }

    void startAgent(String name, int cpus, String mem, Map<String, String> env) throws IOException {
        if (firstAgent == null) firstAgent = name;
        String sock = name.equals(firstAgent) ? "run/agent.sock" : "run/agent-" + name + ".sock";
        agents.put(
                name,
                daemon(
                        "agent-" + name,
                        List.of(
                                "agent",
                                "--home",
                                home.toString(),
                                "--name",
                                name,
                                "--controller",
                                "127.0.0.1:" + port,
                                "--cpus",
                                Integer.toString(cpus),
                                "--mem",
                                mem,
                                "--socket",
                                home.resolve(sock).toString()),
                        env));
    }

    private String firstAgent;

    void awaitNodesUp(String... names) {
        awaitNodesUp(Duration.ofSeconds(30), names);
    }

    /** As {@link #awaitNodesUp(String...)}, waiting at most {@code atMost} (several agents starting on a busy host). */
    void awaitNodesUp(Duration atMost, String... names) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            Run r = cmd("sinfo", "-N", "-h", "-o", "%N %t");
            if (r.rc() != 0) return false;
            int up = 0;
            for (String n : names) {
                if (r.lines().stream().anyMatch(l -> l.startsWith(n + " ") && !l.contains("down"))) up++;
            }
            return up == names.length;
        });
    }

    private Process daemon(String log, List<String> args) throws IOException {
        return daemon(log, args, Map.of());
    }

    private Process daemon(String log, List<String> args, Map<String, String> extraEnv) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BIN.resolve("motley").toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        env(pb);
        pb.environment()
                .put("MOTLEY_LOG_FILE", home.resolve("log/" + log + ".log").toString());
        pb.environment().putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(
                home.resolve("log/" + log + ".out").toFile()));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** A process for one of our commands with the cluster's environment, not started (for interactive tests). */
    ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        if (!args[0].contains("/") && Files.exists(BIN.resolve(args[0])))
            cmd.set(0, BIN.resolve(args[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        env(pb);
        return pb;
    }

    /**
     * As {@link #command}, with SIGINT at its default whatever this test inherited: a run started in the background
     * by a shell without job control ignores it, and a JVM that starts with it ignored cannot take it.
     */
    ProcessBuilder interruptible(String... args) {
        ProcessBuilder pb = command(args);
        pb.command().addAll(0, List.of("/usr/bin/env", "--default-signal=INT"));
        return pb;
    }

    private void env(ProcessBuilder pb) {
        pb.environment().put("MOTLEY_HOME", home.toString());
        pb.environment()
                .put(
                        "MOTLEY_JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("MOTLEY_SOCKET");
    }

    /** Runs a command from dist/bin (sbatch, squeue, ...) in the work directory. */
    Run cmd(String... args) {
        return cmdIn(work, null, args);
    }

    Run cmdIn(Path dir, String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        // a bare command name is one of ours; a path or a wrapper such as runuser is taken as given
        if (!args[0].contains("/") && Files.exists(BIN.resolve(args[0])))
            cmd.set(0, BIN.resolve(args[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        env(pb);
        return run(pb, stdin);
    }

    /**
     * Runs {@code pb} to its end (at most 60 s) with {@code stdin} as its input (null: /dev/null),
     * and returns its exit code, stdout and stderr.
     */
    static Run run(ProcessBuilder pb, String stdin) {
        return run(pb, stdin, 60);
    }

    /** As {@link #run(ProcessBuilder, String)}, for a command allowed {@code seconds} to finish. */
    static Run run(ProcessBuilder pb, String stdin, int seconds) {
        try {
            Path out = Files.createTempFile("motley-run-out", ".txt");
            Path err = Files.createTempFile("motley-run-err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            }
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(
                        "command did not finish in " + seconds + " s: " + String.join(" ", pb.command()));
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** sbatch --parsable ...: the new job's id. */
    long submit(String... args) {
        List<String> all = new ArrayList<>(List.of("sbatch", "--parsable"));
        all.addAll(List.of(args));
        Run r = cmd(all.toArray(String[]::new));
        if (r.rc() != 0) throw new AssertionError("sbatch failed rc=" + r.rc() + ": " + r.err());
        return Long.parseLong(r.out().trim());
    }

    /** The job's state as squeue -t all shows it (e.g. RUNNING, COMPLETED). */
    String state(long id) {
        Run r = cmd("squeue", "-h", "-t", "all", "-j", Long.toString(id), "-o", "%T");
        return r.out().trim();
    }

    void awaitState(long id, String state, Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(150)).until(() -> state.equals(state(id)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "job " + id + " not " + state + " within " + within + "\n" + whereJobStands(id), e);
        }
    }

    /** What a test that waited in vain shows: the job, its steps, its output so far and the daemons' last lines. */
    String whereJobStands(long id) {
        StringBuilder b = new StringBuilder();
        String job = Long.toString(id);
        for (String[] c : List.of(
                new String[] {"scontrol", "show", "job", job},
                new String[] {"squeue", "-s", "-j", job},
                new String[] {"sacct", "-j", job, "-o", "JobID,State,ExitCode,Start,End"})) {
            Run r = cmd(c);
            b.append("$ ")
                    .append(String.join(" ", c))
                    .append('\n')
                    .append(r.out())
                    .append(r.err());
        }
        try (var files = Files.list(work)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".out"))
                    .sorted()
                    .toList()) {
                b.append("== ").append(f.getFileName()).append('\n').append(tail(Files.readString(f), 4000));
            }
            try (var logs = Files.list(home.resolve("log"))) {
                for (Path f : logs.sorted().toList()) {
                    b.append("== ").append(f.getFileName()).append('\n').append(tail(Files.readString(f), 3000));
                }
            }
        } catch (IOException e) {
            b.append("(cannot read: ").append(e.getMessage()).append(")\n");
        }
        return b.toString();
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n);
    }

    void killController() throws InterruptedException {
        controller.destroyForcibly();
        controller.waitFor(10, TimeUnit.SECONDS);
    }

    void killAgent(String name) throws InterruptedException {
        Process p = agents.get(name);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    String log(String name) throws IOException {
        Path f = home.resolve("log/" + name + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    Path workFile(String name) {
        return work.resolve(name);
    }

    @Override
    public void close() throws Exception {
        // cancel what is left so no job outlives the test, then stop the daemons
        if (controller != null && controller.isAlive()) cmd("scancel", "-u", System.getProperty("user.name"));
        for (Process p : agents.values()) p.destroy();
        if (controller != null) controller.destroy();
        for (Process p : agents.values()) p.waitFor(15, TimeUnit.SECONDS);
        if (controller != null) controller.waitFor(15, TimeUnit.SECONDS);
        try (var walk = Files.walk(home.resolve("spool"))) {
            // kill any job process left behind by a failed test
            walk.filter(f -> f.getFileName().toString().equals("job.pid")).forEach(f -> {
                try {
                    long pid = Long.parseLong(Files.readString(f).trim());
                    new ProcessBuilder("kill", "-KILL", "--", "-" + pid).start().waitFor();
                } catch (Exception ignored) {
                    // already gone
                }
            });
        } catch (IOException ignored) {
            // no spool: nothing ran
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
