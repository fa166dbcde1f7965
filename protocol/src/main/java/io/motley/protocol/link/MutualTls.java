package io.motley.protocol.link;

import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@link Handshake} between an agent and the controller over TLS 1.3 with mutual
 * authentication (the JDK's TLS): both ends present a certificate issued by the cluster's CA and
 * trust nothing else. Then, inside TLS:
 *
 * <pre>
 * agent -> controller   auth  role=agent|relay
 * controller -> agent   ok    cluster=NAME          (or an error saying why, and close)
 * </pre>
 *
 * The node is the common name of the agent's certificate, never anything the agent says. The agent
 * checks the controller's certificate (CA, validity, server use, the controller's role) during the
 * handshake, before it sends a byte of its own; the controller checks the agent's (CA, validity,
 * client use) in the handshake, and its role and whether it was revoked after it, answering a
 * refusal with an error frame. Frames then go with {@link Link.Seal#NONE}: TLS's records carry
 * integrity, order and confidentiality.
 */
public final class MutualTls {
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final String[] PROTOCOLS = {"TLSv1.3"};

    private MutualTls() {}

    /** Says why a certificate that TLS accepted is still refused (revoked, say), or null to admit it. */
    public interface Admission {
        Admission ALL = c -> null;

        String refusal(X509Certificate certificate);
    }

    /**
     * The agent's half: checks the controller's certificate before sending anything, then names the
     * role of this connection.
     *
     * @throws Handshake.Refused the controller turned this agent away (its message says why)
     * @throws Handshake.Unproven the peer's certificate is not this cluster's controller's
     */
    public static Handshake<ControllerPeer> asAgent(TlsCredentials credentials, String role) {
        SSLContext context = context(credentials, true);
        return (t, incoming) -> {
            Instant now = Instant.now();
            if (!credentials.validAt(now)) {
                throw new Handshake.Refused("this agent's certificate is not valid now (valid "
                        + credentials.certificate().getNotBefore().toInstant() + " to "
                        + credentials.certificate().getNotAfter().toInstant() + "); renew it");
            }
            Socket raw = tcp(t);
            SSLSocket s = (SSLSocket) context.getSocketFactory()
                    .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
            s.setUseClientMode(true);
            s.setSSLParameters(parameters(false));
            try {
                s.startHandshake();
            } catch (SSLException e) {
                if (unproven(e))
                    throw new Handshake.Unproven("its certificate is not this cluster's controller's: " + reason(e));
                // a TLS peer that turns our certificate away says so with an alert; anything else never spoke TLS
                if (String.valueOf(e.getMessage()).contains("Received fatal alert"))
                    throw new Handshake.Refused("the controller refused this agent's certificate (" + reason(e)
                            + "): expired, revoked or not issued by this cluster's CA; see the controller's log");
                throw new Handshake.Unproven(
                        "it did not complete a TLS handshake as this cluster's controller: " + reason(e));
            } catch (java.net.SocketException e) {
                throw new Handshake.Refused("the controller refused this agent's certificate (it hung up during the"
                        + " TLS handshake: " + reason(e) + "): expired, revoked or not issued by this cluster's CA;"
                        + " see the controller's log");
            }
            Transport tls = Transport.of(s);
            Frame ok;
            try {
                FrameIO.write(tls.out(), Frame.op(Ops.AUTH).put("role", role));
                ok = FrameIO.read(tls.in(), Bounds.HANDSHAKE);
            } catch (SSLException | java.net.SocketException e) {
                // TLS 1.3: the server checks our certificate after our side of the handshake is done, and
                // closes with an alert that our write may meet as a reset or a broken pipe
                throw new Handshake.Refused("the controller refused this agent's certificate (" + reason(e)
                        + "): expired, revoked or not issued by this cluster's CA; see the controller's log");
            }
            if (ok.isError()) throw new Handshake.Refused(SharedKey.printable(ok.str("message", "refused")));
            if (!Ops.OK.equals(ok.op())) throw new Handshake.Unproven("it did not answer as a Motley controller");
            return new Link<>(tls, incoming, Link.Seal.NONE, new ControllerPeer(ok.str("cluster")));
        };
    }

    /**
     * The controller's half: TLS checks the agent's certificate; then its role, {@code admission}
     * (revocation) and the connection's role are checked, a refusal answered with an error frame.
     *
     * @throws Handshake.Rejected the agent was turned away (it has been told why, when TLS let us)
     */
    public static Handshake<AgentPeer> asController(TlsCredentials credentials, String cluster, Admission admission) {
        SSLContext context = context(credentials, false);
        return (t, incoming) -> {
            Socket raw = tcp(t);
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, null, true);
            s.setUseClientMode(false);
            s.setSSLParameters(parameters(true));
            try {
                s.startHandshake();
            } catch (SSLException | java.net.SocketException e) {
                throw new Handshake.Rejected("?", "TLS handshake failed: " + agentFailure(e));
            }
            X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
            String node = TlsCredentials.commonName(peer);
            Transport tls = Transport.of(s);
            Frame auth;
            try {
                auth = FrameIO.read(tls.in(), Bounds.HANDSHAKE);
            } catch (Bounds.Exceeded | io.motley.protocol.FrameIO.Malformed e) {
                tryWrite(tls, Frame.error(e.getMessage()));
                throw e;
            }
            String refusal = refusal(peer, auth, admission);
            if (refusal != null) {
                tryWrite(tls, Frame.error("refused: " + refusal));
                throw new Handshake.Rejected(SharedKey.printable(node), refusal);
            }
            FrameIO.write(tls.out(), Frame.op(Ops.OK).put("cluster", cluster));
            return new Link<>(
                    tls,
                    incoming,
                    Link.Seal.NONE,
                    new AgentPeer(
                            node,
                            auth.str("role"),
                            peer.getSerialNumber(),
                            peer.getNotAfter().toInstant()));
        };
    }

    private static String refusal(X509Certificate peer, Frame auth, Admission admission) {
        if (!TlsCredentials.NODE.equals(TlsCredentials.role(peer)))
            return "the certificate is not a node's (role '" + SharedKey.printable(TlsCredentials.role(peer)) + "')";
        if (TlsCredentials.commonName(peer).isEmpty()) return "the certificate names no node";
        try {
            // a resumed TLS session skips the chain's checks: the dates are checked on every connection
            peer.checkValidity();
        } catch (CertificateException e) {
            return "the node's certificate is not valid now (" + e.getMessage() + ")";
        }
        String why = admission.refusal(peer);
        if (why != null) return why;
        String role = auth.str("role", "");
        if (!Ops.AUTH.equals(auth.op()) || !(role.equals("agent") || role.equals("relay")))
            return "expected auth with role agent or relay, got " + SharedKey.printable(auth.op());
        return null;
    }

    /** Connects to the controller as the agent its credentials name; frames from the controller are then held to {@code answers}. */
    public static Link<ControllerPeer> connect(
            String host, int port, TlsCredentials credentials, String role, Bounds answers) throws IOException {
        return Link.open(
                Transport.connect(host, port, HANDSHAKE_TIMEOUT),
                asAgent(credentials, role),
                answers,
                HANDSHAKE_TIMEOUT);
    }

    private static Socket tcp(Transport t) throws IOException {
        Socket raw = t.tcpSocket();
        if (raw == null) throw new IOException("TLS needs a TCP connection");
        return raw;
    }

    private static SSLParameters parameters(boolean server) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(PROTOCOLS);
        if (server) p.setNeedClientAuth(true);
        return p;
    }

    /** Whether the handshake failed on our own check of the peer's certificate (rather than the peer's of ours). */
    private static boolean unproven(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CertificateException) return true;
        }
        return false;
    }

    /**
     * Why the controller's side of a TLS handshake failed, in the words an operator needs first
     * (the agent's certificate expired, or is another CA's; or the agent turned the controller's
     * down), followed by the JDK's own reason.
     */
    static String agentFailure(Throwable e) {
        String jdk = reason(e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateExpiredException)
                return "the agent's certificate expired (" + jdk + ")";
            if (c instanceof java.security.cert.CertificateNotYetValidException)
                return "the agent's certificate is not valid yet (" + jdk + ")";
            // no path to the CA (the chain sent ends elsewhere), or a path that does not end at it
            if (c instanceof java.security.cert.CertPathBuilderException
                    || (c instanceof java.security.cert.CertPathValidatorException
                            && String.valueOf(c.getMessage()).contains("does not chain with any of the trust anchors")))
                return "the agent's certificate is not issued by this cluster's CA (" + jdk + ")";
            if (c == c.getCause()) break;
        }
        if (jdk.contains("Received fatal alert: certificate_unknown")
                || jdk.contains("Received fatal alert: bad_certificate"))
            return "the agent refused this controller's certificate (" + jdk
                    + "): it trusts another CA than this cluster's";
        return jdk;
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
        return SharedKey.printable(m);
    }

    private static void tryWrite(Transport t, Frame f) {
        try {
            FrameIO.write(t.out(), f);
        } catch (IOException ignored) {
            // the peer is being refused; if it no longer listens there is no one to tell
        }
    }

    /**
     * A TLS context that presents {@code credentials} and trusts only their CA; on the agent's side
     * it also insists that the server's certificate is the controller's (role), during the handshake.
     */
    public static SSLContext context(TlsCredentials credentials, boolean agent) {
        try {
            char[] none = new char[0];
            KeyStore mine = KeyStore.getInstance("PKCS12");
            mine.load(null, null);
            mine.setKeyEntry(
                    "self", credentials.key(), none, new Certificate[] {credentials.certificate(), credentials.ca()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(mine, none);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", credentials.ca());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trusted);
            X509ExtendedTrustManager pkix = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) pkix = x;
            }
            if (pkix == null) throw new IllegalStateException("the JDK offers no X.509 trust manager");
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), new TrustManager[] {agent ? new ControllerOnly(pkix) : pkix}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The CA's checks, and then that the server's certificate is the controller's, not another node's. */
    private static final class ControllerOnly extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        ControllerOnly(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        private static void controller(X509Certificate[] chain) throws CertificateException {
            String role = TlsCredentials.role(chain[0]);
            if (!TlsCredentials.CONTROLLER.equals(role))
                throw new CertificateException(
                        "the server's certificate is not the controller's (role '" + SharedKey.printable(role) + "')");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            controller(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            controller(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            controller(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("an agent accepts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("an agent accepts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("an agent accepts no clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
