package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.agent.enforcement.ProcessTracking;
import io.motley.agent.enforcement.RootCommand;
import io.motley.agent.enforcement.TestHosts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley-start (native/motley-start.c) as the agent runs it: each of its steps, and the order they come in. */
class StarterTest {
    @TempDir
    Path dir;

    Starter starter;
    Path env;

    @BeforeEach
    void build() throws Exception {
        starter = Starters.built();
        env = dir.resolve("env");
    }

    record Ran(int status, String out) {}

    /** Job 42's start on node n7 as the agent's own user, with a session, the environment in {@link #env}. */
    Starter.Spec spec(List<Path> joins, String cpus, String umask, String workDir, List<String> command) {
        return spec(joins, cpus, umask, JobIdentity.agent(), workDir, command);
    }

    Starter.Spec spec(
            List<Path> joins, String cpus, String umask, JobIdentity who, String workDir, List<String> command) {
        return spec(joins, cpus, umask, who, workDir, command, null);
    }

    Starter.Spec spec(
            List<Path> joins,
            String cpus,
            String umask,
            JobIdentity who,
            String workDir,
            List<String> command,
            io.motley.protocol.StepMessages.Terminal terminal) {
        return new Starter.Spec(
                42, "n7", joins, cpus, umask, null, null, who, env, "", "", false, workDir, command, terminal, null);
    }

    /** Runs {@code command} through motley-start as the agent does (its fixed environment), with {@code spec}'s other parts. */
    Ran run(Map<String, String> vars, JobIdentity who, String workDir, List<String> options, List<String> command)
            throws Exception {
        Files.write(env, Starter.environment(vars));
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
        List<String> words = new ArrayList<>(starter.words(spec(List.of(), "", "022", who, workDir, command)));
        // options of a test's own go before the program's "--"
        words.addAll(1, options);
        Process p = RootCommand.of(words).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Ran(p.waitFor(), out);
    }

    Ran run(Map<String, String> vars, List<String> command) throws Exception {
        return run(vars, JobIdentity.agent(), dir.toString(), List.of(), command);
    }

    @Test
    void theProgramGetsTheJobsEnvironmentAloneWithItsMarkerTaskPidAndDirectory() throws Exception {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("PATH", "/usr/bin:/bin");
        vars.put("SPACED", "a b\nc 'd' \"e\" $f");
        vars.put("BASH_FUNC_module%%", "() {  echo hi\n}");
        vars.put(ProcessTracking.MARKER, "999");
        Ran r = run(vars, List.of("/usr/bin/env", "-0"));
        assertThat(r.status()).as(r.out()).isZero();
        List<String> got = List.of(r.out().split("\0"));
        assertThat(got)
                .containsExactly(
                        ProcessTracking.MARKER + "=42",
                        "SLURMD_NODENAME=n7",
                        "PATH=/usr/bin:/bin",
                        "SPACED=a b\nc 'd' \"e\" $f",
                        "BASH_FUNC_module%%=() {  echo hi\n}",
                        got.get(5),
                        "PWD=" + dir);
        assertThat(got.get(5)).matches("SLURM_TASK_PID=\\d+");
        assertThat(RootCommand.ENVIRONMENT).doesNotContainKey("SPACED");
    }

    @Test
    void slurmTaskPidIsTheProgramsOwnPid() throws Exception {
        Ran r = run(Map.of("PATH", "/usr/bin:/bin"), List.of("/bin/sh", "-c", "echo $$ $SLURM_TASK_PID"));
        String[] pids = r.out().trim().split(" ");
        assertThat(pids[1]).isEqualTo(pids[0]);
    }

