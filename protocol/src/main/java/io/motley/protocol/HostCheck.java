package io.motley.protocol;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * One finding of a host's own checks, as {@code motley health} prints it: free space where the
 * host keeps its state, spool, work and log directories, and how long its certificate has left.
 * An agent makes these about its own host and sends them with its heartbeats; {@code motley
 * health} makes them about the host it runs on, so what only a host can see is checked on every
 * node without a port of its own.
 */
public record HostCheck(Level level, String check, String subject, String message) {

    /** How bad a finding is: only FAIL makes {@code motley health} exit non-zero. */
    public enum Level {
        OK,
        WARN,
        FAIL
    }

    /** A certificate expiring sooner than this is a warning. */
    public static final long CERT_WARN_SECONDS = 30L * 24 * 3600;
    /** Free space below which a state directory is a warning. */
    public static final long DISK_WARN_BYTES = 1024L * 1024 * 1024;
    /** Free space below which a state directory is a failure. */
    public static final long DISK_FAIL_BYTES = 100L * 1024 * 1024;

    public HostCheck {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }

    /** Free space where {@code dir} lives; empty when it does not exist. */
    public static Optional<HostCheck> disk(Path dir, String label) {
        if (!Files.exists(dir)) return Optional.empty();
        try {
            FileStore store = Files.getFileStore(dir);
            return Optional.of(disk(store.getUsableSpace(), dir, label));
        } catch (IOException e) {
            return Optional.of(new HostCheck(Level.WARN, "disk", label, "cannot be measured: " + e.getMessage()));
        }
    }

    /** The finding for {@code free} bytes usable where {@code dir} lives. */
    static HostCheck disk(long free, Path dir, String label) {
        Level level = free < DISK_FAIL_BYTES ? Level.FAIL : free < DISK_WARN_BYTES ? Level.WARN : Level.OK;
        return new HostCheck(level, "disk", label, (free / (1024 * 1024)) + " MiB free (" + dir + ")");
    }

    /** A certificate at {@code now} (epoch seconds): expired fails, within 30 days of its end warns. */
    public static HostCheck certificate(X509Certificate cert, String name, long now) {
        long until = cert.getNotAfter().getTime() / 1000;
        long days = Math.floorDiv(until - now, 86400);
        if (until <= now) return new HostCheck(Level.FAIL, "certificate", name, "expired " + (-days) + " days ago");
        if (until - now < CERT_WARN_SECONDS)
            return new HostCheck(Level.WARN, "certificate", name, "expires in " + days + " days");
        return new HostCheck(Level.OK, "certificate", name, "valid for " + days + " more days");
    }

    /** This finding made about node {@code node}: its subject names the node first. */
    public HostCheck on(String node) {
        return new HostCheck(level, check, subject.equals("-") ? node : node + ":" + subject, message);
    }
}
