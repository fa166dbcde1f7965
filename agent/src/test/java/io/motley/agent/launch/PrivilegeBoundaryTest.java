package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.agent.enforcement.Containment;
import io.motley.agent.enforcement.CpuAllocator;
import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.KillReason;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * What a root agent does for a job of another user must not be steered by that user: the job's
 * environment (PATH, LD_PRELOAD, ENV, BASH_ENV) reaches no root process, the agent follows none
 * of the user's symlinks, the spool is the agent's alone, DisableRootJobs refuses root's jobs,
 * and a launch that fails says why in its report. Uses the throwaway user of
 * {@link RunAsSubmitterTest}.
 */
class PrivilegeBoundaryTest {
    @TempDir
    Path spool;

    Path work;
    final List<Path> rootDirs = new ArrayList<>();
    final String node = TestHosts.uniqueNode();
    final List<JobEnded> reports = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void user() throws Exception {
        RunAsSubmitterTest.user();
    }

    @BeforeEach
    void workDir() throws IOException {
        work = Files.createTempDirectory(Path.of("/tmp"), "motley-user-");
        Files.setAttribute(work, "unix:uid", RunAsSubmitterTest.uid);
        Files.setAttribute(work, "unix:gid", RunAsSubmitterTest.gid);
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Path d : prepend(work, rootDirs)) {
            try (var walk = Files.walk(d)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        TestHosts.removeGroups(node);
    }

    private static List<Path> prepend(Path first, List<Path> rest) {
        List<Path> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** A directory of root's that others may enter (0755), as /etc is. */
    Path rootDir() throws IOException {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "motley-root-");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        rootDirs.add(d);
        return d;
    }

    JobEnded awaitReport(long id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reports.stream().anyMatch(f -> f.id() == id));
        return reports.stream().filter(f -> f.id() == id).findFirst().orElseThrow();
    }

    Launch order(long id, String body, Map<String, String> env) {
        return Orders.order(
                work,
                node,
                id,
                body,
                -1,
                100,
                1,
                RunAsSubmitterTest.USER,
                RunAsSubmitterTest.uid,
                RunAsSubmitterTest.gid,
                env);
    }

    JobLauncher launcher() throws IOException {
        return new JobLauncher(spool.resolve("spool"), node, reports::add);
    }

    /** Executables named like what root runs, each noting the uid it ran as in {@code ran-NAME}. */
    Path evilDir() throws IOException {
        Path evil = Files.createDirectory(work.resolve("evil"));
        Files.setAttribute(evil, "unix:uid", RunAsSubmitterTest.uid);
        for (String name : List.of(
                "mv", "setsid", "sh", "kill", "cat", "env", "setpriv", "runuser", "perl", "id", "getent", "taskset",
                "printf", "echo", "times")) {
            Path f = evil.resolve(name);
            Files.writeString(f, "#!/bin/sh\n/usr/bin/id -u >>" + evil.resolve("ran-" + name) + "\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(evil.resolve("profile"), "/usr/bin/id -u >>" + evil.resolve("ran-profile") + "\n");
        return evil;
    }

    /** The uids the fakes in {@code evil} (and the preloaded library) ran as. */
    static List<String> ranAs(Path evil) throws IOException {
        List<String> uids = new ArrayList<>();
        try (var files = Files.list(evil)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("ran-"))
                    .toList()) {
                Files.readAllLines(f).forEach(l -> uids.add(f.getFileName() + ":" + l.trim()));
            }
        }
        return uids;
    }

