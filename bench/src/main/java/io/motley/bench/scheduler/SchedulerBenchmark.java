package io.motley.bench.scheduler;

import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scheduling pass over a generated heterogeneous cluster ({@link Workloads}): the full pass
 * over the whole queue, and the pass right after one running job ended (the scheduler has no
 * incremental mode, so that is a full plan of the changed snapshot). Run through {@code bench/jmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class SchedulerBenchmark {

    /** Pending jobs x nodes. */
    @Param({"10000x1000", "100000x10000"})
    public String size;

    @Param("42")
    public long seed;

    /** fcfs: priority order and first fit (sched/builtin); backfill: a backfill pass with the default options. */
    @Param({"fcfs", "backfill"})
    public String policy;

    private Snapshot full;
    private Snapshot afterOneJobEnds;

    @Setup(Level.Trial)
    public void build() {
        String[] jn = size.split("x");
        Workloads.Workload w = Workloads.generate(seed, Integer.parseInt(jn[1]), Integer.parseInt(jn[0]));
        full = w.snapshot();
        afterOneJobEnds = w.afterOneJobEnds();
    }

    /** The one call into the scheduler, so a policy parameter can choose the overload here. */
    private Plan plan(Snapshot snap) {
        return Scheduler.plan(snap, policy.equals("fcfs") ? SchedulerOptions.FCFS : SchedulerOptions.easyBackfill());
    }

    @Benchmark
    public Plan fullPass() {
        return plan(full);
    }

    @Benchmark
    public Plan afterOneJobEnds() {
        return plan(afterOneJobEnds);
    }
}
