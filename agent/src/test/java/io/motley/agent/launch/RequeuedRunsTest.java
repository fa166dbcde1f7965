package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.Job;
import io.motley.core.job.KillReason;
import io.motley.core.job.TimeLimit;
import io.motley.protocol.Message.JobEnded;
import io.motley.protocol.Message.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A requeued job's runs on one node: separate spools, reports by run, and a new run that waits for the old one. */
class RequeuedRunsTest {
    @TempDir
    Path dir;

    final List<JobEnded> reports = new CopyOnWriteArrayList<>();

    @AfterEach
    void removeCgroups() {
        TestHosts.removeGroups("n1");
    }

    /** The same job, requeued {@code times} times and started again. */
    Launch run(Launch first, int times) {
        Job j = first.job();
        for (int i = 0; i < times; i++)
            j = j.requeue(0, false).started("main", "n1", 1, 100, TimeLimit.UNLIMITED, 3 + i);
        return new Launch("c", 1, j);
    }

    JobEnded awaitReport(long id, int run) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> reports.stream().anyMatch(f -> f.id() == id && f.run() == run));
        return reports.stream()
                .filter(f -> f.id() == id && f.run() == run)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aNewRunEndsTheOldOneFirstAndKeepsItsOwnSpoolAndReport() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        String body = "echo run >> " + dir.resolve("count") + "; echo \"restart=${SLURM_RESTART_COUNT:-none}\"; "
                + "[ -n \"$SLURM_RESTART_COUNT\" ] && { sleep 2; exit 0; }; sleep 60";
        Launch first = Orders.order(dir, "n1", 9, body, -1, 100, 1, "root", 0, 0, Map.of());
        l.launch(first);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("count")));

        // the controller requeued the job and started it here again before the old run's kill arrived;
        // the new run outlives the old run's KillWait (1 s), whose final SIGKILL must not reach it
        l.launch(run(first, 1));
        assertThat(Orders.fields(awaitReport(9, 0))).containsEntry("state", "CANCELLED");
        assertThat(Orders.fields(awaitReport(9, 1))).containsEntry("state", "COMPLETED");
        assertThat(Files.readAllLines(dir.resolve("count"))).containsExactly("run", "run");
        // the output file is opened afresh (truncated) by each run, as Slurm's default open mode does
        assertThat(Files.readString(dir.resolve("slurm-9.out"))).isEqualTo("restart=1\n");

        assertThat(Files.exists(dir.resolve("spool/job9"))).isTrue();
        assertThat(Files.exists(dir.resolve("spool/job9.1"))).isTrue();
        assertThat(l.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id() + ":" + f.run())
                .containsExactlyInAnyOrder("job_ended:9:0", "job_ended:9:1");
        l.acknowledged(9, 0);
        assertThat(Files.exists(dir.resolve("spool/job9"))).isFalse();
        assertThat(Files.exists(dir.resolve("spool/job9.1"))).isTrue();
    }

    @Test
    void aKillForAnOlderRunLeavesTheCurrentRunAlone() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        Launch first = Orders.order(dir, "n1", 10, "sleep 2", -1, 100, 1, "root", 0, 0, Map.of());
        l.launch(run(first, 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("spool/job10.2/job.pid")));
        l.kill(10, 0, KillReason.CANCEL);
        l.kill(10, 1, KillReason.CANCEL);
        assertThat(Orders.fields(awaitReport(10, 2))).containsEntry("state", "COMPLETED");

        // a new agent finds the run again by its directory
        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", f -> {});
        assertThat(second.inventory())
                .extracting(f -> Orders.op(f) + ":" + f.id() + ":" + f.run())
                .containsExactly("job_ended:10:2");
    }
}
