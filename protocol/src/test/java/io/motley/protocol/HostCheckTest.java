package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCheckTest {
    static final long MIB = 1024 * 1024;

    @Test
    void freeSpaceUnderAGibibyteWarnsAndUnderAHundredMebibytesFails() {
        Path dir = Path.of("/var/lib/motley/spool");
        assertThat(HostCheck.disk(2048 * MIB, dir, "spool"))
                .isEqualTo(new HostCheck(HostCheck.Level.OK, "disk", "spool", "2048 MiB free (/var/lib/motley/spool)"));
        assertThat(HostCheck.disk(1023 * MIB, dir, "spool").level()).isEqualTo(HostCheck.Level.WARN);
        assertThat(HostCheck.disk(1024 * MIB, dir, "spool").level()).isEqualTo(HostCheck.Level.OK);
        assertThat(HostCheck.disk(99 * MIB, dir, "spool").level()).isEqualTo(HostCheck.Level.FAIL);
        assertThat(HostCheck.disk(100 * MIB, dir, "spool").level()).isEqualTo(HostCheck.Level.WARN);
    }

    @Test
    void aDirectoryThatIsNotThereIsNotCheckedAndOneThatIsIsMeasured(@TempDir Path tmp) {
        assertThat(HostCheck.disk(tmp.resolve("missing"), "log")).isEmpty();
        assertThat(HostCheck.disk(tmp, "log")).get().satisfies(c -> {
            assertThat(c.check()).isEqualTo("disk");
            assertThat(c.message()).endsWith(" MiB free (" + tmp + ")");
        });
    }

    @Test
    void aFindingMadeOnANodeNamesTheNodeFirst() {
        HostCheck disk = new HostCheck(HostCheck.Level.WARN, "disk", "spool", "x");
        HostCheck cert = new HostCheck(HostCheck.Level.OK, "certificate", "-", "y");
        assertThat(disk.on("nas").subject()).isEqualTo("nas:spool");
        assertThat(cert.on("nas").subject()).isEqualTo("nas");
        assertThat(disk.on("nas").message()).isEqualTo("x");
    }
}
