package io.motley.controller.http;

import io.motley.core.config.ClusterConfig;
import io.motley.pki.CertificateAuthority;
import io.motley.pki.TlsHome;
import io.motley.pki.http.WebServer;
import io.motley.protocol.link.LinkMode;
import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's HTTP(S) port, shared by /metrics, the REST API and the web pages (each mounted
 * on the {@link WebServer} by its path prefix). HTTPS with a certificate of the cluster's CA
 * made at each start for this host's names, where the cluster has a CA (the default, mutual TLS
 * links); plain HTTP on loopback only where it has none (MOTLEY_LINK=shared-key). Its base URL is
 * written to {@code MOTLEY_HOME/run/http.url} for the commands, tests and scrape configs.
 */
public final class HttpFront {
    private static final Logger log = LoggerFactory.getLogger(HttpFront.class);

    private final WebServer server;
    private final TlsCredentials certificate;

    private HttpFront(WebServer server, TlsCredentials certificate) {
        this.server = server;
        this.certificate = certificate;
    }

    /** The file that holds the base URL while the controller runs. */
    public static Path urlFile(Path home) {
        return home.resolve("run/http.url");
    }

    /**
     * Starts the port for {@code config} (HttpPort, HttpBind; else ControllerPort + 2 on the
     * controller's own address) and writes run/http.url.
     */
    public static HttpFront start(
            Path home, ClusterConfig config, String controllerBind, int controllerPort, Instant now)
            throws IOException {
        String bind = config.web().httpBind() != null ? config.web().httpBind() : controllerBind;
        int port = config.web().httpPort(controllerPort);
        TlsCredentials cert = null;
        SSLContext tls = null;
        if (LinkMode.fromEnvironment() != LinkMode.SHARED_KEY) {
            CertificateAuthority ca = new TlsHome(home).authority(config.clusterName(), now);
            cert = ca.issueWebServer(hostNames(bind), now, CertificateAuthority.CONTROLLER_VALIDITY);
            tls = WebServer.tlsContext(cert.key(), cert.certificate(), cert.ca());
        }
        WebServer server = WebServer.start(bind, port, tls, WebServer.DEFAULT_MAX_BODY);
        Files.writeString(urlFile(home), server.baseUrl() + "\n");
        log.info("http serving url={} tls={}", server.baseUrl(), tls != null);
        return new HttpFront(server, cert);
    }

    /** The names the certificate is made for: this host's, loopback's, and the bound address. */
    static List<String> hostNames(String bind) {
        List<String> names = new ArrayList<>();
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(local.getHostName());
            names.add(local.getCanonicalHostName());
            names.add(local.getHostAddress());
        } catch (IOException e) {
            log.warn(
                    "cannot look up this host's name error=\"{}\"; the certificate names loopback only",
                    e.getMessage());
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) names.add(bind);
        return names.stream().filter(n -> !n.contains("%")).distinct().toList();
    }

    /** Where routes are mounted: {@code server().mount("/slurm/", route)}. */
    public WebServer server() {
        return server;
    }

    /** The HTTPS certificate's expiry (epoch seconds), or empty when serving plain HTTP. */
    public Map<String, Long> certificateExpiry() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (certificate != null)
            m.put("http", certificate.certificate().getNotAfter().toInstant().getEpochSecond());
        return m;
    }

    public void close() {
        server.close();
    }
}
