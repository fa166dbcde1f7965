package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVMs the launcher starts. The daemons run on C1 alone with a small first heap, which
 * MOTLEY_DAEMON_OPTS can override (docs/benchmarks.md). The JVM client's ahead-of-time caches
 * (scripts/cli-aot-cache, dist/bin/motley): a command starts and answers as without them whether a
 * cache is there, damaged, stale or made by another JDK, and the launcher hands the JVM a cache
 * only for the java and JDK version it was made with. Each case runs in a scratch copy of the
 * launcher and the commands' jars, so the build's own caches are never touched. Which start-up the
 * launcher chose shows in the class-data-sharing archive (cli.jsa), which it asks the JVM to make
 * only when it does not use a cache.
 */
class LauncherJvmIT {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path dir;

    private Path target;

    @BeforeEach
    void scratchDistribution() throws IOException {
        Path dist = dir.resolve("dist");
        Files.createDirectories(dist.resolve("bin"));
        Files.copy(TestCluster.REPO.resolve("dist/bin/motley"), dist.resolve("bin/motley"));
        Files.createSymbolicLink(dist.resolve("bin/sbatch"), Path.of("motley"));
        target = dist.resolve("target");
        Files.createDirectories(target.resolve("lib"));
        for (String jar : List.of("motley-cli.jar", "motley-core.jar", "motley-protocol.jar"))
            Files.copy(TestCluster.REPO.resolve("dist/target/lib/" + jar), target.resolve("lib/" + jar));
    }

