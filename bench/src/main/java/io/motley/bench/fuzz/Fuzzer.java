package io.motley.bench.fuzz;

import io.motley.bench.fuzz.Report.Finding;
import io.motley.bench.fuzz.Report.Kind;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a {@link Target} on a stream of inputs from one seed (the same seed gives the same inputs)
 * and sorts every outcome into accepted, refused, known crash or crash. Each call is measured in
 * CPU time and bytes allocated by its thread, so a call that loops or allocates from a tiny input is
 * a crash too; a watchdog reports a call that never returns.
 */
public final class Fuzzer {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Fuzzer() {}

    /**
     * Bounds of one run.
     *
     * @param maxInputs stop after this many inputs (Long.MAX_VALUE: no bound)
     * @param maxTime stop after this long (null: no bound)
     * @param slowCall CPU time a call on a small input may take; an input of n elements gets 10 µs more per element
     * @param maxAllocatedBytes bytes a call on a small input may allocate; an input of n elements gets 256 bytes more per element
     * @param hang wall time after which a call that has not returned is reported and the run ends
     * @param stopAtFirstCrash end at the first crash (the suite) or keep counting distinct crashes (bench/fuzz)
     */
    public record Settings(
            long seed,
            long maxInputs,
            Duration maxTime,
            Duration slowCall,
            long maxAllocatedBytes,
            Duration hang,
            boolean stopAtFirstCrash) {

        /** A bounded number of inputs, stopping at the first crash: what the test suite runs. */
        public static Settings inputs(long seed, long inputs) {
            return new Settings(seed, inputs, null, Duration.ofSeconds(1), 256L << 20, Duration.ofSeconds(20), true);
        }

        /** A bounded time, counting every distinct crash: what bench/fuzz runs. */
        public static Settings time(long seed, Duration time) {
            return new Settings(
                    seed, Long.MAX_VALUE, time, Duration.ofSeconds(1), 256L << 20, Duration.ofSeconds(20), false);
        }
    }

