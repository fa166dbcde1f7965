package io.motley.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Io;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley status: which daemons run, and whether the controller's job database can take jobs. */
class LocalClusterStatusTest {
    @TempDir
    Path home;

    /** An agent socket that answers every request with {@code answer}, for as long as the test runs. */
    private Thread agent(Frame answer) throws IOException {
        Path sock = home.resolve("run/agent.sock");
        Files.createDirectories(sock.getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        return Thread.ofVirtual().start(() -> {
            try (server) {
                while (true) {
                    try (SocketChannel ch = server.accept()) {
                        FrameIO.read(Channels.newInputStream(ch));
                        FrameIO.write(Channels.newOutputStream(ch), answer);
                    }
                }
            } catch (IOException e) {
                // the test is over
            }
        });
    }

    private String[] status() throws Exception {
        // this test's own JVM stands in for a running controller
        Files.createDirectories(home.resolve("run"));
        Files.writeString(
                home.resolve("run/controller.pid"), ProcessHandle.current().pid() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of("MOTLEY_HOME", home.toString()),
                "/",
                req -> {
                    throw new AssertionError("status asks the socket itself");
                },
                0,
                ZoneId.of("UTC"),
                "h",
                "root",
                0);
        int rc = new LocalCluster().run(List.of("status"), io);
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aHealthyDatabaseIsSaidToBeOk() throws Exception {
        Thread t = agent(Frame.op(Ops.OK).put("host", "h").put("database", "ok"));
        String[] r = status();
        t.interrupt();
        assertThat(r[1]).contains("controller: running (pid ").contains("database:   ok\n");
        assertThat(r[0]).isEqualTo("0");
    }

    @Test
    void anUnusableDatabaseIsSaidAndTheStatusFails() throws Exception {
        Thread t = agent(Frame.op(Ops.OK)
                .put("host", "h")
                .put(
                        "database",
                        "the job database /h/state/motley.db was deleted or replaced while the controller ran"));
        String[] r = status();
        t.interrupt();
        assertThat(r[1]).contains("database:   UNUSABLE: the job database /h/state/motley.db was deleted or replaced");
        assertThat(r[0]).isEqualTo("1");
    }

    @Test
    void nodesWithAReasonAreListedAClockSkewAmongThem() throws Exception {
        Node skewed = Node.of("n2", 2, 1000).withState(NodeState.UP, "Clock skew 300s ahead", 1);
        Node drained = Node.of("n3", 2, 1000).withState(NodeState.DRAIN, "swap fan", 1);
        Frame nodes = Messages.encode(new Message.NodeList(List.of(Node.of("n1", 2, 1000), skewed, drained)));
        Frame pong = Frame.op(Ops.OK).put("host", "h").put("database", "ok");
        Path sock = home.resolve("run/agent.sock");
        Files.createDirectories(sock.getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread t = Thread.ofVirtual().start(() -> {
            try (server) {
                while (true) {
                    try (SocketChannel ch = server.accept()) {
                        Frame req = FrameIO.read(Channels.newInputStream(ch));
                        FrameIO.write(Channels.newOutputStream(ch), req.op().equals(Ops.NODES) ? nodes : pong);
                    }
                }
            } catch (IOException e) {
                // the test is over
            }
        });
        String[] r = status();
        t.interrupt();
        assertThat(r[1])
                .contains("node n2:    up, Clock skew 300s ahead\n")
                .contains("node n3:    drain, swap fan\n")
                .doesNotContain("node n1:");
        assertThat(r[0]).isEqualTo("0");
    }

    @Test
    void noAgentToAskIsSaidToo() throws Exception {
        String[] r = status();
        assertThat(r[1]).contains("database:   unknown (no Motley agent is running on this host");
    }

    @Test
    void upRefusesBadArgumentsWithUsageErrors() {
        Io io = new Io(
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of("MOTLEY_HOME", home.toString()),
                "/",
                req -> {
                    throw new AssertionError("nothing is started");
                },
                0,
                ZoneId.of("UTC"),
                "h",
                "root",
                0);
        // "--bind" without an address once escaped as IndexOutOfBoundsException
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalCluster().run(List.of("up", "--bind"), io))
                .isInstanceOf(io.motley.core.options.UsageException.class)
                .hasMessage("option '--bind' requires an argument");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new LocalCluster().run(List.of("up", "--agents", "0"), io))
                .hasMessage("invalid value for --agents: '0' (a whole number from 1 to 2147483647 is wanted)");
    }
}
