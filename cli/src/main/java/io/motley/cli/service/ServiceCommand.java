package io.motley.cli.service;

import io.motley.cli.command.Command;
import io.motley.cli.command.Io;
import io.motley.cli.service.ServiceFiles.Role;
import io.motley.cli.service.ServiceFiles.Settings;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code motley service install|uninstall|status [controller|agent]}: the daemons as services that
 * start at boot and restart after a crash (systemd on Linux, launchd on macOS, printed steps
 * elsewhere). See docs/services.md.
 */
public final class ServiceCommand implements Command {

    /** The service managers Motley writes for. */
    public enum Manager {
        SYSTEMD,
        LAUNCHD,
        NONE
    }

    /**
     * What the command touches on this host: which manager runs, where its files go, and how its
     * tool is run (absolute paths, a fixed environment: this runs as root).
     */
    public record Host(Manager manager, boolean linux, Path unitDir, Path launchdDir, Runner runner) {
        /** This machine: systemd when /run/systemd/system exists (its own test), launchd on macOS. */
        public static Host current() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            boolean mac = os.contains("mac");
            boolean linux = os.contains("linux");
            Manager m = mac
                    ? Manager.LAUNCHD
                    : linux && Files.isDirectory(Path.of("/run/systemd/system")) ? Manager.SYSTEMD : Manager.NONE;
            return new Host(
                    m, linux, Path.of("/etc/systemd/system"), Path.of("/Library/LaunchDaemons"), ServiceCommand::exec);
        }
    }

    /** Runs a service manager's command: its exit code and what it printed. */
    @FunctionalInterface
    public interface Runner {
        Ran run(List<String> command) throws IOException, InterruptedException;
    }

    public record Ran(int code, String output) {}

    private static final GetOpt OPTIONS = new GetOpt(
            "motley service",
            List.of(
                    OptionSpec.flag('\0', "print"),
                    OptionSpec.value('\0', "user"),
                    OptionSpec.value('\0', "home"),
                    OptionSpec.value('\0', "controller"),
                    OptionSpec.value('\0', "name"),
                    OptionSpec.value('\0', "cpus"),
                    OptionSpec.value('\0', "mem"),
                    OptionSpec.value('\0', "core-spec"),
                    OptionSpec.value('\0', "mem-spec"),
                    OptionSpec.value('\0', "gpus"),
                    OptionSpec.flag('h', "help")),
            false,
            2);

    static final String HELP = """
            usage: motley service install controller|agent [--print] [--user USER] [--home DIR] [--controller HOST:PORT] [--name NODE]
                                                [--cpus N] [--mem SIZE] [--core-spec N] [--mem-spec SIZE] [--gpus all|none|0,1]
                   motley service uninstall controller|agent
                   motley service status [controller|agent]
              install    writes and enables the service (systemd unit on Linux, launchd plist on macOS;
                         elsewhere prints the steps, as for a QNAP NAS's autorun.sh); needs root
              --print    shows the file without installing (on Linux the systemd unit, even where systemd does not run)
              --user     the account the daemon runs as (default root; an agent that is not root runs every job as that user)
              --home     the daemon's MOTLEY_HOME (default: $MOTLEY_HOME, else /var/lib/motley)
              --controller HOST:PORT   where an agent finds its controller (required for an agent)
              --cpus, --mem, --core-spec, --mem-spec, --gpus   the node's settings, passed to the agent as
                         `motley agent` takes them (default: what the agent detects; motley deploy passes the inventory's)
            See docs/services.md.""";

    private final Host host;

    public ServiceCommand() {
        this(Host.current());
    }

    public ServiceCommand(Host host) {
        this.host = host;
    }

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = OPTIONS.parse(args);
        if (p.has("help") || p.operands().isEmpty()) {
            io.out().println(HELP);
            return p.has("help") ? 0 : 2;
        }
        String verb = p.operands().get(0);
        List<String> rest = p.operands().subList(1, p.operands().size());
        if (rest.size() > 1) throw new UsageException("error: unexpected argument '" + rest.get(1) + "'", 2, false);
        Role role = rest.isEmpty() ? null : role(rest.get(0));
        return switch (verb) {
            case "install" -> install(needRole(role, verb), p, io);
            case "uninstall" -> uninstall(needRole(role, verb), io);
            case "status" -> {
                int worst = 0;
                for (Role r : role == null ? List.of(Role.CONTROLLER, Role.AGENT) : List.of(role))
                    worst = Math.max(worst, status(r, p, io));
                yield worst;
            }
            default ->
                throw new UsageException(
                        "error: unknown service command '" + verb + "' (install, uninstall, status)", 2, false);
        };
    }

    private static Role role(String word) {
        return switch (word) {
            case "controller" -> Role.CONTROLLER;
            case "agent" -> Role.AGENT;
            default -> throw new UsageException("error: '" + word + "' is not controller or agent", 2, false);
        };
    }

    private static Role needRole(Role role, String verb) {
        if (role == null)
            throw new UsageException("error: which service? motley service " + verb + " controller|agent", 2, false);
        return role;
    }

    /** The settings for {@code role} from the options, the environment and this launcher. */
    static Settings settings(Role role, GetOpt.Parsed p, Io io) {
        String dist = io.env().get("MOTLEY_DIST");
        if (dist == null || dist.isEmpty())
            throw new UsageException("error: MOTLEY_DIST is not set; run motley through its launcher", 2, false);
        String envHome = io.env().get("MOTLEY_HOME");
        String home =
                p.has("home") ? p.last("home") : envHome != null && !envHome.isEmpty() ? envHome : "/var/lib/motley";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            return new Settings(
                    role,
                    Path.of(dist)
                            .toAbsolutePath()
                            .normalize()
                            .resolve("bin/motley")
                            .toString(),
                    java,
                    Path.of(home).toAbsolutePath().normalize().toString(),
                    p.has("user") ? p.last("user") : "root",
                    p.has("controller") ? p.last("controller") : null,
                    p.has("name") ? p.last("name") : null,
                    nodeSettings(p));
        } catch (IllegalArgumentException e) {
            throw new UsageException("error: " + e.getMessage(), 1, false);
        }
    }

    /** The agent's options that carry the node's settings, in a fixed order, as given. */
    static List<String> nodeSettings(GetOpt.Parsed p) {
        List<String> out = new ArrayList<>();
        for (String option : List.of("cpus", "mem", "core-spec", "mem-spec", "gpus")) {
            if (p.has(option)) {
                out.add("--" + option);
                out.add(p.last(option));
            }
        }
        return out;
    }

    private int install(Role role, GetOpt.Parsed p, Io io) throws Exception {
        Settings s = settings(role, p, io);
        if (p.has("print")) {
            // on Linux the unit, whether or not systemd runs here (a container, a test bed)
            io.out()
                    .print(
                            host.manager() == Manager.LAUNCHD
                                    ? ServiceFiles.launchdPlist(s)
                                    : host.linux() || host.manager() == Manager.SYSTEMD
                                            ? ServiceFiles.systemdUnit(s)
                                            : ServiceFiles.manualSteps(s));
            return 0;
        }
        switch (host.manager()) {
            case SYSTEMD -> {
                Path unit = host.unitDir().resolve(ServiceFiles.unitName(role));
                writeRootFile(unit, ServiceFiles.systemdUnit(s));
                io.out().println("wrote " + unit);
                if (!manage(io, List.of(systemctl(), "daemon-reload"))) return 1;
                if (!manage(io, List.of(systemctl(), "enable", "--now", ServiceFiles.unitName(role)))) return 1;
                io.out()
                        .println("enabled and started " + ServiceFiles.unitName(role) + " (journalctl -u "
                                + ServiceFiles.unitName(role) + " shows its log)");
                return 0;
            }
            case LAUNCHD -> {
                Path plist = host.launchdDir().resolve(ServiceFiles.launchdLabel(role) + ".plist");
                writeRootFile(plist, ServiceFiles.launchdPlist(s));
                io.out().println("wrote " + plist);
                if (!manage(io, List.of("/bin/launchctl", "bootstrap", "system", plist.toString()))) return 1;
                io.out()
                        .println(
                                "loaded " + ServiceFiles.launchdLabel(role) + " (it starts at boot and after a crash)");
                return 0;
            }
            case NONE -> {
                io.out().print(ServiceFiles.manualSteps(s));
                return 0;
            }
        }
        throw new IllegalStateException();
    }

    private int uninstall(Role role, Io io) throws Exception {
        switch (host.manager()) {
            case SYSTEMD -> {
                Path unit = host.unitDir().resolve(ServiceFiles.unitName(role));
                if (!Files.exists(unit)) {
                    io.out().println(ServiceFiles.unitName(role) + " is not installed (no " + unit + ")");
                    return 0;
                }
                if (!manage(io, List.of(systemctl(), "disable", "--now", ServiceFiles.unitName(role)))) return 1;
                Files.delete(unit);
                if (!manage(io, List.of(systemctl(), "daemon-reload"))) return 1;
                io.out()
                        .println("stopped, disabled and removed " + unit
                                + (role == Role.AGENT ? " (running jobs were left running)" : ""));
                return 0;
            }
            case LAUNCHD -> {
                Path plist = host.launchdDir().resolve(ServiceFiles.launchdLabel(role) + ".plist");
                if (!Files.exists(plist)) {
                    io.out().println(ServiceFiles.launchdLabel(role) + " is not installed (no " + plist + ")");
                    return 0;
                }
                if (!manage(io, List.of("/bin/launchctl", "bootout", "system/" + ServiceFiles.launchdLabel(role))))
                    return 1;
                Files.delete(plist);
                io.out().println("unloaded and removed " + plist);
                return 0;
            }
            case NONE -> {
                io.out()
                        .println("no service manager here: remove the " + role.word()
                                + "'s line from autorun.sh (or wherever it was added) yourself");
                return 0;
            }
        }
        throw new IllegalStateException();
    }

    private int status(Role role, GetOpt.Parsed p, Io io) throws Exception {
        switch (host.manager()) {
            case SYSTEMD -> {
                String unit = ServiceFiles.unitName(role);
                if (!Files.exists(host.unitDir().resolve(unit))) {
                    io.out()
                            .println(role.word() + ": not installed (no "
                                    + host.unitDir().resolve(unit) + ")");
                    return 3;
                }
                Ran enabled = host.runner().run(List.of(systemctl(), "is-enabled", unit));
                Ran active = host.runner().run(List.of(systemctl(), "is-active", unit));
                io.out()
                        .println(role.word() + ": " + unit + " "
                                + active.output().strip() + ", "
                                + enabled.output().strip());
                return active.code() == 0 ? 0 : 3;
            }
            case LAUNCHD -> {
                String label = ServiceFiles.launchdLabel(role);
                Ran r = host.runner().run(List.of("/bin/launchctl", "print", "system/" + label));
                boolean running = r.code() == 0 && r.output().contains("state = running");
                io.out()
                        .println(role.word() + ": " + label + " "
                                + (r.code() != 0 ? "not loaded" : running ? "running" : "loaded, not running"));
                return running ? 0 : 3;
            }
            case NONE -> {
                Path home = Path.of(settingsHome(p, io));
                List<Long> pids = livePids(home, role);
                io.out()
                        .println(role.word() + ": no service manager on this host; "
                                + (pids.isEmpty()
                                        ? "not running (no live pid file in " + home.resolve("run") + ")"
                                        : "running, pid " + pids));
                return pids.isEmpty() ? 3 : 0;
            }
        }
        throw new IllegalStateException();
    }

    private static String settingsHome(GetOpt.Parsed p, Io io) {
        if (p.has("home")) return p.last("home");
        String h = io.env().get("MOTLEY_HOME");
        return h != null && !h.isEmpty() ? h : "/var/lib/motley";
    }

    private static List<Long> livePids(Path home, Role role) throws IOException {
        List<Long> pids = new ArrayList<>();
        Path run = home.resolve("run");
        if (!Files.isDirectory(run)) return pids;
        String prefix = role == Role.CONTROLLER ? "controller" : "agent-";
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".pid")
                        || !(role == Role.CONTROLLER ? n.equals("controller.pid") : n.startsWith(prefix))) continue;
                try {
                    long pid = Long.parseLong(Files.readString(f).strip());
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) pids.add(pid);
                } catch (NumberFormatException | IOException e) {
                    // a pid file being written or removed: not a live daemon
                }
            }
        }
        return pids;
    }

    private String systemctl() {
        return Files.isExecutable(Path.of("/usr/bin/systemctl")) ? "/usr/bin/systemctl" : "/bin/systemctl";
    }

    private boolean manage(Io io, List<String> command) throws IOException, InterruptedException {
        Ran r = host.runner().run(command);
        if (r.code() != 0) {
            io.err()
                    .println("motley: error: " + String.join(" ", command) + " failed (exit " + r.code() + ")"
                            + (r.output().isBlank() ? "" : ": " + r.output().strip()));
            return false;
        }
        return true;
    }

    /** Writes a root-owned 0644 file through a temporary beside it (no partial unit is ever read). */
    private static void writeRootFile(Path target, String text) throws IOException {
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) throw new IOException(dir + " does not exist");
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Runs a service manager's tool with a fixed environment; at most 60 s. */
    static Ran exec(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LANG", "C");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process proc = pb.start();
        byte[] out = proc.getInputStream().readAllBytes();
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            return new Ran(124, command.get(0) + " did not finish in 60 s");
        }
        return new Ran(proc.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
