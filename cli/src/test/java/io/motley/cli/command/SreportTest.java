package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.job.Job;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class SreportTest {
    static final ZoneId UTC = ZoneId.of("UTC");
    // 2026-11-29T00:00:00Z
    static final long DAY = 1795910400L;

    static Job ran(long id, String user, String account, int cpus, long start, long end) {
        return Fixtures.job(id, "wrap")
                .user(user, 1000)
                .account(account)
                .cpus(cpus, 1)
                .running("n1", start, 100)
                .ended(io.motley.core.job.JobState.COMPLETED, io.motley.core.job.ExitStatus.NONE, end)
                .build();
    }

    @Test
    void clusterUtilizationInSlurmsLayout() {
        Sreport.Report r = new Sreport.Report(DAY, DAY + 86400, Sreport.Unit.MINUTES, null, false, true, 10);
        // 2 CPUs for an hour, one of them inside the window only from midnight
        List<Job> jobs = List.of(
                ran(1, "bob", "physics", 2, DAY + 600, DAY + 4200), ran(2, "ann", null, 1, DAY - 600, DAY + 600));
        assertThat(Sreport.utilization(r, "anchor", 4, jobs, UTC))
                .isEqualTo("-".repeat(80) + "\n"
                        + "Cluster Utilization 2026-11-29T00:00:00 - 2026-11-29T23:59:59\n"
                        + "Usage reported in CPU Minutes\n"
                        + "-".repeat(80) + "\n"
                        + "  Cluster Allocate     Down PLND Dow     Idle  Planned Reported \n"
                        + "--------- -------- -------- -------- -------- -------- -------- \n"
                        + "   anchor      130        0        0     5630        0     5760 \n");
    }

    @Test
    void userTopRanksUsersPerAccount() {
        Sreport.Report r = new Sreport.Report(DAY, DAY + 86400, Sreport.Unit.MINUTES, null, false, true, 10);
        List<Job> jobs =
                List.of(ran(1, "bob", "physics", 2, DAY + 600, DAY + 4200), ran(2, "ann", null, 1, DAY, DAY + 60));
        assertThat(Sreport.userTop(r, "anchor", jobs, UTC, login -> login.equals("bob") ? "Bob B" : login))
                .isEqualTo("-".repeat(80) + "\n"
                        + "Top 10 Users 2026-11-29T00:00:00 - 2026-11-29T23:59:59 (86400 secs)\n"
                        + "Usage reported in CPU Minutes\n"
                        + "-".repeat(80) + "\n"
                        + "  Cluster     Login     Proper Name         Account     Used   Energy \n"
                        + "--------- --------- --------------- --------------- -------- -------- \n"
                        + "   anchor       bob           Bob B         physics      120        0 \n"
                        + "   anchor       ann             ann                        1        0 \n");
        assertThat(Sreport.usageWidth(99_999_999)).isEqualTo(8);
        assertThat(Sreport.usageWidth(100_000_000)).isEqualTo(9);
    }
}
