package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbatchTest {
    @TempDir
    Path dir;

    final FakeCluster cluster = new FakeCluster();

    Result sbatch(Map<String, String> env, String stdin, String... args) throws Exception {
        return Fixtures.run(new Sbatch(), cluster, 0, 0, "root", stdin, env, args);
    }

    JobRequest submitted() {
        return Codec.request(cluster.last(Ops.SUBMIT).children().get(0));
    }

    @Test
    void directivesThenEnvironmentThenCommandLine() throws Exception {
        Path script = dir.resolve("train.sh");
        Files.writeString(script, """
                #!/bin/bash
                #SBATCH -J fromscript --time=1:00:00
                #SBATCH --partition=gpu -c 2 --mem=4G   # trailing comment
                #SBATCH -o out-%j.log
                hostname
                #SBATCH --comment=too-late
                """);
        Result r = sbatch(
                Map.of("SBATCH_TIMELIMIT", "30", "HOME", "/root"), "", "-J", "fromcli", script.toString(), "x", "y");
        assertThat(r.out()).isEqualTo(lines("Submitted batch job 77"));
        JobRequest req = submitted();
        assertThat(req.name()).isEqualTo("fromcli");
        assertThat(req.timing().limit()).isEqualTo(new TimeLimit.Seconds(1800));
        assertThat(req.partitions()).containsExactly("gpu");
        assertThat(req.cpusPerTask()).isEqualTo(2);
        assertThat(req.cpusPerTaskGiven()).isTrue();
        assertThat(req.resources().memory()).isEqualTo(new MemoryRequest.PerNode(4096));
        assertThat(req.stdoutPattern()).isEqualTo("out-%j.log");
        assertThat(req.comment()).isNull();
        assertThat(req.arguments()).containsExactly("x", "y");
        // Slurm 22.05's sbatch passes SLURM_EXPORT_ENV on only for an --export other than ALL
        assertThat(req.environment()).containsEntry("HOME", "/root").doesNotContainKey("SLURM_EXPORT_ENV");
        assertThat(req.workDir()).isEqualTo("/srv/anchor/fmt");
    }

    @Test
    void aBadNodeCountGetsSlurmsWords() throws Exception {
        Result abc = sbatch(Map.of(), "", "-N", "abc", "--wrap", "true");
        assertThat(abc.code()).isEqualTo(255);
        assertThat(abc.err()).isEqualTo(lines("sbatch: error: \"abc\" is not a valid node count"));
        Result zero = sbatch(Map.of(), "", "-N", "0", "--wrap", "true");
        assertThat(zero.code()).isEqualTo(1);
        assertThat(zero.err())
                .isEqualTo(lines("sbatch: error: Batch job submission failed: Node count specification invalid"));
    }

    @Test
    void theScriptsPathAndArgumentsAreKeptForShowJobsCommand() throws Exception {
        Path script = dir.resolve("run.sh");
        Files.writeString(script, "#!/bin/bash\ntrue\n");
        sbatch(Map.of(), "", script.toString(), "a", "b c");
        assertThat(submitted().options()).containsEntry(Sbatch.COMMAND, script + " a b c");
        sbatch(Map.of(), "", "--wrap=true");
        assertThat(submitted().options()).as("as Slurm: (null) for --wrap").doesNotContainKey(Sbatch.COMMAND);
    }

    /**
     * As Slurm's search_path: a script name without a slash is looked for in the working directory,
     * then in PATH's directories (a directory of that name is passed over); a name with a slash only
     * where it says.
     */
    @Test
    void aScriptNameWithoutASlashIsLookedForInPath() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("job.sh"), "#!/bin/sh\ntrue\n");
        Files.write(bin.resolve("true"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(empty.resolve("job.sh"));
        Map<String, String> env = Map.of("PATH", empty + "::" + bin);
        Result found = sbatch(env, "", "job.sh", "a");
        assertThat(found.code()).as(found.err()).isZero();
        assertThat(submitted().options()).containsEntry(Sbatch.COMMAND, bin.resolve("job.sh") + " a");
        Result binary = sbatch(env, "", "true");
        assertThat(binary.code()).isEqualTo(1);
        assertThat(binary.err()).startsWith("sbatch: error: This does not look like a batch script.  The first\n");
        Result withSlash = sbatch(env, "", "./job.sh");
        assertThat(withSlash.err()).isEqualTo(lines("sbatch: error: Unable to open file ./job.sh"));
    }

    /**
     * --cpus-per-gpu and --mem-per-gpu: per GPU of a node, so 2 GPUs at 8 CPUs and 16G each are 16
     * CPUs and 32G for the node; without GPUs they are Slurm's gres error, and --mem-per-gpu excludes
     * the other memory options.
     */
    @Test
    void perGpuCpusAndMemoryScaleWithTheGpusOfANode() throws Exception {
        Result r = sbatch(Map.of(), "", "--gpus=2", "--cpus-per-gpu=8", "--mem-per-gpu=16G", "--wrap", "true");
        assertThat(r.code()).as(r.err()).isZero();
        JobRequest req = submitted();
        assertThat(req.cpusPerTask()).isEqualTo(16);
        assertThat(req.resources().memory()).isEqualTo(new io.motley.core.job.MemoryRequest.PerNode(32 * 1024));
        sbatch(Map.of(), "", "--gres=gpu:2", "-n", "4", "--cpus-per-gpu=3", "--wrap", "true");
        assertThat(submitted().cpusPerTask()).as("6 CPUs over 4 tasks: 2 each").isEqualTo(2);
        Result noGpu = sbatch(Map.of(), "", "--cpus-per-gpu=1", "--wrap", "true");
        assertThat(noGpu.code()).isEqualTo(1);
        assertThat(noGpu.err()).isEqualTo(lines("sbatch: error: Invalid generic resource (gres) specification"));
        Result both = sbatch(Map.of(), "", "--gpus=1", "--mem=1G", "--mem-per-gpu=1G", "--wrap", "true");
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err())
                .isEqualTo(lines("sbatch: fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive."));
    }

    /** --stage-in is read here, as the submitting user, and travels as a tar archive; --stage-out is kept as given. */
    @Test
    void stageInFilesArePackedAtSubmitAndStageOutPatternsKept() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work/data"));
        Files.writeString(work.resolve("a.txt"), "aaa\n");
        Result r = sbatch(
                Map.of(),
                "",
                "-D",
                dir.resolve("work").toString(),
                "--stage-in=data/a.txt",
                "--stage-out=res-*,logs",
                "--wrap=true");
        assertThat(r.err()).isEmpty();
        JobRequest req = submitted();
        assertThat(req.payload().options())
                .containsEntry("stage-in", "data/a.txt")
                .containsEntry("stage-out", "res-*,logs");
        byte[] tar = io.motley.core.job.Staging.inArchive(req).orElseThrow();
        Process list = new ProcessBuilder("tar", "-tvf", "-").start();
        list.getOutputStream().write(tar);
        list.getOutputStream().close();
        assertThat(new String(list.getInputStream().readAllBytes())).contains("data/a.txt");
    }

    /** The controller's configuration listing, saying MaxStageInSize. */
    static Frame config(String maxStageIn) {
        return io.motley.protocol.Messages.encode(new io.motley.protocol.Message.ConfigInfo(
                0, List.of(), List.of(new io.motley.core.config.ConfigListing.Setting("MaxStageInSize", maxStageIn))));
    }

    /**
     * An archive over the inline size is announced by its size and SHA-256 and sent after the
     * submission in chunks of at most 1 MiB, going on from where the controller says its copy ends;
     * the job id is printed once it has all arrived.
     */
    @Test
    void aLargeStageInIsAnnouncedThenSentInChunksFromWhereTheControllerSaysItsCopyEnds() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        byte[] big = new byte[6 * 1024 * 1024];
        new java.util.Random(42).nextBytes(big);
        Files.write(work.resolve("big.bin"), big);
        cluster.canned.put(Ops.CONFIG, config("8M"));
        java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        java.util.concurrent.atomic.AtomicBoolean dropOne = new java.util.concurrent.atomic.AtomicBoolean(true);
        cluster.answers.put(Ops.STAGE_IN_CHUNK, req -> {
            var c = (io.motley.protocol.Message.StageInChunk) io.motley.protocol.Messages.request(req);
            assertThat(c.id()).isEqualTo(77);
            assertThat(c.data().length).isLessThanOrEqualTo(io.motley.core.job.Staging.CHUNK_BYTES);
            // the second chunk is lost once: the answer says where the copy ends, and sbatch sends it again
            if (c.offset() == held.size() && !(c.offset() > 0 && dropOne.getAndSet(false)))
                held.write(c.data(), 0, c.data().length);
            long size = Long.parseLong(submitted().options().get(io.motley.core.job.Staging.IN_SIZE));
            return io.motley.protocol.Messages.encode(
                    new io.motley.protocol.Message.StageInReceived(held.size(), held.size() == size));
        });
        Result r = sbatch(Map.of(), "", "-D", work.toString(), "--stage-in=big.bin", "--wrap=true");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(lines("Submitted batch job 77"));
        Map<String, String> options = submitted().options();
        assertThat(options).doesNotContainKey(io.motley.core.job.Staging.IN_ARCHIVE);
        assertThat(Long.parseLong(options.get(io.motley.core.job.Staging.IN_SIZE)))
                .isEqualTo(held.size())
                .isGreaterThan(big.length);
        assertThat(options.get(io.motley.core.job.Staging.IN_SHA256))
                .isEqualTo(java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(held.toByteArray())));
        // what arrived is a tar of the file
        Path out = Files.createDirectories(dir.resolve("out"));
        Process x = new ProcessBuilder("tar", "-xf", "-", "-C", out.toString()).start();
        x.getOutputStream().write(held.toByteArray());
        x.getOutputStream().close();
        assertThat(x.waitFor()).isZero();
        assertThat(Files.readAllBytes(out.resolve("big.bin"))).isEqualTo(big);
    }

    @Test
    void aStageInOverMaxStageInSizeIsRefusedBeforeAnythingIsSubmitted() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(big);
        Files.write(work.resolve("big.bin"), big);
        cluster.canned.put(Ops.CONFIG, config("2M"));
        Result r = sbatch(Map.of(), "", "-D", work.toString(), "--stage-in=big.bin", "--wrap=true");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines("sbatch: error: --stage-in: the files come to more than 2097152 bytes packed,"
                        + " over MaxStageInSize (2097152 bytes); copy large inputs another way"));
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
    }

    @Test
    void anUploadTheControllerRefusesSaysWhyAndCancelsTheJob() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        byte[] big = new byte[5 * 1024 * 1024];
        new java.util.Random(2).nextBytes(big);
        Files.write(work.resolve("big.bin"), big);
        cluster.answers.put(
                Ops.STAGE_IN_CHUNK,
                req -> io.motley.protocol.Messages.encode(new io.motley.protocol.Message.Failure(
                        "job 77 no longer waits for its stage-in files (CANCELLED)")));
        Result r = sbatch(Map.of(), "", "-D", work.toString(), "--stage-in=big.bin", "--wrap=true");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .contains("sbatch: error: --stage-in: sending the files of job 77 failed: job 77 no longer waits")
                .contains("job 77 is cancelled");
        assertThat(cluster.last(Ops.CANCEL)).isNotNull();
    }

    @Test
    void stageInOfAMissingFileOrOutsideTheDirectoryIsRefusedBeforeSubmitting() throws Exception {
        Result missing = sbatch(Map.of(), "", "-D", dir.toString(), "--stage-in=nope.txt", "--wrap=true");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("--stage-in: " + dir.resolve("nope.txt") + ": No such file or directory");
        Result outside = sbatch(Map.of(), "", "--stage-out=../x", "--wrap=true");
        assertThat(outside.code()).isEqualTo(1);
        assertThat(outside.err()).contains("--stage-out: ../x leaves the job's working directory");
        Result absolute = sbatch(Map.of(), "", "--stage-in=/etc/passwd", "--wrap=true");
        assertThat(absolute.err()).contains("/etc/passwd is absolute");
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
    }

    @Test
    void wrapParsableHoldChdirAndExport() throws Exception {
        Result r = sbatch(
                Map.of("HOME", "/root", "KEEP", "1", "SLURM_CONF", "/etc/x"),
                "",
                "--parsable",
                "-H",
                "-D",
                "sub",
                "--export=NONE",
                "--wrap",
                "echo hi");
        assertThat(r.out()).isEqualTo(lines("77"));
        JobRequest req = submitted();
        assertThat(req.name()).isEqualTo("wrap");
        assertThat(req.hold()).isTrue();
        assertThat(req.script()).startsWith("#!/bin/sh\n").contains("echo hi\n");
        assertThat(req.workDir()).isEqualTo("/srv/anchor/fmt/sub");
        assertThat(req.submitDir()).isEqualTo("/srv/anchor/fmt");
        assertThat(req.environment())
                .doesNotContainKey("HOME")
                .containsEntry("SLURM_CONF", "/etc/x")
                .containsEntry("SLURM_EXPORT_ENV", "NONE")
                // as Slurm's sbatch: NONE asks for the user's environment on the node
                .containsEntry("SLURM_GET_USER_ENV", "1");

        sbatch(Map.of("A", "1", "B", "2"), "", "--export=A,C=3", "--wrap", "true");
        assertThat(submitted().environment())
                .containsEntry("A", "1")
                .containsEntry("C", "3")
                .doesNotContainKey("B");
    }

    @Test
    void scriptFromStdinAndItsChecks() throws Exception {
        Result ok = sbatch(Map.of(), "#!/bin/sh\n#SBATCH -n 3\ntrue\n");
        assertThat(ok.code()).isZero();
        assertThat(submitted().name()).isEqualTo("sbatch");
        assertThat(submitted().ntasks()).isEqualTo(3);
        Result notScript = sbatch(Map.of(), "true\n");
        assertThat(notScript.code()).isEqualTo(1);
        assertThat(notScript.err())
                .isEqualTo(lines(
                        "sbatch: error: This does not look like a batch script.  The first",
                        "sbatch: error: line must start with #! followed by the path to an interpreter.",
                        "sbatch: error: For instance: #!/bin/sh"));
    }

    @Test
    void anEmptyOrBinaryScriptGetsSlurmsWords() throws Exception {
        Result empty = sbatch(Map.of(), "");
        assertThat(empty.err()).isEqualTo(lines("sbatch: error: Batch script is empty!"));
        assertThat(empty.code()).isEqualTo(1);
        Result blank = sbatch(Map.of(), " \n\t\n");
        assertThat(blank.err()).isEqualTo(lines("sbatch: error: Batch script contains only whitespace!"));
        assertThat(blank.code()).isEqualTo(1);
        Path binary = dir.resolve("true");
        Files.write(binary, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, (byte) 0xe9, (byte) 0xff});
        Result notScript = sbatch(Map.of(), "", binary.toString());
        assertThat(notScript.code()).isEqualTo(1);
        assertThat(notScript.err())
                .isEqualTo(lines(
                        "sbatch: error: This does not look like a batch script.  The first",
                        "sbatch: error: line must start with #! followed by the path to an interpreter.",
                        "sbatch: error: For instance: #!/bin/sh"));
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
    }

    @Test
    void nodeCountsRangesTasksPerNodeAndSpreadJobReachTheRequest() throws Exception {
        sbatch(Map.of(), "", "-N", "3", "-n", "6", "--wrap", "true");
        JobRequest.Resources r = submitted().resources();
        assertThat(r.nodes()).isEqualTo(3);
        assertThat(r.maxNodes()).isEqualTo(3);
        assertThat(r.ntasks()).isEqualTo(6);
        assertThat(r.ntasksGiven()).isTrue();
        sbatch(Map.of(), "", "-N", "2-4", "--ntasks-per-node=2", "--spread-job", "--wrap", "true");
        r = submitted().resources();
        assertThat(r.nodes()).isEqualTo(2);
        assertThat(r.maxNodes()).isEqualTo(4);
        assertThat(r.ntasksPerNode()).isEqualTo(2);
        assertThat(r.ntasks()).isEqualTo(4);
        assertThat(r.ntasksGiven()).isFalse();
        assertThat(r.spreadJob()).isTrue();
        assertThat(sbatch(Map.of(), "", "-N", "4-2", "--wrap", "true").err()).contains("invalid node count");
    }

    @Test
    void tasksWithoutANodeCountMayTakeAsManyNodesAsTheyNeed() throws Exception {
        // Slurm: without -N, enough nodes are allocated for -n's tasks (the fewest that serve)
        sbatch(Map.of(), "", "-n", "8", "--wrap", "true");
        JobRequest.Resources r = submitted().resources();
        assertThat(r.nodes()).isEqualTo(1);
        assertThat(r.maxNodes()).isEqualTo(8);
        assertThat(r.ntasks()).isEqualTo(8);
        assertThat(r.ntasksGiven()).isTrue();
        // one task, or a node count given, keeps the count as it was
        sbatch(Map.of(), "", "-c", "4", "--wrap", "true");
        assertThat(submitted().resources().maxNodes()).isEqualTo(1);
        sbatch(Map.of(), "", "-N", "1", "-n", "8", "--wrap", "true");
        assertThat(submitted().resources().maxNodes()).isEqualTo(1);
    }

    @Test
    void aTimeLimitIsRoundedUpToWholeMinutesAsSlurmKeepsIt() throws Exception {
        sbatch(Map.of(), "", "-t", "10:30", "--wrap", "true");
        assertThat(submitted().timing().limit()).isEqualTo(new TimeLimit.Seconds(660));
        sbatch(Map.of(), "", "-t", "1-2:30:15", "--wrap", "true");
        assertThat(submitted().timing().limit()).isEqualTo(new TimeLimit.Seconds(((24 + 2) * 60 + 31) * 60));
        sbatch(Map.of(), "", "-t", "10:00", "--wrap", "true");
        assertThat(submitted().timing().limit()).isEqualTo(new TimeLimit.Seconds(600));
    }

    @Test
    void aBareJobIdDependencyIsAfteranyAndADeadlineNeedsNoLimit() throws Exception {
        assertThat(sbatch(Map.of(), "", "-d", "42", "--wrap", "true").code()).isZero();
        assertThat(submitted().dependency()).isEqualTo("afterany:42");
        assertThat(submitted().environment()).containsEntry("SLURM_JOB_DEPENDENCY", "42");
        Result deadline = sbatch(Map.of(), "", "--deadline=now+1hour", "--wrap", "true");
        assertThat(deadline.code()).isZero();
        assertThat(submitted().timing().limit()).isEqualTo(TimeLimit.UNSET);
    }

    @Test
    void aLimitOrMemoryNotGivenIsUnsetNotANumber() throws Exception {
        sbatch(Map.of(), "", "--wrap", "true");
        assertThat(submitted().timing().limit()).isEqualTo(TimeLimit.UNSET);
        assertThat(submitted().resources().memory()).isEqualTo(MemoryRequest.UNSET);
        sbatch(Map.of(), "", "-t", "UNLIMITED", "--mem-per-cpu=512", "--wrap", "true");
        assertThat(submitted().timing().limit()).isEqualTo(TimeLimit.UNLIMITED);
        assertThat(submitted().resources().memory()).isEqualTo(new MemoryRequest.PerCpu(512));
    }

    @Test
    void badInputGetsSlurmsMessagesAndExitCodes() throws Exception {
        Path bad = dir.resolve("bad.sh");
        Files.writeString(bad, "#!/bin/sh\n#SBATCH --bogus-option=1\ntrue\n");
        Result r = sbatch(Map.of(), "", bad.toString());
        assertThat(r.code()).isEqualTo(255);
        assertThat(r.err())
                .isEqualTo(lines(
                        "sbatch: unrecognized option '--bogus-option=1'",
                        "Try \"sbatch --help\" for more information"));
        assertThat(sbatch(Map.of(), "", "-t", "soon", "--wrap", "true").err())
                .isEqualTo(lines("sbatch: error: Invalid --time specification"));
        // -t takes the next word, and it is read before any script is looked for
        Result takenWrap = sbatch(Map.of(), "", "-t", "--wrap", "true");
        assertThat(takenWrap.err()).isEqualTo(lines("sbatch: error: Invalid --time specification"));
        assertThat(takenWrap.code()).isEqualTo(255);
        assertThat(sbatch(Map.of(), "", "--mem", "lots", "--wrap", "true").code())
                .isEqualTo(255);
        Result zeroTasks = sbatch(Map.of(), "", "-n", "0", "--wrap", "true");
        assertThat(zeroTasks.err()).isEqualTo(lines("sbatch: error: Invalid numeric value \"0\" for --ntasks."));
        assertThat(zeroTasks.code()).isEqualTo(1);
        Result badCpus = sbatch(Map.of(), "", "-c", "abc", "--wrap", "true");
        assertThat(badCpus.err()).isEqualTo(lines("sbatch: error: Invalid numeric value \"abc\" for --cpus-per-task."));
        assertThat(badCpus.code()).isEqualTo(1);
        Result bothMem = sbatch(Map.of(), "", "--mem=1G", "--mem-per-cpu=1G", "--wrap", "true");
        assertThat(bothMem.err())
                .isEqualTo(lines("sbatch: fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive."));
        assertThat(bothMem.code()).isEqualTo(1);
        Result wrapArgs = sbatch(Map.of(), "", "--wrap", "true", "extra");
        assertThat(wrapArgs.err()).isEqualTo(lines("sbatch: error: Script arguments not permitted with --wrap option"));
        assertThat(wrapArgs.code()).isEqualTo(1);
        Result bogusMail = sbatch(Map.of(), "", "--mail-type=BOGUS", "--wrap", "true");
        assertThat(bogusMail.err()).isEqualTo(lines("sbatch: error: Invalid --mail-type specification"));
        assertThat(bogusMail.code()).isEqualTo(255);
        assertThat(sbatch(Map.of(), "", "--mail-type=end,fail", "--wrap", "true")
                        .code())
                .isZero();
        assertThat(sbatch(Map.of(), "", "--deadline=someday", "--wrap", "true").err())
                .isEqualTo(lines(
                        "Invalid time specification (pos=0): someday",
                        "sbatch: error: Invalid --deadline specification"));
        Result badBegin = sbatch(Map.of(), "", "--begin=now+5x", "--wrap", "true");
        assertThat(badBegin.err())
                .isEqualTo(lines(
                        "Invalid time specification (pos=4): now+5x", "sbatch: error: Invalid --begin specification"));
        assertThat(badBegin.code()).isEqualTo(255);
        assertThat(sbatch(Map.of(), "", "--array=5-1", "--wrap", "true").err())
                .isEqualTo(lines(
                        "sbatch: error: invalid --array range 5-1 in 5-1",
                        "sbatch: error: Batch job submission failed: Invalid job array specification"));
        Result missing = sbatch(Map.of(), "", "nosuchfile.sh");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo(lines("sbatch: error: Unable to open file nosuchfile.sh"));
        assertThat(sbatch(Map.of(), "", "--mail-type=END", "--wrap", "true").err())
                .as("tools parse sbatch's output: nothing but the id line, as Slurm")
                .isEmpty();
    }

    @Test
    void waitOnATerminalShowsTheJobsStateOnStderr() throws Exception {
        cluster.jobs(Fixtures.job(77, "wrap")
                .submitted(100)
                .running("vm", 100, 100)
                .ended(io.motley.core.job.JobState.FAILED, new io.motley.core.job.ExitStatus(3, 0), 110)
                .build());
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Io io = new Io(
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.ByteArrayInputStream(new byte[0]),
                true,
                Map.of(),
                "/srv/anchor/fmt",
                req -> cluster.call(req),
                200,
                Fixtures.ZONE,
                "vm",
                "root",
                0);
        assertThat(new Sbatch().run(List.of("--wait", "--wrap", "false"), io)).isEqualTo(3);
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(lines("Submitted batch job 77"));
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("\rsbatch: job 77 FAILED\n");
    }

    @Test
    void waitOnAnArrayWaitsForEveryTaskAndExitsWithTheHighestCode() throws Exception {
        // the array's own record (its last task) has ended; a task with a record of its own still runs
        Job last = Fixtures.job(77, "arr")
                .submitted(100)
                .running("vm", 100, 100)
                .ended(JobState.COMPLETED, new ExitStatus(0, 0), 110)
                .build()
                .withArray(new ArrayPart(77, 3, ""));
        Job first = Fixtures.job(78, "arr")
                .submitted(100)
                .running("vm", 100, 100)
                .build()
                .withArray(new ArrayPart(77, 1, ""));
        cluster.jobs(last, first);
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        Io io = new Io(
                new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true),
                new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true),
                new java.io.ByteArrayInputStream(new byte[0]),
                false,
                Map.of(),
                "/srv/anchor/fmt",
                req -> {
                    // the running task ends FAILED with code 4 after a few looks
                    if (req.op().equals(Ops.JOBS) && looks.incrementAndGet() == 3) {
                        cluster.jobs.remove(first);
                        cluster.jobs(Fixtures.job(78, "arr")
                                .submitted(100)
                                .running("vm", 100, 100)
                                .ended(JobState.FAILED, new ExitStatus(4, 0), 120)
                                .build()
                                .withArray(new ArrayPart(77, 1, "")));
                    }
                    return cluster.call(req);
                },
                200,
                Fixtures.ZONE,
                "vm",
                "root",
                0);
        assertThat(new Sbatch().run(List.of("--wait", "--array=1,3", "--wrap", "false"), io))
                .isEqualTo(4);
        assertThat(looks.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void exclusiveTakesSlurmsFourFormsAndRefusesOthers() throws Exception {
        assertThat(sbatch(Map.of(), "", "--exclusive", "--wrap", "true").code()).isZero();
        assertThat(submitted().exclusive()).isTrue();
        assertThat(submitted().overSubscribe()).isEqualTo("NO");
        assertThat(sbatch(Map.of(), "", "--exclusive=user", "--wrap", "true").code())
                .isZero();
        assertThat(submitted().exclusive()).isTrue();
        assertThat(submitted().overSubscribe()).isEqualTo("USER");
        assertThat(sbatch(Map.of(), "", "--exclusive=MCS", "--wrap", "true").code())
                .isZero();
        assertThat(submitted().overSubscribe()).isEqualTo("MCS");
        // =oversubscribe is -s: nodes shared
        assertThat(sbatch(Map.of(), "", "--exclusive=oversubscribe", "--wrap", "true")
                        .code())
                .isZero();
        assertThat(submitted().exclusive()).isFalse();
        assertThat(submitted().overSubscribe()).isEqualTo("YES");
        Result bad = sbatch(Map.of(), "", "--exclusive=bogus", "--wrap", "true");
        assertThat(bad.err()).isEqualTo(lines("sbatch: error: Invalid --exclusive specification"));
        assertThat(bad.code()).isEqualTo(255);
    }

    @Test
    void whatWorkflowToolsSendIsKeptOnTheJobAndNothingButTheIdIsPrinted() throws Exception {
        Result r = sbatch(
                Map.of(),
                "",
                "--open-mode=a",
                "--signal=b:sigusr2@90",
                "--wckey=proj",
                "--get-user-env",
                "--mail-type=END,FAIL",
                "--mail-user=ann@example.org",
                "--wrap",
                "true");
        assertThat(r.out()).isEqualTo(lines("Submitted batch job 77"));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(submitted().options())
                .containsEntry("open-mode", "append")
                .containsEntry("signal", "B:USR2@90")
                .containsEntry("wckey", "proj")
                .containsEntry("get-user-env", "")
                .containsEntry("mail-type", "END,FAIL")
                .containsEntry("mail-user", "ann@example.org");
        assertThat(submitted().environment()).containsEntry("SLURM_GET_USER_ENV", "1");
        assertThat(sbatch(Map.of(), "", "--open-mode=truncate", "--wrap", "true")
                        .code())
                .isZero();
        assertThat(submitted().options()).containsEntry("open-mode", "truncate");
        // --prefer is kept for the controller's scheduler; an empty one asks nothing
        assertThat(sbatch(Map.of(), "", "--prefer=bigmem|gpu", "--wrap", "true").code())
                .isZero();
        assertThat(submitted().options()).containsEntry("prefer", "bigmem|gpu");
        assertThat(sbatch(Map.of(), "", "--prefer=", "--wrap", "true").code()).isZero();
        assertThat(submitted().options()).doesNotContainKey("prefer");

        Result badSignal = sbatch(Map.of(), "", "--signal=NOPE@10", "--wrap", "true");
        assertThat(badSignal.err()).isEqualTo(lines("sbatch: error: Invalid --signal specification"));
        assertThat(badSignal.code()).isEqualTo(255);
        Result badMode = sbatch(Map.of(), "", "--open-mode=sideways", "--wrap", "true");
        assertThat(badMode.err()).isEqualTo(lines("sbatch: error: Invalid --open-mode specification"));
        assertThat(badMode.code()).isEqualTo(255);
    }

    @Test
    void deadlineTakesBeginsFormsAndTheLastRequeueFlagWins() throws Exception {
        sbatch(Map.of(), "", "--deadline=now+1hour", "--wrap", "true");
        assertThat(submitted().deadline()).isEqualTo(3600);
        assertThat(submitted().requeue()).isTrue();
        sbatch(Map.of(), "", "--deadline=2026-12-01T08:00", "--no-requeue", "--wrap", "true");
        assertThat(submitted().deadline()).isEqualTo(Fixtures.at("2026-12-01T08:00"));
        assertThat(submitted().requeue()).isFalse();

        // a directive says --no-requeue, the command line --requeue: the command line wins
        Path script = dir.resolve("job.sh");
        Files.writeString(script, "#!/bin/sh\n#SBATCH --no-requeue\n#SBATCH --deadline=now+2hours\ntrue\n");
        Result r = sbatch(Map.of(), "", "--requeue", script.toString());
        assertThat(r.err()).isEmpty();
        assertThat(submitted().requeue()).isTrue();
        assertThat(submitted().deadline()).isEqualTo(7200);
        sbatch(Map.of(), "", script.toString());
        assertThat(submitted().requeue()).isFalse();
    }

    @Test
    void aRefusalPrintsBothOfSlurmsLines() throws Exception {
        cluster.submitAnswer = req -> Frame.error("Requested node configuration is not available")
                .put("detail", "Memory specification can not be satisfied");
        Result r = sbatch(Map.of(), "", "--mem=100G", "--wrap", "true");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines(
                        "sbatch: error: Memory specification can not be satisfied",
                        "sbatch: error: Batch job submission failed: Requested node configuration is not available"));
    }

    @Test
    void niceAndQosAsSlurmsSbatchReadsThem() throws Exception {
        sbatch(Map.of(), "", "--nice", "--wrap", "true");
        assertThat(submitted().nice()).isEqualTo(100);
        sbatch(Map.of(), "", "--nice=25", "--qos=high", "--wrap", "true");
        assertThat(submitted().nice()).isEqualTo(25);
        assertThat(submitted().qos()).isEqualTo("high");
        sbatch(Map.of("SBATCH_QOS", "low"), "", "--wrap", "true");
        assertThat(submitted().qos()).isEqualTo("low");
        assertThat(submitted().nice()).isZero();
        // root may raise a job's priority
        sbatch(Map.of(), "", "--nice=-5", "--wrap", "true");
        assertThat(submitted().nice()).isEqualTo(-5);
        Result tooBig = sbatch(Map.of(), "", "--nice=3000000000", "--wrap", "true");
        assertThat(tooBig.code()).isZero();
        assertThat(tooBig.err())
                .isEqualTo(lines("sbatch: error: Nice value out of range (+/- 2147483645). Value ignored"));
        assertThat(submitted().nice()).isZero();
    }

    @Test
    void aNegativeNiceFromAUserIsIgnoredWithSlurmsError() throws Exception {
        Result r = Fixtures.run(new Sbatch(), cluster, 0, 1000, "alice", "", Map.of(), "--nice=-10", "--wrap", "true");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEqualTo(lines("sbatch: error: Nice value must be non-negative, value ignored"));
        assertThat(submitted().nice()).isZero();
    }

    @Test
    void aScriptThatIsNotUtf8IsRefusedSayingWhereRatherThanUnreadable() throws Exception {
        Path latin1 = dir.resolve("latin1.sh");
        Files.write(latin1, "#!/bin/sh\necho ok\n# caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Result r = sbatch(Map.of(), "", latin1.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines("sbatch: error: Batch script " + latin1 + " is not UTF-8 text: byte 0xe9 on line 3."
                        + " Motley keeps scripts as UTF-8; convert it, e.g. iconv -f latin1 -t utf-8"));
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
        Path utf8 = dir.resolve("utf8.sh");
        Files.writeString(utf8, "#!/bin/sh\n# caf\u00e9\necho ok\n");
        assertThat(sbatch(Map.of(), "", utf8.toString()).code()).isZero();
        assertThat(submitted().script()).contains("caf\u00e9");
    }

    @Test
    void optionsSlurmAcceptsAreAcceptedAndKeptThoughNotEnforced() throws Exception {
        Result r = sbatch(
                Map.of(),
                "",
                "-i",
                "in.txt",
                "-k",
                "-m",
                "cyclic",
                "--mincpus=2",
                "-O",
                "-S",
                "1",
                "--hint=compute_bound",
                "--threads-per-core=1",
                "--switches=1",
                "--delay-boot=5",
                "--propagate",
                "--time-min=10",
                "--priority=500",
                "--acctg-freq=30",
                "--cpu-freq=high",
                "--mcs-label=x",
                "--profile=task",
                "--wrap",
                "true");
        // -S alone is said to be ignored, as Slurm's sbatch says it where no cores are reserved
        assertThat(r.err())
                .isEqualTo(lines("sbatch: error: Ignoring -S since it's not allowed by configuration"
                        + " (AllowSpecResourcesUsage = No)"));
        assertThat(r.code()).isZero();
        JobRequest req = submitted();
        assertThat(req.payload().options())
                .containsEntry("input", "in.txt")
                .containsEntry("no-kill", "")
                .containsEntry("distribution", "cyclic")
                .containsEntry("mincpus", "2")
                .containsEntry("overcommit", "")
                .containsEntry("core-spec", "1")
                .containsEntry("hint", "compute_bound")
                .containsEntry("time-min", "10")
                .containsEntry("priority", "500")
                .containsEntry("cpu-freq", "high")
                .containsEntry("profile", "task")
                .hasSize(17);
        assertThat(req.environment())
                .containsEntry("SLURM_DISTRIBUTION", "cyclic")
                .containsEntry("SLURM_THREADS_PER_CORE", "1")
                .containsEntry("SLURM_ACCTG_FREQ", "30");
        assertThat(req.hold()).isFalse();
        Result more = sbatch(
                Map.of(),
                "",
                "-s",
                "--contiguous",
                "--gid=0",
                "--network=foo",
                "--bb=foo",
                "--power=foo",
                "--sockets-per-node=1",
                "--cores-per-socket=1",
                "-B",
                "1:1:1",
                "--ntasks-per-core=1",
                "--ntasks-per-socket=1",
                "--use-min-nodes",
                "--reboot",
                "--thread-spec=1",
                "--gpu-bind=none",
                "--gpu-freq=high",
                "--cluster-constraint=foo",
                "--ignore-pbs",
                "--wrap",
                "true");
        assertThat(more.err())
                .isEqualTo(lines(
                        "sbatch: error: Ignoring unrecognized power option (foo)",
                        "sbatch: error: Ignoring unrecognized power option (foo)",
                        "sbatch: error: Ignoring --thread-spec since it's not allowed by configuration"
                                + " (AllowSpecResourcesUsage = No)"));
        assertThat(more.code()).isZero();
        assertThat(submitted().payload().options())
                .containsEntry("oversubscribe", "")
                .containsEntry("extra-node-info", "1:1:1")
                .containsEntry("gpu-freq", "high")
                .containsEntry("ignore-pbs", "")
                .hasSize(18);
        // --priority=0 holds the job, as slurmctld makes of it
        sbatch(Map.of(), "", "--priority=0", "--wrap", "true");
        assertThat(submitted().hold()).isTrue();
    }

    @Test
    void ntasksPerGpuGivesTasksFromGpusOrGpusFromTasks() throws Exception {
        Result none = sbatch(Map.of(), "", "--ntasks-per-gpu=1", "--wrap", "true");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err())
                .isEqualTo(lines(
                        "sbatch: error: gres_job_state_validate: --ntasks-per-tres needs either a GRES GPU"
                                + " specification or a node/ntask specification",
                        "sbatch: error: Invalid generic resource (gres) specification"));
        assertThat(sbatch(Map.of(), "", "--ntasks-per-gpu=2", "--gpus=3", "--wrap", "true")
                        .code())
                .isZero();
        assertThat(submitted().resources().ntasks()).isEqualTo(6);
        assertThat(submitted().resources().gpusPerNode()).isEqualTo(3);
        assertThat(sbatch(Map.of(), "", "--ntasks-per-gpu=2", "-n", "4", "--wrap", "true")
                        .code())
                .isZero();
        assertThat(submitted().resources().gpusPerNode()).isEqualTo(2);
        assertThat(submitted().resources().ntasks()).isEqualTo(4);
    }

    @Test
    void nodesAskedWithNAreKeptForShowJob() throws Exception {
        assertThat(sbatch(Map.of(), "", "-N", "1-1", "--wrap", "true").code()).isZero();
        assertThat(submitted().options()).containsEntry("nodes", "1-1");
        assertThat(sbatch(Map.of(), "", "--wrap", "true").code()).isZero();
        assertThat(submitted().options()).doesNotContainKey("nodes");
    }

    @Test
    void coreSpecThreadSpecAndUnknownPowerFlagsAreIgnoredWithSlurmsErrors() throws Exception {
        Result s = sbatch(Map.of(), "", "-S", "0", "--wrap", "true");
        assertThat(s.code()).isZero();
        assertThat(s.err())
                .isEqualTo(lines("sbatch: error: Ignoring -S since it's not allowed by configuration"
                        + " (AllowSpecResourcesUsage = No)"));
        Result t = sbatch(Map.of(), "", "--thread-spec=1", "--wrap", "true");
        assertThat(t.code()).isZero();
        assertThat(t.err())
                .isEqualTo(lines("sbatch: error: Ignoring --thread-spec since it's not allowed by configuration"
                        + " (AllowSpecResourcesUsage = No)"));
        Result p = sbatch(Map.of(), "", "--power=level,foo", "--wrap", "true");
        assertThat(p.code()).isZero();
        assertThat(p.err())
                .isEqualTo(lines(
                        "sbatch: error: Ignoring unrecognized power option (foo)",
                        "sbatch: error: Ignoring unrecognized power option (foo)"));
        assertThat(sbatch(Map.of(), "", "--power=level", "--wrap", "true").err())
                .isEmpty();
    }

    @Test
    void uidIsRootsOnlyAndBadValuesOfAcceptedOptionsGetSlurmsErrors() throws Exception {
        Result user = Fixtures.run(new Sbatch(), cluster, 0, 1000, "alice", "", Map.of(), "--uid=0", "--wrap", "true");
        assertThat(user.err()).isEqualTo(lines("sbatch: error: --uid only permitted by root user"));
        assertThat(user.code()).isEqualTo(255);
        Result root = sbatch(Map.of(), "", "--uid=1000", "--wrap", "true");
        assertThat(root.code()).isZero();
        assertThat(root.err()).contains("--uid is not enforced");
        assertThat(submitted().payload().options()).containsEntry("uid", "1000");
        // root naming itself: the job runs as the user named, nothing to warn of
        Result self = sbatch(Map.of(), "", "--uid=0", "--wrap", "true");
        assertThat(self.code()).isZero();
        assertThat(self.err()).isEmpty();
        Result mincpus = sbatch(Map.of(), "", "--mincpus=x", "--wrap", "true");
        assertThat(mincpus.err()).isEqualTo(lines("sbatch: error: Invalid numeric value \"x\" for --mincpus."));
        assertThat(mincpus.code()).isEqualTo(1);
        Result timeMin = sbatch(Map.of(), "", "--time-min=soon", "--wrap", "true");
        assertThat(timeMin.err()).isEqualTo(lines("sbatch: error: Invalid --time-min specification"));
        assertThat(timeMin.code()).isEqualTo(255);
        assertThat(sbatch(Map.of(), "", "--priority=-1", "--wrap", "true").err())
                .isEqualTo(lines("sbatch: error: Priority must be >= 0"));
    }

    @Test
    void licensesReservationsTmpAndOtherClustersAreRefusedWithSlurmsAnswers() throws Exception {
        Result lic = sbatch(Map.of(), "", "-L", "matlab", "--wrap", "true");
        assertThat(lic.err())
                .isEqualTo(lines("sbatch: error: Batch job submission failed: Invalid license specification"));
        assertThat(lic.code()).isEqualTo(1);
        Result resv = sbatch(Map.of(), "", "--reservation=maint", "--wrap", "true");
        assertThat(resv.err())
                .isEqualTo(lines("sbatch: error: Batch job submission failed: Requested reservation is invalid"));
        assertThat(resv.code()).isEqualTo(1);
        Result tmp = sbatch(Map.of(), "", "--tmp=100", "--wrap", "true");
        assertThat(tmp.err())
                .isEqualTo(lines(
                        "sbatch: error: Temporary disk specification can not be satisfied",
                        "sbatch: error: Batch job submission failed: Requested node configuration is not available"));
        assertThat(tmp.code()).isEqualTo(1);
        assertThat(sbatch(Map.of(), "", "--tmp=0", "--wrap", "true").code()).isZero();
        Result other = sbatch(Map.of(), "", "-M", "far", "--wrap", "true");
        assertThat(other.err())
                .isEqualTo(lines("sbatch: error: 'far' can't be reached now, or it is an invalid entry for --cluster."
                        + "  Use 'sacctmgr list clusters' to see available clusters."));
        assertThat(other.code()).isEqualTo(1);
        assertThat(sbatch(Map.of(), "", "-M", "anchor,far", "--wrap", "true").code())
                .isEqualTo(1);
    }

    @Test
    void clustersNamingThisOneSubmitsAndSaysWhereAsSlurmsSbatch() throws Exception {
        Result here = sbatch(Map.of(), "", "-M", "anchor", "--wrap", "true");
        assertThat(here.code()).as(here.err()).isZero();
        assertThat(here.out()).matches("Submitted batch job \\d+ on cluster anchor\n");
        assertThat(sbatch(Map.of(), "", "--clusters=all", "--parsable", "--wrap", "true")
                        .out())
                .matches("\\d+;anchor\n");
        // without -M, as before
        assertThat(sbatch(Map.of(), "", "--wrap", "true").out()).matches("Submitted batch job \\d+\n");
    }

    @Test
    void testOnlySaysWhenTheJobWouldStartAndSubmitsNothing() throws Exception {
        long at = java.time.ZonedDateTime.of(2026, 11, 22, 12, 40, 0, 0, Fixtures.ZONE)
                .toEpochSecond();
        cluster.canned.put(
                Ops.WILL_RUN,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.WillStart(43, at, 2, "vm", "debug")));
        Result r = sbatch(Map.of(), "", "--test-only", "-c", "2", "--wrap", "true");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .isEqualTo(
                        lines(
                                "sbatch: Job 43 to start at 2026-11-22T12:40:00 using 2 processors on nodes vm in partition debug"));
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
        assertThat(Codec.request(cluster.last(Ops.WILL_RUN).children().get(0)).cpus())
                .isEqualTo(2);

        cluster.canned.put(
                Ops.WILL_RUN,
                io.motley.protocol.Messages.encode(new io.motley.protocol.Message.WillStart(44, 0, 1, null, "debug")));
        assertThat(sbatch(Map.of(), "", "--test-only", "--wrap", "true").err())
                .isEqualTo(lines(
                        "sbatch: Job 44 to start at Unknown using 1 processors on nodes (null) in partition debug"));

        cluster.canned.put(Ops.WILL_RUN, Frame.error("Requested node configuration is not available"));
        Result no = sbatch(Map.of(), "", "--test-only", "-c", "64", "--wrap", "true");
        assertThat(no.code()).isEqualTo(1);
        assertThat(no.err()).isEqualTo(lines("allocation failure: Requested node configuration is not available"));
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
    }

    @Test
    void exportFileAddsToTheEnvironmentAndBatchToTheConstraint() throws Exception {
        Path vars = dir.resolve("vars");
        Files.writeString(vars, "ALPHA=1\nBETA=two=2\n");
        sbatch(
                Map.of("HOME", "/root"),
                "",
                "--export-file=" + vars,
                "-C",
                "x86_64|bigmem",
                "--batch=bigmem",
                "--wrap",
                "true");
        JobRequest req = submitted();
        assertThat(req.environment())
                .containsEntry("ALPHA", "1")
                .containsEntry("BETA", "two=2")
                .containsEntry("HOME", "/root");
        assertThat(req.constraint()).isEqualTo("(x86_64|bigmem)&(bigmem)");
    }

    @Test
    void batchFeaturesMustBeAmongTheConstraintsAsSlurmctldChecks() throws Exception {
        String refused = "sbatch: error: Batch job submission failed: Job --batch option is invalid or not a subset"
                + " of --constraints\n";
        for (String[] args : new String[][] {
            {"--batch=bigmem", "--wrap", "true"},
            {"-C", "x86_64", "--batch=bigmem", "--wrap", "true"},
            {"-C", "(bigmem|fast)&gpu", "--batch=bigmem|slow", "--wrap", "true"}
        }) {
            Result r = sbatch(Map.of(), "", args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).isEqualTo(refused);
        }
        assertThat(cluster.last(Ops.SUBMIT)).isNull();
        sbatch(Map.of(), "", "-C", "(bigmem|fast)&gpu", "--batch=gpu", "--wrap", "true");
        assertThat(submitted().constraint()).isEqualTo("((bigmem|fast)&gpu)&(gpu)");
    }
}
