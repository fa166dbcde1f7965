package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.e2e.TestCluster.Run;
import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The link's certificates on a test bed, each host with its own MOTLEY_HOME/etc/tls: agents whose
 * certificate is another CA's, revoked or expired are refused by the controller (and an agent that
 * trusts another CA refuses the controller), each with a line that says which, and none of them
 * becomes a node; a link whose certificate expires while it is open is cut; an agent whose
 * certificate nears its end renews it on its link and its job runs on past the old one's expiry.
 * The short-lived certificates all start at once, so the waits overlap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class BedTlsIT {
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static final String CTL = "tc" + TAG;
    /** Its certificate is another CA's (it trusts the cluster's). */
    private static final String FOREIGN = "tf" + TAG;
    /** Its certificate was revoked before it first connected. */
    private static final String REVOKED = "tr" + TAG;
    /** Its certificate expired before it started. */
    private static final String EXPIRED = "te" + TAG;
    /** It trusts another CA: the controller's certificate is wrong in its eyes. */
    private static final String WRONG = "tw" + TAG;
    /** A short-lived certificate the controller did not record: its renewal is refused and its link is cut at expiry. */
    private static final String LAPSING = "tx" + TAG;
    /** A short-lived certificate the controller issued: renewed on the link. The commands run here. */
    private static final String RENEWING = "tn" + TAG;

    /** How long the short-lived certificates last: long enough for a loaded machine to start their agents. */
    private static final Duration SHORT = Duration.ofSeconds(45);

    private static TestBed bed;
    private static X509Certificate lapsing;
    private static X509Certificate renewing;

    @BeforeAll
    static void up() throws Exception {
        TestBed.unavailable().ifPresent(why -> org.junit.jupiter.api.Assumptions.abort("BedTlsIT: " + why));
        bed = new TestBed(
                "bt" + TAG,
                CTL,
                List.of(FOREIGN, REVOKED, EXPIRED, WRONG, LAPSING, RENEWING),
                // no test here is about timeouts: a loaded machine must not take a node for dead (and so drop
                // the link its renewal was asked on) while its JVMs start; heartbeats (renewals are asked
                // with them) every 5 s
                "NodeTimeout=15\n");
        bed.startController();
        TlsHome cluster = new TlsHome(bed.home(CTL));
        CertificateAuthority ca = CertificateAuthority.load(cluster.caKey(), cluster.caCertificate());
        Instant now = Instant.now();

        // the short-lived ones first, so that their agents have all the time there is to register
        TlsCredentials x = ca.issueNode(LAPSING, now, SHORT);
        lapsing = x.certificate();
        install(LAPSING, x);
        TlsCredentials n = cluster.issueNode(RENEWING, now, SHORT);
        renewing = n.certificate();
        install(RENEWING, n);
        bed.startAgent(LAPSING, 1, "200M");
        bed.startAgent(RENEWING, 1, "200M");
        // the agents to be refused start once these have registered, so that a machine starting JVMs by
        // the handful does not eat into the short-lived certificates' time
        await().atMost(SHORT.dividedBy(2))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> log(CTL, "controller").contains("agent registered node=" + LAPSING + " ")
                        && log(CTL, "controller").contains("agent registered node=" + RENEWING + " "));

        CertificateAuthority other = CertificateAuthority.create("bed", now, Duration.ofDays(1));
        TlsCredentials f = other.issueNode(FOREIGN, now, Duration.ofDays(1));
        install(FOREIGN, new TlsCredentials(f.key(), f.certificate(), ca.certificate()));
        install(WRONG, other.issueNode(WRONG, now, Duration.ofDays(1)));
        install(REVOKED, cluster.issueNode(REVOKED, now));
        assertThat(cluster.revokeNode(REVOKED)).isEqualTo(1);
        Instant past = now.minus(Duration.ofHours(2));
        install(EXPIRED, ca.issueNode(EXPIRED, past, Duration.ofHours(1)));
        for (String h : List.of(FOREIGN, WRONG, REVOKED)) bed.startAgent(h, 1, "200M");
    }

    /** Puts credentials where a host's agent looks for them (what motley join leaves). */
    private static void install(String host, TlsCredentials c) throws IOException {
        Path tls = bed.home(host).resolve("etc/tls");
        Files.createDirectories(tls);
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwx------"));
        String stem = TlsHome.nodeFiles(host);
        TlsCredentials.writeOwnerOnly(tls.resolve(stem + ".key"), TlsCredentials.pem(c.key()));
        TlsCredentials.writeOwnerOnly(tls.resolve(stem + ".crt"), TlsCredentials.pem(c.certificate()));
        TlsCredentials.writeOwnerOnly(tls.resolve("ca.crt"), TlsCredentials.pem(c.ca()));
    }

    @AfterAll
    static void down() throws Exception {
        if (bed != null) bed.close();
    }

    private static String log(String host, String daemon) {
        try {
            return bed.log(host, daemon);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The controller's lines about connections from {@code host}. */
    private static List<String> controllerLinesFrom(String host) {
        return log(CTL, "controller")
                .lines()
                .filter(l -> l.contains("peer=/" + bed.address(host) + ":"))
                .toList();
    }

    private static void awaitRefusal(String host, String controllerSays, String agentSays) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    assertThat(controllerLinesFrom(host))
                            .as("controller's log about " + host)
                            .anyMatch(l -> l.contains("connection refused: " + controllerSays));
                    assertThat(log(host, "agent")).as("agent's log on " + host).contains(agentSays);
                });
    }

    @Test
    @Order(1)
    void certificatesOfAnotherCaRevokedOrExpiredAreRefusedAndNoneBecomesANode() throws Exception {
        awaitRefusal(
                FOREIGN,
                "TLS handshake failed: the agent's certificate is not issued by this cluster's CA",
                "controller refused this agent node=" + FOREIGN);
        awaitRefusal(
                REVOKED,
                "the certificate of node " + REVOKED + " was revoked (motley node remove)",
                "the certificate of node " + REVOKED + " was revoked");
        awaitRefusal(
                WRONG,
                "TLS handshake failed: the agent refused this controller's certificate",
                "controller failed to prove itself");
        assertThat(log(WRONG, "agent")).contains("its certificate is not this cluster's controller's");

        // an expired certificate: the agent itself will not present it (see the lapsing one below), but a client
        // that does (openssl, from inside the host) is refused by the controller
        String tls = TestBed.HOST_HOME + "/etc/tls/";
        String stem = tls + TlsHome.nodeFiles(EXPIRED);
        Run client = bed.cmd(
                EXPIRED,
                "/usr/bin/openssl",
                "s_client",
                "-connect",
                bed.address(CTL) + ":" + TestBed.PORT,
                "-tls1_3",
                "-cert",
                stem + ".crt",
                "-key",
                stem + ".key",
                "-CAfile",
                tls + "ca.crt");
        assertThat(client.out()).as(client.err()).contains("CONNECTED");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(controllerLinesFrom(EXPIRED))
                        .anyMatch(l -> l.contains(
                                "connection refused: TLS handshake failed: the agent's certificate" + " expired")));

        String controller = log(CTL, "controller");
        Run sinfo = bed.cmd(RENEWING, "sinfo", "-N", "-h", "-o", "%N");
        assertThat(sinfo.rc()).as(sinfo.err()).isZero();
        for (String h : List.of(FOREIGN, REVOKED, WRONG, EXPIRED)) {
            assertThat(controller).doesNotContain("agent registered node=" + h + " ");
            assertThat(sinfo.lines()).doesNotContain(h);
        }
        assertThat(bed.controllerAlive()).isTrue();
        long id = bed.submit(RENEWING, "-w", RENEWING, "--wrap", "hostname");
        bed.awaitState(RENEWING, id, "COMPLETED", Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void aLinkWhoseCertificateExpiresIsCutAndARenewedOneRunsItsJobOnPastTheOldExpiry() throws Exception {
        bed.awaitNodesUp(RENEWING, RENEWING);
        // renewal falls due at once (the certificate is short-lived), at the agent's first heartbeats
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        log(RENEWING, "agent").contains("node certificate renewed by the controller node=" + RENEWING));
        // the lapsing node asks at its own heartbeats, so its answer may come a little after the other's
        await().atMost(Duration.ofSeconds(30))
                .until(() -> log(LAPSING, "agent").contains("node certificate renewal refused node=" + LAPSING));
        long id = bed.submit(
                RENEWING,
                "-w",
                RENEWING,
                "--wrap",
                "while [ ! -e " + TestBed.JOBS + "/go-$SLURM_JOB_ID ]; do sleep 0.2; done; echo done");
        bed.awaitState(RENEWING, id, "RUNNING", Duration.ofSeconds(30));

        Instant lapses = lapsing.getNotAfter().toInstant();
        await().atMost(until(lapses).plusSeconds(20))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> log(CTL, "controller")
                        .contains("link cut: the node's certificate expired node=" + LAPSING + " serial="
                                + lapsing.getSerialNumber().toString(16)));
        // it tries again, but will not present a certificate that expired, and is not served again
        await().atMost(Duration.ofSeconds(20)).until(() -> log(LAPSING, "agent").contains("expired at"));
        String controller = log(CTL, "controller");
        assertThat(controller.substring(controller.indexOf("link cut: the node's certificate expired node=" + LAPSING)))
                .doesNotContain("agent registered node=" + LAPSING + " ");

        // the renewed node's link outlives the certificate it was opened with, and its job runs on
        Instant old = renewing.getNotAfter().toInstant();
        await().atMost(until(old).plusSeconds(20)).until(() -> Instant.now().isAfter(old.plusSeconds(2)));
        assertThat(log(CTL, "controller")).doesNotContain("link cut: the node's certificate expired node=" + RENEWING);
        assertThat(bed.state(RENEWING, id)).isEqualTo("RUNNING");
        Files.writeString(bed.tmp(RENEWING).resolve("jobs/go-" + id), "");
        bed.awaitState(RENEWING, id, "COMPLETED", Duration.ofSeconds(30));
        assertThat(Files.readString(bed.tmp(RENEWING).resolve("jobs/slurm-" + id + ".out")))
                .isEqualTo("done\n");
    }

    /** How long until {@code t}; zero once it has passed. */
    private static Duration until(Instant t) {
        Duration d = Duration.between(Instant.now(), t);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
