package io.motley.protocol.link;

/**
 * An agent as the controller knows it once it has proved itself: the node it speaks for (named in
 * its certificate, or in its shared-key proof), what it opened the connection for, "agent" (its
 * link) or "relay" (users' requests), and its certificate's serial and end of validity (null
 * without one), by which a revocation or the certificate's expiry cuts the link and a renewal is
 * granted.
 */
public record AgentPeer(String node, String role, java.math.BigInteger serial, java.time.Instant notAfter) {
    /** A peer without a certificate (the shared-key mode). */
    public AgentPeer(String node, String role) {
        this(node, role, null, null);
    }
}
