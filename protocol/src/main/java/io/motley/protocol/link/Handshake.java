package io.motley.protocol.link;

import io.motley.protocol.Bounds;
import java.io.IOException;

/**
 * One side's half of opening a {@link Link}: it learns who the peer is and how the link's later
 * frames are protected. {@link SharedKey} (both ends prove they hold the cluster key; frames carry
 * MACs) serves agents and the controller; {@link PeerCredentials} (the kernel names a Unix socket's
 * peer) serves commands and their agent. A TLS handshake is one more strategy: it layers an
 * {@code SSLSocket} on the transport's socket, checks the peer's certificate, and returns a link on
 * the TLS streams with {@link Link.Seal#NONE}, TLS's records carrying the integrity.
 *
 * <p>A strategy must guarantee, before it returns a link:
 *
 * <ul>
 *   <li><b>Identity</b>: {@link Link#peer()} is what the peer proved (a MAC over fresh nonces, a
 *       certificate) or what the kernel vouches for, never what the peer merely claimed; on the
 *       connecting side, a peer that cannot prove it is the server we meant is refused, not obeyed.
 *   <li><b>Freshness</b>: nothing recorded from an earlier connection, nor one side's proof sent
 *       back as the other's, passes.
 *   <li><b>Integrity afterwards</b>: every later frame is protected against alteration, replay,
 *       reordering and reflection, by the link's {@link Link.Seal} or by the transport (TLS), or the
 *       transport is one no third party can reach (a Unix socket).
 *   <li><b>Bounds</b>: before the peer is established, it reads no frame over {@link
 *       Bounds#HANDSHAKE}; the accepting side answers such a frame, or a malformed one, with one
 *       error frame naming the problem.
 *   <li><b>Failure</b>: it throws an {@link IOException} and returns no half-open link: {@link
 *       Refused} when the peer turned us away, {@link Unproven} when the peer failed to prove itself
 *       to the connecting side, {@link Rejected} when the accepting side turned the peer away
 *       (after telling it why). It need not close the transport nor keep time: {@link Link#open}
 *       closes the transport on any failure and holds the whole handshake to one deadline, so a
 *       strategy waits only on the transport, never on anything the deadline cannot interrupt.
 * </ul>
 *
 * @param <P> who the peer is, once established
 */
public interface Handshake<P> {
    /**
     * Runs this side's half on a fresh connection and returns the link, its later incoming frames
     * held to {@code incoming}.
     */
    Link<P> open(Transport transport, Bounds incoming) throws IOException;

    /** The peer did not accept our side of the handshake; the message is the peer's. */
    final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    /** The peer we connected to failed to prove it is the one we meant. */
    final class Unproven extends IOException {
        public Unproven(String reason) {
            super(reason);
        }
    }

    /** A connecting peer failed to prove itself; it has been answered with an error frame. */
    final class Rejected extends IOException {
        private final String claimed;

        public Rejected(String claimed, String reason) {
            super(reason);
            this.claimed = claimed;
        }

        /** Who the peer claimed to be (escaped for logs). */
        public String claimed() {
            return claimed;
        }
    }
}
