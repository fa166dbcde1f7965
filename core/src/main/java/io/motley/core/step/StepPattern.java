package io.motley.core.step;

import io.motley.core.job.OutputPattern;

/**
 * srun's file name patterns for -o, -e and -i: %j job id, %J job.step, %s step id, %t task id,
 * %n node index within the step, %N node name, %A array job id (the job id for a plain job), %a
 * array task id (Slurm's "no value", 4294967294, for a plain job), %u user, %x job name, %% a
 * percent; a width between % and a numeric letter pads with zeros (%3t: 007). Other letters stay
 * as written. A relative result is taken from {@code workDir}.
 */
public record StepPattern(String pattern) {

    /** The values one task's names are made of. */
    public record Fields(
            long jobId,
            int stepId,
            int task,
            int nodeIndex,
            String node,
            long arrayJobId,
            long arrayTaskId,
            String user,
            String jobName) {}

    /** Whether each task gets a file of its own (the pattern names the task): Slurm's per-task output. */
    public boolean perTask() {
        return names('t');
    }

    /** Whether each node gets a file of its own. */
    public boolean perNode() {
        return names('n') || names('N');
    }

    private boolean names(char letter) {
        for (int i = 0; i < pattern.length() - 1; i++) {
            if (pattern.charAt(i) != '%') continue;
            int j = i + 1;
            while (j < pattern.length() && Character.isDigit(pattern.charAt(j))) j++;
            if (j < pattern.length() && pattern.charAt(j) == letter) return true;
            if (j < pattern.length() && pattern.charAt(j) == '%') i = j;
        }
        return false;
    }

    public String expand(Fields f, String workDir) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            int j = i + 1;
            int width = 0;
            while (j < pattern.length() && Character.isDigit(pattern.charAt(j))) {
                width = Math.min(width * 10 + (pattern.charAt(j) - '0'), OutputPattern.MAX_WIDTH);
                j++;
            }
            if (j >= pattern.length()) {
                out.append(pattern, i, j);
                break;
            }
            String v = switch (pattern.charAt(j)) {
                case 'j' -> pad(f.jobId(), width);
                case 'J' -> pad(f.jobId(), width) + "." + f.stepId();
                case 's' -> pad(f.stepId(), width);
                case 't' -> pad(f.task(), width);
                case 'n' -> pad(f.nodeIndex(), width);
                case 'N' -> f.node();
                case 'A' -> pad(f.arrayJobId(), width);
                case 'a' -> pad(f.arrayTaskId(), width);
                case 'u' -> f.user();
                case 'x' -> f.jobName();
                case '%' -> "%";
                default -> null;
            };
            out.append(v == null ? pattern.substring(i, j + 1) : v);
            i = j;
        }
        String path = out.toString();
        if (path.startsWith("/") || workDir == null) return path;
        return workDir.endsWith("/") ? workDir + path : workDir + "/" + path;
    }

    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