    @Test
    void theJobsPathAndStartupFilesReachNoRootProcessButTheJobSeesThem() throws Exception {
        Path evil = evilDir();
        JobLauncher l = launcher();
        String path = evil + ":/usr/bin:/bin:/usr/sbin:/sbin";
        l.launch(order(
                1,
                "echo \"secret=$MY_SECRET path=$PATH\"; mv; sleep 60",
                Map.of(
                        "PATH",
                        path,
                        "MY_SECRET",
                        "hunter2",
                        "ENV",
                        evil.resolve("profile").toString(),
                        "BASH_ENV",
                        evil.resolve("profile").toString())));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(evil.resolve("ran-mv")));
        long shepherd = Long.parseLong(
                Files.readString(spool.resolve("spool/job1/shepherd.pid")).trim());
        String environ =
                new String(Files.readAllBytes(Path.of("/proc/" + shepherd + "/environ")), StandardCharsets.UTF_8);
        assertThat(environ.split("\0"))
                .as("the shepherd's environment")
                .containsExactlyInAnyOrder("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C");
        l.kill(1, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(1))).containsEntry("state", "CANCELLED");
        assertThat(Files.readString(work.resolve("slurm-1.out"))).startsWith("secret=hunter2 path=" + path + "\n");
        assertThat(ranAs(evil))
                .as("what ran from the job's PATH, and as whom")
                .containsExactly("ran-mv:" + RunAsSubmitterTest.uid);

        // the job's end, where the shepherd moves its files into place
        l.launch(order(2, "exit 3", Map.of("PATH", path)));
        assertThat(Orders.fields(awaitReport(2)))
                .containsEntry("state", "FAILED")
                .containsEntry("code", "3");
        assertThat(ranAs(evil)).containsExactly("ran-mv:" + RunAsSubmitterTest.uid);
    }

    @Test
    void aPreloadedLibraryIsLoadedByTheJobAloneAndNeverByRoot() throws Exception {
        assumeTrue(
                new File("/usr/bin/gcc").canExecute() || new File("/usr/bin/cc").canExecute(),
                "a C compiler is needed to build the library to preload");
        Path evil = evilDir();
        Path source = evil.resolve("e.c");
        Files.writeString(
                source,
                "#include <stdio.h>\n#include <unistd.h>\n"
                        + "__attribute__((constructor)) static void hit(void) {\n"
                        + "  FILE *f = fopen(\"" + evil.resolve("ran-preload") + "\", \"a\");\n"
                        + "  if (f) { fprintf(f, \"%d\\n\", (int) getuid()); fclose(f); }\n}\n");
        Path lib = evil.resolve("e.so");
        String cc = new File("/usr/bin/gcc").canExecute() ? "/usr/bin/gcc" : "/usr/bin/cc";
        assertThat(new ProcessBuilder(cc, "-shared", "-fPIC", "-o", lib.toString(), source.toString())
                        .inheritIO()
                        .start()
                        .waitFor())
                .isZero();
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
        JobLauncher l = launcher();
        l.launch(order(3, "/bin/true", Map.of("LD_PRELOAD", lib.toString())));
        assertThat(Orders.fields(awaitReport(3))).containsEntry("state", "COMPLETED");
        List<String> uids = ranAs(evil);
        assertThat(uids).as("the job loaded it").contains("ran-preload:" + RunAsSubmitterTest.uid);
        assertThat(uids).as("as whom it was loaded").containsOnly("ran-preload:" + RunAsSubmitterTest.uid);
    }

    @Test
    void theCancelMessageFollowsNoSymlinkOfTheUsers() throws Exception {
        Path rootOnly = rootDir().resolve("shadow");
        Files.writeString(rootOnly, "root's own\n");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rw-------"));
        Path missing = rootDir().resolve("made-by-the-agent");
        JobLauncher l = launcher();
        l.launch(order(4, "sleep 60", Map.of()));
        l.launch(order(5, "sleep 60", Map.of()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(spool.resolve("spool/job4/job.pid"))
                        && Files.exists(spool.resolve("spool/job5/job.pid"))
                        && Files.exists(work.resolve("slurm-5.out")));
        // the user puts links where the agent will write
        Files.delete(work.resolve("slurm-4.out"));
        Files.createSymbolicLink(work.resolve("slurm-4.out"), rootOnly);
        Files.delete(work.resolve("slurm-5.out"));
        Files.createSymbolicLink(work.resolve("slurm-5.out"), missing);
        l.kill(4, KillReason.CANCEL);
        l.kill(5, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(4))).containsEntry("state", "CANCELLED");
        assertThat(Orders.fields(awaitReport(5))).containsEntry("state", "CANCELLED");
        assertThat(Files.readString(rootOnly)).isEqualTo("root's own\n");
        assertThat(Files.getAttribute(rootOnly, "unix:uid")).isEqualTo(0);
        assertThat(missing).doesNotExist();
    }

    @Test
    void theSpoolAndEveryFileInItAreTheAgentsAlone() throws Exception {
        JobLauncher l = launcher();
        l.launch(order(
                6,
                "cat " + spool.resolve("spool/job6/env") + " " + spool.resolve("spool/job6/order") + "; sleep 60",
                Map.of("MY_SECRET", "hunter2")));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(spool.resolve("spool/job6/job.pid")));
        Path copy = Path.of(
                Files.readString(spool.resolve("spool/job6/script.path")).trim());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.getParent())))
                .as("the script copy's directory")
                .isEqualTo("rwx--x--x");
        assertThat(Files.getAttribute(copy.getParent(), "unix:uid")).isEqualTo(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
                .isEqualTo("r-x------");
        assertThat(Files.getAttribute(copy, "unix:uid")).isEqualTo(RunAsSubmitterTest.uid);
        assertSpoolPrivate();
        l.kill(6, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(6))).containsEntry("state", "CANCELLED");
        assertSpoolPrivate();
        assertThat(Files.readString(work.resolve("slurm-6.out")))
                .as("the job's user cannot read the spool")
                .contains("Permission denied")
                .doesNotContain("hunter2");
    }

    /**
     * Whether the job's environment file is its group's to read: through the entry script's chain the job's shell
     * reads it as the user; motley-start opens it with the agent's rights, so it stays the agent's alone.
     */
    boolean envReadByTheJobsGroup() {
        return true;
    }

    void assertSpoolPrivate() throws IOException {
        List<String> seen = new ArrayList<>();
        try (var walk = Files.walk(spool.resolve("spool"))) {
            for (Path p : walk.toList()) {
                String mode =
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String name = p.getFileName().toString();
                // the job's environment file: its group may read it, through the descriptor the job is given (no
                // path reaches it through the spool's directories)
                boolean env = envReadByTheJobsGroup() && (name.equals("env") || name.endsWith(".env"));
                String expected = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                                || List.of("shepherd.sh", "enter.sh", "script").contains(name)
                        ? "rwx------"
                        : env ? "r--r-----" : "rw-------";
                seen.add(spool.resolve("spool").relativize(p) + " " + mode);
                assertThat(mode).as(p.toString()).isEqualTo(expected);
                assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                        .as(p.toString())
                        .isEqualTo(0);
                if (env)
                    assertThat(Files.getAttribute(p, "unix:gid"))
                            .as(p.toString())
                            .isEqualTo(RunAsSubmitterTest.gid);
            }
        }
        assertThat(seen)
                .as("what was walked")
                .contains(
                        " rwx------",
                        "shepherd.sh rwx------",
                        "job6 rwx------",
                        "job6/enter.sh rwx------",
                        envReadByTheJobsGroup() ? "job6/env r--r-----" : "job6/env rw-------",
                        "job6/order rw-------",
                        "job6/script rwx------",
                        "job6/shepherd.log rw-------",
                        "job6/job.pid rw-------");
    }

    @Test
    void anAgentThatRefusesRootJobsSaysSoAndRunsTheOthers() throws Exception {
        JobLauncher l = new JobLauncher(
                spool.resolve("spool"),
                node,
                reports::add,
                Containment.choose("process", node),
                CpuAllocator.hostCpus(),
                true);
        l.launch(Orders.order(
                work, node, 7, "touch " + work.resolve("ran-as-root"), -1, 100, 1, "root", 0, 0, Map.of()));
        assertThat(Orders.fields(awaitReport(7)))
                .containsEntry("state", "FAILED")
                .containsEntry("code", "1")
                .containsEntry("desc", "Launch refused on " + node + ": DisableRootJobs=YES");
        assertThat(work.resolve("ran-as-root")).doesNotExist();
        assertThat(l.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id() + ":" + Orders.desc(f))
                .containsExactly("job_ended:7:Launch refused on " + node + ": DisableRootJobs=YES");
        l.launch(order(8, "true", Map.of()));
        assertThat(Orders.fields(awaitReport(8)))
                .containsEntry("state", "COMPLETED")
                .doesNotContainKey("desc");
    }

    @Test
    void aFullDiskIsReportedAsOneLineEvenWhenTheResultCannotBeWritten() throws Exception {
        Path mount = rootDir();
        assumeTrue(
                RunAsSubmitterTest.run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
                                .exitCode()
                        == 0,
                "mounting a small tmpfs to fill needs root and mount(8)");
        try {
            JobLauncher l = new JobLauncher(mount.resolve("spool"), node, reports::add);
            Path filler = mount.resolve("filler");
            RunAsSubmitterTest.run("dd", "if=/dev/zero", "of=" + filler, "bs=4k", "count=100");
            l.launch(order(9, "touch " + work.resolve("ran"), Map.of()));
            String desc = "Launch failed on " + node + ": No space left on device (writing the job's spool)";
            assertThat(Orders.fields(awaitReport(9)))
                    .containsEntry("state", "FAILED")
                    .containsEntry("desc", desc);
            assertThat(mount.resolve("spool/job9/result"))
                    .as("the disk is still full")
                    .doesNotExist();
            assertThat(work.resolve("ran")).doesNotExist();
            assertThat(l.inventory())
                    .as("what the next registration reports")
                    .extracting(f -> f.id() + ":" + Orders.desc(f))
                    .containsExactly("9:" + desc);
            l.acknowledged(9);
            assertThat(l.inventory()).isEmpty();
        } finally {
            RunAsSubmitterTest.run("umount", mount.toString());
        }
    }

    @Test
    void aJobThatFillsTheSpoolsDiskEndsSayingTheDiskIsFull() throws Exception {
        Path mount = rootDir();
        assumeTrue(
                RunAsSubmitterTest.run("mount", "-t", "tmpfs", "-o", "size=256k,mode=1777", "tmpfs", mount.toString())
                                .exitCode()
                        == 0,
                "mounting a small tmpfs to fill needs root and mount(8)");
        try {
            JobLauncher l = new JobLauncher(mount.resolve("spool"), node, reports::add);
            // the job runs fine, but leaves no room for the shepherd to write its exit status
            l.launch(order(10, "cat /dev/zero > " + mount.resolve("fill") + " 2>/dev/null; exit 0", Map.of()));
            assertThat(Orders.fields(awaitReport(10)))
                    .containsEntry("state", "FAILED")
                    .containsEntry(
                            "desc",
                            "Job's exit status was lost on " + node + ": No space left on device (the agent's spool)");
        } finally {
            RunAsSubmitterTest.run("umount", "-l", mount.toString());
        }
    }
}
