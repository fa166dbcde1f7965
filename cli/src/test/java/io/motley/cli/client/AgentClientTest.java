package io.motley.cli.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class AgentClientTest {
    @TempDir
    Path dir;

    @Test
    void anAgentThatTurnsUsAwayBeforeReadingIsHeardNotReportedAsABrokenPipe() throws Exception {
        Path path = dir.resolve("agent.sock");
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(path));
            String message = "too many connections from user alice on this node (limit 64); close some and retry";
            Thread.ofVirtual().start(() -> {
                // as the agent does with a connection over the limits: one error frame, then close, reading nothing
                try (SocketChannel ch = agent.accept()) {
                    FrameIO.write(Channels.newOutputStream(ch), Frame.error(message));
                } catch (IOException ignored) {
                    // the test fails on what the client says
                }
            });
            try (AgentClient client = AgentClient.connectTo(path)) {
                // larger than the socket's buffers, so the write fails once the agent has closed
                Frame big = Frame.op(Ops.SUBMIT).put("script", "x".repeat(8 * 1024 * 1024));
                assertThatThrownBy(() -> client.call(big))
                        .isInstanceOf(AgentClient.RequestFailed.class)
                        .hasMessage(message);
            }
        }
    }
}
