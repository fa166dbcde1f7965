package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.job.JobState;
import io.motley.protocol.Message.Queue;
import io.motley.protocol.Message.QueueList;
import io.motley.protocol.Message.QueueRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** squeue's request and its columnar answer: what goes in comes out, and a bad column is named. */
class QueueFramesTest {
    private static final String[] WORDS = {
        "", "a", "alice", "x,y", "3:abc", "12:", ":", ",", "line\nbreak", "ünï ☃", "(Priority)", "0", "-1"
    };

    private static String text(Random rnd) {
        int k = rnd.nextInt(WORDS.length + 2);
        return k >= WORDS.length ? null : WORDS[k];
    }

    private static long number(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MAX_VALUE;
            case 3 -> Long.MIN_VALUE;
            default -> rnd.nextInt(2000) - 1000;
        };
    }

    static QueueRow randomRow(Random rnd) {
        JobState[] states = JobState.values();
        return new QueueRow(
                number(rnd),
                text(rnd),
                number(rnd),
                text(rnd),
                states[rnd.nextInt(states.length)],
                number(rnd),
                text(rnd),
                text(rnd),
                text(rnd),
                number(rnd),
                number(rnd),
                number(rnd),
                number(rnd),
                number(rnd),
                text(rnd),
                text(rnd),
                text(rnd),
                number(rnd),
                text(rnd),
                number(rnd),
                number(rnd),
                text(rnd),
                number(rnd),
                text(rnd),
                text(rnd),
                text(rnd),
                text(rnd),
                number(rnd),
                text(rnd),
                number(rnd),
                number(rnd),
                number(rnd));
    }

    private static QueueList roundTrip(QueueList answer) throws IOException {
        Frame wire = FrameIO.fromBytes(FrameIO.toBytes(Messages.encode(answer)));
        return (QueueList) Messages.answer(Queue.all(""), wire);
    }

    @Test
    void randomRowsRoundTrip() throws IOException {
        for (long seed = 1; seed <= 200; seed++) {
            Random rnd = new Random(seed);
            List<QueueRow> rows = new ArrayList<>();
            int n = rnd.nextInt(30);
            for (int i = 0; i < n; i++) rows.add(randomRow(rnd));
            assertThat(roundTrip(new QueueList(rows))).as("seed %d", seed).isEqualTo(new QueueList(rows));
        }
    }

    @Test
    void anEmptyQueueAndOneRowOfDefaultsRoundTrip() throws IOException {
        assertThat(roundTrip(new QueueList(List.of()))).isEqualTo(new QueueList(List.of()));
        QueueRow bare = new QueueRow(
                0,
                null,
                0,
                null,
                JobState.PENDING,
                0,
                null,
                null,
                null,
                0,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                0,
                null,
                0,
                0,
                null,
                0,
                null,
                null,
                null,
                null,
                0,
                null,
                0,
                0,
                0);
        assertThat(roundTrip(new QueueList(List.of(bare, bare)))).isEqualTo(new QueueList(List.of(bare, bare)));
    }

    @Test
    void aLargeQueueOfLikeJobsTakesAFewBytesAJob() {
        List<QueueRow> rows = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rows.add(new QueueRow(
                    1000 + i,
                    null,
                    0,
                    null,
                    JobState.PENDING,
                    4294901028L,
                    "debug",
                    "simulate",
                    "alice",
                    0,
                    0,
                    0,
                    0,
                    600,
                    "(Priority)",
                    null,
                    null,
                    0,
                    null,
                    1700000000 + i / 100,
                    0,
                    null,
                    0,
                    null,
                    null,
                    null,
                    null,
                    0,
                    null,
                    1,
                    0,
                    0));
        }
        byte[] wire = FrameIO.toBytes(Messages.encode(new QueueList(rows)));
        // a whole record (Codec.job) is about a kilobyte; here the columns hold little more than separators
        assertThat(wire.length / rows.size()).isLessThan(12);
    }

    @Test
    void theRequestCarriesEveryFilter() {
        Queue q = new Queue(
                Set.of(12L, 13L),
                Set.of("alice", "1001"),
                EnumSet.of(JobState.PENDING, JobState.RUNNING),
                Set.of("debug", "gpu"),
                Set.of("sim"),
                Set.of("physics"),
                Set.of("n1", "n2"),
                "iPjutMDR#");
        assertThat(Messages.decode(Messages.encode(q))).isEqualTo(q);
        Queue any = new Queue(Set.of(12L), Set.of(), null, Set.of(), Set.of(), Set.of(), Set.of(), "i");
        assertThat(Messages.decode(Messages.encode(any))).isEqualTo(any);
        Queue none = new Queue(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), "");
        assertThat(Messages.decode(Messages.encode(none))).isEqualTo(none);
    }

    @Test
    void aRequestWithAnUnknownStateIsRefusedByName() {
        assertThatThrownBy(() -> Messages.request(Frame.op(Ops.QUEUE).put("states", "PENDING,NAPPING")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("states: 'NAPPING'");
    }

    @Test
    void aBadColumnIsNamed() {
        Frame ok = Frame.op(Ops.OK).put("n", 2).put("state", "1,").put("state.d", "7:PENDING");
        assertThat(((QueueList) Messages.answer(Queue.all(""), ok)).rows()).hasSize(2);
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("id", "1,x")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("id: 'x' is not a number");
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("id", "1,2,3")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("id: more than 2 rows");
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("id", "1")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("id: 1 of 2 rows");
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("state", "1,2")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("state: index 2 is not in its dictionary");
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("state.d", "9:PENDING")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("state.d: an entry runs past the end");
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("state.d", "7:NAPPING")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("state: 'NAPPING' is no job state");
        assertThatThrownBy(() -> Messages.answer(Queue.all(""), copy(ok).put("state", "0,1")))
                .isInstanceOf(MalformedMessage.class)
                .hasMessageContaining("state: missing in row 0");
    }

    private static Frame copy(Frame f) {
        Frame c = new Frame();
        f.fields().forEach(c::put);
        return c;
    }
}
