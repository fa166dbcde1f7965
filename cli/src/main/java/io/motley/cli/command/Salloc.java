package io.motley.cli.command;

import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.options.GetOpt;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * salloc: asks for an allocation (a job, submitted as sbatch submits one), runs a command on this
 * host with the job's variables (SLURM_JOB_ID, SLURM_JOB_NODELIST, ...) so that srun inside it
 * makes steps of that job, and releases the allocation when the command ends.
 *
 * <p>The job's batch script is a holder: it waits on a FIFO in a directory of salloc's own for the
 * command's exit status, and exits with it, so the job ends COMPLETED (or FAILED with the status)
 * as Slurm's salloc jobs do, not CANCELLED. Should salloc be killed, the holder runs to the time limit.
 */
public final class Salloc implements Command {
    static final String HELP = """
            Usage: salloc [OPTIONS] [command [args...]]
            Gets an allocation, runs the command (default: your shell) on this host with the job's
            variables, so that srun inside it runs steps of the job, and releases it when it ends.
            Takes sbatch's options (-n, -c, -N, --mem, -t, -p, -A, -J, -w, -x, --exclusive, ...).""";

    /** The holder: the allocation lasts until salloc writes its command's status into the FIFO $1. */
    static final String HOLDER = """
            #!/bin/sh
            # salloc's allocation: held until salloc's command ends, which writes its exit status here
            read status < "$1"
            exit "${status:-0}"
            """;

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt getopt = new GetOpt("salloc", Sbatch.OPTIONS, true);
        GetOpt.Parsed o = getopt.parse(args);
        if (Command.helpOrVersion(o, io, HELP)) return 0;
        ClusterOption.reached(o, io);
        List<String> command = new ArrayList<>(o.operands());
        if (command.isEmpty()) command.add(io.env().getOrDefault("SHELL", "/bin/sh"));
        boolean quiet = o.has("quiet");
        Path dir = Allocation.privateDir();
        try {
            Path fifo = dir.resolve("release");
            Allocation.mkfifo(fifo);
            String name = Path.of(command.get(0)).getFileName().toString();
            Held held = hold(o, io, "salloc", name, fifo, quiet);
            if (held == null) return 1;
            Job job = held.job();
            if (!quiet) {
                io.err().println("salloc: Granted job allocation " + job.id());
                io.err().println("salloc: Waiting for resource configuration");
                io.err().println("salloc: Nodes " + job.node() + " are ready for job");
            }
            int code;
            try {
                code = runCommand(command, Allocation.environment(job, io.env()), io);
            } finally {
                if (!quiet) io.err().println("salloc: Relinquishing job allocation " + job.id());
            }
            held.release(code);
            return code;
        } finally {
            deleteDir(dir);
        }
    }

    /** A running holder job and the FIFO that ends it. */
    record Held(Job job, Path fifo, Io io) {
        /** Ends the holder with {@code status}; cancels the job where the holder cannot be reached. */
        void release(int status) throws Exception {
            AtomicBoolean written = new AtomicBoolean();
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                // opening a FIFO blocks until its reader opens it: the holder does at its start
                try (FileOutputStream f = new FileOutputStream(fifo.toFile())) {
                    f.write((status + "\n").getBytes(StandardCharsets.US_ASCII));
                    written.set(true);
                } catch (IOException e) {
                    // the holder has gone (time limit, scancel): cancelled below, which is then a no-op
                }
            });
            writer.join(5000);
            if (!written.get()) Allocation.cancel(job.id(), io);
            Allocation.awaitEnd(job.id(), io);
        }
    }

    /** Submits a holder job with sbatch's options {@code o} and waits for it to run; null when refused. */
    static Held hold(GetOpt.Parsed o, Io io, String cmd, String name, Path fifo, boolean quiet) throws Exception {
        JobRequest req = Sbatch.request(o, io, HOLDER, List.of(fifo.toString()), name);
        req = req.toBuilder().output("/dev/null", "/dev/null").build();
        Job job = Allocation.obtain(req, io, cmd, quiet);
        return job == null ? null : new Held(job, fifo, io);
    }

    private static int runCommand(List<String> command, Map<String, String> env, Io io) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.directory(Path.of(io.cwd()).toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            io.err().println("salloc: error: " + command.get(0) + ": " + e.getMessage());
            return 127;
        }
        // Ctrl-C is the command's (the shell's) to handle, not salloc's, as in Slurm
        io.interrupts().ignore();
        return p.waitFor();
    }

    private static void deleteDir(Path dir) {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind in /tmp
        }
    }
}
