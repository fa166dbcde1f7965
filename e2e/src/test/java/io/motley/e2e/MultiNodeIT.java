package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job over three agents' nodes: its environment, how the commands show it, and a node lost under it. */
class MultiNodeIT {
    @TempDir
    Path dir;

    // node names of their own: other clusters on this host use n1, n2 with the same small job ids

    @Test
    void aThreeNodeJobSeesItsNodesAndEndsNodeFailWhenOneIsLost() throws Exception {
        try (TestCluster c = new TestCluster(dir, "JobRequeue=0\n")) {
            c.startController();
            c.startAgent("mn1", 2, "2000M");
            c.startAgent("mn2", 2, "2000M");
            c.startAgent("mn3", 2, "2000M");
            c.awaitNodesUp("mn1", "mn2", "mn3");

            Path env = c.workFile("env.out");
            long id = c.submit(
                    "-N",
                    "3",
                    "-n",
                    "6",
                    "-o",
                    env.toString(),
                    "--wrap",
                    "env | grep -E '^SLURM_(JOB_NODELIST|NODELIST|JOB_NUM_NODES|NNODES|TASKS_PER_NODE|JOB_CPUS_PER_NODE"
                            + "|NTASKS|CPUS_ON_NODE)=' | sort; hostname >/dev/null; echo \"batch on $SLURMD_NODENAME\"");
            RequeueDeadlineIT.awaitState(c, id, "COMPLETED", Duration.ofSeconds(30));
            assertThat(Files.readString(env))
                    .contains(
                            "SLURM_JOB_NODELIST=mn[1-3]\n",
                            "SLURM_NODELIST=mn[1-3]\n",
                            "SLURM_JOB_NUM_NODES=3\n",
                            "SLURM_NNODES=3\n",
                            "SLURM_TASKS_PER_NODE=2(x3)\n",
                            "SLURM_JOB_CPUS_PER_NODE=2(x3)\n",
                            "SLURM_NTASKS=6\n",
                            "SLURM_CPUS_ON_NODE=2\n",
                            "batch on mn1\n");
            assertThat(c.cmd("sacct", "-j", Long.toString(id), "-X", "-n", "-P", "-o", "NNodes,NodeList,AllocCPUS")
                            .out()
                            .trim())
                    .isEqualTo("3|mn[1-3]|6");
            // -n without -N takes as many nodes as its tasks need, as in Slurm: four tasks on nodes of two CPUs
            long byTasks = c.submit("-n", "4", "-o", "/dev/null", "--wrap", "true");
            RequeueDeadlineIT.awaitState(c, byTasks, "COMPLETED", Duration.ofSeconds(30));
            assertThat(c.cmd("sacct", "-j", Long.toString(byTasks), "-X", "-n", "-P", "-o", "NNodes,AllocCPUS")
                            .out()
                            .trim())
                    .isEqualTo("2|4");

            // a job holding every node: squeue and scontrol show all three, and nothing else fits
            long hold = c.submit("-N", "3", "-n", "6", "-o", "/dev/null", "--wrap", "sleep 120");
            RequeueDeadlineIT.awaitState(c, hold, "RUNNING", Duration.ofSeconds(20));
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(hold), "-o", "%D %N")
                            .out()
                            .trim())
                    .isEqualTo("3 mn[1-3]");
            String shown =
                    c.cmd("scontrol", "-d", "show", "job", Long.toString(hold)).out();
            assertThat(shown).contains("NodeList=mn[1-3]", "BatchHost=mn1", "NumNodes=3 NumCPUs=6", "Nodes=mn2 CPUs=2");
            long waiting = c.submit("-o", "/dev/null", "--wrap", "true");
            RequeueDeadlineIT.awaitState(c, waiting, "PENDING", Duration.ofSeconds(5));

            // mn3's agent dies: after NodeTimeout the job ends NODE_FAIL, its script on mn1 is killed,
            // and the nodes still up are free again for the job that waited
            c.killAgent("mn3");
            RequeueDeadlineIT.awaitState(c, hold, "NODE_FAIL", Duration.ofSeconds(30));
            RequeueDeadlineIT.awaitState(c, waiting, "COMPLETED", Duration.ofSeconds(30));
            assertThat(c.log("controller")).contains("job failed: a node of its allocation failed job=" + hold);
            assertThat(c.cmd("sacct", "-j", Long.toString(hold), "-X", "-n", "-P", "-o", "State,NodeList")
                            .out()
                            .trim())
                    .isEqualTo("NODE_FAIL|mn[1-3]");
        }
    }
}
