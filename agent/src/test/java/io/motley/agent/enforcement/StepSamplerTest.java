package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motley.core.step.TaskUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** sstat's figures: a job's processes told apart by the step and task their environment names. */
class StepSamplerTest {
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    private Process start(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("SLURM_STEP_ID");
        pb.environment().remove("SLURM_PROCID");
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    @Test
    void eachTaskOfEachStepAndTheBatchScriptAreCountedApart() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "needs /proc (Linux): environments are read there");
        // task 1 of step 0 holds about 64 MiB, touched so that it is resident
        Process big = start(
                Map.of("SLURM_STEP_ID", "0", "SLURM_PROCID", "1"),
                "perl",
                "-e",
                "my $x = 'a' x (64 * 1024 * 1024); print \"ready\\n\"; STDOUT->flush(); sleep 60");
        Process small = start(Map.of("SLURM_STEP_ID", "0", "SLURM_PROCID", "0"), "sleep", "60");
        Process batch = start(Map.of(), "sleep", "60");
        assertThat(new String(big.getInputStream().readNBytes(6))).isEqualTo("ready\n");
        StepSampler sampler = new StepSampler();
        List<Long> pids = List.of(big.pid(), small.pid(), batch.pid());
        sampler.sample(ProcessTable.of(pids).values());
        List<TaskUsage> usage = sampler.usage("n1");
        assertThat(usage)
                .extracting(u -> u.step() + "/" + u.task())
                .containsExactlyInAnyOrder("0/1", "0/0", TaskUsage.BATCH + "/0");
        TaskUsage task1 = usage.stream().filter(u -> u.task() == 1).findFirst().orElseThrow();
        assertThat(task1.node()).isEqualTo("n1");
        assertThat(task1.pids()).containsExactly(big.pid());
        assertThat(task1.maxRssKiB()).isGreaterThan(60 * 1024);
        // perl's brief copy of its string is in the peak the kernel kept, not in what it holds now
        assertThat(task1.rssKiB()).isPositive().isLessThanOrEqualTo(task1.maxRssKiB());
        assertThat(task1.maxVmKiB()).isGreaterThanOrEqualTo(task1.maxRssKiB());
        TaskUsage task0 = usage.stream()
                .filter(u -> u.step() == 0 && u.task() == 0)
                .findFirst()
                .orElseThrow();
        assertThat(task0.maxRssKiB()).isLessThan(20 * 1024);

