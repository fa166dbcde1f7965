package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.cluster.NodeState;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import org.junit.jupiter.api.Test;

class MotleyTopTest {
    static final long NOW = at("2026-11-22T12:39:16");

    static FakeCluster cluster() {
        return new FakeCluster()
                .nodes(
                        Fixtures.node("n1", 2, 2000).withAllocation(1, 500),
                        Fixtures.node("n2", 4, 8000).withState(NodeState.DRAIN, "bad disk", NOW))
                .jobs(
                        Fixtures.job(10, "done")
                                .submitted(NOW - 100)
                                .running("n1", NOW - 90, 100)
                                .ended(JobState.COMPLETED, new ExitStatus(0, 0), NOW - 50)
                                .build(),
                        Fixtures.job(11, "train")
                                .user("zoe", 1001)
                                .submitted(NOW - 60)
                                .running("n1", NOW - 60, 500)
                                .build(),
                        Fixtures.job(12, "prep")
                                .user("ann", 1000)
                                .submitted(NOW - 5)
                                .running("n1", NOW - 5, 100)
                                .build(),
                        Fixtures.job(13, "wait")
                                .user("ann", 1000)
                                .submitted(NOW - 1)
                                .pending(PendingReason.Resources)
                                .build());
    }

    @Test
    void oneScreenShowsNodesAndTheJobsStillInTheQueue() throws Exception {
        Result r = Fixtures.run(new MotleyTop(), cluster(), NOW, "-n", "1");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .startsWith("motley top - 12:39:16  nodes 2/2 up  CPUs 1/6 allocated  jobs 2 running, 1 pending"
                        + "  (sort: id)\n")
                .contains("n1           mixed            1/2        500/2000     0   0.00 \n")
                .contains("n2           drained          0/4          0/8000     0   0.00 bad disk\n")
                .contains("11           zoe       debug      train           R        1:00 n1\n")
                .contains("13           ann       debug      wait           PD        0:00 (Resources)\n")
                .doesNotContain("done")
                .doesNotContain("\033[");
    }

    @Test
    void keysSortAndQuit() throws Exception {
        // "s" sorts by user at once, then "q" quits; stdin is no terminal, so no screen is cleared
        Result r = Fixtures.run(new MotleyTop(), cluster(), NOW, 0, "root", "sq", "-d", "0.05");
        assertThat(r.code()).isZero();
        String[] screens = r.out().split("\n\nmotley top");
        assertThat(screens).hasSize(2);
        assertThat(screens[0]).contains("(sort: id)");
        assertThat(screens[1]).contains("(sort: user)");
        assertThat(screens[1].indexOf("ann")).isLessThan(screens[1].indexOf("zoe"));
        assertThat(Fixtures.run(new MotleyTop(), cluster(), NOW, "-s", "bogus").code())
                .isEqualTo(2);
    }

    @Test
    void onlyMineWithU() throws Exception {
        Result r = Fixtures.run(new MotleyTop(), cluster(), NOW, 1000, "ann", "", "-n", "1", "-u");
        assertThat(r.out()).contains("prep").contains("wait").doesNotContain("train");
    }
}
