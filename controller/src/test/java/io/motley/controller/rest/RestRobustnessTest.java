package io.motley.controller.rest;

import static io.motley.controller.rest.RestFixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever a client sends, the answer is a 2xx or a 4xx in the error layout: never a 500 (seeded; the seed is in a failure). */
class RestRobustnessTest {
    @TempDir
    Path dir;

    static final List<String> PIECES = List.of(
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"script\"",
            "\"job\"",
            "\"#!/bin/sh\\n\"",
            "\"tasks\"",
            "\"time_limit\"",
            "\"environment\"",
            "\"nodes\"",
            "\"memory_per_node\"",
            "\"set\"",
            "\"number\"",
            "\"infinite\"",
            "true",
            "false",
            "null",
            "0",
            "-1",
            "99999999999999999999",
            "1.5",
            "\"x\"",
            "\"/tmp\"",
            "\"current_working_directory\"",
            "\"partition\"",
            "\"hold\"",
            "\"nice\"",
            "\"dependency\"",
            "\"afterok:1\"",
            "\"array\"",
            "\"1-3\"",
            "\"tres_per_node\"",
            "\"gres/gpu:x\"",
            "\"\\ud800\"",
            "\"exclusive\"",
            "\"argv\"");

    @Test
    void randomBodiesNeverMakeA500() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        try (RestFixture f = new RestFixture(dir)) {
            long id = f.submit(ALICE, "target");
            for (int i = 0; i < 400; i++) {
                StringBuilder body = new StringBuilder();
                if (rnd.nextBoolean()) body.append("{\"script\":\"#!/bin/sh\\n\",\"job\":{");
                for (int n = rnd.nextInt(12); n > 0; n--) body.append(PIECES.get(rnd.nextInt(PIECES.size())));
                if (rnd.nextBoolean()) body.append("}}");
                String path = rnd.nextBoolean() ? "/slurm/v0.0.40/job/submit" : "/slurm/v0.0.40/job/" + id;
                RestResponse r = f.call("POST", path, ALICE, body.toString());
                assertThat(r.status())
                        .as("seed %d body %s: %s", seed, body, r.text())
                        .isLessThan(500);
                assertThat(RestFixture.json(r)).as("seed %d", seed).containsKey("errors");
            }
        }
    }
}
