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
        assertThat(r.timing().limit().given()).isFalse();
        assertThat(r.resources().memory().given()).isFalse();
    }

    @Test
    void everyBuilderValueLandsInItsPart() {
        JobRequest flat = JobRequest.builder("script", "/w")
                .name("j")
                .placement(new JobRequest.Placement(List.of("debug"), "fast", "n1", "n2", true))
                .ntasks(2)
                .cpusPerTask(3)
                .memory(new MemoryRequest.PerCpu(512))
                .timeLimit(TimeLimit.UNLIMITED)
                .output("o", "e")
                .submitDir("/s")
                .environment(Map.of("A", "1"))
                .arguments(List.of("x"))
                .hold(true)
                .comment("c")
                .account("acct")
                .submitHost("h")
                .gpus(1, "a100")
                .dependency("afterok:1", true)
                .window(10, 20)
                .array("0-3")
                .nice(5)
                .qos("high")
                .requeue(false)
                .build();
        assertThat(flat.resources())
                .isEqualTo(new JobRequest.Resources(2, 3, true, 1, new MemoryRequest.PerCpu(512), 1, "a100"));
        assertThat(flat.timing()).isEqualTo(new JobRequest.Timing(TimeLimit.UNLIMITED, 10, 20));
        assertThat(flat.placement()).isEqualTo(new JobRequest.Placement(List.of("debug"), "fast", "n1", "n2", true));
        assertThat(flat.output()).isEqualTo(new JobRequest.Output("o", "e"));
        assertThat(flat.payload())
                .isEqualTo(new JobRequest.Payload("/w", "/s", Map.of("A", "1"), "script", List.of("x"), "h"));
        assertThat(flat.conditions()).isEqualTo(new JobRequest.Conditions(true, "afterok:1", true, "0-3"));
        assertThat(flat.resources().memory().onNodeMiB(flat.cpus(), 0)).isEqualTo(512 * 6);
        assertThat(flat.toBuilder().build()).isEqualTo(flat);
        assertThat(flat.withNice(7).terms()).isEqualTo(new JobRequest.Terms("acct", "high", "c", 7, false));
        assertThat(flat.withHold(false).conditions().dependency()).isEqualTo("afterok:1");
    }

    @Test
    void timeLimitsAndMemoryAreTypedNotSentinels() {
        assertThat(TimeLimit.of(3600)).isEqualTo(new TimeLimit.Seconds(3600));
        assertThat(TimeLimit.of(-1)).as("Durations.UNLIMITED").isEqualTo(TimeLimit.UNLIMITED);
        assertThatThrownBy(() -> TimeLimit.of(-2))
                .as("a stray not-given marker is no limit")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TimeLimit.Seconds(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new TimeLimit.Seconds(60).secondsOr(-1)).isEqualTo(60);
        assertThat(TimeLimit.UNLIMITED.secondsOr(-1)).isEqualTo(-1);
        assertThat(TimeLimit.UNSET.given()).isFalse();
        assertThat(TimeLimit.UNLIMITED.given()).isTrue();
        assertThat(new TimeLimit.Seconds(60).endFrom(100, 0)).isEqualTo(160);
        assertThat(new TimeLimit.Seconds(0).endFrom(100, 0))
                .as("no positive limit, no end")
                .isZero();
        assertThat(TimeLimit.UNLIMITED.endFrom(100, 0)).isZero();
        assertThat(new MemoryRequest.PerCpu(100).onNodeMiB(4, 0)).isEqualTo(400);
        assertThat(new MemoryRequest.PerNode(1024).onNodeMiB(4, 0)).isEqualTo(1024);
        assertThat(MemoryRequest.UNSET.onNodeMiB(4, -7)).isEqualTo(-7);
    }

    @Test
    void impossibleShapesAreRefused() {
        assertThatThrownBy(() -> JobRequest.builder("s", "/").ntasks(0).build())
                .hasMessage("ntasks must be at least 1");
        assertThatThrownBy(() -> JobRequest.builder("s", "/").gpus(-1, null).build())
                .hasMessage("GPU count must not be negative");
    }
}
