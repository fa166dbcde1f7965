package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.Job;
import io.motley.core.job.Staging;
import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import io.motley.protocol.Message.OutputChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sbatch --stage-in and --stage-out on a node without the submit directory (docs/files.md): the
 * stage-in files are in the job's own directory before its script starts, the stage-out files
 * reach the submit side (also after a failure), and the job's end is reported only once they are
 * written there, or with the reason they could not be.
 */
class StagedRunTest {
    // removed here, not by JUnit: the launcher's delivery threads may still write in it as a test ends, and JUnit
    // counts a directory that changed under its removal as the test's error (seen at load 10)
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.NEVER)
    Path dir;

    final List<JobEnded> reports = new CopyOnWriteArrayList<>();

    @AfterEach
    void removeCgroups() {
        TestHosts.removeGroups("n1");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            if (!java.nio.file.Files.exists(dir)) return true;
            try (var all = java.nio.file.Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList())
                    java.nio.file.Files.deleteIfExists(p);
            }
            return !java.nio.file.Files.exists(dir);
        });
    }

    /** The launcher with its chunks carried to a submit side here, each stream where the controller would send it. */
    JobLauncher loopback(Path submitDir) throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        OutputDelivery submitSide = new OutputDelivery(dir.resolve("submit-records"), false);
        l.sendOutputThrough(r -> {
            OutputChunk c = (OutputChunk) r;
            String path = c.stream().equals(Staging.STREAM)
                    ? submitDir + "/.motley-stage-out." + c.id() + "." + c.run() + ".tar"
                    : dir.resolve("slurm-" + c.id() + ".out").toString();
            Thread.ofVirtual().start(() -> l.delivered(submitSide.deliver(new Deliver(c, path, -1, -1, "x"))));
            return true;
        });
        return l;
    }

    static Launch staged(long id, String body, Map<String, String> options) {
        Launch base = Orders.order(Path.of(RemoteRunTest.MISSING), "n1", id, body, 100, 1);
        Job j = base.job();
        return new Launch(
                base.cluster(),
                base.killWaitSeconds(),
                j.withRequest(j.request().withSubmitNode("laptop").toBuilder()
                        .options(options)
                        .build()),
                "no");
    }

    static String tarOf(Path dir, String... paths) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(StagedFiles.TAR, "-cf", "-", "-C", dir.toString()));
        cmd.addAll(List.of(paths));
        Process p = new ProcessBuilder(cmd).start();
        byte[] b = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        return Base64.getEncoder().encodeToString(b);
    }

    JobEnded awaitReport(long id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reports.stream().anyMatch(f -> f.id() == id));
        return reports.stream().filter(f -> f.id() == id).findFirst().orElseThrow();
    }

    @Test
    void stageInFilesAreThereBeforeTheScriptAndStageOutFilesAreBackBeforeTheEndIsReported() throws Exception {
        Path submit = Files.createDirectories(dir.resolve("submit"));
        Files.writeString(submit.resolve("input.txt"), "the input\n");
        Files.createDirectories(submit.resolve("data"));
        Files.writeString(submit.resolve("data/more"), "more\n");
        JobLauncher l = loopback(submit);
        l.launch(staged(
                1,
                "cat input.txt data/more; echo one >result-1.txt; echo two >result-2.txt; mkdir out; echo y >out/y;"
                        + " echo no >other.txt; exit 3",
                Map.of(
                        Staging.IN, "input.txt,data",
                        Staging.IN_ARCHIVE, tarOf(submit, "input.txt", "data"),
                        Staging.OUT, "result-*.txt,out,missing-*")));
        JobEnded end = awaitReport(1);
        // a failed job's files come back too, and they are there when its end is reported
        assertThat(Orders.fields(end)).containsEntry("state", "FAILED").containsEntry("code", "3");
        assertThat(Orders.fields(end)).doesNotContainKey("desc");
        assertThat(Files.readString(submit.resolve("result-1.txt"))).isEqualTo("one\n");
        assertThat(Files.readString(submit.resolve("result-2.txt"))).isEqualTo("two\n");
        assertThat(Files.readString(submit.resolve("out/y"))).isEqualTo("y\n");
        assertThat(submit.resolve("other.txt")).doesNotExist();
        assertThat(submit.resolve(".motley-stage-out.1.0.tar")).doesNotExist();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(dir.resolve("slurm-1.out"))
                        && Files.readString(dir.resolve("slurm-1.out")).equals("the input\nmore\n"));
    }

    @Test
    void aStageOutTheSubmitSideCannotWriteEndsTheJobWithTheReason() throws Exception {
        Path gone = dir.resolve("no-such-submit-dir");
        JobLauncher l = loopback(gone);
        l.launch(staged(2, "echo r >r.txt", Map.of(Staging.OUT, "r.txt")));
        JobEnded end = awaitReport(2);
        assertThat(Orders.fields(end)).containsEntry("state", "COMPLETED");
        assertThat(Orders.fields(end).get("desc"))
                .startsWith("Stage-out not delivered: cannot write " + gone + "/.motley-stage-out.2.0.tar as x:");
    }

    @Test
    void aStageInThatCannotBeUnpackedFailsTheLaunchWithTheReason() throws Exception {
        JobLauncher l = loopback(dir);
        l.launch(staged(
                3,
                "echo ran >ran.txt",
                Map.of(Staging.IN_ARCHIVE, Base64.getEncoder().encodeToString("not a tar archive".getBytes()))));
        JobEnded end = awaitReport(3);
        assertThat(Orders.fields(end)).containsEntry("state", "FAILED");
        assertThat(Orders.fields(end).get("desc"))
                .startsWith("Launch failed on n1: Stage-in failed on n1: cannot unpack");
    }

    /** A controller that serves {@code archive} in pieces, recording the offsets asked for. */
    static JobLauncher.StageInSource serving(byte[] archive, List<Long> asked) {
        return (id, offset, max) -> {
            asked.add(offset);
            int from = (int) Math.min(offset, archive.length);
            int to = (int) Math.min(archive.length, (long) from + max);
            return new JobLauncher.StageInSource.Piece(java.util.Arrays.copyOfRange(archive, from, to), archive.length);
        };
    }

    static Map<String, String> announced(byte[] archive) throws Exception {
        return Map.of(
                Staging.IN,
                "big.bin",
                Staging.IN_SIZE,
                Long.toString(archive.length),
                Staging.IN_SHA256,
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(archive)));
    }

    @Test
    void aChunkedStageInIsReadFromTheControllerInPiecesAndIsThereBeforeTheScript() throws Exception {
        Path submit = Files.createDirectories(dir.resolve("submit"));
        byte[] big = new byte[3 * Staging.CHUNK_BYTES + 77];
        new java.util.Random(5).nextBytes(big);
        Files.write(submit.resolve("big.bin"), big);
        byte[] archive = Base64.getDecoder().decode(tarOf(submit, "big.bin"));
        List<Long> asked = new CopyOnWriteArrayList<>();
        JobLauncher l = loopback(submit);
        l.readStageInsFrom(serving(archive, asked));
        l.launch(stagedWith(6, "sha256sum <big.bin | cut -c1-64", archive));
        JobEnded end = awaitReport(6);
        assertThat(Orders.fields(end)).containsEntry("state", "COMPLETED");
        assertThat(asked).hasSizeGreaterThanOrEqualTo(4).startsWith(0L, (long) Staging.CHUNK_BYTES);
        String expected = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(big));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(dir.resolve("slurm-6.out"))
                        && Files.readString(dir.resolve("slurm-6.out")).equals(expected + "\n"));
    }

    Launch stagedWith(long id, String body, byte[] archive) throws Exception {
        return staged(id, body, announced(archive));
    }

    @Test
    void aChunkedStageInThatArrivesDifferentFailsTheLaunchWithTheReason() throws Exception {
        Path submit = Files.createDirectories(dir.resolve("submit"));
        Files.write(submit.resolve("big.bin"), new byte[100_000]);
        byte[] archive = Base64.getDecoder().decode(tarOf(submit, "big.bin"));
        byte[] other = archive.clone();
        other[other.length - 1] ^= 1;
        JobLauncher l = loopback(submit);
        l.readStageInsFrom(serving(other, new CopyOnWriteArrayList<>()));
        l.launch(stagedWith(7, "echo ran", archive));
        JobEnded end = awaitReport(7);
        assertThat(Orders.fields(end)).containsEntry("state", "FAILED");
        assertThat(Orders.fields(end).get("desc"))
                .startsWith("Launch failed on n1: Stage-in failed on n1: the --stage-in files read from the controller"
                        + " differ");

        // and a controller that cannot be reached fails it with its words
        l.readStageInsFrom((id, offset, max) -> {
            throw new java.io.IOException("cannot reach the Motley controller");
        });
        l.launch(stagedWith(8, "echo ran", archive));
        JobEnded unreachable = awaitReport(8);
        assertThat(Orders.fields(unreachable).get("desc"))
                .contains("cannot read the --stage-in files from the controller: cannot reach the Motley controller");
    }

    @Test
    void aStageOutOverTheCapIsNotSentAndSaysSo() throws Exception {
        JobLauncher l = loopback(dir.resolve("submit"));
        l.outputCap(20_000);
        l.launch(staged(4, "head -c 100000 /dev/zero >big", Map.of(Staging.OUT, "big")));
        JobEnded end = awaitReport(4);
        assertThat(Orders.fields(end).get("desc")).startsWith("Stage-out over MaxOutputSize");
        assertThat(dir.resolve("submit/big")).doesNotExist();
    }
}
