package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node features from config, -C constraints, -w, -x, --exclusive and Weight through the commands. */
class PlacementIT {
    @TempDir
    Path dir;

    @Test
    void jobsGoWhereTheirConstraintsAndNodeListsSay() throws Exception {
        try (TestCluster c = new TestCluster(
                dir, "NodeName=n1 Weight=10 Features=bigmem\nNodeName=n2 Weight=1 Features=fast,ssd\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.startAgent("n2", 1, "1000M");
            c.awaitNodesUp("n1", "n2");
            assertThat(c.cmd("sinfo", "-N", "-h", "-o", "%N %f").out())
                    .contains("n1 ")
                    .contains("bigmem")
                    .contains("fast,ssd");

            long byWeight = c.submit("--wrap", "true");
            long byFeature = c.submit("-C", "bigmem", "--wrap", "true");
            long byOr = c.submit("--constraint=nosuch|ssd", "--wrap", "true");
            long byName = c.submit("-w", "n1", "--wrap", "true");
            long byExclude = c.submit("-x", "n2", "--wrap", "true");
            long exclusive = c.submit("--exclusive", "--wrap", "true");
            for (long id : new long[] {byWeight, byFeature, byOr, byName, byExclude, exclusive}) {
                c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
            }
            assertThat(node(c, byWeight)).isEqualTo("n2");
            assertThat(node(c, byFeature)).isEqualTo("n1");
            assertThat(node(c, byOr)).isEqualTo("n2");
            assertThat(node(c, byName)).isEqualTo("n1");
            assertThat(node(c, byExclude)).isEqualTo("n1");

            TestCluster.Run noFeature = c.cmd("sbatch", "-C", "gpu&bigmem", "--wrap", "true");
            assertThat(noFeature.rc()).isEqualTo(1);
            assertThat(noFeature.err()).contains("Invalid feature specification");
            TestCluster.Run noNode = c.cmd("sbatch", "-w", "n9", "--wrap", "true");
            assertThat(noNode.rc()).isEqualTo(1);
            assertThat(noNode.err()).contains("Invalid node name specified");
        }
    }

    private static String node(TestCluster c, long id) {
        return c.cmd("sacct", "-j", Long.toString(id), "-X", "-n", "-P", "-o", "NodeList")
                .out()
                .trim();
    }
}
