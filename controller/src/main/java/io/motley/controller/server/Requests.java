package io.motley.controller.server;

import io.motley.controller.cluster.Caller;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Outcome;
import io.motley.controller.cluster.Submission;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.scheduler.Plan;
import io.motley.protocol.AccountingFrames;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers user requests relayed by agents. The caller's uid, gid, user name and groups were put
 * in the frame by the agent from the Unix socket's peer credentials; the client cannot choose
 * them. A request the client got wrong (an id that is no number, a missing part) is answered
 * with a one-line error naming the field, and logged once at WARN; it never reaches the
 * server's handler of genuine failures.
 */
final class Requests {
    private static final Logger log = LoggerFactory.getLogger(Requests.class);
    /** How much of a bad value an error quotes back. */
    private static final int QUOTED = 64;

    private final Cluster cluster;

    /** The controller's host name for scontrol ping, looked up once: a lookup may wait on DNS. */
    private final String host = hostName();

    Requests(Cluster cluster) {
        this.cluster = cluster;
    }

    /** A client's mistake in a request: the message names the field and what is wrong with it. */
    static final class MalformedRequest extends RuntimeException {
        MalformedRequest(String message) {
            super(message, null, false, false);
        }
    }

    Frame handle(Frame req) {
        try {
            return answer(req);
        } catch (MalformedRequest e) {
            log.warn(
                    "malformed request op={} uid={} problem=\"{}\"",
                    FreeText.quote(req.op(), QUOTED),
                    FreeText.quote(req.str(Ops.CALLER_UID), QUOTED),
                    e.getMessage());
            return Frame.error("malformed request: " + e.getMessage());
        }
    }

    private Frame answer(Frame req) {
        int uid = (int) number(req, Ops.CALLER_UID, -1);
        if (uid < 0) return Frame.error("request carries no caller identity");
        Caller caller = caller(req, uid);
        return switch (req.op()) {
            case Ops.PING -> ping();
            case Ops.SUBMIT -> {
                JobRequest job = job(child(req, 0, "job"));
                yield switch (cluster.submit(job, caller)) {
                    case Submission.Accepted a -> Frame.op(Ops.OK).put("id", a.id());
                    case Submission.Refused r -> Frame.error(r.failure()).put("detail", r.detail());
                };
            }
            case Ops.JOBS -> jobs(req);
            case Ops.CANCEL -> {
                List<Long> ids = ids(req);
                yield outcomes(cluster.cancel(ids, tasks(req), caller));
            }
            case Ops.HOLD -> outcomes(cluster.hold(ids(req), caller, true));
            case Ops.RELEASE -> outcomes(cluster.hold(ids(req), caller, false));
            case Ops.REQUEUE -> outcomes(cluster.requeue(ids(req), caller, false));
            case Ops.REQUEUE_HOLD -> outcomes(cluster.requeue(ids(req), caller, true));
            case Ops.NODES -> {
                Frame out = Frame.op(Ops.OK);
                cluster.nodes().forEach(n -> out.add(Codec.node(n)));
                yield out;
            }
            case Ops.PARTITIONS -> {
                Frame out = Frame.op(Ops.OK).put("cluster", cluster.config().clusterName());
                cluster.config().partitions().forEach(p -> out.add(Codec.partition(p)));
                yield out;
            }
            case Ops.UPDATE_NODE -> {
                Frame out = Frame.op(Ops.OK);
                for (String name : req.str("nodes", "").split(",")) {
                    if (name.isBlank()) continue;
                    cluster.updateNode(name, req.str("state", ""), req.str("reason"), caller)
                            .ifPresent(
                                    err -> out.add(new Frame().put("node", name).put("error", err)));
                }
                yield out;
            }
            case Ops.UPDATE_JOB -> {
                Map<String, String> changes =
                        new LinkedHashMap<>(child(req, 0, "changes").fields());
                List<Long> ids = ids(req);
                Frame out = Frame.op(Ops.OK);
                for (long id : ids) {
                    cluster.updateJob(id, changes, caller)
                            .ifPresent(err -> out.add(new Frame().put("id", id).put("error", err)));
                }
                yield out;
            }
            case Ops.TOP -> {
                Frame out = Frame.op(Ops.OK);
                for (long id : ids(req))
                    cluster.top(id, caller)
                            .ifPresent(err -> out.add(new Frame().put("id", id).put("error", err)));
                yield out;
            }
            case Ops.PRIORITY_FACTORS -> {
                Frame out = Codec.putWeights(Frame.op(Ops.OK), cluster.config().priority());
                List<io.motley.core.priority.Factors> factors = cluster.priorityFactors();
                if (factors != null) factors.forEach(x -> out.add(Codec.factors(x)));
                yield out;
            }
            case Ops.SHARES -> {
                Frame out =
                        Frame.op(Ops.OK).put("type", cluster.config().priority().typeName());
                cluster.shares().rows().forEach(r -> out.add(Codec.shareRow(r)));
                yield out;
            }
            case Ops.ACCOUNTING -> {
                AccountingQuery q;
                try {
                    q = AccountingFrames.query(req);
                } catch (IllegalArgumentException e) {
                    throw new MalformedRequest(FreeText.quote(e.getMessage(), QUOTED));
                }
                yield AccountingFrames.answer(cluster.accounting(q));
            }
            default -> Frame.error("unknown request '" + FreeText.quote(req.op(), QUOTED) + "'");
        };
    }

