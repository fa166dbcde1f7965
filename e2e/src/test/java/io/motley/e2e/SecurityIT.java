package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Ops;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's attack on a running cluster, replayed as two real unprivileged users (A and B) against
 * a root agent: each test is one finding of that attack and fails where the hole is open. The
 * findings that break the cluster on purpose (a fake controller, a deleted database, a full disk)
 * get clusters of their own; the others share one.
 */
class SecurityIT {
    static final String A = "motley-sec-a";
    static final String B = "motley-sec-b";

    @TempDir
    static Path dir;

    static TestCluster c;
    static Path workA;
    static Path workB;
    static Path rootOnly;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(root(), "acting as two unprivileged users against a root agent needs root to create them");
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() && new File("/usr/sbin/runuser").canExecute(),
                "useradd and runuser are needed to act as other users (scripts/setup-test-host installs them)");
        ensureUser(A);
        ensureUser(B);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        c = new TestCluster(dir, """
                PartitionName=main Nodes=ALL Default=YES
                PartitionName=secret Nodes=ALL AllowGroups=motley-sec-staff
                AgentMaxConnectionsPerUser=8
                AgentRequestTimeout=3
                """);
        c.startController();
        c.startAgent("n1", 2, "2000M");
        c.awaitNodesUp("n1");
        workA = userDir(A);
        workB = userDir(B);
        rootOnly = Files.createTempDirectory(Path.of("/tmp"), "motley-sec-root-");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.cmd("scancel", "-u", A);
            c.cmd("scancel", "-u", B);
            c.close();
        }
        for (Path p : new Path[] {workA, workB, rootOnly}) {
            if (p != null) TestCluster.deleteTree(p);
        }
    }

    /** Finding 1: root-run wrappers took the submitter's PATH and LD_PRELOAD. */
    @Test
    void theJobsEnvironmentNeverReachesRootsProcesses() throws Exception {
        Path evil = Files.createDirectories(workA.resolve("evil"));
        // stand-ins for the tools a wrapper might call by name: each notes who ran it, then does the real work
        for (String tool : List.of(
                "mv", "cat", "kill", "setsid", "sh", "id", "rm", "mkdir", "chmod", "env", "setpriv", "runuser", "perl",
                "getent", "taskset", "sleep", "printf", "echo")) {
            Path f = evil.resolve(tool);
            Files.writeString(
                    f,
                    "#!/bin/sh\n/usr/bin/id -u >> " + evil.resolve("ran-" + tool) + "\n"
                            + "for d in /usr/bin /bin /usr/sbin /sbin; do [ -x $d/" + tool + " ] && exec $d/" + tool
                            + " \"$@\"; done\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        chownTree(evil, A);
        TestCluster.Run r = as(
                A,
                workA,
                "env",
                "PATH=" + evil + ":/usr/bin:/bin",
                "LD_PRELOAD=" + evil.resolve("evil.so"),
                "BASH_ENV=" + evil.resolve("rc"),
                "ENV=" + evil.resolve("rc"),
                "MOTLEY_SEC_MARK=yes",
                TestCluster.BIN.resolve("sbatch").toString(),
                "--parsable",
                "--export=ALL",
                "-o",
                "env-%j.out",
                "--wrap",
                "echo mark=$MOTLEY_SEC_MARK; sleep 3");
        assertThat(r.rc()).as(r.err()).isZero();
        long id = Long.parseLong(r.out().trim());
        c.awaitState(id, "RUNNING", Duration.ofSeconds(20));
        Path spool = c.home.resolve("spool/n1/job" + id);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(spool.resolve("shepherd.pid")));
        long shepherd =
                Long.parseLong(Files.readString(spool.resolve("shepherd.pid")).trim());
        String environ =
                new String(Files.readAllBytes(Path.of("/proc/" + shepherd + "/environ")), StandardCharsets.UTF_8);
        assertThat(environ.split("\0"))
                .as("the root shepherd's environment")
                .noneMatch(v -> v.startsWith("LD_PRELOAD=")
                        || v.startsWith("BASH_ENV=")
                        || v.startsWith("ENV=")
                        || v.startsWith("MOTLEY_SEC_MARK=")
                        || v.contains(evil.toString()));
        c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
        // the job itself still gets everything it was given
        assertThat(Files.readString(workA.resolve("env-" + id + ".out"))).contains("mark=yes");
        try (var ran = Files.list(evil)) {
            for (Path p : ran.filter(f -> f.getFileName().toString().startsWith("ran-"))
                    .toList()) {
                assertThat(Files.readAllLines(p))
                        .as("uids that ran " + p.getFileName())
                        .doesNotContain("0");
            }
        }
    }

    /** Finding 2: the root agent appended its CANCELLED line through the user's symlinks. */
    @Test
    void cancelMessagesAreWrittenAsTheUserNotThroughTheirSymlinks() throws Exception {
        Path secret = rootOnly.resolve("root-only.txt");
        Files.writeString(secret, "root's own\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path planted = rootOnly.resolve("planted.txt");
        long toSecret = submitAs(A, workA, "-o", "one.out", "--wrap", "sleep 300");
        long toNew = submitAs(A, workA, "-o", "two.out", "--wrap", "sleep 300");
        c.awaitState(toSecret, "RUNNING", Duration.ofSeconds(20));
        c.awaitState(toNew, "RUNNING", Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(workA.resolve("one.out")) && Files.exists(workA.resolve("two.out")));
        assertThat(as(
                                A,
                                workA,
                                "sh",
                                "-c",
                                "rm -f one.out two.out && ln -s " + secret + " one.out && ln -s " + planted
                                        + " two.out")
                        .rc())
                .isZero();
        assertThat(as(
                                A,
                                workA,
                                TestCluster.BIN.resolve("scancel").toString(),
                                Long.toString(toSecret),
                                Long.toString(toNew))
                        .rc())
                .isZero();
        c.awaitState(toSecret, "CANCELLED", Duration.ofSeconds(30));
        c.awaitState(toNew, "CANCELLED", Duration.ofSeconds(30));
        assertThat(Files.readString(secret)).isEqualTo("root's own\n");
        assertThat(planted).doesNotExist();
    }

    /** Finding 3: with the controller gone, whoever listened on its port could make the agent run a root job. */
    @Test
    void theAgentObeysOnlyAControllerThatProvesItHoldsTheKey(@TempDir Path own) throws Exception {
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster fake = new TestCluster(own, "")) {
            fake.startController();
            fake.startAgent("n1", 1, "500M");
            fake.awaitNodesUp("n1");
            fake.killController();
            Path marker = own.resolve("pwned");
            List<String> heard = new ArrayList<>();
            try (ServerSocket impostor = new ServerSocket()) {
                impostor.setReuseAddress(true);
                impostor.bind(new InetSocketAddress("127.0.0.1", fake.port));
                impostor.setSoTimeout(30_000);
                Thread t = Thread.ofVirtual().start(() -> impersonate(impostor, marker, heard));
                await().atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> fake.log("agent-n1").contains("controller failed to prove itself"));
                t.join(Duration.ofSeconds(10));
            }
            assertThat(marker)
                    .as("a job launched by the impostor (frames it saw: %s)", heard)
                    .doesNotExist();
        }
    }

    /** Plays an old-protocol controller: challenge, accept whatever answer, then order a root job. */
    private static void impersonate(ServerSocket impostor, Path marker, List<String> heard) {
        try (Socket s = impostor.accept()) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            FrameIO.write(
                    out,
                    Frame.op(Ops.HELLO)
                            .put("nonce", "00112233445566778899aabbccddeeff")
                            .put("cluster", "e2e"));
            heard.add(FrameIO.read(in).op());
            FrameIO.write(out, Frame.op(Ops.OK).put("heartbeat", 1));
            heard.add(FrameIO.read(in).op());
            Frame request = new Frame()
                    .put("name", "pwn")
                    .put("script", "#!/bin/sh\nid -u > " + marker + "\n")
                    .put("workDir", "/tmp")
                    .put("stdout", "/dev/null");
            Frame job = Frame.op("job")
                    .put("id", 4242)
                    .put("user", "root")
                    .put("uid", 0)
                    .put("gid", 0)
                    .put("state", "RUNNING")
                    .put("partition", "main")
                    .put("node", "n1")
                    .put("allocCpus", 1)
                    .put("allocMem", 100)
                    .put("limit", -1)
                    .add(request);
            FrameIO.write(
                    out,
                    Frame.op(Ops.LAUNCH)
                            .put("cluster", "e2e")
                            .put("killWait", 1)
                            .add(job));
            while (true) heard.add(FrameIO.read(in).op());
        } catch (IOException | RuntimeException e) {
            heard.add("closed: " + e.getMessage());
        }
    }

    /** Finding 4: B read A's AWS secret from the spool and the database. */
    @Test
    void anotherUserCannotReadAJobsScriptOrEnvironment() throws Exception {
        String envSecret = "env-" + UUID.randomUUID();
        String scriptSecret = "script-" + UUID.randomUUID();
        TestCluster.Run held = as(
                A,
                workA,
                "env",
                "MOTLEY_SEC_TOKEN=" + envSecret,
                TestCluster.BIN.resolve("sbatch").toString(),
                "--parsable",
                "-H",
                "--wrap",
                "echo " + scriptSecret);
        assertThat(held.rc()).as(held.err()).isZero();
        long running = submitAs(
                A, workA, "--export=ALL,MOTLEY_SEC_TOKEN=" + envSecret, "--wrap", "sleep 30 # " + scriptSecret);
        c.awaitState(running, "RUNNING", Duration.ofSeconds(20));
        for (String secret : List.of(envSecret, scriptSecret)) {
            // the cluster's files, the job's script copies, and every process's command line (the
            // pattern comes from a file, so that this grep's own command line does not hold it)
            Path pattern = workB.resolve("pattern");
            Files.writeString(pattern, secret + "\n");
            chownTree(pattern, B);
            TestCluster.Run found = as(
                    B,
                    workB,
                    "sh",
                    "-c",
                    "grep -rlasF -f \"$0\" \"$1\" /tmp/motley-job* /proc/[0-9]*/cmdline",
                    pattern.toString(),
                    c.home.toString());
            assertThat(found.out()).as("files B can read that hold A's secret").isEmpty();
        }
        as(
                A,
                workA,
                TestCluster.BIN.resolve("scancel").toString(),
                Long.toString(running),
                held.out().trim());
    }

    /** Finding 5: held connections on the agent's socket locked everyone out. */
    @Test
    void oneUserCannotHoldTheAgentsSocket() throws Exception {
        Path flood = workB.resolve("flood.pl");
        // opens 40 connections and sends nothing; prints, per connection, after how many ms the agent ended it
        Files.writeString(flood, """
                use strict; use Socket; use Time::HiRes qw(time);
                my ($path, $n) = @ARGV; my @s; my $t0 = time;
                for my $i (1..$n) {
                  socket(my $fh, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
                  connect($fh, pack_sockaddr_un($path)) or die "connect: $!";
                  push @s, $fh;
                }
                my $rin = ''; vec($rin, fileno($_), 1) = 1 for @s;
                my %done; my $deadline = $t0 + 15;
                while (keys(%done) < $n && time < $deadline) {
                  my $r = $rin; select($r, undef, undef, 0.1);
                  for my $i (0..$#s) {
                    next if $done{$i} || !vec($r, fileno($s[$i]), 1);
                    sysread($s[$i], my $buf, 4096); $done{$i} = 1;
                    printf "%d %d\\n", int((time - $t0) * 1000), length($buf);
                    vec($rin, fileno($s[$i]), 1) = 0;
                  }
                }
                print "open ", $n - keys(%done), "\\n";
                """);
        Process hold = new ProcessBuilder(
                        "runuser",
                        "-u",
                        B,
                        "--",
                        "perl",
                        flood.toString(),
                        c.home.resolve("run/agent.sock").toString(),
                        "40")
                .redirectErrorStream(true)
                .start();
        // while B holds the socket, A is still served
        TestCluster.Run squeue = as(A, workA, TestCluster.BIN.resolve("squeue").toString());
        assertThat(squeue.rc()).as(squeue.err()).isZero();
        String report = new String(hold.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        hold.waitFor();
        List<int[]> ended = report.lines()
                .filter(l -> l.matches("\\d+ \\d+"))
                .map(l -> new int[] {Integer.parseInt(l.split(" ")[0]), Integer.parseInt(l.split(" ")[1])})
                .toList();
        assertThat(report).as(report).contains("open 0");
        // 32 over the limit of 8 are answered with an error at once; the 8 idle ones are closed after the 3 s timeout
        assertThat(ended.stream().filter(e -> e[0] < 2000 && e[1] > 0).count())
                .as(report)
                .isGreaterThanOrEqualTo(32);
        assertThat(ended.stream().filter(e -> e[0] >= 2500).count()).as(report).isGreaterThanOrEqualTo(1);
        assertThat(c.log("agent-n1")
                        .lines()
                        .filter(l -> l.contains("too many connections"))
                        .count())
                .as("log lines about the refused connections")
                .isLessThanOrEqualTo(5);
    }

    /** Finding 6: scontrol update moved a held job into a partition closed to its owner's groups. */
    @Test
    void updateChecksAllowGroupsAsSubmitDoes() {
        TestCluster.Run direct =
                as(B, workB, TestCluster.BIN.resolve("sbatch").toString(), "-p", "secret", "--wrap", "true");
        assertThat(direct.rc()).isEqualTo(1);
        long id = submitAs(B, workB, "-H", "--wrap", "true");
        TestCluster.Run update = as(
                B, workB, TestCluster.BIN.resolve("scontrol").toString(), "update", "JobId=" + id, "Partition=secret");
        assertThat(update.rc()).as(update.out() + update.err()).isNotZero();
        assertThat(c.cmd("squeue", "-h", "-j", Long.toString(id), "-o", "%P")
                        .out()
                        .trim())
                .isEqualTo("main");
        c.cmd("scancel", Long.toString(id));
    }

    /** Finding 7: a 5 MB script, an unbounded frame before authentication, a frame nested 200,000 deep. */
    @Test
    void sizesAreBoundedBeforeAndAfterAuthentication() throws Exception {
        Path big = workA.resolve("big.sh");
        Files.writeString(big, "#!/bin/sh\ntrue\n# " + "x".repeat(5 * 1024 * 1024) + "\n");
        chownTree(big, A);
        TestCluster.Run r = as(A, workA, TestCluster.BIN.resolve("sbatch").toString(), big.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("Batch job submission failed").contains("max_script_size");

        try (Socket s = new Socket("127.0.0.1", c.port)) {
            s.setSoTimeout(5000);
            // under TLS the controller sends nothing first: the first bytes are the client's, and these are no TLS
            // record
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(200 * 1024 * 1024);
            boolean cut = false;
            try {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 64 && !cut; i++) out.write(chunk);
                // whatever the controller says first (a TLS alert), it must then hang up
                s.getInputStream().readAllBytes();
                cut = true;
            } catch (java.net.SocketTimeoutException e) {
                cut = false;
            } catch (IOException e) {
                cut = true;
            }
            assertThat(cut)
                    .as("the controller hangs up on a 200 MiB frame before authentication")
                    .isTrue();
        }

        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(c.home.resolve("run/agent.sock")));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(body);
            for (int i = 0; i < 200_000; i++) {
                d.writeInt(0);
                d.writeInt(1);
            }
            OutputStream out = Channels.newOutputStream(ch);
            DataOutputStream framed = new DataOutputStream(out);
            framed.writeInt(body.size());
            body.writeTo(framed);
            framed.flush();
            Frame answer = FrameIO.read(Channels.newInputStream(ch));
            assertThat(answer.isError()).isTrue();
        } catch (IOException closed) {
            // hanging up is an answer too; what matters is below
        }
        assertThat(c.cmd("squeue").rc()).isZero();
        assertThat(c.log("agent-n1") + Files.readString(c.home.resolve("log/agent-n1.out")))
                .doesNotContain("StackOverflowError");
    }

    /** Finding 10: a newline in a job name forged rows and log lines; malformed requests logged stack traces. */
    @Test
    void controlCharactersAndMalformedRequestsGetOneLineErrors() throws Exception {
        TestCluster.Run r =
                as(A, workA, TestCluster.BIN.resolve("sbatch").toString(), "-J", "evil\nname", "--wrap", "true");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("control character");

        Frame answer;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(c.home.resolve("run/agent.sock")));
            FrameIO.write(Channels.newOutputStream(ch), Frame.op(Ops.CANCEL).put("ids", "abc"));
            answer = FrameIO.read(Channels.newInputStream(ch));
        }
        assertThat(answer.isError()).isTrue();
        assertThat(answer.str("message")).contains("ids").doesNotContain("\n");
        String log = c.log("controller");
        assertThat(log).doesNotContain("NumberFormatException").doesNotContain("\tat io.motley");

        Path latin1 = workA.resolve("latin1.sh");
        Files.write(latin1, "#!/bin/sh\n# caf\u00e9\necho ok\n".getBytes(StandardCharsets.ISO_8859_1));
        chownTree(latin1, A);
        TestCluster.Run bad = as(A, workA, TestCluster.BIN.resolve("sbatch").toString(), latin1.toString());
        assertThat(bad.err()).doesNotContain("Unable to open file").contains("UTF-8");
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    static void ensureUser(String name) throws Exception {
        if (new ProcessBuilder("id", "-u", name).start().waitFor() == 0) return;
        Process p = new ProcessBuilder("/usr/sbin/useradd", "-M", "-N", "-s", "/bin/sh", name)
                .inheritIO()
                .start();
        assertThat(p.waitFor()).as("useradd " + name).isZero();
    }

    /** A working directory only the user can enter, as a home would be. */
    static Path userDir(String user) throws Exception {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "motley-sec-" + user + "-");
        chownTree(d, user);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        return d;
    }

    static void chownTree(Path p, String user) throws Exception {
        assertThat(new ProcessBuilder("chown", "-R", user, p.toString()).start().waitFor())
                .isZero();
    }

    /** Runs a command as USER (no inherited environment beyond what runuser sets), in DIR. */
    static TestCluster.Run as(String user, Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        cmd.addAll(List.of(args));
        return c.cmdIn(dir, null, cmd.toArray(String[]::new));
    }

    static long submitAs(String user, Path dir, String... args) {
        List<String> cmd =
                new ArrayList<>(List.of(TestCluster.BIN.resolve("sbatch").toString(), "--parsable"));
        cmd.addAll(List.of(args));
        TestCluster.Run r = as(user, dir, cmd.toArray(String[]::new));
        if (r.rc() != 0) throw new AssertionError("sbatch as " + user + " failed rc=" + r.rc() + ": " + r.err());
        return Long.parseLong(r.out().trim());
    }
}
