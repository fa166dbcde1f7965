package io.motley.agent.health;

import io.motley.protocol.DaemonLogFile;
import io.motley.protocol.HostCheck;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What this agent finds about its own host for {@code motley health}, sent with each heartbeat:
 * free space where it keeps its spool, its jobs' work directories and its log, and how long its
 * node certificate has left. The controller cannot see these on a host that shares nothing with
 * it, so the agent looks and says.
 */
public final class HostChecks implements Supplier<List<HostCheck>> {
    private final Path spool;
    private final Path work;
    private final Optional<Path> log;
    private final Supplier<X509Certificate> certificate;
    private final LongSupplier nowSeconds;

    /**
     * {@code certificate} gives the node certificate in use, or null on shared-key links;
     * {@code nowSeconds} the wall clock in epoch seconds.
     */
    public HostChecks(
            Path spool, Path work, Optional<Path> log, Supplier<X509Certificate> certificate, LongSupplier nowSeconds) {
        this.spool = spool;
        this.work = work;
        this.log = log;
        this.certificate = certificate;
        this.nowSeconds = nowSeconds;
    }

    /** This agent's spool, work directory and own log file (if it writes to one). */
    public static HostChecks of(Path spool, Path work, Supplier<X509Certificate> certificate) {
        return new HostChecks(
                spool,
                work,
                DaemonLogFile.ofThisProcess().map(DaemonLogFile::path).map(Path::getParent),
                certificate,
                () -> System.currentTimeMillis() / 1000);
    }

    @Override
    public List<HostCheck> get() {
        List<HostCheck> out = new ArrayList<>();
        HostCheck.disk(spool, "spool").ifPresent(out::add);
        HostCheck.disk(work, "work").ifPresent(out::add);
        log.flatMap(d -> HostCheck.disk(d, "log")).ifPresent(out::add);
        X509Certificate cert = certificate.get();
        if (cert != null) out.add(HostCheck.certificate(cert, "-", nowSeconds.getAsLong()));
        return out;
    }
}
