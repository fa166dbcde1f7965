package io.motley.controller.cluster;

import io.motley.protocol.Frame;

/** The controller's side of one agent's long-lived link: where launch and kill orders go. */
public interface AgentChannel {
    String node();

    /** Queues a frame for the agent; never blocks the caller. */
    void send(Frame frame);

    void close();
}
