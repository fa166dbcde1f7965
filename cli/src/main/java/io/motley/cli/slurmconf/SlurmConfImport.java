package io.motley.cli.slurmconf;

import io.motley.core.config.ClusterConfig;
import io.motley.core.hostlist.Hostlist;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Converts a Slurm configuration (slurm.conf, and gres.conf when there is one) into a motley.conf:
 * nodes, partitions, scheduler and priority parameters carry over; everything else is listed with
 * the reason it did not. Pure: texts in, text and list out.
 */
public final class SlurmConfImport {
    private SlurmConfImport() {}

    /** The motley.conf text and what could not be carried over (one line each, naming the key). */
    public record Result(String motleyConf, List<String> notCarried) {}

    /** Global keys Motley reads under the same name and meaning. */
    private static final List<String> SAME = List.of(
            "ClusterName",
            "DefMemPerCPU",
            "KillWait",
            "MinJobAge",
            "HealthCheckProgram",
            "HealthCheckInterval",
            "JobRequeue",
            "MaxArraySize",
            "DisableRootJobs",
            "InactiveLimit",
            "PriorityType",
            "PriorityWeightAge",
            "PriorityWeightFairshare",
            "PriorityWeightJobSize",
            "PriorityWeightPartition",
            "PriorityWeightQOS",
            "PriorityMaxAge",
            "PriorityDecayHalfLife",
            "PriorityFavorSmall",
            "PriorityCalcPeriod",
            "TRESBillingWeights");

    /** Keys with no Motley setting because Motley does that part itself or differently: the reason. */
    private static final Map<String, String> DIFFERENT = Map.ofEntries(
            Map.entry(
                    "SlurmctldHost",
                    "agents are given the controller's address (motley agent --controller, motley join)"),
            Map.entry(
                    "ControlMachine",
                    "agents are given the controller's address (motley agent --controller, motley join)"),
            Map.entry(
                    "SlurmctldPort",
                    "Motley's ControllerPort defaults to 6917, so Slurm and Motley can run side by side while you move"),
            Map.entry("SlurmdPort", "agents talk to the controller over its port; there is no slurmd port"),
            Map.entry(
                    "AuthType", "Motley authenticates with its own cluster key or TLS certificates (docs/security.md)"),
            Map.entry(
                    "CryptoType",
                    "Motley authenticates with its own cluster key or TLS certificates (docs/security.md)"),
            Map.entry("StateSaveLocation", "the controller's state is in MOTLEY_HOME/state"),
            Map.entry("SlurmdSpoolDir", "agents spool under MOTLEY_HOME/spool"),
            Map.entry("SlurmctldPidFile", "pid files are in MOTLEY_HOME/run"),
            Map.entry("SlurmdPidFile", "pid files are in MOTLEY_HOME/run"),
            Map.entry("SlurmctldLogFile", "daemon logs are in MOTLEY_HOME/log (or the journal under systemd)"),
            Map.entry("SlurmdLogFile", "daemon logs are in MOTLEY_HOME/log (or the journal under systemd)"),
            Map.entry(
                    "ProctrackType", "agents pick their containment (ContainmentType=auto: cgroup v2 where they can)"),
            Map.entry("TaskPlugin", "agents pick their containment (ContainmentType=auto: cgroup v2 where they can)"),
            Map.entry("SelectType", "Motley always allocates CPUs and memory as consumable resources"),
            Map.entry("SelectTypeParameters", "Motley always allocates CPUs and memory as consumable resources"),
            Map.entry("AccountingStorageType", "job accounting is always on (the embedded database, or StorageURL)"),
            Map.entry("GresTypes", "GPUs are the only generic resource and need no declaration"));

