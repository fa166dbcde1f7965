package io.motley.pki.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.pki.CertificateAuthority;
import io.motley.protocol.link.TlsCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebServerTest {
    private WebServer web;

    @AfterEach
    void stop() {
        if (web != null) web.close();
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesByTheLongestPrefixAndAnswers404WhereNoneMatches() throws Exception {
        web = WebServer.start("127.0.0.1", 0, null, 1024);
        web.mount("/metrics", r -> HttpRoute.Response.text(200, "metrics " + r.path()));
        web.mount("/slurm/", r -> HttpRoute.Response.text(200, "slurm " + r.path() + " q=" + r.query()));
        HttpClient c = HttpClient.newHttpClient();
        URI base = web.baseUrl();
        assertThat(base.toString()).isEqualTo("http://127.0.0.1:" + web.port());
        assertThat(get(c, base.resolve("/metrics")).body()).isEqualTo("metrics /metrics");
        assertThat(get(c, base.resolve("/metrics/nodes")).body()).isEqualTo("metrics /metrics/nodes");
        assertThat(get(c, base.resolve("/metricsx")).statusCode()).isEqualTo(404);
        assertThat(get(c, base.resolve("/slurm/v0.0.40/jobs?a=1")).body()).isEqualTo("slurm /slurm/v0.0.40/jobs q=a=1");
        assertThat(get(c, base.resolve("/")).statusCode()).isEqualTo(404);
        web.mount("/", r -> HttpRoute.Response.text(200, "page"));
        assertThat(get(c, base.resolve("/anything")).body()).isEqualTo("page");
        assertThat(get(c, base.resolve("/metrics")).body()).isEqualTo("metrics /metrics");
    }

    @Test
    void aFailingRouteGetsABare500AndTheServerGoesOnServing() throws Exception {
        web = WebServer.start("127.0.0.1", 0, null, 1024);
        web.mount("/boom", r -> {
            throw new IllegalStateException("secret detail at io.motley.Foo");
        });
        web.mount("/ok", r -> HttpRoute.Response.text(200, "ok"));
        HttpClient c = HttpClient.newHttpClient();
        HttpResponse<String> r = get(c, web.baseUrl().resolve("/boom"));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body())
                .isEqualTo("internal error\n")
                .doesNotContain("secret")
                .doesNotContain("at io.");
        assertThat(get(c, web.baseUrl().resolve("/ok")).body()).isEqualTo("ok");
    }

    @Test
    void aBodyOverTheBoundIsRefusedWith413WhetherDeclaredOrStreamed() throws Exception {
        web = WebServer.start("127.0.0.1", 0, null, 100);
        web.mount("/echo", r -> HttpRoute.Response.text(200, "got " + r.body().length + " " + r.method()));
        HttpClient c = HttpClient.newHttpClient();
        URI echo = web.baseUrl().resolve("/echo");
        HttpResponse<String> fits = c.send(
                HttpRequest.newBuilder(echo)
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fits.body()).isEqualTo("got 100 POST");
        HttpResponse<String> declared = c.send(
                HttpRequest.newBuilder(echo)
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(101)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(413);
        // chunked: no Content-Length, the bound is found while reading
        try (Socket s = new Socket("127.0.0.1", web.port())) {
            OutputStream out = s.getOutputStream();
            String chunk = "x".repeat(150);
            out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
        assertThat(get(c, echo).body()).isEqualTo("got 0 GET");
    }

    @Test
    void plainHttpIsNeverOfferedBeyondLoopback() throws Exception {
        web = WebServer.start("0.0.0.0", 0, null, 1024);
        assertThat(web.baseUrl().getHost()).isEqualTo("127.0.0.1");
        assertThat(web.secure()).isFalse();
        web.close();
        // unless asked for in so many words (an agent's read-only /metrics)
        web = WebServer.startPlain("0.0.0.0", 0, 1024);
        assertThat(web.baseUrl().getHost()).isNotEqualTo("127.0.0.1");
    }

    @Test
    void httpsPresentsACertificateOfTheClusterCaNamingTheHostsItServes() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("lab", now, Duration.ofDays(10));
        TlsCredentials cert = ca.issueWebServer(List.of("localhost", "127.0.0.1", "::1"), now, Duration.ofDays(5));
        web = WebServer.start("127.0.0.1", 0, WebServer.tlsContext(cert.key(), cert.certificate(), cert.ca()), 1024);
        web.mount("/metrics", r -> HttpRoute.Response.text(200, "secure=" + r.secure()));
        assertThat(web.baseUrl().toString()).isEqualTo("https://127.0.0.1:" + web.port());
        HttpClient trusting =
                HttpClient.newBuilder().sslContext(trusting(ca.certificate())).build();
        assertThat(get(trusting, web.baseUrl().resolve("/metrics")).body()).isEqualTo("secure=true");
        assertThat(get(trusting, URI.create("https://localhost:" + web.port() + "/metrics"))
                        .statusCode())
                .isEqualTo(200);
        // a client that does not trust the cluster's CA is refused in the handshake
        HttpClient other = HttpClient.newBuilder()
                .sslContext(trusting(CertificateAuthority.create("other", now, Duration.ofDays(1))
                        .certificate()))
                .build();
        assertThatThrownBy(() -> get(other, web.baseUrl().resolve("/metrics")))
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(cert.certificate().getSubjectAlternativeNames()).hasSize(3);
    }

    private static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    private static byte[] gunzip(byte[] b) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aStreamedAnswerGoesOutChunkedAsItIsWritten() throws Exception {
        web = WebServer.start("127.0.0.1", 0, null, 1024);
        String line = "0123456789".repeat(10) + "\n";
        web.mount(
                "/big",
                r -> HttpRoute.Response.streamed(200, "text/plain", out -> {
                    for (int i = 0; i < 10_000; i++) out.write(line.getBytes(StandardCharsets.US_ASCII));
                }));
        HttpClient c = HttpClient.newHttpClient();
        HttpResponse<String> r = get(c, web.baseUrl().resolve("/big"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Length")).isEmpty();
        assertThat(r.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(r.body()).isEqualTo(line.repeat(10_000));
        HttpResponse<Void> head = c.send(
                HttpRequest.newBuilder(web.baseUrl().resolve("/big"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
    }

    @Test
    void aStreamThatFailsMidwayDropsTheConnectionRatherThanEndingTheAnswer() throws Exception {
        web = WebServer.start("127.0.0.1", 0, null, 1024);
        web.mount(
                "/half",
                r -> HttpRoute.Response.streamed(200, "text/plain", out -> {
                    out.write(new byte[100_000]);
                    throw new IllegalStateException("the listing broke");
                }));
        web.mount("/ok", r -> HttpRoute.Response.text(200, "ok"));
        HttpClient c = HttpClient.newHttpClient();
        // a client never takes the part written for a whole answer
        assertThatThrownBy(() -> get(c, web.baseUrl().resolve("/half"))).isInstanceOf(IOException.class);
        assertThat(get(c, web.baseUrl().resolve("/ok")).body()).isEqualTo("ok");
    }

    @Test
    void textIsGzippedForAClientThatAcceptsIt() throws Exception {
        web = WebServer.start("127.0.0.1", 0, null, 1024);
        String text = "slurm_nodes_idle 4\n".repeat(500);
        web.mount("/metrics", r -> HttpRoute.Response.text(200, text));
        web.mount("/tiny", r -> HttpRoute.Response.text(200, "small"));
        web.mount(
                "/stream",
                r -> HttpRoute.Response.streamed(
                        200, "application/json", out -> out.write(text.getBytes(StandardCharsets.UTF_8))));
        web.mount("/png", r -> new HttpRoute.Response(200, "image/png", new byte[5000], java.util.Map.of()));
        HttpClient c = HttpClient.newHttpClient();
        for (String path : List.of("/metrics", "/stream")) {
            HttpResponse<byte[]> z = c.send(
                    HttpRequest.newBuilder(web.baseUrl().resolve(path))
                            .header("Accept-Encoding", "gzip")
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(z.headers().firstValue("Content-Encoding")).as(path).hasValue("gzip");
            assertThat(z.headers().firstValue("Vary")).hasValue("Accept-Encoding");
            assertThat(z.body().length).isLessThan(text.length() / 10);
            assertThat(new String(gunzip(z.body()), StandardCharsets.UTF_8)).isEqualTo(text);
            // without Accept-Encoding, as it was
            HttpResponse<String> plain = get(c, web.baseUrl().resolve(path));
            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(plain.body()).isEqualTo(text);
        }
        for (String path : List.of("/tiny", "/png")) {
            HttpResponse<byte[]> r = c.send(
                    HttpRequest.newBuilder(web.baseUrl().resolve(path))
                            .header("Accept-Encoding", "gzip")
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.headers().firstValue("Content-Encoding")).as(path).isEmpty();
        }
    }

    @Test
    void acceptEncodingIsReadWithItsQualities() {
        assertThat(WebServer.acceptsGzip(null)).isFalse();
        assertThat(WebServer.acceptsGzip(List.of("gzip"))).isTrue();
        assertThat(WebServer.acceptsGzip(List.of("identity, GZip;q=0.5"))).isTrue();
        assertThat(WebServer.acceptsGzip(List.of("deflate", "x-gzip"))).isTrue();
        assertThat(WebServer.acceptsGzip(List.of("gzip;q=0"))).isFalse();
        assertThat(WebServer.acceptsGzip(List.of("br, deflate"))).isFalse();
        assertThat(WebServer.acceptsGzip(List.of("*"))).isTrue();
        assertThat(WebServer.acceptsGzip(List.of("*, gzip;q=0"))).isFalse();
        assertThat(WebServer.acceptsGzip(List.of("gzip;q=bad"))).isFalse();
        assertThat(WebServer.compressible("text/plain; version=0.0.4; charset=utf-8"))
                .isTrue();
        assertThat(WebServer.compressible("application/json")).isTrue();
        assertThat(WebServer.compressible("image/png")).isFalse();
    }

    @Test
    void readBoundedTellsAFullBodyFromAnOverlongOne() throws IOException {
        assertThat(WebServer.readBounded(new java.io.ByteArrayInputStream(new byte[5]), 5))
                .hasSize(5);
        assertThat(WebServer.readBounded(new java.io.ByteArrayInputStream(new byte[6]), 5))
                .isNull();
    }
}
