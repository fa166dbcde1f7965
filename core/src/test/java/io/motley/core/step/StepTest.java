package io.motley.core.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepTest {
    private static StepRequest tasks(int n) {
        return new StepRequest(n, 0, 0, 1, 0, false, "hostname");
    }

    @Test
    void aRunningStepEndsOnceAndOnlyInATerminalState() {
        Step s = Step.started(12, 0, tasks(4), List.of("n1"), 100);
        assertEquals("12.0", s.displayId());
        assertEquals(StepState.RUNNING, s.state());
        Step done = s.ended(StepState.FAILED, 3, 0, 107);
        assertEquals(StepState.FAILED, done.state());
        assertEquals(3, done.exitCode());
        assertEquals(7, done.elapsed(500));
        assertThrows(IllegalStateException.class, () -> done.ended(StepState.CANCELLED, 0, 15, 108));
        assertThrows(IllegalStateException.class, () -> s.ended(StepState.RUNNING, 0, 0, 108));
        for (StepState a : StepState.values())
            for (StepState b : StepState.values())
                assertEquals(a == StepState.RUNNING && b != StepState.RUNNING, a.canBecome(b), a + "->" + b);
    }

    @Test
    void aStepEndsFailedOnAnyNonZeroExitOrSignal() {
        assertEquals(StepState.COMPLETED, StepState.ofExit(0, 0));
        assertEquals(StepState.FAILED, StepState.ofExit(1, 0));
        assertEquals(StepState.FAILED, StepState.ofExit(0, 9));
    }

    @Test
    void anEndedStepsElapsedStopsAtItsEndAndNeverPrecedesItsStart() {
        Step s = Step.started(1, 2, tasks(1), List.of("n1"), 100);
        assertEquals(5, s.elapsed(105));
        assertEquals(100, s.ended(StepState.COMPLETED, 0, 0, 90).end());
    }

    @Test
    void blockLayoutSpreadsTasksEvenlyFirstNodesTakingOneMore() {
        TaskLayout l = TaskLayout.block(List.of("a", "b", "c"), 7, 0);
        assertEquals(List.of(3, 2, 2), l.counts());
        assertEquals("3,2(x2)", l.tasksPerNode());
        assertEquals(0, l.nodeOf(2));
        assertEquals(1, l.nodeOf(3));
        assertEquals(2, l.nodeOf(6));
        assertEquals(List.of(5, 6), l.tasksOn(2));
        assertThrows(IllegalArgumentException.class, () -> l.nodeOf(7));
    }

    @Test
    void tasksPerNodeFillsEachNodeInTurn() {
        assertEquals(
                List.of(2, 2, 1), TaskLayout.block(List.of("a", "b", "c"), 5, 2).counts());
        assertEquals(List.of(4, 3), TaskLayout.block(List.of("a", "b"), 7, 3).counts());
        assertEquals("2(x3),1", TaskLayout.compressCounts(List.of(2, 2, 2, 1)));
        assertEquals("4", TaskLayout.compressCounts(List.of(4)));
    }

    @Test
    void everyTaskIsOnExactlyOneNodeForAnyShape() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int round = 0; round < 500; round++) {
            int nodes = 1 + r.nextInt(6);
            int tasks = nodes + r.nextInt(20);
            int perNode = r.nextBoolean() ? 0 : 1 + r.nextInt(5);
            List<String> names = java.util.stream.IntStream.range(0, nodes)
                    .mapToObj(i -> "n" + i)
                    .toList();
            TaskLayout l = TaskLayout.block(names, tasks, perNode);
            assertEquals(tasks, l.tasks(), "seed " + seed);
            int seen = 0;
            for (int i = 0; i < nodes; i++) {
                for (int t : l.tasksOn(i)) {
                    assertEquals(i, l.nodeOf(t), "seed " + seed);
                    assertEquals(seen++, t, "seed " + seed);
                }
            }
        }
    }

    @Test
    void aStepNeverGetsMoreThanTheAllocation() {
        List<String> nodes = List.of("n1");
        assertEquals(new StepAdmission.Granted(nodes), StepAdmission.admit(tasks(4), nodes, 4, 1000, List.of()));
        assertEquals(
                new StepAdmission.Refused("More processors requested than permitted"),
                StepAdmission.admit(tasks(5), nodes, 4, 1000, List.of()));
        assertEquals(
                new StepAdmission.Refused("Requested node configuration is not available"),
                StepAdmission.admit(new StepRequest(2, 2, 0, 1, 0, false, "x"), nodes, 4, 1000, List.of()));
        assertEquals(
                new StepAdmission.Refused("Memory required by task is not available"),
                StepAdmission.admit(new StepRequest(1, 0, 0, 1, 2000, false, "x"), nodes, 4, 1000, List.of()));
    }

    @Test
    void aStepWaitsForCpusHeldByRunningStepsUnlessItOverlaps() {
        List<String> nodes = List.of("n1");
        List<Step> running = List.of(Step.started(1, 0, tasks(3), nodes, 0));
        assertInstanceOf(StepAdmission.Granted.class, StepAdmission.admit(tasks(1), nodes, 4, 0, running));
        assertEquals(
                new StepAdmission.Busy("Requested nodes are busy"),
                StepAdmission.admit(tasks(2), nodes, 4, 0, running));
        assertInstanceOf(
                StepAdmission.Granted.class,
                StepAdmission.admit(new StepRequest(4, 0, 0, 1, 0, true, "x"), nodes, 4, 0, running));
        List<Step> ended = List.of(running.get(0).ended(StepState.COMPLETED, 0, 0, 1));
        assertInstanceOf(StepAdmission.Granted.class, StepAdmission.admit(tasks(4), nodes, 4, 0, ended));
    }

    @Test
    void aStepOnFewerNodesThanTheJobTakesTheFirstFreeOnes() {
        List<String> nodes = List.of("n1", "n2", "n3");
        List<Step> running = List.of(Step.started(1, 0, new StepRequest(2, 1, 0, 1, 0, false, "x"), List.of("n1"), 0));
        assertEquals(
                new StepAdmission.Granted(List.of("n2", "n3")),
                StepAdmission.admit(new StepRequest(2, 2, 0, 1, 0, false, "x"), nodes, 2, 0, running));
    }

    @Test
    void aStepWithANodelistRunsOnThoseNodesAndTheFirstFreeOthersOrWaitsForThem() {
        List<String> nodes = List.of("n1", "n2", "n3");
        // srun -w n3 (as mpirun's one daemon on each node but its own): n3, not the first free node
        assertEquals(
                new StepAdmission.Granted(List.of("n3")),
                StepAdmission.admit(new StepRequest(1, 1, 0, 1, 0, false, "x", List.of("n3")), nodes, 2, 0, List.of()));
        // -N 2 -w n3: n3 and the first free other, in the job's order
        assertEquals(
                new StepAdmission.Granted(List.of("n1", "n3")),
                StepAdmission.admit(new StepRequest(2, 2, 0, 1, 0, false, "x", List.of("n3")), nodes, 2, 0, List.of()));
        // a node the job does not have: never
        assertEquals(
                new StepAdmission.Refused("Requested node configuration is not available"),
                StepAdmission.admit(new StepRequest(1, 1, 0, 1, 0, false, "x", List.of("n9")), nodes, 2, 0, List.of()));
        // a named node whose CPUs running steps hold: it waits, rather than running elsewhere
        List<Step> running = List.of(Step.started(1, 0, new StepRequest(2, 1, 0, 1, 0, false, "x"), List.of("n3"), 0));
        assertEquals(
                new StepAdmission.Busy("Requested nodes are busy"),
                StepAdmission.admit(new StepRequest(1, 1, 0, 1, 0, false, "x", List.of("n3")), nodes, 2, 0, running));
        // more nodes named than -N asks: all of them
        assertEquals(
                new StepAdmission.Granted(List.of("n1", "n2")),
                StepAdmission.admit(
                        new StepRequest(2, 1, 0, 1, 0, false, "x", List.of("n2", "n1")), nodes, 2, 0, List.of()));
    }

    @Test
    void patternsExpandEveryLetterSlurmKnows() {
        StepPattern.Fields f = new StepPattern.Fields(42, 3, 7, 1, "n2", 40, 2, "ann", "train");
        assertEquals(
                "/w/42-42.3-3-7-1-n2-40-2-ann-train-%-%q",
                new StepPattern("%j-%J-%s-%t-%n-%N-%A-%a-%u-%x-%%-%q").expand(f, "/w"));
        assertEquals("/w/out-007.txt", new StepPattern("out-%3t.txt").expand(f, "/w"));
        assertEquals("rel", new StepPattern("rel").expand(f, null));
        assertTrue(new StepPattern("o-%t").perTask());
        assertTrue(new StepPattern("o-%2t").perTask());
        assertFalse(new StepPattern("o-%%t").perTask());
        assertFalse(new StepPattern("o-%j").perTask());
        assertTrue(new StepPattern("o-%N").perNode());
    }

    @Test
    void eachTaskSeesItsIdsAndTheStepsShape() {
        TaskLayout l = TaskLayout.block(List.of("n1", "n2"), 3, 0);
        Map<String, String> env = StepEnvironment.forTask(2, l, 2, 3, 4, 0);
        assertEquals("2", env.get("SLURM_STEP_ID"));
        assertEquals("2", env.get("SLURM_STEPID"));
        assertEquals("2", env.get("SLURM_PROCID"));
        assertEquals("0", env.get("SLURM_LOCALID"));
        assertEquals("1", env.get("SLURM_NODEID"));
        assertEquals("3", env.get("SLURM_NTASKS"));
        assertEquals("3", env.get("SLURM_NPROCS"));
        assertEquals("3", env.get("SLURM_STEP_NUM_TASKS"));
        assertEquals("n[1-2]", env.get("SLURM_STEP_NODELIST"));
        assertEquals("2", env.get("SLURM_STEP_NUM_NODES"));
        assertEquals("2,1", env.get("SLURM_STEP_TASKS_PER_NODE"));
        assertEquals("2,1", env.get("SLURM_TASKS_PER_NODE"));
        assertEquals("3", env.get("SLURM_JOB_NUM_NODES"));
        assertEquals("4", env.get("SLURM_CPUS_ON_NODE"));
        assertFalse(env.containsKey("SLURM_CPUS_PER_TASK"));
        assertEquals("1", StepEnvironment.forTask(0, l, 1, 2, 4, 1).get("SLURM_LOCALID"));
    }
}
