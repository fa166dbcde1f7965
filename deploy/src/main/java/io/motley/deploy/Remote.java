package io.motley.deploy;

import java.io.IOException;
import java.io.InputStream;

/** A shell on one host of the inventory (over SSH in {@link SshRemote}). */
public interface Remote extends AutoCloseable {

    /** What a command did: its exit status and its standard output and error. */
    record Result(int status, String out, String err) {
        public boolean ok() {
            return status == 0;
        }
    }

    /** Runs {@code command} with {@code sh -c} semantics, {@code stdin} (or nothing, when null) as its input. */
    Result run(String command, InputStream stdin) throws IOException;

    @Override
    void close() throws IOException;

    /** Opens a {@link Remote} for a host; fails with a message naming why it cannot be reached. */
    @FunctionalInterface
    interface Connector {
        Remote connect(Inventory.Host host) throws IOException;
    }
}
