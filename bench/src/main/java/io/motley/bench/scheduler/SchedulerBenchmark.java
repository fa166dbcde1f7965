package io.motley.bench.scheduler;

import io.motley.core.cluster.NodeView;
import io.motley.core.scheduler.IncrementalScheduler;
import io.motley.core.scheduler.Plan;
import io.motley.core.scheduler.QueuedJob;
import io.motley.core.scheduler.Scheduler;
import io.motley.core.scheduler.SchedulerOptions;
import io.motley.core.scheduler.Snapshot;
import java.util.List;
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
 * over the whole queue ({@code Scheduler.plan}, nothing kept from a pass before), the same after
 * one running job ended, and that pass made by an {@link IncrementalScheduler} that planned the
 * snapshot before it, as the controller's passes follow each other. Run through {@code bench/jmh}.
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
    /** The same snapshots built anew, as a controller builds one for each pass: equal records, not the same objects. */
    private Snapshot fullAgain;

    private Snapshot afterOneJobEndsAgain;
    /** As {@link #afterOneJobEndsAgain}, but for the pending jobs: {@link #fullAgain}'s records, as the controller keeps them. */
    private Snapshot afterOneJobEndsKeptJobs;

    @Setup(Level.Trial)
    public void build() {
        String[] jn = size.split("x");
        Workloads.Workload w = Workloads.generate(seed, Integer.parseInt(jn[1]), Integer.parseInt(jn[0]));
        full = w.snapshot();
        afterOneJobEnds = w.afterOneJobEnds();
        fullAgain = rebuilt(full);
        afterOneJobEndsAgain = rebuilt(afterOneJobEnds);
        afterOneJobEndsKeptJobs = rebuiltAfter(fullAgain, afterOneJobEnds);
    }

    /** A copy of every node and pending job (names and partition lists too), as Cluster makes them for a pass. */
    static Snapshot rebuilt(Snapshot s) {
        List<NodeView> nodes = s.nodes().stream()
                .map(n -> new NodeView(
                        new String(n.name()), n.cpus(), n.memMiB(), n.state(), n.gpus(), n.features(), n.weight()))
                .toList();
        List<QueuedJob> pending = s.pending().stream()
                .map(q -> new QueuedJob(
                        q.id(),
                        q.priority(),
                        List.of(String.join(",", q.partitions()).split(",")),
                        q.cpus(),
                        q.memMiB(),
                        q.timeLimitSeconds(),
                        q.held(),
                        q.gpus(),
                        q.gpuType(),
                        q.placement(),
                        q.submitOrder()))
                .toList();
        return new Snapshot(nodes, s.partitions(), s.running(), pending, s.defMemPerCpuMiB(), s.now());
    }

    /** {@code after} built anew as {@link #rebuilt}, but for the jobs: {@code before}'s. */
    static Snapshot rebuiltAfter(Snapshot before, Snapshot after) {
        Snapshot fresh = rebuilt(after);
        return new Snapshot(
                fresh.nodes(),
                fresh.partitions(),
                fresh.running(),
                before.pending(),
                fresh.defMemPerCpuMiB(),
                fresh.now());
    }

    /** A scheduler that has just planned the full snapshot (built separately), before each pass it is timed on. */
    @State(Scope.Thread)
    public static class PassBefore {
        final IncrementalScheduler scheduler = new IncrementalScheduler();

        @Setup(Level.Invocation)
        public void planFull(SchedulerBenchmark b) {
            scheduler.plan(b.fullAgain, b.options());
        }
    }

    /** The one call into the scheduler, so a policy parameter can choose the overload here. */
    private Plan plan(Snapshot snap) {
        return Scheduler.plan(snap, options());
    }

    private SchedulerOptions options() {
        return policy.equals("fcfs") ? SchedulerOptions.FCFS : SchedulerOptions.easyBackfill();
    }

    @Benchmark
    public Plan fullPass() {
        return plan(full);
    }

    @Benchmark
    public Plan afterOneJobEnds() {
        return plan(afterOneJobEnds);
    }

    /** The pass after one job ended, by a scheduler that made the pass before it. */
    @Benchmark
    public Plan incrementalAfterOneJobEnds(PassBefore before) {
        return before.scheduler.plan(afterOneJobEndsAgain, options());
    }

    /** As {@link #incrementalAfterOneJobEnds}, with the pending jobs' records kept from the pass before (KeptRecords). */
    @Benchmark
    public Plan incrementalAfterOneJobEndsKeptJobs(PassBefore before) {
        return before.scheduler.plan(afterOneJobEndsKeptJobs, options());
    }
}
