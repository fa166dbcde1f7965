package io.motley.controller.rest;

import static io.motley.controller.rest.RestFixture.ALICE;
import static io.motley.controller.rest.RestFixture.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.Submission;
import io.motley.controller.store.MemoryStore;
import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.TimeLimit;
import io.motley.core.scheduler.Plan;
import io.motley.protocol.Message;
import io.motley.protocol.dataparser.Json;
import io.motley.protocol.dataparser.SacctJson;
import io.motley.protocol.dataparser.SlurmctldJson;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job listings are streamed: the same bytes as the whole document, never held whole. */
class RestListingTest {
    @TempDir
    Path dir;

    /** GET /slurm/v0.0.40/jobs as it was written before it was streamed: the whole tree, then one string. */
    static String wholeJobsDocument(RestFixture f, String user) {
        Map<Long, Plan.Reservation> expected = f.cluster.expectedStarts();
        List<Object> out = new ArrayList<>();
        for (Job j : f.cluster.jobs()) {
            Plan.Reservation r = expected.get(j.id());
            Message.ExpectedStart e =
                    r != null && j.state() == JobState.PENDING ? new Message.ExpectedStart(r.start(), r.node()) : null;
            out.add(SlurmctldJson.job(j, e, "lab"));
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("jobs", out);
        payload.put(
                "last_backfill",
                SlurmctldJson.number(
                        f.cluster.diagnostics().figures().backfill().lastWhen()));
        payload.put("last_update", SlurmctldJson.number(f.now.get()));
        return Json.write(SlurmctldJson.document(
                payload,
                SlurmctldJson.meta("openapi/slurmctld", "Slurm OpenAPI slurmctld", user, List.of(), "lab"),
                List.of(),
                List.of()));
    }

    @Test
    void theStreamedListingIsTheWholeDocumentByteForByte() {
        try (RestFixture f = new RestFixture(dir)) {
            long a = f.submit(ALICE, "first");
            // escaped once for the JSON body: the name has quotes, a backslash, non-ASCII and a surrogate pair
            f.submit(BOB, "caf\u00e9 \\\"quoted\\\" back\\\\slash \ud83d\ude80");
            long c = f.submit(ALICE, "third");
            assertThat(f.call("POST", "/slurm/v0.0.40/job/" + a, ALICE, "{\"hold\": true}")
                            .status())
                    .isEqualTo(200);
            assertThat(f.call("DELETE", "/slurm/v0.0.40/job/" + c, ALICE, null).status())
                    .isEqualTo(200);
            f.cluster.schedulePass();
            RestResponse listing = f.call("GET", "/slurm/v0.0.40/jobs", ALICE, null);
            assertThat(listing.status()).isEqualTo(200);
            assertThat(listing.streamed()).as("the listing is streamed").isNotNull();
            assertThat(listing.contentType()).isEqualTo("application/json");
            assertThat(listing.text()).isEqualTo(wholeJobsDocument(f, "alice"));
            assertThat(listing.text()).contains("\"name\": \"third\"").contains("CANCELLED");

            // the accounting listing likewise
            RestResponse db = f.call("GET", "/slurmdb/v0.0.40/jobs", BOB, null);
            assertThat(db.streamed()).isNotNull();
            List<Object> records = new ArrayList<>();
            for (AccountingRecord r : f.cluster.accounting(
                    AccountingQuery.builder().window(0, Long.MAX_VALUE).build())) records.add(SacctJson.job(r, "lab"));
            // the held job has no eligible time: a time window leaves it out, as slurmdbd's does
            assertThat(records).hasSize(2);
            String whole = Json.write(SlurmctldJson.document(
                    Map.of("jobs", records),
                    SlurmctldJson.meta("openapi/slurmdbd", "Slurm OpenAPI slurmdbd", "bob", List.of(), "lab"),
                    List.of(),
                    List.of()));
            assertThat(db.text()).isEqualTo(whole);

            // one job, and every error, stay whole answers with a length
            assertThat(f.call("GET", "/slurm/v0.0.40/job/" + a, ALICE, null).streamed())
                    .isNull();
            assertThat(f.call("GET", "/slurm/v0.0.40/jobs?colour=red", ALICE, null)
                            .streamed())
                    .isNull();
        }
    }

    @Test
    void theControllersRouteHandsTheStreamToTheServer() {
        try (RestFixture f = new RestFixture(dir)) {
            f.submit(ALICE, "routed");
            io.motley.pki.http.HttpRoute.Response r = new RestRoute(f.api)
                    .handle(new io.motley.pki.http.HttpRoute.Request(
                            "GET",
                            "/slurm/v0.0.40/jobs",
                            "",
                            Map.of("x-slurm-user-token", List.of(f.token(ALICE))),
                            new byte[0],
                            null,
                            true));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.stream())
                    .as("a listing goes to the server as a stream")
                    .isNotNull();
            assertThat(r.bodyText()).isEqualTo(wholeJobsDocument(f, "alice"));
        }
    }

    /** Keeps nothing: counts the bytes and the largest single write. */
    static final class Counting extends OutputStream {
        long bytes;
        int largestWrite;

        @Override
        public void write(int b) {
            bytes++;
            largestWrite = Math.max(largestWrite, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            largestWrite = Math.max(largestWrite, len);
        }
    }

    @Test
    void twentyThousandJobsAreWrittenInSmallPieces() throws Exception {
        try (RestFixture f = new RestFixture(new MemoryStore(), "MinJobAge=86400\n")) {
            JobRequest request = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                    .name("many")
                    .timeLimit(new TimeLimit.Seconds(600))
                    .build();
            for (int i = 0; i < 20_000; i++)
                assertThat(f.cluster.submit(request, ALICE)).isInstanceOf(Submission.Accepted.class);
            RestResponse listing = f.call("GET", "/slurm/v0.0.40/jobs", ALICE, null);
            assertThat(listing.body()).isEmpty();
            Counting out = new Counting();
            listing.streamed().writeTo(out);
            // about 4 KB a job: 80 MB or so went out, never more than a few tens of KB in one piece
            assertThat(out.bytes).isGreaterThan(20_000L * 2_000);
            assertThat(out.largestWrite).isLessThan(64 * 1024);
        }
    }
}
