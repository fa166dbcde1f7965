package io.motley.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.scheduler.SchedulerOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
    @Test
    void defaultsToOnePartitionMainWithAllNodes() {
        ClusterConfig c = ClusterConfig.defaults();
        assertThat(c.clusterName()).isEqualTo("motley");
        assertThat(c.controllerPort()).isEqualTo(ClusterConfig.DEFAULT_PORT);
        assertThat(c.partitions()).containsExactly(Partition.allNodes("main", true));
    }

    @Test
    void readsSlurmConfStyleLines() {
        ClusterConfig c = ClusterConfig.parse("""
                # the lab
                ClusterName=lab
                ControllerPort=7000
                NodeTimeout=12
                DefMemPerCPU=1G
                NodeName=pi[1-3] CPUs=2 RealMemory=900
                NodeName=ws MemSpecLimit=2G CoreSpecCount=1
                HealthCheckProgram=/usr/local/bin/nhc
                HealthCheckInterval=60
                ContainmentType=process
                PartitionName=debug Nodes=pi[1-2] MaxTime=30 DefaultTime=5
                PartitionName=gpu Nodes=ALL Default=YES State=DRAIN
                """);
        assertThat(c.clusterName()).isEqualTo("lab");
        assertThat(c.controllerPort()).isEqualTo(7000);
        assertThat(c.nodeTimeoutSeconds()).isEqualTo(12);
        assertThat(c.defMemPerCpuMiB()).isEqualTo(1024);
        assertThat(c.overrideFor("pi3")).isEqualTo(new ClusterConfig.NodeOverride("pi3", 2, 900));
        assertThat(c.vouchesFor("pi3", "anyone")).isTrue();
        assertThat(c.overrideFor("ws")).isEqualTo(new ClusterConfig.NodeOverride("ws", -1, -1, 2048, 1));
        assertThat(c.healthCheckProgram()).isEqualTo("/usr/local/bin/nhc");
        assertThat(c.healthCheckIntervalSeconds()).isEqualTo(60);
        assertThat(c.containmentType()).isEqualTo("process");
        assertThat(ClusterConfig.defaults().containmentType()).isEqualTo("auto");
        assertThat(c.partitions())
                .containsExactly(
                        new Partition("debug", false, java.util.List.of("pi1", "pi2"), 1800, 300, PartitionState.UP),
                        new Partition("gpu", true, null, -1, -1, PartitionState.DRAIN));
    }

    /** Users= (Motley's): the users a node's agent may relay requests of; absent or ALL: any. */
    @Test
    void usersOnANodeNameLineLimitWhomItsAgentSpeaksFor() {
        ClusterConfig c = ClusterConfig.parse("NodeName=laptop,mac Users=ann,bob\nNodeName=ws Users=ALL\n");
        assertThat(c.vouchesFor("laptop", "ann")).isTrue();
        assertThat(c.vouchesFor("mac", "bob")).isTrue();
        assertThat(c.vouchesFor("laptop", "root")).isFalse();
        assertThat(c.vouchesFor("laptop", null)).isFalse();
        assertThat(c.vouchesFor("ws", "root")).isTrue();
        assertThat(c.vouchesFor("nas", "root")).isTrue();
        assertThatThrownBy(() -> ClusterConfig.parse("NodeName=x Users=ann,,bob\n"))
                .hasMessageContaining("Users=: not a user name");
    }

    @Test
    void maxClockSkewIsThirtySecondsUnlessSetAndNeverNegative() {
        assertThat(ClusterConfig.defaults().maxClockSkewSeconds()).isEqualTo(30);
        assertThat(ClusterConfig.parse("MaxClockSkew=120\n").maxClockSkewSeconds())
                .isEqualTo(120);
        assertThat(ClusterConfig.parse("MaxClockSkew=0\n").maxClockSkewSeconds())
                .isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterConfig.parse("MaxClockSkew=-1\n"))
                .hasMessageContaining("line 1")
                .hasMessageContaining("MaxClockSkew must be 0");
    }

    @Test
    void theHttpPortIsTwoAboveTheControllersUnlessSetAndAgentMetricsAreOffUnlessAsked() {
        ClusterConfig d = ClusterConfig.defaults();
        assertThat(d.web().httpPort(d.controllerPort())).isEqualTo(ClusterConfig.DEFAULT_PORT + 2);
        assertThat(d.web().httpBind()).isNull();
        assertThat(d.web().agentMetricsPort()).isEqualTo(-1);
        assertThat(d.web().agentMetricsBind()).isEqualTo("127.0.0.1");
        ClusterConfig c = ClusterConfig.parse(
                "ControllerPort=7000\nHttpPort=0\nHttpBind=10.0.0.1\nAgentMetricsPort=9817\nAgentMetricsBind=0.0.0.0\n");
        assertThat(c.web()).isEqualTo(new ClusterConfig.Web(0, "10.0.0.1", 9817, "0.0.0.0", null));
        assertThat(c.web().httpPort(7000)).isZero();
        assertThat(ClusterConfig.parse("ControllerPort=7000\n").web().httpPort(7000))
                .isEqualTo(7002);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterConfig.parse("HttpPort=70000\n"))
                .hasMessageContaining("HttpPort must be 0 to 65535");
    }

    @Test
    void prometheusUrlNamesAnHttpAddressOrNothing() {
        assertThat(ClusterConfig.defaults().web().prometheusUrl()).isNull();
        assertThat(ClusterConfig.parse("PrometheusURL=http://127.0.0.1:9090/prom\n")
                        .web()
                        .prometheusUrl())
                .isEqualTo("http://127.0.0.1:9090/prom");
        for (String bad : List.of("127.0.0.1:9090", "file:///etc/passwd", "http://"))
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterConfig.parse("PrometheusURL=" + bad + "\n"))
                    .as(bad)
                    .hasMessageContaining("PrometheusURL must be an http:// or https:// address");
    }

    @Test
    void storageKeysNameAServerDatabaseAndTheirAbsenceTheEmbeddedFile() {
        assertThat(ClusterConfig.defaults().storage()).isEqualTo(ClusterConfig.Storage.EMBEDDED);
        assertThat(ClusterConfig.defaults().storage().embedded()).isTrue();
        ClusterConfig c = ClusterConfig.parse("""
                StorageURL=jdbc:postgresql://db.example:5432/motley
                StorageUser=motley
                StoragePassFile=/etc/motley/db.pass
                """);
        assertThat(c.storage())
                .isEqualTo(new ClusterConfig.Storage(
                        "jdbc:postgresql://db.example:5432/motley", "motley", "/etc/motley/db.pass"));
        assertThat(c.storage().embedded()).isFalse();
        assertThat(c.storage().storeFlags()).isEmpty();
        assertThat(ClusterConfig.parse("AccountingStoreFlags=Job_Script,job_env\n")
                        .storage()
                        .storeFlags())
                .containsExactly("job_env", "job_script");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ClusterConfig.parse("AccountingStoreFlags=job_script,job_extra\n"))
                .hasMessage(
                        "motley.conf: AccountingStoreFlags: 'job_extra' is not one of job_comment, job_env, job_script");
        assertThat(ClusterConfig.parse("StorageURL=jdbc:mariadb://h/m\n")
                        .storage()
                        .url())
                .isEqualTo("jdbc:mariadb://h/m");
        assertThat(ClusterConfig.parse("StorageURL=jdbc:mysql://h/m\n")
                        .storage()
                        .url())
                .isEqualTo("jdbc:mysql://h/m");
    }

    @Test
    void aStorageUrlOfAnotherKindOrAUserWithoutAUrlIsRefused() {
        assertThatThrownBy(() -> ClusterConfig.parse("StorageURL=jdbc:oracle:thin:@h:1521:x\n"))
                .hasMessageContaining("StorageURL must start with jdbc:postgresql://");
        assertThatThrownBy(() -> ClusterConfig.parse("StorageUser=motley\n"))
                .hasMessageContaining("StorageUser and StoragePassFile need a StorageURL");
    }

    @Test
    void theFirstPartitionIsTheDefaultWhenNoneIsMarked() {
        ClusterConfig c = ClusterConfig.parse("PartitionName=a\nPartitionName=b\n");
        assertThat(c.partitions().get(0).isDefault()).isTrue();
        assertThat(c.partitions().get(1).isDefault()).isFalse();
    }

    @Test
    void schedulerTypeAndParameters() {
        assertThat(ClusterConfig.defaults().scheduling()).isEqualTo(ClusterConfig.Scheduling.DEFAULT);
        assertThat(ClusterConfig.defaults().scheduling().options()).isEqualTo(SchedulerOptions.easyBackfill());
        ClusterConfig c =
                ClusterConfig.parse("SchedulerParameters=bf_interval=2,bf_max_job_test=50,bf_reservations=3\n");
        assertThat(c.scheduling()).isEqualTo(new ClusterConfig.Scheduling(true, 2, 50, 3));
        assertThat(c.scheduling().options()).isEqualTo(new SchedulerOptions(true, 3, 50));
        assertThat(ClusterConfig.parse("SchedulerType=sched/builtin")
                        .scheduling()
                        .options())
                .isEqualTo(SchedulerOptions.FCFS);
        assertThatThrownBy(() -> ClusterConfig.parse("SchedulerType=sched/gang"))
                .hasMessageContaining("sched/backfill or sched/builtin");
        assertThatThrownBy(() -> ClusterConfig.parse("SchedulerParameters=bf_window=10"))
                .hasMessageContaining("unknown SchedulerParameters item bf_window");
        assertThatThrownBy(() -> ClusterConfig.parse("SchedulerParameters=bf_interval=0"))
                .hasMessageContaining("bf_interval must be at least 1");
        // Found by the fuzz target: cast to int, these wrapped to a negative bf_max_job_test and a wrong
        // bf_reservations.
        assertThatThrownBy(() -> ClusterConfig.parse(
                        "SchedulerParameters=bf_interval=9,bf_max_job_test=2345345678,bf_reservations=3"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bf_max_job_test must be at most 2147483647");
        assertThatThrownBy(() -> ClusterConfig.parse("SchedulerParameters=bf_reservations=4294967297"))
                .hasMessageContaining("bf_reservations must be at most 2147483647");
        assertThat(ClusterConfig.parse("SchedulerParameters=bf_max_job_test=2147483647")
                        .scheduling()
                        .maxJobTest())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void keysAndWordsWithCharactersThatChangeLengthInCaseAreReadInLinearTime() {
        // The quadratic case mapping the fuzz target found in timestamps: String.toLowerCase and toUpperCase copy their
        // whole result again for each character that maps to two (U+0130, U+00DF); a line of 60,000 allocated 10 GB.
        for (String line : new String[] {
            "\u0130".repeat(60_000) + "=1",
            "PartitionName=a State=" + "\u00df".repeat(60_000),
            "TRESBillingWeights=" + "\u0130".repeat(60_000) + "=1"
        }) {
            long before = io.motley.core.Allocations.now();
            assertThatThrownBy(() -> ClusterConfig.parse(line)).isExactlyInstanceOf(IllegalArgumentException.class);
            assertThat(io.motley.core.Allocations.now() - before)
                    .as("bytes allocated")
                    .isLessThan(64L << 20);
        }
        assertThat(ClusterConfig.parse("PartitionName=p State=drain").partitions())
                .extracting(Partition::state)
                .containsExactly(PartitionState.DRAIN);
        assertThatThrownBy(() -> ClusterConfig.parse("PartitionName=p State=sleepy"))
                .hasMessage(
                        "motley.conf line 1: partition State must be one of [UP, DOWN, DRAIN, INACTIVE], not sleepy");
    }

    @Test
    void aNodeLineIsReadOnceForAllItsNodes() {
        // Found by the fuzz target: each key was checked and each value parsed again for every node the line names, so
        // this 100-character line allocated 1.1 GB (and took 2 s) for Hostlist.MAX_HOSTS nodes; now about 270 MB.
        long before = io.motley.core.Allocations.now();
        ClusterConfig c = ClusterConfig.parse(
                "NodeName=pi[1-1048576] CPUs=1000 RealMemory=900 Features=a,b MemSpecLimit=2G CoreSpecCount=1 Weight=3");
        assertThat(io.motley.core.Allocations.now() - before)
                .as("bytes allocated")
                .isLessThan(512L << 20);
        assertThat(c.nodeOverrides()).hasSize(1 << 20);
        assertThat(c.overrideFor("pi77"))
                .isEqualTo(new ClusterConfig.NodeOverride("pi77", 1000, 900, 2048, 1, 3, List.of("a", "b")));
        // Found by the three-minute fuzz run: 262,144 names of 200 characters (within the hostlist bounds of the time)
        // whose hash codes cluster took Map.copyOf 7 s of CPU; such an expression is now too long for a hostlist.
        String clustered =
                "NodeName=\u00b2n[1-4]ContainmName=\u00b2n[1-4]ContainmName=\u00b2n[1-4]ContainmName=\u00b2n[1-4]ContainmName="
                        + "\u00b2n[1-4]ContainmName=\u00b2n[1-4]ContainmName=\u00b2n[1-4]ContainmNamE=\u00b2n[1-4]ContainmName="
                        + "\u00b2n[1-4]ContainmentType=1.5CPU=9223372036854775807";
        assertThatThrownBy(() -> ClusterConfig.parse(clustered))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("characters");
        // Keys are checked even when the hostlist names no node.
        assertThatThrownBy(() -> ClusterConfig.parse("NodeName= Weigth=3"))
                .hasMessageContaining("unknown node key Weigth");
    }

    @Test
    void billingWeightsMustBeFinite() {
        // Found by the fuzz target: NaN and Infinity were accepted as weights.
        for (String weights : new String[] {
            "CPU=NaN,GRES/gpu=2.0",
            "CPU=Infinity,GRES/gpu=0",
            "CPU=1,GRES/gpu=" + "6234".repeat(90),
            "CPU=-Infinity",
            "GRES/gpu=-0.5"
        }) {
            assertThatThrownBy(() -> ClusterConfig.parse("TRESBillingWeights=" + weights))
                    .as(weights)
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TRESBillingWeights");
        }
        assertThat(ClusterConfig.parse("TRESBillingWeights=CPU=0,GRES/gpu=1e-3")
                        .priority()
                        .gpuBillingWeight())
                .isEqualTo(0.001);
    }

    @Test
    void typosAreErrorsNamingTheLine() {
        assertThatThrownBy(() -> ClusterConfig.parse("ClusterName=x\nClustrName=y\n"))
                .hasMessageContaining("line 2")
                .hasMessageContaining("Clustr");
        assertThatThrownBy(() -> ClusterConfig.parse("PartitionName=p MaxTime=soon"))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> ClusterConfig.parse("junk")).hasMessageContaining("Key=Value");
        assertThatThrownBy(() -> ClusterConfig.parse("ContainmentType=docker")).hasMessageContaining("one of");
        assertThatThrownBy(() -> ClusterConfig.parse("NodeName=a Weigth=3")).hasMessageContaining("Weigth");
    }

    @Test
    void readsPriorityKeysAccountsUsersAndQos() {
        ClusterConfig c = ClusterConfig.parse("""
                PriorityType=priority/multifactor
                PriorityWeightAge=1000
                PriorityWeightFairshare=10000
                PriorityWeightJobSize=500
                PriorityWeightPartition=2000
                PriorityWeightQOS=3000
                PriorityMaxAge=1-0
                PriorityDecayHalfLife=0
                PriorityFavorSmall=YES
                PriorityCalcPeriod=2
                TRESBillingWeights=CPU=1.0,GRES/gpu=2.0
                PartitionName=fast Nodes=ALL PriorityJobFactor=10
                AccountName=science Fairshare=10
                AccountName=physics Parent=science Fairshare=40 Users=alice,bob
                UserName=alice DefaultAccount=physics Fairshare=3
                QOSName=high Priority=100
                """);
        var p = c.priority();
        assertThat(p.multifactor()).isTrue();
        assertThat(List.of(p.weightAge(), p.weightFairshare(), p.weightJobSize(), p.weightPartition(), p.weightQos()))
                .containsExactly(1000L, 10000L, 500L, 2000L, 3000L);
        assertThat(p.maxAgeSeconds()).isEqualTo(86400);
        assertThat(p.decayHalfLifeSeconds()).isZero();
        assertThat(p.favorSmall()).isTrue();
        assertThat(p.calcPeriodSeconds()).isEqualTo(120);
        assertThat(p.gpuBillingWeight()).isEqualTo(2.0);
        assertThat(p.jobFactor("fast")).isEqualTo(10);
        assertThat(p.jobFactor("other")).isEqualTo(1);
        var a = c.associations();
        assertThat(a.account("physics").orElseThrow().parent()).isEqualTo("science");
        assertThat(a.defaultAccount("alice")).contains("physics");
        assertThat(a.defaultAccount("bob")).contains("physics");
        assertThat(a.defaultAccount("carol")).isEmpty();
        assertThat(a.userShares("alice")).isEqualTo(3);
        assertThat(a.qos("high").orElseThrow().priority()).isEqualTo(100);
        assertThat(a.qos("normal")).isPresent();
        assertThat(a.qos("bogus")).isEmpty();
    }

    @Test
    void priorityDefaultsAreSlurmsWithMultifactor() {
        ClusterConfig c = ClusterConfig.defaults();
        assertThat(c.priority().multifactor()).isTrue();
        assertThat(c.priority().weightAge()).isZero();
        assertThat(c.priority().maxAgeSeconds()).isEqualTo(7 * 86400);
        assertThat(c.priority().decayHalfLifeSeconds()).isEqualTo(7 * 86400);
        assertThat(c.priority().calcPeriodSeconds()).isEqualTo(300);
        assertThat(c.associations().enforced()).isFalse();
        assertThat(ClusterConfig.parse("PriorityType=priority/basic").priority().multifactor())
                .isFalse();
    }

    @Test
    void badAccountLinesNameTheLine() {
        assertThatThrownBy(() -> ClusterConfig.parse("ClusterName=x\nAccountName=a Shares=3"))
                .hasMessage("motley.conf line 2: unknown account key Shares");
        assertThatThrownBy(() -> ClusterConfig.parse("AccountName=a Fairshare=parent"))
                .hasMessageContaining("motley.conf line 1: Fairshare must be a whole number");
        assertThatThrownBy(() -> ClusterConfig.parse("AccountName=a Users=x\nUserName=y DefaultAccount=a"))
                .hasMessageContaining("user y has DefaultAccount=a but that account does not list them");
        assertThatThrownBy(() -> ClusterConfig.parse("AccountName=a Parent=nowhere"))
                .hasMessageContaining("unknown Parent=nowhere");
        assertThatThrownBy(() -> ClusterConfig.parse("PriorityType=priority/fancy"))
                .hasMessageContaining("motley.conf line 1: PriorityType must be");
        assertThatThrownBy(() -> ClusterConfig.parse("TRESBillingWeights=Mem=0.25G"))
                .hasMessageContaining("not a number");
    }

    @Test
    void limitsDefaultToSlurmsAndAreReadFromTheirKeys() {
        assertThat(ClusterConfig.defaults().limits()).isEqualTo(ClusterConfig.Limits.DEFAULT);
        assertThat(ClusterConfig.Limits.DEFAULT.maxScriptBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(ClusterConfig.Limits.DEFAULT.maxArraySize()).isEqualTo(1001);
        ClusterConfig c = ClusterConfig.parse("""
                DisableRootJobs=YES
                MaxArraySize=20000
                SchedulerParameters=bf_interval=5,max_script_size=1000
                AgentMaxConnections=10
                AgentMaxConnectionsPerUser=3
                AgentRequestTimeout=7
                """);
        assertThat(c.limits()).isEqualTo(new ClusterConfig.Limits(true, 20000, 1000, 10, 3, 7));
        assertThat(c.scheduling().intervalSeconds()).isEqualTo(5);
        // InactiveLimit: 0 (never) unless set, as Slurm's
        assertThat(ClusterConfig.Limits.DEFAULT.inactiveLimitSeconds()).isZero();
        assertThat(ClusterConfig.parse("InactiveLimit=120").limits().inactiveLimitSeconds())
                .isEqualTo(120);
        assertThatThrownBy(() -> ClusterConfig.parse("InactiveLimit=-1"))
                .hasMessageContaining("InactiveLimit must be 0 or more");
        ClusterConfig staged = ClusterConfig.parse("MaxStageInSize=64M\nStageInTimeout=20\nStageInSpoolSize=2G\n");
        assertThat(staged.limits().maxStageInBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(staged.limits().stageInTimeoutSeconds()).isEqualTo(20);
        assertThat(staged.limits().stageInSpoolBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(ClusterConfig.defaults().limits().maxStageInBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(ClusterConfig.defaults().limits().stageInSpoolBytes()).isEqualTo(10L * 1024 * 1024 * 1024);
        assertThat(io.motley.core.config.ConfigListing.motley(staged))
                .contains(
                        new io.motley.core.config.ConfigListing.Setting("MaxStageInSize", "64M"),
                        new io.motley.core.config.ConfigListing.Setting("StageInSpoolSize", "2048M"));
        assertThatThrownBy(() -> ClusterConfig.parse("StageInSpoolSize=0")).hasMessageContaining("StageInSpoolSize");
        assertThatThrownBy(() -> ClusterConfig.parse("StageInTimeout=0")).hasMessageContaining("StageInTimeout");
        assertThatThrownBy(() -> ClusterConfig.parse("AgentMaxConnectionsPerUser=0"))
                .hasMessageContaining("AgentMaxConnectionsPerUser must be at least 1");
        assertThatThrownBy(() -> ClusterConfig.parse("DisableRootJobs=maybe")).hasMessageContaining("DisableRootJobs");
    }

    @Test
    void sharedFilesystemIsReadPerNodeAndIsAutoByDefault() {
        ClusterConfig c = ClusterConfig.parse("""
                NodeName=nas[1-2] SharedFilesystem=no
                NodeName=ws SharedFilesystem=YES
                NodeName=mac CPUs=4
                """);
        assertThat(c.sharedFilesystem("nas2")).isEqualTo("no");
        assertThat(c.sharedFilesystem("ws")).isEqualTo("yes");
        assertThat(c.sharedFilesystem("mac")).isEqualTo("auto");
        assertThat(c.sharedFilesystem("undeclared")).isEqualTo("auto");
        assertThatThrownBy(() -> ClusterConfig.parse("NodeName=x SharedFilesystem=maybe\n"))
                .hasMessageContaining("SharedFilesystem must be yes, no or auto");
    }

    @Test
    void sharedFilesystemOfAPartitionAppliesToItsNodesUnlessTheNodeLineSetsIt() {
        ClusterConfig c = ClusterConfig.parse("""
                NodeName=ws SharedFilesystem=yes
                NodeName=mac CPUs=4
                NodeName=nas SharedFilesystem=auto
                PartitionName=far Nodes=ws,mac,nas,pc SharedFilesystem=NO
                PartitionName=near Nodes=ALL
                """);
        // the node's own setting wins, also an explicit auto
        assertThat(c.sharedFilesystem("ws", "far")).isEqualTo("yes");
        assertThat(c.sharedFilesystem("nas", "far")).isEqualTo("auto");
        // a NodeName line without SharedFilesystem= and a node without a line take the partition's
        assertThat(c.sharedFilesystem("mac", "far")).isEqualTo("no");
        assertThat(c.sharedFilesystem("pc", "far")).isEqualTo("no");
        assertThat(c.sharedFilesystem("mac", "near")).isEqualTo("auto");
        assertThat(c.sharedFilesystem("mac", null)).isEqualTo("auto");
        assertThat(c.sharedFilesystem("mac")).isEqualTo("auto");
        assertThatThrownBy(() -> ClusterConfig.parse("PartitionName=p SharedFilesystem=maybe\n"))
                .hasMessageContaining("SharedFilesystem must be yes, no or auto");
    }

    @Test
    void maxOutputSizeIsASizeAndUnsetByDefault() {
        assertThat(ClusterConfig.defaults().maxOutputMiB()).isEqualTo(-1);
        assertThat(ClusterConfig.parse("MaxOutputSize=2G\n").maxOutputMiB()).isEqualTo(2048);
        assertThat(ClusterConfig.parse("MaxOutputSize=16\n").maxOutputMiB()).isEqualTo(16);
        assertThatThrownBy(() -> ClusterConfig.parse("MaxOutputSize=0\n"))
                .hasMessageContaining("MaxOutputSize must be at least 1M");
    }
}
