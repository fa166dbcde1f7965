package io.motley.agent.launch;

import io.motley.agent.enforcement.ProcessTracking;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The per-job entry script ({@code enter.sh} in the job's spool): the job's first process (for a
 * batch job, a subshell of the shepherd, which reads it with {@code .}; for a step task, a shell of
 * its own) runs it with the agent's privileges and the agent's fixed environment to join the job's cgroups and
 * CPUs and set the umask, opens the job's environment file (the spool's {@code env}, readable by
 * the agent alone) on descriptor 3, and then becomes the job: as the submitting user where
 * privileges are dropped, with an empty environment. Only then, as the user, are the job's
 * variables read from descriptor 3, the output files opened (so they are the user's, as with
 * Slurm), the working directory entered and the script executed. Nothing of the job's
 * environment is ever in a root process, nor on a command line.
 */
final class EntryScript {
    private static final Pattern UMASK = Pattern.compile("[0-7]{1,4}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Runs as the job's user with an empty environment and the job's variables on descriptor 3:
     * $1 stdout file ('' = the descriptors the entry script opened in the agent's outbox), $2
     * stderr file ('' = with stdout), $3 work dir, $4 the script, then its
     * arguments. It keeps no variables of its own, which the job's environment could overwrite.
     * The file behind descriptor 3 cannot be opened again by the user (/dev/fd/3 would be), so
     * cat(1) reads the descriptor itself. SLURM_TASK_PID is $$, which exec keeps: the script's pid.
     */
    static final String AS_USER = """
            if [ -n "$1" ]; then if [ -z "$2" ]; then exec >"$1" 2>&1; else exec >"$1" 2>"$2"; fi; fi
            if [ -r /dev/fd/3 ]; then . /dev/fd/3; else eval "$(/bin/cat <&3)"; fi
            exec 3<&-
            export SLURM_TASK_PID=$$
            if ! cd "$3" 2>/dev/null; then
              printf '%s\\n' "motleystep: error: couldn't chdir to \\`$3': No such file or directory: going to /tmp instead" >&2
              cd /tmp
            fi
            shift 3
            exec "$@"
            """;

    /** As {@link #AS_USER}, for --open-mode=append: the output files are appended to, not truncated. */
    static final String AS_USER_APPENDING = AS_USER.replace("exec >\"$1\" 2>&1", "exec >>\"$1\" 2>&1")
            .replace("exec >\"$1\" 2>\"$2\"", "exec >>\"$1\" 2>>\"$2\"");

    private EntryScript() {}

    /**
     * The entry script of a job. {@code asUser} are the words that drop privileges (empty where
     * none are dropped); {@code envFile} is the file {@link #environment} wrote.
     */
    static String render(
            long jobId,
            String node,
            List<Path> joinFiles,
            List<String> bindCommand,
            String umask,
            List<String> asUser,
            Path envFile,
            String workDir,
            String script,
            String out,
            String err) {
        return render(
                jobId,
                node,
                joinFiles,
                bindCommand,
                umask,
                asUser,
                envFile,
                workDir,
                script,
                out,
                err,
                null,
                null,
                false);
    }

    /**
     * As above, for a job whose output goes to the agent's outbox: {@code spoolOut} (and
     * {@code spoolErr}, null for stdout's file) are opened here, with the agent's privileges, in
     * the agent's own spool, and the job inherits them; {@code out} and {@code err} are then "".
     * {@code append}: --open-mode=append, the job's own output files are appended to.
     */
    static String render(
            long jobId,
            String node,
            List<Path> joinFiles,
            List<String> bindCommand,
            String umask,
            List<String> asUser,
            Path envFile,
            String workDir,
            String script,
            String out,
            String err,
            Path spoolOut,
            Path spoolErr,
            boolean append) {
        return render(
                jobId,
                node,
                joinFiles,
                bindCommand,
                umask,
                asUser,
                envFile,
                workDir,
                script,
                out,
                err,
                spoolOut,
                spoolErr,
                append,
                null,
                false);
    }

    /**
     * As above. With {@code sourced}, the script is written to be read (with {@code .}) by a
     * subshell the shepherd forked, which becomes the job without a shell of its own: that
     * subshell's {@code $$} is the shepherd's pid, so it joins its groups by writing 0 (the
     * writer itself) and names itself for taskset from /proc/self/stat; and the job's session
     * and signal dispositions come from {@code session} on its way to the job (see {@link Session}).
     * Without it (a step's task, run as {@code sh enter.sh ARGS} by {@code session}'s words) the
     * script is a process of its own. Either way the {@code env -i} resets slurmstepd's signals
     * where {@code session} says env can; {@code session} is null where nothing is reset.
     */
    static String render(
            long jobId,
            String node,
            List<Path> joinFiles,
            List<String> bindCommand,
            String umask,
            List<String> asUser,
            Path envFile,
            String workDir,
            String script,
            String out,
            String err,
            Path spoolOut,
            Path spoolErr,
            boolean append,
            Session session,
            boolean sourced) {
        String self = sourced ? "0" : "$$";
        StringBuilder b = new StringBuilder("#!/bin/sh\n");
        b.append("# Motley job ").append(jobId).append(": join its containment, then become the job\n");
        if (!joinFiles.isEmpty()) {
            b.append("for f in");
            joinFiles.forEach(f -> b.append(' ').append(quote(f.toString())));
            b.append("; do\n  echo ")
                    .append(self)
                    .append(" >\"$f\" || echo \"motley: cannot put job ")
                    .append(jobId)
                    .append(" into $f\" >&2\ndone\n");
        }
        if (!bindCommand.isEmpty()) {
            // taskset, which exists on Linux only, where /proc/self is the reading shell
            if (sourced) b.append("read -r self _ </proc/self/stat && ");
            bindCommand.forEach(w -> b.append(quote(w)).append(' '));
            b.append(sourced ? "\"$self\"" : "$$")
                    .append(" >/dev/null || echo \"motley: cannot bind job ")
                    .append(jobId)
                    .append(" to its CPUs\" >&2\n");
        }
        if (umask != null && UMASK.matcher(umask).matches())
            b.append("umask ").append(umask).append('\n');
        if (spoolOut != null) {
            b.append("exec >>").append(quote(spoolOut.toString()));
            b.append(spoolErr == null ? " 2>&1" : " 2>>" + quote(spoolErr.toString()))
                    .append('\n');
        }
        b.append("exec");
        if (sourced) session.words().forEach(w -> b.append(' ').append(quote(w)));
        asUser.forEach(w -> b.append(' ').append(quote(w)));
        // the job's marker is there from the first moment (process tracking looks for it); the rest comes from the file
        b.append(" /usr/bin/env -i ");
        if (session != null && session.envResetsSignals())
            b.append(Session.ENV_DEFAULT_SIGNALS).append(' ');
        b.append(ProcessTracking.MARKER)
                .append('=')
                .append(jobId)
                .append(" SLURMD_NODENAME=")
                .append(quote(node));
        b.append(" /bin/sh -c ")
                .append(quote(append ? AS_USER_APPENDING : AS_USER))
                .append(" motley-job ");
        b.append(String.join(" ", quote(out), quote(err), quote(workDir), quote(script)));
        b.append(" \"$@\" 3<").append(quote(envFile.toString())).append('\n');
        return b.toString();
    }

    /**
     * The job's environment as sh reads it on descriptor 3: {@code command export NAME='value'}
     * lines ({@code command}, so that a name the shell keeps for itself, such as bash's UID or
     * dash's OPTIND, costs a message in the job's error file and not the job), then the job's
     * marker. A name sh cannot hold (an exported bash function) is left out, and the job's error
     * file says so.
     */
    static String environment(Map<String, String> env, long jobId) {
        StringBuilder b = new StringBuilder();
        env.forEach((name, value) -> {
            if (NAME.matcher(name).matches() && !name.equals(ProcessTracking.MARKER)) {
                b.append("command export ")
                        .append(name)
                        .append('=')
                        .append(quote(value))
                        .append(" || printf '%s\\n' ")
                        .append(quote("motley: the environment variable " + name + " could not be set for the job"))
                        .append(" >&2\n");
            } else if (!name.equals(ProcessTracking.MARKER)) {
                b.append("printf '%s\\n' ")
                        .append(quote("motley: the environment variable " + name
                                + " is not passed to the job: its name is not a shell variable name"))
                        .append(" >&2\n");
            }
        });
        b.append("export ")
                .append(ProcessTracking.MARKER)
                .append('=')
                .append(jobId)
                .append('\n');
        return b.toString();
    }

    /** Single-quotes a word for sh. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }
}
