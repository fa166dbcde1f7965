package io.motley.controller.server;

import io.motley.core.job.Job;
import io.motley.core.job.OutputPattern;
import io.motley.core.job.Staging;
import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.Order;
import io.motley.protocol.Message.OutputChunk;
import io.motley.protocol.Message.OutputRead;
import io.motley.protocol.Message.ReadLog;
import io.motley.protocol.Message.ReadOutput;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the output of jobs that ran on a node without their submit directory (docs/files.md):
 * a chunk from the running node goes to the agent of the job's submit node, with the file and
 * user the controller's own job record names (never what the running node said), and that
 * agent's answer goes back to the running node. A chunk is taken only from the node the job's
 * current run is on, an answer only from the job's submit node. Nothing is stored: when the
 * submit node is not connected the chunk is dropped, and the running node, which keeps its
 * output until it is answered, sends it again. The routes are the agents' links, by node name
 * (the name each agent proved in its handshake), so two agents on one machine are two routes.
 */
final class OutputRouter {
    private static final Logger log = LoggerFactory.getLogger(OutputRouter.class);

    private final LongFunction<Optional<Job>> jobs;
    private final BiConsumer<Long, String> trouble;
    private final Map<String, Consumer<Order>> links = new ConcurrentHashMap<>();
    /** motley logs questions to nodes, by tag, until answered. */
    private final Map<Long, java.util.concurrent.CompletableFuture<OutputRead>> reads = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicLong tags = new java.util.concurrent.atomic.AtomicLong();

    /** How long motley logs waits for the node that holds a job's output. */
    static final java.time.Duration READ_WAIT = java.time.Duration.ofSeconds(5);

    /** {@code jobs}: the job record by id; {@code trouble}: a job's delivery error, or null once it is gone. */
    OutputRouter(LongFunction<Optional<Job>> jobs, BiConsumer<Long, String> trouble) {
        this.jobs = jobs;
        this.trouble = trouble;
    }

    void connected(String node, Consumer<Order> link) {
        links.put(node, link);
    }

    void disconnected(String node, Consumer<Order> link) {
        links.remove(node, link);
    }

    /** A chunk of a run's output from the node {@code from}. */
    void chunk(String from, OutputChunk c) {
        Optional<Job> found = jobs.apply(c.id());
        if (found.isEmpty()) {
            answer(
                    from,
                    new Delivered(c.id(), c.run(), c.stream(), c.offset(), "the controller knows no job " + c.id()));
            return;
        }
        Job job = found.get();
        if (c.run() == job.restarts() && !from.equals(job.node())) {
            log.warn(
                    "output refused: the job does not run on the sending node job={} node={} job_node={}",
                    c.id(),
                    from,
                    job.node());
            return;
        }
        String to = job.request().submitNode();
        if (to == null) {
            answer(from, new Delivered(c.id(), c.run(), c.stream(), c.offset(), "the job names no submit node"));
            return;
        }
        String path = switch (c.stream()) {
            case "err" -> OutputPattern.stderr(job, from);
            case Staging.STREAM -> stageOutArchive(job, c.run());
            default -> OutputPattern.stdout(job, from);
        };
        Consumer<Order> link = links.get(to);
        if (link == null) {
            log.debug("output waits: the submit node is not connected job={} submit_node={}", c.id(), to);
            return;
        }
        link.accept(new Deliver(c, path, job.uid(), job.gid(), job.user()));
    }

    /**
     * Where a run's stage-out archive is written on the submit host before it is unpacked there (by
     * the submit host's agent, as the user) into the job's working directory: a hidden file in it.
     */
    static String stageOutArchive(Job job, int run) {
        String dir = job.request().workDir();
        return (dir.endsWith("/") ? dir : dir + "/") + ".motley-stage-out." + job.id() + "." + run + ".tar";
    }

    /** The submit node's answer: how far a stream is written there, or why not. */
    void delivered(String from, Delivered d) {
        Optional<Job> found = jobs.apply(d.id());
        if (found.isEmpty()) return;
        Job job = found.get();
        if (!from.equals(job.request().submitNode())) {
            log.warn("delivery answer refused: not the job's submit node job={} node={}", d.id(), from);
            return;
        }
        if (d.error() != null) {
            log.warn(
                    "job output not written on its submit host job={} run={} stream={} submit_node={} error=\"{}\"",
                    d.id(),
                    d.run(),
                    d.stream(),
                    from,
                    d.error());
        }
        trouble.accept(d.id(), d.error());
        if (job.node() != null) answer(job.node(), d);
    }

    /**
     * Reads a run's output from the outbox of the node it ran on (motley logs). Empty when that
     * node is not connected or does not answer in time; an answer with {@code found} false when the
     * node holds no outbox for the run (delivered, or never sent away).
     */
    Optional<OutputRead> read(Job job, String stream, long offset, int max) throws InterruptedException {
        return ask(job.node(), tag -> new ReadOutput(tag, job.id(), job.restarts(), stream, offset, max));
    }

    /**
     * Reads the agent's own log on {@code node} (motley logs --node), over its link as job output
     * is read. Empty when the node is not connected or does not answer in time; an answer with
     * {@code found} false when the agent logs to no file.
     */
    Optional<OutputRead> readLog(String node, long offset, int max) throws InterruptedException {
        return ask(node, tag -> new ReadLog(tag, offset, max));
    }

    private Optional<OutputRead> ask(String node, LongFunction<Order> question) throws InterruptedException {
        Consumer<Order> link = node == null ? null : links.get(node);
        if (link == null) return Optional.empty();
        long tag = tags.incrementAndGet();
        java.util.concurrent.CompletableFuture<OutputRead> answer = new java.util.concurrent.CompletableFuture<>();
        reads.put(tag, answer);
        try {
            link.accept(question.apply(tag));
            return Optional.of(answer.get(READ_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return Optional.empty();
        } finally {
            reads.remove(tag);
        }
    }

    /** A node's answer to {@link #read}. */
    void outputRead(String from, OutputRead r) {
        java.util.concurrent.CompletableFuture<OutputRead> waiting = reads.get(r.tag());
        if (waiting != null) waiting.complete(r);
        else log.debug("output read answered late node={} tag={}", from, r.tag());
    }

    private void answer(String node, Delivered d) {
        Consumer<Order> link = links.get(node);
        if (link != null) link.accept(d);
    }
}
