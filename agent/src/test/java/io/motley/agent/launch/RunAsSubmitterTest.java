package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.agent.enforcement.RootCommand;
import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.KillReason;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent running as root runs jobs as their submitter: uid, groups, home, umask, and output
 * files the user owns. Uses (and makes, when missing) a throwaway user "motleytest" with a
 * supplementary group "motleytestgrp".
 */
class RunAsSubmitterTest {
    static final String USER = "motleytest";
    static final String GROUP = "motleytestgrp";
    static int uid;
    static int gid;

    @TempDir
    Path spool;

    Path work;
    final String node = TestHosts.uniqueNode();
    final List<JobEnded> reports = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void user() throws Exception {
        assumeTrue(TestHosts.isRoot(), "running jobs as their submitter needs an agent running as root");
        assumeTrue(
                new File("/usr/sbin/useradd").canExecute() || new File("/sbin/useradd").canExecute(),
                "useradd is missing, so no throwaway user can be made");
        if (run("id", "-u", USER).exitCode != 0) {
            assertThat(run("useradd", "-m", "-s", "/bin/sh", USER).exitCode).isZero();
        }
        if (run("getent", "group", GROUP).exitCode != 0) run("groupadd", GROUP);
        if (!run("id", "-Gn", USER).out.contains(GROUP)) run("usermod", "-aG", GROUP, USER);
        uid = Integer.parseInt(run("id", "-u", USER).out.trim());
        gid = Integer.parseInt(run("id", "-g", USER).out.trim());
    }

    @BeforeEach
    void workDir() throws IOException {
        // the user's own directory: @TempDir is root's and closed to others
        work = Files.createTempDirectory(Path.of("/tmp"), "motley-user-");
        Files.setAttribute(work, "unix:uid", uid);
        Files.setAttribute(work, "unix:gid", gid);
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var walk = Files.walk(work)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        TestHosts.removeGroups(node);
    }

