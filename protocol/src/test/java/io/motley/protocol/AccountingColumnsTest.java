package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.accounting.AccountingQuery;
import io.motley.core.accounting.AccountingRecord;
import io.motley.core.accounting.JobRun;
import io.motley.core.accounting.JobStep;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.job.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sacct's answer in columns reads back as the answer of a frame per job does, in far fewer bytes. */
class AccountingColumnsTest {
    static JobRequest plain() {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/home/ann")
                .environment(Map.of("SECRET", "x"))
                .build();
    }

    /** Jobs with every part a job frame carries set one way or another, and the parts left null or empty. */
    static List<AccountingRecord> records() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("wckey", "w1");
        options.put("mail-type", "END,FAIL");
        options.put("odd:key", "3:abc");
        JobRequest full = JobRequest.builder("#!/bin/sh\necho hi\n", "/scratch/b")
                .name("name with spaces|and a bar")
                .ntasks(6)
                .cpusPerTask(2, true)
                .nodes(2, 4)
                .ntasksPerNode(3)
                .ntasksGiven(false)
                .spreadJob(true)
                .memory(new MemoryRequest.PerCpu(512))
                .gpus(1, "a100")
                .partitions("gpu", "main")
                .timeLimit(new TimeLimit.Seconds(3600))
                .window(1_700_000_100L, 1_700_900_000L)
                .output("out-%j", "err-%j")
                .submitDir("/home/b")
                .submitHost("login1")
                .options(options)
                .hold(true)
                .dependency("afterok:3", true)
                .array("0-9%2")
                .account("physics")
                .qos("high")
                .comment("ünïcode ✓")
                .nice(-5)
                .requeue(false)
                .build();
        Job multi = Job.builder(9, full)
                .owner("bob", 1001, 100)
                .state(JobState.CANCELLED)
                .reason(PendingReason.Dependency)
                .priority(4242)
                .times(new Job.Times(1_700_000_000L, 1_700_000_010L, 1_700_000_900L, 1_700_000_100L, 30))
                .allocation(new Job.Allocation(
                        "gpu",
                        List.of(
                                new Job.Allocation.Part("n1", 3, 300, List.of(0, 1)),
                                new Job.Allocation.Part("n2", 3, 300, List.of())),
                        TimeLimit.UNLIMITED))
                .outcome(new Job.Outcome(new ExitStatus(0, 15), 0, "cancelled by root"))
                .usage(new Usage(10, 20, 30, 40))
                .array(new ArrayPart(8, 1, ""))
                .restarts(2)
                .build();
        Job pendingArray = Job.builder(
                        12,
                        plain().toBuilder()
                                .memory(new MemoryRequest.PerNode(2048))
                                .build())
                .owner("ann", 1000, 1000)
                .times(new Job.Times(1_700_000_000L, 0, 0))
                .array(new ArrayPart(12, -1, "3-9"))
                .build();
        Job done = Job.builder(13, plain())
                .owner("ann", 1000, 1000)
                .state(JobState.COMPLETED)
                .times(new Job.Times(1_700_000_000L, 1_700_000_005L, 1_700_000_015L))
                .allocation(new Job.Allocation("main", "n3", 4, 1024, List.of(2, 3), TimeLimit.UNSET))
                .outcome(new Job.Outcome(new ExitStatus(3, 0), null, null))
                .build();
        List<AccountingRecord> out = new ArrayList<>();
        JobStep batch = new JobStep(
                0,
                "batch",
                1_700_000_005L,
                1_700_000_015L,
                "COMPLETED",
                new ExitStatus(3, 0),
                "n3",
                4,
                new Usage(1 << 20, 2 << 20, 1500, 20));
        JobStep unnamed = new JobStep(0, null, 0, 0, null, null, null, 0, null);
        out.add(new AccountingRecord(done, null, List.of(batch, unnamed)));
        out.add(new AccountingRecord(pendingArray, null, List.of()));
        out.add(new AccountingRecord(
                multi,
                new JobRun(0, 1_700_000_010L, 1_700_000_020L, "REQUEUED", new ExitStatus(0, 9), "n1", 6),
                List.of(batch)));
        out.add(new AccountingRecord(multi, new JobRun(1, 1, 2, null, null, null, 0), List.of()));
        out.add(new AccountingRecord(multi, null, List.of(batch)));
        out.add(new AccountingRecord(Job.builder(14, plain()).build(), null, List.of()));
        return out;
    }

    private static List<AccountingRecord> overTheWire(Frame answer) throws IOException {
        return AccountingFrames.records(FrameIO.decode(FrameIO.encode(answer), Bounds.ANSWERS));
    }

    @Test
    void theColumnsReadBackAsTheFramesDo() throws IOException {
        List<AccountingRecord> records = records();
        List<AccountingRecord> framed = overTheWire(AccountingFrames.answer(records));
        List<AccountingRecord> columns = overTheWire(AccountingFrames.columns(records));
        assertThat(columns).isEqualTo(framed);
        // and what the frames keep is all there is but the payload
        assertThat(columns.get(2).job().request().options()).containsEntry("odd:key", "3:abc");
        assertThat(columns.get(0).job().request().environment()).isEmpty();
        assertThat(columns.get(2).run().run()).isZero();
        assertThat(columns.get(3).run().state()).isEqualTo(JobRun.REQUEUED);
        assertThat(columns.get(0).steps().get(1).name()).isEqualTo("batch");
    }

    @Test
    void noRecordsIsAnEmptyAnswer() throws IOException {
        assertThat(overTheWire(AccountingFrames.columns(List.of()))).isEmpty();
    }

    @Test
    void tenThousandWaitingJobsTakeAFewBytesEach() {
        List<AccountingRecord> records = new ArrayList<>();
        for (int i = 1; i <= 10_000; i++) {
            Job j = Job.builder(i, plain())
                    .owner("ann", 1000, 1000)
                    .times(new Job.Times(1_700_000_000L + i / 50, 0, 0))
                    .build();
            records.add(new AccountingRecord(j, null, List.of()));
        }
        int columns = FrameIO.encode(AccountingFrames.columns(records)).length;
        int frames = FrameIO.encode(AccountingFrames.answer(records)).length;
        assertThat(columns).isLessThan(30 * 10_000);
        assertThat(frames).as("%d bytes in frames", frames).isGreaterThan(20 * columns);
    }

    @Test
    void theQueryAsksForColumnsAndAFrameAnswerStillReads() throws IOException {
        Frame query = AccountingFrames.query(AccountingQuery.builder().build());
        assertThat(AccountingFrames.wantsColumns(query)).isTrue();
        assertThat(AccountingFrames.wantsColumns(Frame.op(Ops.ACCOUNTING))).isFalse();
        // a controller from before the columns answers with a frame per record
        assertThat(overTheWire(AccountingFrames.answer(records())))
                .extracting(r -> r.job().id())
                .containsExactly(13L, 12L, 9L, 9L, 9L, 14L);
    }

    @Test
    void aMalformedAnswerIsRefusedNamingTheColumn() {
        Frame f = AccountingFrames.columns(records());
        assertThatThrownBy(() -> AccountingFrames.records(copy(f).put("s.rec", "99")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("s.rec");
        assertThatThrownBy(() -> AccountingFrames.records(copy(f).put("j.uid", "x,,,,,")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("j.uid");
        assertThatThrownBy(() -> AccountingFrames.records(copy(f).put("j.uid", "9999999999,,,,,")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("j.uid");
        Frame noState = copy(f);
        noState.removeFieldsStartingWith("j.state");
        assertThatThrownBy(() -> AccountingFrames.records(noState))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("j.state");
        assertThatThrownBy(() -> AccountingFrames.records(copy(f).put("n", "-1")))
                .isInstanceOf(MalformedMessage.class);
        assertThatThrownBy(() -> AccountingFrames.records(copy(f).put("j.options.d", "9:x")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("j.options");
    }

    private static Frame copy(Frame f) {
        Frame out = new Frame();
        f.fields().forEach(out::put);
        return out;
    }
}
