package io.motley.controller.server;

import io.motley.controller.cluster.Cluster;
import io.motley.controller.cluster.Submission;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.scheduler.Plan;
import io.motley.protocol.DaemonLogFile;
import io.motley.protocol.Frame;
import io.motley.protocol.MalformedMessage;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Accounting;
import io.motley.protocol.Message.AccountsAnswer;
import io.motley.protocol.Message.AccountsQuery;
import io.motley.protocol.Message.AccountsResult;
import io.motley.protocol.Message.AccountsUpdate;
import io.motley.protocol.Message.Answer;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.Message.Cancel;
import io.motley.protocol.Message.ExpectedStart;
import io.motley.protocol.Message.Failure;
import io.motley.protocol.Message.Hold;
import io.motley.protocol.Message.JobList;
import io.motley.protocol.Message.JobRecords;
import io.motley.protocol.Message.Jobs;
import io.motley.protocol.Message.Listed;
import io.motley.protocol.Message.NodeError;
import io.motley.protocol.Message.NodeErrors;
import io.motley.protocol.Message.NodeList;
import io.motley.protocol.Message.Nodes;
import io.motley.protocol.Message.Outcome;
import io.motley.protocol.Message.Outcomes;
import io.motley.protocol.Message.PartitionList;
import io.motley.protocol.Message.Partitions;
import io.motley.protocol.Message.Ping;
import io.motley.protocol.Message.Pong;
import io.motley.protocol.Message.Priorities;
import io.motley.protocol.Message.PriorityFactors;
import io.motley.protocol.Message.Release;
import io.motley.protocol.Message.Request;
import io.motley.protocol.Message.Requeue;
import io.motley.protocol.Message.RequeueHold;
import io.motley.protocol.Message.ShareList;
import io.motley.protocol.Message.Shares;
import io.motley.protocol.Message.Submit;
import io.motley.protocol.Message.Submitted;
import io.motley.protocol.Message.Top;
import io.motley.protocol.Message.UpdateJob;
import io.motley.protocol.Message.UpdateNode;
import io.motley.protocol.Messages;
import io.motley.protocol.QueueSelection;
import io.motley.protocol.StepMessages;
import java.net.InetAddress;
import java.util.ArrayList;
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

    /** Reads job output held on nodes (motley logs); null where no agents connect (tests). */
    private final OutputRouter output;
    /** The controller's own log, for motley logs --controller. */
    private final java.util.function.Supplier<Optional<DaemonLogFile>> ownLog;

    /** When the controller read its configuration (it reads it once, at start): show config's "as of". */
    private final long configAsOf = System.currentTimeMillis() / 1000;

    /** Issues scontrol token's JWTs; null until the controller enables the REST API's tokens. */
    private volatile io.motley.controller.rest.Tokens tokens;

    private volatile io.motley.controller.rest.Users users;

    /** scontrol token is answered from now on, with tokens signed by {@code t}; {@code u} names other users for root. */
    void issueTokens(io.motley.controller.rest.Tokens t, io.motley.controller.rest.Users u) {
        this.users = u;
        this.tokens = t;
    }

    Requests(Cluster cluster) {
        this(cluster, null);
    }

    Requests(Cluster cluster, OutputRouter output) {
        this(cluster, output, DaemonLogFile::ofThisProcess);
    }

    Requests(Cluster cluster, OutputRouter output, java.util.function.Supplier<Optional<DaemonLogFile>> ownLog) {
        this.cluster = cluster;
        this.output = output;
        this.ownLog = ownLog;
    }

    Frame handle(Frame req) {
        return handle(req, null);
    }

    /**
     * Answers a request relayed by the agent of {@code node} (the name it proved in its handshake;
     * null when unknown): a submission records it as the job's submit node, the agent that writes
     * the job's output where the node that runs it does not share the submit directory.
     */
    Frame handle(Frame req, String node) {
        try {
            return answer(req, node);
        } catch (MalformedMessage e) {
            log.warn(
                    "malformed request op={} uid={} problem=\"{}\"",
                    FreeText.quote(req.op(), QUOTED),
                    callerForLog(req),
                    e.getMessage());
            return failure("malformed request: " + e.getMessage());
        }
    }

    private Answer steps(Message.StepCall<?> request, io.motley.controller.cluster.Caller asking) {
        io.motley.controller.cluster.JobSteps steps = cluster.steps();
        io.motley.controller.cluster.JobSteps.Result r;
        switch (request) {
            case StepMessages.Create c -> r = steps.create(c.jobId(), c.request(), asking);
            case StepMessages.End e ->
                r = steps.end(e.jobId(), e.stepId(), e.state(), e.exitCode(), e.signal(), asking);
            case StepMessages.Cancel c -> r = steps.cancel(c.jobId(), c.stepId(), asking);
            case StepMessages.Terminate t -> r = steps.terminate(t.jobId(), t.stepId(), asking);
            case StepMessages.Wait w -> {
                try {
                    r = steps.await(
                            w.jobId(), w.stepId(), Math.min(w.seconds(), StepMessages.MAX_WAIT_SECONDS), asking);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Failure("the controller is shutting down");
                }
            }
            case StepMessages.ListSteps l ->
                r = new io.motley.controller.cluster.JobSteps.Result(steps.list(l.jobIds()), null, false);
            case StepMessages.Launch l -> r = steps.launch(l, asking);
            case StepMessages.Input in -> {
                try {
                    r = steps.input(in, asking);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Failure("the controller is shutting down");
                }
            }
            case StepMessages.Stat x -> {
                try {
                    StepMessages.StepStats st = steps.stat(x.jobId(), asking);
                    return st == null ? new Failure("Invalid job id specified") : st;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Failure("the controller is shutting down");
                }
            }
            case StepMessages.Io x -> {
                try {
                    return steps.io(
                            x.jobId(),
                            x.stepId(),
                            x.cursor(),
                            Math.min(x.seconds(), StepMessages.MAX_WAIT_SECONDS),
                            asking);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Failure("the controller is shutting down");
                }
            }
            default -> {
                return new Failure("unknown step request");
            }
        }
        // srun tells "ask again" (a busy allocation) from a refusal by the detail
        if (r.error() != null && (r.steps().isEmpty() || request instanceof StepMessages.Cancel))
            return new Failure(r.error(), r.retry() ? "retry" : null, false);
        return new StepMessages.Steps(r.steps());
    }

    private static String callerForLog(Frame req) {
        try {
            return Messages.caller(req).map(c -> Integer.toString(c.uid())).orElse("none");
        } catch (MalformedMessage e) {
            return "unreadable";
        }
    }

    private static Frame failure(String message) {
        return Messages.encode(new Failure(message));
    }

    private Frame answer(Frame req, String node) {
        Optional<Caller> who = Messages.caller(req);
        if (who.isEmpty() || who.get().uid() < 0) return failure("request carries no caller identity");
        if (!Messages.isRequest(req.op())) return failure("unknown request '" + FreeText.quote(req.op(), QUOTED) + "'");
        Caller caller = who.get();
        // an agent vouches only for users of its own host: Users= on its NodeName line says which (a node's own
        // read of a stage-in archive is for the job it runs, which StageIns checks)
        if (node != null
                && !cluster.config().vouchesFor(node, caller.user())
                && !(req.op().equals(io.motley.protocol.Ops.STAGE_IN_READ) && caller.uid() == 0)) {
            log.warn(
                    "request refused: the relaying node does not vouch for the user node={} user={} uid={} op={}",
                    node,
                    FreeText.quote(String.valueOf(caller.user()), QUOTED),
                    caller.uid(),
                    FreeText.quote(req.op(), QUOTED));
            return failure("Access/permission denied: node " + node + " may not relay requests of user "
                    + FreeText.quote(String.valueOf(caller.user()), QUOTED) + " (Users= on its NodeName line)");
        }
        io.motley.controller.cluster.Caller asking =
                new io.motley.controller.cluster.Caller(caller.uid(), caller.gid(), caller.user(), caller.groups());
        Request<?> request = Messages.request(req);
        // squeue's answer is built as its frame, in columns, with no object per job
        if (request instanceof Message.Queue q) return queue(q);
        // sacct's too, when it asks: no frame per job, and no environment or script (sacct shows neither)
        if (request instanceof Accounting a && io.motley.protocol.AccountingFrames.wantsColumns(req))
            return io.motley.protocol.AccountingFrames.columns(cluster.accounting(a.query()));
        Answer answer = switch (request) {
            case Submit s ->
                switch (cluster.submit(node == null ? s.job() : s.job().withSubmitNode(node), asking)) {
                    case Submission.Accepted a -> new Submitted(a.id());
                    case Submission.Refused r -> new Failure(r.failure(), r.detail(), false);
                };
            case Message.WillRun w -> {
                Cluster.WillRun r =
                        cluster.willRun(node == null ? w.job() : w.job().withSubmitNode(node), asking);
                yield r.failure() != null
                        ? new Failure(r.failure(), r.detail(), false)
                        : new Message.WillStart(r.id(), r.start(), r.cpus(), r.nodes(), r.partition());
            }
            case Ping p -> ping();
            // the local agent answers it for its own node; an agent never relays it
            case Message.ListPids l -> new Failure("listpids is answered by the node's agent, not the controller");
            case Jobs j -> jobs(j);
            case Message.Queue q -> throw new IllegalStateException("answered above");
            case Cancel c -> outcomes(cluster.cancel(c.ids(), c.tasks(), asking));
            case Message.Complete c -> outcomes(List.of(cluster.complete(c.id(), c.code(), asking)));
            case Message.Signal s -> outcomes(cluster.signal(s.ids(), s.tasks(), s.signal(), s.scope(), asking));
            case Message.Suspend s -> outcomes(cluster.suspend(s.ids(), asking, s.resume()));
            case Hold h -> outcomes(cluster.hold(h.ids(), h.tasks(), asking, true, h.user()));
            case Release r -> outcomes(cluster.hold(r.ids(), r.tasks(), asking, false));
            case Requeue r -> outcomes(cluster.requeue(r.ids(), asking, false));
            case RequeueHold r -> outcomes(cluster.requeue(r.ids(), asking, true));
            case Nodes n -> new NodeList(cluster.nodes());
            case Message.HostChecksQuery q -> new Message.HostChecks(cluster.hostChecks());
            case Partitions p -> new PartitionList(cluster.config().clusterName(), cluster.partitions());
            case Message.DiagnosticsQuery d -> diagnostics();
            case Message.BatchScript b -> {
                Cluster.ScriptLookup found = cluster.batchScript(b.id(), asking);
                yield found.error() == null ? new Message.Script(found.script()) : new Failure(found.error());
            }
            case Message.UpdatePartition u ->
                new Message.Updated(cluster.updatePartition(u.name(), u.state(), u.maxTime(), u.defaultTime(), asking)
                        .orElse(null));
            case Message.ConfigQuery q ->
                new Message.ConfigInfo(
                        configAsOf,
                        io.motley.core.config.ConfigListing.slurm(cluster.config()),
                        io.motley.core.config.ConfigListing.motley(cluster.config()));
            case UpdateNode u -> {
                List<NodeError> errors = new ArrayList<>();
                for (String name : u.nodes()) {
                    cluster.updateNode(name, u.state(), u.reason(), u.weight(), asking)
                            .ifPresent(err -> errors.add(new NodeError(name, err)));
                }
                yield new NodeErrors(errors);
            }
            case UpdateJob u -> {
                // a job named by its id answers only when it fails; those reached through their array answer
                // each, as Slurm's per-task replies do
                List<io.motley.controller.cluster.Outcome> answered = new ArrayList<>();
                for (io.motley.controller.cluster.Outcome o :
                        cluster.updateJobs(u.ids(), u.tasks(), u.changes(), asking)) {
                    if (o.error() != null || o.tasks() != null) answered.add(o);
                }
                yield outcomes(answered);
            }
            case Top t -> {
                List<Outcome> errors = new ArrayList<>();
                for (long id : t.ids()) cluster.top(id, asking).ifPresent(err -> errors.add(Outcome.failed(id, err)));
                yield new Outcomes(errors);
            }
            case PriorityFactors p -> {
                List<io.motley.core.priority.Factors> factors = cluster.priorityFactors();
                yield new Priorities(cluster.config().priority(), factors == null ? List.of() : factors);
            }
            case Shares s ->
                new ShareList(
                        cluster.config().priority().typeName(), cluster.shares().rows());
            case Message.JobTexts t ->
                new Message.Texts(cluster.jobTexts(t.query(), t.environment(), asking).stream()
                        .map(x -> new Message.Texts.Text(x.jobId(), x.text()))
                        .toList());
            // sacct shows no job's environment or script but with -B or --env-vars (JobTexts): they stay here
            case Accounting a ->
                new JobRecords(cluster.accounting(a.query()).stream()
                        .map(r -> new io.motley.core.accounting.AccountingRecord(
                                r.job().withRequest(r.job().request().forListing()), r.run(), r.steps()))
                        .toList());
            case AccountsQuery q ->
                new AccountsAnswer(cluster.accountsDb(), cluster.config().clusterName());
            case AccountsUpdate u -> new AccountsResult(cluster.changeAccounts(u.change(), asking, u.commit()));
            case Message.Logs l -> logs(l, caller);
            case Message.DaemonLog d -> daemonLog(d, asking);
            case Message.StepCall<?> s -> steps(s, asking);
            case Message.TokenRequest t -> token(t, asking);
            case Message.StageInChunk c -> {
                io.motley.controller.cluster.StageIns.Received r =
                        cluster.stageInChunk(c.id(), c.offset(), c.data(), asking);
                yield r.error() != null
                        ? new Failure(r.error())
                        : new Message.StageInReceived(r.received(), r.complete());
            }
            case Message.StageInRead r -> {
                io.motley.controller.cluster.StageIns.Read got =
                        cluster.stageInRead(r.id(), r.offset(), r.max(), node, asking);
                yield got.error() != null
                        ? new Failure(got.error())
                        : new Message.StageInData(r.offset(), got.data(), got.size());
            }
        };
        return Messages.encode(answer);
    }

    /**
     * motley logs: the job's owner (or root) reads its output from the outbox of the node it ran
     * on while it is there; once it is not (delivered, or the filesystem is shared), the answer
     * names the file and the command reads it itself.
     */
    Answer logs(Message.Logs l, Caller caller) {
        Optional<Job> found = cluster.job(l.id());
        if (found.isEmpty()) return new Failure("Invalid job id specified");
        Job job = found.get();
        if (caller.uid() != 0 && caller.uid() != job.uid()) return new Failure("Access/permission denied");
        String path = l.stream().equals("err")
                ? io.motley.core.job.OutputPattern.stderr(job, String.valueOf(job.node()))
                : io.motley.core.job.OutputPattern.stdout(job, String.valueOf(job.node()));
        String submitNode = job.request().submitNode();
        Message.LogText inFile =
                new Message.LogText(path, submitNode, null, l.offset(), new byte[0], false, job.state());
        if (job.state() == JobState.PENDING || job.node() == null || output == null) return inFile;
        int max = Math.max(1, Math.min(l.max(), 1 << 20));
        try {
            Optional<Message.OutputRead> read = output.read(job, l.stream(), l.offset(), max);
            if (read.isEmpty()) {
                return new Failure("the node " + job.node() + " that ran job " + job.id()
                        + " did not answer; its output, if not delivered yet, is kept there");
            }
            Message.OutputRead r = read.get();
            if (!r.found()) return inFile;
            return new Message.LogText(path, submitNode, job.node(), r.offset(), r.data(), r.complete(), job.state());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failure("interrupted");
        }
    }

    /**
     * motley logs --controller|--node NAME: root and administrators (AdminLevel Operator or above)
     * read the controller's own log here, or an agent's, which it serves over its link.
     */
    private Answer daemonLog(Message.DaemonLog d, io.motley.controller.cluster.Caller asking) {
        if (!cluster.accountsDb().mayAdminister(asking.user(), asking.isRoot()))
            return new Failure("Access/permission denied: daemon logs are for root and administrators");
        int max = Math.max(1, Math.min(d.max(), 1 << 20));
        if (d.node() == null) {
            Optional<DaemonLogFile> own = ownLog.get();
            if (own.isEmpty())
                return new Failure("the controller writes its log to no file (to its console, or to the journal under"
                        + " systemd: journalctl -u motley-controller)");
            try {
                return own.get().read(d.offset(), max);
            } catch (java.io.IOException e) {
                return new Failure(
                        "the controller's log " + own.get().path() + " could not be read: " + e.getMessage());
            }
        }
        String node = d.node();
        try {
            Optional<Message.OutputRead> read =
                    output == null ? Optional.empty() : output.readLog(node, d.offset(), max);
            if (read.isEmpty()) {
                if (cluster.nodes().stream().noneMatch(n -> n.name().equals(node)))
                    return new Failure("Invalid node name specified");
                return new Failure("node " + node + " is not connected to the controller, or did not answer");
            }
            Message.OutputRead r = read.get();
            if (!r.found())
                return new Failure("the agent of node " + node + " writes its log to no file (to its console, or to"
                        + " the journal under systemd: journalctl -u motley-agent on that host)");
            return new Message.DaemonLogText(r.offset(), r.data());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failure("interrupted");
        }
    }

    /**
     * scontrol token: a JWT for the caller, or (root only) for the user named; the lifespan is
     * Slurm's default unless given, and at most a year.
     */
    private Answer token(Message.TokenRequest t, io.motley.controller.cluster.Caller asking) {
        io.motley.controller.rest.Tokens issuer = tokens;
        if (issuer == null) return new Failure("tokens are not enabled on this controller");
        long lifespan = t.lifespan() == 0 ? io.motley.controller.rest.Tokens.DEFAULT_LIFESPAN : t.lifespan();
        if (lifespan < 0 || lifespan > io.motley.controller.rest.Tokens.MAX_LIFESPAN)
            return new Failure(
                    "Invalid lifespan: between 1 and " + io.motley.controller.rest.Tokens.MAX_LIFESPAN + " seconds");
        io.motley.controller.cluster.Caller subject = asking;
        if (t.user() != null && !t.user().equals(asking.user())) {
            if (!asking.isRoot())
                return new Failure("Access/permission denied: only root may ask for another user's token");
            Optional<io.motley.controller.cluster.Caller> found = users.byName(t.user());
            if (found.isEmpty()) return new Failure("Invalid user: " + FreeText.quote(t.user(), QUOTED));
            subject = found.get();
        }
        log.info("token issued user={} by_uid={} lifespan={}", subject.user(), asking.uid(), lifespan);
        return new Message.Token(issuer.issue(subject, lifespan));
    }

    /**
     * scontrol ping: the controller answers, with its host, and says whether its job database can
     * take new jobs ({@code database}: "ok", else what is wrong with it).
     */
    private Pong ping() {
        Optional<String> problem = cluster.storeProblem();
        return new Pong(cluster.config().clusterName(), host, problem.orElse("ok"));
    }

    private Message.Diagnostics diagnostics() {
        return cluster.diagnostics().message(System.currentTimeMillis() / 1000);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private JobList jobs(Jobs req) {
        Map<Long, Plan.Reservation> expected = cluster.expectedStarts();
        List<Job> listed = req.id() != null ? one(req.id()) : cluster.jobs();
        List<Listed> out = new ArrayList<>(listed.size());
        for (Job j : listed) {
            Plan.Reservation r = expected.get(j.id());
            out.add(new Listed(
                    j, r != null && j.state() == JobState.PENDING ? new ExpectedStart(r.start(), r.node()) : null));
        }
        return new JobList(out);
    }

    /**
     * scontrol show job ID: the job; for an array's id, every record of the array this controller holds, as
     * slurmctld answers it: the array's own record first (its pending tasks, or the task it became), then the
     * tasks' own records, the last split off first.
     */
    private List<Job> one(long id) {
        List<Job> found = new ArrayList<>(cluster.job(id).stream().toList());
        if (found.isEmpty()
                || found.get(0).array() == null
                || found.get(0).array().arrayJobId() != id) return found;
        cluster.jobs().stream()
                .filter(j -> j.id() != id && j.array() != null && j.array().arrayJobId() == id)
                .sorted(java.util.Comparator.comparingLong(Job::id).reversed())
                .forEach(found::add);
        return found;
    }

    /**
     * squeue: selected and put in squeue's order here, so that only the rows it prints, with only
     * the fields it prints, travel, and the command prints them as they come.
     */
    private Frame queue(Message.Queue q) {
        Map<Long, Plan.Reservation> expected = cluster.expectedStarts();
        return QueueSelection.answer(q, cluster.jobs(), id -> {
            Plan.Reservation r = expected.isEmpty() ? null : expected.get(id);
            return r == null ? null : new ExpectedStart(r.start(), r.node());
        });
    }

    private static Outcomes outcomes(List<io.motley.controller.cluster.Outcome> results) {
        List<Outcome> out = new ArrayList<>(results.size());
        for (io.motley.controller.cluster.Outcome o : results)
            out.add(new Outcome(o.id(), o.error(), o.alwaysShown(), o.tasks()));
        return new Outcomes(out);
    }
}