    /** Parses slurm.conf's lines into key=value maps, one a line, joining continued lines. */
    static List<Map<String, String>> lines(String text, List<String> notes) {
        List<Map<String, String>> out = new ArrayList<>();
        String joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
        for (String raw : joined.split("\n")) {
            String line = raw;
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.regionMatches(true, 0, "include ", 0, 8)) {
                notes.add(line + ": included files are not read; import them too or copy what they set");
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (String word : words(line)) {
                int eq = word.indexOf('=');
                if (eq <= 0) {
                    notes.add("'" + line + "': '" + word + "' is not Key=Value; the line is skipped");
                    kv = null;
                    break;
                }
                kv.put(word.substring(0, eq), word.substring(eq + 1));
            }
            if (kv != null) out.add(kv);
        }
        return out;
    }

    /** Splits at spaces outside double quotes, removing the quotes. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') quoted = !quoted;
            else if (Character.isWhitespace(c) && !quoted) {
                if (!w.isEmpty()) words.add(w.toString());
                w.setLength(0);
            } else w.append(c);
        }
        if (!w.isEmpty()) words.add(w.toString());
        return words;
    }

    private static String canonical(String key, List<String> known) {
        for (String k : known) if (k.equalsIgnoreCase(key)) return k;
        return null;
    }

    private static String get(Map<String, String> kv, String key) {
        for (var e : kv.entrySet()) if (e.getKey().equalsIgnoreCase(key)) return e.getValue();
        return null;
    }

    public static Result convert(String slurmConf, String gresConf) {
        List<String> notes = new ArrayList<>();
        List<String> global = new ArrayList<>();
        List<String> nodeLines = new ArrayList<>();
        List<String> partitionLines = new ArrayList<>();
        List<String> gpuNotes = new ArrayList<>();
        Map<String, String> nodeDefaults = new LinkedHashMap<>();
        Map<String, String> partitionDefaults = new LinkedHashMap<>();
        for (Map<String, String> kv : lines(slurmConf, notes)) {
            String first = kv.keySet().iterator().next();
            String value = kv.get(first);
            switch (first.toLowerCase(Locale.ROOT)) {
                case "nodename" -> {
                    if (value.equalsIgnoreCase("DEFAULT")) {
                        kv.remove(first);
                        nodeDefaults.putAll(kv);
                        continue;
                    }
                    Map<String, String> all = new LinkedHashMap<>(nodeDefaults);
                    all.putAll(kv);
                    node(value, all, nodeLines, gpuNotes, notes);
                }
                case "partitionname" -> {
                    if (value.equalsIgnoreCase("DEFAULT")) {
                        kv.remove(first);
                        partitionDefaults.putAll(kv);
                        continue;
                    }
                    Map<String, String> all = new LinkedHashMap<>(partitionDefaults);
                    all.putAll(kv);
                    partition(value, all, partitionLines, notes);
                }
                case "downnodes", "frontendname", "nodeset", "switchname" ->
                    notes.add(first + "=" + value + ": no Motley equivalent");
                default -> {
                    if (kv.size() != 1) {
                        notes.add(first + "=" + value + ": a line of several keys Motley does not know");
                        continue;
                    }
                    String same = canonical(first, SAME);
                    if (same != null) {
                        global.add(same + "=" + value);
                    } else if (first.equalsIgnoreCase("SlurmdTimeout")) {
                        global.add("NodeTimeout=" + value);
                    } else if (first.equalsIgnoreCase("SchedulerType")) {
                        if (value.equals("sched/backfill") || value.equals("sched/builtin"))
                            global.add("SchedulerType=" + value);
                        else notes.add("SchedulerType=" + value + ": Motley has sched/backfill and sched/builtin");
                    } else if (first.equalsIgnoreCase("SchedulerParameters")) {
                        schedulerParameters(value, global, notes);
                    } else {
                        String why = DIFFERENT.entrySet().stream()
                                .filter(e -> e.getKey().equalsIgnoreCase(first))
                                .map(Map.Entry::getValue)
                                .findFirst()
                                .orElse("no Motley equivalent");
                        notes.add(first + "=" + value + ": " + why);
                    }
                }
            }
        }
        if (gresConf != null) gres(gresConf, gpuNotes, notes);

        StringBuilder out = new StringBuilder();
        out.append("# motley.conf made by `motley import` from a Slurm configuration (docs/import.md).\n");
        out.append("# Review it, then put it in MOTLEY_HOME/etc/motley.conf on the controller's host.\n");
        global.forEach(l -> out.append(l).append('\n'));
        if (!nodeLines.isEmpty())
            out.append("\n# Nodes: agents detect CPUs and memory; these lines cap what they offer\n");
        nodeLines.forEach(l -> out.append(l).append('\n'));
        if (!gpuNotes.isEmpty()) out.append("\n# GPUs\n");
        gpuNotes.forEach(l -> out.append("# ").append(l).append('\n'));
        if (!partitionLines.isEmpty()) out.append("\n# Partitions\n");
        partitionLines.forEach(l -> out.append(l).append('\n'));
        if (!notes.isEmpty()) {
            out.append("\n# Not carried over from the Slurm configuration:\n");
            notes.forEach(n -> out.append("#   ").append(n).append('\n'));
        }
        String conf = out.toString();
        // what we write must be a configuration Motley accepts
        ClusterConfig.parse(conf);
        return new Result(conf, List.copyOf(notes));
    }

    private static final Set<String> NODE_SHAPE =
            Set.of("boards", "sockets", "socketsperboard", "corespersocket", "threadspercore", "cpus", "cores");

    private static void node(
            String names, Map<String, String> kv, List<String> out, List<String> gpus, List<String> notes) {
        StringBuilder line = new StringBuilder("NodeName=" + names);
        String cpus = get(kv, "CPUs");
        if (cpus == null) cpus = cpusFromShape(kv);
        if (cpus != null) line.append(" CPUs=").append(cpus);
        for (String k : List.of("RealMemory", "MemSpecLimit", "CoreSpecCount", "Weight")) {
            String v = get(kv, k);
            if (v != null) line.append(' ').append(k).append('=').append(v);
        }
        String features = get(kv, "Features");
        if (features == null) features = get(kv, "Feature");
        if (features != null) line.append(" Features=").append(features);
        for (var e : kv.entrySet()) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (k.equals("nodename")
                    || NODE_SHAPE.contains(k)
                    || List.of("realmemory", "memspeclimit", "corespeccount", "weight", "features", "feature")
                            .contains(k)) continue;
            switch (k) {
                case "gres" -> {
                    for (String g : e.getValue().split(",")) {
                        if (g.startsWith("gpu")) {
                            gpus.add("node " + names + ": Gres=" + g
                                    + " in slurm.conf; the agent finds NVIDIA GPUs with nvidia-smi by itself");
                        } else {
                            notes.add("node " + names + " Gres=" + g + ": Motley's generic resources are GPUs only");
                        }
                    }
                }
                case "state" -> {
                    if (!e.getValue().equalsIgnoreCase("UNKNOWN")
                            && !e.getValue().equalsIgnoreCase("IDLE"))
                        notes.add("node " + names + " State=" + e.getValue()
                                + ": set it after the agents register (scontrol update NodeName=... State=...)");
                }
                case "nodeaddr", "nodehostname", "port" ->
                    notes.add("node " + names + " " + e.getKey() + "=" + e.getValue()
                            + ": an agent names its node (motley agent --name) and connects to the controller itself");
                default ->
                    notes.add("node " + names + " " + e.getKey() + "=" + e.getValue() + ": no Motley equivalent");
            }
        }
        out.add(line.toString());
    }

    /** CPUs from Boards x SocketsPerBoard (or Sockets) x CoresPerSocket x ThreadsPerCore, as Slurm counts them. */
    private static String cpusFromShape(Map<String, String> kv) {
        String cores = get(kv, "CoresPerSocket");
        if (cores == null) return null;
        try {
            long boards = Long.parseLong(orElse(get(kv, "Boards"), "1"));
            String spb = get(kv, "SocketsPerBoard");
            long sockets = spb != null ? boards * Long.parseLong(spb) : Long.parseLong(orElse(get(kv, "Sockets"), "1"));
            long threads = Long.parseLong(orElse(get(kv, "ThreadsPerCore"), "1"));
            return Long.toString(sockets * Long.parseLong(cores) * threads);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String orElse(String v, String d) {
        return v == null ? d : v;
    }

    private static final List<String> PARTITION_KEYS = List.of(
            "Nodes",
            "Default",
            "MaxTime",
            "DefaultTime",
            "State",
            "PriorityTier",
            "PriorityJobFactor",
            "MaxNodes",
            "AllowAccounts",
            "AllowGroups");

    private static void partition(String name, Map<String, String> kv, List<String> out, List<String> notes) {
        StringBuilder line = new StringBuilder("PartitionName=" + name);
        for (var e : kv.entrySet()) {
            if (e.getKey().equalsIgnoreCase("PartitionName")) continue;
            String k = canonical(e.getKey(), PARTITION_KEYS);
            String v = e.getValue();
            if (k != null && k.equals("State") && v.equalsIgnoreCase("INACTIVE")) {
                notes.add("partition " + name + " State=INACTIVE: Motley has UP, DOWN and DRAIN; imported as DOWN");
                v = "DOWN";
            }
            if (k != null) line.append(' ').append(k).append('=').append(v);
            else if (e.getKey().equalsIgnoreCase("TRESBillingWeights"))
                notes.add("partition " + name + " TRESBillingWeights=" + v
                        + ": Motley's TRESBillingWeights is one for the cluster");
            else notes.add("partition " + name + " " + e.getKey() + "=" + v + ": no Motley equivalent");
        }
        out.add(line.toString());
    }

    private static void schedulerParameters(String value, List<String> global, List<String> notes) {
        List<String> kept = new ArrayList<>();
        for (String item : value.split(",")) {
            String key = item.contains("=") ? item.substring(0, item.indexOf('=')) : item;
            if (List.of("bf_interval", "bf_max_job_test", "bf_reservations", "max_script_size")
                    .contains(key)) kept.add(item);
            else notes.add("SchedulerParameters " + item + ": Motley's scheduler has no such parameter");
        }
        if (!kept.isEmpty()) global.add("SchedulerParameters=" + String.join(",", kept));
    }

    /** gres.conf: GPU lines become notes on which devices each agent should offer; other GRES are not carried. */
    private static void gres(String text, List<String> gpus, List<String> notes) {
        for (Map<String, String> kv : lines(text, notes)) {
            String first = kv.keySet().iterator().next();
            if (first.equalsIgnoreCase("AutoDetect")) {
                gpus.add("gres.conf AutoDetect=" + kv.get(first) + ": the agents detect NVIDIA GPUs with nvidia-smi");
                continue;
            }
            String name = get(kv, "Name");
            String nodes = orElse(get(kv, "NodeName"), "every node");
            if (name == null || !name.equals("gpu")) {
                notes.add("gres.conf "
                        + String.join(
                                " ",
                                kv.entrySet().stream()
                                        .map(e -> e.getKey() + "=" + e.getValue())
                                        .toList()) + ": Motley's generic resources are GPUs only");
                continue;
            }
            String file = get(kv, "File");
            String indices = file == null ? null : deviceIndices(file);
            gpus.add("gres.conf gpu on " + nodes + (get(kv, "Type") != null ? " Type=" + get(kv, "Type") : "")
                    + (file != null ? " File=" + file : "")
                    + (get(kv, "Count") != null ? " Count=" + get(kv, "Count") : "")
                    + (indices != null
                            ? ": start the agent with --gpus " + indices + " to offer only these"
                            : ": the agent offers the GPUs nvidia-smi lists (--gpus LIST limits them)"));
        }
    }

    /** /dev/nvidia[0-3] -> 0,1,2,3; null when the files are not /dev/nvidiaN devices. */
    static String deviceIndices(String file) {
        List<String> idx = new ArrayList<>();
        try {
            for (String f : Hostlist.expand(file)) {
                if (!f.matches("/dev/nvidia[0-9]+")) return null;
                idx.add(f.substring("/dev/nvidia".length()));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return String.join(",", idx);
    }
}
