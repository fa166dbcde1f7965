package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands through the native client (dist/target/bin/motley-client, the agent running the
 * command) and through the JVM client print the same bytes and exit with the same codes, against
 * a real controller and agent; the agent, root here, reads no file for a caller who cannot.
 */
class NativeClientIT {
    @TempDir
    Path dir;

    private static TestCluster.Run with(TestCluster c, Map<String, String> env, List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(TestCluster.BIN.resolve(args[0]).toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(c.work.toFile());
        pb.environment().put("MOTLEY_HOME", c.home.toString());
        pb.environment()
                .put(
                        "MOTLEY_JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("MOTLEY_SOCKET");
        pb.environment().putAll(env);
        return TestCluster.run(pb, null);
    }

    @Test
    void bothClientsPrintTheSameBytesAndTheNativeOneNeedsNoJvm() throws Exception {
        assumeTrue(
                Files.isRegularFile(TestCluster.BIN.resolve("sbatch").toRealPath())
                        && !TestCluster.BIN.resolve("sbatch").toRealPath().endsWith("motley"),
                "the native client was not built (no C compiler; scripts/setup-test-host installs gcc)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            long done = c.submit("-J", "done", "--wrap", "true");
            c.awaitState(done, "COMPLETED", Duration.ofSeconds(30));
            long held = c.submit("-H", "-J", "held", "--wrap", "true");
            // the first scheduling pass turns its reason from None to JobHeldUser: both clients must see the same
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> c.cmd("squeue", "-h", "-j", Long.toString(held), "-o", "%r")
                            .out()
                            .strip()
                            .equals("JobHeldUser"));
            Files.writeString(c.workFile("job.sh"), "#!/bin/sh\n#SBATCH -J fromfile -H\ntrue\n");
            String d = Long.toString(done);
            String h = Long.toString(held);
            List<List<String>> lines = List.of(
                    List.of("squeue"),
                    List.of("squeue", "-t", "all", "-o", "%i|%j|%T|%r|%u"),
                    List.of("squeue", "-j", "999999"),
                    List.of("sinfo"),
                    List.of("scontrol", "show", "job", h),
                    List.of("scontrol", "show", "partition"),
                    List.of("scontrol", "write", "batch_script", h, "-"),
                    List.of("sacct", "-j", d, "-X", "-P", "-o", "JobID,JobName,State,ExitCode"),
                    List.of("sbatch", "--bogus"),
                    List.of("sbatch", "--version"),
                    List.of("sbatch", "missing.sh"),
                    List.of("sbatch", "--test-only", "--wrap", "true"),
                    List.of("scancel", "999999"));
            for (List<String> line : lines) {
                String[] args = line.toArray(String[]::new);
                TestCluster.Run jvm = with(c, Map.of("MOTLEY_CLIENT", "jvm"), List.of(), args);
                // no java at all: the native path must not fall back to it
                TestCluster.Run nat =
                        with(c, Map.of("MOTLEY_CLIENT", "native", "MOTLEY_JAVA", "/nonexistent/java"), List.of(), args);
                // --test-only's start is "now": the two runs may fall in different seconds
                if (line.contains("--test-only")) {
                    nat = atAnyTime(nat);
                    jvm = atAnyTime(jvm);
                }
                assertThat(nat).as("%s", line).isEqualTo(jvm);
            }
            // a script file and its #SBATCH lines, read by the client
            TestCluster.Run fromFile = with(
                    c,
                    Map.of("MOTLEY_CLIENT", "native", "MOTLEY_JAVA", "/nonexistent/java"),
                    List.of(),
                    "sbatch",
                    "--parsable",
                    "job.sh");
            assertThat(fromFile.rc()).as(fromFile.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-j", fromFile.out().trim(), "-o", "%j %r")
                            .out())
                    .isEqualTo("fromfile JobHeldUser\n");
        }
    }

    @Test
    void aFileTheCallerCannotReadIsRefusedThoughTheAgentIsRoot() throws Exception {
        assumeTrue(
                "root".equals(System.getProperty("user.name")), "needs root: the agent as root, the caller as nobody");
        assumeTrue(new File("/usr/sbin/runuser").canExecute(), "needs runuser (scripts/setup-test-host installs it)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Default=YES\n")) {
            c.startController();
            c.startAgent("n1", 1, "1000M");
            c.awaitNodesUp("n1");
            Files.setPosixFilePermissions(c.home, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(c.work, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path secret = Files.writeString(c.workFile("secret.sh"), "#!/bin/sh\n#SBATCH -J secret\ntrue\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            List<String> asNobody = List.of("runuser", "-u", "nobody", "--");
            Map<String, String> nativeOnly = Map.of("MOTLEY_CLIENT", "native", "MOTLEY_JAVA", "/nonexistent/java");
            TestCluster.Run refused = with(c, nativeOnly, asNobody, "sbatch", "secret.sh");
            assertThat(refused).isEqualTo(new TestCluster.Run(1, "", "sbatch: error: Unable to open file secret.sh\n"));
            TestCluster.Run export =
                    with(c, nativeOnly, asNobody, "sbatch", "--export-file=" + secret, "--wrap", "true");
            assertThat(export.err()).isEqualTo("sbatch: error: Unable to open file " + secret + "\n");
            // --stage-in's files are packed by tar run as the caller (by the native client), never by the agent
            TestCluster.Run staged = with(c, nativeOnly, asNobody, "sbatch", "--stage-in=secret.sh", "--wrap", "true");
            assertThat(staged.rc()).isEqualTo(1);
            assertThat(staged.err())
                    .startsWith("sbatch: error: --stage-in: cannot read the files: ")
                    .contains("Permission denied");
            assertThat(c.cmd("squeue", "-h", "-t", "all").out()).isEmpty();
            // the same file, readable, is submitted for nobody
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
            TestCluster.Run allowed = with(c, nativeOnly, asNobody, "sbatch", "--parsable", "-H", "secret.sh");
            assertThat(allowed.rc()).as(allowed.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-o", "%j %u").out()).isEqualTo("secret nobody\n");
            TestCluster.Run stagedOk = with(
                    c,
                    nativeOnly,
                    asNobody,
                    "sbatch",
                    "--parsable",
                    "-H",
                    "-J",
                    "staged",
                    "--stage-in=secret.sh",
                    "--wrap",
                    "true");
            assertThat(stagedOk.rc()).as(stagedOk.err()).isZero();
            assertThat(c.cmd("squeue", "-h", "-j", stagedOk.out().strip(), "-o", "%j %u")
                            .out())
                    .isEqualTo("staged nobody\n");
        }
    }

    /** {@code r} with its timestamps (2026-12-02T13:06:24) read as one. */
    private static TestCluster.Run atAnyTime(TestCluster.Run r) {
        String stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d";
        return new TestCluster.Run(
                r.rc(), r.out().replaceAll(stamp, "TIME"), r.err().replaceAll(stamp, "TIME"));
    }
}
