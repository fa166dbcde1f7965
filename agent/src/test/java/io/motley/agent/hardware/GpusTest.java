package io.motley.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.cluster.Gpu;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nvidia-smi through the fake script: inventory, samples, absence, failures and odd output. */
class GpusTest {
    @TempDir
    Path dir;

    @Test
    void detectsTheFakesTwoGpusWithTheirModelMemoryAndUuid() throws Exception {
        Path smi = FakeNvidiaSmi.withEnv(
                dir, "smi-h100", Map.of("FAKE_GPU_MODEL", "NVIDIA H100 80GB HBM3", "FAKE_GPU_MEM", "81559"));

        List<Gpu> gpus = Gpus.detect(smi.toString());

        assertThat(gpus)
                .containsExactly(
                        new Gpu(0, "NVIDIA H100 80GB HBM3", 81559, "GPU-fa4e0000-0000-4000-8000-000000000000"),
                        new Gpu(1, "NVIDIA H100 80GB HBM3", 81559, "GPU-fa4e0000-0000-4000-8000-000000000001"));
        assertThat(gpus).extracting(Gpu::type).containsOnly("nvidia_h100_80gb_hbm3");
        assertThat(Gpu.gres(gpus)).isEqualTo("gpu:nvidia_h100_80gb_hbm3:2");
    }

    @Test
    void theFakesDefaultsAreTwoA100s() throws Exception {
        List<Gpu> gpus = Gpus.detect(FakeNvidiaSmi.install(dir).toString());
        assertThat(gpus).hasSize(2).extracting(Gpu::model).containsOnly("NVIDIA A100-SXM4-40GB");
        assertThat(gpus).extracting(Gpu::memMiB).containsOnly(40960L);
    }

    @Test
    void samplesUtilisationAndMemoryPerGpu() throws Exception {
        Path smi =
                FakeNvidiaSmi.withEnv(dir, "smi-busy", Map.of("FAKE_GPU_UTIL", "7,0", "FAKE_GPU_MEM_USED", "1234,0"));
        assertThat(Gpus.sample(smi.toString())).isEqualTo("0:util=7%,mem=1234MiB;1:util=0%,mem=0MiB");
    }

    @Test
    void noProgramMeansNoGpusAndAnEmptySample() {
        String missing = dir.resolve("no-such-nvidia-smi").toString();
        assertThat(Gpus.detect(missing)).isEmpty();
        assertThat(Gpus.sample(missing)).isEmpty();
        assertThat(Gpus.detect("motley-no-such-program-on-path")).isEmpty();
    }

    @Test
    void aFailingDriverMeansNoGpus() throws Exception {
        Path smi = FakeNvidiaSmi.withEnv(dir, "smi-broken", Map.of("FAKE_GPU_FAIL", "1"));
        assertThat(Gpus.detect(smi.toString())).isEmpty();
        assertThat(Gpus.sample(smi.toString())).isEmpty();
    }

    @Test
    void zeroGpusIsNoGpus() throws Exception {
        Path smi = FakeNvidiaSmi.withEnv(dir, "smi-none", Map.of("FAKE_GPU_COUNT", "0"));
        assertThat(Gpus.detect(smi.toString())).isEmpty();
        assertThat(Gpus.sample(smi.toString())).isEmpty();
    }

    @Test
    void theCommandComesFromTheEnvironmentOrPath() {
        assertThat(Gpus.command(Map.of())).isEqualTo("nvidia-smi");
        assertThat(Gpus.command(Map.of("MOTLEY_NVIDIA_SMI", " /opt/fake/nvidia-smi ")))
                .isEqualTo("/opt/fake/nvidia-smi");
        assertThat(Gpus.command(Map.of("MOTLEY_NVIDIA_SMI", ""))).isEqualTo("nvidia-smi");
        assertThat(Gpus.resolve("sh")).hasValueSatisfying(p -> assertThat(p).isAbsolute());
    }

    @Test
    void parsesTheRealH100LineAndToleratesSpacesUnitsAndNotAvailable() {
        assertThat(Gpus.parseInventory("0, NVIDIA H100 80GB HBM3, 81559, GPU-f8d1b88a-3926-48fb-d9a8-e47fcb9f558d\n"))
                .containsExactly(
                        new Gpu(0, "NVIDIA H100 80GB HBM3", 81559, "GPU-f8d1b88a-3926-48fb-d9a8-e47fcb9f558d"));
        assertThat(Gpus.parseInventory("""

                  1 ,  Tesla T4 , 15360 MiB , GPU-b
                0,Odd, Name, With Commas,[N/A],GPU-a
                not a gpu line
                """))
                .containsExactly(
                        new Gpu(0, "Odd, Name, With Commas", 0, "GPU-a"), new Gpu(1, "Tesla T4", 15360, "GPU-b"));
        assertThat(Gpus.parseSample("0, [N/A], 512\r\n1, 100 %, [N/A]\n"))
                .isEqualTo("0:util=N/A,mem=512MiB;1:util=100%,mem=N/A");
        assertThat(Gpus.parseSample("")).isEmpty();
        assertThat(Gpus.parseInventory("")).isEmpty();
    }

    @Test
    void selectsAllNoneOrChosenIndices() {
        List<Gpu> two = List.of(new Gpu(0, "A", 1, "u0"), new Gpu(1, "A", 1, "u1"));
        assertThat(Gpus.select(two, null)).isEqualTo(two);
        assertThat(Gpus.select(two, "all")).isEqualTo(two);
        assertThat(Gpus.select(two, "none")).isEmpty();
        assertThat(Gpus.select(two, "1")).extracting(Gpu::uuid).containsExactly("u1");
        assertThatThrownBy(() -> Gpus.select(two, "0,5")).hasMessageContaining("no GPU with index [5]");
        assertThatThrownBy(() -> Gpus.select(two, "x")).hasMessageContaining("all, none or indices");
    }

    @Test
    void aHangingNvidiaSmiIsKilledAndMeansNoGpus() throws Exception {
        Path smi = FakeNvidiaSmi.withEnv(dir, "smi-wedged", Map.of("FAKE_GPU_HANG", "60"));
        long t0 = System.nanoTime();
        assertThat(Gpus.detect(smi.toString(), java.time.Duration.ofMillis(500)))
                .isEmpty();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(10));
    }
}
