package io.motley.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.cluster.Gpu;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection on this machine, the slurmd -C text, features, and what is held back for the host OS. */
class HardwareTest {
    @TempDir
    Path dir;

    static Hardware vm() {
        return new Hardware(
                "vm",
                2,
                24105,
                1,
                2,
                1,
                "x86_64",
                "Linux 6.18.44-fc-v769 #1 SMP PREEMPT_DYNAMIC @0",
                1_000_000,
                "amd",
                "AMD EPYC",
                List.of());
    }

    static Hardware big() {
        return new Hardware(
                "big", 32, 64000, 2, 8, 2, "x86_64", "Linux 6.1.0", 0, "intel", "Intel(R) Xeon(R)", List.of());
    }

    static final Gpu H100 = new Gpu(0, "NVIDIA H100 80GB HBM3", 81559, "GPU-f8d1b88a-3926-48fb-d9a8-e47fcb9f558d");

    @Test
    void detectsThisMachine() {
        Hardware hw = Hardware.detect(dir.resolve("no-nvidia-smi").toString());

        assertThat(hw.cpus())
                .isGreaterThanOrEqualTo(1)
                .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(hw.memMiB()).isPositive();
        assertThat(hw.sockets() * hw.coresPerSocket() * hw.threadsPerCore()).isEqualTo(hw.totalCpus());
        assertThat(hw.hostname()).isNotBlank().doesNotContain(".");
        assertThat(hw.bootTime()).isPositive().isLessThanOrEqualTo(System.currentTimeMillis() / 1000);
        assertThat(hw.arch()).isEqualTo(Hardware.arch(System.getProperty("os.arch")));
        assertThat(hw.gpus()).isEmpty();
        String expectedOs = System.getProperty("os.name").startsWith("Linux") ? "linux" : "macos";
        assertThat(hw.features()).startsWith(expectedOs, hw.arch()).doesNotContain("gpu");
        if (expectedOs.equals("linux")) {
            // OSHI read the CPU: a model and a vendor the JDK alone cannot give
            assertThat(hw.cpuModel()).isNotBlank();
            assertThat(hw.cpuVendor()).isNotBlank().matches("[a-z0-9]+");
            assertThat(hw.features()).containsExactly("linux", hw.arch(), hw.cpuVendor());
            assertThat(hw.os()).startsWith("Linux " + System.getProperty("os.version"));
        }
    }

