package io.motley.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.agent.enforcement.TestHosts;
import io.motley.core.job.Job;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
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

    final List<Frame> reports = new CopyOnWriteArrayList<>();

    @AfterEach
    void removeCgroups() {
        TestHosts.removeGroups("n1");
    }

    /** The same job, requeued {@code times} times and started again. */
    Frame run(Frame first, int times) {
        Job j = Codec.job(first.children().get(0));
        for (int i = 0; i < times; i++) j = j.requeue(0, false).started("main", "n1", 1, 100, -1, 3 + i);
        return Frame.op(Ops.LAUNCH).put("cluster", "c").put("killWait", 1).add(Codec.job(j, true));
    }

    Frame awaitReport(long id, int run) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> reports.stream().anyMatch(f -> f.lng("id", -1) == id && f.integer("run", -1) == run));
        return reports.stream()
                .filter(f -> f.lng("id", -1) == id && f.integer("run", -1) == run)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aNewRunEndsTheOldOneFirstAndKeepsItsOwnSpoolAndReport() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        String body = "echo run >> " + dir.resolve("count") + "; echo \"restart=${SLURM_RESTART_COUNT:-none}\"; "
                + "[ -n \"$SLURM_RESTART_COUNT\" ] && { sleep 2; exit 0; }; sleep 60";
        Frame first = Orders.order(dir, "n1", 9, body, -1, 100, 1, "root", 0, 0, Map.of());
        l.launch(first);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("count")));

        // the controller requeued the job and started it here again before the old run's kill arrived;
        // the new run outlives the old run's KillWait (1 s), whose final SIGKILL must not reach it
        l.launch(run(first, 1));
        assertThat(awaitReport(9, 0).fields()).containsEntry("state", "CANCELLED");
        assertThat(awaitReport(9, 1).fields()).containsEntry("state", "COMPLETED");
        assertThat(Files.readAllLines(dir.resolve("count"))).containsExactly("run", "run");
        // the output file is opened afresh (truncated) by each run, as Slurm's default open mode does
        assertThat(Files.readString(dir.resolve("slurm-9.out"))).isEqualTo("restart=1\n");

        assertThat(Files.exists(dir.resolve("spool/job9"))).isTrue();
        assertThat(Files.exists(dir.resolve("spool/job9.1"))).isTrue();
        assertThat(l.inventory())
                .extracting(f -> f.op() + ":" + f.str("id") + ":" + f.str("run"))
                .containsExactlyInAnyOrder("job_ended:9:0", "job_ended:9:1");
        l.acknowledged(9, 0);
        assertThat(Files.exists(dir.resolve("spool/job9"))).isFalse();
        assertThat(Files.exists(dir.resolve("spool/job9.1"))).isTrue();
    }

    @Test
    void aKillForAnOlderRunLeavesTheCurrentRunAlone() throws Exception {
        JobLauncher l = new JobLauncher(dir.resolve("spool"), "n1", reports::add);
        Frame first = Orders.order(dir, "n1", 10, "sleep 2", -1, 100, 1, "root", 0, 0, Map.of());
        l.launch(run(first, 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("spool/job10.2/job.pid")));
        l.kill(10, 0, "CANCELLED");
        l.kill(10, 1, "CANCELLED");
        assertThat(awaitReport(10, 2).fields()).containsEntry("state", "COMPLETED");

        // a new agent finds the run again by its directory
        JobLauncher second = new JobLauncher(dir.resolve("spool"), "n1", f -> {});
        assertThat(second.inventory())
                .extracting(f -> f.op() + ":" + f.str("id") + ":" + f.str("run"))
                .containsExactly("job_ended:10:2");
    }
}
