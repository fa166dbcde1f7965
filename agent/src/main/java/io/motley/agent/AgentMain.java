package io.motley.agent;

import io.motley.agent.hardware.Hardware;
import io.motley.agent.launch.JobLauncher;
import io.motley.agent.link.ControllerLink;
import io.motley.agent.local.LocalSocket;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code motley agent}: detects this host, registers with the controller and runs its jobs. */
public final class AgentMain {
    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);
    static final String VERSION = "0.1.0";

    private AgentMain() {}

    public static void main(String[] args) {
        Path home = Path.of(System.getenv().getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
        String controller = null;
        String name = null;
        Integer cpus = null;
        Long mem = null;
        Path socket = null;
        Path keyFile = null;
        boolean printConfig = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--home" -> home = Path.of(args[++i]);
                    case "--controller" -> controller = args[++i];
                    case "--name" -> name = args[++i];
                    case "--cpus" -> cpus = Integer.parseInt(args[++i]);
                    case "--mem" -> mem = io.motley.core.size.MemorySize.parseMebibytes(args[++i]);
                    case "--socket" -> socket = Path.of(args[++i]);
                    case "--key" -> keyFile = Path.of(args[++i]);
                    case "--print-config" -> printConfig = true;
                    case "-h", "--help" -> {
                        System.out.println("""
                                usage: motley agent [--controller HOST:PORT] [--home DIR] [--name NODE]
                                                    [--cpus N] [--mem SIZE] [--socket PATH] [--key FILE] [--print-config]
                                Detects this host's CPUs and memory, registers with the controller and runs its jobs.
                                Jobs run as the agent's own user (running them as the submitting user is not built yet).""");
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("motley agent: error: " + e.getMessage() + " (see motley agent --help)");
            System.exit(2);
        }
        home = home.toAbsolutePath();
        Hardware hw = Hardware.detect();
        if (name == null) name = hw.hostname();
        hw = hw.limited(name, cpus, mem);
        if (printConfig) {
            System.out.printf("NodeName=%s CPUs=%d Boards=1 SocketsPerBoard=%d CoresPerSocket=%d ThreadsPerCore=%d RealMemory=%d%n",
                    hw.hostname(), hw.cpus(), hw.sockets(), hw.coresPerSocket(), hw.threadsPerCore(), hw.memMiB());
            return;
        }
        try {
            run(home, controller, hw, socket == null ? home.resolve("run/agent.sock") : socket,
                    keyFile == null ? home.resolve("etc/cluster.key") : keyFile);
        } catch (Exception e) {
            log.error("agent failed to start: {}", e.getMessage(), e);
            System.err.println("motley agent: error: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(Path home, String controller, Hardware hw, Path socketPath, Path keyFile) throws IOException {
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
        if (!Files.exists(keyFile)) {
            throw new IOException("no cluster key at " + keyFile + ": copy the controller's MOTLEY_HOME/etc/cluster.key"
                    + " to this host (or pass --key FILE)");
        }
        ClusterKey key = ClusterKey.load(keyFile);
        String node = hw.hostname();
        long started = System.currentTimeMillis() / 1000;
        Path spool = home.resolve("spool/" + node);
        JobLauncher[] launcher = new JobLauncher[1];
        ControllerLink link = new ControllerLink(host, port, key, node, () -> {
            Frame reg = Frame.op(Ops.REGISTER)
                    .put("name", node)
                    .put("address", host.equals("127.0.0.1") ? "127.0.0.1" : node)
                    .put("cpus", hw.cpus())
                    .put("mem", hw.memMiB())
                    .put("sockets", hw.sockets())
                    .put("coresPerSocket", hw.coresPerSocket())
                    .put("threadsPerCore", hw.threadsPerCore())
                    .put("arch", hw.arch())
                    .put("os", hw.os())
                    .put("freeMem", Hardware.freeMemMiB())
                    .put("load", Hardware.load())
                    .put("boot", hw.bootTime())
                    .put("agentStart", started)
                    .put("version", VERSION);
            launcher[0].inventory().forEach(reg::add);
            return reg;
        });
        launcher[0] = new JobLauncher(spool, node, link::trySend);
        link.attach(launcher[0]);
        LocalSocket local = new LocalSocket(socketPath, link);
        Path pidFile = home.resolve("run/agent-" + node + ".pid");
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("agent stopping node={}; its jobs keep running", node);
            try {
                local.close();
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // nothing more to do on the way out
            }
        }));
        Thread.ofPlatform().name("local-socket").start(local::serve);
        log.info("agent started node={} cpus={} mem={}M controller={} socket={} pid={}", node, hw.cpus(), hw.memMiB(),
                controller, socketPath, ProcessHandle.current().pid());
        link.run();
    }
}
