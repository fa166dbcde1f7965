package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.OutputChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The submit host's side: chunks written at their offsets, once, as the submitting user. */
class OutputDeliveryTest {
    @TempDir
    Path dir;

    static Deliver chunk(Path file, long offset, String text, boolean last) {
        return new Deliver(
                new OutputChunk(9, 0, "out", offset, text.getBytes(StandardCharsets.UTF_8), last),
                file.toString(),
                -1,
                -1,
                "someone");
    }

    @Test
    void chunksSentTwiceAreWrittenOnce() throws Exception {
        OutputDelivery d = new OutputDelivery(dir.resolve("records"), false);
        Path f = dir.resolve("slurm-9.out");
        Files.writeString(f, "an older job's output\n");
        // the first chunk of a stream empties the file, as Slurm does when a job starts
        assertThat(d.deliver(chunk(f, 0, "one\n", false))).isEqualTo(new Delivered(9, 0, "out", 4, null));
        assertThat(d.deliver(chunk(f, 0, "one\n", false)).offset()).isEqualTo(4);
        assertThat(d.deliver(chunk(f, 4, "two\n", false)).offset()).isEqualTo(8);
        // an answer lost, the chunk resent, and a longer one overlapping it
        assertThat(d.deliver(chunk(f, 4, "two\nthree\n", false)).offset()).isEqualTo(14);
        assertThat(Files.readString(f)).isEqualTo("one\ntwo\nthree\n");
        assertThat(d.deliver(chunk(f, 14, "", true)).offset()).isEqualTo(14);
        assertThat(Files.readString(f)).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void aFileShorterThanTheOffsetAsksForTheRestFromItsEnd() throws Exception {
        OutputDelivery d = new OutputDelivery(dir.resolve("records"), false);
        Path f = dir.resolve("out");
        d.deliver(chunk(f, 0, "abc", false));
        Files.delete(f);
        Delivered answer = d.deliver(chunk(f, 3, "def", false));
        assertThat(answer.error()).isNull();
        assertThat(answer.offset()).isZero();
    }

    @Test
    void aWriteThatFailsIsAnErrorNamingTheFile() throws Exception {
        OutputDelivery d = new OutputDelivery(dir.resolve("records"), false);
        Path f = dir.resolve("no-such-dir/slurm-9.out");
        Delivered answer = d.deliver(chunk(f, 0, "x", false));
        assertThat(answer.error())
                .startsWith("cannot write " + f + " as someone: ")
                .matches(e -> e.contains("nonexistent") || e.contains("No such file"))
                .doesNotContain("motley-deliver");
        assertThat(answer.offset()).isZero();
    }

    /** An agent running as root writes as the job's user: where that user may not write, nothing is written. */
    @Test
    void aRootAgentWritesAsTheSubmittingUser() throws Exception {
        assumeTrue(
                new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "needs root: the agent drops to the submitting user only when it runs as root");
        OutputDelivery d = new OutputDelivery(dir.resolve("records"), true);
        Path closed = Files.createDirectory(dir.resolve("roots-only"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Deliver asNobody = new Deliver(
                new OutputChunk(9, 0, "out", 0, "x".getBytes(StandardCharsets.UTF_8), false),
                closed.resolve("slurm-9.out").toString(),
                65534,
                65534,
                "nobody");
        Delivered refused = d.deliver(asNobody);
        assertThat(refused.error()).contains("Permission denied");
        assertThat(Files.exists(closed.resolve("slurm-9.out"))).isFalse();

        Path open = Files.createDirectory(dir.resolve("nobodys"));
        Files.setAttribute(open, "unix:uid", 65534);
        Deliver toOwnDir =
                new Deliver(asNobody.chunk(), open.resolve("slurm-9.out").toString(), 65534, 65534, "nobody");
        assertThat(d.deliver(toOwnDir).error()).isNull();
        assertThat(Files.getAttribute(open.resolve("slurm-9.out"), "unix:uid")).isEqualTo(65534);
    }
}
