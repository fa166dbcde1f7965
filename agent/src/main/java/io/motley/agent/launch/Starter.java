package io.motley.agent.launch;

import io.motley.agent.enforcement.ProcessTracking;
import io.motley.agent.enforcement.RootCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code motley-start} (native/motley-start.c), the build's one-exec way from the agent to a job: it joins the job's
 * cgroups, binds its CPUs, sets the umask, starts a session with slurmstepd's signals at their defaults, becomes the
 * job's user, and only then reads the job's environment, opens its output files, enters its directory and execs the
 * program. It stands for the entry script's chain (setsid, sh, taskset, setpriv, env -i, sh, and taskset again for a
 * bound task): a job or task then starts with one program of Motley's before its own instead of five or six, which is
 * most of what a trivial job or step costs the node. Where the build made none (no C compiler), the chain is used.
 *
 * <p>Everything it is told is on its command line, which the agent alone writes; the environment is in a file only
 * the agent can open ({@link #environment}), opened with the agent's rights and read with the user's.
 */
record Starter(String program) {
    private static final Logger log = LoggerFactory.getLogger(Starter.class);

    /** Where the distribution's build puts it: dist/target/bin, beside the native client. */
    static Optional<Starter> find(String dist) {
        String forced = System.getProperty("motley.starter");
        if (forced != null) return forced.isEmpty() ? Optional.empty() : usable(Path.of(forced));
        if (dist == null || dist.isEmpty()) return Optional.empty();
        return usable(Path.of(dist, "target", "bin", "motley-start"));
    }

    /**
     * {@code p} where it runs here: without arguments it answers its usage with status 2. A build for another
     * architecture (a copied distribution) or a damaged file would fail every job; the chain then serves instead.
     */
    static Optional<Starter> usable(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(abs)) return Optional.empty();
        try {
            Process probe = RootCommand.of(List.of(abs.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 2)
                return Optional.of(new Starter(abs.toString()));
            probe.destroyForcibly();
            log.warn(
                    "{} does not run here (status {}); jobs start through the entry script's programs",
                    abs,
                    probe.isAlive() ? "none" : probe.exitValue());
        } catch (IOException e) {
            log.warn("{} does not run here ({}); jobs start through the entry script's programs", abs, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /**
     * What it is to do for one job or task: {@code cpus} "" where nothing is bound; {@code who} the user it becomes
     * (nothing is dropped where {@link JobIdentity#drops} is false); {@code spoolOut}/{@code spoolErr} the agent's own
     * files its output is appended to (null: none); {@code out}/{@code err} the job's own ("": none); {@code terminal}
     * the pseudo-terminal the program runs on (srun --pty's task; null: none), and {@code winsize} the agent's file of
     * its size to take on SIGWINCH (null: none).
     */
    record Spec(
            long jobId,
            String node,
            List<Path> joinFiles,
            String cpus,
            String umask,
            Path spoolOut,
            Path spoolErr,
            JobIdentity who,
            Path envFile,
            String out,
            String err,
            boolean append,
            String workDir,
            List<String> command,
            io.motley.protocol.StepMessages.Terminal terminal,
            Path winsize) {}

    /** The argument vector that starts {@code spec}'s program. */
    List<String> words(Spec spec) {
        List<String> w = new ArrayList<>(List.of(program, "-j", Long.toString(spec.jobId())));
        spec.joinFiles().forEach(f -> w.addAll(List.of("-J", f.toString())));
        if (!spec.cpus().isEmpty()) w.addAll(List.of("-C", spec.cpus()));
        if (spec.umask() != null && spec.umask().matches("[0-7]{1,4}")) w.addAll(List.of("-m", spec.umask()));
        // a session of its own, slurmstepd's signals at their defaults: every job's and task's
        w.add("-S");
        if (spec.spoolOut() != null) w.addAll(List.of("-o", spec.spoolOut().toString()));
        if (spec.spoolErr() != null) w.addAll(List.of("-O", spec.spoolErr().toString()));
        if (spec.who().drops) {
            w.addAll(List.of("-u", Integer.toString(spec.who().uid), "-g", Integer.toString(spec.who().gid)));
            if (spec.who().initGroups != null) w.addAll(List.of("-n", spec.who().initGroups));
        }
        w.addAll(List.of("-f", spec.envFile().toString()));
        // the job's marker is in its environment from the first moment; process tracking looks for it
        w.addAll(List.of("-E", ProcessTracking.MARKER + "=" + spec.jobId(), "-E", "SLURMD_NODENAME=" + spec.node()));
        if (!spec.out().isEmpty()) w.addAll(List.of("-1", spec.out()));
        if (!spec.err().isEmpty()) w.addAll(List.of("-2", spec.err()));
        if (spec.append()) w.add("-a");
        if (spec.terminal() != null) {
            w.addAll(
                    List.of("-t", spec.terminal().rows() + "x" + spec.terminal().cols()));
            if (spec.winsize() != null) w.addAll(List.of("-w", spec.winsize().toString()));
        }
        w.addAll(List.of("-d", spec.workDir(), "--"));
        w.addAll(spec.command());
        return w;
    }

    /**
     * The job's environment as motley-start reads it: {@code NAME=VALUE} entries, each ended by a NUL byte. Any name
     * goes through (an exported bash function too, which the shell chain has to leave out), except the job's marker,
     * which is motley-start's to set.
     */
    static byte[] environment(Map<String, String> env) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        env.forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) return;
            if (name.equals(ProcessTracking.MARKER) || value.indexOf('\0') >= 0) return;
            b.writeBytes((name + "=" + value).getBytes(StandardCharsets.UTF_8));
            b.write(0);
        });
        return b.toByteArray();
    }

    /** The batch job's enter.sh, which the shepherd's subshell reads with {@code .}: it becomes motley-start. */
    static String entryScript(long jobId, List<String> words) {
        StringBuilder b = new StringBuilder("#!/bin/sh\n# Motley job ")
                .append(jobId)
                .append(": motley-start joins its containment, then becomes the job\nexec");
        words.forEach(x -> b.append(' ').append(EntryScript.quote(x)));
        return b.append(" \"$@\"\n").toString();
    }
}
