package io.motley.agent.launch;

import io.motley.agent.enforcement.ProcessTracking;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The per-job entry script ({@code enter.sh} in the job's spool): the job's first process runs it
 * with the agent's privileges to join the job's cgroups and CPUs, sets the umask and the job
 * marker, and then becomes the job: as the submitting user where privileges are dropped, who opens
 * the output files (so they are theirs, as with Slurm), changes to the working directory and
 * execs the script.
 */
final class EntryScript {
    private static final Pattern UMASK = Pattern.compile("[0-7]{1,4}");

    /** Runs as the job's user: $1 work dir, $2 script, $3 stdout file, $4 stderr file ('' = with stdout). */
    static final String AS_USER = """
            w=$1 s=$2 o=$3 e=$4
            shift 4
            if [ -z "$e" ]; then exec >"$o" 2>&1; else exec >"$o" 2>"$e"; fi
            if ! cd "$w" 2>/dev/null; then
              echo "motleystep: error: couldn't chdir to \\`$w': No such file or directory: going to /tmp instead" >&2
              cd /tmp
            fi
            exec "$s" "$@"
            """;

    private EntryScript() {}

    static String render(long jobId, List<Path> joinFiles, List<String> bindCommand, String umask, List<String> asUser,
            String workDir, String script, String out, String err) {
        StringBuilder b = new StringBuilder("#!/bin/sh\n");
        b.append("# Motley job ").append(jobId).append(": join its containment, then become the job\n");
        if (!joinFiles.isEmpty()) {
            b.append("for f in");
            joinFiles.forEach(f -> b.append(' ').append(quote(f.toString())));
            b.append("; do\n  echo $$ >\"$f\" || echo \"motley: cannot put job ").append(jobId).append(" into $f\" >&2\ndone\n");
        }
        if (!bindCommand.isEmpty()) {
            bindCommand.forEach(w -> b.append(quote(w)).append(' '));
            b.append("$$ >/dev/null || echo \"motley: cannot bind job ").append(jobId).append(" to its CPUs\" >&2\n");
        }
        if (umask != null && UMASK.matcher(umask).matches()) b.append("umask ").append(umask).append('\n');
        b.append("export ").append(ProcessTracking.MARKER).append('=').append(jobId).append('\n');
        b.append("unset MOTLEY_SETSID\n");
        b.append("exec");
        asUser.forEach(w -> b.append(' ').append(quote(w)));
        b.append(" /bin/sh -c ").append(quote(AS_USER)).append(" motley-job ");
        b.append(String.join(" ", quote(workDir), quote(script), quote(out), quote(err)));
        b.append(" \"$@\"\n");
        return b.toString();
    }

    /** Single-quotes a word for sh. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }
}
