package io.motley.cli.hosted;

import io.motley.cli.Main;
import io.motley.cli.client.AgentClient;
import io.motley.cli.command.Command;
import io.motley.cli.command.Gateway;
import io.motley.cli.command.Io;
import io.motley.cli.command.Srun;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.local.CommandHost;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Runs the Slurm-named commands inside the agent for the native client ({@link CommandHost}): the
 * same command code as the JVM client, with the client's arguments, environment and working
 * directory, its files and standard input read by the client itself, and the identity the kernel
 * gave the agent's socket.
 */
public final class HostedCommands implements CommandHost {
    /**
     * The commands the agent runs. Each one reaches the caller's files only through {@link
     * Io#files()} and its input only through {@link Io#in()}; a command is added here only once that
     * holds for it, and its Ctrl-C only through {@link Io#interrupts()}. The others (motley's verbs,
     * salloc, and srun where {@link Srun#whyInJvm} says) run in the JVM client.
     */
    public static final Set<String> SERVED = Set.of(
            "srun",
            "sbatch",
            "squeue",
            "sinfo",
            "scancel",
            "sacct",
            "scontrol",
            "seff",
            "sprio",
            "sshare",
            "sdiag",
            "sstat",
            "sacctmgr",
            "sreport",
            "strigger");

    private final Function<String, Command> commands;
    private final LongSupplier nowSeconds;
    private final ZoneId fixedZone;
    private final String fixedHostname;

    /** For the {@link java.util.ServiceLoader}: the real clock, the caller's zone and host name. */
    public HostedCommands() {
        this(Main::command, () -> System.currentTimeMillis() / 1000, null, null);
    }

    /**
     * Given commands, clock, zone and host name (null: the caller's), so that tests can run the same
     * command on both paths and compare what it printed.
     */
    public HostedCommands(Function<String, Command> commands, LongSupplier nowSeconds, ZoneId zone, String hostname) {
        this.commands = commands;
        this.nowSeconds = nowSeconds;
        this.fixedZone = zone;
        this.fixedHostname = hostname;
    }

    @Override
    public void serve(Frame start, Caller caller, Client client, UnaryOperator<Frame> relay) throws IOException {
        List<String> argv = argv(start);
        String refusal = refusal(start, argv);
        if (refusal != null) {
            client.write(Frame.op("jvm").put("reason", refusal));
            return;
        }
        Map<String, String> env = env(start);
        String name = argv.get(0);
        Command command = commands.apply(name);
        try (ClientChannel channel = ClientChannel.open(client)) {
            PrintStream out = new PrintStream(channel.out(), false, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(channel.err(), true, StandardCharsets.UTF_8);
            Gateway gateway = req -> {
                // the command waits on the cluster now: what it printed so far goes out first, as it would from its own
                // process
                out.flush();
                return AgentClient.answer(relay.apply(req));
            };
            Io io = new Io(
                    out,
                    err,
                    channel.in(),
                    "1".equals(env.get("MOTLEY_STDIN_TTY")),
                    env,
                    start.str("cwd", "/"),
                    gateway,
                    nowSeconds.getAsLong(),
                    fixedZone != null ? fixedZone : zone(env.get("TZ")),
                    fixedHostname != null ? fixedHostname : Main.hostname(env.get("HOSTNAME")),
                    caller.user(),
                    caller.uid(),
                    channel.files(),
                    channel.interrupts());
            int code = Main.run(command, name, argv.subList(1, argv.size()), io);
            out.flush();
            err.flush();
            channel.exit(code);
        }
    }

    /** Why this session's command runs in the JVM client instead, or null when it runs here. */
    static String refusal(Frame start, List<String> argv) {
        if (start.integer("v", 0) != VERSION) return "session version " + start.str("v") + " is not " + VERSION;
        if (argv.isEmpty()) return "no command";
        String name = argv.get(0);
        if (!SERVED.contains(name)) return name + " is not run by the agent";
        // scontrol with no command on its line reads commands from its input: interactive
        if (name.equals("scontrol") && argv.stream().skip(1).allMatch(a -> a.startsWith("-"))) {
            return "interactive scontrol";
        }
        if (name.equals("srun")) return Srun.whyInJvm(argv.subList(1, argv.size()), env(start));
        return null;
    }

    static List<String> argv(Frame start) {
        List<String> argv = new ArrayList<>();
        if (start.children().isEmpty()) return argv;
        Frame f = start.children().get(0);
        for (int i = 0; f.has(Integer.toString(i)); i++) argv.add(f.str(Integer.toString(i)));
        return argv;
    }

    static Map<String, String> env(Frame start) {
        if (start.children().size() < 2) return Map.of();
        // a hash map, as System.getenv() is, so that what iterates it (sbatch's export) sees one order on both paths
        return java.util.Collections.unmodifiableMap(
                new java.util.HashMap<>(start.children().get(1).fields()));
    }

    /** The zone the JVM client would take from TZ (a leading colon and the zoneinfo directory dropped; an unknown zone is GMT). */
    static ZoneId zone(String tz) {
        if (tz == null || tz.isEmpty()) return ZoneId.systemDefault();
        String id = tz.startsWith(":") ? tz.substring(1) : tz;
        String dir = "/usr/share/zoneinfo/";
        if (id.startsWith(dir)) id = id.substring(dir.length());
        return TimeZone.getTimeZone(id).toZoneId();
    }
}
