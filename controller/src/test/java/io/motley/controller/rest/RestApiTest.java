package io.motley.controller.rest;

import static io.motley.controller.rest.RestFixture.ALICE;
import static io.motley.controller.rest.RestFixture.BOB;
import static io.motley.controller.rest.RestFixture.ROOT;
import static io.motley.controller.rest.RestFixture.at;
import static io.motley.controller.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API called directly: every endpoint, every error case, and whom a token makes the caller. */
class RestApiTest {
    static final String S = "/slurm/v0.0.40/";

    @TempDir
    Path dir;

    RestFixture f;

    @BeforeEach
    void start() {
        f = new RestFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** The status, and the first error's number when there is one. */
    static void assertError(RestResponse r, int status, int errno, String inDescription) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        Map<String, Object> doc = json(r);
        assertThat(at(doc, "errors", 0, "error_number")).as(r.text()).isEqualTo((long) errno);
        assertThat((String) at(doc, "errors", 0, "description")).contains(inDescription);
        assertThat(doc.keySet()).contains("meta", "warnings");
        assertThat(r.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    // ---- read-only endpoints --------------------------------------------------------------------

    @Test
    void pingAnswersInTheV0040EnvelopeForTheTokensUser() {
        RestResponse r = f.call("GET", S + "ping", ALICE, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        Map<String, Object> doc = json(r);
        assertThat(at(doc, "pings", 0, "pinged")).isEqualTo("UP");
        assertThat(at(doc, "pings", 0, "hostname")).isEqualTo("ctl");
        assertThat(at(doc, "meta", "plugin", "data_parser")).isEqualTo("data_parser/v0.0.40");
        assertThat(at(doc, "meta", "plugin", "type")).isEqualTo("openapi/slurmctld");
        assertThat(at(doc, "meta", "client", "user")).isEqualTo("alice");
        assertThat(at(doc, "meta", "slurm", "cluster")).isEqualTo("lab");
        assertThat((List<?>) doc.get("errors")).isEmpty();
        assertThat((List<?>) doc.get("warnings")).isEmpty();
    }

    @Test
    void diagCountsSubmissions() {
        f.submit(ALICE, "a");
        f.submit(BOB, "b");
        Map<String, Object> doc = json(f.call("GET", S + "diag", ALICE, null));
        assertThat(at(doc, "statistics", "jobs_submitted")).isEqualTo(2L);
        assertThat(at(doc, "statistics", "jobs_pending")).isEqualTo(2L);
    }

    @Test
    void jobsListsEveryUsersJobsAndJobShowsOne() {
        long a = f.submit(ALICE, "first");
        long b = f.submit(BOB, "second");
        Map<String, Object> all = json(f.call("GET", S + "jobs", ALICE, null));
        List<?> jobs = (List<?>) all.get("jobs");
        assertThat(jobs).hasSize(2);
        assertThat(all.keySet()).contains("last_backfill", "last_update");
        Map<?, ?> one = json(f.call("GET", S + "job/" + a, BOB, null));
        assertThat(at(one, "jobs", 0, "job_id")).isEqualTo(a);
        assertThat(at(one, "jobs", 0, "name")).isEqualTo("first");
        assertThat(at(one, "jobs", 0, "user_name")).isEqualTo("alice");
        assertThat(at(one, "jobs", 0, "user_id")).isEqualTo(1001L);
        assertThat(at(one, "jobs", 0, "job_state")).isEqualTo(List.of("PENDING"));
        assertThat(at(one, "jobs", 0, "time_limit")).isEqualTo(Map.of("set", true, "infinite", false, "number", 5L));
        assertThat(at(one, "jobs", 0, "current_working_directory")).isEqualTo("/tmp");
        assertThat(at(one, "jobs", 0, "partition")).isEqualTo("main");
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    void unknownAndMalformedJobIdsAre404And400() {
        assertError(f.call("GET", S + "job/999999", ALICE, null), 404, 2017, "Unable to find JobId=999999");
        assertError(f.call("GET", S + "job/12abc", ALICE, null), 400, 2017, "not a job id");
        assertError(f.call("DELETE", S + "job/999999", ALICE, null), 404, 2017, "999999");
        assertError(f.call("POST", S + "job/999999", ALICE, "{\"comment\":\"x\"}"), 404, 2017, "999999");
    }

    @Test
    void nodesAndNodeByName() {
        Map<String, Object> doc = json(f.call("GET", S + "nodes", ALICE, null));
        assertThat(at(doc, "nodes", 0, "name")).isEqualTo("n1");
        assertThat(at(doc, "nodes", 0, "cpus")).isEqualTo(4L);
        assertThat(at(doc, "nodes", 0, "state")).isEqualTo(List.of("IDLE"));
        assertThat(at(doc, "nodes", 0, "partitions")).isEqualTo(List.of("main", "gpu"));
        assertThat(at(json(f.call("GET", S + "node/n1", ALICE, null)), "nodes", 0, "real_memory"))
                .isEqualTo(8000L);
        assertError(f.call("GET", S + "node/nope", ALICE, null), 404, 2018, "nope");
    }

    void sacctmgr(String... args) {
        assertThat(f.cluster
                        .changeAccounts(io.motley.core.accounts.Sacctmgr.parse(List.of(args)), ROOT, true)
                        .changed())
                .as(String.join(" ", args))
                .isTrue();
    }

    String reason() {
        return f.cluster.nodes().get(0).reason();
    }

    @Test
    void rootAndAdministratorsDrainAndResumeANodeAsSlurmrestdsUpdateNode() {
        RestResponse drain = f.call("POST", S + "node/n1", ROOT, "{\"state\":[\"DRAIN\"],\"reason\":\"new fan\"}");
        assertThat(drain.status()).as(drain.text()).isEqualTo(200);
        assertThat(json(drain)).containsKeys("meta", "errors", "warnings");
        assertThat(reason()).isEqualTo("new fan");
        assertThat(at(json(f.call("GET", S + "node/n1", ALICE, null)), "nodes", 0, "state"))
                .isEqualTo(List.of("IDLE", "DRAIN"));
        // a flag as a string alone is taken too; the name in the body is ignored, as in slurmrestd
        RestResponse resume = f.call("POST", S + "node/n1", ROOT, "{\"state\":\"RESUME\",\"name\":\"n9\"}");
        assertThat(resume.status()).as(resume.text()).isEqualTo(200);
        assertThat(reason()).isNull();

        // alice, no administrator, is refused; made one with sacctmgr, she may; an Operator may not
        assertError(f.call("POST", S + "node/n1", ALICE, "{\"state\":[\"DRAIN\"],\"reason\":\"x\"}"), 403, 2002, "n1");
        sacctmgr("add", "account", "lab");
        sacctmgr("add", "user", "alice", "account=lab", "adminlevel=Administrator");
        sacctmgr("add", "user", "bob", "account=lab", "adminlevel=Operator");
        RestResponse byAlice = f.call("POST", S + "node/n1", ALICE, "{\"state\":[\"DOWN\"],\"reason\":\"psu\"}");
        assertThat(byAlice.status()).as(byAlice.text()).isEqualTo(200);
        assertThat(reason()).isEqualTo("psu");
        assertError(f.call("POST", S + "node/n1", BOB, "{\"state\":[\"RESUME\"]}"), 403, 2002, "n1");
        assertThat(reason()).isEqualTo("psu");
    }

    @Test
    void aBadNodeUpdateIsA4xxWithTheReason() {
        String node = S + "node/n1";
        assertError(f.call("POST", S + "node/n9", ROOT, "{\"state\":[\"DRAIN\"],\"reason\":\"x\"}"), 404, 2018, "n9");
        assertError(f.call("POST", node, ROOT, "{\"state\":[\"DRAIN\"]}"), 400, -1, "reason");
        assertError(f.call("POST", node, ROOT, "{\"reason\":\"x\"}"), 400, 9001, "state: required");
        assertError(
                f.call("POST", node, ROOT, "{\"state\":[\"DOWN\",\"DRAIN\"],\"reason\":\"x\"}"), 400, 9001, "state");
        assertError(f.call("POST", node, ROOT, "{\"state\":[],\"reason\":\"x\"}"), 400, 9001, "state");
        assertError(f.call("POST", node, ROOT, "{\"state\":[\"FUTURE\"]}"), 400, -1, "n1");
        assertError(f.call("POST", node, ROOT, "{\"state\":[\"DRAIN\"],\"reason\":7}"), 400, 9001, "reason");
        assertError(
                f.call("POST", node, ROOT, "{\"state\":[\"DRAIN\"],\"reason\":\"x\",\"weight\":5}"),
                400,
                9001,
                "weight: not supported");
        assertError(
                f.call("POST", node, ROOT, "{\"state\":[\"DRAIN\"],\"colour\":\"red\"}"), 400, 9001, "unknown field");
        assertError(f.call("POST", node, ROOT, "{\"state\":"), 400, 9001, "malformed JSON");
        assertError(f.call("DELETE", node, ROOT, null), 405, 9000, "DELETE");
        assertThat(reason()).isNull();
    }

    @Test
    void partitionsAndPartitionByName() {
        Map<String, Object> doc = json(f.call("GET", S + "partitions", ALICE, null));
        assertThat((List<?>) doc.get("partitions")).hasSize(2);
        Map<?, ?> main = json(f.call("GET", S + "partition/main", ALICE, null));
        assertThat(at(main, "partitions", 0, "name")).isEqualTo("main");
        assertThat(at(main, "partitions", 0, "nodes", "configured")).isEqualTo("n1");
        assertThat(at(main, "partitions", 0, "cpus", "total")).isEqualTo(4L);
        assertThat(at(main, "partitions", 0, "maximums", "time"))
                .isEqualTo(Map.of("set", true, "infinite", false, "number", 60L));
        assertThat(at(main, "partitions", 0, "partition", "state")).isEqualTo(List.of("UP"));
        assertError(f.call("GET", S + "partition/nope", ALICE, null), 404, 2000, "nope");
    }

    @Test
    void accountingListsAJobsSrunStepsAfterItsBatchStep() {
        long a = f.submit(ALICE, "withsteps");
        f.cluster.schedulePass();
        var created = f.cluster
                .steps()
                .create(a, new io.motley.core.step.StepRequest(1, 0, 0, 1, 0, false, "hostname"), ALICE);
        assertThat(created.error()).isNull();
        f.cluster.steps().end(a, 0, io.motley.core.step.StepState.FAILED, 3, 0, ALICE);
        Map<String, Object> doc = json(f.call("GET", "/slurmdb/v0.0.40/jobs", ALICE, null));
        assertThat(at(doc, "jobs", 0, "job_id")).isEqualTo(a);
        List<?> steps = (List<?>) at(doc, "jobs", 0, "steps");
        assertThat(steps).hasSize(2);
        assertThat(at(steps, 0, "step", "id")).isEqualTo(a + ".batch");
        assertThat(at(steps, 1, "step", "id")).isEqualTo(a + ".0");
        assertThat(at(steps, 1, "step", "name")).isEqualTo("hostname");
        assertThat(at(steps, 1, "state")).isEqualTo(List.of("FAILED"));
        assertThat(at(steps, 1, "tasks", "count")).isEqualTo(1L);
        assertThat(at(steps, 1, "exit_code", "return_code", "number")).isEqualTo(3L);
    }

    @Test
    void accountingQuerySelectsByUserAndRefusesUnknownParameters() {
        long a = f.submit(ALICE, "mine");
        f.submit(BOB, "theirs");
        RestResponse r = f.call("GET", "/slurmdb/v0.0.40/jobs?users=alice", BOB, null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        Map<String, Object> doc = json(r);
        assertThat((List<?>) doc.get("jobs")).hasSize(1);
        assertThat(at(doc, "jobs", 0, "job_id")).isEqualTo(a);
        assertThat(at(doc, "jobs", 0, "state", "current")).isEqualTo(List.of("PENDING"));
        assertThat(at(doc, "meta", "plugin", "type")).isEqualTo("openapi/slurmdbd");
        assertError(f.call("GET", "/slurmdb/v0.0.40/jobs?colour=red", BOB, null), 400, 9000, "colour");
        assertError(f.call("GET", "/slurmdb/v0.0.40/jobs?start_time=yesterday", BOB, null), 400, 9000, "start_time");
    }

    // ---- submit ---------------------------------------------------------------------------------

    @Test
    void aSubmittedJobBelongsToTheTokensUserAndRunsAsThem() {
        RestResponse r = f.call("POST", S + "job/submit", ALICE, RestFixture.submitBody("restjob"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        Map<String, Object> doc = json(r);
        long id = (Long) doc.get("job_id");
        assertThat(doc.get("step_id")).isEqualTo("batch");
        assertThat(at(doc, "result", "job_id")).isEqualTo(id);
        var job = f.job(id);
        assertThat(job.user()).isEqualTo("alice");
        assertThat(job.uid()).isEqualTo(1001);
        assertThat(job.gid()).isEqualTo(1001);
        assertThat(job.request().environment()).containsEntry("PATH", "/bin:/usr/bin");
        assertThat(job.request().script()).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(job.timeLimit()).isEqualTo(new TimeLimit.Seconds(300));
    }

    @Test
    void aSubmissionWithoutADirectoryStartsInTheUsersHome() {
        RestResponse r = f.call(
                "POST",
                S + "job/submit",
                BOB,
                "{\"job\":{\"script\":\"#!/bin/sh\\ntrue\\n\",\"tasks\":2,\"memory_per_node\":{\"set\":true,\"infinite\":false,\"number\":100}}}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        var job = f.job((Long) json(r).get("job_id"));
        assertThat(job.request().workDir()).isEqualTo("/home/bob");
        assertThat(job.request().ntasks()).isEqualTo(2);
        // as sbatch -n keeps it: the tasks were asked for, so SLURM_TASKS_PER_NODE follows them
        assertThat(job.request().options()).containsEntry("ntasks", "2");
        assertThat(job.request().requestedMemMiB(0)).isEqualTo(100);
    }

    @Test
    void malformedSubmissionsAre400WithTheReason() {
        String sub = S + "job/submit";
        assertError(f.call("POST", sub, ALICE, "{\"script\": 12, \"job\": ["), 400, 9001, "malformed JSON");
        assertError(f.call("POST", sub, ALICE, ""), 400, 9001, "empty body");
        assertError(f.call("POST", sub, ALICE, "[1,2]"), 400, 9001, "JSON object");
        assertError(
                f.call("POST", sub, ALICE, "{\"job\":{\"name\":\"noscript\",\"current_working_directory\":\"/tmp\"}}"),
                400,
                2009,
                "Job script not specified");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"colour\":\"red\"}}"),
                400,
                9001,
                "job/colour: field not known");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{},\"extra\":1}"),
                400,
                9001,
                "\"extra\"");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"tasks\":\"two\"}}"),
                400,
                9001,
                "job/tasks: expected an integer");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"tasks\":0}}"),
                400,
                9001,
                "job/tasks");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"hold\":\"yes\"}}"),
                400,
                9001,
                "job/hold");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"environment\":[\"NOEQUALS\"]}}"),
                400,
                9001,
                "job/environment");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"time_limit\":1.5}}"),
                400,
                9001,
                "job/time_limit");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"job\":\"x\"}"),
                400,
                9002,
                "\"job\" must be an object");
        assertError(
                f.call("POST", sub, ALICE, "{\"script\":\"#!/bin/sh\\n\",\"jobs\":[{}]}"), 400, 9002, "heterogeneous");
        assertError(
                f.call(
                        "POST",
                        sub,
                        ALICE,
                        "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"user_id\":0,\"current_working_directory\":\"/tmp\"}}"),
                400,
                9001,
                "job/user_id");
        assertError(
                f.call(
                        "POST",
                        sub,
                        ALICE,
                        "{\"script\":\"#!/bin/sh\\n\",\"job\":{\"partition\":\"nope\",\"current_working_directory\":\"/tmp\"}}"),
                400,
                2000,
                "Invalid partition name specified");
        assertThat(f.cluster.jobs()).allMatch(j -> j.state() != JobState.PENDING);
    }

    @Test
    void anOversizedBodyIs413AndNothingIsSubmitted() {
        String big = "{\"script\":\"" + "x".repeat(f.api.maxBodyBytes()) + "\",\"job\":{}}";
        assertError(f.call("POST", S + "job/submit", ALICE, big), 413, 9205, "over");
        assertThat(f.cluster.jobs()).isEmpty();
    }

    // ---- update and cancel ----------------------------------------------------------------------

    @Test
    void theOwnerUpdatesAJobAndAnotherUserIsRefused() {
        long id = f.submit(ALICE, "j");
        RestResponse r = f.call(
                "POST",
                S + "job/" + id,
                ALICE,
                "{\"time_limit\":{\"set\":true,\"infinite\":false,\"number\":7},\"comment\":\"hello\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(at(json(r), "results", 0, "job_id")).isEqualTo(id);
        assertThat(f.job(id).timeLimit()).isEqualTo(new TimeLimit.Seconds(420));
        assertThat(f.job(id).request().comment()).isEqualTo("hello");
        assertError(
                f.call("POST", S + "job/" + id, BOB, "{\"comment\":\"mine now\"}"),
                403,
                2002,
                "Access/permission denied");
        assertThat(f.job(id).request().comment()).isEqualTo("hello");
        assertError(f.call("POST", S + "job/" + id, ALICE, "{\"account\":\"x\"}"), 400, 9001, "job/account");
        assertError(f.call("POST", S + "job/" + id, ALICE, "{\"nice\":\"high\"}"), 400, 9001, "job/nice");
        assertError(f.call("POST", S + "job/" + id, ALICE, "{}"), 400, 9001, "nothing to update");
    }

    @Test
    void holdAndReleaseThroughUpdate() {
        long id = f.submit(ALICE, "j");
        assertThat(f.call("POST", S + "job/" + id, ALICE, "{\"hold\":true}").status())
                .isEqualTo(200);
        assertThat(f.job(id).request().hold()).isTrue();
        assertThat(f.call("POST", S + "job/" + id, ALICE, "{\"hold\":false}").status())
                .isEqualTo(200);
        assertThat(f.job(id).request().hold()).isFalse();
    }

    @Test
    void theOwnerCancelsAndAnotherUserIsRefused() {
        long id = f.submit(ALICE, "j");
        assertError(f.call("DELETE", S + "job/" + id, BOB, null), 403, 2002, "Access/permission denied");
        assertThat(f.job(id).state()).isEqualTo(JobState.PENDING);
        assertError(f.call("DELETE", S + "job/" + id + "?signal=SIGUSR1", ALICE, null), 400, -1, "SIGUSR1");
        assertThat(f.job(id).state()).isEqualTo(JobState.PENDING);
        RestResponse r = f.call("DELETE", S + "job/" + id + "?signal=SIGKILL", ALICE, null);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(f.job(id).state()).isEqualTo(JobState.CANCELLED);
        assertError(f.call("DELETE", S + "job/" + id, ALICE, null), 409, 2021, "completed");
    }

    @Test
    void rootCancelsAnyonesJob() {
        long id = f.submit(ALICE, "j");
        assertThat(f.call("DELETE", S + "job/" + id, ROOT, null).status()).isEqualTo(200);
        assertThat(f.job(id).state()).isEqualTo(JobState.CANCELLED);
    }

    // ---- authentication -------------------------------------------------------------------------

    @Test
    void noTokenIs401() {
        assertError(f.call("GET", S + "ping", (io.motley.controller.cluster.Caller) null, null), 401, 6000, "no token");
        assertError(
                f.call("GET", S + "ping", Map.of("Authorization", List.of("Basic abc")), null), 401, 6000, "no token");
    }

    @Test
    void aBearerTokenIsAccepted() {
        RestResponse r = f.call("GET", S + "ping", Map.of("Authorization", List.of("Bearer " + f.token(BOB))), null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(at(json(r), "meta", "client", "user")).isEqualTo("bob");
    }

    @Test
    void anExpiredTokenIs401() {
        String t = f.tokens.issue(ALICE, 60);
        f.now.addAndGet(59);
        assertThat(f.call("GET", S + "ping", Map.of("X-SLURM-USER-TOKEN", List.of(t)), null)
                        .status())
                .isEqualTo(200);
        f.now.addAndGet(1);
        assertError(f.call("GET", S + "ping", Map.of("X-SLURM-USER-TOKEN", List.of(t)), null), 401, 6000, "expired");
    }

    @Test
    void aForgedTokenIs401() {
        Tokens other = new Tokens("another key of thirty-two bytes!".getBytes(), f.now::get);
        String forged = other.issue(ROOT, 600);
        assertError(
                f.call("GET", S + "ping", Map.of("X-SLURM-USER-TOKEN", List.of(forged)), null),
                401,
                6000,
                "signature is invalid");
        // alice's token with its payload swapped for root's keeps alice's signature
        String[] mine = f.token(ALICE).split("\\.");
        String[] roots = f.token(ROOT).split("\\.");
        String swapped = mine[0] + "." + roots[1] + "." + mine[2];
        assertError(
                f.call("GET", S + "ping", Map.of("X-SLURM-USER-TOKEN", List.of(swapped)), null),
                401,
                6000,
                "signature is invalid");
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + roots[1] + ".";
        assertError(f.call("GET", S + "ping", Map.of("X-SLURM-USER-TOKEN", List.of(none)), null), 401, 6000, "HS256");
        assertError(
                f.call("GET", S + "ping", Map.of("X-SLURM-USER-TOKEN", List.of("garbage")), null),
                401,
                6000,
                "not a JWT");
    }

    @Test
    void aUserNameHeaderMustMatchUnlessTheTokenIsRoots() {
        assertError(
                f.call(
                        "GET",
                        S + "ping",
                        Map.of("X-SLURM-USER-TOKEN", List.of(f.token(ALICE)), "X-SLURM-USER-NAME", List.of("bob")),
                        null),
                403,
                2002,
                "not \"bob\"");
        RestResponse same = f.call(
                "GET",
                S + "ping",
                Map.of("X-SLURM-USER-TOKEN", List.of(f.token(ALICE)), "X-SLURM-USER-NAME", List.of("alice")),
                null);
        assertThat(same.status()).isEqualTo(200);
        RestResponse asBob = f.call(
                "POST",
                S + "job/submit",
                Map.of("X-SLURM-USER-TOKEN", List.of(f.token(ROOT)), "X-SLURM-USER-NAME", List.of("bob")),
                RestFixture.submitBody("proxied"));
        assertThat(asBob.status()).as(asBob.text()).isEqualTo(200);
        assertThat(f.job((Long) json(asBob).get("job_id")).user()).isEqualTo("bob");
        assertError(
                f.call(
                        "GET",
                        S + "ping",
                        Map.of("X-SLURM-USER-TOKEN", List.of(f.token(ROOT)), "X-SLURM-USER-NAME", List.of("mallory")),
                        null),
                401,
                6000,
                "unknown user");
    }

    // ---- paths, methods, queries ----------------------------------------------------------------

    @Test
    void unknownPathsAre404AndWrongMethods405() {
        assertError(f.call("GET", S + "reservations", ALICE, null), 404, 9200, "reservations");
        assertError(f.call("GET", "/slurm/v0.0.39/jobs", ALICE, null), 404, 9200, "v0.0.39");
        assertError(f.call("GET", "/", ALICE, null), 404, 9200, "/");
        assertError(f.call("PUT", S + "jobs", ALICE, null), 405, 9000, "PUT");
        assertError(f.call("GET", S + "job/submit", ALICE, null), 405, 9000, "GET");
        assertError(f.call("PATCH", S + "job/1", ALICE, null), 405, 9000, "PATCH");
        assertError(f.call("POST", "/openapi/v3", ALICE, null), 405, 9000, "POST");
    }

    @Test
    void unknownOrRepeatedQueryParametersAre400() {
        assertError(f.call("GET", S + "jobs?bogus=1", ALICE, null), 400, 9000, "bogus");
        assertError(f.call("GET", S + "jobs?flags=a&flags=b", ALICE, null), 400, 9000, "twice");
        assertError(f.call("GET", S + "ping?x", ALICE, null), 400, 9000, "\"x\"");
        assertThat(f.call("GET", S + "jobs?update_time=0&flags=DETAIL", ALICE, null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentNeedsNoToken() {
        RestResponse r = f.call("GET", "/openapi/v3", (io.motley.controller.cluster.Caller) null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(at(json(r), "info", "version")).isEqualTo("0.0.40");
    }
}
