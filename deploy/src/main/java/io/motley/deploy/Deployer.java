package io.motley.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs every host's {@link DeployPlan} at once, one thread per host, skipping each step whose
 * result is already there; one host's failure never stops the others.
 */
public final class Deployer {

    /** The controller's view of a node: its state, or empty while it has not registered. */
    @FunctionalInterface
    public interface Registry {
        Optional<String> state(String node) throws IOException;

        /** Asks with {@code scontrol show node} on the host itself (through its agent, as root). */
        static Registry on(Remote r, String command) {
            return node -> {
                Remote.Result res = r.run(command, null);
                return res.ok() ? ControllerView.state(res.out()) : Optional.empty();
            };
        }
    }

    /** How one host ended. */
    public record Outcome(
            Inventory.Host host,
            HostFacts facts,
            String state,
            boolean ok,
            List<String> changed,
            List<String> notes,
            long millis) {}

    private final Remote.Connector connector;
    private final Path bundle;
    private final Supplier<String> token;
    private final PrintStream progress;
    private final LongSupplier clock;
    private final Duration registerTimeout;
    private final Pause pause;

    /** Waits between two looks at the registry (a parameter so that tests need not wait). */
    @FunctionalInterface
    public interface Pause {
        void pause() throws InterruptedException;
    }

    public Deployer(
            Remote.Connector connector,
            Path bundle,
            Supplier<String> token,
            PrintStream progress,
            LongSupplier clock,
            Duration registerTimeout,
            Pause pause) {
        this.connector = connector;
        this.bundle = bundle;
        this.token = once(token);
        this.progress = progress;
        this.clock = clock;
        this.registerTimeout = registerTimeout;
        this.pause = pause;
    }

    /** One token for the whole run, made when the first host needs it (none when no host joins). */
    private static Supplier<String> once(Supplier<String> make) {
        String[] made = new String[1];
        return () -> {
            synchronized (made) {
                if (made[0] == null) made[0] = make.get();
                return made[0];
            }
        };
    }

    /** Deploys every plan, in parallel; the outcomes in the inventory's order. */
    public List<Outcome> deploy(List<DeployPlan> plans) throws InterruptedException {
        List<Future<Outcome>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (DeployPlan p : plans) futures.add(pool.submit(() -> deployOne(p)));
        }
        List<Outcome> out = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            try {
                out.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return out;
    }

    private void say(Inventory.Host h, long start, String what) {
        synchronized (progress) {
            progress.printf(
                    Locale.ROOT, "[%5.1fs] %-12s %s%n", (clock.getAsLong() - start) / 1000.0, h.nodeName(), what);
        }
    }

    Outcome deployOne(DeployPlan plan) {
        Inventory.Host h = plan.host();
        long start = clock.getAsLong();
        List<String> changed = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        HostFacts facts = null;
        say(h, start, "connecting to " + h.user() + "@" + h.host() + ":" + h.port());
        try (Remote r = connector.connect(h)) {
            for (DeployPlan.Step s : plan.steps()) {
                switch (s.kind()) {
                    case CHECK -> {
                        Remote.Result probe = r.run(s.command(), null);
                        facts = HostFacts.parse(probe.out());
                        say(
                                h,
                                start,
                                "check: " + facts.os() + " " + facts.arch() + ", " + facts.cpus() + " CPUs, "
                                        + facts.memoryMb() + " MB, " + facts.gpus() + " GPUs, Java "
                                        + (facts.javaVersion().isEmpty() ? "none" : facts.javaVersion()));
                        Optional<String> missing = facts.missing();
                        if (missing.isPresent())
                            return fail(h, facts, "missing: " + missing.get(), changed, notes, start);
                    }
                    case COPY -> {
                        if (r.run(s.skipWhen(), null).ok()) {
                            say(h, start, "copy: the bundle is there (same checksum)");
                            continue;
                        }
                        say(h, start, "copy: sending the bundle (" + Files.size(bundle) / (1024 * 1024) + " MiB)");
                        Remote.Result copied;
                        try (InputStream in = Files.newInputStream(bundle)) {
                            copied = r.run(s.command(), in);
                        }
                        if (!copied.ok()) return fail(h, facts, "copy failed: " + tail(copied), changed, notes, start);
                        changed.add("bundle copied");
                    }
                    case JOIN -> {
                        if (r.run(s.skipWhen(), null).ok()) {
                            say(h, start, "join: already joined (its node certificate is there)");
                            continue;
                        }
                        say(h, start, "join: enrolling as node " + h.nodeName());
                        Remote.Result joined = r.run(s.command().replace("TOKEN", token.get()), null);
                        if (!joined.ok()) return fail(h, facts, "join failed: " + tail(joined), changed, notes, start);
                        changed.add("joined");
                    }
                    case START -> {
                        if (r.run(s.skipWhen(), null).ok()) {
                            say(h, start, "start: the agent already runs");
                            continue;
                        }
                        Remote.Result started = r.run(s.command(), null);
                        if (!started.ok())
                            return fail(h, facts, "start failed: " + tail(started), changed, notes, start);
                        if (started.out().contains("started-directly")) {
                            notes.add("no service manager: agent started directly, not restarted after a reboot");
                            say(
                                    h,
                                    start,
                                    "start: no service manager here, agent started directly"
                                            + " (it will not come back after a reboot)");
                        } else say(h, start, "start: service installed (motley service install agent)");
                        changed.add("agent started");
                    }
                    case WAIT -> {
                        say(h, start, "wait: for node " + h.nodeName() + " to register");
                        Optional<String> state = waitRegistered(Registry.on(r, s.command()), h.nodeName());
                        if (state.isEmpty())
                            return fail(
                                    h,
                                    facts,
                                    "node did not register within " + registerTimeout.toSeconds() + " s",
                                    changed,
                                    notes,
                                    start);
                        say(
                                h,
                                start,
                                "done: node " + h.nodeName() + " is " + state.get()
                                        + (changed.isEmpty() ? " (nothing changed)" : ""));
                        return new Outcome(
                                h,
                                facts,
                                state.get(),
                                true,
                                List.copyOf(changed),
                                List.copyOf(notes),
                                clock.getAsLong() - start);
                    }
                }
            }
            throw new IllegalStateException("a plan without a wait step");
        } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
            return fail(h, facts, e.getMessage(), changed, notes, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(h, facts, "interrupted", changed, notes, start);
        }
    }

