package io.motley.agent.hardware;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What this host has, detected at start-up so nobody types node sizes by hand. CPUs come from the
 * JVM (which honours affinity and container limits), memory from the OS bean, sockets and cores
 * from /proc/cpuinfo where it exists. Richer detection (OSHI, GPUs) is the hardware issue's work.
 */
public record Hardware(
        String hostname, int cpus, long memMiB, int sockets, int coresPerSocket, int threadsPerCore, String arch, String os,
        long bootTime) {

    public static Hardware detect() {
        int cpus = Runtime.getRuntime().availableProcessors();
        long mem = totalMemoryBytes() / (1024 * 1024);
        int sockets = 1;
        int cores = cpus;
        int threads = 1;
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo);
                long physical = lines.stream().filter(l -> l.startsWith("physical id")).distinct().count();
                int coresPer = lines.stream().filter(l -> l.startsWith("cpu cores"))
                        .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(0);
                if (physical > 0 && coresPer > 0 && physical * coresPer <= cpus) {
                    sockets = (int) physical;
                    cores = coresPer;
                    threads = Math.max(1, cpus / (sockets * cores));
                }
            } catch (IOException | NumberFormatException ignored) {
                // keep the flat 1 socket x N cores shape: scheduling needs only the CPU count
            }
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version");
        return new Hardware(localHostname(), cpus, mem, sockets, cores, threads, arch(System.getProperty("os.arch")), os, readBootTime());
    }

    /** The architecture as uname -m (and Slurm) name it, not as the JVM does. */
    static String arch(String jvmArch) {
        return switch (jvmArch) {
            case "amd64", "x86-64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> jvmArch;
        };
    }

    /** This node's slice when several agents share one machine (motley up --agents N). */
    public Hardware share(String name, int ofN) {
        int c = Math.max(1, cpus / ofN);
        return new Hardware(name, c, memMiB / ofN, 1, c, 1, arch, os, bootTime);
    }

    public Hardware limited(String name, Integer maxCpus, Long maxMemMiB) {
        int c = maxCpus == null ? cpus : Math.min(cpus, maxCpus);
        long m = maxMemMiB == null ? memMiB : Math.min(memMiB, maxMemMiB);
        boolean same = c == cpus;
        return new Hardware(name, c, m, same ? sockets : 1, same ? coresPerSocket : c, same ? threadsPerCore : 1, arch, os,
                bootTime);
    }

    private static long totalMemoryBytes() {
        var bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
        return Runtime.getRuntime().maxMemory();
    }

    /** Free memory in MiB, reported with heartbeats. */
    public static long freeMemMiB() {
        var bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean os) return os.getFreeMemorySize() / (1024 * 1024);
        return 0;
    }

    public static double load() {
        return Math.max(0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String localHostname() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Boot time from /proc/stat on Linux; elsewhere the JVM's start stands in for it. */
    private static long readBootTime() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))) {
                if (l.startsWith("btime ")) return Long.parseLong(l.substring(6).trim());
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: fall back below
        }
        return System.currentTimeMillis() / 1000 - ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    }
}
