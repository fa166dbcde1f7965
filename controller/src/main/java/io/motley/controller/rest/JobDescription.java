package io.motley.controller.rest;

import io.motley.core.dependency.Dependency;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.JobRequest;
import io.motley.core.job.MemoryRequest;
import io.motley.core.job.TimeLimit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job description of the REST API (data_parser v0.0.40's JOB_DESC_MSG, the fields Motley
 * acts on) read into a {@link JobRequest} or into scontrol update's pairs. Strict where slurmrestd
 * only warns: a field Motley does not know or does not act on, or a value of the wrong type, is an
 * error that names it, so that a client never believes a setting was taken that was not.
 */
final class JobDescription {
    private JobDescription() {}

    /** A field the client got wrong: its path and what is wrong. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    /** The fields a submission may carry. */
    static final Set<String> SUBMIT_FIELDS = Set.of(
            "script",
            "name",
            "account",
            "partition",
            "qos",
            "comment",
            "current_working_directory",
            "environment",
            "time_limit",
            "tasks",
            "cpus_per_task",
            "nodes",
            "minimum_nodes",
            "memory_per_node",
            "memory_per_cpu",
            "standard_output",
            "standard_error",
            "standard_input",
            "hold",
            "begin_time",
            "deadline",
            "dependency",
            "constraints",
            "nice",
            "exclusive",
            "argv",
            "tres_per_node",
            "required_nodes",
            "excluded_nodes",
            "requeue",
            "array",
            "user_id",
            "group_id");

    /** The fields an update may carry, with the scontrol update key each becomes. */
    static final Map<String, String> UPDATE_FIELDS = Map.of(
            "time_limit", "TimeLimit",
            "name", "Name",
            "comment", "Comment",
            "partition", "Partition",
            "nice", "Nice",
            "dependency", "Dependency",
            "tasks", "NumTasks",
            "minimum_cpus", "NumCPUs");

