package io.motley.controller.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.controller.store.MemoryStore;
import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.Usage;
import io.motley.pki.CertificateAuthority;
import io.motley.protocol.Bounds;
import io.motley.protocol.ClusterKey;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message;
import io.motley.protocol.Message.AckEnded;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Message.Registered;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.SharedKey;
import io.motley.protocol.link.TlsCredentials;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

// a broken bound would leave a read waiting forever: fail instead
/** The controller's TCP side over a real socket: who gets in, and what it may send. */
@Timeout(30)
class ControllerServerTest {
    @TempDir
    Path dir;

    private Store store;
    private ControllerServer server;
    private ClusterKey key;
    private ClusterKey wrongKey;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ControllerServer.class);

    @BeforeEach
    void setUp() throws IOException {
        key = keyFile("cd");
        wrongKey = keyFile("00");
        store = Store.sqlite(dir.resolve("db"));
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), store, () -> 1_000_000L);
        server = new ControllerServer(
                cluster, SharedKey.asController(key, "test"), "127.0.0.1", 0, new Bounds(2048, Bounds.DEPTH));
        Thread.ofPlatform().daemon().start(server::serve);
        logs.start();
        logger.addAppender(logs);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void tearDown() throws IOException {
        logger.detachAppender(logs);
        logger.setLevel(null);
        server.close();
        store.close();
    }

    private ClusterKey keyFile(String b) throws IOException {
        Path f = dir.resolve(b + ".key");
        Files.writeString(f, b.repeat(32) + "\n");
        return ClusterKey.load(f);
    }

    private List<String> lines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aPortAlreadyTakenIsSaidWithWhatToDo() {
        Cluster other = new Cluster(ClusterConfig.parse("ClusterName=test\n"), store, () -> 1_000_000L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ControllerServer(
                        other,
                        SharedKey.asController(key, "test"),
                        "127.0.0.1",
                        server.port(),
                        new Bounds(2048, Bounds.DEPTH)))
                .isInstanceOf(java.net.BindException.class)
                .hasMessageStartingWith("port " + server.port() + " on 127.0.0.1 is taken (")
                .hasMessageContaining(
                        "another port: ControllerPort= in motley.conf (motley controller also takes --port)");
    }

    @Test
    void anAgentWithTheKeyIsServed() throws IOException {
        try (Link<ControllerPeer> ch =
                SharedKey.connect("127.0.0.1", server.port(), key, "n1", "relay", Bounds.ANSWERS)) {
            ch.write(Frame.op(Ops.PING).put(Ops.CALLER_UID, 1000).put(Ops.CALLER_USER, "alice"));
            Frame answer = ch.read();
            assertThat(answer.op()).isEqualTo(Ops.OK);
            assertThat(answer.str("cluster")).isEqualTo("test");
        }
    }

    /**
     * A database outage while a job ends: the end is not recorded, the link stays, heartbeats (one
     * whose health check fails, whose drain cannot be saved either) go on being counted, and the end
     * the agent reports again once the database is back is recorded and acknowledged.
     */
    @Test
    void aJobEndTheStoreFailsToRecordKeepsTheLinkAndIsRecordedWhenTheAgentReportsItAgain() throws IOException {
        MemoryStore memory = new MemoryStore();
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), memory, () -> 1_000_000L);
        try (ControllerServer own =
                new ControllerServer(cluster, SharedKey.asController(key, "test"), "127.0.0.1", 0, Bounds.ANSWERS)) {
            Thread.ofPlatform().daemon().start(own::serve);
            try (Link<ControllerPeer> agent =
                    SharedKey.connect("127.0.0.1", own.port(), key, "n1", "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                Submission s = cluster.submit(
                        JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                                .name("j")
                                .submitHost("h")
                                .build(),
                        Caller.uid(0));
                long id = ((Submission.Accepted) s).id();
                cluster.schedulePass();
                assertThat(agent.receive(Messages::order)).isInstanceOf(Launch.class);

                JobEnded end =
                        new JobEnded(id, 0, JobState.COMPLETED, new ExitStatus(0, 0), 1_000_000L, null, Usage.NONE);
                memory.failWith("the job database jdbc:postgresql://db/motley is unreachable");
                agent.send(end);
                agent.send(new Heartbeat(1.5, 500, null, "fail:disk"));
                agent.send(new Heartbeat(2.5, 500, null, null));
                // reports are handled in order on the link: the last heartbeat counted means the others were handled
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> cluster.nodes().get(0).cpuLoad() == 2.5);
                assertThat(cluster.job(id)).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
                assertThat(cluster.nodes().get(0).state()).isEqualTo(NodeState.UP);

                memory.failWith(null);
                agent.send(end);
                assertThat(agent.receive(Messages::order)).isEqualTo(new AckEnded(id, 0));
                assertThat(cluster.job(id)).get().extracting(Job::state).isEqualTo(JobState.COMPLETED);
            }
        }
        assertThat(lines()).noneMatch(l -> l.startsWith("connection failed"));
    }

    @Test
    void anAgentWithTheWrongKeyIsRefusedWithTodaysMessages() {
        assertThatThrownBy(() ->
                        SharedKey.connect("127.0.0.1", server.port(), wrongKey, "intruder", "agent", Bounds.ANSWERS))
                .isInstanceOf(Handshake.Refused.class)
                .hasMessage("authentication failed: this agent's cluster key does not match the controller's");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lines().stream()
                        .anyMatch(l -> l.startsWith("connection refused: wrong cluster key peer=")
                                && l.contains("node=intruder")));
    }

    @Test
    void beforeTheHandshakeFramesAreTiny() throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            FrameIO.read(s.getInputStream(), Bounds.HANDSHAKE);
            new DataOutputStream(s.getOutputStream()).writeInt(256 * 1024 * 1024);
            Frame answer = FrameIO.read(s.getInputStream(), Bounds.HANDSHAKE);
            assertThat(answer.str("message")).isEqualTo("frame of 268435456 bytes is over the limit of 4096 bytes");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lines().stream()
                        .anyMatch(l -> l.startsWith(
                                "connection refused: frame of 268435456 bytes is over the limit of 4096 bytes")));
    }

    @Test
    void aRequestOverTheBoundsIsAnsweredWithOneErrorLoggedInOneLineAndDisconnected() throws IOException {
        try (Link<ControllerPeer> ch =
                SharedKey.connect("127.0.0.1", server.port(), key, "n1", "relay", Bounds.ANSWERS)) {
            ch.write(Frame.op(Ops.SUBMIT).put("script", "x".repeat(4000)));
            Frame answer = ch.read();
            assertThat(answer.str("message")).matches("frame of \\d+ bytes is over the limit of 2048 bytes");
            assertThatThrownBy(ch::read).isInstanceOf(IOException.class);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> lines().stream()
                                .anyMatch(
                                        l -> l.matches(
                                                "connection closed: frame of \\d+ bytes is over the limit of 2048 bytes peer=.* node=n1")));
        assertThat(lines()).hasSize(1);
    }

    /** Over TLS the node is the certificate's: an agent of n1 that registers as n2 is refused, and the server goes on serving. */
    @Test
    void anAgentThatRegistersAsAnotherNodeThanItsCertificatesIsRefused() throws IOException {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(1));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        try (ControllerServer own = new ControllerServer(
                cluster,
                MutualTls.asController(ca.issueController(now, Duration.ofDays(1)), "test", MutualTls.Admission.ALL),
                "127.0.0.1",
                0,
                Bounds.ANSWERS)) {
            Thread.ofPlatform().daemon().start(own::serve);
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n2", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.read().str("message"))
                        .isEqualTo("this agent's certificate is for node 'n1' but it registered as 'n2'");
            }
            assertThat(cluster.nodes()).isEmpty();
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                assertThat(cluster.nodes()).extracting(Node::name).containsExactly("n1");
            }
        }
        assertThat(lines()).anyMatch(l -> l.startsWith("agent refused: this agent's certificate is for node 'n1'"));
    }

    /**
     * On a TLS link the node may ask for a new certificate (the answer comes on the link), and a
     * revoked certificate's open link is cut at the next check, not at the next connection.
     */
    @Test
    void aLinkGetsItsRenewalAndIsCutOnceItsCertificateIsRevoked() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(1));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        java.util.Set<java.math.BigInteger> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ControllerServer own = new ControllerServer(
                cluster,
                MutualTls.asController(ca.issueController(now, Duration.ofDays(1)), "test", MutualTls.Admission.ALL),
                "127.0.0.1",
                0,
                Bounds.ANSWERS)) {
            own.certificates(
                    (node, serial, request) -> {
                        asked.add(node + " " + serial.toString(16) + " " + request.length);
                        if (request.length == 1) throw new IllegalStateException("the store is busy");
                        return new Message.CertificateRenewed("PEM", null);
                    },
                    revoked::contains,
                    Duration.ofMillis(100));
            Thread.ofPlatform().daemon().start(own::serve);
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                agent.send(new Message.RenewCertificate(new byte[] {1, 2, 3}));
                assertThat(agent.receive(Messages::order)).isEqualTo(new Message.CertificateRenewed("PEM", null));
                assertThat(asked)
                        .containsExactly(
                                "n1 " + n1.certificate().getSerialNumber().toString(16) + " 3");
                // the renewal failed inside the controller: answered all the same, as a temporary refusal
                agent.send(new Message.RenewCertificate(new byte[] {1}));
                Message.CertificateRenewed failed = (Message.CertificateRenewed) agent.receive(Messages::order);
                assertThat(failed.certificate()).isNull();
                assertThat(failed.temporary()).isTrue();

                revoked.add(n1.certificate().getSerialNumber());
                assertThatThrownBy(() -> {
                            while (true) agent.receive(Messages::order);
                        })
                        .isInstanceOf(IOException.class);
            }
        }
        assertThat(lines()).anyMatch(l -> l.startsWith("link cut: the node's certificate was revoked node=n1"));
    }

    /** A link whose certificate expires while it is open is cut at the next check (not only refused when it reconnects). */
    @Test
    void aLinkIsCutOnceItsCertificateExpires() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(1));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofHours(1));
        java.util.concurrent.atomic.AtomicReference<Instant> clock =
                new java.util.concurrent.atomic.AtomicReference<>(now);
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        try (ControllerServer own = tlsServer(ca, cluster)) {
            own.certificates(
                    (node, serial, request) -> new Message.CertificateRenewed(null, "no"),
                    serial -> checks.incrementAndGet() < 0,
                    Duration.ofMillis(50),
                    clock::get);
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                int before = checks.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() > before + 1);
                assertThat(lines()).noneMatch(l -> l.startsWith("link cut"));

                clock.set(n1.certificate().getNotAfter().toInstant());
                awaitCut(agent);
            }
        }
        assertThat(lines())
                .anyMatch(l -> l.startsWith("link cut: the node's certificate expired node=n1 serial="
                        + n1.certificate().getSerialNumber().toString(16) + " expired="));
    }

    /**
     * A certificate renewed on the link vouches for it from then on: the link outlives the
     * certificate it was opened with, the next renewal names the new one, and the link is cut when
     * the new one expires.
     */
    @Test
    void aCertificateRenewedOnTheLinkKeepsItOpenPastTheOldOnesExpiry() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(10));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofHours(1));
        java.security.cert.X509Certificate renewed =
                ca.issueNode("n1", CertificateAuthority.newKeyPair().getPublic(), now, Duration.ofDays(2));
        java.util.concurrent.atomic.AtomicReference<Instant> clock =
                new java.util.concurrent.atomic.AtomicReference<>(now);
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<java.math.BigInteger> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        try (ControllerServer own = tlsServer(ca, cluster)) {
            own.certificates(
                    (node, serial, request) -> {
                        asked.add(serial);
                        return new Message.CertificateRenewed(TlsCredentials.pem(renewed), null);
                    },
                    serial -> checks.incrementAndGet() < 0,
                    Duration.ofMillis(50),
                    clock::get);
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                agent.send(new Message.RenewCertificate(new byte[] {1}));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Message.CertificateRenewed.class);

                clock.set(n1.certificate().getNotAfter().toInstant().plusSeconds(60));
                int before = checks.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() > before + 1);
                // still open: it answers
                agent.send(new Message.RenewCertificate(new byte[] {2}));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Message.CertificateRenewed.class);
                assertThat(asked).containsExactly(n1.certificate().getSerialNumber(), renewed.getSerialNumber());
                assertThat(lines()).noneMatch(l -> l.startsWith("link cut"));

                clock.set(renewed.getNotAfter().toInstant());
                awaitCut(agent);
            }
        }
        assertThat(lines())
                .anyMatch(l -> l.startsWith("link cut: the node's certificate expired node=n1 serial="
                        + renewed.getSerialNumber().toString(16)));
    }

    /**
     * An agent that renewed its own certificate (motley up: the CA at hand) names it on its link:
     * once the CA's side vouches for it, the link outlives the certificate it was opened with; a
     * certificate it does not vouch for changes nothing, and the link is cut at the old expiry.
     */
    @Test
    void aCertificateTheNodeRenewedItselfAndNamedOnItsLinkKeepsItOpenPastTheOldOnesExpiry() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(10));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofHours(1));
        TlsCredentials renewed = ca.issueNode("n1", now, Duration.ofDays(2));
        TlsCredentials other = ca.issueNode("n1", now, Duration.ofDays(3));
        java.util.concurrent.atomic.AtomicReference<Instant> clock =
                new java.util.concurrent.atomic.AtomicReference<>(now);
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> named = new java.util.concurrent.CopyOnWriteArrayList<>();
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        try (ControllerServer own = tlsServer(ca, cluster)) {
            own.certificates(
                    new ControllerServer.Renewal() {
                        @Override
                        public Message.CertificateRenewed renew(
                                String node, java.math.BigInteger serial, byte[] request) {
                            return new Message.CertificateRenewed(null, "no");
                        }

                        @Override
                        public String inUse(String node, java.security.cert.X509Certificate c) {
                            named.add(node + " " + c.getSerialNumber().toString(16));
                            return c.equals(renewed.certificate()) ? null : "not issued here";
                        }
                    },
                    serial -> checks.incrementAndGet() < 0,
                    Duration.ofMillis(50),
                    clock::get);
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                agent.send(new Message.CertificateInUse(TlsCredentials.pem(other.certificate())));
                agent.send(new Message.CertificateInUse(TlsCredentials.pem(renewed.certificate())));
                await().atMost(Duration.ofSeconds(10)).until(() -> named.size() == 2);
                assertThat(named)
                        .containsExactly(
                                "n1 " + other.certificate().getSerialNumber().toString(16),
                                "n1 " + renewed.certificate().getSerialNumber().toString(16));

                clock.set(n1.certificate().getNotAfter().toInstant().plusSeconds(60));
                int before = checks.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() > before + 1);
                // still open: it answers
                agent.send(new Message.RenewCertificate(new byte[] {1}));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Message.CertificateRenewed.class);
                assertThat(lines()).noneMatch(l -> l.startsWith("link cut"));

                clock.set(renewed.certificate().getNotAfter().toInstant());
                awaitCut(agent);
            }
        }
        assertThat(lines())
                .anyMatch(l -> l.startsWith("certificate named on the node's link refused node=n1 serial="
                        + other.certificate().getSerialNumber().toString(16)));
        assertThat(lines())
                .anyMatch(l -> l.startsWith("link cut: the node's certificate expired node=n1 serial="
                        + renewed.certificate().getSerialNumber().toString(16)));
    }

    /** A named certificate the controller cannot vouch for leaves the link to be cut when its own certificate expires. */
    @Test
    void aNamedCertificateNotVouchedForDoesNotKeepTheLinkOpen() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(10));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofHours(1));
        TlsCredentials renewed = ca.issueNode("n1", now, Duration.ofDays(2));
        java.util.concurrent.atomic.AtomicReference<Instant> clock =
                new java.util.concurrent.atomic.AtomicReference<>(now);
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        try (ControllerServer own = tlsServer(ca, cluster)) {
            // a Renewal that only renews: it vouches for no certificate a node renewed itself
            own.certificates(
                    (node, serial, request) -> new Message.CertificateRenewed(null, "no"),
                    serial -> false,
                    Duration.ofMillis(50),
                    clock::get);
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                agent.send(new Message.CertificateInUse(TlsCredentials.pem(renewed.certificate())));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> lines().stream()
                                .anyMatch(l -> l.startsWith("certificate named on the node's link refused node=n1")));
                clock.set(n1.certificate().getNotAfter().toInstant());
                awaitCut(agent);
            }
        }
        assertThat(lines())
                .anyMatch(l -> l.startsWith("link cut: the node's certificate expired node=n1 serial="
                        + n1.certificate().getSerialNumber().toString(16)));
    }

    /**
     * A renewal that fails inside the controller (the CA's files busy, say) is still answered on the
     * link, with an error: unanswered, the node would not ask again on that link for minutes, and a
     * short-lived certificate could lapse meanwhile (BedTlsIT saw exactly this).
     */
    @Test
    void aRenewalThatFailsInsideTheControllerIsAnsweredWithAnError() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test", now, Duration.ofDays(1));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        Cluster cluster = new Cluster(ClusterConfig.parse("ClusterName=test\n"), new MemoryStore(), () -> 1_000_000L);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (ControllerServer own = tlsServer(ca, cluster)) {
            own.certificates(
                    (node, serial, request) -> {
                        if (calls.incrementAndGet() == 1) throw new java.nio.channels.OverlappingFileLockException();
                        return new Message.CertificateRenewed(null, null);
                    },
                    serial -> false,
                    Duration.ofSeconds(10));
            try (Link<ControllerPeer> agent = MutualTls.connect("127.0.0.1", own.port(), n1, "agent", Bounds.ANSWERS)) {
                agent.send(new Register(Node.of("n1", 1, 1000), 1, 1000, List.of()));
                assertThat(agent.receive(Messages::order)).isInstanceOf(Registered.class);
                for (int i = 0; i < 2; i++) {
                    agent.send(new Message.RenewCertificate(new byte[] {1}));
                    // a bounded read: unanswered, a blocking one would outlast the test's timeout
                    Message.Order answer = Messages.order(agent.read(Duration.ofSeconds(15)));
                    assertThat(answer).isInstanceOf(Message.CertificateRenewed.class);
                    assertThat(((Message.CertificateRenewed) answer).error())
                            .startsWith("the controller could not issue the certificate");
                }
            }
        }
    }

    /** Reads until the controller closes the link; one still open after 15 s fails the test instead of hanging it. */
    private static void awaitCut(Link<ControllerPeer> agent) {
        assertThatThrownBy(() -> {
                    while (true) agent.read(Duration.ofSeconds(15));
                })
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(java.net.SocketTimeoutException.class);
    }

    private static ControllerServer tlsServer(CertificateAuthority ca, Cluster cluster) throws IOException {
        Instant now = Instant.now();
        ControllerServer own = new ControllerServer(
                cluster,
                MutualTls.asController(ca.issueController(now, Duration.ofDays(1)), "test", MutualTls.Admission.ALL),
                "127.0.0.1",
                0,
                Bounds.ANSWERS);
        Thread.ofPlatform().daemon().start(own::serve);
        return own;
    }

    /** Refusals are throttled by address: one host refused again and again hides no other host's refusal. */
    @Test
    void aRefusalFromAnotherAddressIsLoggedWhileOneAddressIsThrottled() throws IOException {
        for (String from : List.of("127.0.0.1", "127.0.0.1", "127.0.0.2")) {
            try (Socket s = new Socket("127.0.0.1", server.port(), java.net.InetAddress.getByName(from), 0)) {
                FrameIO.read(s.getInputStream(), Bounds.HANDSHAKE);
                new DataOutputStream(s.getOutputStream()).writeInt(256 * 1024 * 1024);
                FrameIO.read(s.getInputStream(), Bounds.HANDSHAKE);
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lines().stream()
                        .anyMatch(l -> l.startsWith("connection refused: frame of") && l.contains("peer=/127.0.0.2:")));
        assertThat(lines())
                .filteredOn(l -> l.startsWith("connection refused: frame of") && l.contains("peer=/127.0.0.1:"))
                .hasSize(1);
    }
}
