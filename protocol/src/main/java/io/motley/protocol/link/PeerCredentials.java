package io.motley.protocol.link;

import io.motley.protocol.Bounds;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The {@link Handshake} of a Unix socket: nothing goes on the wire; the kernel says who is on the
 * other end (SO_PEERCRED), and that, not anything the peer says, is the link's peer. Only the two
 * processes can reach the socket's bytes, so frames need no tag ({@link Link.Seal#NONE}). This is
 * munge's model without a separate daemon: the agent stamps the kernel's word on each request.
 *
 * @param <P> the peer as the caller wants it (its uid and groups looked up, say) from the kernel's principal
 */
public final class PeerCredentials<P> implements Handshake<P> {
    /** How long a Unix socket's handshake (the kernel's answer and the resolver's lookups) may take. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Turns the kernel's principal into the peer the link carries; it may look names up. */
    public interface Resolver<P> {
        P resolve(UnixDomainPrincipal who) throws IOException;
    }

    private final Resolver<P> resolver;

    private PeerCredentials(Resolver<P> resolver) {
        this.resolver = resolver;
    }

    /** The peer as {@code resolver} makes it of the kernel's principal. */
    public static <P> PeerCredentials<P> resolvedBy(Resolver<P> resolver) {
        return new PeerCredentials<>(resolver);
    }

    /** The kernel's principal as it is (user and group names). */
    public static PeerCredentials<UnixDomainPrincipal> principal() {
        return new PeerCredentials<>(who -> who);
    }

    /**
     * Connects to the Unix socket at {@code path}; frames from the server are then held to {@code
     * answers}. The connecting side asks the kernel nothing: the server is whoever could bind the
     * path (a directory only its owner may write), so the link's peer is the path. Nothing is
     * exchanged, so there is no deadline to keep and none is started: a command's start-up pays
     * for no timer thread.
     */
    public static Link<Path> connect(Path path, Bounds answers) throws IOException {
        return new Link<>(Transport.connect(path), answers, Link.Seal.NONE, path);
    }

    @Override
    public Link<P> open(Transport transport, Bounds incoming) throws IOException {
        UnixDomainPrincipal who = transport.option(ExtendedSocketOptions.SO_PEERCRED);
        return new Link<>(transport, incoming, Link.Seal.NONE, resolver.resolve(who));
    }
}
