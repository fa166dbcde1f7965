package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/home-cluster.md, run: every {@code sh linux} block, in order and unchanged, in one host of
 * the multi-host test bed (its own network, hostname, /root and /var/lib/motley), as root in a
 * login shell, with a stand-in nvidia-smi on the PATH for the GPU. The macOS and NAS blocks are
 * not run (the guide says so); any other shell block would be a command no test runs, and fails.
 */
class HomeClusterGuideIT {
    static final Path GUIDE = TestCluster.REPO.resolve("docs/home-cluster.md");
    static final Pattern FENCE = Pattern.compile("(?ms)^```([^\\n]*)\\n(.*?)^```\\s*$");

    record Block(String info, String text) {}

    static List<Block> blocks(String markdown) {
        List<Block> out = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) out.add(new Block(m.group(1).strip(), m.group(2)));
        return out;
    }

    @Test
    void everyLinuxCommandOfTheGuideRunsOnABedHost() throws Exception {
        var why = TestBed.unavailable();
        assumeTrue(why.isEmpty(), () -> why.orElse(""));
        List<Block> blocks = blocks(Files.readString(GUIDE));
        List<Block> linux =
                blocks.stream().filter(b -> b.info().equals("sh linux")).toList();
        assertThat(linux).as("the guide's Linux blocks").hasSizeGreaterThanOrEqualTo(4);
        assertThat(blocks)
                .as("every shell block is run here (sh linux) or marked as another system's")
                .allMatch(b -> List.of("sh linux", "sh macos", "sh nas").contains(b.info()));

        try (TestBed bed = new TestBed("guide", "box", List.of(), "")) {
            // what the guide's reader has: the bundle in root's home (Motley and a Java runtime: here links to
            // the build's dist/ and to this JDK, which the guide's commands unpack and use as they would the real one)
            Path root = bed.dir("box").resolve("root");
            Path staging = Files.createTempDirectory("motley-guide-bundle");
            try {
                Files.createDirectories(staging.resolve("motley"));
                Files.createSymbolicLink(staging.resolve("motley/dist"), TestCluster.REPO.resolve("dist"));
                Files.createSymbolicLink(staging.resolve("motley/runtime"), Path.of(System.getProperty("java.home")));
                TestCluster.Run tar = TestCluster.run(
                        new ProcessBuilder(
                                "tar",
                                "-C",
                                staging.toString(),
                                "-cJf",
                                root.resolve("motley-bundle.tar.xz").toString(),
                                "motley"),
                        null);
                assertThat(tar.rc()).as(tar.err()).isZero();
            } finally {
                TestCluster.deleteTree(staging);
            }
            Path fakeBin = Files.createDirectories(root.resolve("fake-gpu"));
            Files.copy(
                    TestCluster.REPO.resolve("agent/src/test/resources/fake-nvidia-smi"),
                    fakeBin.resolve("nvidia-smi"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(fakeBin.resolve("nvidia-smi"), PosixFilePermissions.fromString("rwxr-xr-x"));

            List<String> outputs = new ArrayList<>();
            for (Block b : linux) {
                String script = "set -eo pipefail\nexport PATH=/root/fake-gpu:$PATH\n" + b.text();
                TestCluster.Run r = bed.cmdIn("box", "/root", "/bin/bash", "-l", "-c", script);
                assertThat(r.rc())
                        .as("block:\n%s\nprinted:\n%s\n%s", b.text(), r.out(), r.err())
                        .isZero();
                outputs.add(r.out());
            }
            assertThat(outputs.get(0)).as("motley --version").contains("motley");
            assertThat(outputs.get(1))
                    .contains("motley join " + bed.address("box") + ":6917 --token ")
                    .containsPattern("box +idle +\\d+ +\\d+ +gpu:");
            assertThat(outputs.get(2)).contains("GPU 0: ").contains("visible: ");
            assertThat(outputs.get(3)).contains("healthy");
            assertThat(Files.readString(bed.home("box").resolve("etc/motley.conf")))
                    .contains("HttpBind=" + bed.address("box"));
        }
    }
}
