package io.motley.controller.rest;

import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Outcome;
import io.motley.controller.cluster.Submission;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.Partition;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.scheduler.Plan;
import io.motley.protocol.Message;
import io.motley.protocol.dataparser.Json;
import io.motley.protocol.dataparser.JsonReader;
import io.motley.protocol.dataparser.SacctJson;
import io.motley.protocol.dataparser.SlurmctldJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: a subset of slurmrestd's at data_parser v0.0.40 (Slurm 23.11), its paths, JSON
 * field names and envelope ({@code meta}, {@code errors}, {@code warnings}), over the controller's
 * own {@link Cluster}, acting as the user a JWT ({@link Tokens}) names. Transport-independent:
 * {@link #handle} takes a {@link RestRequest} and gives a {@link RestResponse}, so any HTTP server
 * can carry it ({@link RestHttpHandler} is the adapter for the JDK's). Every mistake of the client
 * (bad JSON, an unknown field, a wrong type, an oversized body, an unknown job, another user's job,
 * a missing or expired token) is a 4xx in slurmrestd's error layout with a message; nothing it
 * sends makes a 500 or a stack trace.
 */
public final class RestApi {
    private static final Logger log = LoggerFactory.getLogger(RestApi.class);

    public static final String SLURM = "/slurm/v0.0.40/";
    public static final String SLURMDB = "/slurmdb/v0.0.40/";
    public static final String OPENAPI = "/openapi/v3";

    /** Every route served, as the OpenAPI document lists it: path template to its methods. */
    public static final Map<String, List<String>> ROUTES = routes();

    private static Map<String, List<String>> routes() {
        Map<String, List<String>> r = new LinkedHashMap<>();
        r.put(SLURM + "ping", List.of("get"));
        r.put(SLURM + "diag", List.of("get"));
        r.put(SLURM + "jobs", List.of("get"));
        r.put(SLURM + "job/submit", List.of("post"));
        r.put(SLURM + "job/{job_id}", List.of("get", "post", "delete"));
        r.put(SLURM + "nodes", List.of("get"));
        r.put(SLURM + "node/{node_name}", List.of("get", "post"));
        r.put(SLURM + "partitions", List.of("get"));
        r.put(SLURM + "partition/{partition_name}", List.of("get"));
        r.put(SLURMDB + "jobs", List.of("get"));
        r.put(OPENAPI, List.of("get"));
        return java.util.Collections.unmodifiableMap(r);
    }

    /** slurm_errno.h's numbers for the errors the API answers with. */
    static final int SLURM_ERROR = -1;

    static final int ESLURM_INVALID_PARTITION_NAME = 2000;
    static final int ESLURM_ACCESS_DENIED = 2002;
    static final int ESLURM_JOB_SCRIPT_MISSING = 2009;
    static final int ESLURM_INVALID_JOB_ID = 2017;
    static final int ESLURM_INVALID_NODE_NAME = 2018;
    static final int ESLURM_ALREADY_DONE = 2021;
    static final int ESLURM_AUTH_CRED_INVALID = 6000;
    static final int ESLURM_REST_INVALID_QUERY = 9000;
    static final int ESLURM_REST_FAIL_PARSING = 9001;
    static final int ESLURM_REST_INVALID_JOBS_DESC = 9002;
    static final int ESLURM_DATA_PATH_NOT_FOUND = 9200;
    static final int ESLURM_DATA_TOO_LARGE = 9205;

    private static final Map<String, Integer> ERRNO = Map.of(
            "Invalid job id specified", ESLURM_INVALID_JOB_ID,
            "Access/permission denied", ESLURM_ACCESS_DENIED,
            "Invalid partition name specified", ESLURM_INVALID_PARTITION_NAME,
            "Invalid node name specified", ESLURM_INVALID_NODE_NAME,
            "Job/step already completing or completed", ESLURM_ALREADY_DONE);

    private final Cluster cluster;
    private final Tokens tokens;
    private final Users users;
    private final String host;
    private final LongSupplier clock;
    private final int maxBodyBytes;
    private final byte[] openapi;

    public RestApi(Cluster cluster, Tokens tokens, Users users, String host, LongSupplier clockSeconds) {
        this.cluster = cluster;
        this.tokens = tokens;
        this.users = users;
        this.host = host;
        this.clock = clockSeconds;
        // a script at its limit, escaped in JSON (up to 6 bytes a byte in the worst case), and the description around
        // it
        long script = cluster.config().limits().maxScriptBytes();
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 16, script * 2 + 64 * 1024);
        this.openapi = openapiDocument();
    }

    /** The largest body the API reads; a transport reads at most one byte more. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** A client's mistake or a refusal: the HTTP status and slurmrestd's error entry. */
    static final class Failure extends RuntimeException {
        final int status;
        final int errno;
        final String error;
        final String source;

        Failure(int status, int errno, String error, String description, String source) {
            super(description);
            this.status = status;
            this.errno = errno;
            this.error = error;
            this.source = source;
        }
    }

    private static Failure badRequest(int errno, String error, String description) {
        return new Failure(400, errno, error, description, "rest");
    }

    /** Answers one request; never throws. */
    public RestResponse handle(RestRequest req) {
        String user = null;
        boolean db = req.path().startsWith(SLURMDB);
        try {
            String method = req.method().toUpperCase(java.util.Locale.ROOT);
            String path = req.path();
            if (path.equals(OPENAPI) || path.equals(OPENAPI + "/")) {
                if (!method.equals("GET") && !method.equals("HEAD"))
                    throw new Failure(
                            405, ESLURM_REST_INVALID_QUERY, "Method not allowed", method + " " + path, "rest");
                return new RestResponse(200, "application/json", openapi);
            }
            if (!path.startsWith(SLURM) && !db) throw notFound(path);
            if (req.body().length > maxBodyBytes)
                throw new Failure(
                        413,
                        ESLURM_DATA_TOO_LARGE,
                        "Data too large to handle",
                        "request body over " + maxBodyBytes + " bytes",
                        "rest");
            Caller caller = authenticate(req);
            user = caller.user();
            Map<String, Object> payload = route(method, path, query(req.query()), req.body(), caller);
            return answer(200, payload, List.of(), user, db);
        } catch (Failure f) {
            if (f.status >= 500)
                log.warn("rest request failed path={} problem=\"{}\"", quote(req.path()), f.getMessage());
            Map<String, Object> e = SlurmctldJson.error(f.getMessage(), f.errno, f.error, f.source);
            return answer(f.status, Map.of(), List.of(e), user, db);
        } catch (RuntimeException e) {
            // a fault of ours, not the client's: logged whole, answered without its trace
            log.error("rest request failed path={}", quote(req.path()), e);
            Map<String, Object> err = SlurmctldJson.error(
                    "internal error; the controller's log has the details", SLURM_ERROR, "Unspecified error", "rest");
            return answer(500, Map.of(), List.of(err), user, db);
        }
    }

    private RestResponse answer(int status, Map<String, Object> payload, List<Object> errors, String user, boolean db) {
        Map<String, Object> meta = db
                ? SlurmctldJson.meta(
                        "openapi/slurmdbd",
                        "Slurm OpenAPI slurmdbd",
                        user,
                        List.of(),
                        cluster.config().clusterName())
                : SlurmctldJson.meta(
                        "openapi/slurmctld",
                        "Slurm OpenAPI slurmctld",
                        user,
                        List.of(),
                        cluster.config().clusterName());
        Map<String, Object> doc = SlurmctldJson.document(payload, meta, errors, List.of());
        for (Object v : payload.values())
            if (v instanceof Listing<?>)
                // a listing of thousands of jobs runs to megabytes: written as it is made, never held whole
                return new RestResponse(status, "application/json", null, out -> Json.write(out, doc));
        return RestResponse.json(status, Json.write(doc));
    }

    /**
     * A listing's entries, each laid out when the writer reaches it and dropped once written: the
     * records are held (the cluster's own, or the store's answer), their JSON trees never all at once.
     */
    private static final class Listing<T> extends AbstractList<Object> {
        private final List<T> items;
        private final Function<T, Object> layout;

        Listing(List<T> items, Function<T, Object> layout) {
            this.items = items;
            this.layout = layout;
        }

        @Override
        public Object get(int i) {
            return layout.apply(items.get(i));
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    private static Failure notFound(String path) {
        return new Failure(
                404, ESLURM_DATA_PATH_NOT_FOUND, "Unable to resolve path", "no such path: " + quote(path), "rest");
    }

    // ---- authentication -------------------------------------------------------------------------

    /**
     * The caller a request's token names: {@code X-SLURM-USER-TOKEN} or {@code Authorization:
     * Bearer}. With {@code X-SLURM-USER-NAME}, as slurmrestd takes it, the name must be the token's
     * user, unless the token is root's: root acts as any user the host knows.
     */
    private Caller authenticate(RestRequest req) {
        String token = req.header("X-SLURM-USER-TOKEN");
        if (token == null) {
            String auth = req.header("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7))
                token = auth.substring(7).trim();
        }
        if (token == null || token.isEmpty())
            throw new Failure(
                    401,
                    ESLURM_AUTH_CRED_INVALID,
                    "Invalid authentication credential",
                    "no token: send X-SLURM-USER-TOKEN (from scontrol token) or Authorization: Bearer",
                    "authentication");
        Caller caller;
        try {
            caller = tokens.verify(token);
        } catch (Tokens.Refused e) {
            throw new Failure(
                    401,
                    ESLURM_AUTH_CRED_INVALID,
                    "Invalid authentication credential",
                    e.getMessage(),
                    "authentication");
        }
        String asUser = req.header("X-SLURM-USER-NAME");
        if (asUser == null || asUser.equals(caller.user())) return caller;
        if (!caller.isRoot())
            throw new Failure(
                    403,
                    ESLURM_ACCESS_DENIED,
                    "Access/permission denied",
                    "the token is " + quote(caller.user()) + "'s, not " + quote(asUser) + "'s",
                    "authentication");
        return users.byName(asUser)
                .orElseThrow(() -> new Failure(
                        401,
                        ESLURM_AUTH_CRED_INVALID,
                        "Invalid authentication credential",
                        "unknown user " + quote(asUser),
                        "authentication"));
    }

    // ---- routes ---------------------------------------------------------------------------------

    private Map<String, Object> route(
            String method, String path, Map<String, String> query, byte[] body, Caller caller) {
        boolean db = path.startsWith(SLURMDB);
        String rest = path.substring(db ? SLURMDB.length() : SLURM.length());
        if (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
        String[] parts = rest.split("/", -1);
        if (db) {
            if (rest.equals("jobs")) {
                allow(method, path, "GET");
                return accountingJobs(query);
            }
            throw notFound(path);
        }
        if (parts.length == 1) {
            switch (parts[0]) {
                case "ping" -> {
                    allow(method, path, "GET");
                    params(query);
                    return ping();
                }
                case "diag" -> {
                    allow(method, path, "GET");
                    params(query);
                    return Map.of("statistics", SlurmctldJson.statistics(diagnostics()));
                }
                case "jobs" -> {
                    allow(method, path, "GET");
                    params(query, "update_time", "flags");
                    return jobs(null);
                }
                case "nodes" -> {
                    allow(method, path, "GET");
                    params(query, "update_time", "flags");
                    return nodes(null);
                }
                case "partitions" -> {
                    allow(method, path, "GET");
                    params(query, "update_time", "flags");
                    return partitions(null);
                }
                default -> throw notFound(path);
            }
        }
        if (parts.length == 2 && !parts[1].isEmpty()) {
            switch (parts[0]) {
                case "job" -> {
                    if (parts[1].equals("submit")) {
                        allow(method, path, "POST");
                        params(query);
                        return submit(body, caller);
                    }
                    long id = jobId(parts[1]);
                    switch (method) {
                        case "GET" -> {
                            params(query, "update_time", "flags");
                            return jobs(id);
                        }
                        case "POST" -> {
                            params(query);
                            return update(id, body, caller);
                        }
                        case "DELETE" -> {
                            params(query, "signal", "flags");
                            return cancel(id, query.get("signal"), caller);
                        }
                        default -> throw notAllowed(method, path);
                    }
                }
                case "node" -> {
                    switch (method) {
                        case "GET" -> {
                            params(query, "update_time", "flags");
                            return nodes(parts[1]);
                        }
                        case "POST" -> {
                            params(query);
                            return updateNode(parts[1], body, caller);
                        }
                        default -> throw notAllowed(method, path);
                    }
                }
                case "partition" -> {
                    allow(method, path, "GET");
                    params(query, "update_time", "flags");
                    return partitions(parts[1]);
                }
                default -> throw notFound(path);
            }
        }
        throw notFound(path);
    }

    private static void allow(String method, String path, String allowed) {
        if (!method.equals(allowed)) throw notAllowed(method, path);
    }

    private static Failure notAllowed(String method, String path) {
        return new Failure(
                405,
                ESLURM_REST_INVALID_QUERY,
                "Method not allowed",
                quote(method) + " is not served on " + quote(path),
                "rest");
    }

    /** Refuses query parameters the endpoint does not take. */
    private static void params(Map<String, String> query, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String k : query.keySet())
            if (!ok.contains(k))
                throw badRequest(
                        ESLURM_REST_INVALID_QUERY,
                        "Query empty or not RFC7320 compliant",
                        "unknown query parameter " + quote(k));
    }

    private static long jobId(String text) {
        if (!text.matches("\\d{1,18}") || Long.parseLong(text) == 0)
            throw badRequest(ESLURM_INVALID_JOB_ID, "Invalid job id specified", "not a job id: " + quote(text));
        return Long.parseLong(text);
    }

    private Map<String, Object> ping() {
        long t0 = System.nanoTime();
        boolean up = cluster.storeProblem().isEmpty();
        long micros = (System.nanoTime() - t0) / 1000;
        return Map.of("pings", SlurmctldJson.pings(host, up, micros));
    }

    private Message.Diagnostics diagnostics() {
        return cluster.diagnostics().message(clock.getAsLong());
    }

    private Map<String, Object> jobs(Long id) {
        List<Job> listed;
        if (id == null) listed = cluster.jobs();
        else {
            Optional<Job> one = cluster.job(id);
            if (one.isEmpty()) throw unknownJob(id);
            listed = List.of(one.get());
        }
        Map<Long, Plan.Reservation> expected = cluster.expectedStarts();
        String name = cluster.config().clusterName();
        Function<Job, Object> layout = j -> {
            Plan.Reservation r = expected.isEmpty() ? null : expected.get(j.id());
            Message.ExpectedStart e =
                    r != null && j.state() == JobState.PENDING ? new Message.ExpectedStart(r.start(), r.node()) : null;
            return SlurmctldJson.job(j, e, name);
        };
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("jobs", id == null ? new Listing<>(listed, layout) : List.of(layout.apply(listed.get(0))));
        payload.put(
                "last_backfill",
                SlurmctldJson.number(cluster.diagnostics().figures().backfill().lastWhen()));
        payload.put("last_update", SlurmctldJson.number(clock.getAsLong()));
        return payload;
    }

    private static Failure unknownJob(long id) {
        return new Failure(
                404, ESLURM_INVALID_JOB_ID, "Invalid job id specified", "Unable to find JobId=" + id, "slurm_load_job");
    }

    private Map<String, Object> nodes(String name) {
        List<Node> all = cluster.nodes();
        List<Partition> parts = cluster.partitions();
        List<Object> out = new ArrayList<>();
        for (Node n : all) {
            if (name != null && !n.name().equals(name)) continue;
            List<String> in = new ArrayList<>();
            for (Partition p : parts) if (p.nodes() == null || p.nodes().contains(n.name())) in.add(p.name());
            out.add(SlurmctldJson.node(n, in, cluster.config().clusterName()));
        }
        if (name != null && out.isEmpty())
            throw new Failure(
                    404,
                    ESLURM_INVALID_NODE_NAME,
                    "Invalid node name specified",
                    "Unable to find node " + quote(name),
                    "slurm_load_node");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("nodes", out);
        payload.put("last_update", SlurmctldJson.number(clock.getAsLong()));
        return payload;
    }

    private Map<String, Object> partitions(String name) {
        List<Node> all = cluster.nodes();
        List<Object> out = new ArrayList<>();
        for (Partition p : cluster.partitions()) {
            if (name != null && !p.name().equals(name)) continue;
            List<Node> members = all.stream()
                    .filter(n -> p.nodes() == null || p.nodes().contains(n.name()))
                    .toList();
            out.add(SlurmctldJson.partition(p, members, cluster.config().clusterName()));
        }
        if (name != null && out.isEmpty())
            throw new Failure(
                    404,
                    ESLURM_INVALID_PARTITION_NAME,
                    "Invalid partition name specified",
                    "Unable to find partition " + quote(name),
                    "slurm_load_partitions");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("partitions", out);
        payload.put("last_update", SlurmctldJson.number(clock.getAsLong()));
        return payload;
    }

    // ---- jobs: submit, update, cancel -----------------------------------------------------------

    private Map<String, Object> submit(byte[] body, Caller caller) {
        Map<?, ?> doc = object(body);
        for (Object k : doc.keySet())
            if (!Set.of("script", "job", "jobs").contains(k))
                throw invalid(quote(String.valueOf(k)) + ": field not known to this API");
        if (doc.containsKey("jobs"))
            throw badRequest(
                    ESLURM_REST_INVALID_JOBS_DESC,
                    "Jobs description entry not found, empty or not dictionary or list",
                    "heterogeneous jobs (\"jobs\") are not supported; send one \"job\"");
        if (!(doc.get("job") instanceof Map<?, ?> job))
            throw badRequest(
                    ESLURM_REST_INVALID_JOBS_DESC,
                    "Jobs description entry not found, empty or not dictionary or list",
                    "\"job\" must be an object");
        Object script = doc.get("script");
        if (script != null && !(script instanceof String)) throw invalid("script: expected a string");
        JobRequest request;
        try {
            request = JobDescription.submission(
                    job,
                    (String) script,
                    caller.uid(),
                    caller.gid(),
                    users.home(caller.user()).orElse(null));
        } catch (JobDescription.Invalid e) {
            if (e.getMessage().startsWith("script:"))
                throw badRequest(ESLURM_JOB_SCRIPT_MISSING, "Job script not specified", e.getMessage());
            throw invalid(e.getMessage());
        }
        request = request.toBuilder().submitHost(host).build();
        return switch (cluster.submit(request, caller)) {
            case Submission.Accepted a -> {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("job_id", a.id());
                result.put("step_id", "batch");
                result.put("error_code", 0);
                result.put("error", "");
                result.put("job_submit_user_msg", "");
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("result", result);
                payload.put("job_id", a.id());
                payload.put("step_id", "batch");
                payload.put("job_submit_user_msg", "");
                yield payload;
            }
            case Submission.Refused r -> {
                String detail = r.detail() == null ? r.failure() : r.failure() + ": " + r.detail();
                boolean store = cluster.storeProblem().isPresent();
                yield throwing(new Failure(
                        store ? 503 : 400, errno(r.failure()), r.failure(), detail, "slurm_submit_batch_job"));
            }
        };
    }

    private static <T> T throwing(Failure f) {
        throw f;
    }

    private Map<String, Object> update(long id, byte[] body, Caller caller) {
        Map<?, ?> job = object(body);
        Map<Object, Object> rest = new LinkedHashMap<>(job);
        Object hold = rest.remove("hold");
        if (hold != null && !(hold instanceof Boolean)) throw invalid("job/hold: expected true or false");
        if (cluster.job(id).isEmpty()) throw unknownJob(id);
        Map<String, String> pairs;
        try {
            pairs = rest.isEmpty() && hold != null ? Map.of() : JobDescription.update(rest);
        } catch (JobDescription.Invalid e) {
            throw invalid(e.getMessage());
        }
        Optional<String> error = pairs.isEmpty() ? Optional.empty() : cluster.updateJob(id, pairs, caller);
        if (error.isEmpty() && hold != null) {
            List<Outcome> o = cluster.hold(List.of(id), caller, (Boolean) hold);
            error = o.isEmpty()
                    ? Optional.empty()
                    : Optional.ofNullable(o.get(0).error());
        }
        if (error.isPresent()) throw refusal(id, error.get(), "slurm_update_job");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("job_id", id);
        result.put("step_id", "");
        result.put("error", "");
        result.put("error_code", 0);
        result.put("why", "");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("results", List.of(result));
        payload.put("job_id", Long.toString(id));
        payload.put("step_id", "");
        payload.put("job_submit_user_msg", "");
        return payload;
    }

    /** DELETE: cancels the job; Motley sends no other signal than scancel's default (docs/rest.md). */
    private Map<String, Object> cancel(long id, String signal, Caller caller) {
        if (signal != null) {
            String s = signal.toUpperCase(java.util.Locale.ROOT);
            if (!Set.of("SIGKILL", "KILL", "9").contains(s))
                throw badRequest(
                        SLURM_ERROR,
                        "Invalid signal",
                        "signal " + quote(signal)
                                + " is not supported: Motley cancels jobs (SIGKILL) only, as scancel without -s");
        }
        if (cluster.job(id).isEmpty()) throw unknownJob(id);
        List<Outcome> out = cluster.cancel(List.of(id), Map.of(), caller);
        for (Outcome o : out) if (o.error() != null) throw refusal(id, o.error(), "slurm_kill_job");
        return Map.of();
    }

    /** Fields of slurmrestd's update_node_msg (v0.0.40) that Motley does not change; refused by name. */
    private static final Set<String> NODE_FIELDS_NOT_SUPPORTED = Set.of(
            "comment",
            "cpu_bind",
            "extra",
            "features",
            "features_act",
            "gres",
            "address",
            "hostname",
            "reason_uid",
            "resume_after",
            "weight");

    /**
     * POST node/{name}: slurmrestd's update node, its body v0.0.40's update_node_msg: {@code state}
     * (a list of node state flags, or one as a string; one of DRAIN, DOWN, RESUME, UNDRAIN, IDLE)
     * and {@code reason}. The rule and the words are scontrol update node's: root and
     * AdminLevel=Administrator only, a reason to drain or down. {@code name} is ignored, as in
     * slurmrestd: the path names the node.
     */
    private Map<String, Object> updateNode(String name, byte[] body, Caller caller) {
        Map<?, ?> msg = object(body);
        String state = null;
        String reason = null;
        for (Map.Entry<?, ?> e : msg.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            switch (key) {
                case "state" -> state = nodeState(v);
                case "reason" -> {
                    if (!(v instanceof String text)) throw invalid("reason: expected a string");
                    reason = text;
                }
                case "name" -> {}
                default -> {
                    if (NODE_FIELDS_NOT_SUPPORTED.contains(key))
                        throw invalid(key + ": not supported (Motley updates a node's state and reason)");
                    throw invalid("unknown field " + quote(key));
                }
            }
        }
        if (state == null) throw invalid("state: required (DRAIN, DOWN or RESUME)");
        Optional<String> error = cluster.updateNode(name, state, reason, caller);
        if (error.isPresent()) {
            String e = error.get();
            int errno = errno(e);
            int status = switch (errno) {
                case ESLURM_ACCESS_DENIED -> 403;
                case ESLURM_INVALID_NODE_NAME -> 404;
                default -> 400;
            };
            throw new Failure(status, errno, e, e + " (node " + quote(name) + ")", "slurm_update_node");
        }
        log.info("node updated through REST node={} state={} by={}", quote(name), state, caller.user());
        return Map.of();
    }

    /** update_node_msg's state: ["DRAIN"] as slurmrestd writes flags, or "DRAIN"; exactly one. */
    private static String nodeState(Object v) {
        List<?> flags = v instanceof List<?> l ? l : v instanceof String text ? List.of(text) : null;
        if (flags == null || flags.size() != 1 || !(flags.get(0) instanceof String word) || word.isBlank())
            throw invalid("state: expected one of DRAIN, DOWN, RESUME, UNDRAIN or IDLE, as [\"DRAIN\"] or \"DRAIN\"");
        return word;
    }

    private static Failure refusal(long id, String error, String source) {
        int errno = errno(error);
        int status = switch (errno) {
            case ESLURM_ACCESS_DENIED -> 403;
            case ESLURM_INVALID_JOB_ID -> 404;
            case ESLURM_ALREADY_DONE -> 409;
            default -> 400;
        };
        return new Failure(status, errno, error, error + " for job " + id, source);
    }

    private static int errno(String error) {
        return ERRNO.getOrDefault(error, SLURM_ERROR);
    }

    // ---- accounting -----------------------------------------------------------------------------

    /** GET /slurmdb/v0.0.40/jobs: slurmdbd's job query, with the parameters Motley's store answers. */
    private Map<String, Object> accountingJobs(Map<String, String> query) {
        params(
                query,
                "users",
                "account",
                "partition",
                "state",
                "start_time",
                "end_time",
                "job_name",
                "node",
                "step",
                "show_duplicates");
        AccountingQuery.Builder q = AccountingQuery.builder();
        for (String u : list(query, "users")) q.user(u);
        for (String a : list(query, "account")) q.account(a);
        for (String p : list(query, "partition")) q.partition(p);
        for (String n : list(query, "job_name")) q.name(n);
        for (String n : list(query, "node")) q.node(n);
        try {
            for (String s : list(query, "state")) q.state(s);
            for (String s : list(query, "step")) q.job(AccountingQuery.JobId.parse(s.replaceFirst("\\..*$", "")));
        } catch (IllegalArgumentException e) {
            throw badRequest(ESLURM_REST_INVALID_QUERY, "Query empty or not RFC7320 compliant", e.getMessage());
        }
        long start = time(query, "start_time", 0);
        long end = time(query, "end_time", Long.MAX_VALUE);
        q.window(start, end);
        if (query.containsKey("show_duplicates")) q.duplicates(true);
        String name = cluster.config().clusterName();
        List<AccountingRecord> records = cluster.accounting(q.build());
        // each job's srun steps after its batch step, as slurmdbd has them
        List<Long> ran = records.stream()
                .filter(r -> !r.earlier() && r.job().startTime() > 0)
                .map(r -> r.job().id())
                .distinct()
                .toList();
        Map<Long, List<io.motley.core.step.Step>> srun = new java.util.HashMap<>();
        if (!ran.isEmpty())
            for (io.motley.core.step.Step s : cluster.steps().list(ran))
                srun.computeIfAbsent(s.jobId(), k -> new java.util.ArrayList<>())
                        .add(s);
        return Map.of(
                "jobs",
                new Listing<>(
                        records,
                        r -> SacctJson.job(
                                r,
                                name,
                                r.earlier()
                                        ? List.of()
                                        : srun.getOrDefault(r.job().id(), List.of()))));
    }

    private static List<String> list(Map<String, String> query, String key) {
        String v = query.get(key);
        if (v == null || v.isEmpty()) return List.of();
        return List.of(v.split(","));
    }

    private static long time(Map<String, String> query, String key, long otherwise) {
        String v = query.get(key);
        if (v == null) return otherwise;
        if (!v.matches("\\d{1,12}"))
            throw badRequest(
                    ESLURM_REST_INVALID_QUERY, "Query empty or not RFC7320 compliant", key + ": expected Unix seconds");
        return Long.parseLong(v);
    }

    // ---- reading requests -----------------------------------------------------------------------

    private static Failure invalid(String what) {
        return badRequest(ESLURM_REST_FAIL_PARSING, "Failure during parsing", what);
    }

    /** The body as a JSON object: UTF-8, well formed, an object. */
    private static Map<?, ?> object(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw badRequest(ESLURM_REST_FAIL_PARSING, "Unable to parse query", "the body is not UTF-8");
        }
        if (text.isBlank())
            throw badRequest(
                    ESLURM_REST_FAIL_PARSING, "Unable to parse query", "empty body: a JSON object is expected");
        Object v;
        try {
            v = JsonReader.read(text);
        } catch (JsonReader.JsonException e) {
            throw badRequest(ESLURM_REST_FAIL_PARSING, "Unable to parse query", "malformed JSON: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?> m))
            throw badRequest(ESLURM_REST_FAIL_PARSING, "Unable to parse query", "a JSON object is expected");
        return m;
    }

    /** The query string as a map; a repeated key or one that is not decodable is the client's mistake. */
    static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        if (q == null || q.isEmpty()) return out;
        Set<String> seen = new HashSet<>();
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!seen.add(k))
                    throw badRequest(
                            ESLURM_REST_INVALID_QUERY,
                            "Query empty or not RFC7320 compliant",
                            "query parameter " + quote(k) + " given twice");
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw badRequest(
                        ESLURM_REST_INVALID_QUERY, "Query empty or not RFC7320 compliant", "query is not URL-encoded");
            }
        }
        return out;
    }

    private static String quote(String s) {
        return "\"" + FreeText.quote(s, 64) + "\"";
    }

    private static byte[] openapiDocument() {
        try (InputStream in = RestApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) throw new IllegalStateException("openapi.json is missing from the controller's jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("openapi.json unreadable", e);
        }
    }
}
