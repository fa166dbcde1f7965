package io.motley.cli.command;

import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.SignalSpec;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.protocol.Message.Cancel;
import io.motley.protocol.Message.Outcome;
import io.motley.protocol.Message.Outcomes;
import io.motley.protocol.Message.Signal;
import io.motley.protocol.Message.SignalScope;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * scancel: cancels jobs by id and/or by filters (user, name, state, partition). Like Slurm it is
 * silent on success and, unless -v, about ids that do not exist or already ended.
 */
public final class Scancel implements Command {
    private final java.util.function.Predicate<String> localUser;

    public Scancel() {
        this(Scancel::localUser);
    }

    /** scancel on a host whose users {@code localUser} knows. */
    Scancel(java.util.function.Predicate<String> localUser) {
        this.localUser = localUser;
    }

    private static boolean localUser(String name) {
        try {
            java.nio.file.FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(name);
            return true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('u', "user"),
            OptionSpec.flag('\0', "me"),
            OptionSpec.value('n', "name"),
            OptionSpec.value('t', "state"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('w', "nodelist"),
            OptionSpec.value('A', "account"),
            OptionSpec.value('q', "qos"),
            OptionSpec.value('R', "reservation"),
            OptionSpec.value('\0', "wckey"),
            OptionSpec.flag('H', "hurry"),
            OptionSpec.flag('\0', "ctld"),
            OptionSpec.value('s', "signal"),
            OptionSpec.flag('i', "interactive"),
            OptionSpec.flag('b', "batch"),
            OptionSpec.flag('f', "full"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('Q', "quiet"),
            OptionSpec.value('M', "clusters"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    /** JOB.STEP: one step of a job. */
    private static final java.util.regex.Pattern STEP = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)");

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("scancel", OPTIONS, false).parse(args);
        if (p.has("help") || p.has("usage")) {
            io.out().print(USAGE);
            if (p.has("help"))
                io.out()
                        .println("  -i, --interactive   ask before each job (y/n); the end of input answers n\n"
                                + "  -s, --signal=name | integer  signal to send to job, default is SIGKILL\n"
                                + "  -b, --batch         signal the batch shell alone\n"
                                + "  -f, --full          signal the batch shell and all steps\n"
                                + "Without -s, -b and --full cancel the job as scancel alone does. A signal reaches only\n"
                                + "running jobs, and is refused for a single step (JOB.STEP).");
            return 0;
        }
        if (p.has("version")) {
            io.out().println(Version.TEXT);
            return 0;
        }
        ClusterOption.reached(p, io);
        int signal = 0;
        if (p.has("signal")) {
            try {
                signal = SignalSpec.signalNumber(p.last("signal").trim());
            } catch (IllegalArgumentException e) {
                io.err().println("Unknown job signal: " + p.last("signal"));
                return 1;
            }
        }
        // SIGKILL is a cancel, as in Slurm, except with -b alone (then the batch shell is killed)
        boolean signalling = signal != 0 && (signal != KILL || (p.has("batch") && !p.has("full")));
        Set<Long> ids = new LinkedHashSet<>();
        Map<Long, List<Integer>> tasks = new LinkedHashMap<>();
        List<long[]> steps = new ArrayList<>();
        for (String operand : p.operands()) {
            // 12, 12_7 and 12_[1-3,5] (commas inside brackets belong to the task list)
            for (String t : operand.split(",(?![^\\[]*\\])")) {
                if (t.isBlank()) continue;
                java.util.regex.Matcher step = STEP.matcher(t.trim());
                if (step.matches()) {
                    steps.add(new long[] {Long.parseLong(step.group(1)), Long.parseLong(step.group(2))});
                    continue;
                }
                try {
                    int u = t.indexOf('_');
                    if (u < 0) {
                        ids.add(Long.parseLong(t.trim()));
                        continue;
                    }
                    long array = Long.parseLong(t.substring(0, u).trim());
                    String idx = t.substring(u + 1).trim().replaceAll("^\\[|\\]$", "");
                    for (int i : ArraySpec.parse(idx).indices())
                        tasks.computeIfAbsent(array, k -> new ArrayList<>()).add(i);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("error: Invalid job id " + t, 1, false);
                }
            }
        }
        boolean filtered = p.has("user")
                || p.has("me")
                || p.has("name")
                || p.has("state")
                || p.has("partition")
                || p.has("nodelist")
                || p.has("account")
                || p.has("qos")
                || p.has("reservation")
                || p.has("wckey");
        if (ids.isEmpty() && tasks.isEmpty() && steps.isEmpty() && !filtered)
            throw new UsageException("error: No job identification provided", 1, false);
        int stepsRc = signalling ? refuseStepSignals(steps, p, io) : cancelSteps(steps, p, io);
        if (ids.isEmpty() && tasks.isEmpty() && !filtered) return stepsRc;

        List<Long> targets = new ArrayList<>();
        if (filtered) {
            Set<String> users = new LinkedHashSet<>();
            users.addAll(p.list("user"));
            if (p.has("me")) users.add(io.userName());
            EnumSet<JobState> states;
            if (p.has("state")) {
                // one state, as Slurm's scancel takes it, in any of Slurm's spellings
                JobState s = JobState.parse(p.last("state")).orElse(null);
                if (s == null) {
                    io.err().println("Invalid job state specified: " + p.last("state"));
                    io.err().println("Valid job states are PENDING, RUNNING, and SUSPENDED");
                    return 1;
                }
                states = EnumSet.of(s);
            } else if (signalling) {
                // a pending job cannot take a signal: only running ones are chosen
                states = EnumSet.of(JobState.RUNNING);
            } else {
                states = EnumSet.of(JobState.PENDING, JobState.RUNNING);
            }
            Set<String> names = p.list("name");
            Set<String> accounts = p.list("account");
            // Motley has no reservations, QOS or WCKeys on jobs: a filter on them matches no job, as in Slurm
            // where none is configured
            boolean none = p.has("qos") || p.has("reservation") || p.has("wckey");
            Set<String> parts = p.list("partition");
            Set<String> nodes = p.has("nodelist") ? new LinkedHashSet<>(Hostlist.expand(p.last("nodelist"))) : Set.of();
            List<Job> all = Requests.jobs(io);
            for (String u : users) {
                // Slurm's scancel refuses a name it cannot resolve; a cluster's hosts need not share their users, so
                // the owner of a job in view counts too (as in squeue)
                if (u.chars().allMatch(Character::isDigit) || localUser.test(u)) continue;
                if (all.stream().anyMatch(j -> u.equals(j.user()))) continue;
                io.err().println("scancel: error: Invalid user name: " + u);
                return 1;
            }
            for (Job j : all) {
                if (none) break;
                if (j.state().isTerminal() || !states.contains(j.state())) continue;
                if (!accounts.isEmpty() && !accounts.contains(j.request().account())) continue;
                if (!ids.isEmpty() && !ids.contains(j.id())) continue;
                if (!users.isEmpty() && !users.contains(j.user()) && !users.contains(Integer.toString(j.uid())))
                    continue;
                if (!names.isEmpty() && !names.contains(j.request().name())) continue;
                if (!parts.isEmpty()
                        && java.util.Collections.disjoint(
                                parts, List.of(j.partition().split(",")))) continue;
                if (!nodes.isEmpty() && (j.node() == null || !nodes.contains(j.node()))) continue;
                targets.add(j.id());
            }
        } else {
            targets.addAll(ids);
        }
        if (p.has("interactive")) {
            if (!confirm(io, targets, tasks)) return 0;
        }
        if (targets.isEmpty() && tasks.isEmpty()) return 0;
        if (p.has("verbose")) {
            // said before asking, as Slurm's scancel says it for each job it is about to cancel
            String kind = p.has("full") ? "full " : p.has("batch") ? "batch " : "";
            String what = signalling ? "Signal " + signal + " to " : "Terminating ";
            for (long id : targets) io.err().println("scancel: " + what + kind + "job " + id);
            tasks.forEach((array, indices) ->
                    indices.forEach(i -> io.err().println("scancel: " + what + kind + "job " + array + "_" + i)));
        }
        Outcomes resp = io.gateway()
                .ask(
                        signalling
                                ? new Signal(List.copyOf(targets), tasks, signal, scope(p))
                                : new Cancel(List.copyOf(targets), tasks));
        int rc = 0;
        for (Outcome r : resp.outcomes()) {
            String error = r.error();
            if (error == null) continue;
            // Slurm's scancel forgives an ended or unknown job only when the signal is KILL
            if (r.always() || signalling) rc = 1;
            if ((r.always() || p.has("verbose")) && !p.has("quiet")) {
                io.err().println("scancel: error: Kill job error on job id " + r.id() + ": " + error);
            }
        }
        return rc;
    }

    private static final int KILL = 9;

    /** Slurm 22.05's usage, word for word: Motley takes every option it names. */
    static final String USAGE = """
            Usage: scancel [-A account] [--batch] [--full] [--interactive] [-n job_name]
                           [-p partition] [-Q] [-q qos] [-R reservation] [-s signal | integer]
                           [-t PENDING | RUNNING | SUSPENDED] [--usage] [-u user_name]
                           [--hurry] [-V] [-v] [-w hosts...] [--wckey=wckey]
                           [job_id[_array_id][.step_id]]
            """;

    /** Which processes of a job a signal reaches: --full wins over -b, as in Slurm. */
    private static SignalScope scope(GetOpt.Parsed p) {
        if (p.has("full")) return SignalScope.FULL;
        return p.has("batch") ? SignalScope.BATCH : SignalScope.STEPS;
    }

    /** A signal other than KILL to one step is refused: Motley ends steps but does not signal them. */
    private static int refuseStepSignals(List<long[]> steps, GetOpt.Parsed p, Io io) {
        for (long[] s : steps) {
            if (!p.has("quiet"))
                io.err()
                        .println("scancel: error: Kill job error on job step id " + s[0] + "." + s[1]
                                + ": Motley cannot send a signal to one step yet; signal the job (scancel -s SIG "
                                + s[0]
                                + ")");
        }
        return steps.isEmpty() ? 0 : 1;
    }

    /** JOB.STEP operands: each step is cancelled on its own, as Slurm's scancel does. */
    private static int cancelSteps(List<long[]> steps, GetOpt.Parsed p, Io io) throws Exception {
        int rc = 0;
        for (long[] s : steps) {
            String id = s[0] + "." + s[1];
            if (p.has("verbose")) io.err().println("scancel: Terminating step " + id);
            try {
                io.gateway()
                        .ask(new io.motley.protocol.StepMessages.Cancel(s[0], (int) Math.min(s[1], Integer.MAX_VALUE)));
            } catch (io.motley.cli.client.AgentClient.RequestFailed e) {
                rc = 1;
                if (!p.has("quiet"))
                    io.err().println("scancel: error: Kill job error on job step id " + id + ": " + e.getMessage());
            }
        }
        return rc;
    }

    /**
     * -i: asks "Cancel job_id=ID name=NAME partition=P [y/n]? " for each job on standard input and
     * keeps in {@code targets} and {@code tasks} only those answered y; an id not in view is kept
     * (the controller answers for it). End of input answers no. Whether anything is left.
     */
    private static boolean confirm(Io io, List<Long> targets, Map<Long, List<Integer>> tasks) throws Exception {
        java.util.Map<Long, Job> known = new java.util.HashMap<>();
        for (Job j : Requests.jobs(io)) known.put(j.id(), j);
        java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(io.in(), java.nio.charset.StandardCharsets.UTF_8));
        List<Long> kept = new ArrayList<>();
        for (long id : targets) {
            Job j = known.get(id);
            if (j == null || ask(io, in, j.displayId(), j)) kept.add(id);
        }
        targets.clear();
        targets.addAll(kept);
        Map<Long, List<Integer>> keptTasks = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Integer>> e : tasks.entrySet()) {
            Job any = known.values().stream()
                    .filter(j -> j.array() != null && j.array().arrayJobId() == e.getKey())
                    .findFirst()
                    .orElse(null);
            for (int i : e.getValue()) {
                if (any == null || ask(io, in, e.getKey() + "_" + i, any))
                    keptTasks
                            .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(i);
            }
        }
        tasks.clear();
        tasks.putAll(keptTasks);
        return !targets.isEmpty() || !tasks.isEmpty();
    }

    private static boolean ask(Io io, java.io.BufferedReader in, String id, Job j) throws java.io.IOException {
        while (true) {
            io.out()
                    .print("Cancel job_id=" + id + " name=" + j.request().name() + " partition=" + j.partition()
                            + " [y/n]? ");
            io.out().flush();
            String line = in.readLine();
            if (line == null) return false;
            if (line.startsWith("y") || line.startsWith("Y")) return true;
            if (line.startsWith("n") || line.startsWith("N")) return false;
        }
    }
}
