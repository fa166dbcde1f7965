package io.motley.bench;

import io.motley.cli.client.AgentClient;
import io.motley.core.job.JobRequest;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints Motley's throughput and latency figures on this machine, next to the floor (how fast it
 * can start processes at all). Starts its own local cluster (`motley up --daemon --agents 2`) in
 * a scratch MOTLEY_HOME and stops it at the end. Figures only: nothing here passes or fails.
 */
public final class Bench {
    private final Path repo;
    private final Path home;
    private final Path work;
    private final Path bin;

    private Bench(Path repo, Path scratch) throws IOException {
        this.repo = repo;
        this.home = scratch.resolve("home");
        this.work = scratch.resolve("work");
        this.bin = repo.resolve("dist/bin");
        Files.createDirectories(home.resolve("etc"));
        Files.createDirectories(work);
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(
                home.resolve("etc/motley.conf"), "ClusterName=bench\nControllerPort=" + port + "\nMinJobAge=3600\n");
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        int drainJobs = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        // "drain": the drain alone; "drain2" (up to "drain9"): that many drains in one cluster, the
        // first on daemons just started (their JIT compiling as they go), the next on the same
        // daemons warmed up
        String mode = args.length > 2 ? args[2] : "";
        int drains = mode.matches("drain[0-9]") ? mode.charAt(5) - '0' : 1;
        boolean drainOnly = mode.startsWith("drain");
        Path scratch = Files.createTempDirectory("motley-bench");
        Bench b = new Bench(repo, scratch);
        System.out.printf(
                "Motley bench on %d CPUs, java %s, scratch %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), scratch);
        double floor = b.floorMs(1000);
        System.out.printf(
                "floor: 1000 x /bin/true started and waited for: %.0f ms (%.0f processes/s)%n",
                floor, 1000 / (floor / 1000.0));
        try {
            b.run(drainJobs, drainOnly, drains);
        } finally {
            b.command("motley", "down");
        }
    }

    private double floorMs(int n) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) new ProcessBuilder("/bin/true").start().waitFor();
        return (System.nanoTime() - t0) / 1e6;
    }

    private void run(int drainJobs, boolean drainOnly, int drains) throws Exception {
        String up = command("motley", "up", "--daemon", "--agents", "2");
        System.out.print(up.lines().filter(l -> l.contains("is up")).findFirst().orElse(up) + "\n");
        System.out.println("containment the agents chose: " + containment(home.resolve("log")));
        System.out.println("CPU the daemons spent starting (ms): " + daemonCpuMs());
        if (drainOnly) {
            for (int i = 0; i < drains; i++) drain(drainJobs);
            return;
        }
        // warm the class-data-sharing archive so the timed runs see what a user sees from the second call on
        for (int i = 0; i < 3; i++) command("squeue");

        List<Double> squeue = new ArrayList<>();
        for (int i = 0; i < 20; i++) squeue.add(timed("squeue"));
        List<Double> sbatch = new ArrayList<>();
        for (int i = 0; i < 20; i++) sbatch.add(timed("sbatch", "--wrap", "true"));
        System.out.printf("squeue on an empty queue: median %.1f ms (of 20 runs; budget 150 ms)%n", median(squeue));
        System.out.printf("sbatch --wrap true: median %.1f ms (of 20 runs; budget 150 ms)%n", median(sbatch));
        awaitDrained();

        int loops = 100;
        long t0 = System.nanoTime();
        for (int i = 0; i < loops; i++) command("sbatch", "--wrap", "true");
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "submissions through the sbatch command (sequential loop of %d): %.1f jobs/s%n", loops, loops / s);
        awaitDrained();

        int api = 1000;
        try (AgentClient c = AgentClient.connectTo(home.resolve("run/agent.sock"))) {
            t0 = System.nanoTime();
            for (int i = 0; i < api; i++) c.call(submitFrame("true", true));
            s = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf(
                "submissions through the API (one Unix-socket connection, %d held jobs): %.0f jobs/s%n", api, api / s);
        command("scancel", "-t", "PD", "-u", System.getProperty("user.name"));

        drain(drainJobs);
        // a new connection: the agent closes one that sends no request for AgentRequestTimeout, as the drain may take
        try (AgentClient c = AgentClient.connectTo(home.resolve("run/agent.sock"))) {
            List<Double> lat = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Path mark = work.resolve("start-" + i);
                long before = System.currentTimeMillis();
                c.call(submitFrame("date +%s%3N > " + mark, false));
                while (!Files.exists(mark) || Files.size(mark) == 0) Thread.sleep(2);
                lat.add((double) (Long.parseLong(Files.readString(mark).trim()) - before));
            }
            Collections.sort(lat);
            System.out.printf(
                    "submit-to-start latency over 50 jobs: median %.0f ms, p95 %.0f ms%n",
                    median(lat), lat.get((int) Math.ceil(0.95 * lat.size()) - 1));
        }
    }

    /**
     * Submits {@code jobs} trivial jobs and waits for the queue to empty; prints the wall time, and
     * the CPU time the daemons spent per job (the agents' figure includes their jobs' processes,
     * which they and their shepherds wait for), which the load of other work on the host moves
     * far less than the wall time.
     */
    private void drain(int jobs) throws Exception {
        awaitDrained();
        Map<String, Long> cpu0 = daemonCpuMs();
        try (AgentClient c = AgentClient.connectTo(home.resolve("run/agent.sock"))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < jobs; i++) c.call(submitFrame("true", false));
            double submitted = (System.nanoTime() - t0) / 1e9;
            awaitDrained();
            double total = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> cpu1 = daemonCpuMs();
            System.out.printf(
                    "drain of %d trivial jobs (true) on 2 agents: %.1f s from first submit to last end"
                            + " (%.0f jobs/s; submitting took %.1f s; load average %s)%n",
                    jobs, total, jobs / total, submitted, loadAverage());
            long agents = 0;
            long children = 0;
            long controller = 0;
            for (var e : cpu1.entrySet()) {
                long used = e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
                if (e.getKey().startsWith("agent") && e.getKey().endsWith(" children")) children += used;
                else if (e.getKey().startsWith("agent")) agents += used;
                else controller += used;
            }
            System.out.printf(
                    "CPU per job in the drain: agents %.2f ms and their jobs' processes %.2f ms, controller %.2f ms%n",
                    (double) agents / jobs, (double) children / jobs, (double) controller / jobs);
            System.out.println("daemons' resident memory (now, peak): " + daemonMemory());
        }
    }

    /** Each daemon's resident set now and at its peak (VmRSS, VmHWM of /proc/PID/status), by log name. */
    private String daemonMemory() throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        String marker = "-Dmotley.log.file=" + home.resolve("log") + "/";
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                String cmdline;
                List<String> status;
                try {
                    cmdline = new String(Files.readAllBytes(d.resolve("cmdline"))).replace('\0', ' ');
                    status = Files.readAllLines(d.resolve("status"));
                } catch (IOException e) {
                    continue;
                }
                int at = cmdline.indexOf(marker);
                if (at < 0) continue;
                String name = cmdline.substring(at + marker.length()).split("[ .]", 2)[0];
                out.put(name, kib(status, "VmRSS:") / 1024 + " MiB, " + kib(status, "VmHWM:") / 1024 + " MiB");
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return out.toString();
    }

    private static long kib(List<String> status, String field) {
        for (String line : status)
            if (line.startsWith(field))
                return Long.parseLong(line.substring(field.length()).trim().split(" ")[0]);
        return 0;
    }

    /**
     * User and system CPU ms of this cluster's daemons (by their log file's name), each with the
     * children it waited for (cutime and cstime of /proc/PID/stat); empty where there is no /proc.
     */
    private Map<String, Long> daemonCpuMs() throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) return out;
        String marker = "-Dmotley.log.file=" + home.resolve("log") + "/";
        long tick = 100;
        try (var dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path d : dirs) {
                String cmdline;
                String stat;
                try {
                    cmdline = new String(Files.readAllBytes(d.resolve("cmdline"))).replace('\0', ' ');
                    stat = Files.readString(d.resolve("stat"));
                } catch (IOException e) {
                    continue;
                }
                int at = cmdline.indexOf(marker);
                if (at < 0) continue;
                String name = cmdline.substring(at + marker.length()).split("[ .]", 2)[0];
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields 14 to 17 of stat: utime stime cutime cstime, in clock ticks (USER_HZ, 100 on Linux)
                long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
                out.merge(name, own * 1000 / tick, Long::sum);
                out.merge(name + " children", children * 1000 / tick, Long::sum);
            }
        }
        return out;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The containment each agent chose (cgroup2, cgroup1 or process tracking), from the line its
     * launcher logs at start: the drain's figure depends on it.
     */
    static String containment(Path logDir) throws IOException {
        Pattern chosen = Pattern.compile("jobs run as .* node=(\\S+) containment=(\\S+)");
        List<String> found = new ArrayList<>();
        try (var logs = Files.newDirectoryStream(logDir, "agent-*.log")) {
            for (Path f : logs) {
                for (String line : Files.readAllLines(f)) {
                    Matcher m = chosen.matcher(line);
                    if (m.find()) found.add(m.group(1) + "=" + m.group(2));
                }
            }
        }
        Collections.sort(found);
        return found.isEmpty() ? "unknown (no agent log says)" : String.join(" ", found);
    }

    private Frame submitFrame(String cmd, boolean hold) {
        JobRequest r = JobRequest.builder("#!/bin/sh\n" + cmd + "\n", work.toString())
                .name("bench")
                .output("/dev/null", null)
                .environment(Map.of("PATH", "/usr/bin:/bin"))
                .hold(hold)
                .submitHost("bench")
                .build();
        return Frame.op(Ops.SUBMIT).add(Codec.request(r, true));
    }

    private void awaitDrained() throws Exception {
        while (!command("squeue", "-h").isBlank()) Thread.sleep(50);
    }

    private double timed(String... args) throws Exception {
        long t0 = System.nanoTime();
        command(args);
        return (System.nanoTime() - t0) / 1e6;
    }

    private String command(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.set(0, bin.resolve(args[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("MOTLEY_HOME", home.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
