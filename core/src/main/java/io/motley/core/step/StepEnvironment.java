package io.motley.core.step;

import io.motley.core.hostlist.Hostlist;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables Slurm adds for one task of a step, over the job's own (which the task inherits):
 * its ids (SLURM_PROCID, SLURM_LOCALID, SLURM_NODEID), the step's size and nodes, and the job's
 * node count. SLURM_TASK_PID is the task's own pid, set where the task starts.
 */
public final class StepEnvironment {
    private StepEnvironment() {}

    /** The step's variables for {@code task} in {@code layout}; {@code jobNodes} is the job's node count, {@code cpusPerTask} 0 when -c was not given. */
    public static Map<String, String> forTask(
            int stepId, TaskLayout layout, int task, int jobNodes, int cpusOnNode, int cpusPerTask) {
        int node = layout.nodeOf(task);
        Map<String, String> env = new LinkedHashMap<>();
        String step = Integer.toString(stepId);
        String tasks = Integer.toString(layout.tasks());
        String nodes = Hostlist.compressInOrder(layout.nodes());
        env.put("SLURM_STEP_ID", step);
        env.put("SLURM_STEPID", step);
        env.put("SLURM_PROCID", Integer.toString(task));
        env.put("SLURM_LOCALID", Integer.toString(layout.tasksOn(node).indexOf(task)));
        env.put("SLURM_NODEID", Integer.toString(node));
        env.put("SLURM_NTASKS", tasks);
        env.put("SLURM_NPROCS", tasks);
        env.put("SLURM_STEP_NODELIST", nodes);
        env.put("SLURM_STEP_NUM_NODES", Integer.toString(layout.nodes().size()));
        env.put("SLURM_STEP_NUM_TASKS", tasks);
        env.put("SLURM_STEP_TASKS_PER_NODE", layout.tasksPerNode());
        env.put("SLURM_TASKS_PER_NODE", layout.tasksPerNode());
        env.put("SLURM_NNODES", Integer.toString(layout.nodes().size()));
        env.put("SLURM_JOB_NUM_NODES", Integer.toString(jobNodes));
        env.put("SLURM_CPUS_ON_NODE", Integer.toString(cpusOnNode));
        if (cpusPerTask > 0) env.put("SLURM_CPUS_PER_TASK", Integer.toString(cpusPerTask));
        env.put(
                "SLURM_GTIDS",
                String.join(
                        ",", layout.tasksOn(node).stream().map(String::valueOf).toList()));
        return env;
    }
}
