package io.motley.protocol.dataparser;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.TimeLimit;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The JSON writer: the streamed form writes the same bytes as the whole-string one, a piece at a time. */
class JsonTest {

    private static byte[] streamed(Object value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Json.write(out, value);
        return out.toByteArray();
    }

    private static Map<String, Object> jobDocument(List<?> jobs) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("jobs", jobs);
        payload.put("last_backfill", SlurmctldJson.number(5));
        payload.put("last_update", SlurmctldJson.number(6));
        return SlurmctldJson.document(
                payload,
                SlurmctldJson.meta("openapi/slurmctld", "Slurm OpenAPI slurmctld", "alice", List.of(), "lab"),
                List.of(),
                List.of());
    }

    private static Job job(long id, String name) {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/home/a")
                .name(name)
                .timeLimit(new TimeLimit.Seconds(600))
                .build();
        return Job.builder(id, r).build();
    }

    @Test
    void theStreamedFormIsByteForByteTheWholeString() throws Exception {
        List<Object> jobs = new ArrayList<>();
        // names with escapes, non-ASCII and a character outside the BMP (a surrogate pair in Java)
        String[] names = {"plain", "quote\" back\\slash", "tab\tnew\nline", "caf\u00e9 \u4e2d", "emoji \ud83d\ude80", ""
        };
        for (int i = 0; i < names.length; i++) jobs.add(SlurmctldJson.job(job(i + 1, names[i]), null, "lab"));
        for (Object doc : List.of(
                jobDocument(jobs),
                jobDocument(List.of()),
                Map.of(),
                List.of(),
                "s",
                List.of(List.of(), Map.of("a", List.of(1, 2.5, true)), "x"))) {
            assertThat(streamed(doc)).isEqualTo(Json.write(doc).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLongListAcrossManyChunksIsTheSameBytes() throws Exception {
        Random random = new Random(12);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(40); k > 0; k--)
                s.append(
                        random.nextInt(10) == 0
                                ? "\ud83d\ude80"
                                : String.valueOf((char) (0x20 + random.nextInt(0x300))));
            items.add(Map.of("i", i, "s", s.toString()));
        }
        Map<String, Object> doc = Map.of("items", items);
        assertThat(streamed(doc)).isEqualTo(Json.write(doc).getBytes(StandardCharsets.UTF_8));
    }

    /** An output stream that keeps nothing: it counts bytes and remembers the largest single write. */
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
    void twentyThousandJobsGoOutInSmallPiecesWhileTheyAreMade() throws Exception {
        int count = 20_000;
        Counting out = new Counting();
        long[] writtenWhenLastWasMade = {-1};
        Job template = job(1, "bench");
        // each job's map is made when the writer reaches it, as the REST API's listing makes them
        List<Object> lazy = new AbstractList<>() {
            @Override
            public Object get(int i) {
                if (i == count - 1) writtenWhenLastWasMade[0] = out.bytes;
                return SlurmctldJson.job(Job.builder(i + 1, template.request()).build(), null, "lab");
            }

            @Override
            public int size() {
                return count;
            }
        };
        Json.write(out, jobDocument(lazy));
        long oneJob = Json.write(SlurmctldJson.job(template, null, "lab")).length() * 2L;
        assertThat(out.bytes).isGreaterThan(count * 1000L);
        // the document was never held whole: no write larger than a chunk and one job ...
        assertThat(out.largestWrite).isLessThanOrEqualTo((int) (Json.STREAM_CHUNK * 3 + oneJob));
        // ... and nearly all of it had gone out before the last job was made
        assertThat(writtenWhenLastWasMade[0]).isGreaterThan(out.bytes - Json.STREAM_CHUNK * 3 - 2 * oneJob);
    }
}
