package io.motley.protocol.local;

import io.motley.protocol.Frame;
import io.motley.protocol.Message.Caller;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * Runs a Slurm-named command inside the agent for a client on the agent's Unix socket (the native
 * client): the client sends its argument vector, environment, working directory, umask and
 * terminal state; the agent runs the same command code the JVM client runs and sends back what it
 * prints and its exit code. The agent never opens a path the user named: the command asks the
 * client for the file, which reads it with the caller's own permissions and sends the bytes.
 *
 * <p>The cli module provides the implementation (found with {@link java.util.ServiceLoader}), so
 * the agent does not depend on the cli at compile time. The frames of a session, in order:
 *
 * <ul>
 *   <li>client: {@code op=command v=1 cwd umask stdin.tty stdout.tty stderr.tty}, with two children:
 *       the argument vector (fields {@code 0..n-1}, {@code 0} the command's name) and the environment
 *       (one field a variable);
 *   <li>agent: {@code op=jvm reason} when it does not run this command here (interactive, unknown):
 *       the client runs the JVM client instead; nothing else follows;
 *   <li>agent: {@code op=out bytes} and {@code op=err bytes}, in the order the command wrote them;
 *   <li>agent: {@code op=read path}, {@code op=write path bytes}, {@code op=stdin max}: the client
 *       answers {@code op=file bytes}, {@code op=written} or {@code op=stdin bytes} (no bytes: end of
 *       input), or {@code op=failed errno message} (the error's symbolic name and strerror text);
 *   <li>agent: {@code op=pack dir paths limit} (paths NUL-separated, relative to dir): the client
 *       runs {@code tar -cf - -C dir -- paths} as itself and answers {@code op=packed} with
 *       {@code missing} (the first path that does not exist; nothing packed), or {@code status}
 *       (tar's exit status), {@code error} (what tar said, as bytes) and {@code bytes} (the archive,
 *       cut at limit + 1 bytes when larger), or {@code op=failed} when tar cannot be started;
 *   <li>agent: {@code op=exit code}, the last frame.
 * </ul>
 *
 * Bytes travel as a string of ISO-8859-1 characters, one a byte, so that any byte sequence survives
 * the frames' UTF-8 strings.
 */
public interface CommandHost {
    /** The operation a client opens a session with. */
    String OP = "command";

    /** The session layout's version, sent by the client as {@code v}. */
    int VERSION = 1;

    /** The agent's side of one client connection. */
    interface Client {
        /** The next frame from the client; EOFException when it has gone. */
        Frame read() throws IOException;

        void write(Frame frame) throws IOException;
    }

    /**
     * Serves the session {@code start} opened, for {@code caller} (the kernel's word on who is on the
     * socket), until the command ends. {@code relay} carries a request to the cluster exactly as one
     * from the JVM client would go (stamped with the caller) and returns the answer.
     */
    void serve(Frame start, Caller caller, Client client, UnaryOperator<Frame> relay) throws IOException;
}
