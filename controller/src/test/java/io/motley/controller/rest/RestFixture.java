package io.motley.controller.rest;

import io.motley.controller.cluster.AgentChannel;
import io.motley.controller.cluster.AgentReport;
import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.store.Store;
import io.motley.core.cluster.Node;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.Job;
import io.motley.core.job.KillReason;
import io.motley.protocol.dataparser.JsonReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A controller's {@link Cluster} on a SQLite store in a temporary directory, with one registered
 * node {@code n1} (4 CPUs) and partitions {@code main} (default) and {@code gpu}, the REST API over
 * it, and tokens for root, alice (1001) and bob (1002).
 */
final class RestFixture implements AutoCloseable {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static final Caller ROOT = new Caller(0, 0, "root", List.of("root"));
    static final Caller ALICE = new Caller(1001, 1001, "alice", List.of("alice", "users"));
    static final Caller BOB = new Caller(1002, 1002, "bob", List.of("bob", "users"));

    final AtomicLong now = new AtomicLong(2_000_000_000L);
    final Store store;
    final Cluster cluster;
    final Tokens tokens;
    final RestApi api;

    RestFixture(Path dir) {
        this(dir, "");
    }

    RestFixture(Path dir, String extraConfig) {
        this(Store.sqlite(dir.resolve("state/motley.db")), extraConfig);
    }

    /** Over {@code store} (a MemoryStore where thousands of jobs are submitted). */
    RestFixture(Store store, String extraConfig) {
        this.store = store;
        cluster = new Cluster(
                ClusterConfig.parse("ClusterName=lab\nNodeName=n1 CPUs=4 RealMemory=8000\n"
                        + "PartitionName=main Nodes=n1 Default=YES MaxTime=60\nPartitionName=gpu Nodes=n1\n"
                        + extraConfig),
                store,
                now::get);
        cluster.register(
                new NoLink("n1"), new AgentReport.Registration(Node.of("n1", 4, 8000), 4, 8000, List.of(), List.of()));
        tokens = new Tokens(KEY, now::get);
        Users users = Users.of(
                Map.of("root", ROOT, "alice", ALICE, "bob", BOB),
                Map.of("root", "/root", "alice", "/home/alice", "bob", "/home/bob"));
        api = new RestApi(cluster, tokens, users, "ctl", now::get);
    }

    String token(Caller who) {
        return tokens.issue(who, 600);
    }

    RestResponse call(String method, String pathAndQuery, Caller who, String body) {
        return call(
                method, pathAndQuery, who == null ? Map.of() : Map.of("X-SLURM-USER-TOKEN", List.of(token(who))), body);
    }

    RestResponse call(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? null : pathAndQuery.substring(q + 1);
        return api.handle(new RestRequest(
                method, path, query, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(RestResponse r) {
        return (Map<String, Object>) JsonReader.read(r.text());
    }

    /** The value at a path of keys and list indices in a parsed document. */
    static Object at(Object doc, Object... path) {
        Object v = doc;
        for (Object p : path) {
            if (p instanceof Integer i) v = ((List<?>) v).get(i);
            else v = ((Map<?, ?>) v).get(p);
            if (v == null) throw new AssertionError("nothing at " + Arrays.toString(path));
        }
        return v;
    }

    static String submitBody(String name) {
        return "{\"script\":\"#!/bin/sh\\necho hi\\n\",\"job\":{\"name\":\"" + name
                + "\",\"current_working_directory\":\"/tmp\",\"environment\":[\"PATH=/bin:/usr/bin\"],\"time_limit\":5}}";
    }

    long submit(Caller who, String name) {
        RestResponse r = call("POST", "/slurm/v0.0.40/job/submit", who, submitBody(name));
        if (r.status() != 200) throw new AssertionError("submission refused: " + r.text());
        return (Long) json(r).get("job_id");
    }

    Job job(long id) {
        return cluster.job(id).orElseThrow();
    }

    @Override
    public void close() {
        store.close();
    }

    /** An agent's link that takes every order and does nothing with it. */
    static final class NoLink implements AgentChannel {
        private final String node;

        NoLink(String node) {
            this.node = node;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public void launch(Job job) {}

        @Override
        public void kill(long jobId, int run, KillReason why) {}

        @Override
        public void acknowledge(long jobId, int run) {}

        @Override
        public void registered(long heartbeatSeconds) {}

        @Override
        public void close() {}
    }
}
