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
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("Licenses", "x")))
                .hasMessage("Update of Licenses is not supported by Motley yet");
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("Requeue", "yes")))
                .hasMessage("Invalid Requeue specification: 'yes' is not 0 or 1");
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("WorkDir", "tmp")))
                .hasMessage("Invalid WorkDir specification: 'tmp' is not an absolute path");
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("NumNodes", "3-2")))
                .hasMessage("Invalid NumNodes specification: '3-2' is no node count");
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("MinMemoryNode", "lots")))
                .hasMessageStartingWith("Invalid MinMemoryNode specification: ");
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

    @Test
    void memoryStartPlacementFilesAccountQosRequeueAndNodesAreChanged() {
        java.time.ZonedDateTime now = java.time.ZonedDateTime.parse("2026-12-01T10:00:00Z");
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("MinMemoryNode", "2G");
        pairs.put("StartTime", "now+1hour");
        pairs.put("Features", "gpu&fast");
        pairs.put("ReqNodeList", "n[1-2]");
        pairs.put("ExcNodeList", "n3");
        pairs.put("WorkDir", "/scratch/run");
        pairs.put("StdOut", "out-%j.txt");
        pairs.put("StdErr", "err-%j.txt");
        pairs.put("Account", "physics");
        pairs.put("QOS", "high");
        pairs.put("Requeue", "0");
        pairs.put("NumNodes", "2-4");
        JobRequest r = JobUpdate.parse(pairs, now).apply(request(), List.of("debug"));
        assertThat(r.resources().memory()).isEqualTo(new MemoryRequest.PerNode(2048));
        assertThat(r.timing().beginTime()).isEqualTo(now.toEpochSecond() + 3600);
        assertThat(r.constraint()).isEqualTo("gpu&fast");
        assertThat(r.nodeList()).isEqualTo("n[1-2]");
        assertThat(r.excludeList()).isEqualTo("n3");
        assertThat(r.payload().workDir()).isEqualTo("/scratch/run");
        assertThat(r.output().stdoutPattern()).isEqualTo("out-%j.txt");
        assertThat(r.output().stderrPattern()).isEqualTo("err-%j.txt");
        assertThat(r.terms().account()).isEqualTo("physics");
        assertThat(r.terms().qos()).isEqualTo("high");
        assertThat(r.terms().requeue()).isFalse();
        assertThat(r.resources().nodes()).isEqualTo(2);
        assertThat(r.resources().maxNodes()).isEqualTo(4);
        assertThat(r.name()).isEqualTo("j");

        // empty values clear, and MinMemoryCPU replaces a per-node request
        Map<String, String> clear = new LinkedHashMap<>();
        clear.put("Features", "");
        clear.put("ReqNodeList", "");
        clear.put("ExcNodeList", "");
        clear.put("StartTime", "");
        clear.put("MinMemoryCPU", "300");
        JobRequest cleared = JobUpdate.parse(clear, now).apply(r, List.of());
        assertThat(cleared.constraint()).isNull();
        assertThat(cleared.nodeList()).isNull();
        assertThat(cleared.excludeList()).isNull();
        assertThat(cleared.timing().beginTime()).isZero();
        assertThat(cleared.resources().memory()).isEqualTo(new MemoryRequest.PerCpu(300));
        assertThat(cleared.terms().account()).isEqualTo("physics");
    }
}
