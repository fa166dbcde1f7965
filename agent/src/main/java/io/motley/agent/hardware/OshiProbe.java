package io.motley.agent.hardware;

import oshi.hardware.CentralProcessor;
import oshi.software.os.OperatingSystem;
import oshi.spi.SystemInfoProvider;

/**
 * The one place that touches OSHI, so that a missing or broken OSHI (no JNA for this platform,
 * a JVM refusing native access) shows up as a {@link LinkageError} or exception when this class
 * is first used and {@link Hardware#detect} can fall back to the JDK's view.
 */
final class OshiProbe {
    private OshiProbe() {}

    /** What OSHI reports, before any JVM limits are applied. */
    record Facts(
            int logicalCpus,
            int physicalCores,
            int packages,
            long memBytes,
            String vendor,
            String model,
            String microarchitecture,
            String osFamily,
            String osVersion,
            long bootTime) {}

    static Facts probe() {
        SystemInfoProvider si = provider();
        CentralProcessor cpu = si.getHardware().getProcessor();
        CentralProcessor.ProcessorIdentifier id = cpu.getProcessorIdentifier();
        OperatingSystem os = si.getOperatingSystem();
        return new Facts(
                cpu.getLogicalProcessorCount(),
                cpu.getPhysicalProcessorCount(),
                cpu.getPhysicalPackageCount(),
                si.getHardware().getMemory().getTotal(),
                nullToEmpty(id.getVendor()),
                nullToEmpty(id.getName()),
                nullToEmpty(id.getMicroarchitecture()),
                nullToEmpty(os.getFamily()),
                String.valueOf(os.getVersionInfo()),
                os.getSystemBootTime());
    }

    /**
     * On Linux OSHI's native-free provider reads /proc and /sys like the JNA one but loads no
     * native library: no JNA extraction into /tmp and no JDK 24+ native-access warning. Elsewhere
     * (macOS) the JNA provider is the only one.
     */
    private static SystemInfoProvider provider() {
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            SystemInfoProvider nf = new oshi.nativefree.SystemInfo();
            if (nf.isAvailable()) return nf;
        }
        return new oshi.SystemInfo();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s.trim();
    }
}