        // once the big task has exited its memory now is 0, its peak stays, and the task is still listed
        big.destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessTable.gone(big.pid()));
        sampler.sample(ProcessTable.of(pids).values());
        TaskUsage after = sampler.usage("n1").stream()
                .filter(u -> u.task() == 1)
                .findFirst()
                .orElseThrow();
        assertThat(after.rssKiB()).isZero();
        assertThat(after.pids()).isEmpty();
        assertThat(after.maxRssKiB()).isEqualTo(task1.maxRssKiB());
        // what it read and its CPU time stay counted (the loader's reads of perl's libraries at least)
        assertThat(task1.readBytes()).isPositive();
        assertThat(after.readBytes()).isEqualTo(task1.readBytes());
        assertThat(after.cpuMs()).isEqualTo(task1.cpuMs());
    }

    @Test
    void aPeakBetweenTwoSamplesIsKeptFromTheKernelsCount() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "needs /proc (Linux): VmHWM is read there");
        // about 80 MiB held and given back before the first sample
        Process p = start(
                Map.of("SLURM_STEP_ID", "1", "SLURM_PROCID", "0"),
                "perl",
                "-e",
                "{ my $x = 'a' x (80 * 1024 * 1024); } print \"ready\\n\"; STDOUT->flush(); sleep 60");
        assertThat(new String(p.getInputStream().readNBytes(6))).isEqualTo("ready\n");
        StepSampler sampler = new StepSampler();
        sampler.sample(ProcessTable.of(List.of(p.pid())).values());
        TaskUsage u = sampler.usage("n1").get(0);
        assertThat(u.maxRssKiB()).isGreaterThan(78 * 1024);
        assertThat(u.rssKiB()).isLessThan(u.maxRssKiB());
    }

    @Test
    void aProcessSeenBeforeItsExecJoinsItsTaskOnceItNamesIt() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "needs /proc (Linux): environments are read there");
        // as a task's entry script: in the job's box with the agent's environment, then exec with the task's
        Process p = start(Map.of(), "sh", "-c", "read x; exec env SLURM_STEP_ID=4 SLURM_PROCID=3 sleep 60");
        StepSampler sampler = new StepSampler();
        sampler.sample(ProcessTable.of(List.of(p.pid())).values());
        assertThat(sampler.usage("n1")).extracting(TaskUsage::step).containsExactly(TaskUsage.BATCH);
        p.getOutputStream().write("go\n".getBytes());
        p.getOutputStream().flush();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessTable.environ(p.pid(), java.util.Set.of("SLURM_STEP_ID"))
                        .map(e -> e.containsKey("SLURM_STEP_ID"))
                        .orElse(false));
        sampler.sample(ProcessTable.of(List.of(p.pid())).values());
        assertThat(sampler.usage("n1"))
                .extracting(u -> u.step() + "/" + u.task() + " " + u.pids())
                .containsExactly("4/3 [" + p.pid() + "]");
    }

    @Test
    void bytesReadAreCountedAsSlurmsRcharIs() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "needs /proc (Linux): /proc/PID/io is read there");
        Process reader = start(
                Map.of("SLURM_STEP_ID", "2", "SLURM_PROCID", "0"),
                "perl",
                "-e",
                "open(F, '<', '/dev/zero'); read(F, my $b, 3000000); print \"done\\n\"; STDOUT->flush(); sleep 60");
        assertThat(new String(reader.getInputStream().readNBytes(5))).isEqualTo("done\n");
        StepSampler sampler = new StepSampler();
        sampler.sample(ProcessTable.of(List.of(reader.pid())).values());
        TaskUsage u = sampler.usage("n1").get(0);
        assertThat(u.step()).isEqualTo(2);
        assertThat(u.readBytes()).isGreaterThanOrEqualTo(3_000_000);
    }

    @Test
    void theKernelsPartOfATasksCpuTimeIsToldApartAndStaysOnceItExited() throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "needs /proc (Linux): times are read there");
        // copying 1.3 GB out of /dev/zero is kernel time
        Process p = start(
                Map.of("SLURM_STEP_ID", "3", "SLURM_PROCID", "0"),
                "perl",
                "-e",
                "open(F, '<', '/dev/zero'); sysread(F, my $b, 65536) for 1 .. 20000; print \"done\\n\";"
                        + " STDOUT->flush(); sleep 60");
        assertThat(new String(p.getInputStream().readNBytes(5))).isEqualTo("done\n");
        StepSampler sampler = new StepSampler();
        sampler.sample(ProcessTable.of(List.of(p.pid())).values());
        TaskUsage u = sampler.usage("n1").get(0);
        assertThat(u.systemCpuMs()).isPositive().isLessThanOrEqualTo(u.cpuMs());
        assertThat(u.userCpuMs()).isEqualTo(u.cpuMs() - u.systemCpuMs());
        p.destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessTable.gone(p.pid()));
        sampler.sample(ProcessTable.of(List.of(p.pid())).values());
        assertThat(sampler.usage("n1").get(0).systemCpuMs()).isEqualTo(u.systemCpuMs());
    }

    @Test
    void aTasksCpuFrequencyIsWeighedByTheCpuTimeItRanAt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assumeTrue(ProcessTable.hasProcfs(), "needs /proc (Linux): the CPU a process last ran on is read there");
        // every CPU of this machine at 1.8 GHz as cpufreq says it (kHz)
        int cpus = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < Math.max(cpus, 64); cpu++) {
            java.nio.file.Path f = dir.resolve("cpu" + cpu + "/cpufreq/cpuinfo_cur_freq");
            java.nio.file.Files.createDirectories(f.getParent());
            java.nio.file.Files.writeString(f, "1800000\n");
        }
        Process busy = start(Map.of("SLURM_STEP_ID", "0", "SLURM_PROCID", "0"), "perl", "-e", "1 while 1");
        StepSampler sampler = new StepSampler(new CpuFrequency(dir, dir.resolve("no-cpuinfo")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            sampler.sample(ProcessTable.of(List.of(busy.pid())).values());
            TaskUsage u = sampler.usage("n1").get(0);
            assertThat(u.cpuMs()).isGreaterThanOrEqualTo(200);
            assertThat(u.cpuFreq()).isEqualTo(1_800_000);
        });
        // no frequency known (no /proc/cpuinfo figure either): 0, as Slurm shows it
        StepSampler blind = new StepSampler(new CpuFrequency(dir.resolve("none"), dir.resolve("no-cpuinfo")));
        blind.sample(ProcessTable.of(List.of(busy.pid())).values());
        assertThat(blind.usage("n1").get(0).cpuFreq()).isZero();
    }
}
