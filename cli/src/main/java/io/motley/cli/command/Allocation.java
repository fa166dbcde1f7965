package io.motley.cli.command;

import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.cli.client.AgentClient.RequestFailed;
import io.motley.core.job.Job;
import io.motley.core.job.JobEnvironment;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.protocol.Message.Cancel;
import io.motley.protocol.Message.Submit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * A job made from outside an allocation, by salloc or by srun: submitted as sbatch submits one (the
 * same Submit), then waited for until it runs, saying so on stderr as Slurm's commands do when it
 * has to wait. Its batch script is what keeps the allocation (salloc's holder, srun's step).
 */
final class Allocation {
    private Allocation() {}

    /** The job a command asked for, running; or null when it could not be had (the reason said). */
    static Job obtain(JobRequest req, Io io, String cmd, boolean quiet)
            throws ClusterUnreachable, InterruptedException {
        // no batch step in the listings, as Slurm's salloc and srun jobs have none
        Map<String, String> kept = new java.util.TreeMap<>(req.options());
        kept.putIfAbsent(JobRequest.ALLOCATION, cmd);
        req = req.toBuilder().options(kept).build();
        long id;
        try {
            id = io.gateway().ask(new Submit(req)).id();
        } catch (RequestFailed e) {
            if (e.detail() != null) io.err().println(cmd + ": error: " + e.detail());
            io.err().println(cmd + ": error: Unable to allocate resources: " + e.getMessage());
            return null;
        }
        return awaitStart(id, io, cmd, quiet);
    }

    /** Waits for job {@code id} to run; null when it ended first. */
    static Job awaitStart(long id, Io io, String cmd, boolean quiet) throws ClusterUnreachable, InterruptedException {
        boolean queued = false;
        long pause = 1;
        long since = System.nanoTime();
        while (true) {
            List<Job> found = Requests.job(io, id);
            Job j = found.isEmpty() ? null : found.get(0);
            if (j != null && j.state() == JobState.RUNNING) {
                if (queued && !quiet) io.err().println(cmd + ": job " + id + " has been allocated resources");
                return j;
            }
            if (j != null && j.state().isTerminal()) {
                io.err().println(cmd + ": error: Job allocation " + id + " has been revoked.");
                return null;
            }
            if (!queued && waits(j, System.nanoTime() - since)) {
                // a job the scheduler starts at once is never said to wait (Slurm prints nothing then)
                if (cmd.equals("salloc") && !quiet) io.err().println("salloc: Pending job allocation " + id);
                if (!quiet) io.err().println(cmd + ": job " + id + " queued and waiting for resources");
                queued = true;
            }
            Thread.sleep(pause);
            pause = nextPause(pause, since);
        }
    }

    /**
     * Whether srun and salloc say their job is queued: the scheduler has given it a reason to wait (Resources, Priority,
     * a partition down, ...), or it has not started within a second. A job the scheduler starts at once is never said
     * to wait, as Slurm says nothing of one it starts, however long the first pass over it takes.
     */
    static boolean waits(Job j, long waitedNanos) {
        boolean reason = j != null && j.reason() != null && j.reason() != io.motley.core.job.PendingReason.None;
        return reason || waitedNanos >= 1_000_000_000L;
    }

    /**
     * The pause after {@code pause} in a poll that began at {@code since} (System.nanoTime): every 4 ms for its first
     * second, as a job that starts or ends at once does so within tens of milliseconds, then growing to 20 ms.
     */
    static long nextPause(long pause, long since) {
        return Math.min(pause * 2, System.nanoTime() - since < 1_000_000_000L ? 4 : 20);
    }

    /** Polls job {@code id} until it has ended; the job as it ended. */
    static Job awaitEnd(long id, Io io) throws ClusterUnreachable, InterruptedException {
        long pause = 1;
        long since = System.nanoTime();
        while (true) {
            List<Job> found = Requests.job(io, id);
            if (!found.isEmpty() && found.get(0).state().isTerminal()) return found.get(0);
            Thread.sleep(pause);
            pause = nextPause(pause, since);
        }
    }

    /** Cancels job {@code id}; quietly, since it may have ended already. */
    static void cancel(long id, Io io) {
        try {
            io.gateway().ask(new Cancel(List.of(id), Map.of()));
        } catch (Exception e) {
            // ended already, or the cluster is gone: nothing more to release
        }
    }

    /** The exit code of a command whose job ended: 0 when it completed, else its code or 1. */
    static int exitCode(Job j) {
        if (j.state() == JobState.COMPLETED) return 0;
        return j.exit().code() != 0 ? j.exit().code() : 1;
    }

    /**
     * The batch script of a job that only holds an allocation for a command outside it (salloc's, srun's outside an
     * allocation): it runs until that command ends the job ({@link io.motley.protocol.Message.Complete}) or its time
     * limit does. The job of an srun that runs in an agent carries it too, but its node runs no process for it (the
     * agent's bare run).
     */
    static final String HOLDER = """
            #!/bin/sh
            # an allocation of salloc or srun: held until its command ends this job
            exec sleep 2147483647
            """;

    /** The environment of a command run inside job {@code j} from the submit host (salloc's command). */
    static Map<String, String> environment(Job j, Map<String, String> own) {
        // what the submit host's shell had stays as it was; the job's variables are added
        Map<String, String> env = new java.util.LinkedHashMap<>(own);
        String cluster = own.getOrDefault("SLURM_CLUSTER_NAME", "motley");
        JobEnvironment.build(j, cluster, j.node()).forEach((k, v) -> {
            if (k.startsWith("SLURM")) env.put(k, v);
        });
        // salloc's shell is not a task of the job: these belong to tasks, which srun sets
        for (String k : List.of(
                "SLURMD_NODENAME",
                "SLURM_NODEID",
                "SLURM_PROCID",
                "SLURM_LOCALID",
                "SLURM_GTIDS",
                "SLURM_TASK_PID",
                "SLURM_TOPOLOGY_ADDR",
                "SLURM_TOPOLOGY_ADDR_PATTERN",
                "SLURM_PRIO_PROCESS")) env.remove(k);
        return env;
    }

    /** A directory of the caller's own (mode 700) for the pipes between a command and its job. */
    static Path privateDir() throws IOException {
        return Files.createTempDirectory(
                "motley-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Makes a FIFO with mkfifo(1) (the JVM has no call for it). */
    static void mkfifo(Path p) throws IOException, InterruptedException {
        String bin = Files.isExecutable(Path.of("/usr/bin/mkfifo")) ? "/usr/bin/mkfifo" : "/bin/mkfifo";
        Process proc = new ProcessBuilder(bin, "-m", "600", p.toString())
                .redirectErrorStream(true)
                .start();
        if (proc.waitFor() != 0)
            throw new IOException(
                    "mkfifo " + p + ": " + new String(proc.getInputStream().readAllBytes()).trim());
    }
}
