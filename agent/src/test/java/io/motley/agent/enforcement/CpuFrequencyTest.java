package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AveCPUFreq's source, as Slurm's jobacct_gather/linux reads it. */
class CpuFrequencyTest {
    @TempDir
    Path dir;

    @Test
    void eachCpusCpufreqFigureWhereScalingShowsOne() throws Exception {
        Path sys = dir.resolve("cpu");
        for (int cpu = 0; cpu < 2; cpu++) {
            Path f = sys.resolve("cpu" + cpu + "/cpufreq/cpuinfo_cur_freq");
            Files.createDirectories(f.getParent());
            Files.writeString(f, (1_200_000 + cpu * 1_000_000) + "\n");
        }
        CpuFrequency freq = new CpuFrequency(sys, dir.resolve("cpuinfo"));
        assertThat(freq.of(0)).isEqualTo(OptionalLong.of(1_200_000));
        assertThat(freq.of(1)).isEqualTo(OptionalLong.of(2_200_000));
        // read again each time: scaling changes it
        Files.writeString(sys.resolve("cpu1/cpufreq/cpuinfo_cur_freq"), "800000\n");
        assertThat(freq.of(1)).isEqualTo(OptionalLong.of(800_000));
    }

    @Test
    void otherwiseProcCpuinfosFirstFigureInMhzForEveryCpuFromThenOn() throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(
                cpuinfo,
                "processor\t: 0\nmodel name\t: Some CPU\ncpu MHz\t\t: 2096.013\n\nprocessor\t: 1\ncpu MHz\t\t: 1500.000\n");
        Path sys = dir.resolve("cpu");
        CpuFrequency freq = new CpuFrequency(sys, cpuinfo);
        assertThat(freq.of(1)).isEqualTo(OptionalLong.of(2096));
        // as slurmd, once the static figure is taken, cpufreq is not looked at again
        Path f = sys.resolve("cpu0/cpufreq/cpuinfo_cur_freq");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "1000000\n");
        assertThat(freq.of(0)).isEqualTo(OptionalLong.of(2096));
    }

    @Test
    void unknownWhereNeitherTellsIt() {
        CpuFrequency freq = new CpuFrequency(dir.resolve("none"), dir.resolve("no-cpuinfo"));
        assertThat(freq.of(0)).isEmpty();
        assertThat(freq.of(-1)).isEmpty();
    }
}
