package io.motley.agent.enforcement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A CPU's clock frequency as Slurm's jobacct_gather/linux reads it for AveCPUFreq: the CPU's own
 * {@code cpufreq/cpuinfo_cur_freq} (kHz) where frequency scaling shows one; otherwise the first
 * {@code cpu MHz} line of /proc/cpuinfo (MHz), read once and then used for every CPU, as slurmd
 * does. The two units are not made one, as Slurm does not: sstat and sacct show the figure with
 * Slurm's K/M/G suffixes either way.
 */
final class CpuFrequency {
    private final Path sys;
    private final Path cpuinfo;
    /** /proc/cpuinfo's figure once read (0: not read yet, -1: none there). */
    private long fixed;

    CpuFrequency() {
        this(Path.of("/sys/devices/system/cpu"), Path.of("/proc/cpuinfo"));
    }

    CpuFrequency(Path sys, Path cpuinfo) {
        this.sys = sys;
        this.cpuinfo = cpuinfo;
    }

    /** CPU {@code cpu}'s frequency now, or empty where neither source tells it (no /proc: macOS). */
    synchronized OptionalLong of(int cpu) {
        if (fixed == 0 && cpu >= 0) {
            try {
                String text = Files.readString(sys.resolve("cpu" + cpu + "/cpufreq/cpuinfo_cur_freq"))
                        .trim();
                return OptionalLong.of(Long.parseLong(text));
            } catch (IOException | NumberFormatException e) {
                // no frequency scaling here: the static figure, from now on (as slurmd's cpunfo_frequency)
                fixed = fromCpuinfo();
            }
        }
        return fixed > 0 ? OptionalLong.of(fixed) : OptionalLong.empty();
    }

    private long fromCpuinfo() {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (!line.startsWith("cpu MHz") && !line.startsWith("cpu GHz")) continue;
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                double v = Double.parseDouble(line.substring(colon + 1).trim());
                return (long) (line.startsWith("cpu GHz") ? v * 1000 : v);
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
