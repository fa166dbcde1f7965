package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameIOTest {
    @Test
    void roundTripsFieldsAndChildren() throws IOException {
        Frame f = Frame.op("submit").put("name", "héllo wörld").put("n", 42L).put("b", true);
        f.add(new Frame().put("PATH", "/usr/bin").put("EMPTY", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameIO.write(out, f);
        FrameIO.write(out, Frame.op("second"));
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        Frame back = FrameIO.read(in);
        assertThat(back.fields()).isEqualTo(f.fields());
        assertThat(back.children().get(0).fields()).containsEntry("EMPTY", "").containsEntry("PATH", "/usr/bin");
        assertThat(back.lng("n", 0)).isEqualTo(42);
        assertThat(back.bool("b")).isTrue();
        assertThat(FrameIO.read(in).op()).isEqualTo("second");
        assertThatThrownBy(() -> FrameIO.read(in)).isInstanceOf(EOFException.class);
    }

    @Test
    void refusesAFrameOverTheSizeLimitBeforeBufferingIt() {
        byte[] bad = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> FrameIO.read(new ByteArrayInputStream(bad)))
                .isInstanceOf(Bounds.Exceeded.class)
                .hasMessage("frame of 2147483647 bytes is over the limit of 268435456 bytes");
        // the body is never read: only the four bytes of the length are there
        byte[] justOver = {0, 0, 0x10, 0x01};
        assertThatThrownBy(() -> FrameIO.read(new ByteArrayInputStream(justOver), Bounds.HANDSHAKE))
                .isInstanceOf(Bounds.Exceeded.class)
                .hasMessage("frame of 4097 bytes is over the limit of 4096 bytes");
        byte[] negative = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
        assertThatThrownBy(() -> FrameIO.read(new ByteArrayInputStream(negative), Bounds.HANDSHAKE))
                .hasMessage("frame of 4294967294 bytes is over the limit of 4096 bytes");
    }

    @Test
    void aFrameAtTheSizeLimitIsRead() throws IOException {
        Frame f = Frame.op("x").put("pad", "");
        int base = FrameIO.encode(f).length;
        f.put("pad", "a".repeat(4096 - base));
        byte[] wire = FrameIO.toBytes(f);
        assertThat(wire.length).isEqualTo(4 + 4096);
        assertThat(FrameIO.read(new ByteArrayInputStream(wire), Bounds.HANDSHAKE)
                        .str("pad"))
                .hasSize(4096 - base);
    }

    @Test
    void requestsMayHoldTheLargestScriptAndSixteenMebibytesMore() {
        assertThat(Bounds.requests(4L * 1024 * 1024).maxBytes()).isEqualTo(20 * 1024 * 1024);
        assertThat(Bounds.requests(Long.MAX_VALUE / 2).maxBytes()).isEqualTo(Bounds.ANSWERS.maxBytes());
        assertThat(Bounds.requests(1).maxDepth()).isEqualTo(16);
    }

    @Test
    void aFrameNestedTwoHundredThousandLevelsIsRefusedWithoutOverflowingTheStack() throws IOException {
        byte[] body = nested(200_000);
        assertThatThrownBy(() -> FrameIO.decode(body, Bounds.ANSWERS))
                .isInstanceOf(Bounds.Exceeded.class)
                .hasMessage("frame nested more than 16 levels deep is over the limit of 16 levels");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new DataOutputStream(wire).writeInt(body.length);
        wire.write(body);
        assertThatThrownBy(() -> FrameIO.read(new ByteArrayInputStream(wire.toByteArray())))
                .isInstanceOf(Bounds.Exceeded.class);
    }

    @Test
    void nestingUpToTheLimitIsRead() throws IOException {
        Frame f = FrameIO.decode(nested(16), Bounds.ANSWERS);
        int depth = 1;
        while (!f.children().isEmpty()) {
            f = f.children().get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(16);
        assertThatThrownBy(() -> FrameIO.decode(nested(17), Bounds.ANSWERS)).isInstanceOf(Bounds.Exceeded.class);
        assertThatThrownBy(() -> FrameIO.decode(nested(3), new Bounds(1024, 2))).isInstanceOf(Bounds.Exceeded.class);
    }

    @Test
    void malformedBodiesAreIOExceptionsNamingTheProblem() throws IOException {
        // a count of two billion fields in a 12-byte body: refused before any loop
        assertThatThrownBy(() -> FrameIO.decode(ints(0x7fffffff, 0, 0), Bounds.ANSWERS))
                .isInstanceOf(FrameIO.Malformed.class)
                .hasMessageContaining("2147483647 fields do not fit");
        assertThatThrownBy(() -> FrameIO.decode(ints(0, 0x7fffffff), Bounds.ANSWERS))
                .hasMessageContaining("children do not fit");
        // one field whose key claims more bytes than there are
        assertThatThrownBy(() -> FrameIO.decode(ints(1, 1000, 0), Bounds.ANSWERS))
                .hasMessageContaining("a string of 1000 bytes runs past its end");
        assertThatThrownBy(() -> FrameIO.decode(ints(0), Bounds.ANSWERS)).hasMessageContaining("ends in the middle");
        assertThatThrownBy(() -> FrameIO.decode(ints(0, 0, 7), Bounds.ANSWERS))
                .hasMessageContaining("4 bytes after its end");
    }

    @Test
    void clusterKeyMacsDependOnTheKeyAndOnEveryPart(@TempDir Path dir) throws IOException {
        ClusterKey a = ClusterKey.loadOrCreate(dir.resolve("a/cluster.key"));
        ClusterKey again = ClusterKey.loadOrCreate(dir.resolve("a/cluster.key"));
        ClusterKey b = ClusterKey.loadOrCreate(dir.resolve("b/cluster.key"));
        assertThat(again.mac("label", "n1", "node1")).isEqualTo(a.mac("label", "n1", "node1"));
        assertThat(a.mac("label", "n1", "node2")).isNotEqualTo(a.mac("label", "n1", "node1"));
        assertThat(b.mac("label", "n1", "node1")).isNotEqualTo(a.mac("label", "n1", "node1"));
        // parts are length-prefixed: moving a boundary changes the MAC
        assertThat(a.mac("ab", "c")).isNotEqualTo(a.mac("a", "bc"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("a/cluster.key")).toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    @Test
    void aClusterKeyTooShortToBeSecretIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("cluster.key");
        Files.writeString(f, "\n");
        assertThatThrownBy(() -> ClusterKey.load(f)).hasMessageContaining("too short: 0 bytes, at least 16 needed");
    }

    @Test
    void removesTheFieldsWithAPrefix() {
        Frame f = Frame.op("jobs").put("caller.uid", 0).put("caller.new", "x").put("callerish", "kept");
        assertThat(f.removeFieldsStartingWith("caller.").fields()).containsOnlyKeys("op", "callerish");
    }

    /** The body of a frame whose only child has one child, and so on, {@code levels} frames in all. */
    static byte[] nested(int levels) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(levels * 8);
        DataOutputStream d = new DataOutputStream(buf);
        for (int i = 0; i < levels - 1; i++) {
            d.writeInt(0);
            d.writeInt(1);
        }
        d.writeInt(0);
        d.writeInt(0);
        return buf.toByteArray();
    }

    private static byte[] ints(int... values) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(buf);
        for (int v : values) d.writeInt(v);
        return buf.toByteArray();
    }
}
