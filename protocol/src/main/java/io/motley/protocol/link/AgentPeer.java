package io.motley.protocol.link;

/**
 * An agent as the controller knows it once it has proved itself: the node it speaks for (named in
 * its certificate, or in its shared-key proof) and what it opened the connection for, "agent" (its
 * link) or "relay" (users' requests).
 */
public record AgentPeer(String node, String role) {}
