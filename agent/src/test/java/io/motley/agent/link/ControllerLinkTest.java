package io.motley.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Ops;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.SharedKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// a broken bound would leave a read waiting forever: fail instead
@Timeout(30)
class ControllerLinkTest {
    @TempDir
    Path dir;

    private ServerSocket server;
    private ClusterKey key;
    private final List<String> fakeReceived = new CopyOnWriteArrayList<>();
    private TestHosts.Logs logs;

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Files.writeString(dir.resolve("cluster.key"), "ab".repeat(32) + "\n");
        key = ClusterKey.load(dir.resolve("cluster.key"));
        logs = new TestHosts.Logs(ControllerLink.class);
    }

    @AfterEach
    void tearDown() throws IOException {
        logs.stop();
        server.close();
    }

    private ControllerLink link() {
        return new ControllerLink(
                "127.0.0.1",
                server.getLocalPort(),
                key,
                "n1",
                () -> new Register(
                        new Node(
                                "n1",
                                "127.0.0.1",
                                1,
                                1,
                                1,
                                1,
                                1,
                                "",
                                "",
                                NodeState.UP,
                                null,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                "",
                                List.of(),
                                List.of(),
                                "",
                                "",
                                ""),
                        1,
                        1,
                        List.of()),
                () -> new Heartbeat(0, 0, null, null));
    }

    /**
     * The attack of the issue: a process without the key listens on the controller's port, says
     * "ok" to the agent's proof and gives it a launch order for uid 0.
     */
    private void fakeController() {
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    FrameIO.write(s.getOutputStream(), Frame.op(Ops.HELLO).put("nonce", ClusterKey.newNonce()));
                    fakeReceived.add(FrameIO.read(s.getInputStream()).op());
                    FrameIO.write(s.getOutputStream(), Frame.op(Ops.OK));
                    FrameIO.write(
                            s.getOutputStream(),
                            Frame.op(Ops.LAUNCH).put("uid", 0).put("script", "id"));
                    while (true)
                        fakeReceived.add(FrameIO.read(s.getInputStream()).op());
                } catch (IOException e) {
                    // the agent hung up, as it should
                }
            }
        });
    }

    @Test
    void theAgentNeitherRegistersWithNorObeysAPeerThatCannotProveItHoldsTheKey() throws Exception {
        fakeController();
        Thread agent = Thread.ofPlatform().daemon().start(link()::run);
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> logs.lines().stream()
                            .anyMatch(l -> l.startsWith(
                                    "ERROR controller failed to prove it holds the cluster key controller=127.0.0.1:"
                                            + server.getLocalPort())));
            // it sent its proof and nothing else: no registration, and the launch order was never read
            assertThat(fakeReceived).containsOnly(Ops.AUTH);
        } finally {
            agent.interrupt();
        }
    }

    @Test
    void aUsersRequestIsNotRelayedToAPeerThatCannotProveItHoldsTheKey() {
        fakeController();
        Frame answer = link().relay(Frame.op(Ops.SUBMIT).put("script", "secret"));
        assertThat(answer.isError()).isTrue();
        assertThat(answer.str("message")).contains("failed to prove it is this cluster's controller");
        assertThat(fakeReceived).containsOnly(Ops.AUTH);
        assertThat(logs.lines())
                .anyMatch(l -> l.contains("controller failed to prove it holds the cluster key controller="));
    }

    @Test
    void withTheRealControllerTheAgentRegistersAndRelays() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Link<SharedKey.Agent> ch = SharedKey.accept(server.accept(), key, "test", Bounds.ANSWERS)) {
                    Frame f = ch.read();
                    received.add(ch.peer().role() + ":" + f.op());
                    if (ch.peer().role().equals("relay"))
                        ch.write(Frame.op(Ops.OK).put("id", 42));
                    else ch.read();
                } catch (IOException e) {
                    // next connection
                }
            }
        });
        assertThat(link().relay(Frame.op(Ops.SUBMIT)).lng("id", 0)).isEqualTo(42);
        Thread agent = Thread.ofPlatform().daemon().start(link()::run);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("agent:" + Ops.REGISTER));
            assertThat(received).contains("relay:" + Ops.SUBMIT);
        } finally {
            agent.interrupt();
        }
    }
}
