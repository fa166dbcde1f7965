package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MPI program across nodes: Debian's Open MPI mpirun inside a two-node batch job finds the
 * allocation from the SLURM_* variables and launches its daemons through Motley's srun (one task a
 * node, as under Slurm), and each rank reports the node it ran on.
 */
class MpiIT {
    @TempDir
    Path dir;

    @Test
    void mpirunLaunchesItsRanksOnEveryNodeThroughSrun() throws Exception {
        assumeTrue(
                new File("/usr/bin/mpirun").canExecute(),
                "Open MPI's mpirun is needed (scripts/setup-test-host installs openmpi-bin)");
        try (TestCluster c = new TestCluster(dir, "PartitionName=main Nodes=ALL Default=YES\n")) {
            c.startController();
            c.startAgent("mpi1", 1, "1000M");
            c.startAgent("mpi2", 1, "1000M");
            c.awaitNodesUp(Duration.ofSeconds(90), "mpi1", "mpi2");
            Path out = c.workFile("ranks.out");
            // the test runs as root, which mpirun refuses unless told twice
            long id = c.submit(
                    "-N",
                    "2",
                    "-n",
                    "2",
                    "-o",
                    out.toString(),
                    "--export=ALL,OMPI_ALLOW_RUN_AS_ROOT=1,OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
                    "--wrap",
                    "mpirun sh -c 'echo \"rank $OMPI_COMM_WORLD_RANK of $OMPI_COMM_WORLD_SIZE on $SLURMD_NODENAME\"'");
            RequeueDeadlineIT.awaitState(c, id, "COMPLETED", Duration.ofSeconds(60));
            List<String> ranks = Files.readAllLines(out).stream()
                    .filter(l -> l.startsWith("rank "))
                    .sorted()
                    .toList();
            assertThat(ranks).as(Files.readString(out)).containsExactly("rank 0 of 2 on mpi1", "rank 1 of 2 on mpi2");
            // the daemons' launch was a step of the job (mpirun ends it by signalling srun once the ranks are done,
            // so it reads CANCELLED, as such steps often do under Slurm)
            assertThat(c.cmd("sacct", "-j", Long.toString(id), "-n", "-P", "-o", "JobID,JobName")
                            .out())
                    .contains(id + ".0|orted\n");
        }
    }
}
