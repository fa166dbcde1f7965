package io.motley.bench.link;

import io.motley.pki.CertificateAuthority;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import io.motley.protocol.link.AgentPeer;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.SharedKey;
import io.motley.protocol.link.TlsCredentials;
import io.motley.protocol.link.Transport;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The cost of the agent-controller link itself, TLS against the shared key, over loopback: a new
 * connection with one request and its answer (what every relayed user request costs: the agent
 * opens one per request) and a round trip on an open link (what each order and report costs).
 *
 * <pre>java -cp "bench/target/classes:dist/target/lib/*" io.motley.bench.link.LinkBench [CONNECTIONS] [ROUND_TRIPS]</pre>
 */
public final class LinkBench {
    private static final Duration WITHIN = Duration.ofSeconds(10);

    private LinkBench() {}

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("bench", now, Duration.ofDays(1));
        TlsCredentials controller = ca.issueController(now, Duration.ofDays(1));
        TlsCredentials node = ca.issueNode("n1", now, Duration.ofDays(1));
        Path keyFile = Files.createTempFile("bench", ".key");
        Files.writeString(keyFile, "ab".repeat(32) + "\n");
        ClusterKey key = ClusterKey.load(keyFile);
        Files.delete(keyFile);

        run(
                "mutual TLS 1.3 ",
                MutualTls.asController(controller, "bench", MutualTls.Admission.ALL),
                role -> MutualTls.asAgent(node, role),
                connections,
                roundTrips);
        run(
                "shared key+MAC ",
                SharedKey.asController(key, "bench"),
                role -> SharedKey.asAgent(key, "n1", role),
                connections,
                roundTrips);
    }

    interface Agent {
        Handshake<ControllerPeer> forRole(String role);
    }

    private static void run(String name, Handshake<AgentPeer> server, Agent agent, int connections, int roundTrips)
            throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 512, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> serve(ss, server));
            int port = ss.getLocalPort();
            Handshake<ControllerPeer> relay = agent.forRole("relay");
            for (int i = 0; i < connections / 5 + 20; i++) oneRequest(port, relay); // warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < connections; i++) oneRequest(port, relay);
            double perConnection = (System.nanoTime() - t0) / 1e6 / connections;
            double perTrip;
            try (Link<ControllerPeer> link = open(port, agent.forRole("agent"))) {
                for (int i = 0; i < roundTrips / 5; i++) trip(link);
                long t1 = System.nanoTime();
                for (int i = 0; i < roundTrips; i++) trip(link);
                perTrip = (System.nanoTime() - t1) / 1e3 / roundTrips;
            }
            System.out.printf(
                    "%s new connection + one request: %.2f ms (%.0f/s); round trip on an open link: %.1f us (%.0f/s)%n",
                    name, perConnection, 1000 / perConnection, perTrip, 1e6 / perTrip);
        }
    }

    private static Link<ControllerPeer> open(int port, Handshake<ControllerPeer> h) throws IOException {
        return Link.open(Transport.connect("127.0.0.1", port, WITHIN), h, Bounds.ANSWERS, WITHIN);
    }

    private static void oneRequest(int port, Handshake<ControllerPeer> h) throws IOException {
        try (Link<ControllerPeer> link = open(port, h)) {
            trip(link);
        }
    }

    private static void trip(Link<ControllerPeer> link) throws IOException {
        link.write(Frame.op(Ops.PING).put("n", 1));
        link.read();
    }

    private static void serve(ServerSocket ss, Handshake<AgentPeer> h) {
        while (!ss.isClosed()) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                try (Link<AgentPeer> link = Link.accept(s, h, Bounds.ANSWERS, WITHIN)) {
                    while (true)
                        link.write(Frame.op(Ops.OK).put("n", link.read().integer("n", 0)));
                } catch (EOFException e) {
                    // the client is done
                } catch (IOException e) {
                    // a closed connection ends its thread
                }
            });
        }
    }
}
