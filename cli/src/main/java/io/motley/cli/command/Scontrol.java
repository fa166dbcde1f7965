package io.motley.cli.command;

import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.cli.client.AgentClient.RequestFailed;
import io.motley.cli.format.JobText;
import io.motley.core.cluster.Gpu;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.config.ConfigListing;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobRequest;
import io.motley.core.job.JobState;
import io.motley.core.job.JobUpdate;
import io.motley.core.job.MailType;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.PendingReason;
import io.motley.core.job.TimeLimit;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.size.MemorySize;
import io.motley.core.step.Step;
import io.motley.core.time.Durations;
import io.motley.protocol.Message;
import io.motley.protocol.Message.Hold;
import io.motley.protocol.Message.NodeError;
import io.motley.protocol.Message.NodeErrors;
import io.motley.protocol.Message.Outcome;
import io.motley.protocol.Message.Outcomes;
import io.motley.protocol.Message.Ping;
import io.motley.protocol.Message.Pong;
import io.motley.protocol.Message.Release;
import io.motley.protocol.Message.Request;
import io.motley.protocol.Message.Requeue;
import io.motley.protocol.Message.RequeueHold;
import io.motley.protocol.Message.Top;
import io.motley.protocol.Message.UpdateJob;
import io.motley.protocol.Message.UpdateNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * scontrol: shows jobs, nodes and partitions in Slurm's Key=Value records, holds and
 * releases pending jobs, and requeues running or finished ones. Without a command it reads
 * commands from standard input, one a line.
 */
