package io.motley.cli;

import io.motley.cli.client.AgentClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the JVM client's ahead-of-time cache (scripts/cli-aot-cache, JDK 25+): the
 * commands users and workflow tools run most, each once as typed, against an agent socket that is
 * not there. Each parses its options and builds its request before it finds no agent, so its
 * classes are loaded, linked and profiled into the cache, and none can reach a cluster. A command
 * left out of the training starts with its own classes read from the jars (squeue took half as
 * much CPU again with a cache trained on sbatch alone), and every class of a cache is loaded at
 * each start, used or not, so sbatch, which scripts run in loops, has a cache of its own.
 */
public final class AotTraining {
    private AotTraining() {}

    /** The command lines trained, in the order they run. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("sbatch", "--wrap", "true"),
            List.of("squeue"),
            List.of("squeue", "-u", "root", "-t", "PD", "-o", "%i %T"),
            List.of("sinfo"),
            List.of("sinfo", "-N", "-h"),
            List.of("scancel", "1"),
            List.of("sacct", "-j", "1"),
            List.of("scontrol", "show", "job", "1"),
            List.of("scontrol", "show", "node"),
            List.of("srun", "true"),
            List.of("salloc", "true"),
            List.of("sstat", "-j", "1"),
            List.of("seff", "1"),
            List.of("sprio"),
            List.of("sshare"),
            List.of("sdiag"));

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("motley-aot-training");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        List<String> failed;
        try {
            failed = train(COMMANDS, dir.resolve("agent.sock"), discard);
        } finally {
            Files.delete(dir);
        }
        for (String f : failed)
            System.err.println("cli-aot-cache: the training of `" + f + "` did not reach the agent");
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    /**
     * Runs every command line of {@code commands} with {@code socket} as the agent's, which must not
     * exist, and their output to {@code out}; returns those that did not end in the "no agent"
     * error (a command line the options refused, or one that needed more than the agent).
     */
    static List<String> train(List<List<String>> commands, Path socket, PrintStream out) {
        if (Files.exists(socket)) throw new IllegalArgumentException("the training's socket exists: " + socket);
        List<String> failed = new ArrayList<>();
        for (List<String> argv : commands) {
            var err = new java.io.ByteArrayOutputStream();
            int rc = Main.run(
                    argv.toArray(String[]::new),
                    out,
                    new PrintStream(err, true, StandardCharsets.UTF_8),
                    () -> AgentClient.connectTo(socket));
            if (rc != 1 || !err.toString(StandardCharsets.UTF_8).contains("no Motley agent is running"))
                failed.add(String.join(" ", argv));
        }
        return failed;
    }
}
