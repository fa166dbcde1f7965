package io.motley.e2e;

import static org.awaitility.Awaitility.await;

import io.motley.e2e.TestCluster.Run;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cluster spread over the hosts of a multi-host test bed ({@code scripts/testbed}): a controller
 * host and agent hosts, each with its own network, hostname and private directories. The
 * controller binds its host's bed address, agents reach it by that address, and the Slurm-named
 * commands run inside an agent host, as a user on that machine would run them.
 */
final class TestBed implements AutoCloseable {
    static final Path SCRIPT = TestCluster.REPO.resolve("scripts/testbed");
    /** Every host's MOTLEY_HOME, as the processes inside it see it. */
    static final String HOST_HOME = "/var/lib/motley";
    /** The directory jobs are submitted from; it exists on every host (there is no shared filesystem). */
    static final String JOBS = "/tmp/jobs";

    static final int PORT = 6917;
    final String name;
    final String controllerHost;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final String config;
    private Process controller;
    private final Map<String, Process> agents = new LinkedHashMap<>();

    /**
     * Why no test bed can be made here, or empty when one can: the bed needs root (namespaces,
     * mounts) and the tools scripts/setup-test-host installs.
     */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name")))
            return Optional.of("the multi-host test bed needs root (network and mount namespaces)");
        for (String tool : List.of("ip", "nsenter", "unshare", "flock", "findmnt")) {
            boolean found = List.of("/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/").stream()
                    .anyMatch(d -> Files.isExecutable(Path.of(d + tool)));
            if (!found) return Optional.of(tool + " is missing: run scripts/setup-test-host");
        }
        // inside a container without CAP_SYS_ADMIN, for one, namespaces cannot be made even by root
        Run probe = run(new ProcessBuilder("unshare", "--net", "--uts", "--mount", "true"), null);
        if (probe.rc() != 0)
            return Optional.of("cannot make namespaces here: " + probe.err().strip());
        return Optional.empty();
    }

    /**
     * Brings up bed {@code name} (a stale one of that name is removed first) with the controller
     * host and the agent hosts, and writes {@code extraConfig} into every host's motley.conf.
     */
    TestBed(String name, String controllerHost, List<String> agentHosts, String extraConfig) throws IOException {
        this.name = name;
        this.controllerHost = controllerHost;
        // beds of earlier runs that were killed before they could remove theirs go first
        Run gc = script(List.of("gc"));
        if (gc.rc() != 0) throw new IOException("testbed gc failed rc=" + gc.rc() + ": " + gc.err());
        List<String> args = new ArrayList<>(List.of("up", name, controllerHost));
        args.addAll(agentHosts);
        Run r = script(args);
        if (r.rc() != 0) throw new IOException("testbed up failed rc=" + r.rc() + ": " + r.err());
        for (String line : r.lines()) {
            String[] f = line.trim().split(" ");
            addresses.put(f[0], f[1]);
        }
        this.config = "ClusterName=bed\nControllerPort=" + PORT + "\n" + extraConfig;
        for (String h : addresses.keySet()) {
            Path home = home(h);
            Files.createDirectories(home.resolve("etc"));
            Files.createDirectories(home.resolve("log"));
            Files.createDirectories(tmp(h).resolve("jobs"));
            Files.writeString(home.resolve("etc/motley.conf"), config);
        }
    }

    private static Run script(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // the bed belongs to this JVM: a later `testbed gc` removes it if this JVM dies without closing it
        pb.environment()
                .put(
                        "MOTLEY_TESTBED_OWNER",
                        Long.toString(ProcessHandle.current().pid()));
        return run(pb, null);
    }

    private static Run run(ProcessBuilder pb, String stdin) {
        return TestCluster.run(pb, stdin);
    }

    String address(String host) {
        String a = addresses.get(host);
        if (a == null) throw new IllegalArgumentException("no host " + host + " in bed " + name);
        return a;
    }

    /** Where the host's private directories live, seen from outside the bed (tmp, home, root, var-lib-motley...). */
    Path dir(String host) {
        address(host);
        return Path.of(System.getenv().getOrDefault("MOTLEY_TESTBED_ROOT", "/run/motley-testbed"), name, "hosts", host);
    }

    /** The host's MOTLEY_HOME, seen from outside. */
    Path home(String host) {
        return dir(host).resolve("var-lib-motley");
    }

    /** The host's /tmp, seen from outside; {@code tmp(h).resolve("jobs")} is its {@link #JOBS}. */
    Path tmp(String host) {
        return dir(host).resolve("tmp");
    }

    /** The command line that runs {@code args} inside {@code host}, in directory {@code cwd}. */
    private List<String> inHost(String host, String cwd, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "exec", "-C", cwd, name, host));
        List<String> rest = new ArrayList<>(args);
        // a bare command name is one of ours; a path or a wrapper is taken as given
        if (!rest.get(0).contains("/") && Files.exists(TestCluster.BIN.resolve(rest.get(0))))
            rest.set(0, TestCluster.BIN.resolve(rest.get(0)).toString());
        cmd.addAll(rest);
        return cmd;
    }

    private ProcessBuilder builder(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment()
                .put(
                        "MOTLEY_JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("MOTLEY_SOCKET");
        pb.environment().remove("MOTLEY_HOME");
        return pb;
    }

    /** Runs a command inside {@code host} in {@link #JOBS} (sbatch, squeue, ... or any program). */
    Run cmd(String host, String... args) {
        return run(builder(inHost(host, JOBS, List.of(args))), null);
    }

    /** Runs a command inside {@code host} in directory {@code cwd} (a path as the host sees it). */
    Run cmdIn(String host, String cwd, String... args) {
        return run(builder(inHost(host, cwd, List.of(args))), null);
    }

    /** sbatch --parsable ... on {@code host}: the new job's id. */
    long submit(String host, String... args) {
        List<String> all = new ArrayList<>(List.of("sbatch", "--parsable"));
        all.addAll(List.of(args));
        Run r = cmd(host, all.toArray(String[]::new));
        if (r.rc() != 0) throw new AssertionError("sbatch on " + host + " failed rc=" + r.rc() + ": " + r.err());
        return Long.parseLong(r.out().trim());
    }

    /** The job's state as squeue -t all on {@code host} shows it. */
    String state(String host, long id) {
        return cmd(host, "squeue", "-h", "-t", "all", "-j", Long.toString(id), "-o", "%T")
                .out()
                .trim();
    }

    void awaitState(String host, long id, String state, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(300)).until(() -> state.equals(state(host, id)));
    }

    private Process daemon(String host, String log, List<String> args) throws IOException {
        List<String> all =
                new ArrayList<>(List.of(TestCluster.BIN.resolve("motley").toString()));
        all.addAll(args);
        ProcessBuilder pb = builder(inHost(host, "/", all));
        pb.environment().put("MOTLEY_LOG_FILE", HOST_HOME + "/log/" + log + ".log");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(
                home(host).resolve("log/" + log + ".out").toFile()));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** Starts the controller in its host, bound to the host's bed address; waits until it listens. */
    void startController() throws IOException {
        Path portFile = home(controllerHost).resolve("run/controller.port");
        Files.deleteIfExists(portFile);
        controller = daemon(controllerHost, "controller", List.of("controller", "--bind", address(controllerHost)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile) || !controller.isAlive());
        if (!controller.isAlive()) throw new IOException("controller exited: " + log(controllerHost, "controller"));
    }

    /**
     * Starts an agent in {@code host}, pointing at the controller's address. First it does what an
     * operator does for a new host: has the controller's host issue the node a certificate ({@code
     * motley node issue}) and copies the files into the host's MOTLEY_HOME/etc/tls (or, with
     * MOTLEY_LINK=shared-key, copies the cluster key). The node is named by the host's own
     * hostname, which is the host's name in the bed, and reports the given slice of the machine as
     * its hardware.
     */
    void startAgent(String host, int cpus, String mem) throws IOException {
        if ("shared-key".equals(System.getenv("MOTLEY_LINK"))) {
            Path key = home(controllerHost).resolve("etc/cluster.key");
            Path copy = home(host).resolve("etc/cluster.key");
            if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS))
                Files.copy(key, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } else {
            Path tls = home(host).resolve("etc/tls");
            if (!Files.exists(tls.resolve("ca.crt"), LinkOption.NOFOLLOW_LINKS)) {
                String out = "/var/lib/motley/issued-" + host;
                Run r = cmd(controllerHost, "motley", "node", "issue", host, out);
                if (r.rc() != 0) throw new IOException("motley node issue " + host + " failed: " + r.err());
                Path issued = home(controllerHost).resolve("issued-" + host);
                Files.createDirectories(tls);
                Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwx------"));
                try (var files = Files.list(issued)) {
                    for (Path f : files.toList())
                        Files.copy(f, tls.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        agents.put(
                host,
                daemon(
                        host,
                        "agent",
                        List.of(
                                "agent",
                                "--controller",
                                address(controllerHost) + ":" + PORT,
                                "--cpus",
                                Integer.toString(cpus),
                                "--mem",
                                mem)));
    }

    /**
     * {@code motley init --advertise ADDR} in the controller's host (before {@link #startController}):
     * the CA, the controller's certificate and a first token; returns the join line it printed
     * ({@code motley join HOST:PORT --token TOKEN}).
     */
    String init() {
        Run r = cmd(controllerHost, "motley", "init", "--advertise", address(controllerHost));
        if (r.rc() != 0) throw new AssertionError("motley init failed rc=" + r.rc() + ": " + r.err());
        return r.lines().stream()
                .map(String::trim)
                .filter(l -> l.startsWith("motley join "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("motley init printed no join line: " + r.out()));
    }

    /** {@code motley token create ARGS...} in the controller's host: the new token. */
    String createToken(String... args) {
        List<String> all = new ArrayList<>(List.of("motley", "token", "create"));
        all.addAll(List.of(args));
        Run r = cmd(controllerHost, all.toArray(String[]::new));
        if (r.rc() != 0) throw new AssertionError("motley token create failed rc=" + r.rc() + ": " + r.err());
        return r.out().trim();
    }

    /** {@code motley join CONTROLLER:PORT --token TOKEN --no-start} in {@code host}: what it said. */
    Run joinOnly(String host, String token) {
        return cmd(host, "motley", "join", address(controllerHost) + ":" + PORT, "--token", token, "--no-start");
    }

    /**
     * The other way to start an agent in {@code host} ({@link #startAgent} issues and copies the
     * files by hand): {@code motley join CONTROLLER:PORT --token TOKEN}, which enrols the host and
     * then runs its agent with the given slice of the machine.
     */
    void joinAgent(String host, String token, int cpus, String mem) throws IOException {
        agents.put(
                host,
                daemon(
                        host,
                        "agent",
                        List.of(
                                "join",
                                address(controllerHost) + ":" + PORT,
                                "--token",
                                token,
                                "--cpus",
                                Integer.toString(cpus),
                                "--mem",
                                mem)));
    }

    /** Waits until sinfo on {@code from} shows every node in {@code nodes} up. */
    void awaitNodesUp(String from, String... nodes) {
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    Run r = cmd(from, "sinfo", "-N", "-h", "-o", "%N %t");
                    if (r.rc() != 0) return false;
                    for (String n : nodes) {
                        // up and responding: not down, and no * (NOT_RESPONDING) after its state
                        if (r.lines().stream()
                                .noneMatch(l -> l.startsWith(n + " ") && !l.contains("down") && !l.endsWith("*")))
                            return false;
                    }
                    return true;
                });
    }

    /** Pulls the host's cable: its port on the bed's bridge goes down. */
    void cut(String host) {
        Run r = script(List.of("cut", name, host));
        if (r.rc() != 0) throw new AssertionError("testbed cut failed: " + r.err());
    }

    /**
     * A one-way partition: every packet {@code host} sends to {@code to} is dropped (an nft rule in
     * the host's own network namespace), while what {@code to} sends still arrives. {@link
     * #undrop} lifts it.
     */
    void dropTo(String host, String to) {
        Run r = cmd(
                host,
                "/bin/sh",
                "-c",
                "nft add table inet motley_bed && nft add chain inet motley_bed out"
                        + " '{ type filter hook output priority 0; policy accept; }'"
                        + " && nft add rule inet motley_bed out ip daddr " + address(to) + " drop");
        if (r.rc() != 0) throw new AssertionError("nft in " + host + " failed: " + r.err());
    }

    void undrop(String host) {
        Run r = cmd(host, "/usr/sbin/nft", "delete", "table", "inet", "motley_bed");
        if (r.rc() != 0) throw new AssertionError("nft in " + host + " failed: " + r.err());
    }

    void heal(String host) {
        Run r = script(List.of("heal", name, host));
        if (r.rc() != 0) throw new AssertionError("testbed heal failed: " + r.err());
    }

    void killController() throws InterruptedException {
        controller.destroyForcibly();
        controller.waitFor(10, TimeUnit.SECONDS);
    }

    boolean controllerAlive() {
        return controller != null && controller.isAlive();
    }

    boolean agentAlive(String host) {
        Process p = agents.get(host);
        return p != null && p.isAlive();
    }

    /** A daemon's log in a host ("controller" or "agent"). */
    String log(String host, String daemon) throws IOException {
        Path f = home(host).resolve("log/" + daemon + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /**
     * Removes the bed: every process in it (daemons, jobs), its namespaces and its files. The
     * hosts' logs are kept first, in e2e/target/testbed/NAME/HOST, to read after a failure.
     */
    @Override
    public void close() throws Exception {
        for (Process p : agents.values()) p.destroy();
        if (controller != null) controller.destroy();
        for (Process p : agents.values()) p.waitFor(15, TimeUnit.SECONDS);
        if (controller != null) controller.waitFor(15, TimeUnit.SECONDS);
        for (String h : addresses.keySet()) {
            Path logs = home(h).resolve("log");
            if (!Files.isDirectory(logs, LinkOption.NOFOLLOW_LINKS)) continue;
            Path kept =
                    TestCluster.REPO.resolve("e2e/target/testbed").resolve(name).resolve(h);
            Files.createDirectories(kept);
            try (var files = Files.list(logs)) {
                for (Path f : files.toList()) {
                    if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                        Files.copy(f, kept.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Run r = script(List.of("down", name));
        if (r.rc() != 0) throw new IOException("testbed down failed rc=" + r.rc() + ": " + r.err());
    }
}
