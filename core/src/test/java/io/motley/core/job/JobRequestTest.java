package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobRequestTest {
    @Test
    void theBuilderStartsFromOneTaskOfOneCpuWithNothingElseGiven() {
        JobRequest r = JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").build();
        assertThat(r.resources().cpus()).isEqualTo(1);
        assertThat(r.resources().memory()).isEqualTo(MemoryRequest.UNSET);
        assertThat(r.timing().limit()).isEqualTo(TimeLimit.UNSET);
        assertThat(r.terms().requeue()).isTrue();
        assertThat(r.payload().submitDir()).isEqualTo("/tmp");
        // the older view of the same values
        assertThat(r.timeLimitSeconds()).isEqualTo(JobRequest.UNSET);
        assertThat(r.requestedMemMiB()).isEqualTo(JobRequest.UNSET);
    }

    @Test
    void theFlatFormAndTheTypedPartsSayTheSame() {
        JobRequest flat = new JobRequest(
                "j",
                List.of("debug"),
                2,
                3,
                true,
                1,
                JobRequest.UNSET,
                512,
                -1,
                "o",
                "e",
                "/w",
                "/s",
                Map.of("A", "1"),
                "script",
                List.of("x"),
                true,
                "c",
                "acct",
                "h",
                1,
                "a100",
                "afterok:1",
                true,
                10,
                "fast",
                "n1",
                "n2",
                true,
                "0-3",
                5,
                "high",
                20,
                false);
        assertThat(flat.resources())
                .isEqualTo(new JobRequest.Resources(2, 3, true, 1, new MemoryRequest.PerCpu(512), 1, "a100"));
        assertThat(flat.timing()).isEqualTo(new JobRequest.Timing(TimeLimit.UNLIMITED, 10, 20));
        assertThat(flat.requestedMemMiB()).isEqualTo(512 * 6);
        assertThat(flat.memPerCpuMiB()).isEqualTo(512);
        assertThat(flat.memPerNodeMiB()).isEqualTo(JobRequest.UNSET);
        assertThat(flat.timeLimitSeconds()).isEqualTo(-1);
        assertThat(flat.toBuilder().build()).isEqualTo(flat);
        assertThat(flat.withNice(7).terms()).isEqualTo(new JobRequest.Terms("acct", "high", "c", 7, false));
        assertThat(flat.withHold(false).conditions().dependency()).isEqualTo("afterok:1");
    }

    @Test
    void timeLimitsAndMemoryAreTypedNotSentinels() {
        assertThat(TimeLimit.of(3600)).isEqualTo(new TimeLimit.Seconds(3600));
        assertThat(TimeLimit.of(JobRequest.UNSET)).isEqualTo(TimeLimit.UNSET);
        assertThat(TimeLimit.of(-1)).isEqualTo(TimeLimit.UNLIMITED);
        assertThat(new TimeLimit.Seconds(60).legacySeconds()).isEqualTo(60);
        assertThatThrownBy(() -> new TimeLimit.Seconds(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MemoryRequest.of(1024, 10)).isEqualTo(new MemoryRequest.PerNode(1024));
        assertThat(new MemoryRequest.PerCpu(100).onNodeMiB(4)).isEqualTo(400);
    }

    @Test
    void impossibleShapesAreRefused() {
        assertThatThrownBy(() -> JobRequest.builder("s", "/").ntasks(0).build())
                .hasMessage("ntasks must be at least 1");
        assertThatThrownBy(() -> JobRequest.builder("s", "/").gpus(-1, null).build())
                .hasMessage("GPU count must not be negative");
    }
}
