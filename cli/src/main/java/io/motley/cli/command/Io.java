package io.motley.cli.command;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.Map;

/**
 * Everything a command touches outside itself: streams, environment, working directory, the
 * cluster, the clock, the caller's files and its Ctrl-C. Passing it in keeps the commands testable
 * without processes or sockets, and lets the agent run them for the native client.
 */
public record Io(
        PrintStream out,
        PrintStream err,
        InputStream in,
        boolean stdinIsTerminal,
        Map<String, String> env,
        String cwd,
        Gateway gateway,
        long nowSeconds,
        ZoneId zone,
        String hostname,
        String userName,
        int uid,
        CallerFiles files,
        Interrupts interrupts) {

    /** An Io whose Ctrl-C is this JVM's own. */
    public Io(
            PrintStream out,
            PrintStream err,
            InputStream in,
            boolean stdinIsTerminal,
            Map<String, String> env,
            String cwd,
            Gateway gateway,
            long nowSeconds,
            ZoneId zone,
            String hostname,
            String userName,
            int uid,
            CallerFiles files) {
        this(
                out,
                err,
                in,
                stdinIsTerminal,
                env,
                cwd,
                gateway,
                nowSeconds,
                zone,
                hostname,
                userName,
                uid,
                files,
                Interrupts.JVM);
    }

    /**
     * Whether the agent runs this command for the native client: then it reaches the caller's files,
     * input and Ctrl-C only through this Io, and starts no process and opens no path as itself.
     */
    public boolean hosted() {
        return files != CallerFiles.DIRECT;
    }

    /** An Io whose files are this process's own (the JVM client, tests). */
    public Io(
            PrintStream out,
            PrintStream err,
            InputStream in,
            boolean stdinIsTerminal,
            Map<String, String> env,
            String cwd,
            Gateway gateway,
            long nowSeconds,
            ZoneId zone,
            String hostname,
            String userName,
            int uid) {
        this(
                out,
                err,
                in,
                stdinIsTerminal,
                env,
                cwd,
                gateway,
                nowSeconds,
                zone,
                hostname,
                userName,
                uid,
                CallerFiles.DIRECT);
    }

    /** This Io with {@code env} for its environment (a command run inside a job it made). */
    public Io withEnv(Map<String, String> env) {
        return copy(env, nowSeconds);
    }

    /** This Io as it is {@code seconds} later. */
    public Io later(long seconds) {
        return copy(env, nowSeconds + seconds);
    }

    private Io copy(Map<String, String> environment, long now) {
        return new Io(
                out,
                err,
                in,
                stdinIsTerminal,
                environment,
                cwd,
                gateway,
                now,
                zone,
                hostname,
                userName,
                uid,
                files,
                interrupts);
    }
}
