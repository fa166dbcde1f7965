package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job's wire form is the flat one it always was; the codec alone maps the typed parts to its numbers. */
class JobFrameTest {
    static final JobRequest REQUEST =
            JobRequest.builder("#!/bin/sh\ntrue\n", "/tmp").partitions("gpu").build();

    static Job typed() {
        return Job.builder(42, REQUEST)
                .owner("ann", 1000, 100)
                .state(JobState.CANCELLED)
                .priority(77)
                .times(new Job.Times(1700000000, 1700000010, 1700000020))
                .allocation(new Job.Allocation("gpu", "n1", 8, 2048, List.of(0, 2), TimeLimit.UNLIMITED))
                .outcome(new Job.Outcome(new ExitStatus(0, 15), 0, "cancelled"))
                .usage(new Usage(10, 20, 30, 40))
                .array(new ArrayPart(40, 2, ""))
                .restarts(1)
                .build();
    }

    @Test
    void aTypedJobIsWrittenWithTheFlatFieldsAsBefore() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("op", "job");
        expected.put("id", "42");
        expected.put("user", "ann");
        expected.put("uid", "1000");
        expected.put("gid", "100");
        expected.put("state", "CANCELLED");
        expected.put("reason", "None");
        expected.put("priority", "77");
        expected.put("submit", "1700000000");
        expected.put("start", "1700000010");
        expected.put("end", "1700000020");
        expected.put("partition", "gpu");
        expected.put("node", "n1");
        expected.put("allocCpus", "8");
        expected.put("allocMem", "2048");
        expected.put("limit", "-1");
        expected.put("exitCode", "0");
        expected.put("exitSignal", "15");
        expected.put("cancelledBy", "0");
        expected.put("gpuIds", "0,2");
        expected.put("maxRss", "10");
        expected.put("maxVm", "20");
        expected.put("userCpu", "30");
        expected.put("sysCpu", "40");
        expected.put("restarts", "1");
        expected.put("stateDesc", "cancelled");
        expected.put("arrayJobId", "40");
        expected.put("arrayTaskId", "2");
        expected.put("arrayPending", "");
        Frame f = Codec.job(typed(), true);
        assertThat(f.fields()).containsExactlyEntriesOf(expected);
    }

    @Test
    void aMultiNodeJobAddsItsPartsAndRoundTrips() throws IOException {
        JobRequest spread = JobRequest.builder("#!/bin/sh\n", "/tmp")
                .ntasks(6)
                .nodes(2, 4)
                .ntasksPerNode(3)
                .spreadJob(true)
                .build();
        Job j = Job.builder(9, spread)
                .state(JobState.RUNNING)
                .allocation(new Job.Allocation(
                        "main",
                        List.of(
                                new Job.Allocation.Part("n1", 3, 300, List.of(0, 1)),
                                new Job.Allocation.Part("n2", 3, 300, List.of()),
                                new Job.Allocation.Part("n3", 1, 100, List.of(2))),
                        TimeLimit.UNLIMITED))
                .build();
        Frame f = Codec.job(j, true);
        assertThat(f.fields())
                .containsEntry("node", "n1")
                .containsEntry("allocCpus", "7")
                .containsEntry("allocMem", "700")
                .containsEntry("gpuIds", "0,1")
                .containsEntry("parts", "n1:3:300:0+1;n2:3:300:;n3:1:100:2");
        assertThat(f.children().get(0).fields())
                .containsEntry("nodes", "2")
                .containsEntry("maxNodes", "4")
                .containsEntry("ntasksPerNode", "3")
                .containsEntry("spreadJob", "1");
        assertThat(Codec.job(FrameIO.decode(FrameIO.encode(f), Bounds.ANSWERS))).isEqualTo(j);
        assertThat(Codec.request(Codec.request(REQUEST, true)).resources()).isEqualTo(REQUEST.resources());
        assertThat(Codec.request(REQUEST, true).fields()).doesNotContainKeys("maxNodes", "ntasksPerNode", "spreadJob");
    }

    @Test
    void aJobRoundTripsThroughTheWire() throws IOException {
        Job pending = Job.builder(7, REQUEST).build();
        for (Job j : List.of(typed(), pending, pending.withStateDesc("x"))) {
            byte[] bytes = FrameIO.encode(Codec.job(j, true));
            Job back = Codec.job(FrameIO.decode(bytes, Bounds.ANSWERS));
            assertThat(back).isEqualTo(j);
            assertThat(FrameIO.encode(Codec.job(back, true))).isEqualTo(bytes);
        }
    }

    @Test
    void aSuspendedJobsTimesTravelAndANeverSuspendedJobCarriesNone() throws IOException {
        Job suspended = Job.builder(9, REQUEST)
                .owner("ann", 1000, 100)
                .state(JobState.SUSPENDED)
                .times(new Job.Times(1700000000, 1700000010, 0, 1700000100, 30))
                .allocation(new Job.Allocation("gpu", "n1", 8, 2048, List.of(), TimeLimit.UNLIMITED))
                .build();
        byte[] bytes = FrameIO.encode(Codec.job(suspended, true));
        Job back = Codec.job(FrameIO.decode(bytes, Bounds.ANSWERS));
        assertThat(back).isEqualTo(suspended);
        assertThat(back.times().suspendTime()).isEqualTo(1700000100);
        assertThat(back.times().suspendedSecs()).isEqualTo(30);
        assertThat(Codec.job(typed(), true).fields()).doesNotContainKeys("suspendTime", "suspendedSecs");
    }

    @Test
    void nobodyCancellingIsWrittenAsMinusOneAndReadBackAsAbsent() {
        Frame f = Codec.job(Job.builder(7, REQUEST).build(), true);
        assertThat(f.str("cancelledBy")).isEqualTo("-1");
        assertThat(f.str("gpuIds")).isEmpty();
        assertThat(Codec.job(f).outcome().cancelledBy()).isNull();
    }

    @Test
    void theSubmitNodeTravelsWithTheJob() {
        Job j = Job.builder(7, REQUEST.withSubmitNode("laptop"))
                .owner("ann", 1000, 100)
                .build();
        assertThat(Codec.job(Codec.job(j, true)).request().submitNode()).isEqualTo("laptop");
        assertThat(Codec.job(Codec.job(j, false)).request().submitNode()).isEqualTo("laptop");
    }

    @Test
    void unenforcedSbatchOptionsTravelWithThePayloadAndOldRecordsReadWithoutThem() {
        JobRequest hinted = REQUEST.toBuilder()
                .options(java.util.Map.of("hint", "compute_bound", "cpu-freq", "high"))
                .build();
        Frame f = Codec.request(hinted, true);
        assertThat(Codec.request(f).payload().options())
                .containsExactly(java.util.Map.entry("cpu-freq", "high"), java.util.Map.entry("hint", "compute_bound"));
        assertThat(Codec.request(f)).isEqualTo(hinted);
        assertThat(Codec.request(Codec.request(REQUEST, true)).payload().options())
                .isEmpty();
        assertThat(Codec.request(f).environment()).isEqualTo(hinted.environment());
    }

    @Test
    void keptOptionsTravelWithoutThePayloadTooAndAreNeverReadAsTheEnvironment() {
        JobRequest kept = REQUEST.toBuilder()
                .options(java.util.Map.of("wckey", "proj", "mail-type", "END"))
                .build();
        JobRequest back = Codec.request(Codec.request(kept, false));
        assertThat(back.options()).containsEntry("wckey", "proj").containsEntry("mail-type", "END");
        assertThat(back.environment())
                .as("the options frame is not the environment")
                .isEmpty();
        assertThat(back.arguments()).isEmpty();
        assertThat(Codec.request(Codec.request(kept, true))).isEqualTo(kept);
    }

    @Test
    void aRequestsLimitAndMemoryTravelAsTheWiresNumbersAndComeBackTyped() {
        Frame unset = Codec.request(REQUEST, false);
        assertThat(unset.str("timeLimit")).as("not given").isEqualTo("-2");
        assertThat(unset.str("memPerNode")).isEqualTo("-2");
        assertThat(unset.str("memPerCpu")).isEqualTo("-2");
        assertThat(Codec.request(unset).timing().limit()).isEqualTo(TimeLimit.UNSET);
        assertThat(Codec.request(unset).resources().memory()).isEqualTo(MemoryRequest.UNSET);

        JobRequest unlimited = REQUEST.toBuilder()
                .timeLimit(TimeLimit.UNLIMITED)
                .memory(new MemoryRequest.PerCpu(512))
                .build();
        Frame f = Codec.request(unlimited, false);
        assertThat(f.str("timeLimit")).isEqualTo("-1");
        assertThat(f.str("memPerNode")).isEqualTo("-2");
        assertThat(f.str("memPerCpu")).isEqualTo("512");
        assertThat(Codec.request(f).timing().limit()).isEqualTo(TimeLimit.UNLIMITED);
        assertThat(Codec.request(f).resources().memory()).isEqualTo(new MemoryRequest.PerCpu(512));

        JobRequest hour = REQUEST.toBuilder()
                .timeLimit(new TimeLimit.Seconds(3600))
                .memory(new MemoryRequest.PerNode(1024))
                .build();
        Frame h = Codec.request(hour, false);
        assertThat(h.str("timeLimit")).isEqualTo("3600");
        assertThat(h.str("memPerNode")).isEqualTo("1024");
        assertThat(Codec.request(h).timing().limit()).isEqualTo(new TimeLimit.Seconds(3600));
        assertThat(Codec.request(h).resources().memory()).isEqualTo(new MemoryRequest.PerNode(1024));
    }
}
