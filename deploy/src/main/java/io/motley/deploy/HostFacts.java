package io.motley.deploy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** What the check step found on a host: OS, architecture, CPUs, memory, GPUs, Java, service manager. */
public record HostFacts(
        String os,
        String arch,
        int cpus,
        long memoryMb,
        int gpus,
        String javaVersion,
        boolean systemd,
        boolean cgroup2) {

    /** Reads the output of {@link DeployPlan#PROBE}. */
    public static HostFacts parse(String probeOutput) {
        Map<String, String> v = new HashMap<>();
        for (String line : probeOutput.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0)
                v.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return new HostFacts(
                v.getOrDefault("os", ""),
                v.getOrDefault("arch", ""),
                (int) number(v.get("cpus")),
                number(v.get("mem_kb")) / 1024,
                (int) number(v.get("gpus")),
                v.getOrDefault("java", ""),
                "yes".equals(v.get("systemd")),
                "yes".equals(v.get("cgroup2")));
    }

    private static long number(String s) {
        try {
            return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether the bundle's own Java runtime (jlink, Linux x86_64) runs here. */
    public boolean bundleRuntimeFits() {
        return os.equals("Linux") && (arch.equals("x86_64") || arch.equals("amd64"));
    }

    /** The feature release of the host's Java ("21.0.2" is 21, "1.8.0_392" is 8), 0 when none. */
    public int javaFeature() {
        if (javaVersion.isEmpty()) return 0;
        String[] parts = javaVersion.split("[._+-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** What is missing to run Motley here and how to get it, or empty when nothing is. */
    public Optional<String> missing() {
        if (!os.equals("Linux") && !os.equals("Darwin"))
            return Optional.of("unsupported OS '" + os + "' (Motley's agent runs on Linux and macOS)");
        if (bundleRuntimeFits() || javaFeature() >= 21) return Optional.empty();
        String found = javaVersion.isEmpty() ? "no Java on the PATH" : "Java " + javaVersion + " is too old";
        String how = os.equals("Darwin")
                ? "on macOS: `brew install openjdk@21` (or Temurin 21 from adoptium.net)"
                : "on Debian/Ubuntu: `apt-get install openjdk-21-jre-headless` (Debian 12: Temurin 21 from"
                        + " packages.adoptium.net); on a QNAP NAS: install Temurin 21 for " + arch
                        + " from adoptium.net into a shared folder and put its bin on the PATH";
        return Optional.of(found + "; the bundle's Java runtime is for Linux x86_64 only, this host is " + os + " "
                + arch + ". Install Java 21 or later: " + how);
    }
}
