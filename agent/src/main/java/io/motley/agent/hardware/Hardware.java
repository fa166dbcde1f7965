package io.motley.agent.hardware;

import io.motley.core.cluster.Gpu;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this host has, detected at start-up so nobody types node sizes by hand: the CPU topology,
 * model and vendor and the memory through OSHI (the JDK's view when OSHI fails), NVIDIA GPUs
 * through nvidia-smi, and what is held back for the host OS.
 *
 * <p>{@code cpus} and {@code memMiB} are what jobs may use: the machine's CPUs and memory less
 * {@code specCpus} and {@code specMemMiB}, the part reserved for the host OS (Slurm's
 * CoreSpecCount and MemSpecLimit). {@code sockets}, {@code coresPerSocket} and
 * {@code threadsPerCore} describe the whole machine, as {@code slurmd -C} does. {@code os} reads
 * as Slurm's OS= field (uname's system, release and version on Linux); {@code arch} as uname -m;
 * {@code cpuVendor} is a short lower-case name (amd, intel, arm, apple, ...).
 */
public record Hardware(
        String hostname,
        int cpus,
        long memMiB,
        int sockets,
        int coresPerSocket,
        int threadsPerCore,
        String arch,
        String os,
        long bootTime,
        String cpuVendor,
        String cpuModel,
        List<Gpu> gpus,
        int specCpus,
        long specMemMiB) {

    private static final Logger log = LoggerFactory.getLogger(Hardware.class);

    public Hardware {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
        cpuVendor = cpuVendor == null ? "" : cpuVendor;
        cpuModel = cpuModel == null ? "" : cpuModel;
    }

    /** A machine with nothing reserved for the host OS. */
    public Hardware(
            String hostname,
            int cpus,
            long memMiB,
            int sockets,
            int coresPerSocket,
            int threadsPerCore,
            String arch,
            String os,
            long bootTime,
            String cpuVendor,
            String cpuModel,
            List<Gpu> gpus) {
        this(
                hostname,
                cpus,
                memMiB,
                sockets,
                coresPerSocket,
                threadsPerCore,
                arch,
                os,
                bootTime,
                cpuVendor,
                cpuModel,
                gpus,
                0,
                0);
    }

    /** This host, GPUs from {@link Gpus#command()} (nvidia-smi, or what MOTLEY_NVIDIA_SMI names). */
    public static Hardware detect() {
        return detect(Gpus.command());
    }

    /** This host, GPUs from the given nvidia-smi program; OSHI first, the JDK's view when OSHI fails. */
    public static Hardware detect(String nvidiaSmi) {
        long t0 = System.nanoTime();
        Hardware hw;
        try {
            hw = fromOshi(OshiProbe.probe(), Runtime.getRuntime().availableProcessors(), jvmTotalMemoryBytes());
        } catch (RuntimeException | LinkageError e) {
            log.warn(
                    "OSHI could not read this host's hardware; using the JDK's view instead (CPU model and vendor "
                            + "unknown, sockets and cores from /proc/cpuinfo where it exists) error=\"{}\"",
                    e.toString());
            hw = fromJdk();
        }
        List<Gpu> gpus = Gpus.detect(nvidiaSmi);
        hw = hw.withGpus(gpus);
        if (isMac()) logMacGpus();
        log.info(
                "hardware detected node={} cpus={} sockets={} coresPerSocket={} threadsPerCore={} mem={}M arch={} "
                        + "cpu=\"{}\" vendor={} gpus={} features={} ms={}",
                hw.hostname,
                hw.cpus,
                hw.sockets,
                hw.coresPerSocket,
                hw.threadsPerCore,
                hw.memMiB,
                hw.arch,
                hw.cpuModel,
                hw.cpuVendor,
                Gpu.gres(gpus),
                String.join(",", hw.features()),
                (System.nanoTime() - t0) / 1_000_000);
        return hw;
    }

    /** OSHI's facts, held to what this JVM may use ({@code jvmCpus} honours affinity and container limits, as does {@code jvmMemBytes}). */
    static Hardware fromOshi(OshiProbe.Facts f, int jvmCpus, long jvmMemBytes) {
        return fromOshi(f, jvmCpus, jvmMemBytes, System.getProperty("os.name", ""), System.getProperty("os.arch"));
    }

    /** The same on a JVM reporting {@code jvmOsName} and {@code jvmArch} (os.name and os.arch), so other hosts can be tested. */
    static Hardware fromOshi(OshiProbe.Facts f, int jvmCpus, long jvmMemBytes, String jvmOsName, String jvmArch) {
        int cpus = f.logicalCpus() > 0 ? f.logicalCpus() : jvmCpus;
        int sockets = Math.max(1, f.packages());
        int coresPer;
        int threads;
        int cores = f.physicalCores();
        if (cores > 0 && cpus % cores == 0 && cores % sockets == 0) {
            coresPer = cores / sockets;
            threads = cpus / cores;
        } else {
            // hybrid parts (performance cores with two threads beside efficiency cores with one) have
            // no uniform shape; count every CPU as a core, which is all the scheduler needs
            if (cpus % sockets != 0) sockets = 1;
            coresPer = cpus / sockets;
            threads = 1;
        }
        if (jvmCpus < cpus) {
            // an affinity mask or a container's CPU limit: jobs get only what this process may use
            log.info("CPUs limited by affinity or container from {} to {}", cpus, jvmCpus);
            cpus = jvmCpus;
            sockets = 1;
            coresPer = jvmCpus;
            threads = 1;
        }
        long memMiB = f.memBytes() / (1024 * 1024);
        long jvmMemMiB = jvmMemBytes / (1024 * 1024);
        if (jvmMemMiB > 0 && (memMiB <= 0 || jvmMemMiB < memMiB)) {
            if (memMiB > 0) log.info("memory limited by container from {}M to {}M", memMiB, jvmMemMiB);
            memMiB = jvmMemMiB;
        }
        String arch = arch(jvmArch);
        log.debug(
                "OSHI cpu vendor=\"{}\" model=\"{}\" microarchitecture=\"{}\" os=\"{} {}\"",
                f.vendor(),
                f.model(),
                f.microarchitecture(),
                f.osFamily(),
                f.osVersion());
        String os = jvmOsName.startsWith("Linux") ? linuxOs() : (f.osFamily() + " " + f.osVersion()).trim();
        long boot = f.bootTime() > 0 ? f.bootTime() : jdkBootTime();
        return new Hardware(
                localHostname(),
                cpus,
                Math.max(1, memMiB),
                sockets,
                coresPer,
                threads,
                arch,
                os,
                boot,
                vendor(f.vendor()),
                f.model(),
                List.of());
    }

    /**
     * The fallback: on macOS what sysctl(8) says (the names OSHI reads there); elsewhere CPUs from
     * the JVM, memory from the OS bean, sockets and cores from /proc/cpuinfo.
     */
    static Hardware fromJdk() {
        if (isMac()) {
            Optional<OshiProbe.Facts> sysctl = Sysctl.read();
            if (sysctl.isPresent()) {
                return fromOshi(sysctl.get(), Runtime.getRuntime().availableProcessors(), jvmTotalMemoryBytes());
            }
            log.warn("sysctl could not read this Mac's hardware either; CPUs and memory as the JVM sees them");
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        long mem = jvmTotalMemoryBytes() / (1024 * 1024);
        int sockets = 1;
        int cores = cpus;
        int threads = 1;
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo);
                long physical = lines.stream()
                        .filter(l -> l.startsWith("physical id"))
                        .distinct()
                        .count();
                int coresPer = lines.stream()
                        .filter(l -> l.startsWith("cpu cores"))
                        .map(l ->
                                Integer.parseInt(l.substring(l.indexOf(':') + 1).trim()))
                        .findFirst()
                        .orElse(0);
                if (physical > 0 && coresPer > 0 && physical * coresPer <= cpus) {
                    sockets = (int) physical;
                    cores = coresPer;
                    threads = Math.max(1, cpus / (sockets * cores));
                }
            } catch (IOException | NumberFormatException ignored) {
                // keep the flat 1 socket x N cores shape: scheduling needs only the CPU count
            }
        }
        String os = isLinux() ? linuxOs() : System.getProperty("os.name") + " " + System.getProperty("os.version");
        return new Hardware(
                localHostname(),
                cpus,
                Math.max(1, mem),
                sockets,
                cores,
                threads,
                arch(System.getProperty("os.arch")),
                os,
                jdkBootTime(),
                "",
                "",
                List.of());
    }

    /** The architecture as uname -m (and Slurm) name it, not as the JVM does. */
    static String arch(String jvmArch) {
        return switch (jvmArch) {
            case "amd64", "x86-64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> jvmArch;
        };
    }

    /** A short lower-case vendor name from CPUID's or OSHI's (AuthenticAMD, GenuineIntel, ARM, Apple Inc.). */
    static String vendor(String raw) {
        String v = raw == null ? "" : raw.toLowerCase(Locale.ROOT).trim();
        if (v.contains("amd")) return "amd";
        if (v.contains("intel")) return "intel";
        if (v.contains("hygon")) return "hygon";
        String first = v.split("[^a-z0-9]+", 2)[0];
        return first;
    }

    /** The OS as a feature word: linux, macos, freebsd, windows. */
    public String osName() {
        String first = os == null ? "" : os.strip().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        return switch (first) {
            case "darwin", "mac", "macos", "osx" -> "macos";
            default -> first.startsWith("windows") ? "windows" : first.replaceAll("[^a-z0-9_]", "");
        };
    }

    /** Features every node gets without configuration, in this order: os, arch, cpu vendor, and gpu when it has GPUs. */
    public List<String> features() {
        List<String> out = new ArrayList<>();
        for (String f :
                new String[] {osName(), featureWord(arch), featureWord(cpuVendor), gpus.isEmpty() ? "" : "gpu"}) {
            if (!f.isEmpty() && !out.contains(f)) out.add(f);
        }
        return List.copyOf(out);
    }

    private static String featureWord(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "");
    }

    /** All the machine's CPUs, those held for the host OS included. */
    public int totalCpus() {
        return cpus + specCpus;
    }

    /** All the machine's memory, what is held for the host OS included. */
    public long totalMemMiB() {
        return memMiB + specMemMiB;
    }

    /**
     * The hardware jobs may use once {@code coreSpecCount} cores (with all their threads, as Slurm's
     * CoreSpecCount) and {@code memSpecLimitMiB} of memory (Slurm's MemSpecLimit) are held for the
     * host OS. It replaces any earlier reservation, and always leaves jobs at least one CPU and 1 MiB.
     */
    public Hardware withSpecialization(int coreSpecCount, long memSpecLimitMiB) {
        if (coreSpecCount < 0)
            throw new IllegalArgumentException("CoreSpecCount must be 0 or more, got " + coreSpecCount);
        if (memSpecLimitMiB < 0)
            throw new IllegalArgumentException("MemSpecLimit must be 0 or more, got " + memSpecLimitMiB);
        int total = totalCpus();
        long totalMem = totalMemMiB();
        long wantCpus = (long) coreSpecCount * Math.max(1, threadsPerCore);
        int reserveCpus = (int) Math.min(wantCpus, total - 1L);
        long reserveMem = Math.min(memSpecLimitMiB, totalMem - 1);
        if (reserveCpus < wantCpus) {
            log.warn(
                    "CoreSpecCount={} would leave jobs no CPU on this {}-CPU node; reserving {} CPUs instead",
                    coreSpecCount,
                    total,
                    reserveCpus);
        }
        if (reserveMem < memSpecLimitMiB) {
            log.warn(
                    "MemSpecLimit={}M would leave jobs no memory on this {}M node; reserving {}M instead",
                    memSpecLimitMiB,
                    totalMem,
                    reserveMem);
        }
        Hardware h = new Hardware(
                hostname,
                total - reserveCpus,
                totalMem - reserveMem,
                sockets,
                coresPerSocket,
                threadsPerCore,
                arch,
                os,
                bootTime,
                cpuVendor,
                cpuModel,
                gpus,
                reserveCpus,
                reserveMem);
        if (reserveCpus > 0 || reserveMem > 0) {
            log.info(
                    "reserved for the host OS node={} coreSpecCount={} cpus={} memSpecLimit={}M; jobs may use cpus={} mem={}M",
                    hostname,
                    coreSpecCount,
                    reserveCpus,
                    reserveMem,
                    h.cpus,
                    h.memMiB);
        }
        return h;
    }

    /** The same hardware with these GPUs (all detected, a chosen few, or none). */
    public Hardware withGpus(List<Gpu> gpus) {
        return new Hardware(
                hostname,
                cpus,
                memMiB,
                sockets,
                coresPerSocket,
                threadsPerCore,
                arch,
                os,
                bootTime,
                cpuVendor,
                cpuModel,
                gpus,
                specCpus,
                specMemMiB);
    }

    /**
     * This node's slice when several agents share one machine (motley up --agents N). GPUs are not
     * divided: a slice of several keeps none (give them out with {@link #withGpus}).
     */
    public Hardware share(String name, int ofN) {
        int c = Math.max(1, cpus / ofN);
        return new Hardware(
                name,
                c,
                Math.max(1, memMiB / ofN),
                1,
                c + specCpus,
                1,
                arch,
                os,
                bootTime,
                cpuVendor,
                cpuModel,
                ofN == 1 ? gpus : List.of(),
                specCpus,
                specMemMiB);
    }

    /** Under another name, with the CPUs and memory jobs may use capped (--cpus, --mem); null leaves one as it is. */
    public Hardware limited(String name, Integer maxCpus, Long maxMemMiB) {
        int c = maxCpus == null ? cpus : Math.max(1, Math.min(cpus, maxCpus));
        long m = maxMemMiB == null ? memMiB : Math.max(1, Math.min(memMiB, maxMemMiB));
        boolean same = c == cpus;
        return new Hardware(
                name,
                c,
                m,
                same ? sockets : 1,
                same ? coresPerSocket : c + specCpus,
                same ? threadsPerCore : 1,
                arch,
                os,
                bootTime,
                cpuVendor,
                cpuModel,
                gpus,
                specCpus,
                specMemMiB);
    }

    /**
     * The node's line as {@code slurmd -C} prints it: the whole machine (what is held for the host
     * OS included), with {@code Gres=gpu:TYPE:N} when it has GPUs, as slurmd does with NVML.
     */
    public String slurmdConfigLine() {
        return "NodeName=" + hostname + " CPUs=" + totalCpus() + " Boards=1 SocketsPerBoard=" + sockets
                + " CoresPerSocket=" + coresPerSocket + " ThreadsPerCore=" + threadsPerCore + " RealMemory="
                + totalMemMiB() + (gpus.isEmpty() ? "" : " Gres=" + Gpu.gres(gpus));
    }

    /** slurmd -C's second line, {@code UpTime=D-HH:MM:SS}, at {@code nowEpochSeconds}. */
    public String upTimeLine(long nowEpochSeconds) {
        long up = Math.max(0, nowEpochSeconds - bootTime);
        return String.format(
                Locale.ROOT, "UpTime=%d-%02d:%02d:%02d", up / 86400, (up / 3600) % 24, (up / 60) % 60, up % 60);
    }

    /** All that {@code slurmd -C} prints (both lines, each ending in a newline), at {@code nowEpochSeconds}. */
    public String slurmdConfig(long nowEpochSeconds) {
        return slurmdConfigLine() + "\n" + upTimeLine(nowEpochSeconds) + "\n";
    }

    private static long jvmTotalMemoryBytes() {
        var bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Free memory in MiB, reported with heartbeats. On macOS that is vm_stat's free, speculative and
     * inactive pages: the JDK's figure there is the kernel's free pages alone, which macOS keeps near zero.
     */
    public static long freeMemMiB() {
        if (isMac()) {
            OptionalLong available = VmStat.read();
            if (available.isPresent()) return available.getAsLong() / (1024 * 1024);
        }
        var bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean os) return os.getFreeMemorySize() / (1024 * 1024);
        return 0;
    }

    public static double load() {
        return Math.max(0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    private static boolean isMac() {
        return System.getProperty("os.name", "").startsWith("Mac");
    }

    /** A Mac's GPUs are logged, off the start-up path (system_profiler takes seconds), and not offered: see {@link MacGpus}. */
    private static void logMacGpus() {
        Thread.ofVirtual().name("mac-gpus").start(() -> {
            for (MacGpus.MacGpu g : MacGpus.detect()) {
                log.info(
                        "GPU found and not offered as GRES (jobs asking --gres=gpu expect CUDA; ask for this Mac with -C)"
                                + " model=\"{}\" vendor=\"{}\" cores={} vram={}M apple_silicon={}",
                        g.model(),
                        g.vendor(),
                        g.cores(),
                        g.vramMiB(),
                        g.appleSilicon());
            }
        });
    }

    /** Slurm's OS= on Linux is uname's system, release and version: "Linux 6.1.0-18-amd64 #1 SMP ...". */
    private static String linuxOs() {
        String os = "Linux " + System.getProperty("os.version");
        try {
            String version =
                    Files.readString(Path.of("/proc/sys/kernel/version")).strip();
            if (!version.isEmpty()) os += " " + version;
        } catch (IOException | RuntimeException ignored) {
            // the release alone still names the kernel
        }
        return os;
    }

    /** The short host name, as gethostname(2) and Slurm give it; the kernel's own copy needs no DNS. */
    private static String localHostname() {
        String h = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) h = Files.readString(kernel).strip();
        } catch (IOException ignored) {
            // ask the resolver below
        }
        if (h == null || h.isEmpty()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        }
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    /** Boot time from /proc/stat on Linux; elsewhere the JVM's start stands in for it. */
    private static long jdkBootTime() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                if (l.startsWith("btime ")) return Long.parseLong(l.substring(6).trim());
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: fall back below
        }
        return System.currentTimeMillis() / 1000
                - ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    }
}
