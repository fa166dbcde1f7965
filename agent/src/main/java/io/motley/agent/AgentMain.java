package io.motley.agent;

import io.motley.agent.clock.WallClock;
import io.motley.agent.enforcement.Containment;
import io.motley.agent.enforcement.CpuAllocator;
import io.motley.agent.hardware.Gpus;
import io.motley.agent.hardware.Hardware;
import io.motley.agent.health.HealthCheck;
import io.motley.agent.launch.JobLauncher;
import io.motley.agent.link.ControllerLink;
import io.motley.agent.link.NodeCredentials;
import io.motley.agent.local.LocalSocket;
import io.motley.agent.metrics.AgentMetrics;
import io.motley.agent.metrics.MetricsPort;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.core.size.MemorySize;
import io.motley.pki.TlsHome;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.Register;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.LinkMode;
import io.motley.protocol.link.SharedKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code motley agent}: detects this host, registers with the controller and runs its jobs. */
public final class AgentMain {
    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);
    static final String VERSION = "0.1.0";

    private AgentMain() {}

    /** What the agent was told, from its flags over MOTLEY_HOME/etc/motley.conf over the defaults. */
    record Settings(
            Path home,
            String controller,
            String name,
            Integer cpus,
            Long mem,
            Path socket,
            Path keyFile,
            boolean printConfig,
            Integer coreSpec,
            Long memSpec,
            String gpus,
            String healthProgram,
            Long healthInterval,
            String containment,
            Integer cpuOffset,
            boolean disableRootJobs,
            Long maxOutputMiB,
            Integer metricsPort,
            String metricsBind) {}

    public static void main(String[] args) {
        Settings s;
        try {
            s = parse(args);
        } catch (UsageException e) {
            System.err.println("motley agent: " + e.getMessage());
            if (e.tryHelp()) System.err.println("Try \"motley agent --help\" for more information");
            System.exit(e.exitCode());
            return;
        } catch (IllegalArgumentException e) {
            // a size or GPU list that does not parse: the parser's message names it
            System.err.println("motley agent: error: " + e.getMessage() + " (see motley agent --help)");
            System.exit(2);
            return;
        }
        if (s == null) return;
        Path home = s.home().toAbsolutePath();
        ClusterConfig config;
        try {
            Path conf = home.resolve("etc/motley.conf");
            config = Files.exists(conf) ? ClusterConfig.parse(Files.readString(conf)) : ClusterConfig.defaults();
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("motley agent: error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Hardware hw = Hardware.detect();
        String name = s.name() != null ? s.name() : hw.hostname();
        ClusterConfig.NodeOverride o = config.overrideFor(name);
        int coreSpec = s.coreSpec() != null ? s.coreSpec() : o != null ? o.coreSpecCount() : 0;
        long memSpec = s.memSpec() != null ? s.memSpec() : o != null ? o.memSpecLimitMiB() : 0;
        try {
            hw = hw.limited(name, s.cpus(), s.mem())
                    .withGpus(Gpus.select(hw.gpus(), s.gpus()))
                    .withSpecialization(coreSpec, memSpec);
        } catch (IllegalArgumentException e) {
            System.err.println("motley agent: error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (s.printConfig()) {
            System.out.print(hw.slurmdConfig(System.currentTimeMillis() / 1000));
            return;
        }
        try {
            run(home, s, config, hw);
        } catch (Exception e) {
            log.error("agent failed to start: {}", e.getMessage(), e);
            System.err.println("motley agent: error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static final GetOpt OPTIONS = new GetOpt(
            "motley agent",
            List.of(
                    OptionSpec.value('\0', "home"),
                    OptionSpec.value('\0', "controller"),
                    OptionSpec.value('\0', "name"),
                    OptionSpec.value('\0', "cpus"),
                    OptionSpec.value('\0', "mem"),
                    OptionSpec.value('\0', "socket"),
                    OptionSpec.value('\0', "key"),
                    OptionSpec.value('\0', "core-spec"),
                    OptionSpec.value('\0', "mem-spec"),
                    OptionSpec.value('\0', "gpus"),
                    OptionSpec.value('\0', "cpu-offset"),
                    OptionSpec.value('\0', "health-check"),
                    OptionSpec.value('\0', "health-interval"),
                    OptionSpec.value('\0', "containment"),
                    OptionSpec.flag('C', "print-config"),
                    OptionSpec.flag('\0', "disable-root-jobs"),
                    OptionSpec.value('\0', "max-output"),
                    OptionSpec.value('\0', "metrics-port"),
                    OptionSpec.value('\0', "metrics-bind"),
                    OptionSpec.flag('h', "help")),
            false,
            2);

    /** The agent's settings from its arguments; null after --help. A bad argument is a {@link UsageException}. */
    static Settings parse(String[] args) {
        GetOpt.Parsed p = OPTIONS.parse(List.of(args));
        if (p.has("help")) {
            System.out.println(HELP);
            return null;
        }
        if (!p.operands().isEmpty())
            throw new UsageException("unexpected argument '" + p.operands().get(0) + "'", 2, true);
        Path home = p.has("home")
                ? Path.of(p.last("home"))
                : Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        String containment = p.last("containment");
        if (containment != null && !ClusterConfig.CONTAINMENT_TYPES.contains(containment)) {
            throw new UsageException("--containment must be one of " + ClusterConfig.CONTAINMENT_TYPES, 2, true);
        }
        return new Settings(
                home,
                p.last("controller"),
                p.last("name"),
                integer(p, "cpus", 1),
                size(p, "mem"),
                p.has("socket") ? Path.of(p.last("socket")) : null,
                p.has("key") ? Path.of(p.last("key")) : null,
                p.has("print-config"),
                integer(p, "core-spec", 0),
                size(p, "mem-spec"),
                p.last("gpus"),
                p.last("health-check"),
                p.has("health-interval")
                        ? OPTIONS.number("--health-interval", p.last("health-interval"), 0, Long.MAX_VALUE)
                        : null,
                containment,
                integer(p, "cpu-offset", 0),
                p.has("disable-root-jobs"),
                size(p, "max-output"),
                p.has("metrics-port") ? (int) OPTIONS.number("--metrics-port", p.last("metrics-port"), 0, 65535) : null,
                p.last("metrics-bind"));
    }

    /**
     * The cap on each output stream of a job that ran here without its submit directory, in MiB:
     * --max-output, else MaxOutputSize= in this host's motley.conf, else null (the default).
     */
    static Long outputCapMiB(Settings s, ClusterConfig config) {
        if (s.maxOutputMiB() != null) return s.maxOutputMiB();
        return config.maxOutputMiB() > 0 ? config.maxOutputMiB() : null;
    }

    private static Integer integer(GetOpt.Parsed p, String key, int min) {
        return p.has(key) ? (int) OPTIONS.number("--" + key, p.last(key), min, Integer.MAX_VALUE) : null;
    }

    private static Long size(GetOpt.Parsed p, String key) {
        if (!p.has(key)) return null;
        try {
            return MemorySize.parseMebibytes(p.last(key));
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "invalid value for --" + key + ": '" + p.last(key) + "' (" + e.getMessage() + ")", 2, true);
        }
    }

    /**
     * How this agent proves itself: mutual TLS with node {@code node}'s certificate (made, and
     * renewed when due, where the CA is at hand, as under {@code motley up}; else the one {@code
     * motley join} received, or {@code motley node issue} made on the controller's host), unless {@code MOTLEY_LINK=shared-key} asks for the cluster key.
     */
    static ControllerLink.Handshakes handshakes(Path home, Settings s, String node) throws IOException {
        if (LinkMode.fromEnvironment() == LinkMode.SHARED_KEY) {
            Path keyFile = s.keyFile() != null ? s.keyFile() : home.resolve("etc/cluster.key");
            if (!Files.exists(keyFile)) {
                throw new IOException("no cluster key at " + keyFile + ": copy the controller's"
                        + " MOTLEY_HOME/etc/cluster.key to this host (or pass --key FILE)");
            }
            ClusterKey key = ClusterKey.load(keyFile);
            // one handshake per role, as NodeCredentials keeps: kept relay connections are lent while it is the same
            Map<String, Handshake<ControllerPeer>> byRole = new ConcurrentHashMap<>();
            return role -> byRole.computeIfAbsent(role, r -> SharedKey.asAgent(key, node, r));
        }
        return new NodeCredentials(new TlsHome(home), node)::handshake;
    }

    static void run(Path home, Settings s, ClusterConfig config, Hardware hw) throws IOException {
        String controller = s.controller();
        if (controller == null) {
            Path portFile = home.resolve("run/controller.port");
            if (!Files.exists(portFile)) {
                throw new IOException("no --controller HOST:PORT given and no local controller found (" + portFile
                        + " is missing); start one with `motley controller` or use `motley up`");
            }
            controller = "127.0.0.1:" + Files.readString(portFile).trim();
        }
        int colon = controller.lastIndexOf(':');
        if (colon < 0) throw new IOException("--controller must be HOST:PORT, got " + controller);
        String host = controller.substring(0, colon);
        int port = Integer.parseInt(controller.substring(colon + 1));
        String node = hw.hostname();
        NodeCredentials credentials =
                LinkMode.fromEnvironment() == LinkMode.SHARED_KEY ? null : new NodeCredentials(new TlsHome(home), node);
        ControllerLink.Handshakes handshakes = credentials != null ? credentials::handshake : handshakes(home, s, node);
        long started = WallClock.seconds();
        Path spool = home.resolve("spool/" + node);
        String smi = Gpus.command();
        String healthProgram = s.healthProgram() != null ? s.healthProgram() : config.healthCheckProgram();
        long healthInterval = s.healthInterval() != null ? s.healthInterval() : config.healthCheckIntervalSeconds();
        HealthCheck[] health = new HealthCheck[1];
        io.motley.agent.health.HostChecks hostChecks = io.motley.agent.health.HostChecks.of(
                spool,
                home.resolve("work/" + node),
                () -> credentials == null ? null : credentials.current().certificate());
        JobLauncher[] launcher = new JobLauncher[1];
        ControllerLink link = new ControllerLink(
                host,
                port,
                handshakes,
                node,
                () -> new Register(
                        new Node(
                                node,
                                host.equals("127.0.0.1") ? "127.0.0.1" : node,
                                hw.cpus(),
                                hw.memMiB(),
                                hw.sockets(),
                                hw.coresPerSocket(),
                                hw.threadsPerCore(),
                                hw.arch(),
                                hw.os(),
                                NodeState.UP,
                                null,
                                0,
                                0,
                                0,
                                Hardware.freeMemMiB(),
                                Hardware.load(),
                                hw.bootTime(),
                                started,
                                VERSION,
                                hw.features(),
                                hw.gpus(),
                                launcher[0].containment().name(),
                                launcher[0].jobUser(),
                                "",
                                false),
                        hw.totalCpus(),
                        hw.totalMemMiB(),
                        launcher[0].inventory()),
                () -> new Heartbeat(
                        Hardware.load(),
                        Hardware.freeMemMiB(),
                        hw.gpus().isEmpty() ? null : Gpus.sample(smi),
                        health[0] == null ? null : health[0].lastResult(),
                        WallClock.millis(),
                        hostChecks.get()));
        String mode = s.containment() != null ? s.containment() : config.containmentType();
        Containment containment = Containment.choose(mode, JobLauncher.groupName(node, spool));
        boolean refuseRootJobs = s.disableRootJobs() || config.limits().disableRootJobs();
        launcher[0] = new JobLauncher(spool, node, link::trySend, containment, jobCpus(s, hw), refuseRootJobs);
        launcher[0].workIn(home.resolve("work/" + node));
        Long capMiB = outputCapMiB(s, config);
        if (capMiB != null) launcher[0].outputCap(capMiB * 1024 * 1024);
        link.attach(launcher[0]);
        if (credentials != null) link.renewWith(credentials);
        // chunked --stage-in archives are read from the controller at launch, as this agent (root), for this node
        launcher[0].readStageInsFrom(link::readStageIn);
        launcher[0].sendOutputThrough(report -> {
            try {
                link.send(report);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        if (healthProgram != null && !healthProgram.isBlank()) {
            health[0] = HealthCheck.of(healthProgram, healthInterval);
            health[0].start();
            log.info("health check program={} interval={}s", healthProgram, healthInterval);
        }
        LocalSocket local = new LocalSocket(
                s.socket() != null ? s.socket() : home.resolve("run/agent.sock"), link, config.limits());
        local.nameNode(node);
        Path pidFile = home.resolve("run/agent-" + node + ".pid");
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("agent stopping node={}; its jobs keep running", node);
            try {
                if (health[0] != null) health[0].close();
                local.close();
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // nothing more to do on the way out
            }
        }));
        Thread.ofPlatform().name("local-socket").start(local::serve);
        metrics(home, s, config, node, started, launcher[0], health[0], hw, smi, link);
        log.info(
                "agent started node={} cpus={} mem={}M gpus={} features={} controller={} pid={}",
                node,
                hw.cpus(),
                hw.memMiB(),
                hw.gpus().size(),
                String.join(",", hw.features()),
                controller,
                ProcessHandle.current().pid());
        link.run();
    }

    /**
     * The agent's /metrics (docs/metrics.md), where --metrics-port or AgentMetricsPort asks for it;
     * its URL goes to run/metrics-NODE.url. A port that is taken is logged and the agent runs on.
     */
    static void metrics(
            Path home,
            Settings s,
            ClusterConfig config,
            String node,
            long started,
            JobLauncher launcher,
            HealthCheck health,
            Hardware hw,
            String smi,
            ControllerLink link) {
        int port = s.metricsPort() != null ? s.metricsPort() : config.web().agentMetricsPort();
        if (port < 0) return;
        String bind = s.metricsBind() != null ? s.metricsBind() : config.web().agentMetricsBind();
        Path certificate = new TlsHome(home).certificate(TlsHome.nodeFiles(node));
        io.prometheus.metrics.model.registry.PrometheusRegistry registry =
                new io.prometheus.metrics.model.registry.PrometheusRegistry();
        registry.register(new AgentMetrics(new AgentMetrics.Sources(
                node,
                VERSION,
                launcher.containment().name(),
                started,
                launcher::runUses,
                () -> health == null ? null : health.lastResult(),
                health != null,
                () -> hw.gpus().isEmpty() ? "" : Gpus.sample(smi),
                Hardware::load,
                Hardware::freeMemMiB,
                link::connected,
                () -> certificateExpiry(certificate))));
        try {
            io.motley.pki.http.WebServer web = MetricsPort.start(bind, port, registry);
            Files.writeString(home.resolve("run/metrics-" + node + ".url"), web.baseUrl() + "\n");
            log.info("metrics serving url={}/metrics node={}", web.baseUrl(), node);
        } catch (IOException e) {
            log.error(
                    "cannot serve metrics bind={} port={} error=\"{}\"; the agent runs without",
                    bind,
                    port,
                    e.getMessage());
        }
    }

    private static java.util.Map<String, Long> certificateExpiry(Path certificate) {
        if (!Files.exists(certificate)) return java.util.Map.of();
        try {
            return java.util.Map.of(
                    "node",
                    io.motley.protocol.link.TlsCredentials.readCertificate(certificate)
                            .getNotAfter()
                            .toInstant()
                            .getEpochSecond());
        } catch (IOException e) {
            return java.util.Map.of();
        }
    }

    /**
     * The CPU ids this agent's jobs may be bound to: all of the host's, or for one of several agents
     * on a machine (motley up --agents N, --cpus K) its own slice, so agents do not bind jobs to the
     * same cores. Reserved cores (--core-spec) are taken from the end.
     */
    static List<Integer> jobCpus(Settings s, Hardware hw) {
        List<Integer> host = CpuAllocator.hostCpus();
        int first = s.cpuOffset() != null ? s.cpuOffset() : 0;
        List<Integer> out = new ArrayList<>();
        for (int i = first; i < host.size() && out.size() < hw.cpus(); i++) out.add(host.get(i));
        return out.isEmpty() ? host : out;
    }

    private static final String HELP = """
            usage: motley agent [--controller HOST:PORT] [--home DIR] [--name NODE] [--cpus N] [--mem SIZE]
                                [--socket PATH] [--key FILE] [--print-config]
                                [--core-spec N] [--mem-spec SIZE] [--gpus all|none|LIST]
                                [--health-check PROGRAM] [--health-interval SECONDS]
                                [--containment auto|cgroup2|cgroup1|process] [--cpu-offset N]
                                [--disable-root-jobs] [--max-output SIZE]
                                [--metrics-port PORT] [--metrics-bind ADDRESS]
            Detects this host's CPUs, memory and GPUs, registers with the controller and runs its jobs.
            --print-config prints the node's line as `slurmd -C` does. --core-spec/--mem-spec keep cores and
            memory for the host OS (also MemSpecLimit=/CoreSpecCount= on the node's NodeName line in motley.conf).
            Jobs run as the submitting user when the agent runs as root, else as the agent's own user.
            --disable-root-jobs refuses to run jobs of root (uid 0): they end FAILED with the reason
            "Launch refused on NODE: DisableRootJobs=YES". DisableRootJobs=YES in MOTLEY_HOME/etc/motley.conf
            does the same. By default root's jobs run, as in Slurm.
            --max-output caps how much of each output stream of a job that ran here without its submit
            directory is sent to its submit host (default 1G, or MaxOutputSize= in motley.conf; docs/files.md).
            --metrics-port serves /metrics over plain HTTP on --metrics-bind (default 127.0.0.1); off unless
            given or set as AgentMetricsPort=/AgentMetricsBind= in motley.conf (docs/metrics.md).""";
}
