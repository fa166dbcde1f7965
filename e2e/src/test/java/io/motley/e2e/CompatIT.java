package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Slurm compatibility suite: every case of scripts/compat/cases.txt run against one local
 * Motley cluster set up as the Slurm 22.05 reference was (partition debug, one node vm with 2 CPUs
 * and 24105 MB, DefMemPerCPU=1000, job ids from 7001), normalised the same way, and compared with
 * what real Slurm printed (compat/slurm-22.05.txt, captured by scripts/compat/capture-slurm.sh).
 * A difference must be listed as intended (compat/intended.txt, each line pointing at
 * docs/slurm-differences.md) or as a known gap (compat/gaps.txt); a listed case that now matches
 * fails too, so that both lists stay honest.
 */
class CompatIT {
    private static final Path RESOURCES = TestCluster.REPO.resolve("e2e/src/test/resources/compat");
    private static final Path REPORT = TestCluster.REPO.resolve("e2e/target/compat");

    /**
     * The test bed, named as capture-slurm.sh's directory was ({@code /tmp/compat-slurm.XXXXXX}, that capture's
     * was {@code 4Sffks}): where a column cuts the working directory to its first characters (squeue -O WorkDir,
     * Command, STDOUT; 20 characters), both sides show the same. Mode 0711, as a cluster's home is for its users:
     * another user's command reaches the agent's socket (sstat.other_user).
     */
    Path dir;

    @BeforeEach
    void testBed() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "compat-slurm.4Sffks-");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    }

    @AfterEach
    void removeTestBed() throws IOException {
        if (dir != null) TestCluster.deleteTree(dir);
    }

    /** A line of intended.txt or gaps.txt: a regular expression over case ids, then {@code |} and why. */
    record Listed(Pattern ids, String why, String line) {
        static List<Listed> read(Path file) throws IOException {
            List<Listed> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                int bar = line.indexOf(" | ");
                if (bar < 0) throw new AssertionError(file + ": no ' | ' in " + line);
                out.add(new Listed(Pattern.compile(line.substring(0, bar).strip()), line.substring(bar + 3), line));
            }
            return out;
        }

        boolean covers(String id) {
            return ids.matcher(id).matches();
        }
    }

    /** The blocks of a run.sh output file, by case id, in file order. */
    static Map<String, String> blocks(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String id = null;
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("=== ")) {
                if (id != null) out.put(id, b.toString());
                id = line.substring(4);
                b.setLength(0);
            } else if (id != null) {
                b.append(line).append('\n');
            }
        }
        if (id != null) out.put(id, b.toString());
        return out;
    }

    @Test
    void everyCaseMatchesSlurmOrIsListed() throws Exception {
        Map<String, String> slurm =
                blocks(Files.readString(RESOURCES.resolve("slurm-22.05.txt"), StandardCharsets.UTF_8));
        List<Listed> intended = Listed.read(RESOURCES.resolve("intended.txt"));
        List<Listed> gaps = Listed.read(RESOURCES.resolve("gaps.txt"));
        for (Listed l : intended)
            assertThat(l.why())
                    .as("intended.txt points at the docs: " + l.line())
                    .contains("docs/slurm-differences.md");

        Map<String, String> motley;
        try (TestCluster c = new TestCluster(
                dir,
                "ClusterName=anchor\nDefMemPerCPU=1000\nMinJobAge=3600\nPriorityType=priority/basic\n"
                        + "PartitionName=debug Nodes=vm Default=YES\n")) {
            // job ids start at 7001, as FirstJobId=7001 makes them in the reference
            Files.createDirectories(c.home.resolve("state"));
            Files.writeString(c.home.resolve("state/job-ids"), "7001\n");
            c.startController();
            c.startAgent("vm", 2, "24105M");
            c.awaitNodesUp("vm");
            long started = System.nanoTime();
            Path out = dir.resolve("motley.txt");
            ProcessBuilder pb = new ProcessBuilder(
                            "bash",
                            TestCluster.REPO.resolve("scripts/compat/run.sh").toString(),
                            out.toString(),
                            c.work.toString())
                    .directory(c.work.toFile());
            pb.environment().put("MOTLEY_HOME", c.home.toString());
            pb.environment()
                    .put(
                            "MOTLEY_JAVA",
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString());
            // root's sbin as the capture had it (runuser, for sstat.other_user)
            pb.environment().put("PATH", TestCluster.BIN + ":/usr/bin:/bin:/usr/sbin:/sbin");
            pb.environment().put("COMPAT_NODE", "vm");
            // the capture ran with up.sh's SLURM_ANCHOR_DIR set, which --export=ALL carried into the jobs' env dumps
            pb.environment().put("SLURM_ANCHOR_DIR", "/tmp/compat-slurm.4Sffks/anchor");
            pb.environment().remove("MOTLEY_SOCKET");
            pb.environment().remove("SLURM_CONF");
            TestCluster.Run r = TestCluster.run(pb, null, 1800);
            assertThat(r.rc()).as(r.err()).isZero();
            System.out.print(r.err());
            motley = blocks(Files.readString(out, StandardCharsets.UTF_8));
            System.out.printf("compatibility cases ran in %d s%n", (System.nanoTime() - started) / 1_000_000_000L);
        }

        int identical = 0;
        int asIntended = 0;
        int asGaps = 0;
        List<String> unlisted = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        StringBuilder diff = new StringBuilder();
        for (Map.Entry<String, String> e : slurm.entrySet()) {
            String id = e.getKey();
            String got = motley.getOrDefault(id, "(not run)\n");
            Listed in = intended.stream().filter(l -> l.covers(id)).findFirst().orElse(null);
            Listed gap = gaps.stream().filter(l -> l.covers(id)).findFirst().orElse(null);
            if (got.equals(e.getValue())) {
                identical++;
                if (in != null || gap != null) stale.add(id + " (listed: " + (in != null ? in : gap).line() + ")");
                continue;
            }
            diff.append("=== ")
                    .append(id)
                    .append(in != null ? "  [intended]" : gap != null ? "  [gap]" : "  [UNLISTED]")
                    .append("\n--- slurm\n")
                    .append(e.getValue())
                    .append("--- motley\n")
                    .append(got);
            if (in != null) asIntended++;
            else if (gap != null) asGaps++;
            else unlisted.add(id);
        }
        String counts = "compatibility cases: " + slurm.size() + ", identical " + identical + ", intended differences "
                + asIntended + ", remaining gaps " + asGaps + ", unlisted differences " + unlisted.size()
                + ", listed but now identical " + stale.size() + "\n";
        Files.createDirectories(REPORT);
        Files.writeString(REPORT.resolve("counts.txt"), counts);
        Files.writeString(REPORT.resolve("differences.txt"), diff.toString());
        Files.copy(
                dir.resolve("motley.txt"),
                REPORT.resolve("motley.txt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.print(counts);
        assertThat(unlisted)
                .as("differences from Slurm 22.05 listed neither as intended nor as gaps (see "
                        + REPORT.resolve("differences.txt") + ")")
                .isEmpty();
        assertThat(stale)
                .as("listed differences that now match Slurm: take them off the list")
                .isEmpty();
    }
}
