package io.motley.bench.scheduler;

import io.motley.core.scheduler.IncrementalScheduler;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The thread CPU time of the pass after one job ended, made by an {@link IncrementalScheduler}
 * that planned the full snapshot just before (as {@link SchedulerBenchmark#incrementalAfterOneJobEnds}),
 * so that a figure on a shared machine counts only this thread's work: the median and the lowest
 * of many passes, per policy. {@code bench/jmh --incremental-cpu [JOBS [NODES [PASSES]]]}.
 */
public final class IncrementalPassCpu {
    private IncrementalPassCpu() {}

    public static void main(String[] args) {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int nodeCount = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Workloads.Workload w = Workloads.generate(42, nodeCount, jobs);
        Snapshot full = SchedulerBenchmark.rebuilt(w.snapshot());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String jobsAre : new String[] {"rebuilt", "kept"})
            for (String policy : new String[] {"fcfs", "backfill"}) {
                // rebuilt: every pending job a new record, as a controller that builds its queue anew; kept: the
                // records of the pass before, as the controller's QueueBuilder keeps them
                Snapshot after = jobsAre.equals("kept")
                        ? SchedulerBenchmark.rebuiltAfter(full, w.afterOneJobEnds())
                        : SchedulerBenchmark.rebuilt(w.afterOneJobEnds());
                SchedulerOptions options =
                        policy.equals("fcfs") ? SchedulerOptions.FCFS : SchedulerOptions.easyBackfill();
                IncrementalScheduler scheduler = new IncrementalScheduler();
                double[] cpuMs = new double[passes];
                int starts = 0;
                double[] wallMs = new double[passes];
                for (int k = 0; k < passes + 5; k++) {
                    scheduler.plan(full, options);
                    long c0 = mx.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    Plan plan = scheduler.plan(after, options);
                    long w1 = System.nanoTime();
                    long c1 = mx.getCurrentThreadCpuTime();
                    if (k == 0 && !plan.equals(Scheduler.plan(after, options)))
                        throw new IllegalStateException("the incremental pass planned otherwise than a fresh one");
                    starts = plan.starts().size();
                    if (k >= 5) {
                        cpuMs[k - 5] = (c1 - c0) / 1e6;
                        wallMs[k - 5] = (w1 - w0) / 1e6;
                    }
                }
                Arrays.sort(cpuMs);
                Arrays.sort(wallMs);
                System.out.printf(
                        "%s, jobs %s, %dx%d: incremental pass after one job ends: thread CPU median %.1f ms (min %.1f), wall median %.1f ms (min %.1f), %d passes, %d starts each%n",
                        policy,
                        jobsAre,
                        jobs,
                        nodeCount,
                        cpuMs[passes / 2],
                        cpuMs[0],
                        wallMs[passes / 2],
                        wallMs[0],
                        passes,
                        starts);
            }
    }
}
