package io.motley.controller;

import io.motley.controller.cluster.Cluster;
import io.motley.controller.server.ControllerServer;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code motley controller}: runs the controller daemon in the foreground until stopped. */
public final class ControllerMain {
    private static final Logger log = LoggerFactory.getLogger(ControllerMain.class);

    private ControllerMain() {}

    public static void main(String[] args) {
        Path home = Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        String bind = "0.0.0.0";
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--bind" -> bind = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: motley controller [--home DIR] [--bind ADDRESS] [--port PORT]");
                    return;
                }
                default -> {
                    System.err.println("motley controller: error: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        try {
            run(home.toAbsolutePath(), bind, port);
        } catch (Exception e) {
            log.error("controller failed to start: {}", e.getMessage(), e);
            System.err.println("motley controller: error: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(Path home, String bind, Integer portOverride) throws IOException, InterruptedException {
        Path confFile = home.resolve("etc/motley.conf");
        ClusterConfig config = Files.exists(confFile) ? ClusterConfig.parse(Files.readString(confFile)) : ClusterConfig.defaults();
        int port = portOverride != null ? portOverride : config.controllerPort();
        ClusterKey key = ClusterKey.loadOrCreate(home.resolve("etc/cluster.key"));
        Store store = new Store(home.resolve("state/motley.db"));
        Cluster cluster = new Cluster(config, store, () -> System.currentTimeMillis() / 1000);
        ControllerServer server =
                new ControllerServer(cluster, key, bind, port, Bounds.requests(config.limits().maxScriptBytes()));
        Path pidFile = home.resolve("run/controller.pid");
        if (!Files.isDirectory(pidFile.getParent())) {
            // run/ also holds the agent's socket, which every local user must reach; the daemons' umask is 077
            Files.createDirectories(pidFile.getParent());
            Files.setPosixFilePermissions(pidFile.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        Files.writeString(home.resolve("run/controller.port"), server.port() + "\n");
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        timers.scheduleAtFixedRate(() -> {
            try {
                cluster.checkNodes();
            } catch (RuntimeException e) {
                log.error("node check failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        Thread scheduler = Thread.ofPlatform().name("scheduler").start(cluster::scheduleLoop);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("controller stopping");
            scheduler.interrupt();
            timers.shutdownNow();
            try {
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
        log.info("controller started cluster={} port={} home={} pid={}", config.clusterName(), server.port(), home,
                ProcessHandle.current().pid());
        server.serve();
    }
}
