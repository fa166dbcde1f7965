package io.motley.cli.hosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.cli.Main;
import io.motley.cli.command.Command;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.Messages;
import io.motley.protocol.local.CommandHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent's side of a native client's session: what goes to the client, what it is asked for, what reaches the cluster. */
@Timeout(30)
class HostedCommandsTest {
    private static final Caller ALICE = new Caller(1000, 1000, "alice", List.of("alice"));

    @TempDir
    Path dir;

    private final List<Frame> relayed = new CopyOnWriteArrayList<>();

    /** What sbatch sent of a chunked --stage-in archive. */
    private final java.io.ByteArrayOutputStream uploaded = new java.io.ByteArrayOutputStream();

    private long announced() {
        for (Frame f : relayed) {
            if (f.op().equals("submit"))
                return Long.parseLong(((Message.Submit) Messages.request(f))
                        .job()
                        .payload()
                        .options()
                        .get(io.motley.core.job.Staging.IN_SIZE));
        }
        throw new AssertionError("no submission");
    }

    private Message.Submit submission() {
        return relayed.stream()
                .filter(f -> f.op().equals("submit"))
                .map(f -> (Message.Submit) Messages.request(f))
                .findFirst()
                .orElseThrow();
    }

    private final UnaryOperator<Frame> cluster = req -> {
        relayed.add(req);
        return switch (req.op()) {
            case "submit" -> Messages.encode(new Message.Submitted(42));
            case "batch_script" -> Messages.encode(new Message.Script("#!/bin/sh\necho hi\n"));
            case "stage_in_chunk" -> {
                var c = (Message.StageInChunk) Messages.request(req);
                uploaded.write(c.data(), 0, c.data().length);
                yield Messages.encode(new Message.StageInReceived(uploaded.size(), uploaded.size() >= announced()));
            }
            default -> Frame.error("unknown request '" + req.op() + "'");
        };
    };

    private static CommandHost host() {
        return new HostedCommands(Main::command, () -> 1_700_000_000L, ZoneId.of("UTC"), "vm");
    }

    private ClientStandIn.Outcome run(ClientStandIn client, String... argv) throws Exception {
        return ClientStandIn.run(
                host(), client, ALICE, cluster, dir.toString(), Map.of("HOME", "/home/alice"), List.of(argv));
    }

    @Test
    void theCommandRunsWithTheClientsArgumentsDirectoryAndEnvironmentAsTheKernelsCaller() throws Exception {
        var o = run(new ClientStandIn("", Set.of()), "sbatch", "--wrap", "true", "-J", "x");
        assertThat(o.exit()).isZero();
        assertThat(o.out()).isEqualTo("Submitted batch job 42\n");
        assertThat(o.err()).isEmpty();
        Frame submit = relayed.get(0);
        assertThat(submit.op()).isEqualTo("submit");
        // the request is the JVM client's own: the agent's socket stamps the caller on it, as for any request
        Message.Submit s = (Message.Submit) Messages.request(submit);
        assertThat(s.job().name()).isEqualTo("x");
        assertThat(s.job().workDir()).isEqualTo(dir.toString());
        assertThat(s.job().environment()).containsEntry("HOME", "/home/alice");
    }

    @Test
    void striggerIsRefusedWithWhatToUseInsteadAndAsksTheClusterNothing() throws Exception {
        var o = run(new ClientStandIn("", Set.of()), "strigger", "--set", "--node", "--down", "--program=/bin/true");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.out()).isEmpty();
        assertThat(o.err())
                .startsWith("strigger: error: event triggers are not supported by Motley; use a job's --dependency")
                .contains("docs/slurm-differences.md#strigger");
        assertThat(relayed).isEmpty();
        var help = run(new ClientStandIn("", Set.of()), "strigger", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: strigger ");
    }

    @Test
    void aScriptIsReadByTheClientAndNeverByTheAgent() throws Exception {
        Path script = Files.writeString(dir.resolve("job.sh"), "#!/bin/sh\n#SBATCH -J fromfile\ntrue\n");
        var client = new ClientStandIn("", Set.of());
        var o = run(client, "sbatch", "job.sh");
        assertThat(o.exit()).isZero();
        assertThat(client.received)
                .filteredOn(f -> f.op().equals("read"))
                .extracting(f -> f.str("path"))
                .containsExactly(script.toString());
        assertThat(((Message.Submit) Messages.request(relayed.get(0))).job().name())
                .isEqualTo("fromfile");
    }

