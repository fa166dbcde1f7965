package io.motley.cli;

import io.motley.cli.client.AgentClient;
import io.motley.cli.client.AgentClient.ClusterUnreachable;
import io.motley.cli.client.AgentClient.RequestFailed;
import io.motley.cli.command.Command;
import io.motley.cli.command.Gateway;
import io.motley.cli.command.Io;
import io.motley.cli.command.Sacct;
import io.motley.cli.command.Sacctmgr;
import io.motley.cli.command.Salloc;
import io.motley.cli.command.Sbatch;
import io.motley.cli.command.Scancel;
import io.motley.cli.command.Scontrol;
import io.motley.cli.command.Sdiag;
import io.motley.cli.command.Seff;
import io.motley.cli.command.Sinfo;
import io.motley.cli.command.Sprio;
import io.motley.cli.command.Squeue;
import io.motley.cli.command.Sreport;
import io.motley.cli.command.Srun;
import io.motley.cli.command.Sshare;
import io.motley.cli.command.Sstat;
import io.motley.cli.command.Strigger;
import io.motley.cli.local.LocalCluster;
import io.motley.core.options.UsageException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of every command. The launchers call it with the command's name first
 * ({@code sbatch ...}, {@code motley up ...}); errors end as "name: error: ..." with Slurm's exit codes.
 */
public final class Main {
    private Main() {}

    /**
     * The command of this name, or null. Made on demand: a command that loaded every other one
     * (their classes, tables and formatters) would pay for them at each start.
     */
    public static Command command(String name) {
        return switch (name) {
            case "sbatch" -> new Sbatch();
            case "squeue" -> new Squeue();
            case "sinfo" -> new Sinfo();
            case "scancel" -> new Scancel();
            case "sacct" -> new Sacct();
            case "scontrol" -> new Scontrol();
            case "seff" -> new Seff();
            case "sprio" -> new Sprio();
            case "sshare" -> new Sshare();
            case "sdiag" -> new Sdiag();
            case "sstat" -> new Sstat();
            case "sacctmgr" -> new Sacctmgr();
            case "sreport" -> new Sreport();
            case "strigger" -> new Strigger();
            case "srun" -> new Srun();
            case "salloc" -> new Salloc();
            case "motley" -> new LocalCluster();
            default -> null;
        };
    }

    public static void main(String[] argv) {
        PrintStream out = new PrintStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(argv, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        return run(argv, out, err, AgentClient::connect);
    }

    /** How a command reaches the agent: its socket, or for the cache's training run one that is not there. */
    interface Connector {
        AgentClient connect() throws ClusterUnreachable;
    }

    static int run(String[] argv, PrintStream out, PrintStream err, Connector connector) {
        Command command = argv.length == 0 ? null : command(argv[0]);
        if (command == null) {
            err.println("motley: unknown command " + (argv.length == 0 ? "(none)" : argv[0]));
            return 2;
        }
        String name = argv[0];
        List<String> args = Arrays.asList(argv).subList(1, argv.length);
        AgentClient[] client = new AgentClient[1];
        Gateway gateway = req -> {
            if (client[0] == null) client[0] = connector.connect();
            return client[0].call(req);
        };
        Io io = new Io(
                out,
                err,
                System.in,
                "1".equals(System.getenv("MOTLEY_STDIN_TTY")),
                System.getenv(),
                System.getProperty("user.dir"),
                gateway,
                System.currentTimeMillis() / 1000,
                ZoneId.systemDefault(),
                hostname(java.util.Objects.requireNonNullElse(
                        System.getenv("HOSTNAME"), System.getProperty("motley.hostname", ""))),
                System.getProperty("user.name"),
                uid());
        try {
            return run(command, name, args, io);
        } finally {
            if (client[0] != null) client[0].close();
        }
    }

    /**
     * Runs {@code command} with {@code io}, turning what it throws into Slurm's messages and exit
     * codes: the same for the JVM client and for a command the agent runs for the native client.
     */
    public static int run(Command command, String name, List<String> args, Io io) {
        PrintStream err = io.err();
        try {
            return command.run(args, io);
        } catch (UsageException e) {
            err.println(name + ": " + e.getMessage());
            if (e.tryHelp()) err.println("Try \"" + name + " --help\" for more information");
            return e.exitCode();
        } catch (ClusterUnreachable e) {
            err.println(name + ": error: " + e.getMessage());
            return 1;
        } catch (RequestFailed e) {
            err.println(name + ": error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println(name + ": error: " + e);
            return 1;
        }
    }

    /**
     * The host's short name: $HOSTNAME (or the launcher's, bash's gethostname(), which it passes as motley.hostname:
     * bash does not export it), else the resolver's, up to the first dot. The resolver costs a JVM command about 10 ms
     * of start-up, and can wait on DNS.
     */
    public static String hostname(String fromEnv) {
        String h = fromEnv;
        if (h == null || h.isEmpty()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                h = "localhost";
            }
        }
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    /** The caller's uid, for "my jobs" defaults; the cluster itself learns it from the kernel. */
    private static int uid() {
        String u = System.getenv("MOTLEY_UID");
        if (u != null && !u.isEmpty()) return Integer.parseInt(u);
        try {
            return (Integer) java.nio.file.Files.getAttribute(
                    java.nio.file.Path.of(System.getProperty("user.home")), "unix:uid");
        } catch (Exception e) {
            return -1;
        }
    }
}
