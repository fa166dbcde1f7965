package io.motley.cli.command;

import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import io.motley.protocol.Message.Cancel;
import io.motley.protocol.Message.Outcome;
import io.motley.protocol.Message.Outcomes;
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
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('u', "user"),
            OptionSpec.flag('\0', "me"),
            OptionSpec.value('n', "name"),
            OptionSpec.value('t', "state"),
            OptionSpec.value('p', "partition"),
            OptionSpec.value('w', "nodelist"),
            OptionSpec.value('s', "signal"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('Q', "quiet"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("scancel", OPTIONS, false).parse(args);
        if (p.has("help") || p.has("usage")) {
            io.out()
                    .println(
                            "Usage: scancel [-u USER] [--me] [-n NAME] [-t STATE] [-p PARTITION] [-w NODES] [-v] [-Q] [job_id...]\n"
                                    + "Signals other than the default (-s) are not supported by Motley yet.");
            return 0;
        }
        if (p.has("version")) {
            io.out().println(Version.TEXT);
            return 0;
        }
        if (p.has("signal")) throw new UsageException("error: --signal is not supported by Motley yet", 1, false);
        Set<Long> ids = new LinkedHashSet<>();
        Map<Long, List<Integer>> tasks = new LinkedHashMap<>();
        for (String operand : p.operands()) {
            // 12, 12_7 and 12_[1-3,5] (commas inside brackets belong to the task list)
            for (String t : operand.split(",(?![^\\[]*\\])")) {
                if (t.isBlank()) continue;
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
                || p.has("nodelist");
        if (ids.isEmpty() && tasks.isEmpty() && !filtered)
            throw new UsageException("error: No job identification provided", 1, false);

        List<Long> targets = new ArrayList<>();
        if (filtered) {
            Set<String> users = new LinkedHashSet<>();
            users.addAll(p.list("user"));
            if (p.has("me")) users.add(io.userName());
            EnumSet<JobState> states = p.has("state")
                    ? Squeue.parseStates(p.last("state"))
                    : EnumSet.of(JobState.PENDING, JobState.RUNNING);
            Set<String> names = p.list("name");
            Set<String> parts = p.list("partition");
            Set<String> nodes = p.has("nodelist") ? new LinkedHashSet<>(Hostlist.expand(p.last("nodelist"))) : Set.of();
            for (Job j : Requests.jobs(io)) {
                if (j.state().isTerminal() || !states.contains(j.state())) continue;
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
        if (targets.isEmpty() && tasks.isEmpty()) return 0;
        Outcomes resp = io.gateway().ask(new Cancel(List.copyOf(targets), tasks));
        int rc = 0;
        for (Outcome r : resp.outcomes()) {
            String error = r.error();
            if (error == null) {
                if (p.has("verbose")) io.err().println("scancel: Terminating job " + r.id());
                continue;
            }
            if (r.always()) rc = 1;
            if ((r.always() || p.has("verbose")) && !p.has("quiet")) {
                io.err().println("scancel: error: Kill job error on job id " + r.id() + ": " + error);
            }
        }
        return rc;
    }
}
