package io.motley.core.job;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Slurm's --mail-type and scontrol's MailType= words: read as Slurm's parse_mail_type reads them
 * and written back as its print_mail_type does. Motley keeps the setting and shows it; it sends no
 * mail.
 */
public final class MailType {
    private MailType() {}

    /** The words in the order Slurm prints them. */
    private static final List<String> ORDER = List.of(
            "ARRAY_TASKS",
            "INVALID_DEPEND",
            "BEGIN",
            "END",
            "FAIL",
            "REQUEUE",
            "STAGE_OUT",
            "TIME_LIMIT_50",
            "TIME_LIMIT_80",
            "TIME_LIMIT_90",
            "TIME_LIMIT");

    /** What ALL stands for in Slurm 22.05. */
    private static final List<String> ALL = List.of("INVALID_DEPEND", "BEGIN", "END", "FAIL", "REQUEUE", "STAGE_OUT");

    /**
     * {@code spec} (comma-separated words in any case) as Slurm prints it: {@code NONE}, or the
     * known words in Slurm's order ({@code end,begin} gives {@code BEGIN,END}). As in Slurm, NONE
     * ends the reading and clears what came before it, and unknown words are skipped.
     *
     * @throws IllegalArgumentException when no word is known
     */
    public static String canonical(String spec) {
        if (spec == null) throw new IllegalArgumentException("no mail type");
        Set<String> set = new LinkedHashSet<>();
        boolean none = false;
        for (String word : spec.split(",")) {
            String w = word.toUpperCase(Locale.ROOT);
            if (w.equals("NONE")) {
                set.clear();
                none = true;
                break;
            }
            if (w.equals("ALL")) set.addAll(ALL);
            else if (ORDER.contains(w)) set.add(w);
        }
        if (set.isEmpty() && !none) throw new IllegalArgumentException("Invalid MailType: " + spec);
        if (set.isEmpty()) return "NONE";
        return String.join(",", ORDER.stream().filter(set::contains).toList());
    }
}
