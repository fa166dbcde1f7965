package io.motley.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.protocol.DaemonLogFile;
import io.motley.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley logs --node: the agent answers the controller's read of its own log, paired by tag. */
class OwnLogTest {
    @TempDir
    Path dir;

    String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(DaemonLogFile.PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) System.clearProperty(DaemonLogFile.PROPERTY);
        else System.setProperty(DaemonLogFile.PROPERTY, before);
    }

    @Test
    void theAgentServesTheLogItWasStartedWithFromTheOffsetAsked() throws Exception {
        Path log = Files.writeString(dir.resolve("agent-nas.log"), "started\nregistered with controller\n");
        System.setProperty(DaemonLogFile.PROPERTY, log.toString());
        Message.OutputRead r = ControllerLink.ownLog(new Message.ReadLog(42, 8, 1 << 20));
        assertThat(r.tag()).isEqualTo(42);
        assertThat(r.found()).isTrue();
        assertThat(r.offset()).isEqualTo(8);
        assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("registered with controller\n");

        Message.OutputRead capped = ControllerLink.ownLog(new Message.ReadLog(43, 0, 7));
        assertThat(new String(capped.data(), StandardCharsets.UTF_8)).isEqualTo("started");
    }
}