    /**
     * scontrol ping: the controller answers, with its host, and says whether its job database can
     * take new jobs ({@code database}: "ok", else what is wrong with it).
     */
    private Frame ping() {
        Frame out =
                Frame.op(Ops.OK).put("cluster", cluster.config().clusterName()).put("host", host);
        Optional<String> problem = cluster.storeProblem();
        return out.put("database", problem.orElse("ok"));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private Frame jobs(Frame req) {
        Frame out = Frame.op(Ops.OK);
        Map<Long, Plan.Reservation> expected = cluster.expectedStarts();
        List<Job> listed =
                req.has("id") ? cluster.job(number(req, "id", 0)).stream().toList() : cluster.jobs();
        for (Job j : listed) {
            Frame f = Codec.job(j, false);
            Plan.Reservation r = expected.get(j.id());
            if (r != null && j.state() == JobState.PENDING)
                f.put("expectedStart", r.start()).put("schedNodes", r.node());
            out.add(f);
        }
        return out;
    }

    /** The caller as the agent stamped the request: uid, gid, user name and groups. */
    private static Caller caller(Frame req, int uid) {
        int gid = (int) number(req, Ops.CALLER_GID, -1);
        return new Caller(uid, gid, req.str(Ops.CALLER_USER), groups(req));
    }

    /** The caller's groups as the agent stamped them, or null when it did not. */
    private static List<String> groups(Frame req) {
        return req.has(Ops.CALLER_GROUPS) ? List.of(req.str(Ops.CALLER_GROUPS).split(",")) : null;
    }

    /** The request's {@code index}th child frame, which holds {@code what}. */
    private static Frame child(Frame req, int index, String what) {
        if (req.children().size() <= index)
            throw new MalformedRequest(what + ": missing (the request carries no " + what + ")");
        return req.children().get(index);
    }

    /** The job a submission carries, decoded; a field that is no number or out of range is named. */
    private static JobRequest job(Frame f) {
        try {
            return Codec.request(f);
        } catch (NumberFormatException e) {
            throw new MalformedRequest("job: " + badNumber(f, e));
        } catch (IllegalArgumentException e) {
            throw new MalformedRequest("job: " + FreeText.quote(e.getMessage(), 200));
        }
    }

    /** Which field of {@code f} holds the value a NumberFormatException complains of. */
    private static String badNumber(Frame f, NumberFormatException e) {
        for (var field : f.fields().entrySet()) {
            String v = field.getValue();
            if (v != null && String.valueOf(e.getMessage()).contains('"' + v + '"')) {
                return FreeText.quote(field.getKey(), QUOTED) + ": '" + FreeText.quote(v, QUOTED) + "' is not a number";
            }
        }
        return "a number field is not a number (" + FreeText.quote(e.getMessage(), QUOTED) + ")";
    }

    private static long number(Frame req, String key, long fallback) {
        String v = req.str(key);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new MalformedRequest(key + ": '" + FreeText.quote(v, QUOTED) + "' is not a number");
        }
    }

    private static List<Long> ids(Frame req) {
        List<Long> ids = new ArrayList<>();
        for (String t : req.str("ids", "").split(",")) {
            if (!t.isBlank()) ids.add(jobId(t, "ids"));
        }
        return ids;
    }

    private static long jobId(String t, String field) {
        try {
            long id = Long.parseLong(t.trim());
            if (id < 0) throw new NumberFormatException();
            return id;
        } catch (NumberFormatException e) {
            throw new MalformedRequest(field + ": '" + FreeText.quote(t, QUOTED) + "' is not a job id");
        }
    }

    /** Array tasks as "ARRAY_TASK,..." (the command expands 12_[1-3] to 12_1,12_2,12_3). */
    private static Map<Long, List<Integer>> tasks(Frame req) {
        Map<Long, List<Integer>> out = new LinkedHashMap<>();
        for (String t : req.str("tasks", "").split(",")) {
            if (t.isBlank()) continue;
            int u = t.indexOf('_');
            if (u < 0)
                throw new MalformedRequest(
                        "tasks: '" + FreeText.quote(t, QUOTED) + "' is not an array task (ARRAYID_INDEX)");
            long array = jobId(t.substring(0, u), "tasks");
            long index = jobId(t.substring(u + 1), "tasks");
            if (index > Integer.MAX_VALUE)
                throw new MalformedRequest("tasks: '" + FreeText.quote(t, QUOTED) + "' is not an array task");
            out.computeIfAbsent(array, k -> new ArrayList<>()).add((int) index);
        }
        return out;
    }

    private static Frame outcomes(List<Outcome> results) {
        Frame out = Frame.op(Ops.OK);
        for (Outcome o : results) {
            Frame f = new Frame().put("id", o.id());
            if (o.error() != null) f.put("error", o.error()).put("always", o.alwaysShown());
            out.add(f);
        }
        return out;
    }
}