    JobEnded awaitReport(long id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reports.stream().anyMatch(f -> f.id() == id));
        return reports.stream().filter(f -> f.id() == id).findFirst().orElseThrow();
    }

    /** Job {@code id} of {@code user} ({@code uid}, {@code gid}), queued in main with no limit. */
    private static Job queued(long id, String user, int uid, int gid) {
        JobRequest r = JobRequest.builder("#!/bin/sh\n", "/")
                .name("t")
                .timeLimit(TimeLimit.UNLIMITED)
                .submitHost("h")
                .build();
        return Job.builder(id, r)
                .owner(user, uid, gid)
                .priority(1)
                .times(Job.Times.submitted(1))
                .allocation(Job.Allocation.queued("main", TimeLimit.UNLIMITED))
                .build();
    }

    JobLauncher launcher() throws IOException {
        return new JobLauncher(spool.resolve("spool"), node, reports::add);
    }

    @Test
    void theJobRunsAsItsSubmitterWithTheirGroupsHomeAndUmask() throws Exception {
        JobLauncher l = launcher();
        assertThat(l.jobUser()).isEqualTo("submitter");
        l.launch(Orders.order(
                work,
                node,
                1,
                "id -u; id -Gn; echo \"$HOME $USER $LOGNAME\"; umask; touch made; pwd",
                -1,
                100,
                1,
                USER,
                uid,
                gid,
                Map.of("SLURM_UMASK", "0027", "HOME", "/root", "USER", "root")));
        assertThat(Orders.fields(awaitReport(1))).containsEntry("state", "COMPLETED");
        Path out = work.resolve("slurm-1.out");
        List<String> lines = Files.readAllLines(out);
        String home = run("getent", "passwd", USER).out.split(":")[5];
        assertThat(lines.get(0)).isEqualTo(Integer.toString(uid));
        assertThat(lines.get(1)).contains(GROUP);
        assertThat(lines.get(2)).isEqualTo(home + " " + USER + " " + USER);
        assertThat(lines.get(3)).isEqualTo("0027");
        assertThat(lines.get(4)).isEqualTo(work.toRealPath().toString());
        assertThat(Files.getAttribute(out, "unix:uid")).as("output file owner").isEqualTo(uid);
        assertThat(Files.getAttribute(work.resolve("made"), "unix:uid")).isEqualTo(uid);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("made"))))
                .isEqualTo("rw-r-----");
        assertThat(spool.resolve("spool/job1/result"))
                .as("the agent still writes its spool")
                .exists();
        assertThat(Files.readString(spool.resolve("spool/job1/script.path")).trim())
                .satisfies(p -> assertThat(Path.of(p))
                        .as("the user's copy of the script is gone with the job")
                        .doesNotExist());
    }

    @Test
    void theErrorFileTheAgentWritesIsTheUsers() throws Exception {
        JobLauncher l = launcher();
        Launch order = Orders.order(work, node, 2, "sleep 60", -1, 100, 1, USER, uid, gid, Map.of());
        l.launch(order);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(spool.resolve("spool/job2/job.pid")));
        // the job's shell has opened its output (which truncates it) before the file is taken away: else a slow
        // start could open it after the agent wrote the cancel line, and the line would be lost
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(work.resolve("slurm-2.out")));
        Files.deleteIfExists(work.resolve("slurm-2.out"));
        l.kill(2, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(2))).containsEntry("state", "CANCELLED");
        assertThat(Files.readString(work.resolve("slurm-2.out"))).contains("*** JOB 2 ON " + node + " CANCELLED AT");
        assertThat(Files.getAttribute(work.resolve("slurm-2.out"), "unix:uid")).isEqualTo(uid);
    }

    @Test
    void aJobWithoutAUidIsNotRunAsRoot() throws Exception {
        JobLauncher l = launcher();
        l.launch(Orders.order(work, node, 3, "touch " + work.resolve("ran"), -1, 100, 1, "?", -1, -1, Map.of()));
        assertThat(Orders.fields(awaitReport(3)))
                .containsEntry("state", "FAILED")
                .containsEntry("code", "1")
                .containsEntry(
                        "desc",
                        "Launch failed on " + node + ": job 3 names no submitting uid; an agent running as root runs"
                                + " jobs only as their submitter");
        assertThat(work.resolve("ran")).doesNotExist();
    }

    @Test
    void everyWayOfDroppingPrivilegesGivesTheUsersIdentity() throws Exception {
        Job job = queued(9, USER, uid, gid);
        for (JobIdentity.Method m : JobIdentity.Method.values()) {
            String tool = switch (m) {
                case SETPRIV -> "setpriv";
                case RUNUSER -> "runuser";
                case PERL -> "perl";
            };
            if (JobIdentity.find(tool).isEmpty()) continue;
            JobIdentity who = JobIdentity.of(job, true, m);
            assertThat(who.drops).isTrue();
            List<String> cmd = new ArrayList<>(who.prefix);
            cmd.addAll(List.of("/bin/sh", "-c", "id -u; id -g; id -Gn"));
            Result res = run(cmd.toArray(String[]::new));
            assertThat(res.exitCode).as(m + ": " + res.out).isZero();
            List<String> lines = res.out.lines().toList();
            assertThat(lines.get(0)).as(m.toString()).isEqualTo(Integer.toString(uid));
            assertThat(lines.get(1)).as(m.toString()).isEqualTo(Integer.toString(gid));
            assertThat(lines.get(2)).as(m.toString()).contains(GROUP);
        }
        assertThat(JobIdentity.of(job, false).drops)
                .as("an agent that is not root runs jobs as itself")
                .isFalse();
    }

    @Test
    void rootsJobsAndAnUnprivilegedAgentsJobsTakeHomeAndUserFromThePasswdEntryToo() throws Exception {
        Job job = queued(11, "root", 0, 0);
        JobIdentity.Passwd rootEntry = JobIdentity.Passwd.lookup(0).orElseThrow();
        // a job submitted with --export=NONE has them too, as slurmd gives them
        assertThat(JobIdentity.of(job, true).environment)
                .containsEntry("HOME", rootEntry.home())
                .containsEntry("SHELL", rootEntry.shell())
                .containsEntry("USER", "root")
                .containsEntry("LOGNAME", "root");
        // an agent that is not root runs jobs as itself, with its own entry's
        assertThat(JobIdentity.agent().environment)
                .containsEntry("HOME", System.getProperty("user.home"))
                .containsEntry("USER", System.getProperty("user.name"))
                .containsEntry("LOGNAME", System.getProperty("user.name"));
    }

    @Test
    void everyWayOfDroppingPrivilegesHandsTheUserTheEnvironmentFileOpenedByRoot() throws Exception {
        Job job = queued(10, USER, uid, gid);
        Path env = spool.resolve("env");
        Files.writeString(env, EntryScript.environment(Map.of("MY_SECRET", "hunter2", "PATH", "/usr/bin:/bin"), 10));
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
        Path script = work.resolve("script");
        Files.writeString(
                script,
                "#!/bin/sh\nid -u; echo \"secret=$MY_SECRET marker=$MOTLEY_JOB_ID\"; cat " + env + "; exit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("r-x------"));
        Files.setAttribute(script, "unix:uid", uid);
        for (JobIdentity.Method m : JobIdentity.Method.values()) {
            if (JobIdentity.find(m.tool).isEmpty()) continue;
            JobIdentity who = JobIdentity.of(job, true, m);
            Path enter = spool.resolve("enter-" + m + ".sh");
            Path out = work.resolve("out-" + m);
            Files.writeString(
                    enter,
                    EntryScript.render(
                            10,
                            node,
                            List.of(),
                            List.of(),
                            null,
                            who.prefix,
                            env,
                            work.toString(),
                            script.toString(),
                            out.toString(),
                            ""));
            Process p = RootCommand.of("/bin/sh", enter.toString())
                    .redirectErrorStream(true)
                    .start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor())
                    .as(m + ": " + said + (Files.exists(out) ? Files.readString(out) : ""))
                    .isZero();
            assertThat(Files.readString(out))
                    .as(m.toString())
                    .startsWith(uid + "\nsecret=hunter2 marker=10\n")
                    .as("the user cannot open the file itself")
                    .contains("Permission denied");
            assertThat(Files.getAttribute(out, "unix:uid")).as(m.toString()).isEqualTo(uid);
        }

        // the launcher lets the job's group read the file: the user's shell then reads it through the descriptor
        // itself (no cat), and still cannot open it by its path
        JobIdentity who = JobIdentity.of(job, true);
        List<String> probe = new java.util.ArrayList<>(who.prefix);
        // on stdin here, opened by root as the launcher opens it on descriptor 3
        probe.addAll(List.of("/bin/sh", "-c", "[ -r /dev/fd/0 ] && . /dev/fd/0 && echo $MY_SECRET; cat " + env));
        java.util.function.Supplier<String> asUser = () -> {
            try {
                Process p = RootCommand.of(probe)
                        .redirectErrorStream(true)
                        .redirectInput(env.toFile())
                        .start();
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertThat(asUser.get()).as("root's file").doesNotContain("hunter2").contains("Permission denied");
        JobLauncher.readableBy(env, who);
        assertThat(asUser.get())
                .as("readable by the job's group")
                .startsWith("hunter2\n")
                .contains("Permission denied");
    }

    record Result(int exitCode, String out) {}

    static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
