package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobUpdateTest {
    static JobRequest request() {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp")
                .name("j")
                .submitHost("h")
                .build();
    }

    @Test
    void keysAreSlurmsInAnyCaseAndTheLastWordWins() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("TimeLimit", "1:00:00");
        pairs.put("numtasks", "4");
        pairs.put("NumCPUs", "2");
        pairs.put("JobName", "renamed");
        pairs.put("Dependency", "afterok:12");
        JobRequest r = JobUpdate.parse(pairs).apply(request(), List.of("debug"));
        assertThat(r.timing().limit()).isEqualTo(new TimeLimit.Seconds(3600));
        // NumCPUs after NumTasks makes one task of two CPUs, as scontrol does
        assertThat(r.ntasks()).isEqualTo(1);
        assertThat(r.cpusPerTask()).isEqualTo(2);
        assertThat(r.name()).isEqualTo("renamed");
        assertThat(r.dependency()).isEqualTo("afterok:12");
        assertThat(r.partitions()).containsExactly("debug");
    }

    @Test
    void anEmptyDependencyClearsItAndUnnamedFieldsStay() {
        JobRequest with = request().withDependency("afterany:3").withNice(10);
        JobRequest r = JobUpdate.parse(Map.of("Dependency", "")).apply(with, List.of());
        assertThat(r.dependency()).isNull();
        assertThat(r.nice()).isEqualTo(10);
        assertThat(r.name()).isEqualTo("j");
    }

    @Test
    void badKeysAndValuesAreRefusedWithSlurmsWords() {
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("Features", "x")))
                .hasMessage("Update of Features is not supported by Motley yet");
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("NumTasks", "many")))
                .hasMessageStartingWith("Invalid NumTasks specification: ");
    }

    @Test
    void onlyALowerNiceValueRaisesPriority() {
        JobRequest r = request().withNice(5);
        assertThat(JobUpdate.parse(Map.of("Nice", "1")).lowersNice(r)).isTrue();
        assertThat(JobUpdate.parse(Map.of("Nice", "9")).lowersNice(r)).isFalse();
        assertThat(JobUpdate.parse(Map.of("Name", "x")).lowersNice(r)).isFalse();
    }
}
