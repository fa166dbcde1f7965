package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EASY backfill through the commands: a short job starts in the hole before the top job's reservation. */
class BackfillIT {
    /** Slurm's timestamps always carry seconds (LocalDateTime.toString drops ":00"). */
    static final DateTimeFormatter SLURM_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    @TempDir
    Path dir;

    @Test
    void aShortJobBackfillsALongOneWaitsAndSqueueStartShowsTheReservation() throws Exception {
        try (TestCluster c = new TestCluster(dir, "SchedulerParameters=bf_interval=1\n")) {
            c.startController();
            c.startAgent("n1", 2, "1000M");
            c.awaitNodesUp("n1");

            long running = c.submit("-c", "1", "-t", "2", "--mem=100M", "--wrap", "sleep 300");
            c.awaitState(running, "RUNNING", Duration.ofSeconds(20));
            long wide = c.submit("-c", "2", "-t", "1", "--mem=100M", "--wrap", "true");
            long tooLong = c.submit("-c", "1", "-t", "3", "--mem=100M", "--wrap", "sleep 300");
            long shortJob = c.submit("-c", "1", "-t", "1", "--mem=100M", "--wrap", "sleep 300");

            // the 1-minute job ends before the 2-CPU job's reservation (when the first job's 2 minutes are up)
            c.awaitState(shortJob, "RUNNING", Duration.ofSeconds(20));
            assertThat(c.state(wide)).isEqualTo("PENDING");
            // the 3-minute job would still hold a CPU then, so it waits even though a CPU was free
            assertThat(c.state(tooLong)).isEqualTo("PENDING");
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(wide), "-o", "%r")
                            .out()
                            .trim())
                    .isEqualTo("Resources");
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(tooLong), "-o", "%r")
                            .out()
                            .trim())
                    .isEqualTo("Priority");

            LocalDateTime started = LocalDateTime.parse(c.cmd("squeue", "-h", "-j", Long.toString(running), "-o", "%S")
                    .out()
                    .trim());
            TestCluster.Run start = c.cmd("squeue", "--start");
            assertThat(start.rc()).isZero();
            String[] lines = start.out().strip().split("\n");
            assertThat(lines[0]).contains("START_TIME").contains("SCHEDNODES");
            // pending jobs only, the one with a known start first
            assertThat(lines).hasSize(3);
            String[] top = lines[1].trim().split("\\s+");
            assertThat(top[0]).isEqualTo(Long.toString(wide));
            assertThat(LocalDateTime.parse(top[5])).isEqualTo(started.plusMinutes(2));
            assertThat(top[7]).isEqualTo("n1");
            assertThat(lines[2])
                    .contains(Long.toString(tooLong))
                    .contains("N/A")
                    .contains("(null)");
            // scontrol shows the expected start and, from the 1-minute limit, the expected end
            assertThat(c.cmd("scontrol", "show", "job", Long.toString(wide)).out())
                    .contains("StartTime=" + SLURM_TIME.format(started.plusMinutes(2)) + " EndTime="
                            + SLURM_TIME.format(started.plusMinutes(3)));

            c.cmd("scancel", Long.toString(running), Long.toString(tooLong), Long.toString(shortJob));
            c.awaitState(wide, "COMPLETED", Duration.ofSeconds(30));
        }
    }
}
