package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.JobState;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.LogText;
import io.motley.protocol.Message.Logs;
import io.motley.protocol.Messages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley logs: from the node's outbox while the output waits there, else from the file; -f follows to the end. */
class MotleyLogsTest {
    @TempDir
    Path dir;

    final Deque<LogText> answers = new ArrayDeque<>();
    final List<Logs> asked = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    int pauses;

    int run(String... args) throws Exception {
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of(),
                dir.toString(),
                (Frame req) -> {
                    asked.add((Logs) Messages.request(req));
                    return Messages.encode(answers.removeFirst());
                },
                0,
                ZoneId.of("UTC"),
                "laptop",
                "ann",
                1000);
        return new MotleyLogs(ms -> pauses++).run(List.of(args), io);
    }

    static LogText fromNode(long offset, String text, boolean complete, JobState state) {
        return new LogText(
                "/home/ann/slurm-7.out",
                "laptop",
                "far",
                offset,
                text.getBytes(StandardCharsets.UTF_8),
                complete,
                state);
    }

    @Test
    void followsTheOutputOnTheNodeFromOffsetToOffsetUntilItIsComplete() throws Exception {
        answers.add(fromNode(0, "hello\n", false, JobState.RUNNING));
        answers.add(fromNode(6, "", false, JobState.RUNNING));
        answers.add(fromNode(6, "bye\n", true, JobState.COMPLETED));
        answers.add(fromNode(10, "", true, JobState.COMPLETED));
        assertThat(run("7", "-f")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello\nbye\n");
        assertThat(asked).extracting(Logs::offset).containsExactly(0L, 6L, 6L, 10L);
        assertThat(asked).extracting(Logs::stream).containsOnly("out");
        assertThat(pauses).isEqualTo(1);
    }

    @Test
    void onceDeliveredTheFileIsReadHereFromTheSameOffset() throws Exception {
        Path file = Files.writeString(dir.resolve("slurm-7.out"), "hello\nbye\n");
        answers.add(fromNode(0, "hello\n", false, JobState.RUNNING));
        answers.add(new LogText(file.toString(), "laptop", null, 6, new byte[0], false, JobState.COMPLETED));
        answers.add(new LogText(file.toString(), "laptop", null, 10, new byte[0], false, JobState.COMPLETED));
        assertThat(run("7", "-f", "-e")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello\nbye\n");
        assertThat(asked).extracting(Logs::stream).containsOnly("err");
    }

    @Test
    void aFileOnAnotherHostIsAnErrorThatNamesTheSubmitNode() throws Exception {
        answers.add(new LogText("/nowhere/slurm-7.out", "laptop", null, 0, new byte[0], false, JobState.COMPLETED));
        assertThat(run("7")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        "motley logs: error: /nowhere/slurm-7.out is not on this host; the job's output is written on"
                                + " node laptop\n");
    }

    final Deque<Object> daemonAnswers = new ArrayDeque<>();
    final List<io.motley.protocol.Message.DaemonLog> daemonAsked = new ArrayList<>();

    /** A gateway that answers daemon-log requests from {@link #daemonAnswers}; -f stops after {@code pausesAllowed}. */
    int runDaemon(int pausesAllowed, String... args) throws Exception {
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of(),
                dir.toString(),
                (Frame req) -> {
                    daemonAsked.add((io.motley.protocol.Message.DaemonLog) Messages.request(req));
                    return Messages.encode((io.motley.protocol.Message) daemonAnswers.removeFirst());
                },
                0,
                ZoneId.of("UTC"),
                "laptop",
                "root",
                0);
        return new MotleyLogs(ms -> {
                    if (++pauses > pausesAllowed) throw new IllegalStateException("interrupted");
                })
                .run(List.of(args), io);
    }

    static io.motley.protocol.Message.DaemonLogText logText(long offset, String text) {
        return new io.motley.protocol.Message.DaemonLogText(offset, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theControllersLogIsPrintedInPiecesUntilNothingFollows() throws Exception {
        daemonAnswers.add(logText(0, "started\n"));
        daemonAnswers.add(logText(8, "listening\n"));
        daemonAnswers.add(logText(18, ""));
        assertThat(runDaemon(0, "--controller")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("started\nlistening\n");
        assertThat(daemonAsked).extracting(d -> d.node()).containsOnly((String) null);
        assertThat(daemonAsked).extracting(d -> d.offset()).containsExactly(0L, 8L, 18L);
        assertThat(pauses).isZero();
    }

    @Test
    void aNodesLogIsFollowedAcrossARotationUntilInterrupted() throws Exception {
        daemonAnswers.add(logText(0, "registered\n"));
        daemonAnswers.add(logText(11, ""));
        daemonAnswers.add(logText(0, "new log\n"));
        daemonAnswers.add(logText(8, ""));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runDaemon(1, "--node", "nas", "-f"))
                .hasMessage("interrupted");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("registered\nnew log\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the log was replaced (rotated)");
        assertThat(daemonAsked).extracting(d -> d.node()).containsOnly("nas");
        assertThat(daemonAsked).extracting(d -> d.offset()).containsExactly(0L, 11L, 11L, 8L);
    }

    @Test
    void aFailureIsTheControllersMessage() {
        daemonAnswers.add(new io.motley.protocol.Message.Failure("Access/permission denied: daemon logs are for root"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runDaemon(0, "--controller"))
                .hasMessageContaining("Access/permission denied");
    }

    @Test
    void controllerAndNodeAreOneOrTheOther() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runDaemon(0, "--controller", "--node", "nas"))
                .hasMessageContaining("one or the other");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runDaemon(0, "--controller", "7"))
                .hasMessageContaining("takes no job id");
    }
}