    @Test
    void daemonsRunWithTheFullJitAndASmallFirstHeapUnlessTheirOptionsSayOtherwise() {
        TestCluster.Run plain = daemonFlags(null);
        assertThat(plain.rc()).as(plain.err()).isZero();
        assertThat(plain.out())
                .doesNotContain("-XX:TieredStopAtLevel=")
                .contains("-XX:InitialHeapSize=33554432 ")
                .contains("-XX:+UseSerialGC");
        // an operator's options come after the launcher's: C1 alone for daemons that restart often
        TestCluster.Run c1 = daemonFlags("-XX:TieredStopAtLevel=1 -Xms64m");
        assertThat(c1.rc()).as(c1.err()).isZero();
        assertThat(c1.out())
                .contains("-XX:TieredStopAtLevel=1 ")
                .contains("-XX:InitialHeapSize=67108864 ")
                .doesNotContain("-XX:InitialHeapSize=33554432 ");
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

    @Test
    void theLauncherStartedByPathRunsNoHelperProgramBeforeTheJvm() throws Exception {
        // as the native client and the service units start it: by its own path, not through a link.
        // Only bash on PATH: a helper (dirname, basename, readlink) would not be found
        Path onlyBash = Files.createDirectories(dir.resolve("only-bash"));
        Path bash = Files.exists(Path.of("/bin/bash")) ? Path.of("/bin/bash") : Path.of("/usr/bin/bash");
        Files.createSymbolicLink(onlyBash.resolve("bash"), bash.toRealPath());
        ProcessBuilder pb = new ProcessBuilder(dir.resolve("dist/bin/motley").toString(), "--version");
        pb.environment().put("PATH", onlyBash.toString());
        pb.environment().put("MOTLEY_JVM_COMMAND", "sbatch");
        pb.environment().put("MOTLEY_JAVA", JAVA.toString());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        TestCluster.Run r = TestCluster.run(pb, null);
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("motley ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aCacheMadeForThisJavaIsUsedAndTheCommandAnswersAsWithout() throws Exception {
        TestCluster.Run without = sbatchVersion();
        assertThat(without.rc()).as(without.err()).isZero();
        assertThat(without.out()).startsWith("motley ");
        assertThat(target.resolve("cli.jsa")).as("no cache: class-data sharing").exists();
        Files.delete(target.resolve("cli.jsa"));

        makeCache();
        assertAnswersAs(without);
        assertThat(target.resolve("cli.jsa")).as("the cache was used").doesNotExist();
    }

    @Test
    void aDamagedCacheIsIgnoredByTheJvm() throws Exception {
        TestCluster.Run without = sbatchVersion();
        makeCache();
        byte[] noise = new byte[64 * 1024];
        new Random(14).nextBytes(noise);
        for (Path cache : caches()) Files.write(cache, noise);
        assertAnswersAs(without);

        makeCache();
        for (Path cache : caches()) {
            byte[] bytes = Files.readAllBytes(cache);
            Files.write(cache, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        }
        assertAnswersAs(without);

        for (Path cache : caches()) Files.write(cache, new byte[0]);
        assertAnswersAs(without);
    }

    @Test
    void aCacheOlderThanTheJarsIsIgnoredByTheJvm() throws Exception {
        TestCluster.Run without = sbatchVersion();
        makeCache();
        Files.setLastModifiedTime(
                target.resolve("lib/motley-cli.jar"),
                FileTime.from(Instant.now().plusSeconds(60)));
        assertAnswersAs(without);
    }

    @Test
    void aCacheOfAnotherJavaOrJdkVersionIsNotHandedToTheJvm() throws Exception {
        TestCluster.Run without = sbatchVersion();
        Files.deleteIfExists(target.resolve("cli.jsa"));
        makeCache();
        List<String> record = Files.readAllLines(target.resolve("cli.aot.java"));
        assertThat(record).hasSize(2);

        // the same java at another version: a JDK replaced in place (one before 25 would refuse -XX:AOTCache)
        Files.write(target.resolve("cli.aot.java"), List.of(record.get(0), "JAVA_RUNTIME_VERSION=\"21.0.9+10\""));
        assertAnswersAs(without);
        assertThat(target.resolve("cli.jsa")).as("class-data sharing instead").exists();
        Files.delete(target.resolve("cli.jsa"));

        Files.write(target.resolve("cli.aot.java"), List.of("/opt/other-jdk/bin/java", record.get(1)));
        assertAnswersAs(without);
        assertThat(target.resolve("cli.jsa")).exists();
        Files.delete(target.resolve("cli.jsa"));

        // a record of the launcher before this one: the java alone
        Files.write(target.resolve("cli.aot.java"), List.of(record.get(0)));
        assertAnswersAs(without);
        assertThat(target.resolve("cli.jsa")).exists();
    }

    /** The caches the build made: one for all the commands, and sbatch's own (the one this test's command uses). */
    private List<Path> caches() throws IOException {
        try (var files = Files.list(target)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(".aot"))
                    .toList();
            assertThat(found).extracting(f -> f.getFileName().toString()).contains("cli.aot", "cli-sbatch.aot");
            return found;
        }
    }

    private void assertAnswersAs(TestCluster.Run without) {
        TestCluster.Run with = sbatchVersion();
        assertThat(with.rc()).as(with.err()).isZero();
        assertThat(with.out()).isEqualTo(without.out());
        assertThat(with.err()).isEmpty();
    }

    /** The build's script, run on the scratch copy with this test's JDK; JDK 25 or later makes a cache. */
    private void makeCache() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(
                "sh", TestCluster.REPO.resolve("scripts/cli-aot-cache").toString(), target.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        TestCluster.Run r = TestCluster.run(pb, null, 120);
        assertThat(r.rc()).as(r.out() + r.err()).isZero();
        assumeTrue(
                Files.exists(target.resolve("cli.aot")),
                "the JDK running the tests (" + Runtime.version() + ") makes no ahead-of-time cache: JDK 25 or later");
        assertThat(Files.size(target.resolve("cli.aot"))).isPositive();
        assertThat(Files.size(target.resolve("cli-sbatch.aot"))).isPositive();
    }

    private TestCluster.Run sbatchVersion() {
        ProcessBuilder pb = new ProcessBuilder(dir.resolve("dist/bin/sbatch").toString(), "--version");
        Map<String, String> env = pb.environment();
        env.put("MOTLEY_JAVA", JAVA.toString());
        env.put("MOTLEY_SOCKET", dir.resolve("no-agent.sock").toString());
        env.remove("JAVA_TOOL_OPTIONS");
        return TestCluster.run(pb, null);
    }
}