    /**
     * The request for {@code job} (the {@code job} object; {@code script} the top-level script, or
     * null to take the job's own), for a user whose uid is {@code uid}, working in {@code home}
     * when no directory is given.
     */
    static JobRequest submission(Map<?, ?> job, String topScript, int uid, int gid, String home) {
        for (Object k : job.keySet())
            if (!SUBMIT_FIELDS.contains(k)) throw new Invalid("job/" + k + ": field not known to this API");
        String script = topScript != null ? topScript : string(job, "script");
        if (script == null || script.isEmpty()) throw new Invalid("script: Job script not specified");
        String cwd = string(job, "current_working_directory");
        if (cwd == null) cwd = home;
        if (cwd == null || !cwd.startsWith("/"))
            throw new Invalid("job/current_working_directory: an absolute path is needed");
        JobRequest.Builder b = JobRequest.builder(script, cwd);
        String name = string(job, "name");
        if (name != null) b.name(name);
        Long v;
        if ((v = count(job, "tasks")) != null) {
            b.ntasks((int) positive("tasks", v));
            // kept as sbatch keeps -n: the job's tasks were asked for (SLURM_TASKS_PER_NODE follows them)
            b.options(Map.of(JobRequest.NTASKS, Long.toString(v)));
        }
        if ((v = count(job, "cpus_per_task")) != null) b.cpusPerTask((int) positive("cpus_per_task", v));
        Long nodes = count(job, "minimum_nodes");
        if (job.get("nodes") != null) nodes = nodeCount(job.get("nodes"));
        if (nodes != null) b.nodes((int) positive("nodes", nodes));
        Long perNode = count(job, "memory_per_node");
        Long perCpu = count(job, "memory_per_cpu");
        if (perNode != null && perCpu != null)
            throw new Invalid("job/memory_per_cpu: memory_per_node and memory_per_cpu are mutually exclusive");
        if (perNode != null) b.memory(new MemoryRequest.PerNode(perNode));
        if (perCpu != null) b.memory(new MemoryRequest.PerCpu(perCpu));
        Object limit = job.get("time_limit");
        if (limit != null) b.timeLimit(timeLimit("time_limit", limit));
        Long begin = count(job, "begin_time");
        Long deadline = count(job, "deadline");
        b.window(begin == null ? 0 : begin, deadline == null ? 0 : deadline);
        b.output(string(job, "standard_output"), string(job, "standard_error"));
        String in = string(job, "standard_input");
        if (in != null && !in.equals("/dev/null"))
            throw new Invalid("job/standard_input: only /dev/null is supported, as for sbatch");
        b.environment(environment(job.get("environment")));
        b.arguments(strings(job, "argv"));
        String partition = string(job, "partition");
        List<String> partitions = partition == null || partition.isEmpty() ? List.of() : List.of(partition.split(","));
        b.placement(new JobRequest.Placement(
                partitions,
                emptyToNull(string(job, "constraints")),
                nodeNames(job, "required_nodes"),
                nodeNames(job, "excluded_nodes"),
                exclusive(job.get("exclusive"))));
        Boolean hold = bool(job, "hold");
        if (hold != null) b.hold(hold);
        String dep = emptyToNull(string(job, "dependency"));
        if (dep != null) {
            try {
                b.dependency(Dependency.parse(dep).toString(), false);
            } catch (IllegalArgumentException e) {
                throw new Invalid("job/dependency: " + e.getMessage());
            }
        }
        String array = emptyToNull(string(job, "array"));
        if (array != null) {
            try {
                ArraySpec.parse(array);
            } catch (IllegalArgumentException e) {
                throw new Invalid("job/array: " + e.getMessage());
            }
            b.array(array);
        }
        String tres = emptyToNull(string(job, "tres_per_node"));
        if (tres != null) gpus(b, tres);
        b.account(emptyToNull(string(job, "account")));
        b.qos(emptyToNull(string(job, "qos")));
        b.comment(emptyToNull(string(job, "comment")));
        Long nice = integer(job, "nice");
        if (nice != null) {
            if (nice < -2147483645L || nice > 2147483645L) throw new Invalid("job/nice: out of range");
            b.nice(nice.intValue());
        }
        Boolean requeue = bool(job, "requeue");
        if (requeue != null) b.requeue(requeue);
        Long asUid = count(job, "user_id");
        if (asUid != null && asUid != uid) throw new Invalid("job/user_id: a job runs as the token's user");
        Long asGid = count(job, "group_id");
        if (asGid != null && asGid != gid) throw new Invalid("job/group_id: a job runs with the token user's group");
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new Invalid("job: " + e.getMessage());
        }
    }

    /** scontrol update's pairs for an update description. */
    static Map<String, String> update(Map<?, ?> job) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : job.entrySet()) {
            String field = String.valueOf(e.getKey());
            String key = UPDATE_FIELDS.get(field);
            if (key == null) throw new Invalid("job/" + field + ": field not known to this API or not updatable");
            String value = switch (field) {
                case "time_limit" -> {
                    TimeLimit l = timeLimit(field, e.getValue());
                    yield l instanceof TimeLimit.Seconds s ? Long.toString(s.seconds() / 60) : "UNLIMITED";
                }
                case "tasks", "minimum_cpus" -> Long.toString(positive(field, count(job, field)));
                case "nice" -> Long.toString(integer(job, field));
                default -> {
                    String s = string(job, field);
                    if (s == null) throw new Invalid("job/" + field + ": expected a string");
                    yield s;
                }
            };
            pairs.put(key, value);
        }
        if (pairs.isEmpty()) throw new Invalid("job: nothing to update");
        return pairs;
    }

    private static void gpus(JobRequest.Builder b, String tres) {
        // gres/gpu:N or gres/gpu:TYPE:N, as sbatch --gres=gpu:... writes it in tres_per_node
        String[] parts = tres.split(":");
        if (!parts[0].equals("gres/gpu") || parts.length < 2 || parts.length > 3)
            throw new Invalid("job/tres_per_node: only gres/gpu:[TYPE:]COUNT is supported");
        try {
            int n = Integer.parseInt(parts[parts.length - 1]);
            if (n < 0) throw new NumberFormatException();
            b.gpus(n, parts.length == 3 ? parts[1] : null);
        } catch (NumberFormatException e) {
            throw new Invalid("job/tres_per_node: the GPU count is not a number");
        }
    }

    private static boolean exclusive(Object v) {
        if (v == null) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) return s.equals("true") || s.equals("user");
        if (v instanceof List<?> l) return l.contains("true") || l.contains("user");
        throw new Invalid("job/exclusive: expected a boolean, a string or a list");
    }

    private static String nodeNames(Map<?, ?> job, String field) {
        Object v = job.get(field);
        if (v == null) return null;
        if (v instanceof String s) return emptyToNull(s);
        List<String> l = strings(job, field);
        return l.isEmpty() ? null : String.join(",", l);
    }

    private static Long nodeCount(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof String s && s.matches("\\d{1,9}(-\\d{1,9})?")) {
            String[] range = s.split("-");
            if (range.length == 2 && !range[0].equals(range[1]))
                throw new Invalid("job/nodes: node count ranges are not supported; give one count");
            return Long.parseLong(range[0]);
        }
        throw new Invalid("job/nodes: expected a count");
    }

    private static Map<String, String> environment(Object v) {
        if (v == null) return Map.of();
        Map<String, String> env = new LinkedHashMap<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof String s) || s.indexOf('=') <= 0)
                    throw new Invalid("job/environment: expected a list of NAME=VALUE strings");
                env.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
            }
            return env;
        }
        if (v instanceof Map<?, ?> m) {
            // the dictionary form of v0.0.38 and before
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getValue() instanceof String s))
                    throw new Invalid("job/environment/" + e.getKey() + ": expected a string");
                env.put(String.valueOf(e.getKey()), s);
            }
            return env;
        }
        throw new Invalid("job/environment: expected a list of NAME=VALUE strings");
    }

    /** A limit in minutes: a number, or data_parser's {set, infinite, number}. */
    private static TimeLimit timeLimit(String field, Object v) {
        if (v instanceof Long l) {
            if (l < 0 || l > Integer.MAX_VALUE) throw new Invalid("job/" + field + ": out of range");
            return new TimeLimit.Seconds(l * 60);
        }
        if (v instanceof Map<?, ?> m) {
            if (Boolean.TRUE.equals(m.get("infinite"))) return TimeLimit.UNLIMITED;
            if (Boolean.FALSE.equals(m.get("set"))) return TimeLimit.UNSET;
            return timeLimit(field, noVal(field, m));
        }
        throw new Invalid("job/" + field + ": expected a number of minutes");
    }

    private static Object noVal(String field, Map<?, ?> m) {
        for (Object k : m.keySet())
            if (!Set.of("set", "infinite", "number").contains(k))
                throw new Invalid("job/" + field + "/" + k + ": field not known to this API");
        if (!(m.get("number") instanceof Long)) throw new Invalid("job/" + field + "/number: expected an integer");
        return m.get("number");
    }

    private static long positive(String field, Long v) {
        if (v == null || v < 1 || v > Integer.MAX_VALUE) throw new Invalid("job/" + field + ": must be at least 1");
        return v;
    }

    private static long positive(String field, long v) {
        return positive(field, Long.valueOf(v));
    }

    /** A non-negative integer, given plain or as {set, infinite, number}. */
    private static Long count(Map<?, ?> job, String field) {
        Object v = job.get(field);
        if (v == null) return null;
        if (v instanceof Map<?, ?> m) {
            if (Boolean.FALSE.equals(m.get("set"))) return null;
            v = noVal(field, m);
        }
        if (!(v instanceof Long l)) throw new Invalid("job/" + field + ": expected an integer");
        if (l < 0) throw new Invalid("job/" + field + ": must not be negative");
        return l;
    }

    private static Long integer(Map<?, ?> job, String field) {
        Object v = job.get(field);
        if (v == null) return null;
        if (!(v instanceof Long l)) throw new Invalid("job/" + field + ": expected an integer");
        return l;
    }

    private static Boolean bool(Map<?, ?> job, String field) {
        Object v = job.get(field);
        if (v == null) return null;
        if (!(v instanceof Boolean b)) throw new Invalid("job/" + field + ": expected true or false");
        return b;
    }

    static String string(Map<?, ?> job, String field) {
        Object v = job.get(field);
        if (v == null) return null;
        if (!(v instanceof String s)) throw new Invalid("job/" + field + ": expected a string");
        return s;
    }

    private static List<String> strings(Map<?, ?> job, String field) {
        Object v = job.get(field);
        if (v == null) return List.of();
        if (!(v instanceof List<?> l)) throw new Invalid("job/" + field + ": expected a list of strings");
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s)) throw new Invalid("job/" + field + ": expected a list of strings");
            out.add(s);
        }
        return out;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
