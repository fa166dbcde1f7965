package io.motley.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import io.motley.protocol.link.AgentPeer;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.TlsCredentials;
import io.motley.protocol.link.Transport;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The TLS handshake over loopback sockets: what passes, and each refusal with who learns what. */
@Timeout(60)
class MutualTlsTest {
    private static final Bounds ROOMY = new Bounds(1 << 20, Bounds.DEPTH);
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private final Instant now = Instant.now();
    private final CertificateAuthority ca = CertificateAuthority.create("lab", now, Duration.ofDays(10));
    private final TlsCredentials controller = ca.issueController(now, Duration.ofDays(10));
    private ServerSocket server;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    private CompletableFuture<Link<AgentPeer>> controller(Handshake<AgentPeer> handshake) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Link.accept(server.accept(), handshake, ROOMY, WITHIN);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private CompletableFuture<Link<AgentPeer>> controller() {
        return controller(MutualTls.asController(controller, "lab", MutualTls.Admission.ALL));
    }

    private Link<ControllerPeer> connect(Handshake<ControllerPeer> handshake) throws IOException {
        return Link.open(Transport.connect("127.0.0.1", server.getLocalPort(), WITHIN), handshake, ROOMY, WITHIN);
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.get();
            throw new AssertionError("the controller's side did not fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bothSidesProveThemselvesTheNodeIsTheCertificatesAndFramesFlow() throws Exception {
        CompletableFuture<Link<AgentPeer>> accepted = controller();
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        try (Link<ControllerPeer> agent = connect(MutualTls.asAgent(n1, "relay"));
                Link<AgentPeer> ctl = accepted.get()) {
            assertThat(ctl.peer().node()).isEqualTo("n1");
            assertThat(ctl.peer().role()).isEqualTo("relay");
            assertThat(ctl.peer().serial()).isNotNull();
            assertThat(agent.peer()).isEqualTo(new ControllerPeer("lab"));
            for (int i = 0; i < 3; i++) agent.write(Frame.op(Ops.JOBS).put("i", i));
            for (int i = 0; i < 3; i++) assertThat(ctl.read().integer("i", -1)).isEqualTo(i);
            ctl.write(Frame.op(Ops.OK).put("id", 7));
            assertThat(agent.read().lng("id", 0)).isEqualTo(7);
        }
    }

    @Test
    void anAgentWhoseCertificateIsOfAnotherCaIsRefused() {
        CompletableFuture<Link<AgentPeer>> accepted = controller();
        CertificateAuthority other = CertificateAuthority.create("lab", now, Duration.ofDays(10));
        TlsCredentials foreign = other.issueNode("n1", now, Duration.ofDays(1));
        // it trusts our CA (so it accepts our controller) but its own certificate is another CA's
        TlsCredentials stranger = new TlsCredentials(foreign.key(), foreign.certificate(), ca.certificate());
        assertThatThrownBy(() -> connect(MutualTls.asAgent(stranger, "agent")))
                .isInstanceOf(Handshake.Refused.class)
                .hasMessageContaining("the controller refused this agent's certificate");
        assertThat(cause(accepted))
                .isInstanceOf(Handshake.Rejected.class)
                .hasMessageContaining(
                        "TLS handshake failed: the agent's certificate is not issued by this cluster's CA");
    }

    @Test
    void aControllerOfAnotherCaIsNotTrustedAndLearnsNothingOfTheAgent() {
        CertificateAuthority other = CertificateAuthority.create("lab", now, Duration.ofDays(10));
        CompletableFuture<Link<AgentPeer>> accepted = controller(
                MutualTls.asController(other.issueController(now, Duration.ofDays(1)), "lab", MutualTls.Admission.ALL));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        assertThatThrownBy(() -> connect(MutualTls.asAgent(n1, "agent")))
                .isInstanceOf(Handshake.Unproven.class)
                .hasMessageContaining("not this cluster's controller");
        // the agent's alert says why, when it arrives before the agent hangs up (else: a broken pipe)
        assertThat(cause(accepted)).isInstanceOf(Handshake.Rejected.class);
    }

    @Test
    void aNodesCertificateCannotPoseAsTheController() {
        // another node of the same cluster listens on the controller's address with its own certificate
        TlsCredentials rogue = ca.issueNode("rogue", now, Duration.ofDays(1));
        CompletableFuture<Link<AgentPeer>> accepted =
                controller(MutualTls.asController(rogue, "lab", MutualTls.Admission.ALL));
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        assertThatThrownBy(() -> connect(MutualTls.asAgent(n1, "agent"))).isInstanceOf(Handshake.Unproven.class);
        assertThat(cause(accepted)).isInstanceOf(Handshake.Rejected.class);
    }

    @Test
    void theControllersCertificateCannotPoseAsANode() {
        CompletableFuture<Link<AgentPeer>> accepted = controller();
        assertThatThrownBy(() -> connect(MutualTls.asAgent(controller, "agent")))
                .isInstanceOf(Handshake.Refused.class);
        assertThat(cause(accepted)).isInstanceOf(Handshake.Rejected.class);
    }

    @Test
    void anExpiredCertificateIsRefusedByTheAgentBeforeConnectingAndByTheController() {
        Instant past = now.minus(Duration.ofDays(3));
        CertificateAuthority old = CertificateAuthority.create("lab", past, Duration.ofDays(10));
        TlsCredentials expired = old.issueNode("n1", past, Duration.ofDays(1));
        TlsCredentials ctl = old.issueController(now, Duration.ofDays(1));
        CompletableFuture<Link<AgentPeer>> accepted =
                controller(MutualTls.asController(ctl, "lab", MutualTls.Admission.ALL));
        assertThatThrownBy(() -> connect(MutualTls.asAgent(expired, "agent")))
                .isInstanceOf(Handshake.Refused.class)
                .hasMessageContaining("this agent's certificate is not valid now");
        assertThat(cause(accepted)).isInstanceOf(IOException.class);
        // an agent that does not look at its own dates is refused by the controller all the same
        CompletableFuture<Link<AgentPeer>> again =
                controller(MutualTls.asController(ctl, "lab", MutualTls.Admission.ALL));
        assertThatThrownBy(() -> {
                    try (SSLSocket s = (SSLSocket) MutualTls.context(expired, true)
                            .getSocketFactory()
                            .createSocket("127.0.0.1", server.getLocalPort())) {
                        s.setSoTimeout(20_000);
                        s.startHandshake();
                        s.getOutputStream().write(1);
                        s.getInputStream().read();
                    }
                })
                .isInstanceOf(IOException.class);
        assertThat(cause(again))
                .isInstanceOf(Handshake.Rejected.class)
                .hasMessageContaining("TLS handshake failed: the agent's certificate expired")
                .hasMessageContaining("NotAfter");
    }

    @Test
    void aRevokedCertificateIsRefusedWithTheReason() {
        TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
        CompletableFuture<Link<AgentPeer>> accepted = controller(MutualTls.asController(
                controller, "lab", c -> c.equals(n1.certificate()) ? "the certificate of node n1 was revoked" : null));
        assertThatThrownBy(() -> connect(MutualTls.asAgent(n1, "agent")))
                .isInstanceOf(Handshake.Refused.class)
                .hasMessage("refused: the certificate of node n1 was revoked");
        assertThat(cause(accepted))
                .isInstanceOf(Handshake.Rejected.class)
                .hasMessage("the certificate of node n1 was revoked");
    }

    @Test
    void aPlainTextPeerIsRefusedAndTheServerAcceptsTheNextConnection() throws Exception {
        CompletableFuture<Link<AgentPeer>> accepted = controller();
        try (Socket plain = new Socket("127.0.0.1", server.getLocalPort())) {
            FrameIO.write(
                    new DataOutputStream(plain.getOutputStream()),
                    Frame.op(Ops.AUTH).put("node", "n1"));
            plain.setSoTimeout(20_000);
            assertThat(plain.getInputStream().read()).isNotNull();
        }
        assertThat(cause(accepted)).isInstanceOf(Handshake.Rejected.class).hasMessageContaining("TLS handshake failed");

        CompletableFuture<Link<AgentPeer>> next = controller();
        try (Link<ControllerPeer> agent =
                        connect(MutualTls.asAgent(ca.issueNode("n2", now, Duration.ofDays(1)), "agent"));
                Link<AgentPeer> ctl = next.get()) {
            assertThat(ctl.peer().node()).isEqualTo("n2");
        }
    }
}
