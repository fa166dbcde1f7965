package io.motley.agent.local;

import io.motley.agent.link.ControllerLink;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix domain socket where local commands reach the cluster. The kernel tells us who is on
 * the other end (SO_PEERCRED); that identity, not anything the client says, goes with the request
 * to the controller. This is munge's model without a separate daemon.
 */
public final class LocalSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalSocket.class);
    private final Path path;
    private final ServerSocketChannel server;
    private final ControllerLink link;

    public LocalSocket(Path path, ControllerLink link) throws IOException {
        this.path = path;
        this.link = link;
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), 256);
        // any local user may submit, as any user may talk to munged; identity comes from the kernel
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    public void serve() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().start(() -> handle(ch));
            } catch (IOException e) {
                if (server.isOpen()) log.warn("local accept failed: {}", e.getMessage());
            }
        }
    }

    private void handle(SocketChannel ch) {
        try (ch) {
            UnixDomainPrincipal who = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String user = who.user().getName();
            int uid = Identity.uid(user);
            int gid = Identity.gid(who.group().getName());
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            while (true) {
                Frame req;
                try {
                    req = FrameIO.read(in);
                } catch (EOFException e) {
                    return;
                }
                req.put(Ops.CALLER_UID, uid).put(Ops.CALLER_GID, gid).put(Ops.CALLER_USER, user);
                if (Ops.SUBMIT.equals(req.op())) req.put(Ops.CALLER_GROUPS, Identity.groups(user));
                FrameIO.write(out, relay(req));
            }
        } catch (IOException e) {
            log.debug("local client gone: {}", e.getMessage());
        }
    }

    private Frame relay(Frame req) {
        if (Ops.PING.equals(req.op()) && req.bool("local")) return Frame.op(Ops.OK);
        return link.relay(req);
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
