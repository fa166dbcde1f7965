package io.motley.controller.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.motley.controller.cluster.Cluster;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Requests as the agent relays them: the caller's identity and groups on every one, a client's mistakes answered in a line. */
class RequestsTest {
    @TempDir
    Path dir;

    Store store;
    Cluster cluster;
    Requests requests;
    ListAppender<ILoggingEvent> logged;

    @BeforeEach
    void start() {
        store = Store.sqlite(dir.resolve("state/motley.db"));
        cluster = new Cluster(
                ClusterConfig.parse("PartitionName=main Default=YES\nPartitionName=secret AllowGroups=wheel\n"),
                store,
                () -> 1_000_000L);
        requests = new Requests(cluster);
        logged = new ListAppender<>();
        logged.start();
        root().addAppender(logged);
    }

    @AfterEach
    void stop() {
        root().detachAppender(logged);
        store.close();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    static Frame as(Frame f, int uid, String user, String groups) {
        f.put(Ops.CALLER_UID, uid).put(Ops.CALLER_GID, uid).put(Ops.CALLER_USER, user);
        if (groups != null) f.put(Ops.CALLER_GROUPS, groups);
        return f;
    }

    static Frame job() {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .hold(true)
                .submitHost("h")
                .build();
        return Codec.request(r, true);
    }

    @Test
    void scontrolTokenIsForTheCallerOrForAnotherUserOnlyWhenRootAsks() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000L);
        io.motley.controller.rest.Tokens tokens =
                new io.motley.controller.rest.Tokens("0123456789abcdef0123456789abcdef".getBytes(), now::get);
        Message.TokenRequest mine = new Message.TokenRequest(null, 0);
        Frame before = requests.handle(as(Messages.encode(mine), 1000, "bob", "users"));
        assertThat(before.op()).isEqualTo("error");
        assertThat(before.str("message")).contains("not enabled");
        io.motley.controller.cluster.Caller carol =
                new io.motley.controller.cluster.Caller(1003, 1003, "carol", java.util.List.of("carol"));
        requests.issueTokens(
                tokens, io.motley.controller.rest.Users.of(java.util.Map.of("carol", carol), java.util.Map.of()));

        Message.Token t =
                (Message.Token) Messages.answer(mine, requests.handle(as(Messages.encode(mine), 1000, "bob", "users")));
        io.motley.controller.cluster.Caller bob = tokens.verify(t.jwt());
        assertThat(bob.user()).isEqualTo("bob");
        assertThat(bob.uid()).isEqualTo(1000);
        assertThat(bob.groups()).containsExactly("users");
        now.addAndGet(io.motley.controller.rest.Tokens.DEFAULT_LIFESPAN);
        assertThatThrownBy(() -> tokens.verify(t.jwt())).hasMessage("token expired");

