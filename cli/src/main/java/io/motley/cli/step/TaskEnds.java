package io.motley.cli.step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How srun tells its tasks' ends, as Slurm does: one "srun: error: NODE: task(s) IDS: WHAT" line
 * per node and outcome for the tasks that failed ("Exited with exit code 3", or the signal's name:
 * "Killed"), and its own exit code, the highest of the tasks' (128 + the signal for a signalled
 * task). A task's status is as the JVM reports it: the exit code, or 128 + the signal.
 */
public final class TaskEnds {
    private TaskEnds() {}

    /** One task's end: {@code status} as Process.exitValue gives it. */
    public record End(int task, String node, int status) {
        public int signal() {
            return status > 128 && status <= 128 + 64 ? status - 128 : 0;
        }

        public int exitCode() {
            return signal() != 0 ? 0 : status;
        }
    }

    /** srun's lines about the tasks that did not exit 0, grouped by node and outcome, tasks as ranges. */
    public static List<String> lines(List<End> ends) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (End e : ends.stream()
                .sorted(java.util.Comparator.comparingInt(End::task))
                .toList()) {
            if (e.status() == 0) continue;
            String what = e.signal() != 0 ? signalName(e.signal()) : "Exited with exit code " + e.exitCode();
            groups.computeIfAbsent(e.node() + "\u0000" + what, k -> new ArrayList<>())
                    .add(e.task());
        }
        List<String> out = new ArrayList<>();
        groups.forEach((key, tasks) -> {
            int nul = key.indexOf('\u0000');
            out.add("srun: error: " + key.substring(0, nul) + ": task" + (tasks.size() > 1 ? "s " : " ") + ranges(tasks)
                    + ": " + key.substring(nul + 1));
        });
        return out;
    }

    /** The exit code srun ends with: the highest task status. */
    public static int exitCode(List<End> ends) {
        return ends.stream().mapToInt(End::status).max().orElse(0);
    }

    /** The highest plain exit code, and the signal of a signalled task (0 when none), for sacct's "N:S". */
    public static int[] codeAndSignal(List<End> ends) {
        int code = ends.stream().mapToInt(End::exitCode).max().orElse(0);
        int sig = ends.stream().mapToInt(End::signal).max().orElse(0);
        return new int[] {code, sig};
    }

    /** "0-3,5": ascending ids as ranges. */
    public static String ranges(List<Integer> ids) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ids.size(); ) {
            int j = i;
            while (j + 1 < ids.size() && ids.get(j + 1) == ids.get(j) + 1) j++;
            if (!b.isEmpty()) b.append(',');
            b.append(ids.get(i));
            if (j > i) b.append('-').append(ids.get(j));
            i = j + 1;
        }
        return b.toString();
    }

    /** strsignal(3)'s words for the signals a task commonly dies of, as Slurm prints them. */
    public static String signalName(int sig) {
        return switch (sig) {
            case 1 -> "Hangup";
            case 2 -> "Interrupt";
            case 3 -> "Quit";
            case 4 -> "Illegal instruction";
            case 5 -> "Trace/breakpoint trap";
            case 6 -> "Aborted";
            case 7 -> "Bus error";
            case 8 -> "Floating point exception";
            case 9 -> "Killed";
            case 10 -> "User defined signal 1";
            case 11 -> "Segmentation fault";
            case 12 -> "User defined signal 2";
            case 13 -> "Broken pipe";
            case 14 -> "Alarm clock";
            case 15 -> "Terminated";
            default -> "Signal " + sig;
        };
    }
}
