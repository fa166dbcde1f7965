package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon's log read in pieces from an offset, as motley logs -f asks for it. */
class DaemonLogFileTest {
    @TempDir
    Path dir;

    static String text(Message.DaemonLogText t) {
        return new String(t.data(), StandardCharsets.UTF_8);
    }

    @Test
    void readsFromTheOffsetAtMostMaxBytes() throws Exception {
        Path log = Files.writeString(dir.resolve("controller.log"), "first line\nsecond line\n");
        DaemonLogFile f = DaemonLogFile.at(log);
        Message.DaemonLogText head = f.read(0, 6);
        assertThat(head.offset()).isZero();
        assertThat(text(head)).isEqualTo("first ");
        Message.DaemonLogText rest = f.read(6, 1 << 20);
        assertThat(rest.offset()).isEqualTo(6);
        assertThat(text(rest)).isEqualTo("line\nsecond line\n");
        assertThat(f.read(23, 100).data()).isEmpty();
    }

    @Test
    void aLogReplacedByAShorterOneIsReadFromItsStart() throws Exception {
        Path log = Files.writeString(dir.resolve("agent.log"), "a long first log\n");
        Files.writeString(log, "new\n");
        Message.DaemonLogText t = DaemonLogFile.at(log).read(17, 100);
        assertThat(t.offset()).isZero();
        assertThat(text(t)).isEqualTo("new\n");
    }

    @Test
    void aLogNotWrittenYetReadsAsEmpty() throws Exception {
        Message.DaemonLogText t = DaemonLogFile.at(dir.resolve("none.log")).read(0, 100);
        assertThat(t.data()).isEmpty();
    }

    @Test
    void thisProcessServesTheConfiguredFile() {
        String before = System.getProperty(DaemonLogFile.PROPERTY);
        try {
            System.setProperty(DaemonLogFile.PROPERTY, dir.resolve("x.log").toString());
            assertThat(DaemonLogFile.ofThisProcess()).map(DaemonLogFile::path).contains(dir.resolve("x.log"));
        } finally {
            if (before == null) System.clearProperty(DaemonLogFile.PROPERTY);
            else System.setProperty(DaemonLogFile.PROPERTY, before);
        }
    }
}
