package io.motley.cli.command;

import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.protocol.Frame;

/** Where a command's requests go: the local agent in real use, a canned answer in tests. */
@FunctionalInterface
public interface Gateway {
    Frame call(Frame request) throws ClusterUnreachable;
}
