package io.motley.controller.server;

import io.motley.controller.cluster.Cluster;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.scheduler.Plan;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Answers user requests relayed by agents. The caller's uid, gid and user name were put in the
 * frame by the agent from the Unix socket's peer credentials; the client cannot choose them.
 */
final class Requests {
    private final Cluster cluster;

    Requests(Cluster cluster) {
        this.cluster = cluster;
    }

    Frame handle(Frame req) {
        int uid = req.integer(Ops.CALLER_UID, -1);
        if (uid < 0) return Frame.error("request carries no caller identity");
        return switch (req.op()) {
            case Ops.PING -> Frame.op(Ops.OK).put("cluster", cluster.config().clusterName());
            case Ops.SUBMIT -> cluster.submit(Codec.request(req.children().get(0)), uid, req.integer(Ops.CALLER_GID, -1),
                    req.str(Ops.CALLER_USER), req.has(Ops.CALLER_GROUPS) ? List.of(req.str(Ops.CALLER_GROUPS).split(",")) : null);
            case Ops.JOBS -> jobs(req);
            case Ops.CANCEL -> outcomes(cluster.cancel(ids(req), tasks(req), uid));
            case Ops.HOLD -> outcomes(cluster.hold(ids(req), uid, true));
            case Ops.RELEASE -> outcomes(cluster.hold(ids(req), uid, false));
            case Ops.REQUEUE -> outcomes(cluster.requeue(ids(req), uid, false));
            case Ops.REQUEUE_HOLD -> outcomes(cluster.requeue(ids(req), uid, true));
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
                    cluster.updateNode(name, req.str("state", ""), req.str("reason"), uid)
                            .ifPresent(err -> out.add(new Frame().put("node", name).put("error", err)));
                }
                yield out;
            }
            case Ops.UPDATE_JOB -> {
                Frame out = Frame.op(Ops.OK);
                java.util.Map<String, String> changes = new java.util.LinkedHashMap<>(req.children().get(0).fields());
                for (long id : ids(req)) {
                    cluster.updateJob(id, changes, uid).ifPresent(err -> out.add(new Frame().put("id", id).put("error", err)));
                }
                yield out;
            }
            case Ops.TOP -> {
                Frame out = Frame.op(Ops.OK);
                for (long id : ids(req)) cluster.top(id, uid).ifPresent(err -> out.add(new Frame().put("id", id).put("error", err)));
                yield out;
            }
            case Ops.PRIORITY_FACTORS -> {
                Frame out = Codec.putWeights(Frame.op(Ops.OK), cluster.config().priority());
                List<io.motley.core.priority.Factors> factors = cluster.priorityFactors();
                if (factors != null) factors.forEach(x -> out.add(Codec.factors(x)));
                yield out;
            }
            case Ops.SHARES -> {
                Frame out = Frame.op(Ops.OK).put("type", cluster.config().priority().typeName());
                cluster.shares().rows().forEach(r -> out.add(Codec.shareRow(r)));
                yield out;
            }
            case Ops.ACCOUNTING -> {
                Frame out = Frame.op(Ops.OK);
                cluster.accounting(req.lng("start", 0), req.lng("end", Long.MAX_VALUE), req.integer("user", -1), ids(req))
                        .forEach(j -> out.add(Codec.job(j, false)));
                yield out;
            }
            default -> Frame.error("unknown request '" + req.op() + "'");
        };
    }

    private Frame jobs(Frame req) {
        Frame out = Frame.op(Ops.OK);
        Map<Long, Plan.Reservation> expected = cluster.expectedStarts();
        List<Job> listed = req.has("id") ? cluster.job(req.lng("id", 0)).stream().toList() : cluster.jobs();
        for (Job j : listed) {
            Frame f = Codec.job(j, false);
            Plan.Reservation r = expected.get(j.id());
            if (r != null && j.state() == JobState.PENDING) f.put("expectedStart", r.start()).put("schedNodes", r.node());
            out.add(f);
        }
        return out;
    }

    private static List<Long> ids(Frame req) {
        String s = req.str("ids", "");
        List<Long> ids = new ArrayList<>();
        for (String t : s.split(",")) {
            if (!t.isBlank()) ids.add(Long.parseLong(t.trim()));
        }
        return ids;
    }

    /** Array tasks as "ARRAY_TASK,..." (the command expands 12_[1-3] to 12_1,12_2,12_3). */
    private static java.util.Map<Long, List<Integer>> tasks(Frame req) {
        java.util.Map<Long, List<Integer>> out = new java.util.LinkedHashMap<>();
        for (String t : req.str("tasks", "").split(",")) {
            if (t.isBlank()) continue;
            int u = t.indexOf('_');
            out.computeIfAbsent(Long.parseLong(t.substring(0, u).trim()), k -> new ArrayList<>()).add(Integer.parseInt(t.substring(u + 1).trim()));
        }
        return out;
    }

    private static Frame outcomes(List<Cluster.Outcome> results) {
        Frame out = Frame.op(Ops.OK);
        for (Cluster.Outcome o : results) {
            Frame f = new Frame().put("id", o.id());
            if (o.error() != null) f.put("error", o.error()).put("always", o.alwaysShown());
            out.add(f);
        }
        return out;
    }
}
