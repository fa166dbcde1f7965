package io.motley.cli.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a command reads or writes for its caller (a batch script, --export-file, scontrol's
 * write batch_script), always with the caller's own permissions: directly when the command runs in
 * the caller's process (the JVM client), through the caller's client when it runs in the agent,
 * which must never open a path a user named with its own privileges.
 */
public interface CallerFiles {
    byte[] read(Path path) throws IOException;

    /** Creates or truncates the file (mode 0666 less the umask, as open(2) makes it) and writes the bytes. */
    void write(Path path, byte[] bytes) throws IOException;

    /** The files of the process the command runs in: the caller's own. */
    CallerFiles DIRECT = new CallerFiles() {
        @Override
        public byte[] read(Path path) throws IOException {
            return Files.readAllBytes(path);
        }

        @Override
        public void write(Path path, byte[] bytes) throws IOException {
            Files.write(path, bytes);
        }
    };
}
