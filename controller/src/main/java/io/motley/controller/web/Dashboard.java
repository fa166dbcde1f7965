package io.motley.controller.web;

import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.rest.Tokens;
import io.motley.core.accounts.AccountsDb.AdminLevel;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.Partition;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.priority.ShareTree;
import io.motley.core.step.Step;
import io.motley.pki.http.HttpRoute;
import io.motley.pki.http.WebServer;
import io.motley.protocol.dataparser.Json;
import io.motley.protocol.dataparser.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard at "/" of the controller's HTTP(S) port: its pages (plain HTML, CSS and
 * JavaScript from the controller's jar, nothing from elsewhere) and the few JSON answers the REST
 * API has no place for, under {@link #API}: node tiles, a job's output from an offset, its steps,
 * draining and resuming nodes, the history samples and fair share. Every answer under {@link #API}
 * needs a token, as the REST API does; the pages themselves need none (they ask for one).
 */
public final class Dashboard implements HttpRoute {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

    public static final String API = "/dashboard/v1/";

    /** The files served, by the name they have at "/" and in resources/dashboard/. */
    static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    /** Only this origin's files; no inline script or style; not framed. */
    static final String CSP = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Cluster cluster;
    private final Tokens tokens;
    private final History history;
    private final JobOutput output;
    private final PrometheusHistory prometheus;
    private final LongSupplier clockSeconds;
    private final Map<String, byte[]> assets = new HashMap<>();

    /** When Prometheus last failed to answer, so that an unreachable one is logged once a while, not per page. */
    private final AtomicLong prometheusWarned = new AtomicLong(Long.MIN_VALUE);

    public Dashboard(Cluster cluster, Tokens tokens, History history, JobOutput output) {
        this(cluster, tokens, history, output, null, () -> System.currentTimeMillis() / 1000);
    }

    /** With {@code prometheus} (null: none) as the history charts' source, the controller's ring its fallback. */
    public Dashboard(
            Cluster cluster,
            Tokens tokens,
            History history,
            JobOutput output,
            PrometheusHistory prometheus,
            LongSupplier clockSeconds) {
        this.cluster = cluster;
        this.tokens = tokens;
        this.history = history;
        this.output = output;
        this.prometheus = prometheus;
        this.clockSeconds = clockSeconds;
        for (String name : ASSETS.keySet()) {
            try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
                if (in == null)
                    throw new IllegalStateException("dashboard/" + name + " is missing from the controller's jar");
                assets.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("dashboard/" + name + " unreadable", e);
            }
        }
    }

    /**
     * Mounts the dashboard at "/" of {@code server} and starts sampling the cluster for its history
     * every {@link History#INTERVAL_SECONDS}; the returned timer is the caller's to stop.
     */
    public static ScheduledExecutorService mount(
            WebServer server, Cluster cluster, Tokens tokens, JobOutput.Logs logs, LongSupplier clockSeconds) {
        History history = new History(History.DAY);
        JobOutput output = new JobOutput(cluster::job, logs, JobOutput.asUser());
        String url = cluster.config().web().prometheusUrl();
        PrometheusHistory prometheus = url == null ? null : new PrometheusHistory(URI.create(url));
        server.mount("/", new Dashboard(cluster, tokens, history, output, prometheus, clockSeconds));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-history");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        history.add(History.sample(clockSeconds.getAsLong(), cluster.nodes(), cluster.jobs()));
                    } catch (RuntimeException e) {
                        log.error("dashboard history sample failed", e);
                    }
                },
                0,
                History.INTERVAL_SECONDS,
                TimeUnit.SECONDS);
        return timer;
    }

    /** The history the charts are drawn from (tests add samples to it). */
    History history() {
        return history;
    }

    @Override
    public Response handle(Request r) {
        String path = r.path();
        if (path.startsWith(API)) return api(r, path.substring(API.length()));
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (name.equals("favicon.ico")) name = "favicon.svg";
        String type = ASSETS.get(name);
        if (type == null) return Response.text(404, "not found\n");
        if (!r.method().equals("GET") && !r.method().equals("HEAD"))
            return Response.text(405, "only GET\n").withHeader("Allow", "GET, HEAD");
        return new Response(200, type, assets.get(name), Map.of())
                .withHeader("Content-Security-Policy", CSP)
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Referrer-Policy", "no-referrer")
                .withHeader("Cache-Control", "no-cache");
    }

    // ---- the JSON answers -----------------------------------------------------------------------

    /** A refusal with its HTTP status and message, answered as {"error": message}. */
    static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Response api(Request r, String rest) {
        try {
            Caller caller = authenticate(r);
            String[] parts = rest.split("/", -1);
            String method = r.method();
            Object answer = switch (parts.length) {
                case 1 ->
                    switch (parts[0]) {
                        case "me" -> get(method, () -> me(caller, cluster.adminLevel(caller)));
                        case "nodes" -> get(method, this::nodes);
                        case "history" -> get(method, this::historyDoc);
                        case "shares" -> get(method, this::shares);
                        default -> throw new Failure(404, "no such page: " + parts[0]);
                    };
                case 2 ->
                    switch (parts[0]) {
                        case "node" -> {
                            if (!method.equals("POST")) throw new Failure(405, "only POST");
                            yield updateNode(parts[1], r.bodyText(), caller);
                        }
                        default -> throw new Failure(404, "no such page");
                    };
                case 3 -> {
                    if (!parts[0].equals("job")) throw new Failure(404, "no such page");
                    long id = jobId(parts[1]);
                    yield switch (parts[2]) {
                        case "output" -> get(method, () -> output(id, query(r.query()), caller));
                        case "steps" -> get(method, () -> steps(id));
                        case "files" -> get(method, () -> files(id));
                        default -> throw new Failure(404, "no such page");
                    };
                }
                default -> throw new Failure(404, "no such page");
            };
            return Response.json(200, Json.write(answer)).withHeader("Cache-Control", "no-store");
        } catch (Failure f) {
            Response e = Response.json(f.status, Json.write(Map.of("error", f.getMessage())));
            return f.status == 401 ? e.withHeader("WWW-Authenticate", "Bearer") : e;
        }
    }

    private interface Answer {
        Object get();
    }

    private static Object get(String method, Answer a) {
        if (!method.equals("GET") && !method.equals("HEAD")) throw new Failure(405, "only GET");
        return a.get();
    }

    /** The caller a token names: X-SLURM-USER-TOKEN or Authorization: Bearer, as the REST API takes it. */
    private Caller authenticate(Request r) {
        String token = r.header("X-SLURM-USER-TOKEN").orElse(null);
        if (token == null) {
            String auth = r.header("Authorization").orElse("");
            if (auth.regionMatches(true, 0, "Bearer ", 0, 7))
                token = auth.substring(7).trim();
        }
        if (token == null || token.isEmpty()) throw new Failure(401, "no token: log in with one from scontrol token");
        try {
            return tokens.verify(token);
        } catch (Tokens.Refused e) {
            throw new Failure(401, e.getMessage());
        }
    }

    /**
     * Who the token names; {@code admin} when they may drain and resume nodes (root and
     * AdminLevel=Administrator, as for scontrol update), and their AdminLevel as sacctmgr shows it.
     */
    static Map<String, Object> me(Caller c, AdminLevel level) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", c.user());
        m.put("uid", c.uid());
        m.put("admin", level == AdminLevel.Administrator);
        m.put("admin_level", level.name());
        return m;
    }

    /** The cluster page's tiles: what REST's nodes have, with containment and GPUs in use. */
    private Map<String, Object> nodes() {
        List<Node> nodes = cluster.nodes();
        List<Partition> parts = cluster.partitions();
        Map<String, Integer> gpusInUse = new HashMap<>();
        for (Job j : cluster.jobs()) {
            if (!j.state().holdsAllocation()) continue;
            for (Job.Allocation.Part p : j.allocation().parts())
                gpusInUse.merge(p.node(), p.gpuIds() == null ? 0 : p.gpuIds().size(), Integer::sum);
        }
        List<Object> out = new ArrayList<>();
        for (Node n : nodes) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", n.name());
            o.put("state", NodeState.display(n.state(), n.allocCpus(), n.cpus()));
            o.put("not_responding", n.notResponding());
            o.put("reason", n.reason() == null ? "" : n.reason());
            o.put("reason_time", n.reasonTime());
            o.put("os", n.os() == null ? "" : n.os());
            o.put("arch", n.arch() == null ? "" : n.arch());
            o.put("cpus", n.cpus());
            o.put("cpus_allocated", n.allocCpus());
            o.put("cpu_load", Math.round(n.cpuLoad() * 100) / 100.0);
            o.put("memory_mib", n.memMiB());
            o.put("memory_allocated_mib", n.allocMemMiB());
            o.put("memory_free_mib", n.freeMemMiB());
            o.put("gpus", n.gpus().size());
            o.put("gpus_allocated", Math.min(n.gpus().size(), gpusInUse.getOrDefault(n.name(), 0)));
            o.put("gpu_models", n.gpus().stream().map(g -> g.model()).distinct().toList());
            o.put("containment", n.containment() == null ? "" : n.containment());
            o.put("version", n.version() == null ? "" : n.version());
            List<String> in = new ArrayList<>();
            for (Partition p : parts) if (p.nodes() == null || p.nodes().contains(n.name())) in.add(p.name());
            o.put("partitions", in);
            out.add(o);
        }
        return Map.of("nodes", out);
    }

    /**
     * Drains, downs or resumes a node, as scontrol update NodeName=... State=... Reason=... (root and
     * administrators: {@link Cluster#updateNode} decides).
     */
    private Map<String, Object> updateNode(String name, String body, Caller caller) {
        Object doc;
        try {
            doc = JsonReader.read(body.isBlank() ? "{}" : body);
        } catch (JsonReader.JsonException e) {
            throw new Failure(400, "malformed JSON: " + e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> m) || !(m.get("state") instanceof String state))
            throw new Failure(400, "expected {\"state\": \"DRAIN\"|\"RESUME\"|\"DOWN\", \"reason\": \"...\"}");
        for (Object k : m.keySet())
            if (!k.equals("state") && !k.equals("reason")) throw new Failure(400, "unknown field \"" + k + "\"");
        Object reason = m.get("reason");
        if (reason != null && !(reason instanceof String)) throw new Failure(400, "reason: expected a string");
        Optional<String> error = cluster.updateNode(name, state, (String) reason, caller);
        if (error.isPresent()) {
            String e = error.get();
            int status = e.startsWith("Access/permission denied") ? 403 : e.startsWith("Invalid node name") ? 404 : 400;
            throw new Failure(status, e);
        }
        log.info("node updated from the dashboard node={} state={} by={}", name, state, caller.user());
        return Map.of("node", name, "state", state.toUpperCase(Locale.ROOT));
    }

    private Map<String, Object> output(long id, Map<String, String> q, Caller caller) {
        long offset;
        int max;
        try {
            offset = Long.parseLong(q.getOrDefault("offset", "0"));
            max = Integer.parseInt(q.getOrDefault("max", Integer.toString(JobOutput.MAX_CHUNK)));
        } catch (NumberFormatException e) {
            throw new Failure(400, "offset and max are numbers");
        }
        JobOutput.Chunk c;
        try {
            c = output.read(id, q.getOrDefault("stream", "out"), offset, max, caller);
        } catch (JobOutput.Refused e) {
            throw new Failure(e.status, e.getMessage());
        } catch (IOException e) {
            log.warn("job output unreadable job={} error=\"{}\"", id, e.getMessage());
            c = new JobOutput.Chunk(offset, new byte[0], false, JobState.PENDING, "none", e.getMessage());
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("offset", c.offset());
        o.put("next", c.offset() + c.data().length);
        o.put("data_base64", Base64.getEncoder().encodeToString(c.data()));
        o.put("complete", c.complete());
        o.put("state", c.state().name());
        o.put("source", c.source());
        o.put("note", c.note() == null ? "" : c.note());
        return o;
    }

    /** The job's stdout and stderr files, Slurm's patterns expanded (REST's standard_output is the pattern as given). */
    private Map<String, Object> files(long id) {
        Job job = cluster.job(id).orElseThrow(() -> new Failure(404, "Invalid job id specified"));
        JobOutput.Paths p = JobOutput.Paths.of(job);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("standard_output", p.stdout());
        o.put("standard_error", p.stderr());
        o.put("stderr_with_stdout", p.stderrWithStdout());
        return o;
    }

    private Map<String, Object> steps(long id) {
        if (cluster.job(id).isEmpty()) throw new Failure(404, "Invalid job id specified");
        List<Object> out = new ArrayList<>();
        for (Step s : cluster.steps().list(List.of(id))) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", s.id());
            o.put("name", s.name());
            o.put("state", s.state().name());
            o.put("nodes", s.nodes());
            o.put("tasks", s.tasks());
            o.put("cpus", s.cpus());
            o.put("start", s.start());
            o.put("end", s.end());
            o.put("exit_code", s.exitCode());
            o.put("signal", s.signal());
            out.add(o);
        }
        return Map.of("steps", out);
    }

    /**
     * The charts' samples: a day of them from Prometheus when one is configured, at the ring's
     * step; the controller's ring when none is, or when it does not answer (the page says so).
     */
    private Map<String, Object> historyDoc() {
        List<History.Sample> samples = null;
        String source = "controller";
        String note = "";
        if (prometheus != null) {
            long end = clockSeconds.getAsLong() / History.INTERVAL_SECONDS * History.INTERVAL_SECONDS;
            long span = (History.DAY - 1) * History.INTERVAL_SECONDS;
            try {
                samples = prometheus.samples(end - span, end, History.INTERVAL_SECONDS);
                source = "prometheus";
            } catch (IOException e) {
                note = "No history from Prometheus at " + prometheus.base() + ": " + e.getMessage()
                        + ". These are the controller's own samples.";
                long now = System.nanoTime();
                long last = prometheusWarned.get();
                if (now - last > TimeUnit.MINUTES.toNanos(10) && prometheusWarned.compareAndSet(last, now))
                    log.warn(
                            "dashboard history falls back to the controller's samples prometheus={} error=\"{}\"",
                            prometheus.base(),
                            e.getMessage());
            }
        }
        if (samples == null) samples = history.samples();
        List<Object> out = new ArrayList<>();
        for (History.Sample s : samples) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("time", s.time());
            o.put("cpus", s.cpus());
            o.put("cpus_allocated", s.cpusAllocated());
            o.put("memory_mib", s.memMiB());
            o.put("memory_allocated_mib", s.memAllocatedMiB());
            o.put("gpus", s.gpus());
            o.put("gpus_allocated", s.gpusAllocated());
            o.put("running", s.running());
            o.put("pending", s.pending());
            o.put("jobs_by_user", s.jobsByUser());
            out.add(o);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("interval", History.INTERVAL_SECONDS);
        doc.put("source", source);
        doc.put("note", note);
        doc.put("samples", out);
        return doc;
    }

    private Map<String, Object> shares() {
        ShareTree tree = cluster.shares();
        List<Object> out = new ArrayList<>();
        for (ShareTree.Row row : tree.rows()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("account", row.account());
            o.put("user", row.user() == null ? "" : row.user());
            o.put("depth", row.depth());
            o.put("raw_shares", row.rawShares());
            o.put("norm_shares", finite(row.normShares()));
            o.put("raw_usage", finite(row.rawUsage()));
            o.put("effective_usage", finite(row.effectiveUsage()));
            o.put("fair_share", finite(row.fairShare()));
            out.add(o);
        }
        return Map.of("priority_type", cluster.config().priority().typeName(), "rows", out);
    }

    /** JSON has no NaN or infinity: such a figure is 0. */
    private static double finite(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : 0;
    }

    private static long jobId(String text) {
        if (!text.matches("\\d{1,18}") || Long.parseLong(text) == 0) throw new Failure(400, "not a job id: " + text);
        return Long.parseLong(text);
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        if (q == null || q.isEmpty()) return out;
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            try {
                out.put(
                        URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new Failure(400, "query is not URL-encoded");
            }
        }
        return out;
    }
}
