package io.motley.cli.slurmconf;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.PartitionState;
import io.motley.core.config.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** motley import: what carries over from a slurm.conf (and gres.conf), what is listed as not, and that the result loads. */
class SlurmConfImportTest {

    /** The reference Slurm 22.05 config (/work/shared/reference/slurm/slurm.conf; a copy travels with the tests). */
    static String reference() throws Exception {
        Path ref = Path.of("/work/shared/reference/slurm/slurm.conf");
        if (Files.exists(ref)) return Files.readString(ref);
        try (var in = SlurmConfImportTest.class.getResourceAsStream("anchor-slurm.conf")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theReferenceSingleHostConfigCarriesItsNodePartitionAndScheduler() throws Exception {
        SlurmConfImport.Result r = SlurmConfImport.convert(reference(), null);
        ClusterConfig c = ClusterConfig.parse(r.motleyConf());
        assertThat(c.clusterName()).isEqualTo("anchor");
        assertThat(r.motleyConf().lines().toList())
                .contains(
                        "DefMemPerCPU=1000",
                        "SchedulerType=sched/backfill",
                        "SchedulerParameters=bf_interval=1",
                        "NodeName=vm CPUs=2 RealMemory=24105",
                        "PartitionName=debug Nodes=vm Default=YES MaxTime=INFINITE State=UP");
        assertThat(r.notCarried())
                .anyMatch(n -> n.startsWith("SlurmctldHost=vm: "))
                .anyMatch(n -> n.startsWith("AuthType=auth/munge: "))
                .anyMatch(n -> n.startsWith("SchedulerParameters defer: "))
                .anyMatch(n -> n.startsWith("ReturnToService=2: no Motley equivalent"));
        assertThat(r.notCarried()).noneMatch(n -> n.startsWith("ClusterName") || n.startsWith("DefMemPerCPU"));
        assertThat(r.motleyConf()).contains("# Not carried over").contains("#   JobCompType=jobcomp/filetxt");
    }

    @Test
    void defaultsHostlistsShapesPrioritiesAndGpus() {
        String slurm = """
                ClusterName=lab
                SlurmdTimeout=120
                PriorityType=priority/multifactor
                PriorityWeightAge=1000
                PriorityWeightFairshare=10000
                PriorityDecayHalfLife=7-0
                NodeName=DEFAULT Sockets=2 CoresPerSocket=4 ThreadsPerCore=2 RealMemory=64000 \\
                    State=UNKNOWN
                NodeName=cn[01-04] Weight=10 Feature=avx2
                NodeName=gpu1 CPUs=16 RealMemory=128000 Gres=gpu:a100:2,nic:1 NodeAddr=10.0.0.9
                PartitionName=DEFAULT MaxTime=2-00:00:00 State=UP
                PartitionName=cpu Nodes=cn[01-04] Default=YES OverSubscribe=NO
                PartitionName=gpu Nodes=gpu1 PriorityTier=2 MaxTime=12:00:00 State=INACTIVE
                Include /etc/slurm/extra.conf
                """;
        String gres = """
                AutoDetect=off
                NodeName=gpu1 Name=gpu Type=a100 File=/dev/nvidia[0-1]
                NodeName=gpu1 Name=nic Count=1
                """;
        SlurmConfImport.Result r = SlurmConfImport.convert(slurm, gres);
        ClusterConfig c = ClusterConfig.parse(r.motleyConf());
        assertThat(c.nodeTimeoutSeconds()).isEqualTo(120);
        assertThat(r.motleyConf().lines().toList())
                .contains(
                        "PriorityType=priority/multifactor",
                        "PriorityWeightFairshare=10000",
                        "PriorityDecayHalfLife=7-0",
                        "NodeName=cn[01-04] CPUs=16 RealMemory=64000 Weight=10 Features=avx2",
                        "NodeName=gpu1 CPUs=16 RealMemory=128000",
                        "PartitionName=cpu MaxTime=2-00:00:00 State=UP Nodes=cn[01-04] Default=YES",
                        "PartitionName=gpu MaxTime=12:00:00 State=DOWN Nodes=gpu1 PriorityTier=2",
                        "# gres.conf gpu on gpu1 Type=a100 File=/dev/nvidia[0-1]: start the agent with --gpus 0,1"
                                + " to offer only these");
        assertThat(c.partitions()).anyMatch(p -> p.name().equals("gpu") && p.state() == PartitionState.DOWN);
        assertThat(r.notCarried())
                .contains(
                        "node gpu1 Gres=nic:1: Motley's generic resources are GPUs only",
                        "partition cpu OverSubscribe=NO: no Motley equivalent",
                        "partition gpu State=INACTIVE: Motley has UP, DOWN and DRAIN; imported as DOWN")
                .anyMatch(n -> n.startsWith("Include /etc/slurm/extra.conf: "))
                .anyMatch(n -> n.startsWith("node gpu1 NodeAddr=10.0.0.9: "))
                .anyMatch(n -> n.startsWith("gres.conf NodeName=gpu1 Name=nic Count=1: "));
    }

    @Test
    void deviceFilesBecomeGpuIndices() {
        assertThat(SlurmConfImport.deviceIndices("/dev/nvidia[0-3]")).isEqualTo("0,1,2,3");
        assertThat(SlurmConfImport.deviceIndices("/dev/nvidia2")).isEqualTo("2");
        assertThat(SlurmConfImport.deviceIndices("/dev/dri/renderD128")).isNull();
    }

    @Test
    void anUnknownSchedulerIsListedAndTheRestStillLoads() {
        SlurmConfImport.Result r =
                SlurmConfImport.convert("SchedulerType=sched/wiki2\nKillWait=10\nInactiveLimit=300\n", null);
        assertThat(ClusterConfig.parse(r.motleyConf()).killWaitSeconds()).isEqualTo(10);
        assertThat(ClusterConfig.parse(r.motleyConf()).limits().inactiveLimitSeconds())
                .isEqualTo(300);
        assertThat(r.notCarried())
                .containsExactly("SchedulerType=sched/wiki2: Motley has sched/backfill and sched/builtin");
    }
}
