package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.Answer;
import io.motley.protocol.Message.Request;
import io.motley.protocol.Messages;

/** Where a command's requests go: the local agent in real use, a canned answer in tests. */
@FunctionalInterface
public interface Gateway {
    Frame call(Frame request) throws ClusterUnreachable;

    /** Sends a request and returns its answer; a failure is thrown as {@link AgentClient.RequestFailed}. */
    default <A extends Answer> A ask(Request<A> request) throws ClusterUnreachable {
        return AgentClient.answer(request, call(Messages.encode(request)));
    }
}
