package io.motley.controller.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.config.ClusterConfig;
import io.motley.pki.TlsHome;
import io.motley.pki.http.HttpRoute;
import io.motley.protocol.link.TlsCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpFrontTest {
    @TempDir
    Path home;

    @Test
    void servesHttpsWithACertificateOfTheClusterCaAndWritesItsUrl() throws Exception {
        Assumptions.assumeFalse(
                "shared-key".equals(System.getenv("MOTLEY_LINK")), "MOTLEY_LINK=shared-key: the cluster has no CA");
        Files.createDirectories(home.resolve("run"));
        HttpFront front = HttpFront.start(home, ClusterConfig.parse("HttpPort=0\n"), "127.0.0.1", 6917, Instant.now());
        try {
            front.server().mount("/metrics", r -> HttpRoute.Response.text(200, "up 1\n"));
            URI url = URI.create(Files.readString(HttpFront.urlFile(home)).strip());
            assertThat(url.getScheme()).isEqualTo("https");
            assertThat(url.getPort()).isEqualTo(front.server().port());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", TlsCredentials.readCertificate(new TlsHome(home).caCertificate()));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ks);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(url.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("up 1\n");
            assertThat(front.certificateExpiry()).containsKey("http");
        } finally {
            front.close();
        }
    }

    @Test
    void theCertificateNamesLoopbackAndTheBoundAddress() {
        assertThat(HttpFront.hostNames("10.1.2.3")).contains("localhost", "127.0.0.1", "::1", "10.1.2.3");
        assertThat(HttpFront.hostNames("0.0.0.0")).doesNotContain("0.0.0.0");
    }
}
