package io.motley.pki.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP(S) port a daemon serves {@code /metrics} (and, on the controller, the REST API and the
 * web pages) on: the JDK's server, requests dispatched to the {@link HttpRoute} mounted at the
 * longest matching path prefix. Bodies are read whole up to a bound (a larger one is answered 413
 * and not read); a route that fails is answered a bare 500 and logged, never with a stack trace.
 * An answer may be streamed (chunked, {@link HttpRoute.Response#streamed}); text answers are
 * gzipped for a client that sends {@code Accept-Encoding: gzip} (Prometheus does). Without TLS it
 * listens on loopback only, whatever it was asked.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    /** The default bound on a request's body: REST submissions carry a script (max_script_size is 4 MiB). */
    public static final int DEFAULT_MAX_BODY = 8 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService workers;
    private final int maxBody;
    private final boolean secure;
    private final String host;
    /** Prefix to route; read by every request, changed rarely (a route mounted later). */
    private final Map<String, HttpRoute> routes = new ConcurrentSkipListMap<>();

    private WebServer(HttpServer server, ExecutorService workers, int maxBody, boolean secure, String host) {
        this.server = server;
        this.workers = workers;
        this.maxBody = maxBody;
        this.secure = secure;
        this.host = host;
    }

    /**
     * Starts a server on {@code bind:port} (port 0: any free one): HTTPS with {@code tls} when it is
     * given, else plain HTTP on the loopback address (a non-loopback {@code bind} is replaced by it,
     * and that is logged: plain HTTP is not offered to the network).
     */
    public static WebServer start(String bind, int port, SSLContext tls, int maxBodyBytes) throws IOException {
        return start(bind, port, tls, maxBodyBytes, false);
    }

    /**
     * A plain HTTP server on {@code bind:port} whatever the address: for read-only pages with no
     * secret and no token, such as an agent's /metrics where the operator set AgentMetricsBind.
     */
    public static WebServer startPlain(String bind, int port, int maxBodyBytes) throws IOException {
        return start(bind, port, null, maxBodyBytes, true);
    }

    private static WebServer start(String bind, int port, SSLContext tls, int maxBodyBytes, boolean plainAnywhere)
            throws IOException {
        InetAddress address = InetAddress.getByName(bind);
        if (tls == null && !plainAnywhere && !address.isLoopbackAddress()) {
            log.warn("no certificate for HTTPS: serving plain HTTP on loopback only asked={}", bind);
            address = InetAddress.getLoopbackAddress();
        }
        InetSocketAddress at = new InetSocketAddress(address, port);
        HttpServer server;
        if (tls != null) {
            HttpsServer https = HttpsServer.create(at, 256);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(at, 256);
        }
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(workers);
        String host = address.isAnyLocalAddress() ? ownName() : literal(address);
        WebServer web = new WebServer(server, workers, maxBodyBytes, tls != null, host);
        server.createContext("/", web::exchange);
        server.start();
        return web;
    }

    /**
     * This host's name for the base URL of a server bound to every address; "localhost" where the
     * name does not resolve (a container without a network, a test-bed host): the server must start
     * all the same, and the URL is only what run/http.url tells local commands.
     */
    static String ownName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            log.warn(
                    "this host's name does not resolve; the HTTP base URL names localhost error=\"{}\"",
                    e.getMessage());
            return "localhost";
        }
    }

    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        return s.contains(":") ? "[" + s + "]" : s;
    }

    /**
     * Serves {@code route} for paths under {@code prefix}: the prefix itself, and below it ("/metrics"
     * takes "/metrics" and "/metrics/jobs"; "/slurm/" takes everything that starts with it; "/"
     * takes what no other route takes). A later mount at the same prefix replaces the earlier.
     */
    public WebServer mount(String prefix, HttpRoute route) {
        if (!prefix.startsWith("/")) throw new IllegalArgumentException("a route's prefix starts with /: " + prefix);
        routes.put(prefix, route);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public boolean secure() {
        return secure;
    }

    /** scheme://host:port, with no trailing slash; the host is the bound address, or this host's name when bound to all. */
    public URI baseUrl() {
        return URI.create((secure ? "https" : "http") + "://" + host + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    /** The route for {@code path}: the one at the longest prefix that matches it, or null. */
    HttpRoute routeFor(String path) {
        String best = null;
        for (String prefix : routes.keySet()) {
            boolean matches = path.equals(prefix)
                    || prefix.endsWith("/") && path.startsWith(prefix)
                    || path.startsWith(prefix + "/");
            if (matches && (best == null || prefix.length() > best.length())) best = prefix;
        }
        return best == null ? null : routes.get(best);
    }

    private void exchange(HttpExchange ex) throws IOException {
        boolean cut = false;
        try {
            HttpRoute.Response answer = answer(ex);
            send(ex, answer);
        } catch (StreamCut e) {
            cut = true;
            if (e.getCause() instanceof IOException)
                log.debug("http answer cut short remote={} error=\"{}\"", ex.getRemoteAddress(), e.getMessage());
            else
                log.error(
                        "http answer cut short remote={} path={}",
                        ex.getRemoteAddress(),
                        ex.getRequestURI().getPath(),
                        e);
            // thrown on, unclosed: the JDK's server then drops the connection, so the client sees the answer
            // fail rather than a short one that ends like a whole one
            throw new IOException("answer cut short", e);
        } catch (IOException e) {
            log.debug("http exchange failed remote={} error=\"{}\"", ex.getRemoteAddress(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("http exchange failed remote={}", ex.getRemoteAddress(), e);
        } finally {
            if (!cut) ex.close();
        }
    }

    /** A streamed body's writer failed after the status went out. */
    private static final class StreamCut extends RuntimeException {
        StreamCut(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private HttpRoute.Response answer(HttpExchange ex) throws IOException {
        URI uri = ex.getRequestURI();
        String path = uri.getPath();
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0)
            return HttpRoute.Response.text(400, "bad request path\n");
        HttpRoute route = routeFor(path);
        if (route == null) return HttpRoute.Response.text(404, "not found\n");
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                return HttpRoute.Response.text(400, "bad Content-Length\n");
            }
            if (declared > maxBody) return tooLarge();
        }
        byte[] body = readBounded(ex.getRequestBody(), maxBody);
        if (body == null) return tooLarge();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        HttpRoute.Request request = new HttpRoute.Request(
                ex.getRequestMethod(),
                path,
                uri.getRawQuery() == null ? "" : uri.getRawQuery(),
                headers,
                body,
                ex.getRemoteAddress(),
                secure);
        try {
            HttpRoute.Response r = route.handle(request);
            return r != null ? r : HttpRoute.Response.text(500, "internal error\n");
        } catch (Exception e) {
            log.error("http route failed method={} path={}", request.method(), path, e);
            return HttpRoute.Response.text(500, "internal error\n");
        }
    }

    private HttpRoute.Response tooLarge() {
        // the rest of the body is not read: the connection is closed after the answer
        return HttpRoute.Response.text(413, "request body larger than " + maxBody + " bytes\n")
                .withHeader("Connection", "close");
    }

    /** The whole stream, or null when it holds more than {@code max} bytes. */
    static byte[] readBounded(InputStream in, int max) throws IOException {
        byte[] all = in.readNBytes(max);
        if (all.length == max && in.read() >= 0) return null;
        return all;
    }

    /** Bodies shorter than this go out as they are: gzip would save little and cost a compressor. */
    static final int GZIP_MIN_BYTES = 1024;

    private static void send(HttpExchange ex, HttpRoute.Response r) throws IOException {
        var h = ex.getResponseHeaders();
        r.headers().forEach(h::set);
        if (r.contentType() != null) h.set("Content-Type", r.contentType());
        h.set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equalsIgnoreCase(ex.getRequestMethod());
        byte[] body = r.body() == null ? new byte[0] : r.body();
        boolean compressible = compressible(r.contentType()) && !r.headers().containsKey("Content-Encoding");
        if (compressible) h.set("Vary", "Accept-Encoding");
        boolean gzip = compressible
                && (r.stream() != null || body.length >= GZIP_MIN_BYTES)
                && acceptsGzip(ex.getRequestHeaders().get("Accept-Encoding"));
        if (gzip) h.set("Content-Encoding", "gzip");
        if (r.stream() != null) {
            if (head) {
                ex.sendResponseHeaders(r.status(), -1);
                return;
            }
            ex.sendResponseHeaders(r.status(), 0); // chunked
            OutputStream out = gzip ? new FastGzip(ex.getResponseBody()) : ex.getResponseBody();
            try {
                r.stream().writeTo(out);
            } catch (IOException | RuntimeException e) {
                throw new StreamCut(e);
            }
            out.close();
            return;
        }
        if (gzip) body = gzipped(body);
        if (head || body.length == 0) {
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        ex.sendResponseHeaders(r.status(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] gzipped(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream z = new FastGzip(out)) {
            z.write(body);
        }
        return out.toByteArray();
    }

    /**
     * gzip at deflate's fastest level: text as repetitive as JSON and metrics still shrinks tenfold
     * or more, for a fraction of the default level's CPU (a 46 MB job listing is compressed per
     * request, on the controller's cores).
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 8192);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /** Text worth compressing: pages, JSON, scripts, Prometheus's and OpenMetrics' text formats. */
    static boolean compressible(String contentType) {
        if (contentType == null) return false;
        String t = contentType.toLowerCase(Locale.ROOT);
        return t.startsWith("text/")
                || t.contains("json")
                || t.contains("javascript")
                || t.contains("xml")
                || t.startsWith("application/openmetrics-text");
    }

    /**
     * Whether the client's Accept-Encoding values take gzip: named (or x-gzip, or "*" where gzip
     * is not named) with a quality above zero, as RFC 9110 reads them.
     */
    static boolean acceptsGzip(List<String> acceptEncoding) {
        if (acceptEncoding == null) return false;
        Boolean named = null;
        boolean star = false;
        for (String header : acceptEncoding) {
            for (String item : header.split(",")) {
                String[] parts = item.split(";");
                String coding = parts[0].strip().toLowerCase(Locale.ROOT);
                boolean wanted = true;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].strip().toLowerCase(Locale.ROOT);
                    if (p.startsWith("q=")) {
                        try {
                            wanted = Double.parseDouble(p.substring(2).strip()) > 0;
                        } catch (NumberFormatException e) {
                            wanted = false;
                        }
                    }
                }
                if (coding.equals("gzip") || coding.equals("x-gzip")) named = named == null ? wanted : named || wanted;
                else if (coding.equals("*")) star = wanted;
            }
        }
        return named != null ? named : star;
    }

    /** A server-side TLS context that presents {@code key} with its certificate chain (leaf first). */
    public static SSLContext tlsContext(PrivateKey key, X509Certificate... chain) {
        try {
            char[] none = new char[0];
            KeyStore mine = KeyStore.getInstance("PKCS12");
            mine.load(null, null);
            mine.setKeyEntry("self", key, none, chain.clone());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(mine, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up HTTPS: " + e.getMessage(), e);
        }
    }
}
