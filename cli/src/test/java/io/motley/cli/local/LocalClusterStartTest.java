package io.motley.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What motley up says when its controller dies at start: the daemon's own last error, not only where the logs are. */
class LocalClusterStartTest {
    @TempDir
    Path dir;

    @Test
    void theDaemonsLastErrorIsQuoted() throws Exception {
        Path out = dir.resolve("controller.out");
        Files.writeString(
                out,
                "starting\nmotley controller: error: port 6917 on 0.0.0.0 is taken (Address already in use): stop it\n");
        assertThat(LocalCluster.said(out))
                .isEqualTo(": port 6917 on 0.0.0.0 is taken (Address already in use): stop it");
    }

    @Test
    void nothingIsAddedWhenTheDaemonSaidNoErrorOrLeftNoFile() throws Exception {
        Path out = dir.resolve("controller.out");
        Files.writeString(out, "a stack trace, no sentence\n");
        assertThat(LocalCluster.said(out)).isEmpty();
        assertThat(LocalCluster.said(dir.resolve("missing.out"))).isEmpty();
    }
}
