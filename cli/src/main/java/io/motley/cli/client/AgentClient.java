package io.motley.cli.client;

import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.Answer;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Request;
import io.motley.protocol.Messages;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The commands' only way into the cluster: a request over the local agent's Unix socket, which
 * vouches for who we are (a {@link Link} opened with {@link PeerCredentials}). Kept to the JDK so
 * that a command starts in tens of milliseconds.
 */
public final class AgentClient implements AutoCloseable {
    private final Link<Path> link;

    private AgentClient(Link<Path> link) {
        this.link = link;
    }

    /** The socket: $MOTLEY_SOCKET, else $MOTLEY_HOME/run/agent.sock, else ~/.motley/run/agent.sock. */
    public static Path socketPath() {
        String s = System.getenv("MOTLEY_SOCKET");
        if (s != null && !s.isEmpty()) return Path.of(s);
        String home = System.getenv("MOTLEY_HOME");
        if (home == null || home.isEmpty()) home = System.getProperty("user.home") + "/.motley";
        return Path.of(home, "run", "agent.sock");
    }

    public static AgentClient connect() throws ClusterUnreachable {
        return connectTo(socketPath());
    }

    public static AgentClient connectTo(Path path) throws ClusterUnreachable {
        if (!Files.exists(path)) {
            throw new ClusterUnreachable("no Motley agent is running on this host (no socket at " + path
                    + "). Start the local cluster with `motley up --daemon`, or set MOTLEY_HOME to the cluster's home");
        }
        try {
            return new AgentClient(PeerCredentials.connect(path, Bounds.ANSWERS));
        } catch (IOException e) {
            throw new ClusterUnreachable("cannot connect to the Motley agent at " + path + " (" + e.getMessage()
                    + "). Is the cluster running? Start it with `motley up --daemon`");
        }
    }

    /** Sends one request and returns the answer; an error answer is thrown as {@link RequestFailed}. */
    public Frame call(Frame request) throws ClusterUnreachable {
        try {
            link.write(request);
        } catch (IOException e) {
            // the agent may have turned us away (too many connections, a request over its limits) and
            // said why before closing: its answer is still there to read
            Frame refusal = readRefusal();
            if (refusal == null) throw closed(e);
            return answer(refusal);
        }
        try {
            return answer(link.read());
        } catch (IOException e) {
            throw closed(e);
        }
    }

    private static ClusterUnreachable closed(IOException e) {
        return new ClusterUnreachable("the Motley agent closed the connection (" + e.getMessage() + ")");
    }

    private Frame readRefusal() {
        try {
            Frame f = link.read();
            return f.isError() ? f : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Sends one request and returns its answer; a failure is thrown as {@link RequestFailed}. */
    public <A extends Answer> A ask(Request<A> request) throws ClusterUnreachable {
        return answer(request, call(Messages.encode(request)));
    }

    /** The answer to {@code request} in {@code resp}; a failure is thrown as {@link RequestFailed}. */
    // Messages.answer gives the request's own answer type whenever it is no Failure
    @SuppressWarnings("unchecked")
    public static <A extends Answer> A answer(Request<A> request, Frame resp) throws ClusterUnreachable {
        Answer a = Messages.answer(request, resp);
        if (a instanceof Failure f) throw failed(f);
        return (A) a;
    }

    /** {@code resp} when it is no failure; a failure is thrown as {@link RequestFailed} or {@link ClusterUnreachable}. */
    public static Frame answer(Frame resp) throws ClusterUnreachable {
        var failure = Messages.failure(resp);
        if (failure.isPresent()) throw failed(failure.get());
        return resp;
    }

    /** Throws the failure as a {@link RequestFailed}, or returns it as a {@link ClusterUnreachable} for the caller to throw. */
    private static ClusterUnreachable failed(Failure f) {
        if (f.unreachable()) return new ClusterUnreachable(f.message());
        throw new RequestFailed(f.message(), f.detail());
    }

    @Override
    public void close() {
        link.close();
    }

    /** The cluster could not be reached at all: the message says how to start it. */
    public static final class ClusterUnreachable extends Exception {
        public ClusterUnreachable(String message) {
            super(message);
        }
    }

    /** The controller answered with an error. */
    public static final class RequestFailed extends RuntimeException {
        private final String detail;

        public RequestFailed(String message, String detail) {
            super(message);
            this.detail = detail;
        }

        public String detail() {
            return detail;
        }
    }
}