    @Test
    void aProgramWithoutASlashIsFoundOnTheJobsPathAndAMissingOneIs127() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("hello"), "#!/bin/sh\necho hello from $0\n");
        Files.setPosixFilePermissions(bin.resolve("hello"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Ran found = run(Map.of("PATH", dir.resolve("nowhere") + ":" + bin + ":/bin"), List.of("hello"));
        assertThat(found.out()).isEqualTo("hello from " + bin.resolve("hello") + "\n");
        Ran missing = run(Map.of("PATH", bin.toString()), List.of("no-such-program"));
        assertThat(missing.status()).isEqualTo(127);
        assertThat(missing.out()).isEqualTo("motley-job: exec: no-such-program: not found\n");
    }

    @Test
    void aWorkDirectoryThatIsNotThereSendsTheJobToTmpAndSaysSo() throws Exception {
        Ran r = run(
                Map.of("PATH", "/usr/bin:/bin"),
                JobIdentity.agent(),
                dir.resolve("gone").toString(),
                List.of(),
                List.of("/bin/sh", "-c", "pwd; echo $PWD"));
        assertThat(r.out())
                .isEqualTo("motleystep: error: couldn't chdir to `" + dir.resolve("gone")
                        + "': No such file or directory: going to /tmp instead\n/tmp\n/tmp\n");
    }

    @Test
    void itJoinsItsBoxBindsItsCpusSetsTheUmaskAndLeadsASessionWithDefaultSignals() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc here to read a process's state from");
        Path procs = Files.writeString(dir.resolve("cgroup.procs"), "");
        Files.write(env, Starter.environment(Map.of("PATH", "/usr/bin:/bin")));
        List<String> words = starter.words(spec(
                List.of(procs),
                "0",
                "027",
                dir.toString(),
                List.of(
                        "/bin/sh",
                        "-c",
                        "echo $$; umask; read a b c d e sid rest </proc/$$/stat; echo $sid;"
                                + " grep -E '^(Cpus_allowed_list|SigIgn|SigBlk):' /proc/$$/status")));
        // the agent's own ignored and blocked signals (nohup's HUP, a background job's INT) are not the job's
        List<String> sh =
                new ArrayList<>(List.of("/bin/sh", "-c", "trap '' INT HUP QUIT TERM; exec \"$@\"", "motley-agent"));
        sh.addAll(words);
        Process p = RootCommand.of(sh).redirectErrorStream(true).start();
        List<String> out = List.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        assertThat(p.waitFor()).as(String.join("\n", out)).isZero();
        String pid = out.get(0);
        assertThat(Files.readString(procs)).isEqualTo(pid + "\n");
        assertThat(out.get(1)).isEqualTo("0027");
        assertThat(out.get(2)).as("its session is its own").isEqualTo(pid);
        assertThat(out).contains("Cpus_allowed_list:\t0", "SigBlk:\t0000000000000000");
        long ignored = out.stream()
                .filter(l -> l.startsWith("SigIgn:"))
                .mapToLong(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16))
                .findFirst()
                .orElseThrow();
        long reset = 0;
        // HUP INT QUIT USR1 USR2 PIPE ALRM TERM TSTP, as slurmstepd resets them
        for (int sig : new int[] {1, 2, 3, 10, 12, 13, 14, 15, 20}) reset |= 1L << (sig - 1);
        assertThat(ignored & reset)
                .as("signals ignored of those a job starts with at their defaults")
                .isZero();
    }

    @Test
    void itWritesTheJobsOutputFilesAsTheUserTruncatedOrAppended() throws Exception {
        Path out = dir.resolve("o.txt");
        Path err = dir.resolve("e.txt");
        Files.writeString(out, "old\n");
        List<String> cmd = List.of("/bin/sh", "-c", "echo out; echo err >&2");
        run(Map.of(), JobIdentity.agent(), dir.toString(), List.of("-1", out.toString()), cmd);
        assertThat(Files.readString(out)).isEqualTo("out\nerr\n");
        run(
                Map.of(),
                JobIdentity.agent(),
                dir.toString(),
                List.of("-a", "-1", out.toString(), "-2", err.toString()),
                cmd);
        assertThat(Files.readString(out)).isEqualTo("out\nerr\nout\n");
        assertThat(Files.readString(err)).isEqualTo("err\n");
    }

    @Test
    void asRootItBecomesTheUserBeforeItReadsTheEnvironmentOrOpensAnything() throws Exception {
        assumeTrue(TestHosts.isRoot(), "becoming another user needs root");
        RunAsSubmitterTest.user();
        JobIdentity who =
                JobIdentity.of(5, RunAsSubmitterTest.uid, RunAsSubmitterTest.gid, RunAsSubmitterTest.USER, true);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "motley-user-");
        try {
            Files.setAttribute(work, "unix:uid", RunAsSubmitterTest.uid);
            Path out = work.resolve("out");
            Ran r = run(
                    Map.of("PATH", "/usr/bin:/bin"),
                    who,
                    work.toString(),
                    List.of("-1", out.toString()),
                    List.of("/bin/sh", "-c", "id -u; id -g; id -Gn; cat " + env + " >/dev/null 2>&1 || echo closed"));
            assertThat(r.status()).as(r.out()).isZero();
            List<String> lines = Files.readAllLines(out);
            assertThat(lines.get(0)).isEqualTo(Integer.toString(RunAsSubmitterTest.uid));
            assertThat(lines.get(1)).isEqualTo(Integer.toString(RunAsSubmitterTest.gid));
            assertThat(lines.get(2)).as("the user's groups").contains(RunAsSubmitterTest.GROUP);
            assertThat(lines.get(3))
                    .as("the environment file, which only the agent can open")
                    .isEqualTo("closed");
            assertThat(Files.getAttribute(out, "unix:uid"))
                    .as("the output file is the user's")
                    .isEqualTo(RunAsSubmitterTest.uid);

            Ran denied = run(
                    Map.of(),
                    who,
                    work.toString(),
                    List.of("-1", dir.resolve("root-only").toString()),
                    List.of("/bin/true"));
            assertThat(denied.status()).isEqualTo(1);
            assertThat(denied.out()).startsWith("motley: cannot open " + dir.resolve("root-only"));
            assertThat(dir.resolve("root-only"))
                    .as("opened as the user, in root's own directory")
                    .doesNotExist();
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * srun --pty's task on another node than srun: on a terminal of srun's size, its stdin, stdout and stderr, in a
     * session of its own; the starter relays its own stdin and stdout to it, and ends as the program did. As root, the
     * terminal and the relay are the user's.
     */
    @Test
    void onATerminalTheProgramGetsOneOfItsOwnAndTheStarterRelaysIt() throws Exception {
        boolean root = TestHosts.isRoot();
        JobIdentity who = JobIdentity.agent();
        if (root) {
            RunAsSubmitterTest.user();
            who = JobIdentity.of(5, RunAsSubmitterTest.uid, RunAsSubmitterTest.gid, RunAsSubmitterTest.USER, true);
        }
        Files.write(env, Starter.environment(Map.of("PATH", "/usr/bin:/bin")));
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
        String script = "test -t 0 && test -t 1 && test -t 2 && echo on a terminal; stty size;"
                + " echo pid=$SLURM_TASK_PID/$$; echo tty=$(stat -c %u $(tty)) relay=$(ps -o uid= -p $PPID | tr -d ' ');"
                + " ps -o sid= -p $$ | tr -d ' ' | grep -qx $$ && echo leads its session;"
                + " read x; echo got=$x; exit 3";
        Starter.Spec terminal = spec(
                List.of(),
                "",
                "022",
                who,
                "/tmp",
                List.of("/bin/sh", "-c", script),
                new io.motley.protocol.StepMessages.Terminal(30, 100));
        Process p = RootCommand.of(starter.words(terminal)).start();
        // sent before the program reads: the terminal echoes it at once and keeps it for the read
        p.getOutputStream().write("abc\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(3);
        assertThat(out).as("a terminal's line ends").contains("on a terminal\r\n");
        assertThat(out).contains("30 100\r\n", "leads its session", "got=abc");
        java.util.regex.Matcher pid =
                java.util.regex.Pattern.compile("pid=(\\d+)/(\\d+)").matcher(out);
        assertThat(pid.find()).as(out).isTrue();
        assertThat(pid.group(1)).as("SLURM_TASK_PID is the program's").isEqualTo(pid.group(2));
        int uid = root ? RunAsSubmitterTest.uid : (Integer) Files.getAttribute(dir, "unix:uid");
        assertThat(out).as("the terminal and the relay are the user's").contains("tty=" + uid + " relay=" + uid);
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEmpty();

        // a program killed by a signal: the starter ends by it too
        Starter.Spec killed = spec(
                List.of(),
                "",
                "022",
                who,
                "/tmp",
                List.of("/bin/sh", "-c", "kill -TERM $$"),
                new io.motley.protocol.StepMessages.Terminal(24, 80));
        Process k = RootCommand.of(starter.words(killed)).start();
        k.getOutputStream().close();
        assertThat(k.waitFor()).isEqualTo(128 + 15);
    }

    /** The aarch64 build (native/build.sh cross-compiles it where Debian's cross compiler is), run under qemu-user. */
    @Test
    void theAarch64BuildStartsAJobAsThisHostsBuildDoes() throws Exception {
        Path cc = Path.of("/usr/bin/aarch64-linux-gnu-gcc");
        assumeTrue(
                Files.isExecutable(cc),
                "no aarch64 cross compiler (scripts/setup-test-host installs gcc-aarch64-linux-gnu)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/qemu-aarch64"))
                        && Files.isDirectory(Path.of("/usr/aarch64-linux-gnu/lib")),
                "no qemu-aarch64 (qemu-user) or aarch64 C library to run the aarch64 build with");
        Path arm = dir.resolve("motley-start-aarch64");
        Path src = Path.of("..", "native", "motley-start.c").toAbsolutePath().normalize();
        Process build = new ProcessBuilder(
                        cc.toString(), "-std=c99", "-O2", "-Wall", "-Werror", "-o", arm.toString(), src.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor()).as(log).isZero();
        Map<String, String> vars = Map.of("PATH", "/usr/bin:/bin", "GREETING", "hello there");
        List<String> command = List.of("/bin/sh", "-c", "env | grep -v SLURM_TASK_PID | sort; umask");
        Ran host = run(vars, command);
        Files.write(env, Starter.environment(vars));
        List<String> words = new ArrayList<>(List.of("/usr/bin/qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"));
        words.addAll(new Starter(arm.toString()).words(spec(List.of(), "", "022", dir.toString(), command)));
        Process p = RootCommand.of(words).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo(host.out()).contains("GREETING=hello there", "MOTLEY_JOB_ID=42");
    }

    @Test
    void theBatchEntryScriptExecsItWithTheJobsArguments() {
        String script = Starter.entryScript(9, List.of("/d/motley-start", "-j", "9", "--", "/spool/it's"));
        assertThat(script)
                .isEqualTo("#!/bin/sh\n# Motley job 9: motley-start joins its containment, then becomes the job\n"
                        + "exec '/d/motley-start' '-j' '9' '--' '/spool/it'\"'\"'s' \"$@\"\n");
    }
}