    @Test
    void aFileTheCallerCannotReadIsRefusedThoughTheAgentCouldReadIt() throws Exception {
        // this process can read the file; the caller's client says it cannot, and that is the answer
        Path secret = Files.writeString(dir.resolve("secret.sh"), "#!/bin/sh\ncat /etc/shadow\n");
        var o = run(new ClientStandIn("", Set.of(secret)), "sbatch", "secret.sh");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("sbatch: error: Unable to open file secret.sh\n");
        assertThat(relayed).isEmpty();
        var export = run(new ClientStandIn("", Set.of(secret)), "sbatch", "--export-file=secret.sh", "--wrap", "true");
        assertThat(export.err()).isEqualTo("sbatch: error: Unable to open file secret.sh\n");
        assertThat(relayed).isEmpty();
    }

    @Test
    void standardInputIsAskedOfTheClient() throws Exception {
        var o = run(new ClientStandIn("#!/bin/sh\n#SBATCH -J piped\ntrue\n", Set.of()), "sbatch");
        assertThat(o.exit()).isZero();
        assertThat(((Message.Submit) Messages.request(relayed.get(0))).job().name())
                .isEqualTo("piped");
    }

    @Test
    void aFileIsWrittenByTheClient() throws Exception {
        var client = new ClientStandIn("", Set.of());
        var o = run(client, "scontrol", "write", "batch_script", "7", "out.sh");
        assertThat(o.err()).isEmpty();
        assertThat(o.out()).isEqualTo("batch script for job 7 written to out.sh\n");
        assertThat(Files.readString(dir.resolve("out.sh"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(client.received).extracting(Frame::op).contains("write");
    }

    @Test
    void outputAndErrorsKeepTheOrderTheCommandWroteThemIn() throws Exception {
        Command mixed = (args, io) -> {
            io.out().print("one ");
            io.err().println("two");
            io.out().println("three \u00e9\u0000\u00ff");
            return 3;
        };
        var o = ClientStandIn.run(
                new HostedCommands(n -> mixed, () -> 0, ZoneId.of("UTC"), "vm"),
                new ClientStandIn("", Set.of()),
                ALICE,
                cluster,
                "/",
                Map.of(),
                List.of("squeue"));
        assertThat(o.exit()).isEqualTo(3);
        assertThat(o.both()).isEqualTo("one two\nthree \u00e9\u0000\u00ff\n");
        assertThat(o.out().getBytes(StandardCharsets.UTF_8))
                .isEqualTo("one three \u00e9\u0000\u00ff\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void stageInIsPackedByTheClientAsTheCallerFromTheCommandLineOrTheScript() throws Exception {
        Files.writeString(dir.resolve("data"), "input\n");
        Files.writeString(dir.resolve("job.sh"), "#!/bin/sh\n#SBATCH --stage-in=data\ntrue\n");
        for (List<String> argv :
                List.of(List.of("sbatch", "job.sh"), List.of("sbatch", "--stage-in=data", "--wrap", "true"))) {
            relayed.clear();
            var client = new ClientStandIn("", Set.of());
            var o = run(client, argv.toArray(String[]::new));
            assertThat(o.jvm()).as("runs in the agent").isNull();
            assertThat(o.exit()).as(o.err()).isZero();
            // the agent asked the client to pack; it ran no tar of its own (the stand-in answers as the caller)
            assertThat(client.received)
                    .filteredOn(f -> f.op().equals("pack"))
                    .singleElement()
                    .satisfies(f -> assertThat(f.str("dir")).isEqualTo(dir.toString()))
                    .satisfies(f -> assertThat(f.str("paths")).isEqualTo("data"));
            Message.Submit s = submission();
            byte[] tar = java.util.Base64.getDecoder()
                    .decode(s.job().payload().options().get(io.motley.core.job.Staging.IN_ARCHIVE));
            // a ustar archive: the member's name, then "ustar" at offset 257
            assertThat(new String(tar, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
            assertThat(new String(tar, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
        }
    }

    @Test
    void stageInOfAMissingPathIsRefusedWithTheJvmClientsWords() throws Exception {
        var o = run(new ClientStandIn("", Set.of()), "sbatch", "--stage-in=nothing", "--wrap", "true");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .isEqualTo("sbatch: error: --stage-in: " + dir.resolve("nothing") + ": No such file or directory\n");
        assertThat(relayed).filteredOn(f -> f.op().equals("submit")).isEmpty();
    }

    /**
     * An archive over the inline size stays with the client, which packed it as the caller: the agent
     * reads it from there in pieces to take its digest and to send it, chunk by chunk, after the job
     * was submitted.
     */
    @Test
    void aLargeStageInStaysWithTheClientAndTravelsInChunksAfterTheSubmission() throws Exception {
        byte[] big = new byte[5 * 1024 * 1024 + 100];
        new java.util.Random(3).nextBytes(big);
        Files.write(dir.resolve("big"), big);
        var client = new ClientStandIn("", Set.of());
        var o = run(client, "sbatch", "--stage-in=big", "--wrap", "true");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).isEqualTo("Submitted batch job 42\n");
        assertThat(client.received).filteredOn(f -> f.op().equals("pack-read")).hasSizeGreaterThan(5);
        var options = submission().job().payload().options();
        assertThat(options).doesNotContainKey(io.motley.core.job.Staging.IN_ARCHIVE);
        assertThat(uploaded.size()).isEqualTo(announced()).isGreaterThan(big.length);
        assertThat(options.get(io.motley.core.job.Staging.IN_SHA256))
                .isEqualTo(java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(uploaded.toByteArray())));
        assertThat(relayed).filteredOn(f -> f.op().equals("stage_in_chunk")).hasSize(6);
    }

    @Test
    void aCommandThatTrapsCtrlCGetsTheClientsInsteadOfEndingWithIt() throws Exception {
        java.util.concurrent.CountDownLatch pressed = new java.util.concurrent.CountDownLatch(2);
        CommandHost host = new HostedCommands(
                name -> (args, io) -> {
                    io.interrupts().onInterrupt(pressed::countDown);
                    boolean both = pressed.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    io.interrupts().ignore();
                    io.out().println(both ? "interrupted twice" : "not interrupted");
                    return 0;
                },
                () -> 1_700_000_000L,
                ZoneId.of("UTC"),
                "vm");
        var client = new ClientStandIn("", Set.of());
        client.ctrlCs = 2;
        var o = ClientStandIn.run(
                host, client, ALICE, cluster, dir.toString(), Map.of("SLURM_JOB_ID", "7"), List.of("srun", "true"));
        assertThat(o.out()).isEqualTo("interrupted twice\n");
        assertThat(o.exit()).isZero();
        assertThat(client.traps).containsExactly("pass", "ignore");
    }

    @Test
    void interactiveAndUnknownCommandsGoToTheJvmClient() throws Exception {
        assertThat(run(new ClientStandIn("", Set.of()), "scontrol").jvm()).isEqualTo("interactive scontrol");
        assertThat(run(new ClientStandIn("", Set.of()), "scontrol", "-o").jvm()).isEqualTo("interactive scontrol");
        assertThat(run(new ClientStandIn("", Set.of()), "motley", "up").jvm()).contains("not run by the agent");
        assertThat(run(new ClientStandIn("", Set.of()), "salloc", "true").jvm()).contains("not run by the agent");
        assertThat(run(new ClientStandIn("", Set.of()), "srun", "--pty", "bash").jvm())
                .isEqualTo("srun --pty");
        Frame newer = ClientStandIn.start("/", Map.of(), List.of("squeue")).put("v", 99);
        var client = new ClientStandIn("", Set.of());
        host().serve(newer, ALICE, client, cluster);
        assertThat(client.received).extracting(Frame::op).containsExactly("jvm");
        assertThat(relayed).isEmpty();
    }

    @Test
    void aClientThatGoesAwayStopsItsCommand() throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        Command forever = (args, io) -> {
            try {
                Thread.sleep(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                stopped.set(true);
            }
            return 0;
        };
        var client = new ClientStandIn("", Set.of());
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                new HostedCommands(n -> forever, () -> 0, ZoneId.of("UTC"), "vm")
                        .serve(
                                ClientStandIn.start("/", Map.of(), List.of("squeue", "-i", "5")),
                                ALICE,
                                client,
                                cluster);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        client.leave();
        await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        assertThat(stopped).isTrue();
    }
}
