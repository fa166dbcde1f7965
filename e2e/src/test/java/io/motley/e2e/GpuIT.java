package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPUs from a fake nvidia-smi: detected, offered as GRES, and each job sees only its own. */
class GpuIT {
    @TempDir
    Path dir;

    @Test
    void twoOneGpuJobsGetDifferentDevicesAndAThirdWaits() throws Exception {
        Path smi = dir.resolve("nvidia-smi");
        Files.copy(
                TestCluster.REPO.resolve("agent/src/test/resources/fake-nvidia-smi"),
                smi,
                StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = new TestCluster(dir, "")) {
            c.startController();
            c.startAgent("g1", 2, "2000M", Map.of("MOTLEY_NVIDIA_SMI", smi.toString()));
            c.awaitNodesUp("g1");
            String gres = c.cmd("sinfo", "-N", "-h", "-o", "%N %G %f").out().trim();
            assertThat(gres).startsWith("g1 gpu:").contains(":2 ").contains("gpu");

            String body = "echo \"cvd=$CUDA_VISIBLE_DEVICES jobgpus=$SLURM_JOB_GPUS ord=$GPU_DEVICE_ORDINAL\"; sleep 3";
            long a = c.submit("--gres=gpu:1", "-o", "gpu-%j.out", "--wrap", body);
            long b = c.submit("--gpus=1", "-o", "gpu-%j.out", "--wrap", body);
            long w = c.submit("--gpus-per-node=1", "-o", "gpu-%j.out", "--wrap", body);
            long none = c.submit("-o", "gpu-%j.out", "--wrap", "echo \"cvd=[$CUDA_VISIBLE_DEVICES]\"");
            c.awaitState(a, "RUNNING", Duration.ofSeconds(20));
            c.awaitState(b, "RUNNING", Duration.ofSeconds(20));
            assertThat(c.cmd("squeue", "-h", "-j", Long.toString(w), "-o", "%t %r")
                            .out()
                            .trim())
                    .isEqualTo("PD Resources");
            for (long id : new long[] {a, b, w}) c.awaitState(id, "COMPLETED", Duration.ofSeconds(30));
            c.awaitState(none, "COMPLETED", Duration.ofSeconds(30));
            String outA = Files.readString(c.workFile("gpu-" + a + ".out")).trim();
            String outB = Files.readString(c.workFile("gpu-" + b + ".out")).trim();
            assertThat(outA).matches("cvd=([01]) jobgpus=\\1 ord=\\1");
            assertThat(outB).matches("cvd=([01]) jobgpus=\\1 ord=\\1");
            assertThat(outA).isNotEqualTo(outB);
            assertThat(Files.readString(c.workFile("gpu-" + none + ".out")).trim())
                    .isEqualTo("cvd=[]");

            TestCluster.Run tooMany = c.cmd("sbatch", "--gres=gpu:3", "--wrap", "true");
            assertThat(tooMany.rc()).isEqualTo(1);
            assertThat(tooMany.err()).contains("Invalid generic resource (gres) specification");
            assertThat(c.cmd("sacct", "-j", Long.toString(a), "-X", "-n", "-P", "-o", "AllocTRES")
                            .out())
                    .contains("gres/gpu=1");

            // srun outside an allocation: its GPU option is its job's, and its task sees that GPU alone
            TestCluster.Run srun = c.cmd("srun", "--gres=gpu:1", "sh", "-c", "echo cvd=$CUDA_VISIBLE_DEVICES");
            assertThat(srun.rc()).as(srun.err()).isZero();
            assertThat(srun.out().trim()).matches("cvd=[01]");
            TestCluster.Run srunTooMany = c.cmd("srun", "-G", "3", "true");
            assertThat(srunTooMany.rc()).isEqualTo(1);
            assertThat(srunTooMany.err()).contains("Invalid generic resource (gres) specification");
        }
    }
}
