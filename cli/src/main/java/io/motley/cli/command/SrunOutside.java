package io.motley.cli.command;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.options.GetOpt;
import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.protocol.Message.Outcomes;
import io.motley.protocol.Message.Signal;
import io.motley.protocol.Message.SignalScope;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * srun outside an allocation: makes a job for the step (submitted as sbatch submits one), runs the
 * step in it and ends the job with it, as Slurm's srun does (job N, step 0).
 *
 * <p>The step runs inside the job: the job's batch script is {@code exec srun ARGS}, started by the
 * agent of the job's node, so the tasks are in the job's containment (cgroups, CPU set, GPUs) as a
 * batch script's steps are. Ctrl-C here is passed to the srun in the job (see {@link #passInterrupt}). This
 * srun relays the step's I/O: its stdin goes into a FIFO the inner
 * srun reads, and the inner srun's stdout and stderr go to two files that this srun copies to its
 * own as they grow. All three are in a directory of the user's own (mode 700) on this host, which is
 * the job's node on a one-host cluster; a job placed on another host cannot see them (said, and
 * documented). Only --pty is different: a terminal cannot pass through files, so for --pty the
 * job holds the allocation (salloc's holder) and this srun runs the step, as under salloc: its task
 * 0 on srun's own terminal where the job's node is this host's, else on a terminal of its own there.
 *
 * <p>Run by the agent for the native client ({@link Srun#whyInJvm}), srun outside an allocation is
 * Slurm's: the job only holds the allocation ({@link Allocation#HOLDER}), this srun runs step 0 of it with every
 * task started by its node's agent in the job's containment, as srun inside an allocation does, and
 * then ends the job with the step's exit code ({@link io.motley.protocol.Message.Complete}). Nothing
 * passes through files, so the job may be on any host.
 */
final class SrunOutside {
    private SrunOutside() {}

    /** The batch script: the step's srun, fed from the FIFO $1, with srun's own arguments after it. */
    static final String STEP_SCRIPT = """
            #!/bin/sh
            # srun outside an allocation: this job's step, run by srun inside the job
            in=$1
            shift
            MOTLEY_SRUN_ENDS_JOB=1 exec srun "$@" < "$in"
            """;

    /**
     * The srun options that describe the job too (the rest are the step's alone). -D is the step's:
     * the inner srun starts in this directory and applies it itself.
     */
    private static final Set<String> JOB_OPTIONS = Set.of(
            "nodes",
            "nodelist",
            "cpus-per-task",
            "mem",
            "job-name",
            "time",
            "partition",
            "account",
            "exclusive",
            "gres",
            "gpus",
            "gpus-per-node",
            "gpus-per-task");

    static int run(List<String> args, GetOpt.Parsed o, GetOpt getopt, Io io) throws Exception {
        StepRequest step = Srun.request(o, getopt, io.env());
        List<Map.Entry<String, String>> jobOpts = new ArrayList<>();
        for (Map.Entry<String, String> e : o.options()) if (JOB_OPTIONS.contains(e.getKey())) jobOpts.add(e);
        jobOpts.add(Map.entry("ntasks", Integer.toString(step.tasks())));
        GetOpt.Parsed jobO = new GetOpt.Parsed(jobOpts, List.of());
        boolean quiet = o.has("quiet");
        if (io.hosted()) return held(jobO, o, getopt, io, step, quiet);
        if (o.has("pty")) return terminal(jobO, o, getopt, io, step, quiet);
        Path dir = Allocation.privateDir();
        try {
            return relayed(args, jobO, io, dir, step, quiet);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temporary directory left in /tmp
            }
        }
    }

    private static int relayed(List<String> args, GetOpt.Parsed jobO, Io io, Path dir, StepRequest step, boolean quiet)
            throws Exception {
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Allocation.mkfifo(in);
        List<String> scriptArgs = new ArrayList<>();
        scriptArgs.add(in.toString());
        scriptArgs.addAll(args);
        JobRequest req = Sbatch.request(jobO, io, STEP_SCRIPT, scriptArgs, step.name());
        req = req.toBuilder().output(out.toString(), err.toString()).build();
        Job job = Allocation.obtain(req, io, "srun", quiet);
        if (job == null) return 1;
        long id = job.id();
        feed(io.in(), in);
        AtomicBoolean ended = new AtomicBoolean();
        Thread o1 = tail(out, io.out(), ended);
        Thread o2 = tail(err, io.err(), ended);
        // Ctrl-C goes to the srun in the job, which runs the tasks: once, it tells their states; twice within a
        // second, it aborts the step and cancels the job, as Slurm's srun does. Its lines come back here. (Where
        // SIGINT was ignored, as under nohup, there is nothing to pass on.)
        io.interrupts().onInterrupt(() -> passInterrupt(id, io));
        Job end = Allocation.awaitEnd(id, io);
        ended.set(true);
        o1.join();
        o2.join();
        io.out().flush();
        return Allocation.exitCode(end);
    }

    /**
     * In the agent: a job holds the allocation, and step 0 runs from here as srun inside an allocation runs one (its
     * tasks started by their nodes' agents, its I/O through the controller); the job then ends with the step's code.
     */
    private static int held(GetOpt.Parsed jobO, GetOpt.Parsed o, GetOpt getopt, Io io, StepRequest step, boolean quiet)
            throws Exception {
        JobRequest req = Sbatch.request(jobO, io, Allocation.HOLDER, List.of(), step.name());
        // held by this agent's process: a restart of the agent ends it (the controller sees the new start time)
        Map<String, String> kept = new java.util.TreeMap<>(req.options());
        kept.put(JobRequest.ALLOCATION, JobRequest.HELD_IN_AGENT);
        req = req.toBuilder().output("/dev/null", "/dev/null").options(kept).build();
        Job job = Allocation.obtain(req, io, "srun", quiet);
        if (job == null) return 1;
        Map<String, String> env = Allocation.environment(job, io.env());
        // Ctrl-C twice cancels the job with its step, as Slurm's srun cancels the job it made
        env.put(Srun.ENDS_JOB, "1");
        Io inJob = io.withEnv(env);
        int code;
        try {
            Step created = Srun.create(job.id(), Srun.request(o, getopt, env), inJob, quiet);
            code = created == null ? 1 : new Srun().runStep(created, Srun.request(o, getopt, env), o, inJob);
        } catch (Exception | Error e) {
            // srun's client has gone, or srun failed: the allocation goes with it
            Allocation.cancel(job.id(), io);
            throw e;
        }
        // refused when the step's abort cancelled the job already
        new Salloc.Held(job, io).release(code);
        return code;
    }

    /**
     * Sends SIGINT to the job's batch process, which is the srun in the job (its script ends in exec). When
     * the job cannot take it (it ended, or the cluster is gone), the job is cancelled instead, as before.
     */
    static void passInterrupt(long id, Io io) {
        // on a connection of its own: the main thread polls the job's end on srun's meanwhile, and two threads on
        // one connection mix their frames
        try (Srun.Line line = Srun.Line.open(io)) {
            try {
                Outcomes r = line.ask(new Signal(List.of(id), Map.of(), SIGINT, SignalScope.BATCH));
                if (r.outcomes().stream().allMatch(o -> o.error() == null)) return;
            } catch (Exception e) {
                // cancelled below
            }
            line.ask(new io.motley.protocol.Message.Cancel(List.of(id), Map.of()));
        } catch (Exception e) {
            // ended already, or the cluster is gone: nothing more to release
        }
    }

    private static final int SIGINT = 2;

    /** Copies this srun's stdin into the FIFO the step's srun reads (opened when the job's script starts). */
    private static void feed(InputStream from, Path fifo) {
        Thread.ofPlatform().daemon().name("srun-stdin").start(() -> {
            try (OutputStream to = new FileOutputStream(fifo.toFile())) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = from.read(buf)) > 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the step stopped reading: the rest of the input is not wanted
            }
        });
    }

    /** Copies what is appended to {@code file} to {@code to} until {@code ended} and the file is drained. */
    private static Thread tail(Path file, PrintStream to, AtomicBoolean ended) {
        return Thread.ofPlatform().name("srun-relay").start(() -> {
            byte[] buf = new byte[65536];
            long pos = 0;
            long pause = 1;
            while (true) {
                boolean last = ended.get();
                long got = 0;
                if (Files.exists(file)) {
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                        f.seek(pos);
                        int n;
                        while ((n = f.read(buf)) > 0) {
                            to.write(buf, 0, n);
                            pos += n;
                            got += n;
                        }
                        to.flush();
                    } catch (IOException e) {
                        // read again at the next turn
                    }
                }
                if (last) return;
                if (got > 0) pause = 1;
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    return;
                }
                pause = Math.min(pause * 2, 20);
            }
        });
    }

    /** --pty: the job holds the allocation; this srun runs the step, its task 0 on a terminal (see the class). */
    private static int terminal(
            GetOpt.Parsed jobO, GetOpt.Parsed o, GetOpt getopt, Io io, StepRequest step, boolean quiet)
            throws Exception {
        Salloc.Held held = Salloc.hold(jobO, io, "srun", step.name(), quiet);
        if (held == null) return 1;
        Job job = held.job();
        // as under salloc: srun's task 0 runs on srun's terminal where the job's node is this host's, else on a
        // terminal of its own there (Srun#here)
        Map<String, String> env = Allocation.environment(job, io.env());
        Io inJob = io.withEnv(env);
        int code = 1;
        try {
            var created = Srun.create(job.id(), Srun.request(o, getopt, env), inJob, quiet);
            if (created != null) code = new Srun().runStep(created, Srun.request(o, getopt, env), o, inJob);
        } finally {
            held.release(code);
        }
        return code;
    }
}