    @Test
    void onThisX8664LinuxHostTheFeaturesAreLinuxAndX8664() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getProperty("os.name").equals("Linux")
                        && System.getProperty("os.arch").equals("amd64"));
        assertThat(Hardware.detect(dir.resolve("none").toString()).features()).contains("linux", "x86_64");
    }

    @Test
    void theJdkFallbackAgreesOnTheBasics() {
        Hardware jdk = Hardware.fromJdk();
        Hardware oshi = Hardware.detect(dir.resolve("none").toString());
        assertThat(jdk.cpus()).isEqualTo(oshi.cpus());
        assertThat(jdk.memMiB()).isPositive();
        assertThat(jdk.os()).isEqualTo(oshi.os());
        assertThat(jdk.cpuVendor()).isEmpty();
        assertThat(jdk.features()).containsExactly(oshi.osName(), oshi.arch());
    }

    @Test
    void detectOffersTheFakesGpusAsGresAndTheGpuFeature() throws Exception {
        Path smi = FakeNvidiaSmi.withEnv(dir, "smi-h100", Map.of("FAKE_GPU_MODEL", "NVIDIA H100 80GB HBM3"));
        Hardware hw = Hardware.detect(smi.toString());
        assertThat(hw.gpus()).hasSize(2);
        assertThat(hw.features()).endsWith("gpu");
        assertThat(hw.slurmdConfigLine()).endsWith(" Gres=gpu:nvidia_h100_80gb_hbm3:2");
    }

    @Test
    void oshiShapesBecomeSocketsCoresAndThreads() {
        long gib8 = 8L << 30;
        Hardware smt = Hardware.fromOshi(facts(64, 32, 2, "AuthenticAMD"), 64, gib8);
        assertThat(List.of(smt.cpus(), smt.sockets(), smt.coresPerSocket(), smt.threadsPerCore()))
                .containsExactly(64, 2, 16, 2);
        assertThat(smt.cpuVendor()).isEqualTo("amd");
        assertThat(smt.cpuModel()).isEqualTo("Some CPU");
        assertThat(smt.memMiB()).isEqualTo(8192);
        assertThat(smt.bootTime()).isEqualTo(1234);
        Hardware flat = Hardware.fromOshi(facts(4, 4, 1, "ARM"), 4, gib8);
        assertThat(List.of(flat.sockets(), flat.coresPerSocket(), flat.threadsPerCore()))
                .containsExactly(1, 4, 1);
        assertThat(flat.cpuVendor()).isEqualTo("arm");
    }

    @Test
    void aJvmHeldToFewerCpusOrLessMemoryReportsOnlyWhatItMayUse() {
        // an affinity mask or a container limit: 64 CPUs and 8 GiB on the host, 6 CPUs and 2 GiB for us
        Hardware h = Hardware.fromOshi(facts(64, 32, 2, "GenuineIntel"), 6, 2L << 30);
        assertThat(List.of(h.cpus(), h.sockets(), h.coresPerSocket(), h.threadsPerCore()))
                .containsExactly(6, 1, 6, 1);
        assertThat(h.memMiB()).isEqualTo(2048);
    }

    @Test
    void hybridCoresWithoutAUniformShapeAreCountedAsCores() {
        // 8 performance cores with 2 threads and 4 efficiency cores with 1: 20 CPUs on 12 cores
        Hardware h = Hardware.fromOshi(facts(20, 12, 1, "GenuineIntel"), 20, 8L << 30);
        assertThat(List.of(h.cpus(), h.sockets(), h.coresPerSocket(), h.threadsPerCore()))
                .containsExactly(20, 1, 20, 1);
    }

    static OshiProbe.Facts facts(int logical, int cores, int packages, String vendor) {
        return new OshiProbe.Facts(
                logical, cores, packages, 8L << 30, vendor, "Some CPU", "", "Debian GNU/Linux", "12", 1234);
    }

    @Test
    void printsTheNodeLineExactlyAsSlurmdDashC() {
        assertThat(vm().slurmdConfigLine())
                .isEqualTo(
                        "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105");
        assertThat(big().slurmdConfigLine())
                .isEqualTo(
                        "NodeName=big CPUs=32 Boards=1 SocketsPerBoard=2 CoresPerSocket=8 ThreadsPerCore=2 RealMemory=64000");
        assertThat(vm().withGpus(List.of(H100)).slurmdConfigLine())
                .isEqualTo(
                        "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
                                + " Gres=gpu:nvidia_h100_80gb_hbm3:1");
        assertThat(vm().withGpus(List.of(H100, new Gpu(1, "Tesla T4", 15360, "u")))
                        .slurmdConfigLine())
                .endsWith(" Gres=gpu:nvidia_h100_80gb_hbm3:1,gpu:tesla_t4:1");
    }

    @Test
    void printsUpTimeAsDaysHoursMinutesSeconds() {
        long boot = vm().bootTime();
        assertThat(vm().upTimeLine(boot + 86400 + 2 * 3600 + 3 * 60 + 4)).isEqualTo("UpTime=1-02:03:04");
        assertThat(vm().upTimeLine(boot + 59)).isEqualTo("UpTime=0-00:00:59");
        assertThat(vm().upTimeLine(boot + 400L * 86400 + 23 * 3600 + 59 * 60 + 59))
                .isEqualTo("UpTime=400-23:59:59");
        assertThat(vm().upTimeLine(boot - 5)).isEqualTo("UpTime=0-00:00:00");
        assertThat(vm().slurmdConfig(boot + 3661))
                .isEqualTo(
                        "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105\n"
                                + "UpTime=0-01:01:01\n");
    }

    @Test
    void specializationHoldsWholeCoresAndMemoryForTheHostOs() {
        Hardware jobs = big().withSpecialization(2, 4096);
        assertThat(jobs.cpus()).isEqualTo(28); // 2 cores x 2 threads
        assertThat(jobs.memMiB()).isEqualTo(64000 - 4096);
        assertThat(jobs.specCpus()).isEqualTo(4);
        assertThat(jobs.specMemMiB()).isEqualTo(4096);
        assertThat(jobs.totalCpus()).isEqualTo(32);
        assertThat(jobs.totalMemMiB()).isEqualTo(64000);
        // slurmd -C describes the machine, not what is left for jobs
        assertThat(jobs.slurmdConfigLine()).isEqualTo(big().slurmdConfigLine());
        // a new specialization replaces the old one rather than adding to it
        assertThat(jobs.withSpecialization(1, 0))
                .extracting(Hardware::cpus, Hardware::memMiB)
                .containsExactly(30, 64000L);
        assertThat(jobs.withSpecialization(0, 0)).isEqualTo(big());
        assertThat(vm().withSpecialization(1, 1024))
                .extracting(Hardware::cpus, Hardware::memMiB)
                .containsExactly(1, 23081L);
    }

    @Test
    void specializationAlwaysLeavesOneCpuAndOneMebibyte() {
        Hardware h = vm().withSpecialization(5, 1_000_000);
        assertThat(h.cpus()).isEqualTo(1);
        assertThat(h.memMiB()).isEqualTo(1);
        assertThat(h.totalCpus()).isEqualTo(2);
        assertThat(h.totalMemMiB()).isEqualTo(24105);
        assertThatThrownBy(() -> vm().withSpecialization(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CoreSpecCount");
        assertThatThrownBy(() -> vm().withSpecialization(0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MemSpecLimit");
    }

    @Test
    void featuresAreOsArchVendorAndGpuInThatOrderWithoutDuplicates() {
        assertThat(vm().features()).containsExactly("linux", "x86_64", "amd");
        assertThat(vm().withGpus(List.of(H100)).features()).containsExactly("linux", "x86_64", "amd", "gpu");
        Hardware pi = new Hardware(
                "pi", 4, 3800, 1, 4, 1, "aarch64", "Linux 6.6.31+rpt-rpi-v8", 0, "arm", "Cortex-A72", List.of());
        assertThat(pi.features()).containsExactly("linux", "aarch64", "arm");
        Hardware mac = new Hardware(
                "mac",
                8,
                16384,
                1,
                8,
                1,
                "aarch64",
                "macOS 14.5 (Sonoma) build 23F79",
                0,
                "apple",
                "Apple M2",
                List.of());
        assertThat(mac.features()).containsExactly("macos", "aarch64", "apple");
        Hardware unknownVendor = new Hardware("x", 1, 1, 1, 1, 1, "x86_64", "Darwin 23.5.0", 0, "", "", List.of());
        assertThat(unknownVendor.features()).containsExactly("macos", "x86_64");
        Hardware odd = new Hardware("x", 1, 1, 1, 1, 1, "x86_64", "Linux 6", 0, "linux", "", List.of(H100));
        assertThat(odd.features()).containsExactly("linux", "x86_64", "gpu");
    }

    @Test
    void vendorsBecomeShortFeatureWords() {
        assertThat(Hardware.vendor("AuthenticAMD")).isEqualTo("amd");
        assertThat(Hardware.vendor("GenuineIntel")).isEqualTo("intel");
        assertThat(Hardware.vendor("ARM")).isEqualTo("arm");
        assertThat(Hardware.vendor("Apple Inc.")).isEqualTo("apple");
        assertThat(Hardware.vendor("Motorola/Freescale")).isEqualTo("motorola");
        assertThat(Hardware.vendor("HygonGenuine")).isEqualTo("hygon");
        assertThat(Hardware.vendor("")).isEmpty();
        assertThat(Hardware.vendor(null)).isEmpty();
    }

    @Test
    void archNamesFollowUnameM() {
        assertThat(Hardware.arch("amd64")).isEqualTo("x86_64");
        assertThat(Hardware.arch("arm64")).isEqualTo("aarch64");
        assertThat(Hardware.arch("aarch64")).isEqualTo("aarch64");
        assertThat(Hardware.arch("riscv64")).isEqualTo("riscv64");
    }

    @Test
    void limitedAndShareStillCarveAMachineUp() {
        Hardware lim = big().limited("n1", 4, 1000L);
        assertThat(lim)
                .extracting(
                        Hardware::hostname,
                        Hardware::cpus,
                        Hardware::memMiB,
                        Hardware::sockets,
                        Hardware::coresPerSocket,
                        Hardware::threadsPerCore)
                .containsExactly("n1", 4, 1000L, 1, 4, 1);
        assertThat(big().limited("n1", null, null))
                .isEqualTo(new Hardware(
                        "n1", 32, 64000, 2, 8, 2, "x86_64", "Linux 6.1.0", 0, "intel", "Intel(R) Xeon(R)", List.of()));
        assertThat(big().limited("n1", 64, 1L << 40))
                .extracting(Hardware::cpus, Hardware::memMiB)
                .containsExactly(32, 64000L);
        Hardware half = big().withGpus(List.of(H100)).share("n2", 2);
        assertThat(half)
                .extracting(Hardware::hostname, Hardware::cpus, Hardware::memMiB)
                .containsExactly("n2", 16, 32000L);
        assertThat(half.gpus()).isEmpty();
        assertThat(big().withGpus(List.of(H100)).share("n2", 1).gpus()).containsExactly(H100);
        // --cpus on a node with reserved cores: jobs get the cap, the machine line still adds up
        Hardware capped = big().withSpecialization(1, 0).limited("n3", 8, null);
        assertThat(capped.cpus()).isEqualTo(8);
        assertThat(capped.sockets() * capped.coresPerSocket() * capped.threadsPerCore())
                .isEqualTo(capped.totalCpus());
    }
}
