package io.motley.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent's macOS hardware paths on examples of the tools' output (src/test/resources/macos,
 * written in the documented formats; no Mac was available): OSHI's values as a Mac gives them,
 * the sysctl fallback, vm_stat's free memory and system_profiler's GPUs, for Apple silicon and Intel.
 */
class MacHardwareTest {
    static String sample(String name) throws IOException {
        try (InputStream in = MacHardwareTest.class.getResourceAsStream("/macos/" + name)) {
            if (in == null) throw new IOException("no sample " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void oshiOnAnAppleSiliconMacBecomesOneSocketOfCoresWithOneThreadEach() {
        // what OSHI reports on an M1 Pro: its vendor "Apple Inc.", the brand string as the model
        OshiProbe.Facts f = new OshiProbe.Facts(
                10, 10, 1, 32L << 30, "Apple Inc.", "Apple M1 Pro", "", "macOS", "14.2.1 build 23C71", 1_700_470_364);
        Hardware hw = Hardware.fromOshi(f, 10, 32L << 30, "Mac OS X", "aarch64");
        assertThat(List.of(hw.cpus(), hw.sockets(), hw.coresPerSocket(), hw.threadsPerCore()))
                .containsExactly(10, 1, 10, 1);
        assertThat(hw.memMiB()).isEqualTo(32768);
        assertThat(hw.cpuVendor()).isEqualTo("apple");
        assertThat(hw.cpuModel()).isEqualTo("Apple M1 Pro");
        assertThat(hw.os()).isEqualTo("macOS 14.2.1 build 23C71");
        assertThat(hw.osName()).isEqualTo("macos");
        assertThat(hw.features()).containsExactly("macos", "aarch64", "apple");
        assertThat(hw.bootTime()).isEqualTo(1_700_470_364);
        assertThat(hw.slurmdConfigLine())
                .endsWith(" CPUs=10 Boards=1 SocketsPerBoard=1 CoresPerSocket=10 ThreadsPerCore=1 RealMemory=32768");
    }

    @Test
    void oshiOnAnIntelMacKeepsItsHyperThreads() {
        OshiProbe.Facts f = new OshiProbe.Facts(
                16,
                8,
                1,
                16L << 30,
                "GenuineIntel",
                "Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz",
                "Coffee Lake",
                "macOS",
                "13.6.3 build 22G436",
                1_700_038_800);
        Hardware hw = Hardware.fromOshi(f, 16, 16L << 30, "Mac OS X", "x86_64");
        assertThat(List.of(hw.cpus(), hw.sockets(), hw.coresPerSocket(), hw.threadsPerCore()))
                .containsExactly(16, 1, 8, 2);
        assertThat(hw.features()).containsExactly("macos", "x86_64", "intel");
    }

    @Test
    void sysctlOnAppleSiliconGivesWhatOshiWould() throws IOException {
        OshiProbe.Facts f = Sysctl.facts(Sysctl.parse(sample("sysctl-m1-pro.txt")));
        assertThat(f)
                .isEqualTo(new OshiProbe.Facts(
                        10,
                        10,
                        1,
                        34_359_738_368L,
                        "Apple Inc.",
                        "Apple M1 Pro",
                        "",
                        "macOS",
                        "14.2.1",
                        1_700_470_364));
        Hardware hw = Hardware.fromOshi(f, 10, 34_359_738_368L, "Mac OS X", "aarch64");
        assertThat(hw.features()).containsExactly("macos", "aarch64", "apple");
        assertThat(hw.os()).isEqualTo("macOS 14.2.1");
    }

    @Test
    void sysctlOnAnIntelMacNamesItsVendorAndThreads() throws IOException {
        OshiProbe.Facts f = Sysctl.facts(Sysctl.parse(sample("sysctl-intel-i9.txt")));
        assertThat(List.of(f.logicalCpus(), f.physicalCores(), f.packages())).containsExactly(16, 8, 1);
        assertThat(f.memBytes()).isEqualTo(17_179_869_184L);
        assertThat(f.vendor()).isEqualTo("GenuineIntel");
        assertThat(f.model()).isEqualTo("Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz");
        assertThat(f.bootTime()).isEqualTo(1_700_038_800);
        Hardware hw = Hardware.fromOshi(f, 16, f.memBytes(), "Mac OS X", "x86_64");
        assertThat(List.of(hw.sockets(), hw.coresPerSocket(), hw.threadsPerCore()))
                .containsExactly(1, 8, 2);
        assertThat(hw.cpuVendor()).isEqualTo("intel");
    }

    @Test
    void sysctlWithoutWhatItNeedsGivesNothingToUse() {
        OshiProbe.Facts f = Sysctl.facts(Sysctl.parse("sysctl: unknown oid 'hw.ncpu'\n"));
        assertThat(f.logicalCpus()).isZero();
        assertThat(f.memBytes()).isZero();
        assertThat(f.vendor()).isEmpty();
    }

    @Test
    void vmStatCountsFreeSpeculativeAndInactivePagesAtTheirPageSize() throws IOException {
        // 16 KiB pages on Apple silicon: (13141 + 8426 + 560312) pages
        assertThat(VmStat.availableBytes(sample("vm_stat-m1.txt"))).hasValue(9_533_505_536L);
        // 4 KiB pages on Intel: (35012 + 21980 + 1498802) pages
        assertThat(VmStat.availableBytes(sample("vm_stat-intel.txt"))).hasValue(6_372_532_224L);
        assertThat(VmStat.availableBytes("Pages free: 12.\n")).isEmpty();
        assertThat(VmStat.availableBytes("Mach Virtual Memory Statistics: (page size of 4096 bytes)\n"))
                .isEmpty();
    }

    @Test
    void systemProfilerListsAppleSiliconsGpuWithoutItsDisplays() throws IOException {
        assertThat(MacGpus.parse(sample("system_profiler-m1-pro.txt")))
                .containsExactly(new MacGpus.MacGpu("Apple M1 Pro", "Apple", "Built-In", 16, 0));
        assertThat(MacGpus.parse(sample("system_profiler-m1-pro.txt")).get(0).appleSilicon())
                .isTrue();
    }

    @Test
    void systemProfilerListsAnIntelMacsTwoGpusWithTheirMemory() throws IOException {
        List<MacGpus.MacGpu> gpus = MacGpus.parse(sample("system_profiler-intel-amd.txt"));
        assertThat(gpus)
                .containsExactly(
                        new MacGpus.MacGpu("Intel UHD Graphics 630", "Intel", "Built-In", 0, 1536),
                        new MacGpus.MacGpu("AMD Radeon Pro 5500M", "AMD", "PCIe", 0, 4096));
        assertThat(gpus).noneMatch(MacGpus.MacGpu::appleSilicon);
        assertThat(MacGpus.parse("")).isEmpty();
    }
}