        Message.TokenRequest forCarol = new Message.TokenRequest("carol", 60);
        Frame refused = requests.handle(as(Messages.encode(forCarol), 1000, "bob", "users"));
        assertThat(refused.str("message")).contains("only root");
        Message.Token c = (Message.Token)
                Messages.answer(forCarol, requests.handle(as(Messages.encode(forCarol), 0, "root", null)));
        assertThat(tokens.verify(c.jwt())).isEqualTo(carol);
        Message.TokenRequest nobody = new Message.TokenRequest("nobody-here", 60);
        assertThat(requests.handle(as(Messages.encode(nobody), 0, "root", null)).str("message"))
                .contains("Invalid user");
        Message.TokenRequest tooLong =
                new Message.TokenRequest(null, io.motley.controller.rest.Tokens.MAX_LIFESPAN + 1);
        assertThat(requests.handle(as(Messages.encode(tooLong), 1000, "bob", null))
                        .str("message"))
                .contains("Invalid lifespan");
    }

    /** sacct's answer carries each job without its environment and script, which it never shows. */
    @Test
    void sacctsAnswerLeavesTheEnvironmentAndScriptHere() {
        JobRequest r = JobRequest.builder("#!/bin/sh\necho secret-script\n", "/tmp")
                .name("j")
                .hold(true)
                .submitHost("h")
                .environment(java.util.Map.of("SECRET_VAR", "x".repeat(1000)))
                .build();
        long id = requests.handle(as(Frame.op(Ops.SUBMIT).add(Codec.request(r, true)), 1000, "bob", "users"), "laptop")
                .lng("id", -1);
        assertThat(cluster.job(id).orElseThrow().request().environment()).containsKey("SECRET_VAR");
        Frame answer = requests.handle(
                as(
                        io.motley.protocol.Messages.encode(new io.motley.protocol.Message.Accounting(
                                io.motley.core.accounting.AccountingQuery.builder()
                                        .job(new io.motley.core.accounting.AccountingQuery.JobId(id, -1))
                                        .build())),
                        1000,
                        "bob",
                        "users"),
                "laptop");
        var records = ((Message.JobRecords) io.motley.protocol.Messages.answer(
                        new io.motley.protocol.Message.Accounting(io.motley.core.accounting.AccountingQuery.builder()
                                .build()),
                        answer))
                .records();
        assertThat(records).hasSize(1);
        io.motley.core.job.Job listed = records.get(0).job();
        assertThat(listed.id()).isEqualTo(id);
        assertThat(listed.request().environment()).isEmpty();
        assertThat(listed.request().script()).isEmpty();
        assertThat(listed.request().workDir()).isEqualTo("/tmp");
    }

    @Test
    void showJobOfAnArraysIdListsEveryRecordOfTheArrayAsSlurmctldDoes() {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("arr")
                .submitHost("h")
                .array("1-4")
                .build();
        long a = requests.handle(as(Frame.op(Ops.SUBMIT).add(Codec.request(r, true)), 0, "root", null))
                .lng("id", -1);
        // tasks 2 and 3 split off into records of their own (held one by one), the array's record keeps 1 and 4
        cluster.hold(List.of(), java.util.Map.of(a, List.of(2)), io.motley.controller.cluster.Caller.uid(0), true);
        cluster.hold(List.of(), java.util.Map.of(a, List.of(3)), io.motley.controller.cluster.Caller.uid(0), true);
        Message.JobList shown = (Message.JobList) Messages.answer(
                Message.Jobs.one(a), requests.handle(as(Messages.encode(Message.Jobs.one(a)), 0, "root", null)));
        List<String> records =
                shown.jobs().stream().map(l -> l.job().array().display(0)).toList();
        // the array's own record first, then the tasks' records, the last split off first
        assertThat(records).containsExactly(a + "_[1,4]", a + "_3", a + "_2");
        // a task's own id names that record alone
        long task3 = shown.jobs().get(1).job().id();
        Message.JobList one = (Message.JobList) Messages.answer(
                Message.Jobs.one(task3),
                requests.handle(as(Messages.encode(Message.Jobs.one(task3)), 0, "root", null)));
        assertThat(one.jobs()).hasSize(1);
    }

    /** sacct asks for its answer in columns and gets one frame; a command from before them gets a frame per job. */
    @Test
    void sacctsAnswerIsInColumnsWhenAskedAndAFramePerJobOtherwise() {
        long id = requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1000, "bob", "users"))
                .lng("id", -1);
        Message.Accounting all = new Message.Accounting(io.motley.core.accounting.AccountingQuery.builder()
                .job(new io.motley.core.accounting.AccountingQuery.JobId(id, -1))
                .build());
        Frame asked = as(Messages.encode(all), 1000, "bob", "users");
        Frame columns = requests.handle(asked);
        assertThat(columns.children())
                .as("one frame of columns, no job records")
                .isEmpty();
        Frame before = as(Messages.encode(all), 1000, "bob", "users");
        before.removeFieldsStartingWith("columns");
        Frame framed = requests.handle(before);
        assertThat(framed.children()).hasSize(1);
        var fromColumns = ((Message.JobRecords) Messages.answer(all, columns)).records();
        var fromFrames = ((Message.JobRecords) Messages.answer(all, framed)).records();
        assertThat(fromColumns).isEqualTo(fromFrames);
        assertThat(fromColumns).extracting(r -> r.job().id()).containsExactly(id);
        assertThat(fromColumns.get(0).job().request().name()).isEqualTo("j");
    }

    @Test
    void squeuesRequestIsSelectedHereAndAnsweredInColumns() {
        long bobs = requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1000, "bob", "users"))
                .lng("id", -1);
        long anns = requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1001, "ann", "users"))
                .lng("id", -1);
        Message.Queue mine = new Message.Queue(
                Set.of(), Set.of("ann"), Set.of(JobState.PENDING), Set.of(), Set.of(), Set.of(), Set.of(), "iu");
        Frame answer = requests.handle(as(Messages.encode(mine), 1000, "bob", "users"));
        assertThat(answer.children()).as("one frame of columns, no job records").isEmpty();
        Message.QueueList rows = (Message.QueueList) Messages.answer(mine, answer);
        assertThat(rows.rows()).extracting(Message.QueueRow::id).containsExactly(anns);
        assertThat(rows.rows()).extracting(Message.QueueRow::user).containsExactly("ann");
        // what the format does not print does not travel
        assertThat(rows.rows()).extracting(Message.QueueRow::partition).containsOnlyNulls();
        assertThat(bobs).isNotEqualTo(anns);
    }

    /** The relaying agent's node, as its handshake proved it, is the job's submit node, whatever the client wrote. */
    @Test
    void aSubmissionRecordsTheNodeOfTheAgentThatRelayedIt() {
        Frame request = as(Frame.op(Ops.SUBMIT).add(job().put("submitNode", "elsewhere")), 1000, "bob", "users");
        long id = requests.handle(request, "laptop").lng("id", -1);
        assertThat(cluster.job(id).orElseThrow().request().submitNode()).isEqualTo("laptop");
        cluster.outputTrouble(id, "cannot write /home/bob/slurm.out as bob: Permission denied");
        assertThat(cluster.job(id).orElseThrow().stateDesc())
                .isEqualTo("Output not delivered: cannot write /home/bob/slurm.out as bob: Permission denied");
        cluster.outputTrouble(id, null);
        assertThat(cluster.job(id).orElseThrow().stateDesc()).isNull();
    }

    /** An agent vouches only for users of its own host: a node with Users= relays requests of those users only. */
    @Test
    void aNodeRelaysOnlyForTheUsersItsNodeNameLineLists() {
        store.close();
        store = Store.sqlite(dir.resolve("state2/motley.db"));
        cluster = new Cluster(
                ClusterConfig.parse("NodeName=laptop Users=ann,root\nPartitionName=main Default=YES\n"),
                store,
                () -> 1_000_000L);
        requests = new Requests(cluster);
        Frame bobs = requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1000, "bob", "users"), "laptop");
        assertThat(bobs.isError()).isTrue();
        assertThat(bobs.str("message"))
                .isEqualTo("Access/permission denied: node laptop may not relay requests of user bob (Users= on its"
                        + " NodeName line)");
        assertThat(cluster.jobs()).isEmpty();
        assertThat(requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1001, "ann", "users"), "laptop")
                        .lng("id", -1))
                .isPositive();
        // another node without Users= relays for anyone
        assertThat(requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1000, "bob", "users"), "nas")
                        .lng("id", -1))
                .isPositive();
        assertThat(logged.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.startsWith(
                        "request refused: the relaying node does not vouch for the user node=laptop" + " user=bob"));
    }

    /**
     * A --stage-in archive's chunks travel as requests of the job's user; a node's own read (root's)
     * is not refused by Users=, since the read is checked against the node the job runs on.
     */
    @Test
    void stageInChunksAreTheUsersRequestsAndANodesReadIsCheckedAgainstWhereTheJobRuns() throws Exception {
        store.close();
        store = Store.sqlite(dir.resolve("state3/motley.db"));
        cluster = new Cluster(
                ClusterConfig.parse("NodeName=laptop Users=ann\nPartitionName=main Default=YES\n"),
                store,
                () -> 1_000_000L);
        cluster.keepStageInsIn(dir.resolve("state3/stage-in"));
        requests = new Requests(cluster);
        byte[] tar = {1, 2, 3};
        String sha = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(tar));
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .hold(true)
                .submitHost("h")
                .options(java.util.Map.of(
                        io.motley.core.job.Staging.IN_SIZE, "3", io.motley.core.job.Staging.IN_SHA256, sha))
                .build();
        long id = requests.handle(as(Frame.op(Ops.SUBMIT).add(Codec.request(r, true)), 1001, "ann", "users"), "laptop")
                .lng("id", -1);
        assertThat(id).isPositive();
        Message.StageInChunk chunk = new Message.StageInChunk(id, 0, tar);
        Frame bobs = requests.handle(as(Messages.encode(chunk), 1000, "bob", "users"), null);
        assertThat(bobs.str("message")).isEqualTo("Access/permission denied");
        Frame anns = requests.handle(as(Messages.encode(chunk), 1001, "ann", "users"), "laptop");
        assertThat(Messages.answer(chunk, anns)).isEqualTo(new Message.StageInReceived(3, true));

        Frame read =
                requests.handle(as(Messages.encode(new Message.StageInRead(id, 0, 10)), 0, "root", "root"), "laptop");
        assertThat(read.str("message")).isEqualTo("Access/permission denied: job " + id + " does not run on laptop");
    }

    @Test
    void updateChecksPartitionGroupsWithTheCallersGroups() {
        Frame submitted = requests.handle(as(Frame.op(Ops.SUBMIT).add(job()), 1000, "bob", "users"));
        long id = submitted.lng("id", -1);
        assertThat(id).isPositive();
        Frame denied = requests.handle(as(
                Frame.op(Ops.UPDATE_JOB).put("ids", id).add(new Frame().put("Partition", "secret")),
                1000,
                "bob",
                "users"));
        assertThat(denied.children())
                .singleElement()
                .extracting(f -> f.str("error"))
                .isEqualTo("Invalid partition name specified");
        Frame allowed = requests.handle(as(
                Frame.op(Ops.UPDATE_JOB).put("ids", id).add(new Frame().put("Partition", "secret")),
                1000,
                "bob",
                "users,wheel"));
        assertThat(allowed.isError()).isFalse();
        assertThat(allowed.children()).isEmpty();
    }

    @Test
    void malformedRequestsGetOneLineNamingTheFieldAndOneWarning() {
        Frame ids = requests.handle(as(Frame.op(Ops.CANCEL).put("ids", "abc"), 1000, "bob", "users"));
        assertThat(ids.isError()).isTrue();
        assertThat(ids.str("message")).isEqualTo("malformed request: ids: 'abc' is not a job id");

        Frame noJob = requests.handle(as(Frame.op(Ops.SUBMIT), 1000, "bob", "users"));
        assertThat(noJob.str("message")).isEqualTo("malformed request: job: missing (the request carries no job)");

        Frame badNumber =
                requests.handle(as(Frame.op(Ops.SUBMIT).add(job().put("ntasks", "many")), 1000, "bob", "users"));
        assertThat(badNumber.str("message")).isEqualTo("malformed request: job: ntasks: 'many' is not a number");

        Frame noChanges = requests.handle(as(Frame.op(Ops.UPDATE_JOB).put("ids", "1"), 1000, "bob", "users"));
        assertThat(noChanges.str("message"))
                .isEqualTo("malformed request: changes: missing (the request carries no changes)");

        Frame accounting =
                requests.handle(as(Frame.op(Ops.ACCOUNTING).put("start", "yesterday"), 1000, "bob", "users"));
        assertThat(accounting.str("message")).isEqualTo("malformed request: start: 'yesterday' is not a number");

        Frame tasks = requests.handle(as(Frame.op(Ops.CANCEL).put("tasks", "12_x"), 1000, "bob", "users"));
        assertThat(tasks.str("message")).isEqualTo("malformed request: tasks: 'x' is not a job id");

        Frame forged = requests.handle(as(Frame.op(Ops.HOLD).put("ids", "1\nERROR forged line"), 1000, "bob", "users"));
        assertThat(forged.str("message")).isEqualTo("malformed request: ids: '1\\nERROR forged line' is not a job id");

        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.ERROR).isEmpty();
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .hasSize(7)
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull())
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\n"));
    }

    @Test
    void genuineFailuresStillReachTheServersHandler() {
        Requests broken = new Requests(null);
        assertThatThrownBy(() -> broken.handle(as(Frame.op(Ops.JOBS), 1000, "bob", "users")))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void listpidsIsTheAgentsAndTheControllerSaysSo() {
        Frame answer = requests.handle(as(Frame.op(Ops.LIST_PIDS).put("job", 0), 1000, "bob", "users"));
        assertThat(answer.isError()).isTrue();
        assertThat(answer.str("message")).contains("answered by the node's agent");
    }

    @Test
    void pingSaysWhetherTheJobDatabaseIsUsable() throws Exception {
        Frame ok = requests.handle(as(Frame.op(Ops.PING), 1000, "bob", "users"));
        assertThat(ok.op()).isEqualTo(Ops.OK);
        assertThat(ok.str("database")).isEqualTo("ok");
        assertThat(ok.str("host")).isNotBlank();

        Files.delete(dir.resolve("state/motley.db"));
        Frame lost = requests.handle(as(Frame.op(Ops.PING), 1000, "bob", "users"));
        assertThat(lost.op()).isEqualTo(Ops.OK);
        assertThat(lost.str("database")).contains("state/motley.db was deleted or replaced while the controller ran");
    }
}
