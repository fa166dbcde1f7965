package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The JVMs the launcher starts. The daemons run on C1 alone with a small first heap, which
 * MOTLEY_DAEMON_OPTS can override (docs/benchmarks.md).
 */
class LauncherJvmIT {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @Test
    void daemonsRunOnC1WithASmallFirstHeapUnlessTheirOptionsSayOtherwise() {
        TestCluster.Run plain = daemonFlags(null);
        assertThat(plain.rc()).as(plain.err()).isZero();
        assertThat(plain.out())
                .contains("-XX:TieredStopAtLevel=1 ")
                .contains("-XX:InitialHeapSize=33554432 ")
                .contains("-XX:+UseSerialGC");
        // an operator's options come after the launcher's: the full JIT for a controller of a deep queue
        TestCluster.Run full = daemonFlags("-XX:TieredStopAtLevel=4");
        assertThat(full.rc()).as(full.err()).isZero();
        assertThat(full.out()).contains("-XX:TieredStopAtLevel=4 ").doesNotContain("-XX:TieredStopAtLevel=1 ");
    }

    /** The flags of a JVM the launcher starts as a daemon (motley deploy --help, which needs no cluster). */
    private static TestCluster.Run daemonFlags(String daemonOpts) {
        ProcessBuilder pb =
                new ProcessBuilder(TestCluster.REPO.resolve("dist/bin/motley").toString(), "deploy", "--help");
        pb.environment().put("MOTLEY_JAVA", JAVA.toString());
        pb.environment().put("JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags");
        if (daemonOpts == null) pb.environment().remove("MOTLEY_DAEMON_OPTS");
        else pb.environment().put("MOTLEY_DAEMON_OPTS", daemonOpts);
        return TestCluster.run(pb, null);
    }
}
