package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.OutputChunk;
import io.motley.protocol.Message.Report;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running node's outbox: one chunk in flight per stream, offsets acknowledged, resent, capped, recovered. */
class OutputOutboxTest {
    @TempDir
    Path dir;

    final AtomicLong clock = new AtomicLong(1_000_000);
    final List<OutputChunk> sent = new ArrayList<>();
    boolean linkUp = true;

    OutputOutbox outbox(long cap) throws Exception {
        return new OutputOutbox(dir.resolve("outbox"), this::send, clock::get, cap);
    }

    boolean send(Report r) {
        if (!linkUp) return false;
        sent.add((OutputChunk) r);
        return true;
    }

    void append(Path f, String text) throws Exception {
        Files.writeString(f, text, StandardOpenOption.APPEND);
    }

    OutputChunk lastSent() {
        return sent.get(sent.size() - 1);
    }

    @Test
    void chunksFollowTheAcknowledgedOffsetAndTheLastOneClosesTheRun() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(12, 0, "job12", false);
        append(run.resolve("out"), "hello\n");
        o.tick();
        assertThat(sent).hasSize(1);
        assertThat(lastSent().offset()).isZero();
        assertThat(new String(lastSent().data(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
        assertThat(lastSent().last()).isFalse();
        // one chunk in flight: nothing more before its answer
        append(run.resolve("out"), "world\n");
        o.tick();
        assertThat(sent).hasSize(1);
        o.delivered(new Delivered(12, 0, "out", 6, null));
        assertThat(lastSent().offset()).isEqualTo(6);
        assertThat(new String(lastSent().data(), StandardCharsets.UTF_8)).isEqualTo("world\n");
        o.delivered(new Delivered(12, 0, "out", 12, null));
        o.ended("job12");
        o.tick();
        assertThat(lastSent().last()).isTrue();
        assertThat(lastSent().data()).isEmpty();
        assertThat(lastSent().offset()).isEqualTo(12);
        o.delivered(new Delivered(12, 0, "out", 12, null));
        assertThat(o.pending()).isZero();
        assertThat(Files.exists(run)).isFalse();
    }

    @Test
    void anUnansweredChunkGoesAgainAfterTheWaitFromTheSameOffset() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(3, 1, "job3.1", true);
        append(run.resolve("err"), "oops\n");
        o.tick();
        assertThat(sent).hasSize(1);
        assertThat(lastSent().stream()).isEqualTo("err");
        clock.addAndGet(OutputOutbox.RESEND_MILLIS - 1);
        o.tick();
        assertThat(sent).hasSize(1);
        clock.addAndGet(1);
        o.tick();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)).isEqualTo(sent.get(0));
    }

    @Test
    void aLinkThatIsDownLosesNothing() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(4, 0, "job4", false);
        append(run.resolve("out"), "kept\n");
        linkUp = false;
        o.tick();
        assertThat(sent).isEmpty();
        linkUp = true;
        clock.addAndGet(OutputOutbox.RESEND_MILLIS);
        o.tick();
        assertThat(sent).hasSize(1);
        assertThat(lastSent().offset()).isZero();
    }

    /** A restarted agent (or one whose submit host was away) sends from the last acknowledged offset, not from 0. */
    @Test
    void aNewOutboxResumesFromTheAcknowledgedOffset() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(5, 0, "job5", false);
        append(run.resolve("out"), "0123456789");
        o.tick();
        o.delivered(new Delivered(5, 0, "out", 4, null));
        o.ended("job5");
        sent.clear();
        OutputOutbox again = outbox(OutputOutbox.DEFAULT_CAP);
        again.tick();
        assertThat(sent).hasSize(1);
        assertThat(lastSent().offset()).isEqualTo(4);
        assertThat(new String(lastSent().data(), StandardCharsets.UTF_8)).isEqualTo("456789");
        assertThat(lastSent().last()).isTrue();
        again.delivered(new Delivered(5, 0, "out", 10, null));
        assertThat(again.pending()).isZero();
        assertThat(Files.exists(run)).isFalse();
    }

    /** A refused write (disk full on the submit host) keeps the bytes and tries again later, from the same offset. */
    @Test
    void aRefusedWriteIsKeptAndRetried() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(6, 0, "job6", false);
        append(run.resolve("out"), "data\n");
        o.tick();
        o.delivered(new Delivered(6, 0, "out", 0, "No space left on device"));
        assertThat(o.trouble(6, 0)).hasValue("No space left on device");
        clock.addAndGet(OutputOutbox.REFUSED_RETRY_FIRST_MILLIS - 1);
        o.tick();
        assertThat(sent).hasSize(1);
        clock.addAndGet(1);
        o.tick();
        assertThat(sent).hasSize(2);
        assertThat(lastSent().offset()).isZero();
        o.delivered(new Delivered(6, 0, "out", 5, null));
        assertThat(o.trouble(6, 0)).isEmpty();
    }

    /**
     * Refusals in a row wait 2 s, 4 s, 8 s, 16 s, then 30 s each (a freed disk is caught up soon, a
     * full one is not asked every tick), and a write that succeeds starts the row again from 2 s.
     */
    @Test
    void refusalsInARowBackOffFromTwoSecondsToThirtyAndASuccessResetsThem() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(9, 0, "job9", false);
        append(run.resolve("out"), "data\n");
        o.tick();
        long[] waits = {2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000};
        for (long wait : waits) {
            int before = sent.size();
            o.delivered(new Delivered(9, 0, "out", 0, "No space left on device"));
            clock.addAndGet(wait - 1);
            o.tick();
            assertThat(sent).as("retried before its %d ms wait", wait).hasSize(before);
            clock.addAndGet(1);
            o.tick();
            assertThat(sent).as("retried after its %d ms wait", wait).hasSize(before + 1);
            assertThat(lastSent().offset()).isZero();
        }
        o.delivered(new Delivered(9, 0, "out", 5, null));
        append(run.resolve("out"), "more\n");
        o.tick();
        assertThat(lastSent().offset()).isEqualTo(5);
        int before = sent.size();
        o.delivered(new Delivered(9, 0, "out", 5, "No space left on device"));
        clock.addAndGet(OutputOutbox.REFUSED_RETRY_FIRST_MILLIS);
        o.tick();
        assertThat(sent).hasSize(before + 1);
    }

    /** The submit host's file is shorter than the offset (deleted by its user, say): the stream goes again from there. */
    @Test
    void anAnswerBelowTheOffsetRewinds() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(7, 0, "job7", false);
        append(run.resolve("out"), "abcdef");
        o.tick();
        o.delivered(new Delivered(7, 0, "out", 6, null));
        o.delivered(new Delivered(7, 0, "out", 2, null));
        clock.addAndGet(OutputOutbox.RESEND_MILLIS);
        o.tick();
        assertThat(lastSent().offset()).isEqualTo(2);
        assertThat(new String(lastSent().data(), StandardCharsets.UTF_8)).isEqualTo("cdef");
    }

    @Test
    void chunksAreBoundedAndAStreamStopsAtTheCap() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.CHUNK_BYTES + 10L);
        Path run = o.open(8, 0, "job8", false);
        Files.write(run.resolve("out"), new byte[OutputOutbox.CHUNK_BYTES + 100]);
        o.ended("job8");
        o.tick();
        assertThat(lastSent().data()).hasSize(OutputOutbox.CHUNK_BYTES);
        o.delivered(new Delivered(8, 0, "out", OutputOutbox.CHUNK_BYTES, null));
        assertThat(lastSent().data()).hasSize(10);
        assertThat(lastSent().last()).isTrue();
        assertThat(o.overCap("job8")).get().asString().contains("--max-output");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        sent.forEach(c -> all.writeBytes(c.data()));
        assertThat(all.size()).isEqualTo(OutputOutbox.CHUNK_BYTES + 10);
        o.delivered(new Delivered(8, 0, "out", OutputOutbox.CHUNK_BYTES + 10L, null));
        assertThat(o.pending()).isZero();
    }

    /** motley logs reads the outbox from any offset while it is there, and is told when it is gone. */
    @Test
    void theOutboxCanBeReadForLogsUntilItIsDelivered() throws Exception {
        OutputOutbox o = outbox(OutputOutbox.DEFAULT_CAP);
        Path run = o.open(9, 0, "job9", false);
        append(run.resolve("out"), "abcdef");
        var middle = o.read(1, "job9", "out", 2, 3);
        assertThat(middle.found()).isTrue();
        assertThat(new String(middle.data(), StandardCharsets.UTF_8)).isEqualTo("cde");
        assertThat(middle.complete()).isFalse();
        o.ended("job9");
        var end = o.read(2, "job9", "out", 2, 100);
        assertThat(new String(end.data(), StandardCharsets.UTF_8)).isEqualTo("cdef");
        assertThat(end.complete()).isTrue();
        o.tick();
        o.delivered(new Delivered(9, 0, "out", 6, null));
        assertThat(o.read(3, "job9", "out", 0, 100).found()).isFalse();
    }
}
