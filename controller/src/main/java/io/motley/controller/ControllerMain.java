package io.motley.controller;

import io.motley.controller.cluster.Cluster;
import io.motley.controller.http.HttpFront;
import io.motley.controller.metrics.ClusterMetrics;
import io.motley.controller.metrics.MetricsRoute;
import io.motley.controller.metrics.ScrapeTargets;
import io.motley.controller.server.ControllerServer;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.pki.Revocations;
import io.motley.pki.TlsHome;
import io.motley.pki.join.Enrolment;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.link.AgentPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.LinkMode;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.SharedKey;
import io.motley.protocol.link.TlsCredentials;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code motley controller}: runs the controller daemon in the foreground until stopped. */
public final class ControllerMain {
    private static final Logger log = LoggerFactory.getLogger(ControllerMain.class);

    private ControllerMain() {}

    private static final GetOpt OPTIONS = new GetOpt(
            "motley controller",
            List.of(
                    OptionSpec.value('\0', "home"),
                    OptionSpec.value('\0', "bind"),
                    OptionSpec.value('\0', "port"),
                    OptionSpec.flag('h', "help")),
            false,
            2);
    static final String USAGE = "usage: motley controller [--home DIR] [--bind ADDRESS] [--port PORT]";

    /** What {@code motley controller} was told; {@code port} null for the configured one. */
    record Settings(Path home, String bind, Integer port) {}

    /** The controller's settings from its arguments; null after --help. A bad argument is a {@link UsageException}. */
    static Settings parse(String[] args) {
        GetOpt.Parsed p = OPTIONS.parse(List.of(args));
        if (p.has("help")) {
            System.out.println(USAGE);
            return null;
        }
        if (!p.operands().isEmpty())
            throw new UsageException("unexpected argument '" + p.operands().get(0) + "'", 2, true);
        Path home = p.has("home")
                ? Path.of(p.last("home"))
                : Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        Integer port = p.has("port") ? (int) OPTIONS.number("--port", p.last("port"), 0, 65535) : null;
        return new Settings(home, p.has("bind") ? p.last("bind") : "0.0.0.0", port);
    }

