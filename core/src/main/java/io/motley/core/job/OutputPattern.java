package io.motley.core.job;

/**
 * Expands sbatch's file name patterns: %j (and %J, for the batch script) job id, %x job name, %u user, %N node, %A array job id
 * (the job id for a plain job), %a array task id (4294967294, Slurm's "no value", for a plain job),
 * %n node index and %t task rank (0: the batch script is task 0 on the job's first node), %s step
 * ("batch"), %% a literal percent. A relative result is taken from the job's working directory.
 */
public final class OutputPattern {
    public static final String DEFAULT = "slurm-%j.out";

    /** Widest zero padding, as in Slurm (fname.c's MAX_WIDTH): "%20j" pads to 10 digits. */
    public static final int MAX_WIDTH = 10;

    private OutputPattern() {}

    /** The job's stdout file on a node: its -o pattern or slurm-%j.out (slurm-%A_%a.out for array tasks). */
    public static String stdout(Job j, String node) {
        JobRequest r = j.request();
        String pattern =
                r.stdoutPattern() != null ? r.stdoutPattern() : j.array() != null ? "slurm-%A_%a.out" : DEFAULT;
        return expand(pattern, j, node);
    }

    /** The job's stderr file: its -e pattern, or the stdout file. */
    public static String stderr(Job j, String node) {
        return j.request().stderrPattern() == null
                ? stdout(j, node)
                : expand(j.request().stderrPattern(), j, node);
    }

    private static String expand(String pattern, Job j, String node) {
        JobRequest r = j.request();
        long arrayId = j.array() != null ? j.array().arrayJobId() : j.id();
        long task = j.array() != null && j.array().taskId() >= 0 ? j.array().taskId() : NO_TASK;
        return expand(pattern, j.id(), arrayId, task, r.name(), j.user(), node, r.workDir());
    }

    /** Slurm's "no value" task id, printed for %a of a job that is not an array task. */
    public static final long NO_TASK = 4294967294L;

    public static String expand(String pattern, long jobId, String jobName, String user, String node, String workDir) {
        return expand(pattern, jobId, jobId, NO_TASK, jobName, user, node, workDir);
    }

    public static String expand(
            String pattern,
            long jobId,
            long arrayJobId,
            long taskId,
            String jobName,
            String user,
            String node,
            String workDir) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            // Slurm allows a zero-padding width between % and the letter (%5j), capped at MAX_WIDTH; uncapped,
            // "%2147483647a" made the agent and the controller build a 2 GB string.
            int j = i + 1;
            int width = 0;
            while (j < pattern.length() && pattern.charAt(j) >= '0' && pattern.charAt(j) <= '9') {
                width = Math.min(width * 10 + (pattern.charAt(j) - '0'), MAX_WIDTH);
                j++;
            }
            if (j >= pattern.length()) {
                out.append(pattern, i, j);
                break;
            }
            char k = pattern.charAt(j);
            String v = switch (k) {
                // %J is jobid.stepid; the batch script is no numbered step, so it is the job id, as in Slurm
                case 'j', 'J' -> pad(Long.toString(jobId), width);
                case 'A' -> pad(Long.toString(arrayJobId), width);
                case 'x' -> jobName;
                case 'u' -> user;
                case 'N' -> node;
                // the batch script is task 0 of node 0 and is the step Slurm names "batch"
                case 'n', 't' -> pad("0", width);
                case 's' -> "batch";
                case 'a' -> pad(Long.toString(taskId), width);
                case '%' -> "%";
                default -> null;
            };
            if (v == null) {
                out.append(pattern, i, j + 1);
            } else {
                out.append(v);
            }
            i = j;
        }
        String path = out.toString();
        if (path.startsWith("/")) return path;
        return workDir.endsWith("/") ? workDir + path : workDir + "/" + path;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