public final class Scontrol implements Command {
    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('a', "all"),
            OptionSpec.flag('d', "details"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "hide"),
            OptionSpec.flag('o', "oneliner"),
            OptionSpec.flag('Q', "quiet"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("scontrol", OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        Session s = new Session(io, p.has("oneliner"), p.has("quiet"), p.has("details"));
        if (!p.operands().isEmpty()) return s.command(p.operands());
        // no command on the line: read them from stdin, as scontrol's interactive mode does, with its prompt before
        // each (readline's, printed whether or not stdin is a terminal) and a newline at the end of the input
        int rc = 0;
        BufferedReader in = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        while (true) {
            io.out().print("scontrol: ");
            io.out().flush();
            String line = in.readLine();
            if (line == null) {
                io.out().println();
                break;
            }
            List<String> words = List.of(line.trim().split("\\s+"));
            if (line.isBlank()) continue;
            String first = words.get(0).toLowerCase(Locale.ROOT);
            if (first.equals("quit") || first.equals("exit")) break;
            rc = Math.max(rc, s.command(words));
        }
        return rc;
    }

    /** One invocation's settings and the commands it runs. */
    private record Session(Io io, boolean oneLiner, boolean quiet, boolean details) {
        int command(List<String> words) throws Exception {
            String tag = words.get(0);
            String t = tag.toLowerCase(Locale.ROOT);
            List<String> rest = words.subList(1, words.size());
            if (abbrev(t, "show", 3)) {
                if (rest.isEmpty()) return error("too few arguments for keyword:" + tag);
                String entity = rest.get(0).toLowerCase(Locale.ROOT);
                String name = rest.size() > 1 ? rest.get(1) : null;
                if (abbrev(entity, "config", 1)) return showConfig();
                if (abbrev(entity, "daemons", 1)) {
                    if (name != null) return quiet ? 1 : error("too many arguments for keyword:" + tag);
                    return showDaemons();
                }
                // Slurm's minimum abbreviations: hostn(ames), hostl(ist), hostlists(orted)
                if (entity.length() >= 9 && "hostlistsorted".startsWith(entity)) return hostlist(name, true);
                if (entity.length() >= 5 && "hostnames".startsWith(entity)) return hostnames(name);
                if (entity.length() >= 5 && "hostlist".startsWith(entity)) return hostlist(name, false);
                // Slurm takes "jobid" for "jobs" too (scontrol show jobid -dd N, as workflow tools send it)
                if (abbrev(entity, "jobs", 1) || abbrev(entity, "jobid", 4)) return showJobs(name);
                if (abbrev(entity, "nodes", 1)) return showNodes(name);
                if (abbrev(entity, "partitions", 1)) return showPartitions(name);
                if (abbrev(entity, "steps", 2)) return StepListing.scontrol(io, name);
                // what Slurm answers where none of these is configured: Motley has none of them
                if (abbrev(entity, "reservations", 3)) return say("No reservations in the system");
                if (abbrev(entity, "licenses", 2)) return say("No licenses configured in Slurm.");
                if (abbrev(entity, "frontends", 1)) return say("No nodes in the system");
                if (abbrev(entity, "topology", 1)) {
                    io.err().println("scontrol: error: No topology information available");
                    return 0;
                }
                return error("invalid entity:" + rest.get(0) + " for keyword:" + tag + " ");
            }
            // Slurm's minimum abbreviations: su(spend), res(ume); errors read "<reason> for job <id>"
            if (abbrev(t, "suspend", 2)) return hold(tag, rest, ids -> new Message.Suspend(ids, false));
            if (abbrev(t, "resume", 3)) return hold(tag, rest, ids -> new Message.Suspend(ids, true));
            if (t.equals("hold")) return holdFamily(tag, rest, Hold::new);
            // uhold (holdu): a hold its owner may release, whoever sets it (JobHeldUser)
            if (t.equals("holdu") || t.equals("uhold"))
                return holdFamily(tag, rest, (ids, tasks) -> new Hold(ids, tasks, true));
            if (abbrev(t, "release", 3)) return holdFamily(tag, rest, Release::new);
            // Slurm's errors come back as "<reason> for job <id>", the same shape as hold's
            if (abbrev(t, "requeuehold", 8)) return hold(tag, rest, RequeueHold::new);
            if (abbrev(t, "requeue", 3)) return hold(tag, rest, Requeue::new);
            if (abbrev(t, "update", 1)) return update(tag, rest);
            if (t.equals("top")) return top(tag, rest);
            if (t.length() >= 5 && "write".startsWith(t)) return write(tag, rest);
            if (t.equals("ping")) return ping();
            if (abbrev(t, "notify", 3)) return notify(tag, rest);
            if (abbrev(t, "listpids", 5)) return listPids(tag, rest);
            if (abbrev(t, "token", 3)) return token(rest);
            if (abbrev(t, "version", 4)) {
                io.out().println(Version.TEXT);
                return 0;
            }
            if (t.equals("help")) {
                io.out().println(HELP);
                return 0;
            }
            return error("invalid keyword: " + tag);
        }

        /**
         * update NodeName=LIST State=DRAIN|DOWN|RESUME|UNDRAIN [Reason=TEXT...] (the operator's node
         * commands), or update JobId=LIST KEY=VALUE... on pending jobs.
         */
        private int update(String tag, List<String> rest) throws Exception {
            if (rest.isEmpty()) return error("too few arguments for keyword:" + tag);
            String nodes = null;
            String jobs = null;
            String state = null;
            String partition = null;
            StringBuilder reason = null;
            Map<String, String> changes = new LinkedHashMap<>();
            for (String w : rest) {
                int eq = w.indexOf('=');
                String key =
                        eq < 0 ? w.toLowerCase(Locale.ROOT) : w.substring(0, eq).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : w.substring(eq + 1);
                if (reason != null && eq < 0) {
                    // Reason="disk full" arrives split into words by the shell-less word split
                    reason.append(' ').append(w);
                    continue;
                }
                // KEY+=N and KEY-=N, Slurm's other way to write TimeLimit=+N
                String sign = null;
                if (eq > 1 && (key.endsWith("+") || key.endsWith("-"))) {
                    sign = key.substring(key.length() - 1);
                    key = key.substring(0, key.length() - 1);
                }
                String jobKey = jobKey(key, eq >= 0);
                if (jobKey != null) {
                    if (sign != null && !jobKey.equals("TimeLimit")) {
                        return error(
                                "scontrol: error: Option " + w.substring(0, eq - 1) + " does not accept [+|-]= syntax");
                    }
                    String checked = jobValue(jobKey, sign, value, jobs);
                    if (checked == null) return 1;
                    changes.put(jobKey, checked);
                    continue;
                }
                if (sign != null) key = key + sign;
                switch (key) {
                    case "nodename", "node" -> nodes = value;
                    case "jobid", "job" -> jobs = value;
                    case "state" -> state = value;
                    case "reason" -> reason = new StringBuilder(value);
                    default -> {
                        if (eq < 0) return error("Update of this parameter is not supported: " + w);
                        // PartitionName= (Slurm takes "par" and longer) names a partition unless JobId= is given
                        if (key.length() >= 3 && "partitionname".startsWith(key)) partition = value;
                        changes.put(w.substring(0, eq), value);
                    }
                }
            }
            // JobName= (or Name=) without JobId= names the jobs to update, as Slurm's scontrol reads it
            String byName = jobs == null && nodes == null ? nameSelector(changes) : null;
            if (jobs != null || byName != null) {
                for (Map.Entry<String, String> c : changes.entrySet()) {
                    if (c.getKey().equalsIgnoreCase("licenses") && jobs != null) {
                        // Motley has no licenses: any is one no job can hold, as slurmctld says of an unknown one
                        for (String id : jobs.split(","))
                            io.err().println("Invalid license specification for job " + id);
                        return 1;
                    }
                    if (!JobUpdate.supports(c.getKey())) {
                        io.err()
                                .println("Update of this parameter is not supported: " + c.getKey() + "="
                                        + c.getValue());
                        io.err().println("Request aborted");
                        return 1;
                    }
                }
                if (jobs != null) return updateJobs(jobs, changes);
                // an array's records are reached once, through the array's id, which reaches all of them
                java.util.Set<Long> named = new java.util.LinkedHashSet<>();
                for (Job j : Requests.jobs(io)) {
                    if (byName.equals(j.request().name()))
                        named.add(j.array() == null ? j.id() : j.array().arrayJobId());
                }
                if (named.isEmpty()) return error("scontrol: error: No jobs with name '" + byName + "'");
                return update(new Targets(List.copyOf(named), Map.of()), changes);
            }
            if (nodes == null && partition != null) return updatePartition(partition, rest);
            if (nodes == null) {
                io.err().println("No valid entity in update command");
                io.err()
                        .println("Input line must include \"NodeName\", \"PartitionName\", \"Reservation\", "
                                + "\"JobId\", or \"SlurmctldDebug\"");
                return 1;
            }
            String why = reason == null ? null : reason.toString().replaceAll("^\"|\"$", "");
            return updateNodes(nodes, state, why, changes);
        }

        /**
         * update NodeName=LIST [State=WORD] [Reason=TEXT]: checked as Slurm's scontrol checks it
         * before it asks (its state words, abbreviated to three letters or more, and its messages),
         * then sent. A lone Reason= changes the reason and leaves the state.
         */
        private int updateNodes(String nodes, String state, String reason, Map<String, String> others)
                throws Exception {
            Integer weight = null;
            for (Map.Entry<String, String> c : others.entrySet()) {
                // a prefix of at least one letter, as Slurm's scontrol compares: "=5" names nothing
                if (!c.getKey().isEmpty() && "weight".startsWith(c.getKey().toLowerCase(Locale.ROOT))) {
                    weight = nodeWeight(c.getValue());
                    if (weight == null) break; // as Slurm's scontrol: the words after it are not read
                    continue;
                }
                io.err().println("Update of this parameter is not supported: " + c.getKey() + "=" + c.getValue());
                io.err().println("Request aborted");
                return 1;
            }
            String word = state == null ? "" : nodeStateWord(state);
            if (word == null) {
                io.err().println("Invalid input: State=" + state);
                io.err().println("Request aborted");
                io.err().println("Valid states are: NoResp DRAIN FAIL FUTURE RESUME POWER_DOWN POWER_UP UNDRAIN");
                io.err().println("Not all states are valid given a node's prior state");
                return 1;
            }
            if (List.of("DOWN", "DRAIN", "FAIL").contains(word) && (reason == null || reason.isEmpty())) {
                return error("You must specify a reason when DOWNING or DRAINING a node. Request denied");
            }
            if (word.isEmpty() && reason == null && weight == null) return error("No changes specified");
            List<String> names = Hostlist.expand(nodes);
            NodeErrors resp = io.gateway().ask(new UpdateNode(names, word, reason, weight));
            int rc = 0;
            for (NodeError e : resp.errors()) {
                // one node named: Slurm's line alone; several: which of them it was about
                io.err()
                        .println("slurm_update error: " + e.error()
                                + (names.size() == 1 ? "" : " (node " + e.node() + ")"));
                rc = 1;
            }
            return rc;
        }

        /**
         * A node Weight= as Slurm's scontrol reads it (strtoul: decimal, 0x hex or 0 octal, a K
         * suffix for 1024, UNLIMITED or INFINITE for the most), or null after its error line.
         */
        private Integer nodeWeight(String value) {
            String v = value.strip();
            if (v.equalsIgnoreCase("UNLIMITED") || v.equalsIgnoreCase("INFINITE")) return Integer.MAX_VALUE;
            if (v.startsWith("-")) {
                io.err().println("scontrol: error: Weight value (" + value + ") is less than zero");
                return null;
            }
            long n;
            try {
                boolean kilo = v.endsWith("k") || v.endsWith("K");
                String digits = kilo ? v.substring(0, v.length() - 1) : v;
                n = digits.isEmpty() ? 0 : Long.decode(digits.startsWith("+") ? digits.substring(1) : digits);
                if (kilo) n *= 1024;
            } catch (NumberFormatException e) {
                io.err().println("scontrol: error: Weight value (" + value + ") is not a valid number");
                return null;
            }
            if (n > 0xfffffff0L) {
                io.err().println("scontrol: error: Weight value (" + value + ") is greater than " + 0xfffffff0L);
                return null;
            }
            return (int) Math.min(n, Integer.MAX_VALUE);
        }

        /**
         * Slurm's name for a node State= word as its scontrol reads it (a prefix of three letters or
         * more of NoResp, CANCEL_REBOOT, DRAIN, FAIL, FUTURE, RESUME, POWER_DOWN..., UNDRAIN, or of a
         * base state: UNKNOWN, DOWN, IDLE, ALLOCATED, ERROR, MIXED); null for any other word.
         */
        static String nodeStateWord(String value) {
            String v = value.toUpperCase(Locale.ROOT);
            for (String[] w : NODE_STATE_WORDS) {
                if (v.length() >= Integer.parseInt(w[1]) && w[0].startsWith(v)) return w[0];
            }
            return null;
        }

        /** scontrol's State= words in the order it tries them, with how many letters each needs at least. */
        private static final String[][] NODE_STATE_WORDS = {
            {"NORESP", "3"},
            {"CANCEL_REBOOT", "3"},
            {"DRAIN", "3"},
            {"FAIL", "3"},
            {"FUTURE", "3"},
            {"RESUME", "3"},
            {"POWER_DOWN_ASAP", "12"},
            {"POWER_DOWN_FORCE", "12"},
            {"POWER_DOWN", "7"},
            {"POWER_UP", "7"},
            {"UNDRAIN", "3"},
            {"UNKNOWN", "3"},
            {"DOWN", "3"},
            {"IDLE", "3"},
            {"ALLOCATED", "3"},
            {"ERROR", "3"},
            {"MIXED", "3"}
        };

        /**
         * The job keys scontrol reads here with Slurm's checks, as Slurm abbreviates them (TimeL,
         * Pr, Ni, MailT, MailU, ArrayTaskT and longer), by their full name; null for any other key.
         * A bare {@code Nice} (no value) is one of them.
         */
        private static String jobKey(String key, boolean valued) {
            if (!valued) return key.length() >= 2 && "nice".startsWith(key) ? "Nice" : null;
            for (String[] k : JOB_KEYS) {
                if (key.length() >= Integer.parseInt(k[1])
                        && k[0].toLowerCase(Locale.ROOT).startsWith(key))
                    return k[0].equals("Shared") ? "OverSubscribe" : k[0];
            }
            return null;
        }

        /** Each job key read by {@link #jobKey} and the shortest abbreviation Slurm's scontrol takes for it. */
        private static final String[][] JOB_KEYS = {
            {"TimeLimit", "5"},
            {"Priority", "2"},
            {"Nice", "2"},
            {"MailType", "5"},
            {"MailUser", "5"},
            {"ArrayTaskThrottle", "10"},
            {"OverSubscribe", "2"},
            {"Shared", "2"},
            {"Contiguous", "3"},
            {"Reboot", "3"}
        };

        /**
         * The value sent for {@code key}, checked as Slurm's scontrol checks it before it asks (its
         * words, exit 1); null when refused. TimeLimit's {@code +N}/{@code -N} (or {@code sign}) moves
         * the job's current limit; Nice reads as strtoll does, a bare Nice being 100.
         */
        private String jobValue(String key, String sign, String value, String jobs) throws Exception {
            switch (key) {
                case "OverSubscribe", "Contiguous", "Reboot" -> {
                    try {
                        return JobUpdate.flag(value) ? "1" : "0";
                    } catch (IllegalArgumentException e) {
                        io.err()
                                .println("scontrol: error: Invalid " + (key.equals("Reboot") ? "reboot" : key)
                                        + " value: " + value);
                        return null;
                    }
                }
                case "TimeLimit" -> {
                    if (sign != null && (value.startsWith("+") || value.startsWith("-"))) {
                        io.err().println("scontrol: error: Invalid syntax, variations of +=- are not accepted.");
                        return null;
                    }
                    String moved = sign != null ? sign + value : value;
                    String plain = moved.startsWith("+") || moved.startsWith("-") ? moved.substring(1) : moved;
                    long seconds;
                    try {
                        seconds = Durations.parseTimeLimit(plain);
                    } catch (IllegalArgumentException e) {
                        io.err().println("scontrol: error: Invalid TimeLimit value");
                        return null;
                    }
                    if (!moved.equals(plain)) {
                        // moved against the job's current limit, as Slurm's scontrol computes it before asking
                        if (jobs == null) {
                            io.err().println("scontrol: error: JobId must precede TimeLimit increment or decrement");
                            return null;
                        }
                        return moveLimit(jobs, moved);
                    }
                    // whole minutes, rounded up, as Slurm's scontrol sends a limit (and sbatch -t keeps one)
                    return seconds == Durations.UNLIMITED ? value : Durations.formatFixed(Sbatch.wholeMinutes(seconds));
                }
                case "Priority" -> {
                    try {
                        long p = Long.parseLong(value);
                        if (p >= 0 && p < 0xFFFF_FFFFL) return value;
                    } catch (NumberFormatException e) {
                        // said below
                    }
                    io.err().println("scontrol: error: Invalid Priority value: " + value);
                    return null;
                }
                case "Nice" -> {
                    if (value.isEmpty() && sign == null) return "100";
                    long nice = leadingNumber(value);
                    if (Math.abs(nice) > NICE_RANGE) {
                        io.err()
                                .println("scontrol: error: Nice value out of range (+/- " + NICE_RANGE
                                        + "). Value ignored");
                        return null;
                    }
                    return Long.toString(nice);
                }
                case "ArrayTaskThrottle" -> {
                    if (leadingNumber(value) < 0) {
                        io.err().println("scontrol: error: Invalid ArrayTaskThrottle value");
                        return null;
                    }
                    return value;
                }
                case "MailType" -> {
                    try {
                        return MailType.canonical(value);
                    } catch (IllegalArgumentException e) {
                        io.err().println("Invalid MailType: " + value);
                        return null;
                    }
                }
                default -> {
                    return value;
                }
            }
        }

        /** Slurm's nice range: NICE_OFFSET less 3 either way. */
        private static final long NICE_RANGE = 2_147_483_645L;

        /** The number C's strtoll reads at the start of {@code s} (0 when there is none; clamped as it clamps). */
        private static long leadingNumber(String s) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("^\\s*([-+]?\\d+)").matcher(s);
            if (!m.find()) return 0;
            try {
                return Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                return m.group(1).startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        }

        /**
         * update PartitionName=P State=UP|DOWN|DRAIN|INACTIVE MaxTime=T DefaultTime=T (root): Slurm's
         * words and exit codes; these (abbreviated as Slurm allows) are what Motley changes at run time.
         */
        private int updatePartition(String name, List<String> words) throws Exception {
            PartitionState newState = null;
            Long maxTime = null;
            Long defaultTime = null;
            int changes = 0;
            for (String w : words) {
                int eq = w.indexOf('=');
                if (eq < 0) return error("scontrol: error: Update of this parameter is not supported: " + w);
                String key = w.substring(0, eq).toLowerCase(Locale.ROOT);
                String value = w.substring(eq + 1).toLowerCase(Locale.ROOT);
                if (key.length() >= 3 && "partitionname".startsWith(key)) continue;
                boolean max = key.length() >= 4 && "maxtime".startsWith(key);
                if (max || (key.length() >= 8 && "defaulttime".startsWith(key))) {
                    Long seconds = partitionTime(value);
                    if (seconds == null) return error("scontrol: error: Invalid input " + w);
                    if (max) maxTime = seconds;
                    else defaultTime = seconds;
                    changes++;
                    continue;
                }
                if (key.length() >= 2 && "state".startsWith(key)) {
                    newState = partitionState(value);
                    if (newState == null) {
                        io.err().println("scontrol: error: Invalid input: " + w);
                        io.err().println("scontrol: error: Acceptable State values are UP, DOWN, DRAIN and INACTIVE");
                        // Slurm's scontrol goes on to report the failed update, with no error number set
                        io.err().println("slurm_update error: No error");
                        return 1;
                    }
                    changes++;
                    continue;
                }
                return error("scontrol: error: Update of this parameter is not supported: " + w);
            }
            if (changes == 0) return error("scontrol: error: No changes specified");
            Message.Updated answer =
                    io.gateway().ask(new Message.UpdatePartition(name, newState, maxTime, defaultTime));
            if (answer.error() == null) return 0;
            return error("slurm_update error: " + answer.error());
        }

        /**
         * A partition MaxTime= or DefaultTime= as Slurm's time_str2mins reads it: whole minutes
         * (seconds rounded up), in seconds here; -1 for INFINITE or UNLIMITED; null when unreadable.
         */
        private static Long partitionTime(String value) {
            if (value.equals("infinite") || value.equals("unlimited")) return Durations.UNLIMITED;
            try {
                long seconds = Durations.parseTimeLimit(value);
                if (seconds < 0) return Durations.UNLIMITED;
                return (seconds + 59) / 60 * 60;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** Slurm's State= values, each abbreviable to its first letter; null when none matches. */
        private static PartitionState partitionState(String value) {
            if (value.isEmpty()) return null;
            for (PartitionState s :
                    List.of(PartitionState.INACTIVE, PartitionState.DOWN, PartitionState.UP, PartitionState.DRAIN)) {
                if (s.name().toLowerCase(Locale.ROOT).startsWith(value)) return s;
            }
            return null;
        }

        private int updateJobs(String jobs, Map<String, String> changes) throws Exception {
            if (changes.isEmpty()) return error("No changes specified");
            Targets targets = targets(List.of(jobs));
            if (targets == null) return 1;
            return update(targets, changes);
        }

        /**
         * Asks for {@code changes} to the jobs and array tasks {@code targets} name; each refusal said, as Slurm's
         * scontrol says it: "<reason> for job <id>" for a job named by its id, per task set for those reached
         * through their array ({@link #arrayReplies}).
         */
        private int update(Targets targets, Map<String, String> changes) throws Exception {
            Outcomes resp = io.gateway().ask(new UpdateJob(targets.ids(), targets.tasks(), changes));
            int rc = 0;
            for (Outcome o : resp.outcomes()) {
                if (o.tasks() != null || o.error() == null) continue;
                if (!quiet) io.err().println(o.error() + " for job " + o.id());
                rc = 1;
            }
            return Math.max(rc, arrayReplies(resp.outcomes(), false));
        }

        /** Job ids, and array tasks named ARRAY_INDEX by array id, as a command on jobs names them. */
        private record Targets(List<Long> ids, Map<Long, List<Integer>> tasks) {}

        /**
         * The jobs and array tasks {@code words} name (JobId= prefixes and commas allowed), for the commands the
         * controller answers task by task (hold, release, update); null, said, when one is no id.
         */
        private Targets targets(List<String> words) {
            List<Long> ids = new ArrayList<>();
            Map<Long, List<Integer>> tasks = new LinkedHashMap<>();
            for (String word : words) {
                for (String t : stripPrefix(word).split(",")) {
                    if (t.isBlank()) continue;
                    java.util.regex.Matcher task = ARRAY_TASK.matcher(t);
                    if (task.matches()) {
                        tasks.computeIfAbsent(Long.parseLong(task.group(1)), k -> new ArrayList<>())
                                .add(Integer.parseInt(task.group(2)));
                    } else if (!t.chars().allMatch(Character::isDigit) || t.length() > 18) {
                        if (!quiet) io.err().println("Invalid job id specified for job " + t);
                        return null;
                    } else {
                        ids.add(Long.parseLong(t));
                    }
                }
            }
            return new Targets(ids, tasks);
        }

        /**
         * Prints the answers of the jobs reached through their array as Slurm's scontrol prints a per-task reply:
         * for each array, one line {@code ARRAY_TASKS: error} for each error, tasks folded, lowest first, and
         * {@code ARRAY_TASKS: Success} as well once there is more than one line; nothing when all succeeded.
         * {@code heldRunning}: a hold or release, which Slurm's takes on a task that has started. Returns 1 when a
         * line was printed.
         */
        private int arrayReplies(List<Outcome> outcomes, boolean heldRunning) {
            Map<Long, Map<String, java.util.TreeSet<Integer>>> byArray = new LinkedHashMap<>();
            for (Outcome o : outcomes) {
                if (o.tasks() == null) continue;
                String err = o.error();
                if (heldRunning && "Job is no longer pending execution".equals(err)) err = null;
                byArray.computeIfAbsent(o.id(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(err == null ? "Success" : err, k -> new java.util.TreeSet<>())
                        .addAll(ArraySpec.unfold(o.tasks()));
            }
            int rc = 0;
            for (Map.Entry<Long, Map<String, java.util.TreeSet<Integer>>> array : byArray.entrySet()) {
                Map<String, java.util.TreeSet<Integer>> replies = array.getValue();
                if (replies.size() == 1 && replies.containsKey("Success")) continue;
                rc = 1;
                if (quiet) continue;
                replies.entrySet().stream()
                        .sorted(Comparator.comparing(e -> e.getValue().first()))
                        .forEach(e -> io.err()
                                .println(array.getKey() + "_" + ArraySpec.fold(e.getValue()) + ": " + e.getKey()));
            }
            return rc;
        }

        /** The name a JobName= (4 letters or more) or Name= (2 or more) of an update gives, or null. */
        private static String nameSelector(Map<String, String> changes) {
            for (Map.Entry<String, String> c : changes.entrySet()) {
                String k = c.getKey().toLowerCase(Locale.ROOT);
                if ((k.length() >= 4 && "jobname".startsWith(k)) || (k.length() >= 2 && "name".startsWith(k)))
                    return c.getValue();
            }
            return null;
        }

        /**
         * TimeLimit=+N or -N (minutes, or Slurm's time format) against job {@code ids}' current limit,
         * as an absolute number of minutes; null, said as Slurm says it, when it cannot be done.
         */
        private String moveLimit(String ids, String value) throws Exception {
            long delta;
            try {
                delta = Sbatch.wholeMinutes(Durations.parseTimeLimit(value.substring(1)));
            } catch (IllegalArgumentException e) {
                io.err().println("scontrol: error: Invalid TimeLimit value");
                return null;
            }
            long id;
            try {
                id = Long.parseLong(stripPrefix(ids));
            } catch (NumberFormatException e) {
                io.err().println("scontrol: error: Invalid job ID " + ids);
                return null;
            }
            List<Job> found = Requests.job(io, id);
            if (found.isEmpty()) {
                io.err().println("scontrol: error: Job ID " + ids + " not found");
                return null;
            }
            long current = limitSeconds(found.get(0));
            // a job without a limit has none to move; Slurm's scontrol fails here without a word
            if (current < 0 || delta < 0) return null;
            if (value.startsWith("+")) return Durations.formatFixed(current + delta);
            if (delta > current) {
                io.err()
                        .println("scontrol: error: TimeLimit decrement larger than current time limit ("
                                + (delta + 59) / 60 + " > " + (current + 59) / 60 + ")");
                return null;
            }
            return Durations.formatFixed(current - delta);
        }

        /**
         * write batch_script ID [FILE|-]: the job's script into FILE (slurm-ID.sh by default) or to
         * standard output, as Slurm's scontrol writes it.
         */
        private int write(String tag, List<String> rest) throws Exception {
            if (rest.isEmpty()) return error("too few arguments for keyword:" + tag);
            String what = rest.get(0).toLowerCase(Locale.ROOT);
            if (!(what.length() >= 5 && "batch_script".startsWith(what)))
                return error("invalid write argument:" + rest.get(0));
            if (rest.size() > 3) return error("too many arguments for keyword:" + tag);
            if (rest.size() < 2) return error("too few arguments for keyword:" + tag);
            // Slurm reads the id with atoll: "12abc" is 12, "abc" is 0 (an invalid id)
            String digits = rest.get(1).replaceFirst("^(\\d{0,18}).*$", "$1");
            long id = digits.isEmpty() ? 0 : Long.parseLong(digits);
            String file = rest.size() > 2 ? rest.get(2) : "slurm-" + id + ".sh";
            String script;
            try {
                script = io.gateway().ask(new Message.BatchScript(id)).text();
            } catch (RequestFailed e) {
                // Slurm's scontrol says so and still exits 0 (its failure goes into a local exit code)
                io.err().println("job script retrieval failed: " + e.getMessage());
                return 0;
            }
            if (file.equals("-")) {
                io.out().print(script);
                return 0;
            }
            java.nio.file.Path path = java.nio.file.Path.of(io.cwd()).resolve(file);
            try {
                io.files().write(path, script.getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                return error("failed to open file `" + file + "`: " + ioReason(e));
            }
            if (!quiet) io.out().println("batch script for job " + id + " written to " + file);
            return 0;
        }

        /**
         * token [lifespan=SECONDS] [username=NAME]: a JWT for the REST API, printed as
         * {@code SLURM_JWT=...}; only root may name another user.
         */
        private int token(List<String> rest) throws Exception {
            String user = null;
            long lifespan = 0;
            for (String w : rest) {
                int eq = w.indexOf('=');
                String key = (eq < 0 ? w : w.substring(0, eq)).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : w.substring(eq + 1);
                if (key.equals("lifespan")) {
                    if (!value.matches("\\d{1,9}") || Long.parseLong(value) == 0)
                        return error("Invalid lifespan value: " + value);
                    lifespan = Long.parseLong(value);
                } else if (key.equals("username")) {
                    if (value.isEmpty()) return error("Invalid username value");
                    user = value;
                } else return error("Invalid parameter: " + w);
            }
            try {
                io.out()
                        .println("SLURM_JWT="
                                + io.gateway()
                                        .ask(new Message.TokenRequest(user, lifespan))
                                        .jwt());
                return 0;
            } catch (RequestFailed e) {
                return error("Unable to fetch token: " + e.getMessage());
            }
        }

        /** An I/O failure in strerror's words, as %m prints it. */
        private static String ioReason(java.io.IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
            if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
            if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
            return String.valueOf(e.getMessage());
        }

        /** top ID[,ID...]: ahead of the same user's other pending jobs. */
        private int top(String tag, List<String> rest) throws Exception {
            if (rest.isEmpty()) return error("too few arguments for keyword:" + tag);
            // a task still pending in its array's record is that record, as slurmctld's find_job_array_rec finds it
            List<Long> ids = jobIds(rest, null, true);
            if (ids == null) return 1;
            Outcomes resp = io.gateway().ask(new Top(ids));
            int rc = 0;
            for (Outcome o : resp.outcomes()) {
                io.err().println(o.error() + " for job " + o.id());
                rc = 1;
            }
            return rc;
        }

        /**
         * show config: Slurm's "Key = Value" listing of the settings Slurm also has, Motley's own
         * under a section of their own, then the ping line, as scontrol does.
         */
        private int showConfig() throws Exception {
            Message.ConfigInfo info = io.gateway().ask(new Message.ConfigQuery());
            io.out().print(configText(info, io));
            io.out().println();
            return ping();
        }

        /**
         * show hostnames LIST: one host a line; without LIST, the job's SLURM_NODELIST. Slurm's
         * scontrol says what is wrong with the list but exits 0 here, and so does this.
         */
        private int hostnames(String list) {
            String expr = list != null ? list : io.env().get("SLURM_NODELIST");
            if (expr == null) {
                io.err().println("scontrol: error: host list is empty");
                return 0;
            }
            List<String> hosts;
            try {
                hosts = Hostlist.expand(expr);
            } catch (IllegalArgumentException e) {
                io.err().println("Invalid hostlist: " + expr);
                return 0;
            }
            for (String h : hosts) io.out().println(h);
            return 0;
        }

        /**
         * show hostlist[sorted] LIST: the names as one hostlist expression, in their order (runs of
         * consecutive numbers joined) or sorted; LIST may be a file of names when it is an absolute path.
         */
        private int hostlist(String list, boolean sorted) {
            if (list == null) {
                io.err().println("invalid encode argument");
                return 1;
            }
            String expr = list;
            if (list.startsWith("/")) {
                try {
                    expr = StandardCharsets.UTF_8
                            .newDecoder()
                            .decode(java.nio.ByteBuffer.wrap(io.files().read(java.nio.file.Path.of(list))))
                            .toString()
                            .replace('\n', ',')
                            .replaceAll(",+", ",");
                } catch (java.io.IOException e) {
                    return error("Can not open " + list);
                }
            }
            List<String> hosts;
            try {
                hosts = Hostlist.expand(expr);
            } catch (IllegalArgumentException e) {
                return error("Invalid hostlist: " + expr);
            }
            io.out().println(sorted ? Hostlist.compress(hosts) : Hostlist.compressInOrder(hosts));
            return 0;
        }

        /**
         * ping: whether the controller answers, in Slurm's words, and (Motley's line) whether its
         * job database can take new jobs; exit 1 when either is not so.
         */
        private int ping() {
            Pong answer;
            try {
                answer = io.gateway().ask(new Ping(false));
            } catch (ClusterUnreachable | RequestFailed e) {
                io.out().println("Slurmctld(primary) at controller is DOWN");
                if (io.uid() == 0) {
                    // Slurm's banner for root when a controller is down
                    io.out().println("*****************************************");
                    io.out().println("** RESTORE SLURMCTLD DAEMON TO SERVICE **");
                    io.out().println("*****************************************");
                }
                if (!quiet) io.err().println(FreeText.escape(e.getMessage()));
                return 1;
            }
            io.out().println("Slurmctld(primary) at " + FreeText.escape(answer.host()) + " is UP");
            String db = answer.database();
            if (db.equals("ok")) return 0;
            io.out().println("Job database is UNUSABLE: " + FreeText.escape(db));
            return 1;
        }

        /**
         * show daemons: which of Slurm's daemons run on this host, in Slurm's words: slurmctld where
         * the controller answers from this host, slurmd where a local agent answers.
         */
        private int showDaemons() {
            boolean ctld;
            try {
                String host = io.gateway().ask(new Ping(false)).host();
                ctld = host != null && shortName(host).equals(shortName(io.hostname()));
            } catch (ClusterUnreachable | RequestFailed e) {
                ctld = false;
            }
            boolean d;
            try {
                io.gateway().ask(new Ping(true));
                d = true;
            } catch (ClusterUnreachable | RequestFailed e) {
                d = false;
            }
            String list = (ctld ? "slurmctld " : "") + (d ? "slurmd" : "");
            // Slurm prints its empty list through printf's %s of NULL
            io.out().println(list.isEmpty() ? "(null)" : list);
            return 0;
        }

        private static String shortName(String host) {
            int dot = host.indexOf('.');
            return dot < 0 ? host : host.substring(0, dot);
        }

        /**
         * notify JOB MESSAGE: Slurm's slurmstepd writes the message to its own log for a batch job; Motley
         * accepts it for a running job and answers Slurm's errors for the others.
         */
        private int notify(String tag, List<String> rest) throws Exception {
            if (rest.size() < 2) return error("too few arguments for keyword:" + tag);
            String digits = rest.get(0).replaceFirst("^(\\d{0,9}).*$", "$1");
            long id = digits.isEmpty() ? 0 : Long.parseLong(digits);
            if (id <= 0) return error("Invalid job_id " + rest.get(0));
            List<Job> found = Requests.job(io, id);
            String why;
            if (found.isEmpty()) why = "Invalid job id specified";
            else if (io.uid() != 0 && io.uid() != found.get(0).uid()) why = "Access/permission denied";
            else if (found.get(0).state().isTerminal()) why = "Job/step already completing or completed";
            else if (found.get(0).state() == JobState.PENDING) why = "Requested operation is presently disabled";
            else return 0;
            return error("job notify failure: " + why);
        }

        /**
         * listpids [JOB[.STEP]|*]: the processes of the jobs on this node, from the local agent, in
         * Slurm's columns; a step other than "batch" lists nothing (Motley lists a job's processes
         * under its batch step).
         */
        private int listPids(String tag, List<String> rest) throws Exception {
            if (rest.size() > 2) return error("too many arguments for keyword:" + tag);
            String arg = rest.isEmpty() ? null : rest.get(0);
            long job = 0;
            String step = null;
            if (arg != null && !arg.startsWith("*")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,18})(?:\\.(\\w+))?")
                        .matcher(arg);
                if (!m.matches() || Long.parseLong(m.group(1)) == 0)
                    return error("\"" + arg + "\" does not look like a jobid");
                job = Long.parseLong(m.group(1));
                step = m.group(2);
            }
            Message.PidList list = io.gateway().ask(new Message.ListPids(job));
            io.out()
                    .print(String.format(
                            "%-8s %-8s %-8s %-7s %-8s\n", "PID", "JOBID", "STEPID", "LOCALID", "GLOBALID"));
            final String wanted = step;
            List<Message.JobPid> shown = list.pids().stream()
                    .filter(p -> wanted == null || p.step().equals(wanted))
                    .toList();
            for (Message.JobPid p : shown) {
                io.out()
                        .print(
                                p.localId() >= 0
                                        ? String.format(
                                                "%-8d %-8d %-8s %-7d %-8d\n",
                                                p.pid(), p.jobId(), p.step(), p.localId(), p.globalId())
                                        : String.format(
                                                "%-8d %-8d %-8s %-7s %-8s\n", p.pid(), p.jobId(), p.step(), "-", "-"));
            }
            if (!shown.isEmpty()) return 0;
            if (job == 0) return error("No job steps exist on this node.");
            if (step != null)
                return error("StepId=" + job + "." + step + " does not exist on node " + list.node() + ".");
            return error("There are no steps for job " + job + " on node " + list.node() + ".");
        }

        private int error(String message) {
            io.err().println(message);
            return 1;
        }

        // ---- show job ----------------------------------------------------------------------

        private int showJobs(String idText) throws Exception {
            List<Job> jobs;
            Map<Long, Requests.ExpectedStart> expected = new HashMap<>();
            if (idText != null) {
                String text = stripPrefix(idText);
                int under = text.indexOf('_');
                long id;
                int task = -1;
                try {
                    id = Long.parseLong(under < 0 ? text : text.substring(0, under));
                    if (under >= 0) task = Integer.parseInt(text.substring(under + 1));
                } catch (NumberFormatException e) {
                    // not a job id at all: Slurm's scontrol says so before asking slurmctld
                    return error("scontrol_print_job error: Invalid job id specified");
                }
                jobs = under < 0 ? Requests.job(io, id, expected) : arrayTask(id, task, expected);
                if (jobs.isEmpty()) return error("slurm_load_jobs error: Invalid job id specified");
            } else {
                jobs = new ArrayList<>(Requests.jobs(io, expected));
                jobs.sort(Comparator.comparingLong(Job::id));
                if (jobs.isEmpty()) {
                    io.out().println("No jobs in the system");
                    return 0;
                }
            }
            long defMemPerCpu = needsDefaultMemory(jobs) ? defMemPerCpu() : 0;
            // -d's DerivedExitCode comes from the started jobs' srun steps
            Map<Long, List<Step>> steps = details
                    ? Requests.steps(
                            io,
                            jobs.stream()
                                    .filter(j -> j.startTime() > 0)
                                    .map(Job::id)
                                    .toList())
                    : Map.of();
            for (Job j : jobs) {
                List<String> record = jobRecord(j, io, expected.get(j.id()), defMemPerCpu);
                print(details ? withDetail(record, j, steps.getOrDefault(j.id(), List.of())) : record);
            }
            return 0;
        }

        /**
         * Task {@code task} of array {@code arrayId}: its own record once it has one, else the record
         * still holding it among the array's pending tasks (as slurmctld answers for A_T).
         */
        private List<Job> arrayTask(long arrayId, int task, Map<Long, Requests.ExpectedStart> expected)
                throws Exception {
            for (Job j : Requests.jobs(io, expected)) {
                ArrayPart a = j.array();
                if (a == null || a.arrayJobId() != arrayId) continue;
                if (a.taskId() == task) return List.of(j);
                // slurmctld shows a task still pending in the array's record as that one task
                if (a.holdsPending()
                        && !a.pending().isEmpty()
                        && ArraySpec.parse(a.pending()).indices().contains(task))
                    return List.of(j.withArray(new ArrayPart(arrayId, task, "")));
            }
            return List.of();
        }

        /** Whether a job shown has not started and named no memory: it shows DefMemPerCPU, as in Slurm. */
        private static boolean needsDefaultMemory(List<Job> jobs) {
            return jobs.stream()
                    .anyMatch(j -> j.allocMemMiB() <= 0
                            && !j.request().resources().memory().given());
        }

        /** The controller's DefMemPerCPU in MiB; 0 when it has none (or is too old to say). */
        private long defMemPerCpu() throws Exception {
            return Scontrol.defMemPerCpu(io);
        }

        // ---- show node ---------------------------------------------------------------------

        private int showNodes(String names) throws Exception {
            List<Node> nodes = Requests.nodes(io);
            List<Partition> partitions = Requests.partitions(io).partitions();
            if (names == null) {
                if (nodes.isEmpty()) {
                    io.out().println("No nodes in the system");
                    return 0;
                }
                for (Node n : nodes) print(nodeRecord(n, partitions, io));
                return 0;
            }
            int rc = 0;
            List<String> wanted;
            try {
                wanted = Hostlist.expand(names);
            } catch (IllegalArgumentException e) {
                wanted = List.of(names);
            }
            for (String name : wanted) {
                Node found = nodes.stream()
                        .filter(n -> n.name().equals(name))
                        .findFirst()
                        .orElse(null);
                if (found == null) {
                    // on stdout, as Slurm's scontrol prints it (as for a partition)
                    io.out().println("Node " + name + " not found");
                    rc = 1;
                } else {
                    print(nodeRecord(found, partitions, io));
                }
            }
            return rc;
        }

        // ---- show partition ----------------------------------------------------------------

        private int showPartitions(String name) throws Exception {
            List<Partition> partitions = Requests.partitions(io).partitions();
            List<Node> nodes = Requests.nodes(io);
            if (name == null && partitions.isEmpty()) {
                io.out().println("No partitions in the system");
                return 0;
            }
            boolean any = false;
            for (Partition part : partitions) {
                if (name != null && !part.name().equals(name)) continue;
                any = true;
                print(partitionRecord(part, nodes));
            }
            if (!any) {
                // on stdout, as Slurm's scontrol prints it
                if (!quiet) io.out().println("Partition " + name + " not found");
                return 1;
            }
            return 0;
        }

        // ---- hold / release ----------------------------------------------------------------

        private int say(String line) {
            io.out().println(line);
            return 0;
        }

        /**
         * hold, uhold and release, which Slurm's scontrol sends as job updates: a task still pending in its
         * array's record is split off and changed alone, an array's id reaches all its tasks, and their answers
         * come task by task ({@link #arrayReplies}); a job named by its own id is answered as by {@link
         * #jobReplies}.
         */
        private int holdFamily(
                String tag,
                List<String> rest,
                java.util.function.BiFunction<List<Long>, Map<Long, List<Integer>>, Request<Outcomes>> action)
                throws Exception {
            if (rest.isEmpty()) return error("too few arguments for keyword:" + tag);
            Targets targets = targets(rest);
            if (targets == null) return 1;
            if (targets.ids().isEmpty() && targets.tasks().isEmpty())
                return error("too few arguments for keyword:" + tag);
            Outcomes answer = io.gateway().ask(action.apply(targets.ids(), targets.tasks()));
            List<Outcome> own =
                    answer.outcomes().stream().filter(o -> o.tasks() == null).toList();
            int rc = jobReplies(own, true);
            return Math.max(rc, arrayReplies(answer.outcomes(), true));
        }

        /** suspend, resume, requeue and requeuehold on jobs by id, each error as "<reason> for job <id>". */
        private int hold(String tag, List<String> rest, Function<List<Long>, Request<Outcomes>> action)
                throws Exception {
            if (rest.isEmpty()) return error("too few arguments for keyword:" + tag);
            // Slurm's word for a task that has not started
            List<Long> ids = jobIds(rest, "Job is pending execution");
            if (ids == null) return 1;
            if (ids.isEmpty()) return error("too few arguments for keyword:" + tag);
            Outcomes answer = io.gateway().ask(action.apply(ids));
            return jobReplies(answer.outcomes(), false);
        }

        /**
         * The answers of jobs named by their own ids, each error as "<reason> for job <id>"; {@code suspendFamily}
         * (hold, release): a running job's hold is silent (the controller now takes it; one from before answered an error), and a failure ends with {@code slurm_suspend
         * error: <the last error>}, as Slurm's scontrol says them.
         */
        private int jobReplies(List<Outcome> outcomes, boolean suspendFamily) throws Exception {
            int rc = 0;
            String last = null;
            for (Outcome o : outcomes) {
                String err = o.error();
                if (err == null) continue;
                if (err.equals("Job is no longer pending execution")) {
                    if (finished(o.id())) err = "Job has already finished";
                    else if (suspendFamily) continue; // Slurm takes a running job's hold or release silently
                }
                rc = 1;
                last = err;
                if (!quiet) io.err().println(err + " for job " + o.id());
            }
            if (suspendFamily && last != null && !quiet) io.err().println("slurm_suspend error: " + last);
            return rc;
        }

        /**
         * The job ids in {@code words} (JobId= prefixes and commas allowed; an array task as ARRAY_TASK, once it has a
         * record of its own); null, said, when one is no id.
         */
        private List<Long> jobIds(List<String> words) throws Exception {
            return jobIds(words, null);
        }

        /** As above; a task still pending in its array's record is said with {@code pendingTask} where not null. */
        private List<Long> jobIds(List<String> words, String pendingTask) throws Exception {
            return jobIds(words, pendingTask, false);
        }

        /** As above; with {@code foldedToArray}, a task still pending in its array's record names that record. */
        private List<Long> jobIds(List<String> words, String pendingTask, boolean foldedToArray) throws Exception {
            List<Long> ids = new ArrayList<>();
            for (String word : words) {
                for (String t : stripPrefix(word).split(",")) {
                    if (t.isBlank()) continue;
                    java.util.regex.Matcher task = ARRAY_TASK.matcher(t);
                    if (task.matches()) {
                        long arrayId = Long.parseLong(task.group(1));
                        int index = Integer.parseInt(task.group(2));
                        java.util.Optional<Job> own = Requests.jobs(io, new HashMap<>()).stream()
                                .filter(j -> j.array() != null
                                        && j.array().arrayJobId() == arrayId
                                        && j.array().taskId() == index)
                                .findFirst();
                        if (own.isEmpty()) {
                            // still among the array's pending tasks: it has no record of its own to act on yet
                            List<Job> folded = arrayTask(arrayId, index, new HashMap<>());
                            boolean pending = !folded.isEmpty();
                            if (pending && foldedToArray) {
                                ids.add(folded.get(0).id());
                                continue;
                            }
                            String why = pending && pendingTask != null ? pendingTask : "Invalid job id specified";
                            if (!quiet) io.err().println(why + " for job " + t);
                            return null;
                        }
                        ids.add(own.get().id());
                        continue;
                    }
                    if (!t.chars().allMatch(Character::isDigit) || t.length() > 18) {
                        if (!quiet) io.err().println("Invalid job id specified for job " + t);
                        return null;
                    }
                    ids.add(Long.parseLong(t));
                }
            }
            return ids;
        }

        private static final java.util.regex.Pattern ARRAY_TASK =
                java.util.regex.Pattern.compile("(\\d{1,18})_(\\d{1,9})");

        private boolean finished(long id) throws Exception {
            List<Job> found = Requests.job(io, id);
            return !found.isEmpty() && found.get(0).state().isTerminal();
        }

        // ---- output ------------------------------------------------------------------------

        /**
         * Prints a record the way Slurm's sprint functions build it: the first line, then each
         * further line after "\n   " (a space with -o), then a blank line (a newline with -o).
         */
        private void print(List<String> lines) {
            // control characters written out: a record stored before they were refused must not forge lines
            StringBuilder sb = new StringBuilder(FreeText.escape(lines.get(0)));
            for (int i = 1; i < lines.size(); i++)
                sb.append(oneLiner ? " " : "\n   ").append(FreeText.escape(lines.get(i)));
            sb.append(oneLiner ? "\n" : "\n\n");
            io.out().print(sb);
        }
    }

    private static boolean abbrev(String word, String full, int min) {
        return word.length() >= Math.min(min, full.length()) && full.startsWith(word);
    }

    private static String stripPrefix(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        if (l.startsWith("jobid=")) return s.substring(6);
        if (l.startsWith("job=")) return s.substring(4);
        return s;
    }

    // ---- records -------------------------------------------------------------------------------

    /** The limit slurmctld gives a job that has none once it starts: 365 days. */
    private static final long NO_LIMIT_RUN = 365L * 86400;

    /** show config's listing: the title with the time the controller read it, then "Key = Value" lines. */
    static String configText(Message.ConfigInfo info, Io io) {
        StringBuilder sb = new StringBuilder();
        sb.append("Configuration data as of ")
                .append(ts(info.asOf(), io, "Unknown"))
                .append('\n');
        for (ConfigListing.Setting st : info.slurm()) pair(sb, st);
        if (!info.motley().isEmpty()) {
            sb.append("\nMotley Configuration:\n");
            for (ConfigListing.Setting st : info.motley()) pair(sb, st);
        }
        return sb.toString();
    }

    private static void pair(StringBuilder sb, ConfigListing.Setting st) {
        sb.append(String.format(Locale.ROOT, "%-23s = %s\n", FreeText.escape(st.key()), FreeText.escape(st.value())));
    }

    /** {@code expected}: where and when a pending job holding a reservation should start, else null. */
    static List<String> jobRecord(Job j, Io io, Requests.ExpectedStart expected) {
        return jobRecord(j, io, expected, 0);
    }

    /**
     * {@code defMemPerCpu}: the controller's DefMemPerCPU (0: none), what a job that named no memory
     * is given per CPU, shown before it starts as Slurm shows it.
     */
    static List<String> jobRecord(Job j, Io io, Requests.ExpectedStart expected, long defMemPerCpu) {
        JobRequest r = j.request();
        boolean started = j.startTime() > 0;
        boolean ended = j.state().isTerminal();
        String none = "Unknown";
        // the %N limit lives on the record that holds the pending tasks, as slurmctld's array record
        int throttle = j.array() != null && j.array().holdsPending() && r.array() != null
                ? ArraySpec.parse(r.array()).throttle()
                : 0;
        // a job without a limit runs under 365 days once it starts, as slurmctld sets it
        long limit = limitSeconds(j) < 0 && started ? NO_LIMIT_RUN : limitSeconds(j);
        List<String> l = new ArrayList<>();
        l.add("JobId=" + j.id()
                + (j.array() == null
                        ? ""
                        : " ArrayJobId=" + j.array().arrayJobId() + " ArrayTaskId="
                                + (j.array().holdsPending()
                                        ? j.array().pending() + (throttle > 0 ? "%" + throttle : "")
                                        : Integer.toString(j.array().taskId()))
                                + (throttle > 0 ? " ArrayTaskThrottle=" + throttle : ""))
                + " JobName=" + r.name());
        l.add("UserId=" + j.user() + "(" + j.uid() + ") GroupId=" + groupName(j.gid()) + "(" + j.gid()
                + ") MCS_label=N/A");
        l.add("Priority=" + (r.hold() ? 0 : j.priority()) + " Nice=" + r.nice() + " Account=" + orNull(r.account())
                + " QOS=" + orNull(r.qos()));
        // a state description's whitespace becomes '_', as Slurm's scontrol prints it "for easier parsing"
        String reason = j.stateDesc() != null
                ? j.stateDesc().replaceAll("[ \\t\\n\\x0B\\f\\r]", "_")
                : j.reason().name();
        l.add("JobState=" + j.state().name() + " Reason=" + reason + " Dependency="
                + (r.dependency() == null
                        ? "(null)"
                        : r.dependency()
                                + (j.reason() == PendingReason.DependencyNeverSatisfied
                                        ? "(failed)"
                                        : "(unfulfilled)")));
        l.add("Requeue=" + (r.requeue() ? 1 : 0) + " Restarts=" + j.restarts() + " BatchFlag=1 Reboot="
                + r.flag("reboot") + " ExitCode=" + j.exit());
        l.add("RunTime=" + Durations.formatFixed(j.elapsed(io.nowSeconds())) + " TimeLimit="
                + Durations.formatFixed(limit < 0 ? Durations.UNLIMITED : limit) + " TimeMin=N/A");
        // --begin, or a requeue's hold-back, moves the eligible time past the submission
        String eligible = r.hold() ? none : ts(Math.max(j.submitTime(), r.beginTime()), io, none);
        l.add("SubmitTime=" + ts(j.submitTime(), io, none) + " EligibleTime=" + eligible);
        l.add("AccrueTime=" + eligible);
        String start;
        String end;
        if (started) {
            start = ts(j.startTime(), io, none);
            if (j.endTime() > 0) end = ts(j.endTime(), io, none);
            // the end moves by the time the job spent suspended, as slurmctld moves it at resume
            else end = limit > 0 ? ts(j.startTime() + limit + j.suspendedSecs(io.nowSeconds()), io, none) : none;
        } else if (ended) {
            // a job that ended without starting shows its end as both, as slurmctld does
            start = ts(j.endTime(), io, none);
            end = start;
        } else if (expected != null && j.state() == JobState.PENDING) {
            // the backfill reservation's start, as slurmctld shows a pending job's expected start
            start = ts(expected.start(), io, none);
            end = limitSeconds(j) > 0 ? ts(expected.start() + limitSeconds(j), io, none) : none;
        } else if (j.state() == JobState.PENDING && r.beginTime() > io.nowSeconds() && j.restarts() == 0) {
            // a --begin job shows its begin time as its start, as slurmctld does (a requeued job's
            // hold-back is no begin time the user gave, and shows Unknown)
            start = ts(r.beginTime(), io, none);
            end = limitSeconds(j) > 0 ? ts(r.beginTime() + limitSeconds(j), io, none) : none;
        } else {
            start = none;
            end = none;
        }
        l.add("StartTime=" + start + " EndTime=" + end + " Deadline=" + ts(r.deadline(), io, "N/A"));
        long lastEval = started ? j.startTime() : j.submitTime();
        long suspendTime = started ? j.times().suspendTime() : 0;
        l.add("SuspendTime=" + ts(suspendTime, io, "None") + " SecsPreSuspend=" + (started ? j.secsPreSuspend() : 0)
                + " LastSchedEval=" + ts(lastEval, io, none) + " Scheduler=Main");
        l.add("Partition=" + orEmpty(j.partition()) + " AllocNode:Sid="
                + (r.submitHost() == null ? "localhost" : r.submitHost()) + ":0");
        l.add("ReqNodeList=" + orNull(r.placement().nodeList()) + " ExcNodeList="
                + orNull(r.placement().excludeList()));
        // a pending job holding a reservation: the node it is planned on, as slurmctld's SchedNodeList
        String planned = expected != null && j.state() == JobState.PENDING && expected.node() != null
                ? " SchedNodeList=" + expected.node()
                : "";
        l.add("NodeList=" + JobText.nodes(j) + planned);
        if (j.node() != null && started) l.add("BatchHost=" + j.node());
        int nodes = numNodes(j);
        int cpus = numCpus(j);
        String tasks = ended && !started ? "N/A" : Integer.toString(r.ntasks());
        // a job that asked for nodes with -N shows its range until it starts, as Slurm's max_nodes: 1-1
        String nodesShown = !started && r.options().containsKey("nodes")
                ? r.nodes() + "-" + r.resources().maxNodes()
                : Integer.toString(nodes);
        l.add("NumNodes=" + nodesShown + " NumCPUs=" + cpus + " NumTasks=" + tasks + " CPUs/Task=" + r.cpusPerTask()
                + " ReqB:S:C:T=0:0:*:*");
        l.add("TRES=" + tres(j, defMemPerCpu));
        l.add("Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=*");
        l.add("MinCPUsNode=" + r.minCpusPerNode() + " " + minMemory(j, defMemPerCpu) + " MinTmpDiskNode=0");
        l.add("Features=" + orNull(r.constraint()) + " DelayBoot=00:00:00");
        if (r.prefer() != null) l.add("Prefer=" + r.prefer());
        if (r.gpusPerNode() > 0)
            l.add("TresPerNode=" + r.gpuTres().replace("gres/gpu", "gres:gpu").replace("=", ":"));
        if (!j.gpuList().isEmpty()) {
            l.add("GRES=gpu" + "(IDX:"
                    + String.join(",", j.gpuList().stream().map(String::valueOf).toList()) + ")");
        }
        l.add("OverSubscribe=" + r.overSubscribe() + " Contiguous=" + r.flag("contiguous")
                + " Licenses=(null) Network=(null)");
        l.add("Command=" + orNull(r.options().get(Sbatch.COMMAND)));
        l.add("WorkDir=" + r.workDir());
        if (r.comment() != null) l.add("Comment=" + r.comment() + " ");
        l.add("StdErr=" + JobText.stderr(j));
        l.add("StdIn=/dev/null");
        l.add("StdOut=" + JobText.stdout(j));
        l.add("Power=");
        // as Slurm, only for a job that asked for mail (the user defaults to the submitter); none is sent
        String mailType = j.request().options().get("mail-type");
        if (mailType != null && !mailType.equalsIgnoreCase("NONE")) {
            String mailUser = j.request().options().getOrDefault("mail-user", j.user());
            l.add("MailUser=" + mailUser + " MailType=" + mailTypeShown(mailType));
        }
        l.add("");
        return l;
    }

    /**
     * -d: DerivedExitCode after the ExitCode line (the highest exit code of the job's srun steps, as
     * slurmctld keeps derived_ec), and for a job holding nodes, after the Socks/Node line, JOB_GRES and
     * one line per node with its CPUs, memory and GPUs there. Slurm prints CPU_IDs, the cores its
     * controller chose; Motley's agent picks a job's CPUs on its node, so the line says how many.
     */
    static List<String> withDetail(List<String> record, Job j, List<Step> srunSteps) {
        List<String> out =
                new ArrayList<>(record.size() + j.allocation().parts().size() + 2);
        for (String line : record) {
            out.add(line);
            if (line.startsWith("Requeue=")) out.add("DerivedExitCode=" + Step.derivedExit(srunSteps));
            if (!line.startsWith("Socks/Node=") || j.allocation().parts().isEmpty()) continue;
            int gpus = j.allocation().parts().stream()
                    .mapToInt(p -> p.gpuIds().size())
                    .sum();
            out.add("JOB_GRES=" + (gpus == 0 ? "(null)" : "gpu:" + gpus));
            for (Job.Allocation.Part part : j.allocation().parts()) {
                String gres = part.gpuIds().isEmpty()
                        ? ""
                        : "gpu(IDX:"
                                + String.join(
                                        ",",
                                        part.gpuIds().stream()
                                                .map(String::valueOf)
                                                .toList())
                                + ")";
                out.add("  Nodes=" + part.node() + " CPUs=" + part.cpus() + " Mem=" + part.memMiB() + " GRES=" + gres);
            }
        }
        return out;
    }

    /** NumNodes=: the nodes the job holds once started, else those it asked for. */
    static int numNodes(Job j) {
        return j.startTime() > 0 ? Math.max(1, j.nodes().size()) : j.request().nodes();
    }

    /** NumCPUs=: the CPUs the job holds once started, else those it asked for (at least one a node). */
    static int numCpus(Job j) {
        return j.startTime() > 0 ? JobText.cpus(j) : Math.max(JobText.cpus(j), numNodes(j));
    }

    /** TRES=: CPUs, memory (DefMemPerCPU's for a job that named none, when given), nodes and billing. */
    static String tres(Job j, long defMemPerCpu) {
        int cpus = numCpus(j);
        long mem = jobMemory(j);
        if (mem == 0 && defMemPerCpu > 0) mem = defMemPerCpu * cpus;
        return "cpu=" + cpus + (mem > 0 ? ",mem=" + MemorySize.format(mem) : "") + ",node=" + numNodes(j) + ",billing="
                + cpus;
    }

    /** The controller's DefMemPerCPU in MiB; 0 when it has none (or is too old to say). */
    static long defMemPerCpu(Io io) throws ClusterUnreachable {
        Message.ConfigInfo info;
        try {
            info = io.gateway().ask(new Message.ConfigQuery());
        } catch (RequestFailed e) {
            // a controller from before show config: memory is shown as not known, as it was
            return 0;
        }
        for (ConfigListing.Setting s : info.slurm()) {
            if (s.key().equals("DefMemPerCPU")) {
                try {
                    return Long.parseLong(s.value());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** Memory the job holds, else what it asked for, else 0 (not known yet). */
    private static long jobMemory(Job j) {
        if (j.allocMemMiB() > 0) return j.allocMemMiB();
        return j.request().requestedMemMiB(0);
    }

    /** The job's effective time limit in seconds, -1 when unlimited. */
    private static long limitSeconds(Job j) {
        return j.timeLimit() instanceof TimeLimit.Seconds limit ? limit.seconds() : -1;
    }

    /** MinMemoryNode= for --mem, MinMemoryCPU= for --mem-per-cpu or the per-CPU default it got. */
    private static String minMemory(Job j, long defMemPerCpu) {
        MemoryRequest m = j.minMemory();
        if (m instanceof MemoryRequest.PerNode n) return "MinMemoryNode=" + MemorySize.format(n.mib());
        if (m instanceof MemoryRequest.PerCpu c) return "MinMemoryCPU=" + MemorySize.format(c.mib());
        if (defMemPerCpu > 0) return "MinMemoryCPU=" + MemorySize.format(defMemPerCpu);
        return "MinMemoryNode=0";
    }

    static List<String> nodeRecord(Node n, List<Partition> partitions, Io io) {
        List<String> l = new ArrayList<>();
        l.add("NodeName=" + n.name() + " " + (blank(n.arch()) ? "" : "Arch=" + n.arch() + " ") + "CoresPerSocket="
                + n.coresPerSocket() + " ");
        l.add("CPUAlloc=" + n.allocCpus() + " CPUEfctv=" + n.cpus() + " CPUTot=" + n.cpus() + " CPULoad="
                + String.format(Locale.ROOT, "%.2f", n.cpuLoad()));
        String features = n.features().isEmpty() ? "(null)" : String.join(",", n.features());
        l.add("AvailableFeatures=" + features);
        l.add("ActiveFeatures=" + features);
        l.add("Gres=" + Gpu.gres(n.gpus()));
        l.add("NodeAddr=" + (blank(n.address()) ? n.name() : n.address()) + " NodeHostName=" + n.name() + " Version="
                + (blank(n.version()) ? "N/A" : n.version()));
        if (!blank(n.os())) l.add("OS=" + n.os() + " ");
        l.add("RealMemory=" + n.memMiB() + " AllocMem=" + n.allocMemMiB() + " FreeMem=" + n.freeMemMiB() + " Sockets="
                + n.sockets() + " Boards=1");
        l.add("State=" + n.controlState() + " ThreadsPerCore=" + n.threadsPerCore() + " TmpDisk=0 Weight=" + n.weight()
                + " Owner=N/A MCS_label=N/A");
        List<String> in = partitions.stream()
                .filter(p -> p.contains(n.name()))
                .map(Partition::name)
                .toList();
        if (!in.isEmpty()) l.add("Partitions=" + String.join(",", in) + " ");
        l.add("BootTime=" + ts(n.bootTime(), io, "None") + " SlurmdStartTime=" + ts(n.agentStartTime(), io, "None"));
        l.add("LastBusyTime=" + ts(n.allocCpus() > 0 ? io.nowSeconds() : n.agentStartTime(), io, "None"));
        l.add("CfgTRES=cpu=" + n.cpus() + ",mem=" + MemorySize.format(n.memMiB()) + ",billing=" + n.cpus());
        String alloc = n.allocCpus() > 0 ? "cpu=" + n.allocCpus() : "";
        if (n.allocMemMiB() > 0) alloc += (alloc.isEmpty() ? "" : ",") + "mem=" + MemorySize.format(n.allocMemMiB());
        l.add("AllocTRES=" + alloc);
        l.add("CapWatts=n/a");
        l.add("CurrentWatts=0 AveWatts=0");
        l.add("ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s");
        // Motley's own lines: how the agent contains jobs and whom they run as
        if (!blank(n.containment()) || !blank(n.jobUser())) {
            l.add("Containment=" + (blank(n.containment()) ? "unknown" : n.containment()) + " JobUser="
                    + (blank(n.jobUser()) ? "unknown" : n.jobUser()));
        }
        if (!blank(n.gpuUsage())) l.add("GpuUsage=" + n.gpuUsage());
        if (!blank(n.reason())) {
            // Motley does not record who set a reason; admin actions are root's
            l.add("Reason=" + n.reason()
                    + (n.reasonTime() > 0 ? " [root@" + ts(n.reasonTime(), io, "None") + "]" : ""));
        }
        return l;
    }

    static List<String> partitionRecord(Partition part, List<Node> allNodes) {
        List<Node> members =
                allNodes.stream().filter(n -> part.contains(n.name())).toList();
        long cpus = members.stream().mapToLong(Node::cpus).sum();
        long mem = members.stream().mapToLong(Node::memMiB).sum();
        String nodeList = part.nodes() == null ? "ALL" : Hostlist.compress(part.nodes());
        List<String> l = new ArrayList<>();
        l.add("PartitionName=" + part.name());
        l.add("AllowGroups=" + (part.allowGroups() == null ? "ALL" : String.join(",", part.allowGroups()))
                + " AllowAccounts=" + (part.allowAccounts() == null ? "ALL" : String.join(",", part.allowAccounts()))
                + " AllowQos=ALL");
        l.add("AllocNodes=ALL Default=" + (part.isDefault() ? "YES" : "NO") + " QoS=N/A");
        l.add("DefaultTime=" + time(part.defaultTimeSeconds(), "NONE")
                + " DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO");
        l.add("MaxNodes=" + (part.maxNodes() < 0 ? "UNLIMITED" : Integer.toString(part.maxNodes())) + " MaxTime="
                + time(part.maxTimeSeconds(), "UNLIMITED") + " MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED");
        l.add("Nodes=" + nodeList);
        l.add("PriorityJobFactor=1 PriorityTier=" + part.priorityTier() + " RootOnly=NO ReqResv=NO OverSubscribe=NO");
        l.add("OverTimeLimit=NONE PreemptMode=OFF");
        l.add("State=" + part.state().name() + " TotalCPUs=" + cpus + " TotalNodes=" + members.size()
                + " SelectTypeParameters=NONE");
        l.add("JobDefaults=(null)");
        l.add("DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED");
        l.add("TRES="
                + (members.isEmpty()
                        ? "(null)"
                        : "cpu=" + cpus + ",mem=" + MemorySize.format(mem) + ",node=" + members.size() + ",billing="
                                + cpus));
        return l;
    }

    private static String time(long seconds, String unset) {
        return seconds < 0 ? unset : Durations.formatFixed(seconds);
    }

    private static String ts(long epoch, Io io, String none) {
        return JobText.timestamp(epoch, io.zone(), none);
    }

    /** Motley knows gids, not group names; gid 0 is root everywhere. */
    static String groupName(int gid) {
        return gid == 0 ? "root" : Integer.toString(gid);
    }

    private static String orNull(String s) {
        return s == null || s.isEmpty() ? "(null)" : s;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static final String HELP = """
            Usage: scontrol [OPTIONS] [COMMAND]
              -a, --all       accepted for compatibility (Motley has no hidden partitions)
              -d, --details   show job: DerivedExitCode, each node's CPUs, memory and GPUs
              -h, --help      show this help
              -o, --oneliner  print each record on one line
              -Q, --quiet     do not print error messages of hold and release
              -V, --version   print the version

            Commands:
              show job [ID]              a job's details (all jobs in view without ID)
              show node [NAME]           a node's details (all nodes without NAME)
              show partition [NAME]      a partition's details (all without NAME)
              show step [JOB[.STEP]]     running steps (a job's steps, or one step)
              show config                the controller's settings (Slurm's keys, then Motley's own)
              show hostnames [LIST]      a hostlist's names, one a line (default: $SLURM_NODELIST)
              show hostlist LIST         names (or an absolute path to a file of them) as a hostlist
              show hostlistsorted LIST   the same, sorted and without duplicates
              show daemons               which daemons run here: slurmctld (the controller), slurmd (an agent)
              hold ID[,ID...]            keep pending jobs from starting
              suspend ID[,ID...]         (operators) stop running jobs: they keep their nodes, their time
                                         limit stops (SIGTSTP, then SIGSTOP or the cgroup freezer)
              resume ID[,ID...]          (operators) continue suspended jobs (SIGCONT)
              release ID[,ID...]         let held jobs start
              update JobId=ID KEY=VALUE  change a pending job: TimeLimit, Partition, NumCPUs, NumTasks, Name,
                                         Comment, Dependency, Nice, Priority, MailType, MailUser, ...;
                                         a running one: TimeLimit (=N, =+N, =-N, +=N: users shorten it,
                                         operators also lengthen it), Priority (operators; 0 holds),
                                         Nice (negative: operators), Name, Comment, Requeue, MailType,
                                         MailUser (kept and shown; Motley sends no mail), and an array's
                                         ArrayTaskThrottle
              update PartitionName=P State=UP|DOWN|DRAIN|INACTIVE MaxTime=T DefaultTime=T
                                         (root) DOWN: no job starts there, DRAIN: none is taken, INACTIVE: both;
                                         the times hold for jobs submitted from now on (until a restart)
              top ID[,ID...]             put pending jobs ahead of your others in their partition
                                         (under priority/multifactor by moving nice values, as Slurm does)
              requeue ID[,ID...]         kill running batch jobs, or take finished ones, back to the queue
                                         (same id, Restarts=+1; eligible again after RequeueDelay)
              requeuehold ID[,ID...]     as requeue, and held until scontrol release
              write batch_script ID [FILE|-]
                                         the job's script into FILE (default slurm-ID.sh), or to stdout with -
              ping                       whether the controller answers, and whether its job database can take
                                         new jobs (exit 1 when either is not so)
              token [lifespan=SECONDS] [username=NAME]
                                         print SLURM_JWT=... for the REST API (docs/rest.md); default
                                         lifespan 1800 s; only root names another user
              listpids [ID[.STEP]]       the processes of the jobs on this node (all of a job's under its batch step)
              notify ID MESSAGE          accepted for a running job (Slurm logs it on the node; Motley does not)
              version                    print the version
            Without a command, scontrol reads commands from standard input, one a line.""";

    /** A kept --mail-type as Slurm prints it ({@code BEGIN,END}); as given where it cannot be read. */
    private static String mailTypeShown(String kept) {
        try {
            return MailType.canonical(kept);
        } catch (IllegalArgumentException e) {
            return kept.toUpperCase(Locale.ROOT);
        }
    }
}
