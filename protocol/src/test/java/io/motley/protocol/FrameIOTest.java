package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
    void refusesAbsurdLengths() {
        byte[] bad = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> FrameIO.read(new ByteArrayInputStream(bad))).hasMessageContaining("refused");
    }

    @Test
    void clusterKeySignsAndRejectsOtherKeys(@TempDir Path dir) throws IOException {
        ClusterKey a = ClusterKey.loadOrCreate(dir.resolve("a/cluster.key"));
        ClusterKey again = ClusterKey.loadOrCreate(dir.resolve("a/cluster.key"));
        ClusterKey b = ClusterKey.loadOrCreate(dir.resolve("b/cluster.key"));
        String nonce = ClusterKey.newNonce();
        String sig = a.sign(nonce, "node1");
        assertThat(again.verify(nonce, "node1", sig)).isTrue();
        assertThat(a.verify(nonce, "node2", sig)).isFalse();
        assertThat(b.verify(nonce, "node1", sig)).isFalse();
        assertThat(Files.getPosixFilePermissions(dir.resolve("a/cluster.key")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }
}