    public static void main(String[] args) {
        Settings s;
        try {
            s = parse(args);
        } catch (UsageException e) {
            System.err.println("motley controller: " + e.getMessage());
            if (e.tryHelp()) System.err.println("Try \"motley controller --help\" for more information");
            System.exit(e.exitCode());
            return;
        }
        if (s == null) return;
        try {
            run(s.home().toAbsolutePath(), s.bind(), s.port());
        } catch (Exception e) {
            log.error("controller failed to start: {}", e.getMessage(), e);
            System.err.println("motley controller: error: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * How agents prove themselves: mutual TLS with the cluster's CA (made with the controller's
     * certificate on first start, renewed when due), unless {@code MOTLEY_LINK=shared-key} asks for
     * the shared cluster key (mutual too, with a MAC on every frame; kept for comparison).
     */
    static Handshake<AgentPeer> handshake(Path home, String clusterName) throws IOException {
        if (LinkMode.fromEnvironment() == LinkMode.SHARED_KEY) {
            log.info("agents authenticate with the shared cluster key (MOTLEY_LINK=shared-key)");
            return SharedKey.asController(ClusterKey.loadOrCreate(home.resolve("etc/cluster.key")), clusterName);
        }
        TlsHome tls = new TlsHome(home);
        TlsCredentials credentials = tls.controller(clusterName, Instant.now());
        log.info(
                "agents authenticate with mutual TLS ca={} fingerprint={} certificate_until={}",
                tls.caCertificate(),
                TlsCredentials.fingerprint(credentials.ca()),
                credentials.certificate().getNotAfter().toInstant());
        return MutualTls.asController(
                credentials, clusterName, new Revocations(tls.dir().resolve("revoked")));
    }

    /**
     * Issues a node a new certificate on its link, from the CA on this host, and checks one a node
     * renewed itself against that CA's records (docs/security.md).
     */
    static ControllerServer.Renewal renewal(TlsHome tls) {
        return new ControllerServer.Renewal() {
            @Override
            public io.motley.protocol.Message.CertificateRenewed renew(
                    String node, java.math.BigInteger serial, byte[] request) {
                try {
                    java.security.PublicKey key = Enrolment.requestedKey(request, node);
                    return new io.motley.protocol.Message.CertificateRenewed(
                            TlsCredentials.pem(tls.renewNode(node, serial, key, Instant.now())), null);
                } catch (IllegalArgumentException | IllegalStateException | IOException e) {
                    if (e.getMessage() == null) log.error("certificate renewal failed node={}", node, e);
                    // the request or the link's certificate is refused for good (not issued here, revoked,
                    // another node's); a failure of the CA's files on an intact CA may pass, so ask again soon
                    boolean temporary = e instanceof IOException && tls.hasAuthority();
                    return new io.motley.protocol.Message.CertificateRenewed(
                            null,
                            e.getMessage() != null
                                    ? e.getMessage()
                                    : e.getClass().getSimpleName(),
                            temporary);
                }
            }

            @Override
            public String inUse(String node, java.security.cert.X509Certificate certificate) {
                try {
                    tls.checkIssued(node, certificate, Instant.now());
                    return null;
                } catch (IllegalStateException | IOException e) {
                    return e.getMessage();
                }
            }
        };
    }

    /**
     * Hosts joining with a token ({@code motley join}) are enrolled on the port after the agents'
     * ({@link Enrolment}), under mutual TLS; none under the shared key, nor when that port is taken
     * (logged: the controller still serves its agents).
     */
    static Enrolment.Server enrolment(Path home, String clusterName, String bind, int port) throws IOException {
        if (LinkMode.fromEnvironment() == LinkMode.SHARED_KEY) return null;
        TlsHome tls = new TlsHome(home);
        TlsCredentials credentials = tls.controller(clusterName, Instant.now());
        Enrolment.Server enrolment;
        try {
            enrolment = new Enrolment.Server(tls, credentials, bind, Enrolment.port(port), Instant::now).start();
        } catch (java.net.BindException e) {
            // the agents' port works without it: hosts can still be given files with motley node issue
            log.error(
                    "cannot listen for joining hosts port={} error=\"{}\"; motley join will not reach this controller",
                    Enrolment.port(port),
                    e.getMessage());
            return null;
        }
        log.info("hosts join with a token on port={} tokens={}", enrolment.port(), Enrolment.tokensFile(tls));
        return enrolment;
    }

    /**
     * The HTTP(S) port ({@link HttpFront}) with /metrics mounted; the REST API and the web pages
     * mount on {@code http.server()} beside it. None when its port is taken (logged: the controller
     * still serves its agents and commands).
     */
    static HttpFront http(
            Path home, ClusterConfig config, String bind, int controllerPort, Cluster cluster, ControllerServer server)
            throws IOException {
        HttpFront http;
        try {
            http = HttpFront.start(home, config, bind, controllerPort, Instant.now());
        } catch (java.net.BindException e) {
            log.error(
                    "cannot serve HTTP port={} error=\"{}\"; /metrics and the REST API are not served",
                    config.web().httpPort(controllerPort),
                    e.getMessage());
            return null;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ClusterMetrics(
                cluster, () -> System.currentTimeMillis() / 1000, () -> certificateExpiries(home, http)));
        registry.register(server.rpcStatistics());
        http.server().mount("/metrics", new MetricsRoute(registry));
        http.server()
                .mount(
                        "/metrics/targets",
                        new ScrapeTargets(
                                config.clusterName(),
                                http.server()::baseUrl,
                                cluster::nodes,
                                () -> config.web().agentMetricsPort()));
        return http;
    }

    /** This host's name, as the REST API's ping reports it. */
    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** The cluster CA's, the controller's link certificate's and the HTTPS certificate's expiry, for the alert. */
    static java.util.Map<String, Long> certificateExpiries(Path home, HttpFront http) {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        TlsHome tls = new TlsHome(home);
        for (var file : java.util.Map.of("ca", tls.caCertificate(), "controller", tls.certificate("controller"))
                .entrySet()) {
            if (!Files.exists(file.getValue())) continue;
            try {
                m.put(
                        file.getKey(),
                        TlsCredentials.readCertificate(file.getValue())
                                .getNotAfter()
                                .toInstant()
                                .getEpochSecond());
            } catch (IOException e) {
                log.warn("cannot read certificate file={} error=\"{}\"", file.getValue(), e.getMessage());
            }
        }
        m.putAll(http.certificateExpiry());
        return m;
    }

    static void run(Path home, String bind, Integer portOverride) throws IOException, InterruptedException {
        Path confFile = home.resolve("etc/motley.conf");
        ClusterConfig config =
                Files.exists(confFile) ? ClusterConfig.parse(Files.readString(confFile)) : ClusterConfig.defaults();
        int port = portOverride != null ? portOverride : config.controllerPort();
        Handshake<AgentPeer> handshake = handshake(home, config.clusterName());
        Store store = Store.open(config, home);
        Cluster cluster = new Cluster(config, store, () -> System.currentTimeMillis() / 1000);
        // sbatch --stage-in archives over the inline size arrive here in chunks (docs/files.md)
        cluster.keepStageInsIn(home.resolve("state/stage-in"));
        ControllerServer server = new ControllerServer(
                cluster, handshake, bind, port, Bounds.requests(config.limits().maxScriptBytes()));
        if (LinkMode.fromEnvironment() != LinkMode.SHARED_KEY) {
            TlsHome tls = new TlsHome(home);
            server.certificates(
                    renewal(tls), new Revocations(tls.revokedList())::isRevoked, java.time.Duration.ofSeconds(1));
        }
        // the REST API's signing key: made at the first start, root's only (docs/rest.md)
        io.motley.controller.rest.Tokens tokens = io.motley.controller.rest.Tokens.loadOrCreate(
                home.resolve("state/jwt_hs256.key"), () -> System.currentTimeMillis() / 1000);
        server.issueTokens(tokens, io.motley.controller.rest.Users.system());
        Path pidFile = home.resolve("run/controller.pid");
        if (!Files.isDirectory(pidFile.getParent())) {
            // run/ also holds the agent's socket, which every local user must reach; the daemons' umask is 077
            Files.createDirectories(pidFile.getParent());
            Files.setPosixFilePermissions(pidFile.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        Files.writeString(home.resolve("run/controller.port"), server.port() + "\n");
        Enrolment.Server enrolment = enrolment(home, config.clusterName(), bind, server.port());
        HttpFront http = http(home, config, bind, server.port(), cluster, server);
        if (http != null) {
            // the REST API beside /metrics (docs/rest.md), answering for the users its tokens name
            io.motley.controller.rest.RestRoute rest =
                    new io.motley.controller.rest.RestRoute(new io.motley.controller.rest.RestApi(
                            cluster,
                            tokens,
                            io.motley.controller.rest.Users.system(),
                            hostName(),
                            () -> System.currentTimeMillis() / 1000));
            for (String prefix : java.util.List.of("/slurm/", "/slurmdb/", "/openapi/"))
                http.server().mount(prefix, rest);
            // the web dashboard at "/" (docs/dashboard.md); its history sampler is a daemon thread
            io.motley.controller.web.Dashboard.mount(
                    http.server(), cluster, tokens, server::logs, () -> System.currentTimeMillis() / 1000);
        }
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        timers.scheduleAtFixedRate(
                () -> {
                    try {
                        cluster.checkNodes();
                        cluster.checkStageIns();
                    } catch (RuntimeException e) {
                        log.error("node check failed", e);
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        Thread scheduler = Thread.ofPlatform().name("scheduler").start(cluster::scheduleLoop);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("controller stopping");
            scheduler.interrupt();
            timers.shutdownNow();
            try {
                if (enrolment != null) enrolment.close();
                if (http != null) http.close();
                server.close();
            } catch (IOException ignored) {
                // shutting down anyway
            }
            synchronized (cluster) {
                store.close();
            }
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale pid file is checked for liveness by `motley up`
            }
        }));
        log.info(
                "controller started cluster={} port={} home={} pid={}",
                config.clusterName(),
                server.port(),
                home,
                ProcessHandle.current().pid());
        server.serve();
    }
}
