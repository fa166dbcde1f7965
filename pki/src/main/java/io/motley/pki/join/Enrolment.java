package io.motley.pki.join;

import io.motley.pki.TlsHome;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import io.motley.protocol.link.AcceptLoop;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.TlsCredentials;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrolment exchange by which a host joins with a token (kubeadm's model), on its own port,
 * the controller's port + 1: the agents' port demands a client certificate in the TLS handshake,
 * which a joining host does not have yet, and making it optional there would let peers without one
 * further into the agents' protocol. Over TLS 1.3 with the controller's certificate (no client
 * certificate):
 *
 * <pre>
 * joiner -> controller   join  id=ID secret=SECRET csr=BASE64(PKCS#10 DER, CN=NODE, signed by the joiner's key)
 * controller -> joiner   ok    certificate=PEM ca=PEM     (or an error: "refused: WHY", and close)
 * </pre>
 *
 * The joiner checks, during the handshake and so before it sends a byte, that the controller's
 * certificate chains to a CA whose SHA-256 fingerprint is the token's pin; its key pair is its own
 * and never travels.
 */
public final class Enrolment {
    private static final Logger log = LoggerFactory.getLogger(Enrolment.class);
    static final Bounds BOUNDS = new Bounds(16 * 1024, Bounds.DEPTH);
    static final String JOIN = "join";

    private Enrolment() {}

    /** The enrolment port of a controller listening for agents on {@code controllerPort}. */
    public static int port(int controllerPort) {
        return controllerPort + 1;
    }

    /** What a joined host receives: its certificate and the cluster's CA certificate. */
    public record Issued(X509Certificate certificate, X509Certificate ca) {}

    /** The controller's side: a listener that issues certificates to hosts presenting a good token. */
    public static final class Server implements Closeable {
        private final TlsHome tls;
        private final JoinTokens tokens;
        private final SSLServerSocket socket;
        private final Supplier<Instant> clock;
        /** How many requests arrived (a joiner whose pin did not match sends none). */
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

        public Server(TlsHome tls, TlsCredentials controller, String bind, int port, Supplier<Instant> clock)
                throws IOException {
            this.tls = tls;
            this.tokens = new JoinTokens(tokensFile(tls));
            this.clock = clock;
            SSLContext context = MutualTls.context(controller, false);
            socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            SSLParameters p = new SSLParameters();
            p.setProtocols(new String[] {"TLSv1.3"});
            p.setNeedClientAuth(false);
            socket.setSSLParameters(p);
        }

        public int port() {
            return socket.getLocalPort();
        }

        /** Accepts in a background thread until closed. */
        public Server start() {
            Thread.ofPlatform().daemon().name("enrolment").start(this::serve);
            return this;
        }

        /** The shared accept loop: a failing accept (out of descriptors) backs off and is reported once per interval. */
        private void serve() {
            new AcceptLoop<>(
                            new AcceptLoop.Source<Socket>() {
                                @Override
                                public Socket accept() throws IOException {
                                    return socket.accept();
                                }

                                @Override
                                public boolean isOpen() {
                                    return !socket.isClosed();
                                }
                            },
                            s -> Thread.ofVirtual().start(() -> handle(s)),
                            (n, e) -> {
                                if (e != null)
                                    log.warn(
                                            "enrolment accept failing count={} error=\"{}\"; backing off",
                                            n,
                                            e.getMessage());
                                else log.info("enrolment accept working again after count={} more failures", n);
                            })
                    .run();
        }

        private void handle(Socket s) {
            String peer = s.getRemoteSocketAddress().toString();
            try (s) {
                s.setSoTimeout((int) MutualTls.HANDSHAKE_TIMEOUT.toMillis());
                ((SSLSocket) s).startHandshake();
                Frame request = FrameIO.read(s.getInputStream(), BOUNDS);
                requests.incrementAndGet();
                Frame answer;
                try {
                    Issued issued = enrol(request);
                    answer = Frame.op(Ops.OK)
                            .put("certificate", TlsCredentials.pem(issued.certificate()))
                            .put("ca", TlsCredentials.pem(issued.ca()));
                    log.info(
                            "node joined node={} serial={} from={}",
                            TlsCredentials.commonName(issued.certificate()),
                            issued.certificate().getSerialNumber().toString(16),
                            peer);
                } catch (JoinTokens.Refused e) {
                    log.warn("join refused from={} reason=\"{}\"", peer, e.getMessage());
                    answer = Frame.error("refused: " + e.getMessage());
                }
                FrameIO.write(s.getOutputStream(), answer);
            } catch (IOException | RuntimeException e) {
                // a joiner that refused our certificate (pin mismatch) hangs up in the handshake: it sent nothing
                log.info("enrolment connection ended from={} error=\"{}\"", peer, printable(e.getMessage()));
            }
        }

        private Issued enrol(Frame request) throws IOException, JoinTokens.Refused {
            if (!JOIN.equals(request.op())) throw new JoinTokens.Refused("expected a join request");
            JcaPKCS10CertificationRequest csr;
            try {
                csr = new JcaPKCS10CertificationRequest(Base64.getDecoder().decode(request.str("csr", "")));
                if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getPublicKey())))
                    throw new JoinTokens.Refused("the certificate signing request's signature is not valid");
            } catch (IOException
                    | IllegalArgumentException
                    | OperatorCreationException
                    | PKCSException
                    | GeneralSecurityException e) {
                throw new JoinTokens.Refused("not a certificate signing request: " + e.getMessage());
            }
            X500Principal subject = new X500Principal(csr.getSubject().getEncoded());
            String node = cn(subject);
            X509Certificate[] issued = new X509Certificate[1];
            Instant now = clock.get();
            tokens.redeem(request.str("id", ""), request.str("secret", ""), now, () -> {
                try {
                    issued[0] = tls.enrolNode(node, csr.getPublicKey(), now);
                    return null;
                } catch (IllegalStateException | IllegalArgumentException e) {
                    return e.getMessage();
                } catch (GeneralSecurityException e) {
                    return "unusable public key: " + e.getMessage();
                }
            });
            return new Issued(issued[0], TlsCredentials.readCertificate(tls.caCertificate()));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * The public key of a signing request for node {@code node}: its signature is checked, and its
     * common name must be the node.
     *
     * @throws IllegalArgumentException it is not a valid request for that node (the reason)
     */
    public static java.security.PublicKey requestedKey(byte[] der, String node) {
        try {
            JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(der);
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getPublicKey())))
                throw new IllegalArgumentException("the certificate signing request's signature is not valid");
            String cn = cn(new X500Principal(csr.getSubject().getEncoded()));
            if (!cn.equals(node))
                throw new IllegalArgumentException(
                        "the signing request is for node '" + printable(cn) + "', not for this link's node " + node);
            return csr.getPublicKey();
        } catch (IOException
                | OperatorCreationException
                | PKCSException
                | GeneralSecurityException
                | RuntimeException e) {
            if (e instanceof IllegalArgumentException i
                    && i.getMessage() != null
                    && i.getMessage().startsWith("the ")) throw i;
            throw new IllegalArgumentException("not a certificate signing request: " + e.getMessage());
        }
    }

    /** Where the controller's host keeps its join tokens. */
    public static java.nio.file.Path tokensFile(TlsHome tls) {
        return tls.dir().resolve("tokens");
    }

    /** A peer's text with control characters replaced, so it cannot forge lines in a log or terminal. */
    static String printable(String s) {
        return s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
    }

    private static String cn(X500Principal p) {
        try {
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(p.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
            }
        } catch (javax.naming.InvalidNameException e) {
            return "";
        }
        return "";
    }

    /**
     * The joining host's side: checks the controller's CA against the token's pin during the TLS
     * handshake, then sends the token and a signing request for {@code node} made with {@code keys}.
     *
     * @throws JoinTokens.Refused the pin did not match (nothing was sent), or the controller refused (its reason)
     */
    public static Issued join(String host, int port, JoinToken token, String node, KeyPair keys)
            throws IOException, JoinTokens.Refused {
        PinnedController pinned = new PinnedController(token.pin());
        SSLSocket s;
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, new TrustManager[] {pinned}, new SecureRandom());
            Socket raw = new Socket();
            raw.connect(new InetSocketAddress(host, port), (int) MutualTls.HANDSHAKE_TIMEOUT.toMillis());
            raw.setSoTimeout((int) MutualTls.HANDSHAKE_TIMEOUT.toMillis() * 3);
            s = (SSLSocket) context.getSocketFactory().createSocket(raw, host, port, true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
        try (s) {
            s.setUseClientMode(true);
            SSLParameters p = new SSLParameters();
            p.setProtocols(new String[] {"TLSv1.3"});
            s.setSSLParameters(p);
            try {
                s.startHandshake();
            } catch (SSLException e) {
                if (pinned.mismatch != null) throw new JoinTokens.Refused(pinned.mismatch);
                throw e;
            }
            FrameIO.write(
                    s.getOutputStream(),
                    Frame.op(JOIN)
                            .put("id", token.id())
                            .put("secret", token.secret())
                            .put("csr", Base64.getEncoder().encodeToString(csr(node, keys))));
            Frame answer = FrameIO.read(s.getInputStream(), BOUNDS);
            if (answer.isError()) throw new JoinTokens.Refused(printable(answer.str("message", "refused")));
            X509Certificate certificate = TlsCredentials.certificate(
                    answer.str("certificate", "").getBytes(StandardCharsets.US_ASCII), "the issued certificate");
            X509Certificate ca =
                    TlsCredentials.certificate(answer.str("ca", "").getBytes(StandardCharsets.US_ASCII), "the CA");
            if (!JoinToken.pinOf(TlsCredentials.fingerprint(ca)).equals(token.pin())
                    || !certificate.getPublicKey().equals(keys.getPublic()))
                throw new JoinTokens.Refused("the controller answered with a certificate that is not for this host");
            return new Issued(certificate, ca);
        }
    }

    /** A PKCS#10 request for node {@code node}'s certificate, signed with {@code keys} (joining, and renewing). */
    public static byte[] csr(String node, KeyPair keys) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(
                            new X500Principal(
                                    "CN=" + node.replaceAll("[,+=\"\\\\<>;#]", "_") + ", OU=" + TlsCredentials.NODE),
                            keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a certificate signing request: " + e.getMessage(), e);
        }
    }

    /** Trusts the server's certificate only when it chains to a CA whose fingerprint is the pin, and is the controller's. */
    private static final class PinnedController implements X509TrustManager {
        private final String pin;
        volatile String mismatch;

        PinnedController(String pin) {
            this.pin = pin;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            X509Certificate ca = null;
            for (X509Certificate c : chain) {
                if (JoinToken.pinOf(TlsCredentials.fingerprint(c)).equals(pin)) ca = c;
            }
            if (ca == null) {
                mismatch = "pin mismatch: the controller's CA is not the one the token pins (sha256:" + pin
                        + "); nothing was sent";
                throw new CertificateException(mismatch);
            }
            try {
                ca.checkValidity();
                chain[0].verify(ca.getPublicKey());
                chain[0].checkValidity();
            } catch (GeneralSecurityException e) {
                mismatch = "pin mismatch: the controller's certificate is not issued by the pinned CA ("
                        + e.getMessage() + "); nothing was sent";
                throw new CertificateException(mismatch, e);
            }
            if (!TlsCredentials.CONTROLLER.equals(TlsCredentials.role(chain[0]))) {
                mismatch = "the server's certificate is not the controller's; nothing was sent";
                throw new CertificateException(mismatch);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a joining host accepts no clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
