package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The submitter's passwd entry: getent's and /etc/passwd's line on Linux, id -P's on macOS. */
class PasswdTest {
    @Test
    void aLinuxPasswdLineGivesHomeAndShell() {
        assertThat(JobIdentity.Passwd.parse("alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash"))
                .contains(new JobIdentity.Passwd("alice", 1000, 1000, "/home/alice", "/bin/bash"));
    }

    @Test
    void macOsIdDashPPrintsAMasterPasswdEntryWithItsThreeExtraFields() throws Exception {
        // src/test/resources/macos/id-P.txt: id -P 501 as macOS's id(1) documents it (no Mac was available)
        String line;
        try (InputStream in = PasswdTest.class.getResourceAsStream("/macos/id-P.txt")) {
            line = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(JobIdentity.Passwd.parse(line))
                .contains(new JobIdentity.Passwd("alice", 501, 20, "/Users/alice", "/bin/zsh"));
    }

    @Test
    void aLineOfAnyOtherShapeIsNoEntry() {
        assertThat(JobIdentity.Passwd.parse("alice:x:1000:1000")).isEmpty();
        assertThat(JobIdentity.Passwd.parse("alice:x:1000:1000:a:b:c:d")).isEmpty();
        assertThat(JobIdentity.Passwd.parse("alice:x:uid:1000:Alice:/home/alice:/bin/sh"))
                .isEmpty();
    }
}