    public static <I> Report run(Target<I> target, Settings settings) {
        Run<I> run = new Run<>(target, settings);
        Thread worker = new Thread(run::loop, "fuzz-" + target.name());
        worker.setDaemon(true);
        worker.start();
        try {
            while (worker.isAlive()) {
                worker.join(100);
                long started = run.callStarted;
                if (started != 0
                        && System.nanoTime() - started > settings.hang().toNanos()) {
                    // The call cannot be stopped; report it and leave the daemon thread behind.
                    run.hung();
                    worker.interrupt();
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.stop = true;
        }
        return run.report();
    }

    /** One target's run: the loop runs on a worker thread, the watchdog reads its progress. */
    private static final class Run<I> {
        final Target<I> target;
        final Settings settings;
        final Random rnd;
        final long startNanos = System.nanoTime();
        final Map<String, Finding> crashes = new LinkedHashMap<>();
        final Map<String, Long> known = new LinkedHashMap<>();
        volatile long callStarted;
        volatile I current;
        volatile boolean stop;
        long tried;
        long accepted;
        long refused;
        long slowest;
        long mostAllocated;
        int largest;
        boolean hung;

        Run(Target<I> target, Settings settings) {
            this.target = target;
            this.settings = settings;
            this.rnd = new Random(settings.seed() * 31 + target.name().hashCode());
        }

        void loop() {
            long deadline = settings.maxTime() == null
                    ? Long.MAX_VALUE
                    : startNanos + settings.maxTime().toNanos();
            while (!stop && tried < settings.maxInputs() && System.nanoTime() < deadline) {
                I input = target.inputs().next(rnd);
                int size = target.shape().size(input);
                Outcome o = call(input);
                if (stop) break;
                synchronized (this) {
                    tried++;
                    largest = Math.max(largest, size);
                    slowest = Math.max(slowest, o.cpuNanos);
                    mostAllocated = Math.max(mostAllocated, o.allocated);
                }
                Crash crash = judge(o);
                if (crash == null && o.parseThrew == null && o.checkThrew == null) {
                    target.inputs().accepted(input, rnd);
                }
                if (crash == null && o.cpuNanos > slowLimit(size)) {
                    // Measured twice so that a GC pause or a busy machine is not reported as a slow parser.
                    Outcome again = call(input);
                    if (again.cpuNanos > slowLimit(size)) {
                        crash = new Crash(
                                Kind.SLOW,
                                "call took " + Math.min(o.cpuNanos, again.cpuNanos) / 1_000_000 + " ms CPU",
                                null);
                    }
                }
                if (crash == null && o.allocated > allocationLimit(size)) {
                    crash = new Crash(Kind.ALLOCATION, "call allocated " + (o.allocated >> 20) + " MiB", null);
                }
                if (crash != null) {
                    // Shrunk the first time only; later inputs that crash the same way just count.
                    boolean shrinkable = crash.kind == Kind.EXCEPTION || crash.kind == Kind.PROPERTY;
                    record(crash, shrinkable && isNew(crash) ? shrink(input, crash) : input);
                    if (settings.stopAtFirstCrash()) break;
                }
            }
        }

        /** Counts the outcome; returns the crash, or null for an accepted input, a refusal or a known crash. */
        Crash judge(Outcome o) {
            Crash crash = crashOf(o);
            synchronized (this) {
                if (o.parseThrew == null) {
                    accepted++;
                } else if (target.refusal().test(o.parseThrew)) {
                    refused++;
                }
                Target.Known k = knownOf(o);
                if (k != null) known.merge(k.why(), 1L, Long::sum);
            }
            return crash;
        }

        /** The crash an outcome is, or null. */
        Crash crashOf(Outcome o) {
            if (knownOf(o) != null) return null;
            if (o.parseThrew != null) {
                if (target.refusal().test(o.parseThrew)) return null;
                return new Crash(Kind.EXCEPTION, null, o.parseThrew);
            }
            if (o.checkThrew != null) {
                return new Crash(
                        o.checkThrew instanceof PropertyViolation ? Kind.PROPERTY : Kind.EXCEPTION, null, o.checkThrew);
            }
            return null;
        }

        Target.Known knownOf(Outcome o) {
            Throwable t = o.parseThrew != null ? o.parseThrew : o.checkThrew;
            if (t == null || (o.parseThrew != null && target.refusal().test(t))) return null;
            for (Target.Known k : target.known()) {
                if (k.matches().test(t)) return k;
            }
            return null;
        }

        /** Calls the parser, measured, then the checks of its result, not measured. */
        Outcome call(I input) {
            current = input;
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
            callStarted = System.nanoTime();
            Throwable parseThrew = null;
            Target.Check check = null;
            try {
                check = target.call().run(input);
            } catch (Throwable t) {
                parseThrew = t;
            }
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - alloc0;
            Throwable checkThrew = null;
            if (check != null) {
                try {
                    check.run();
                } catch (Throwable t) {
                    checkThrew = t;
                }
            }
            callStarted = 0;
            return new Outcome(parseThrew, checkThrew, cpu, allocated);
        }

        long slowLimit(int size) {
            return settings.slowCall().toNanos() + 10_000L * size;
        }

        long allocationLimit(int size) {
            return Math.max(settings.maxAllocatedBytes(), target.allocationBudget()) + 256L * size;
        }

        /** Cuts pieces out of the input while it still crashes the same way, so the report shows a small input. */
        I shrink(I input, Crash crash) {
            Shape<I> shape = target.shape();
            String signature = crash.signature();
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int tries = 0;
            I best = input;
            for (int chunk = Math.max(1, shape.size(best) / 2); chunk >= 1 && tries < 2000; chunk /= 2) {
                int from = 0;
                while (from < shape.size(best) && tries < 2000 && System.nanoTime() < until && !stop) {
                    int to = Math.min(shape.size(best), from + chunk);
                    I smaller = shape.without(best, from, to);
                    tries++;
                    Crash c = crashOf(call(smaller));
                    if (c != null && c.signature().equals(signature)) {
                        best = smaller;
                    } else {
                        from = to;
                    }
                }
            }
            return best;
        }

        synchronized boolean isNew(Crash crash) {
            return !crashes.containsKey(crash.signature());
        }

        synchronized void record(Crash crash, I input) {
            if (stop) return;
            String signature = crash.signature();
            Finding old = crashes.get(signature);
            if (old != null) {
                int size = target.shape().size(input);
                // Keep the smallest input for each distinct crash.
                Finding keep = size < old.inputSize()
                        ? new Finding(
                                crash.kind,
                                signature,
                                crash.detail(),
                                tried,
                                old.count() + 1,
                                target.shape().show(input),
                                size)
                        : new Finding(
                                old.kind(),
                                signature,
                                old.detail(),
                                old.iteration(),
                                old.count() + 1,
                                old.input(),
                                old.inputSize());
                crashes.put(signature, keep);
                return;
            }
            crashes.put(
                    signature,
                    new Finding(
                            crash.kind,
                            signature,
                            crash.detail(),
                            tried,
                            1,
                            target.shape().show(input),
                            target.shape().size(input)));
        }

        synchronized void hung() {
            hung = true;
            stop = true;
            I input = current;
            crashes.put(
                    "hang",
                    new Finding(
                            Kind.HANG,
                            "hang",
                            "a call did not return within " + settings.hang().toSeconds() + " s",
                            tried + 1,
                            1,
                            target.shape().show(input),
                            target.shape().size(input)));
        }

        synchronized Report report() {
            return new Report(
                    target.name(),
                    settings.seed(),
                    tried,
                    accepted,
                    refused,
                    List.copyOf(crashes.values()),
                    known,
                    Duration.ofNanos(System.nanoTime() - startNanos),
                    slowest,
                    mostAllocated,
                    largest,
                    hung);
        }
    }

    /** What one call did: what the parser threw (null: accepted), what its checks threw, and the parser's cost. */
    private record Outcome(Throwable parseThrew, Throwable checkThrew, long cpuNanos, long allocated) {}

    /** A crash before it is recorded: its kind, a text for slow and large calls, and the throwable for the rest. */
    private record Crash(Kind kind, String text, Throwable thrown) {

        /** What makes two crashes the same: the kind and, for throwables, the class and the first frame in Motley's code. */
        String signature() {
            return switch (kind) {
                case EXCEPTION -> thrown.getClass().getName() + " at " + motleyFrame(thrown);
                case PROPERTY -> "property \"" + ((PropertyViolation) thrown).rule() + "\"";
                case SLOW, ALLOCATION, HANG -> kind.name().toLowerCase();
            };
        }

        String detail() {
            return switch (kind) {
                case EXCEPTION -> String.valueOf(thrown.getMessage());
                case PROPERTY -> thrown.getMessage();
                case SLOW, ALLOCATION, HANG -> text;
            };
        }

        private static String motleyFrame(Throwable t) {
            StackTraceElement[] frames = t.getStackTrace();
            for (StackTraceElement f : frames) {
                if (f.getClassName().startsWith("io.motley.")
                        && !f.getClassName().startsWith("io.motley.bench.fuzz.")) {
                    return f.getClassName() + "." + f.getMethodName();
                }
            }
            return frames.length == 0 ? "?" : frames[0].getClassName() + "." + frames[0].getMethodName();
        }
    }
}
