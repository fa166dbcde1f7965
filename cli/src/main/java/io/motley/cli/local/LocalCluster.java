package io.motley.cli.local;

import io.motley.cli.client.AgentClient;
import io.motley.cli.command.Command;
import io.motley.cli.command.Io;
import io.motley.cli.command.Version;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.FreeText;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.protocol.Message;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code motley} verbs that manage a local cluster: {@code up} (controller plus N agents on
 * this machine, each its own process), {@code down}, {@code status} (the cluster's health) and {@code env}. {@code up}
 * is idempotent: it starts only what is not running, so after a crash it brings back just that.
 */
public final class LocalCluster implements Command {
    private static final long READY_TIMEOUT_MS = 60_000;

    @Override
    public int run(List<String> args, Io io) throws Exception {
        if (args.isEmpty()
                || args.get(0).equals("help")
                || args.get(0).equals("--help")
                || args.get(0).equals("-h")) {
            io.out().println(HELP);
            return args.isEmpty() ? 2 : 0;
        }
        Path home = home(io);
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case "up" -> up(rest, io, home);
            case "down" -> down(io, home);
            case "status" -> status(io, home);
            case "env" -> env(io, home);
            case "simulate" -> new io.motley.cli.command.Simulate().run(rest, io);
            case "logs" -> new io.motley.cli.command.MotleyLogs().run(rest, io);
            case "health" -> new io.motley.cli.command.MotleyHealth().run(rest, io);
            case "top" -> new io.motley.cli.command.MotleyTop().run(rest, io);
            case "template" -> new io.motley.cli.template.TemplateCommand().run(rest, io);
            case "service" -> new io.motley.cli.service.ServiceCommand().run(rest, io);
            case "import" -> new io.motley.cli.slurmconf.ImportCommand().run(rest, io);
            case "version", "--version" -> {
                io.out().println(Version.TEXT);
                yield 0;
            }
            default -> throw new UsageException("unknown command '" + args.get(0) + "'; see `motley help`", 2, false);
        };
    }

    static Path home(Io io) {
        String h = io.env().get("MOTLEY_HOME");
        return Path.of(h != null && !h.isEmpty() ? h : System.getProperty("user.home") + "/.motley")
                .toAbsolutePath();
    }

    private static Path dist(Io io) {
        String d = io.env().get("MOTLEY_DIST");
        if (d == null || d.isEmpty())
            throw new UsageException("error: MOTLEY_DIST is not set; run motley through its launcher", 2, false);
        return Path.of(d);
    }

    private int env(Io io, Path home) {
        Path bin = dist(io).resolve("bin");
        io.out().println("export MOTLEY_HOME=" + shellQuote(home.toString()));
        io.out().println("export PATH=" + shellQuote(bin.toString()) + ":\"$PATH\"");
        return 0;
    }

    private static final GetOpt UP_OPTIONS = new GetOpt(
            "motley up",
            List.of(OptionSpec.flag('d', "daemon"), OptionSpec.value('\0', "agents"), OptionSpec.value('\0', "bind")),
            false,
            2);

    private int up(List<String> args, Io io, Path home) throws Exception {
        GetOpt.Parsed opts = UP_OPTIONS.parse(args);
        if (!opts.operands().isEmpty()) {
            throw new UsageException(
                    "unexpected argument '" + opts.operands().get(0)
                            + "' (motley up [--daemon] [--agents N] [--bind ADDRESS])",
                    2,
                    true);
        }
        boolean daemon = opts.has("daemon");
        int agents =
                opts.has("agents") ? (int) UP_OPTIONS.number("--agents", opts.last("agents"), 1, Integer.MAX_VALUE) : 1;
        String bind = opts.has("bind") ? opts.last("bind") : "127.0.0.1";
        for (var d : HOME_MODES.entrySet()) {
            Path p = Files.createDirectories(home.resolve(d.getKey()));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(d.getValue()));
        }
        Path conf = home.resolve("etc/motley.conf");
        ClusterConfig config =
                Files.exists(conf) ? ClusterConfig.parse(Files.readString(conf)) : ClusterConfig.defaults();

        List<Process> started = new ArrayList<>();
        List<String> names = agentNames(io.hostname(), agents);
        Optional<Long> ctl = livePid(home.resolve("run/controller.pid"));
        if (ctl.isPresent()) {
            io.out().println("controller already running (pid " + ctl.get() + ")");
        } else {
            Files.deleteIfExists(home.resolve("run/controller.port"));
            started.add(spawn(
                    io, home, daemon, "controller", List.of("controller", "--home", home.toString(), "--bind", bind)));
            waitForController(home, started.get(0));
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        long memMiB = totalMemMiB();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Optional<Long> pid = livePid(home.resolve("run/agent-" + name + ".pid"));
            if (pid.isPresent()) {
                io.out().println("agent " + name + " already running (pid " + pid.get() + ")");
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of("agent", "--home", home.toString(), "--name", name));
            if (names.size() > 1) {
                int share = Math.max(1, cpus / names.size());
                // each agent binds its jobs to its own slice of the cores
                cmd.addAll(List.of(
                        "--cpus",
                        Integer.toString(share),
                        "--mem",
                        (memMiB / names.size()) + "M",
                        "--cpu-offset",
                        Integer.toString((i * share) % Math.max(1, cpus))));
                // the machine's GPUs belong to the first agent; the others would offer the same devices twice
                if (i > 0) cmd.addAll(List.of("--gpus", "none"));
            }
            cmd.addAll(List.of(
                    "--socket",
                    home.resolve(i == 0 ? "run/agent.sock" : "run/agent-" + name + ".sock")
                            .toString()));
            started.add(spawn(io, home, daemon, "agent-" + name, cmd));
        }
        waitForNodes(io, home, Set.copyOf(names), started);
        io.out()
                .println("Motley cluster '" + config.clusterName() + "' is up: controller on " + bind + ":"
                        + Files.readString(home.resolve("run/controller.port")).trim() + ", " + names.size()
                        + " agent(s) ("
                        + String.join(",", names) + ")");
        io.out().println("Logs: " + home.resolve("log") + "   State: " + home);
        if (daemon) {
            io.out().println("Stop it with `motley down`.");
            return 0;
        }
        io.out().println("Running in the foreground; Ctrl-C stops the daemons (running jobs keep running).");
        io.out().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(Process::destroy)));
        for (Process p : started) p.waitFor();
        return 0;
    }

    static List<String> agentNames(String host, int n) {
        if (n == 1) return List.of(host);
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) out.add(host + "-" + i);
        return out;
    }

    /**
     * MOTLEY_HOME's directories and who may enter them: the job database, the spool (scripts and
     * environments) and the logs are the daemons' own; every local user reaches the agent's socket
     * in run/ (docs/security.md).
     */
    private static final Map<String, String> HOME_MODES = Map.of(
            "etc", "rwxr-xr-x", "run", "rwxr-xr-x", "log", "rwx------", "state", "rwx------", "spool", "rwx------");

    private static Process spawn(Io io, Path home, boolean daemon, String logName, List<String> motleyArgs)
            throws IOException {
        Path launcher = dist(io).resolve("bin/motley");
        List<String> cmd = new ArrayList<>();
        // a daemon gets its own session, so the terminal's signals do not reach it
        if (daemon && new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        cmd.add(launcher.toString());
        cmd.addAll(motleyArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("MOTLEY_HOME", home.toString());
        pb.environment()
                .put("MOTLEY_LOG_FILE", home.resolve("log/" + logName + ".log").toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path out = home.resolve("log/" + logName + ".out");
        if (!Files.exists(out))
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /**
     * What a daemon that died said last on its standard error ({@code motley controller: error: ...}),
     * as ": ..." to follow the sentence that it exited, or nothing when it said no such thing.
     */
    static String said(Path out) {
        try {
            List<String> lines = Files.readAllLines(out);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                int at = l.indexOf(": error: ");
                if (at >= 0) return ": " + FreeText.escape(l.substring(at + ": error: ".length()));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no file, or not text: the logs named below are still there to read
        }
        return "";
    }

    private static void waitForController(Path home, Process p) throws Exception {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        Path portFile = home.resolve("run/controller.port");
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new UsageException(
                        "error: the controller exited during start-up" + said(home.resolve("log/controller.out"))
                                + "; see " + home.resolve("log/controller.log") + " and "
                                + home.resolve("log/controller.out"),
                        1,
                        false);
            }
            if (Files.exists(portFile)) {
                try (Socket s = new Socket()) {
                    s.connect(
                            new InetSocketAddress(
                                    "127.0.0.1",
                                    Integer.parseInt(Files.readString(portFile).trim())),
                            500);
                    return;
                } catch (IOException | NumberFormatException e) {
                    // not listening yet
                }
            }
            Thread.sleep(50);
        }
        throw new UsageException(
                "error: the controller did not start within 60 s; see " + home.resolve("log/controller.log"), 1, false);
    }

    /** Waits until the cluster takes jobs: the local agent answers and every agent's node is up. */
    private static void waitForNodes(Io io, Path home, Set<String> names, List<Process> started) throws Exception {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        String lastProblem = "";
        while (System.currentTimeMillis() < deadline) {
            for (Process p : started) {
                if (!p.isAlive()) {
                    throw new UsageException(
                            "error: a daemon exited during start-up ("
                                    + p.info().commandLine().orElse("?") + "); see the logs in " + home.resolve("log"),
                            1,
                            false);
                }
            }
            try (AgentClient c = AgentClient.connectTo(home.resolve("run/agent.sock"))) {
                Set<String> up = c.ask(new Message.Nodes()).nodes().stream()
                        .filter(n -> n.state() != NodeState.DOWN)
                        .map(n -> n.name())
                        .collect(Collectors.toSet());
                if (up.containsAll(names)) return;
                lastProblem = "waiting for nodes to register";
            } catch (AgentClient.ClusterUnreachable | RuntimeException e) {
                lastProblem = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new UsageException(
                "error: the cluster did not come up within 60 s (" + lastProblem + "); see the logs in "
                        + home.resolve("log"),
                1,
                false);
    }

    private int down(Io io, Path home) throws Exception {
        List<Path> pidFiles = new ArrayList<>();
        Path run = home.resolve("run");
        if (Files.isDirectory(run)) {
            try (var files = Files.list(run)) {
                files.filter(f -> f.getFileName().toString().startsWith("agent-")
                                && f.toString().endsWith(".pid"))
                        .sorted()
                        .forEach(pidFiles::add);
            }
        }
        pidFiles.add(run.resolve("controller.pid"));
        int stopped = 0;
        for (Path f : pidFiles) {
            Optional<Long> pid = livePid(f);
            if (pid.isEmpty()) continue;
            ProcessHandle h = ProcessHandle.of(pid.get()).orElseThrow();
            h.destroy();
            try {
                h.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
            String what = f.getFileName().toString().replace(".pid", "");
            io.out().println("stopped " + what + " (pid " + pid.get() + ")");
            Files.deleteIfExists(f);
            stopped++;
        }
        if (stopped == 0) {
            io.out().println("nothing to stop: no Motley daemon is running for " + home);
        } else {
            io.out().println("Jobs that were running keep running; `motley up` picks them up again.");
        }
        return 0;
    }

    private int status(Io io, Path home) throws IOException {
        Optional<Long> ctl = livePid(home.resolve("run/controller.pid"));
        io.out().println("home:       " + home);
        io.out()
                .println(
                        "controller: " + ctl.map(p -> "running (pid " + p + ")").orElse("not running"));
        boolean dbUsable = true;
        if (ctl.isPresent()) {
            // the controller says whether its job database can take jobs (it may have been deleted, or its disk filled)
            String db = database(home);
            dbUsable = !db.startsWith("UNUSABLE");
            io.out().println("database:   " + db);
            for (String line : nodeReasons(home)) io.out().println(line);
        }
        Path run = home.resolve("run");
        if (Files.isDirectory(run)) {
            try (var files = Files.list(run)) {
                for (Path f : files.filter(x -> x.getFileName().toString().startsWith("agent-")
                                && x.toString().endsWith(".pid"))
                        .sorted()
                        .toList()) {
                    String name = f.getFileName().toString().replaceAll("^agent-|\\.pid$", "");
                    io.out()
                            .println("agent " + name + ": "
                                    + livePid(f)
                                            .map(p -> "running (pid " + p + ")")
                                            .orElse("not running"));
                }
            }
        }
        return ctl.isPresent() && dbUsable ? 0 : 1;
    }

    /** "ok", "UNUSABLE: why" as the controller answers a ping, or "unknown (why)" when no answer comes. */
    static String database(Path home) {
        try (AgentClient c = AgentClient.connectTo(home.resolve("run/agent.sock"))) {
            String db = c.ask(new Message.Ping(false)).database();
            return db.equals("ok") ? "ok" : "UNUSABLE: " + FreeText.escape(db);
        } catch (AgentClient.ClusterUnreachable | AgentClient.RequestFailed e) {
            return "unknown (" + FreeText.escape(e.getMessage()) + ")";
        }
    }

    /**
     * A line for every node that carries a reason (down, drained, invalid, or a clock off from the
     * controller's), as {@code node n1:    up, Clock skew 300s ahead}; none when the cluster cannot
     * be asked (the database line already says so).
     */
    static List<String> nodeReasons(Path home) {
        List<Node> nodes;
        try (AgentClient c = AgentClient.connectTo(home.resolve("run/agent.sock"))) {
            nodes = c.ask(new Message.Nodes()).nodes();
        } catch (AgentClient.ClusterUnreachable | AgentClient.RequestFailed e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.reason() == null || n.reason().isBlank()) continue;
            out.add(String.format(
                    Locale.ROOT,
                    "node %-6s %s, %s",
                    n.name() + ":",
                    n.state().name().toLowerCase(Locale.ROOT),
                    FreeText.escape(n.reason())));
        }
        return out;
    }

    /** The pid in a pid file, if that process is alive and is a JVM (a recycled pid is not ours). */
    static Optional<Long> livePid(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> !isZombie(pid))
                    .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(true))
                    .map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A killed daemon whose parent has gone may linger unreaped; it is dead all the same. */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static long totalMemMiB() {
        var bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize() / (1024 * 1024);
        return 1024;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static final String HELP = """
            usage: motley <command> [options]
              up [--daemon] [--agents N] [--bind ADDR]   start a local cluster (controller + N agents on this machine)
              down                                        stop the local cluster's daemons (jobs keep running)
              status                                      which local daemons are running, whether the job database is usable, and nodes' reasons (down, drained, clock skew)
              env                                         shell lines for: eval "$(motley env)"
              logs JOBID [-f] [-e]                        a job's output from wherever it is (docs/files.md)
              template list|show|new|submit NAME [--set KEY=VALUE ...]   ready-made job scripts (docs/templates.md)
              service install|uninstall|status [controller|agent] [--print]   the daemons as boot-time services (docs/services.md)
              import SLURM.CONF [--out MOTLEY.CONF]      a motley.conf from a Slurm configuration, and what did not carry over (docs/import.md)
              simulate WORKLOAD [--cluster FILE] [--policy LIST] [--json]   run the scheduler in virtual time over a workload (docs/simulate.md)
              top [-d SECONDS] [-n N] [-s id|user|state|time] [-u]   a live view of nodes and jobs; q quits, s sorts, u yours only
              health [--json]                             check the whole cluster; exit 1 on problems (docs/health.md)
              backup [--to DIR]                           a consistent copy of the controller's state while it runs (docs/backup.md)
              restore DIR [--force]                       bring a controller's state back from a backup
              deploy INVENTORY [--dry-run]                agents onto the inventory's hosts over SSH (docs/deploy.md)
              init | token create|list|revoke | join HOST:PORT --token T | node issue|remove|fingerprint   hosts joining over TLS (docs/security.md)
              controller [--home DIR] [--bind ADDR] [--port N]   run the controller in the foreground
              agent --controller HOST:PORT [--name NODE] [--cpus N] [--mem SIZE]   run an agent in the foreground
            Slurm commands: sbatch srun squeue sinfo scancel sacct scontrol seff sprio sshare sacctmgr sreport sdiag sstat strigger (put on PATH by `motley env`).
            State lives in MOTLEY_HOME (default ~/.motley).""";
}
