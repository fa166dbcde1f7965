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
    void overSubscribeContiguousAndRebootReadYesNoOrANumberFromAnyCaller() {
        JobRequest r = JobUpdate.parse(Map.of("OverSubscribe", "no", "Contiguous", "Yes", "Reboot", "2"))
                .apply(request(), List.of("debug"));
        assertThat(r.overSubscribe()).isEqualTo("NO");
        assertThat(r.flag("contiguous")).isEqualTo(1);
        assertThat(r.flag("reboot")).isEqualTo(1);
        JobRequest back = JobUpdate.parse(Map.of("OverSubscribe", "y", "Contiguous", "0", "Reboot", "n"))
                .apply(r, List.of("debug"));
        assertThat(back.overSubscribe()).isEqualTo("YES");
        assertThat(back.flag("contiguous")).isZero();
        assertThat(back.flag("reboot")).isZero();
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("Reboot", "maybe")))
                .hasMessage("Invalid Reboot specification: 'maybe' is not yes, no or a number");
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
    void onlyANegativeNiceValueNeedsAnOperatorAsInSlurm() {
        JobRequest r = request().withNice(5);
        assertThat(JobUpdate.parse(Map.of("Nice", "-1")).lowersNice(r)).isTrue();
        // lowering towards 0 is anyone's, as slurmctld allows any nice from 0 up
        assertThat(JobUpdate.parse(Map.of("Nice", "1")).lowersNice(r)).isFalse();
        assertThat(JobUpdate.parse(Map.of("Nice", "9")).lowersNice(r)).isFalse();
        assertThat(JobUpdate.parse(Map.of("Name", "x")).lowersNice(r)).isFalse();
        assertThat(JobUpdate.parse(Map.of("Nice", "-3")).lowersNice(request().withNice(-3)))
                .isFalse();
    }

    @Test
    void priorityIsAWholeNumberBelowSlurmsNoVal() {
        assertThat(JobUpdate.parse(Map.of("Priority", "0")).priority()).isZero();
        assertThat(JobUpdate.parse(Map.of("priority", "4294967294")).priority()).isEqualTo(JobUpdate.PRIORITY_RESET);
        for (String bad : List.of("-1", "4294967295", "high", "", "1.5")) {
            assertThatThrownBy(() -> JobUpdate.parse(Map.of("Priority", bad)))
                    .as(bad)
                    .hasMessage("Invalid Priority specification: Invalid Priority value: " + bad);
        }
    }

    @Test
    void aFixedPriorityIsKeptInTheRequestAndCleared() {
        JobRequest fixed = JobUpdate.withFixedPriority(request(), 500L);
        assertThat(JobUpdate.fixedPriority(fixed)).hasValue(500);
        assertThat(JobUpdate.fixedPriority(JobUpdate.withFixedPriority(fixed, null)))
                .isEmpty();
        assertThat(JobUpdate.fixedPriority(request())).isEmpty();
    }

    @Test
    void theArrayThrottleIsReadAsSlurmReadsItAndReplacesThePercent() {
        assertThat(JobUpdate.parse(Map.of("ArrayTaskThrottle", "3")).arrayTaskThrottle())
                .isEqualTo(3);
        // strtoll: leading digits, nothing readable is 0 (no throttle)
        assertThat(JobUpdate.throttle("2abc")).isEqualTo(2);
        assertThat(JobUpdate.throttle("abc")).isZero();
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("ArrayTaskThrottle", "-1")))
                .hasMessage("Invalid ArrayTaskThrottle specification: Invalid ArrayTaskThrottle value");
        assertThat(ArraySpec.withThrottle("1-10%2", 4)).isEqualTo("1-10%4");
        assertThat(ArraySpec.withThrottle("1-10%2", 0)).isEqualTo("1-10");
        assertThat(ArraySpec.withThrottle("1,3,5", 1)).isEqualTo("1,3,5%1");
        assertThat(ArraySpec.parse(ArraySpec.withThrottle("0-15:4", 2)).throttle())
                .isEqualTo(2);
    }

    @Test
    void mailTypeIsKeptAsSlurmPrintsItAndAnEmptyMailUserIsTheOwner() {
        JobRequest r = JobUpdate.parse(Map.of("MailType", "end,begin,bogus", "MailUser", "ann@lab"))
                .apply(request(), List.of());
        assertThat(r.options()).containsEntry("mail-type", "BEGIN,END").containsEntry("mail-user", "ann@lab");
        JobRequest back =
                JobUpdate.parse(Map.of("MailType", "none", "MailUser", "")).apply(r, List.of());
        assertThat(back.options()).containsEntry("mail-type", "NONE").doesNotContainKey("mail-user");
        assertThat(MailType.canonical("ALL")).isEqualTo("INVALID_DEPEND,BEGIN,END,FAIL,REQUEUE,STAGE_OUT");
        assertThat(MailType.canonical("time_limit,array_tasks,time_limit_80"))
                .isEqualTo("ARRAY_TASKS,TIME_LIMIT_80,TIME_LIMIT");
        assertThat(MailType.canonical("BEGIN,NONE,END")).isEqualTo("NONE");
        assertThatThrownBy(() -> JobUpdate.parse(Map.of("MailType", "bogus")))
                .hasMessage("Invalid MailType specification: Invalid MailType: bogus");
    }

    @Test
    void aStartedJobTakesOnlyTheKeysSlurmChangesOnIt() {
        assertThat(JobUpdate.parse(Map.of(
                                "TimeLimit", "5",
                                "Priority", "1",
                                "nice", "3",
                                "MailType", "END",
                                "MailUser", "x",
                                "ArrayTaskThrottle", "1",
                                "Comment", "c"))
                        .fitsStartedJob())
                .isTrue();
        assertThat(JobUpdate.parse(Map.of("TimeLimit", "5", "NumTasks", "2")).fitsStartedJob())
                .isFalse();
        assertThat(JobUpdate.parse(Map.of("Partition", "p")).fitsStartedJob()).isFalse();
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
