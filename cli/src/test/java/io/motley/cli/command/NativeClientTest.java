package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.Main;
import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.cli.hosted.HostedCommands;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.JobState;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.PeerCredentials;
import io.motley.protocol.link.Transport;
import io.motley.protocol.local.CommandHost;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native client (native/motley-client.c, built here with native/build.sh) against the agent's
 * side of the session (HostedCommands on a Unix socket, a fake cluster behind it): its protocol, its
 * fallback to the JVM client, the rule that files are read with the caller's permissions, and the
 * same output, messages and exit codes as the command run directly.
 */
@Timeout(120)
class NativeClientTest {
    private static final long NOW = at("2026-11-22T12:40:30");

    @TempDir
    static Path dir;

    private static Path bin;
    private static Path socket;
    private static ServerSocketChannel server;
    private static volatile FakeCluster cluster = new FakeCluster();

    @BeforeAll
    static void buildAndServe() throws Exception {
        // a layout like dist/: bin/<command> links to target/bin/motley-client; bin/motley stands in for the JVM client
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dist = dir.resolve("dist");
        Path build = dist.resolve("target/bin");
        Path script = Path.of("..", "native", "build.sh").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("sh", script.toString(), build.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(log).isZero();
        Assumptions.assumeFalse(
                Files.isSymbolicLink(build.resolve("motley-client")),
                "no C compiler on this host (cc, gcc or clang; scripts/setup-test-host installs gcc): " + log);
        bin = Files.createDirectories(dist.resolve("bin"));
        for (String c : List.of("squeue", "sinfo", "sbatch", "scontrol", "sacct", "scancel"))
            Files.createSymbolicLink(bin.resolve(c), Path.of("../target/bin/motley-client"));
        Files.writeString(bin.resolve("motley"), "#!/bin/sh\necho \"jvm:$MOTLEY_JVM_COMMAND:$*\"\nexit 7\n");
        Files.setPosixFilePermissions(bin.resolve("motley"), PosixFilePermissions.fromString("rwxr-xr-x"));

        socket = dir.resolve("agent.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        CommandHost host = new HostedCommands(Main::command, () -> NOW, Fixtures.ZONE, "vm");
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel ch = server.accept();
                    Thread.ofVirtual().start(() -> session(host, ch));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** The agent's side, as LocalSocket serves it: the session's command runs for the caller the kernel names. */
    private static void session(CommandHost host, SocketChannel ch) {
        try (Link<jdk.net.UnixDomainPrincipal> link = Link.open(
                Transport.of(ch), PeerCredentials.principal(), Bounds.requests(1 << 20), Duration.ofSeconds(10))) {
            Frame start = link.read();
            String user = link.peer().user().getName();
            host.serve(
                    start,
                    new Caller(user.equals("root") ? 0 : 65534, 0, user, null),
                    new CommandHost.Client() {
                        @Override
                        public Frame read() throws IOException {
                            return link.read();
                        }

                        @Override
                        public void write(Frame frame) throws IOException {
                            link.write(frame);
                        }
                    },
                    req -> cluster.call(req));
        } catch (IOException e) {
            // the client went away
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.close();
    }

    private static FakeCluster busy() {
        return new FakeCluster()
                .jobs(
                        Fixtures.job(1345, "false")
                                .submitted(at("2026-11-22T12:28:27"))
                                .running("vm", at("2026-11-22T12:28:28"), 1000)
                                .ended(JobState.FAILED, new ExitStatus(1, 0), at("2026-11-22T12:28:28"))
                                .build(),
                        Fixtures.job(1346, "tlimit")
                                .submitted(at("2026-11-22T12:39:11"))
                                .limit(60)
                                .running("vm", at("2026-11-22T12:39:11"), 1000)
                                .build(),
                        Fixtures.job(1347, "pend")
                                .submitted(at("2026-11-22T12:40:00"))
                                .build(),
                        // bytes over 0x7f travel as ISO-8859-1 characters and must come out as they went in
                        Fixtures.job(1348, "caf\u00e9-\u00fc-\u65e5")
                                .submitted(at("2026-11-22T12:40:01"))
                                .build())
                .nodes(Fixtures.vm())
                .partitions(Fixtures.debug());
    }

    private static Result client(List<String> prefix, Map<String, String> env, String stdin, String... argv)
            throws Exception {
        return clientIn(bin, prefix, env, stdin, argv);
    }

    /** As {@link #client(List, Map, String, String...)}, the command found in {@code binDir}. */
    private static Result clientIn(
            Path binDir, List<String> prefix, Map<String, String> env, String stdin, String... argv) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(binDir.resolve(argv[0]).toString());
        cmd.addAll(List.of(argv).subList(1, argv.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("MOTLEY_SOCKET", socket.toString());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The name of the job the fake cluster was last asked to take. */
    private static String submittedName() {
        return ((io.motley.protocol.Message.Submit) io.motley.protocol.Messages.request(cluster.last("submit")))
                .job()
                .name();
    }

    private static Result client(String... argv) throws Exception {
        return client(List.of(), Map.of("MOTLEY_CLIENT", "native"), null, argv);
    }

    @Test
    void theNativeClientPrintsWhatTheCommandPrintsDirectlyByteForByte() throws Exception {
        List<List<String>> cases = List.of(
                List.of("squeue"),
                List.of("squeue", "-t", "all", "-o", "%i|%j|%T|%M|%R"),
                List.of("squeue", "--bogus"),
                List.of("squeue", "--version"),
                List.of("sinfo"),
                List.of("sinfo", "-N", "-l"),
                List.of("scontrol", "show", "job", "1346"),
                List.of("scontrol", "show", "node"),
                List.of("scontrol", "show", "job", "99"),
                List.of("sbatch", "--wrap", "true"),
                List.of("sbatch", "--time=bogus", "--wrap", "true"),
                List.of("sbatch", "--help"),
                List.of("scancel", "--usage"));
        for (List<String> argv : cases) {
            cluster = busy();
            Command direct = Main.command(argv.get(0));
            Result expected = Fixtures.run(
                    direct, busy(), NOW, argv.subList(1, argv.size()).toArray(String[]::new));
            Result actual = client(argv.toArray(String[]::new));
            assertThat(actual).as("%s", argv).isEqualTo(expected);
        }
    }

    /**
     * The aarch64 build native/build.sh cross-compiles (Debian's gcc-aarch64-linux-gnu, which scripts/setup-test-host
     * installs), run under qemu-user, answers as this host's build does: a Raspberry Pi's commands.
     */
    @Test
    void theAarch64BuildAnswersAsThisHostsBuild() throws Exception {
        Path arm = dir.resolve("dist/target/bin/motley-client-aarch64");
        Assumptions.assumeTrue(
                Files.isExecutable(arm),
                "no aarch64 cross compiler (aarch64-linux-gnu-gcc; scripts/setup-test-host installs"
                        + " gcc-aarch64-linux-gnu), so native/build.sh made no aarch64 client");
        Assumptions.assumeTrue(
                new File("/usr/bin/qemu-aarch64").canExecute()
                        && Files.isDirectory(Path.of("/usr/aarch64-linux-gnu/lib")),
                "no qemu-aarch64 (qemu-user) or aarch64 C library to run the aarch64 client with");
        Path armBin = Files.createDirectories(dir.resolve("arm-bin"));
        for (String c : List.of("squeue", "sbatch")) {
            if (!Files.exists(armBin.resolve(c), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                Files.createSymbolicLink(armBin.resolve(c), arm);
        }
        List<String> qemu = List.of("/usr/bin/qemu-aarch64", "-L", "/usr/aarch64-linux-gnu");
        for (List<String> argv : List.of(
                List.of("squeue"),
                List.of("squeue", "--bogus"),
                List.of("sbatch", "--wrap", "true"),
                List.of("sbatch", "--time=bogus", "--wrap", "true"))) {
            cluster = busy();
            Result host = client(argv.toArray(String[]::new));
            cluster = busy();
            Result aarch64 =
                    clientIn(armBin, qemu, Map.of("MOTLEY_CLIENT", "native"), null, argv.toArray(String[]::new));
            assertThat(aarch64).as("%s", argv).isEqualTo(host);
        }
        Process file = new ProcessBuilder("/usr/bin/head", "-c", "20", arm.toString()).start();
        byte[] elf = file.getInputStream().readAllBytes();
        assertThat(elf[18] & 0xff | (elf[19] & 0xff) << 8)
                .as("e_machine: EM_AARCH64")
                .isEqualTo(183);
    }

    @Test
    void aScriptFromAFileOrStandardInputIsSentByTheClient() throws Exception {
        cluster = busy();
        Files.writeString(dir.resolve("job.sh"), "#!/bin/sh\n#SBATCH -J fromfile\ntrue\n");
        assertThat(client("sbatch", "job.sh")).isEqualTo(new Result(0, "Submitted batch job 77\n", ""));
        assertThat(submittedName()).isEqualTo("fromfile");
        Files.writeString(dir.resolve("utf8.sh"), "#!/bin/sh\n#SBATCH -J \u00e9t\u00e9-\u65e5\ntrue\n");
        assertThat(client("sbatch", "utf8.sh")).isEqualTo(new Result(0, "Submitted batch job 77\n", ""));
        assertThat(submittedName()).isEqualTo("\u00e9t\u00e9-\u65e5");
        cluster = busy();
        assertThat(client(List.of(), Map.of(), "#!/bin/sh\n#SBATCH -J piped\ntrue\n", "sbatch"))
                .isEqualTo(new Result(0, "Submitted batch job 77\n", ""));
        assertThat(submittedName()).isEqualTo("piped");
        assertThat(client("sbatch", "missing.sh"))
                .isEqualTo(new Result(1, "", "sbatch: error: Unable to open file missing.sh\n"));
    }

    @Test
    void aFileTheCallerCannotReadIsRefusedThoughTheAgentIsRoot() throws Exception {
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "needs root to run the client as another user (nobody) with setpriv");
        Assumptions.assumeTrue(new File("/usr/bin/setpriv").canExecute(), "needs setpriv (util-linux)");
        Path secret = Files.writeString(dir.resolve("secret.sh"), "#!/bin/sh\n#SBATCH -J secret\ncat /etc/shadow\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path open = Files.writeString(dir.resolve("open.sh"), "#!/bin/sh\n#SBATCH -J open\ntrue\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> asNobody = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        cluster = busy();
        Result refused = client(asNobody, Map.of("MOTLEY_CLIENT", "native"), null, "sbatch", "secret.sh");
        assertThat(refused).isEqualTo(new Result(1, "", "sbatch: error: Unable to open file secret.sh\n"));
        assertThat(cluster.last("submit")).isNull();
        Result exported = client(
                asNobody, Map.of("MOTLEY_CLIENT", "native"), null, "sbatch", "--export-file=secret.sh", "--wrap=true");
        assertThat(exported.err()).isEqualTo("sbatch: error: Unable to open file secret.sh\n");
        assertThat(cluster.last("submit")).isNull();
        // the same user may submit a file it can read
        Result allowed = client(asNobody, Map.of("MOTLEY_CLIENT", "native"), null, "sbatch", "open.sh");
        assertThat(allowed).isEqualTo(new Result(0, "Submitted batch job 77\n", ""));
        assertThat(submittedName()).isEqualTo("open");
    }

    @Test
    void interactiveCommandsAndAMissingAgentGoToTheJvmClient() throws Exception {
        cluster = busy();
        // the stand-in JVM client says what it was asked to run
        assertThat(client("scontrol")).isEqualTo(new Result(7, "jvm:scontrol:\n", ""));
        assertThat(client(List.of(), Map.of(), null, "scontrol", "-o"))
                .isEqualTo(new Result(7, "jvm:scontrol:-o\n", ""));
        assertThat(client(List.of(), Map.of("MOTLEY_CLIENT", "jvm"), null, "squeue", "-h"))
                .isEqualTo(new Result(7, "jvm:squeue:-h\n", ""));
        Path none = dir.resolve("none.sock");
        assertThat(client(List.of(), Map.of("MOTLEY_SOCKET", none.toString()), null, "squeue", "-h"))
                .isEqualTo(new Result(7, "jvm:squeue:-h\n", ""));
        // forced onto the native path, a missing agent is the JVM client's own message
        assertThat(client(
                        List.of(), Map.of("MOTLEY_SOCKET", none.toString(), "MOTLEY_CLIENT", "native"), null, "squeue"))
                .isEqualTo(new Result(
                        1,
                        "",
                        "squeue: error: no Motley agent is running on this host (no socket at " + none
                                + "). Start the local cluster with `motley up --daemon`, or set MOTLEY_HOME to the"
                                + " cluster's home\n"));
    }
}
