package io.motley.cli.command;

import io.motley.cli.format.JobText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.step.Step;
import io.motley.core.step.TaskUsage;
import io.motley.core.time.Durations;
import io.motley.protocol.StepMessages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The running steps as squeue -s lists them (Slurm's default step layout, "%.15i %.8j %.9P %.8u
 * %.9M %N") and as scontrol show step shows one in Key=Value records; partition and user come
 * from the step's job. A running job's batch script is its step "batch" (N.batch), listed after the
 * job's srun steps, as Slurm's squeue sorts its larger id.
 */
final class StepListing {
    private StepListing() {}

    /** squeue -s [-h] [-j IDS]: running steps, of the given jobs when some are named. */
    static int squeue(Io io, List<Long> jobIds, boolean header) throws Exception {
        Map<Long, Job> jobs = jobs(io);
        List<Step> steps = withBatch(running(io, jobIds), jobs, jobIds);
        StringBuilder out = new StringBuilder();
        if (header)
            out.append(String.format(
                    "%15s %8s %9s %8s %9s %s%n", "STEPID", "NAME", "PARTITION", "USER", "TIME", "NODELIST"));
        for (Step s : steps) {
            Job j = jobs.get(s.jobId());
            out.append(String.format(
                    "%15s %8s %9s %8s %9s %s%n",
                    cut(s.displayId(), 15),
                    cut(s.name(), 8),
                    cut(j == null ? "" : j.partition(), 9),
                    cut(j == null ? "" : j.user(), 8),
                    Durations.formatCompact(s.elapsed(io.nowSeconds())),
                    String.join(",", s.nodes())));
        }
        io.out().print(out);
        return 0;
    }

    /** scontrol show step [JOB[.STEP]]: the running steps (all of the job's when a job is named). */
    static int scontrol(Io io, String id) throws Exception {
        List<Step> steps;
        Map<Long, Job> jobs = jobs(io);
        if (id == null) {
            steps = withBatch(running(io, List.of()), jobs, List.of());
        } else {
            int dot = id.indexOf('.');
            long job;
            try {
                job = Long.parseLong(dot < 0 ? id : id.substring(0, dot));
            } catch (NumberFormatException e) {
                io.err().println("Invalid job id specified");
                return 1;
            }
            steps = new ArrayList<>();
            for (Step s : withBatch(
                    io.gateway().ask(new StepMessages.ListSteps(List.of(job))).steps(), jobs, List.of(job))) {
                if (dot < 0 || s.displayId().equals(id)) steps.add(s);
            }
        }
        if (steps.isEmpty()) {
            io.out().println(id == null ? "No job steps in the system" : "Job step " + id + " not found");
            return id == null ? 0 : 1;
        }
        StringBuilder out = new StringBuilder();
        for (Step s : steps) {
            Job j = jobs.get(s.jobId());
            out.append("StepId=").append(s.displayId());
            out.append(" UserId=").append(j == null ? "" : Integer.toString(j.uid()));
            out.append(" StartTime=").append(JobText.timestamp(s.start(), io.zone(), "Unknown"));
            out.append(" TimeLimit=UNLIMITED\n");
            out.append("   State=").append(s.state().name());
            out.append(" Partition=").append(j == null ? "" : j.partition());
            out.append(" NodeList=").append(String.join(",", s.nodes())).append('\n');
            if (s.id() == TaskUsage.BATCH) {
                // the batch script's step, in Slurm's layout for it
                out.append("   Nodes=1 CPUs=0 Tasks=1 Name=batch Network=(null)\n");
                out.append("   TRES=(null)\n");
                out.append("   ResvPorts=(null)\n");
                out.append("   CPUFreqReq=Default\n");
                out.append("   SrunHost:Pid=(null):0\n\n");
                continue;
            }
            out.append("   Nodes=").append(s.nodes().size());
            out.append(" CPUs=").append(s.cpus());
            out.append(" Tasks=").append(s.tasks());
            out.append(" Name=").append(s.name());
            out.append(" Network=(null)\n");
            out.append("   TRES=cpu=").append(s.cpus());
            if (s.memMiB() > 0) out.append(",mem=").append(s.memMiB()).append('M');
            out.append(",node=").append(s.nodes().size()).append('\n');
            out.append("   ExitCode=").append(s.exitCode()).append(':').append(s.signal());
            out.append(" RunTime=").append(Durations.formatFixed(s.elapsed(io.nowSeconds())));
            out.append(" Dist=Block\n\n");
        }
        io.out().print(out);
        return 0;
    }

    private static List<Step> running(Io io, List<Long> jobIds) throws Exception {
        List<Step> all = io.gateway().ask(new StepMessages.ListSteps(List.of())).steps();
        if (jobIds.isEmpty()) return all;
        return all.stream().filter(s -> jobIds.contains(s.jobId())).toList();
    }

    /**
     * {@code steps} with the batch step of each running job (of {@code jobIds}, or all): a job's
     * srun steps first, in their order, then its batch step.
     */
    private static List<Step> withBatch(List<Step> steps, Map<Long, Job> jobs, List<Long> jobIds) {
        java.util.TreeMap<Long, List<Step>> byJob = new java.util.TreeMap<>();
        for (Step s : steps)
            byJob.computeIfAbsent(s.jobId(), k -> new ArrayList<>()).add(s);
        for (Job j : jobs.values()) {
            if (j.state() != JobState.RUNNING || j.node() == null || j.request().allocationOnly()) continue;
            if (!jobIds.isEmpty() && !jobIds.contains(j.id())) continue;
            byJob.computeIfAbsent(j.id(), k -> new ArrayList<>()).add(Step.batch(j.id(), j.node(), j.startTime()));
        }
        List<Step> out = new ArrayList<>();
        byJob.values().forEach(out::addAll);
        return out;
    }

    private static Map<Long, Job> jobs(Io io) throws Exception {
        Map<Long, Job> out = new HashMap<>();
        for (Job j : Requests.jobs(io)) out.put(j.id(), j);
        return out;
    }

    private static String cut(String s, int width) {
        return s.length() > width ? s.substring(0, width) : s;
    }
}
