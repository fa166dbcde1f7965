package io.motley.protocol.link;

/** The controller as an agent knows it once it has proved itself: the cluster it named. */
public record ControllerPeer(String cluster) {}
