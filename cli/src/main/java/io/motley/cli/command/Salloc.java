package io.motley.cli.command;

import io.motley.cli.client.AgentClient;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.options.GetOpt;
import io.motley.protocol.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * salloc: asks for an allocation (a job, submitted as sbatch submits one), runs a command on this
 * host with the job's variables (SLURM_JOB_ID, SLURM_JOB_NODELIST, ...) so that srun inside it
 * makes steps of that job, and releases the allocation when the command ends.
 *
 * <p>The job's batch script is a holder ({@link Allocation#HOLDER}) that runs until salloc, its
 * command ended, completes the job with the command's exit status, so the job ends COMPLETED (or
 * FAILED with the status) as Slurm's salloc jobs do, not CANCELLED. The job may be on any host: nothing
 * passes between salloc and the holder but through the controller. Should salloc be killed, the
 * holder runs to the time limit.
 */
public final class Salloc implements Command {
    static final String HELP = """
            Usage: salloc [OPTIONS] [command [args...]]
            Gets an allocation, runs the command (default: your shell) on this host with the job's
            variables, so that srun inside it runs steps of the job, and releases it when it ends.
            Takes sbatch's options (-n, -c, -N, --mem, -t, -p, -A, -J, -w, -x, --exclusive, ...).""";

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt getopt = new GetOpt("salloc", Sbatch.OPTIONS, true);
        GetOpt.Parsed o = getopt.parse(args);
        if (Command.helpOrVersion(o, io, HELP)) return 0;
        ClusterOption.reached(o, io);
        List<String> command = new ArrayList<>(o.operands());
        if (command.isEmpty()) command.add(io.env().getOrDefault("SHELL", "/bin/sh"));
        boolean quiet = o.has("quiet");
        String name = Path.of(command.get(0)).getFileName().toString();
        Held held = hold(o, io, "salloc", name, quiet);
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
    }

    /** A running holder job. */
    record Held(Job job, Io io) {
        /**
         * Ends the holder's job with {@code status} (COMPLETED for 0, else FAILED): the controller records that end
         * when it answers, as slurmctld does. A job that was ending already (its time limit, scancel) is waited for.
         */
        void release(int status) throws Exception {
            try {
                io.gateway().ask(new Message.Complete(job.id(), status));
                return;
            } catch (AgentClient.RequestFailed e) {
                // it has ended already, or is being cancelled: nothing to release
            }
            Allocation.awaitEnd(job.id(), io);
        }
    }

    /** Submits a holder job with sbatch's options {@code o} and waits for it to run; null when refused. */
    static Held hold(GetOpt.Parsed o, Io io, String cmd, String name, boolean quiet) throws Exception {
        JobRequest req = Sbatch.request(o, io, Allocation.HOLDER, List.of(), name);
        req = req.toBuilder().output("/dev/null", "/dev/null").build();
        Job job = Allocation.obtain(req, io, cmd, quiet);
        return job == null ? null : new Held(job, io);
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
}