    private Optional<String> waitRegistered(Registry registry, String node) throws IOException, InterruptedException {
        long deadline = clock.getAsLong() + registerTimeout.toMillis();
        while (true) {
            Optional<String> state = registry.state(node);
            if (state.isPresent() && registered(state.get())) return state;
            if (clock.getAsLong() >= deadline) return Optional.empty();
            pause.pause();
        }
    }

    /** A node the controller hears from: not (only) DOWN, UNKNOWN or NOT_RESPONDING. */
    static boolean registered(String state) {
        String s = state.toUpperCase(Locale.ROOT);
        return !(s.startsWith("DOWN") || s.startsWith("UNKNOWN") || s.contains("NOT_RESPONDING") || s.endsWith("*"));
    }

    private Outcome fail(
            Inventory.Host h, HostFacts facts, String why, List<String> changed, List<String> notes, long start) {
        say(h, start, "FAILED: " + why);
        return new Outcome(h, facts, why, false, List.copyOf(changed), List.copyOf(notes), clock.getAsLong() - start);
    }

    private static String tail(Remote.Result r) {
        String text = (r.err().isBlank() ? r.out() : r.err()).strip();
        String[] lines = text.split("\n");
        return "exit " + r.status() + (text.isEmpty() ? "" : ": " + lines[lines.length - 1]);
    }

    /** The final table: host, OS/arch, CPUs, memory, GPUs, containment, state, time. */
    public static String table(List<Outcome> outcomes) {
        StringBuilder b = new StringBuilder();
        String fmt = "%-14s %-18s %-14s %4s %8s %4s %-11s %7s  %s%n";
        b.append(String.format(
                Locale.ROOT, fmt, "NODE", "HOST", "OS/ARCH", "CPUS", "MEMORY", "GPUS", "CONTAINMENT", "TIME", "STATE"));
        for (Outcome o : outcomes) {
            HostFacts f = o.facts();
            b.append(String.format(
                    Locale.ROOT,
                    fmt,
                    o.host().nodeName(),
                    o.host().host(),
                    f == null ? "-" : f.os() + "/" + f.arch(),
                    f == null ? "-" : String.valueOf(f.cpus()),
                    f == null ? "-" : f.memoryMb() + "M",
                    f == null ? "-" : String.valueOf(f.gpus()),
                    f == null ? "-" : f.os().equals("Linux") && f.cgroup2() ? "cgroup2" : "process",
                    String.format(Locale.ROOT, "%.1fs", o.millis() / 1000.0),
                    (o.ok() ? o.state() : "FAILED: " + o.state())
                            + (o.ok()
                                    ? (o.changed().isEmpty()
                                            ? " (unchanged)"
                                            : " (" + String.join(", ", o.changed()) + ")")
                                    : "")));
        }
        return b.toString();
    }
}
