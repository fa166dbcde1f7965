package io.motley.protocol;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A daemon's own log as motley logs --controller|--node reads it, on the controller and on every
 * agent alike: the file logback writes ({@code motley.log.file}, from MOTLEY_LOG_FILE, as motley
 * up and the test bed start the daemons), else the regular file its standard output goes to (a
 * launchd or QNAP service's {@code log/*.out}). None when it writes to a terminal, a pipe or the
 * journal: then the answer says so rather than guessing a file.
 */
public final class DaemonLogFile {
    /** Where the daemon's launcher passes MOTLEY_LOG_FILE (dist/bin/motley). */
    public static final String PROPERTY = "motley.log.file";

    private final Path file;

    private DaemonLogFile(Path file) {
        this.file = file;
    }

    /** This process's log: the configured file, else its standard output when that is a file (Linux). */
    public static Optional<DaemonLogFile> ofThisProcess() {
        String configured = System.getProperty(PROPERTY, "");
        if (!configured.isBlank()) return Optional.of(new DaemonLogFile(Path.of(configured)));
        try {
            Path out = Files.readSymbolicLink(Path.of("/proc/self/fd/1"));
            if (out.isAbsolute() && Files.isRegularFile(out)) return Optional.of(new DaemonLogFile(out));
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc (macOS), or standard output is no file: there is no file to serve
        }
        return Optional.empty();
    }

    /** A given file (tests, and the controller's answer when it serves its own log). */
    public static DaemonLogFile at(Path file) {
        return new DaemonLogFile(file);
    }

    public Path path() {
        return file;
    }

    /**
     * Up to {@code max} bytes from {@code offset}. A file now shorter than {@code offset} was
     * replaced (rotated or truncated): its start is read from 0, and the answer's offset says so.
     * A file not written yet reads as empty.
     */
    public Message.DaemonLogText read(long offset, int max) throws IOException {
        if (!Files.exists(file)) return new Message.DaemonLogText(0, new byte[0]);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = offset > length ? 0 : Math.max(0, offset);
            int n = (int) Math.min(Math.max(0, max), length - from);
            byte[] data = new byte[n];
            f.seek(from);
            f.readFully(data);
            return new Message.DaemonLogText(from, data);
        }
    }
}
