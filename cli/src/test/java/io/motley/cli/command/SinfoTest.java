package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.cluster.Node;
import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.PartitionState;
import io.motley.core.time.Durations;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinfoTest {
    private static final long IDLE_AT = at("2026-11-22T12:28:26");
    private static final long BUSY_AT = at("2026-11-22T12:39:16");

    private static FakeCluster oneNode(Node vm) {
        return new FakeCluster().nodes(vm).partitions(Fixtures.debug());
    }

    /** n1, n2 idle; n3 half allocated; n4 down; n5 drained. debug* has all, gpu n3-n4, empty none. */
    private static FakeCluster fiveNodes() {
        return new FakeCluster()
                .nodes(
                        Fixtures.node("n1", 4, 8000),
                        Fixtures.node("n2", 4, 8000),
                        Fixtures.node("n3", 4, 8000).withAllocation(2, 2000),
                        Fixtures.node("n4", 4, 8000)
                                .withState(NodeState.DOWN, "Not responding", at("2026-11-22T10:00:00")),
                        Fixtures.node("n5", 4, 8000)
                                .withState(NodeState.DRAIN, "maintenance", at("2026-11-22T09:00:00")))
                .partitions(
                        Fixtures.debug(),
                        Fixtures.partition("gpu", false, List.of("n3", "n4"), 86400, PartitionState.UP),
                        Fixtures.partition("empty", false, List.of(), Durations.UNLIMITED, PartitionState.UP));
    }

    @Test
    void jsonHasAnEntryPerPartitionAndNodeStateWithV0040Names() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), IDLE_AT, "--json", "-p", "gpu");
        assertThat(r.code()).as(r.err()).isZero();
        java.util.Map<?, ?> doc = (java.util.Map<?, ?>) io.motley.protocol.dataparser.JsonReader.read(r.out());
        List<?> entries = (List<?>) doc.get("sinfo");
        assertThat(entries).hasSize(2);
        java.util.Map<?, ?> mixed = (java.util.Map<?, ?>) entries.get(0);
        assertThat(((java.util.Map<?, ?>) mixed.get("node")).get("state")).isEqualTo(List.of("MIXED"));
        assertThat(((java.util.Map<?, ?>) mixed.get("nodes")).get("nodes")).isEqualTo(List.of("n3"));
        assertThat(((java.util.Map<?, ?>) mixed.get("cpus")).get("allocated")).isEqualTo(2L);
        assertThat(((java.util.Map<?, ?>) mixed.get("partition")).get("name")).isEqualTo("gpu");
        java.util.Map<?, ?> down = (java.util.Map<?, ?>) entries.get(1);
        assertThat(((java.util.Map<?, ?>) down.get("node")).get("state")).isEqualTo(List.of("DOWN"));
        assertThat(((java.util.Map<?, ?>) down.get("reason")).get("description"))
                .isEqualTo("Not responding");
        assertThat(((java.util.Map<?, ?>) doc.get("meta")).get("command"))
                .isEqualTo(List.of("sinfo", "--json", "-p", "gpu"));
    }

    @Test
    void defaultLayoutOfAnIdleNodeIsSlurms() throws Exception {
        Result r = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT);
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      1   idle vm"));
    }

    @Test
    void clustersNamingThisOnePrintsItsNameFirstAsSlurmsSinfo() throws Exception {
        Result r = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "-M", "all");
        assertThat(r.out())
                .isEqualTo(lines(
                        "CLUSTER: anchor",
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      1   idle vm"));
        Result far = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "-M", "far");
        assertThat(far.code()).isEqualTo(1);
        assertThat(far.out()).isEmpty();
    }

    @Test
    void fullyAllocatedNodeReadsAlloc() throws Exception {
        Result r = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm().withAllocation(2, 2000)), BUSY_AT);
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      1  alloc vm"));
    }

    @Test
    void nodeLongLayoutMatchesTheCaptureWithItsPadding() throws Exception {
        Result idle = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "-N", "-l");
        assertThat(idle.out())
                .isEqualTo(
                        lines(
                                "Sun Nov 22 12:28:26 2026",
                                "NODELIST   NODES PARTITION       STATE CPUS    S:C:T MEMORY TMP_DISK WEIGHT AVAIL_FE REASON              ",
                                "vm             1    debug*        idle 2       1:2:1  24105        0      1   (null) none                "));

        Result busy = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm().withAllocation(2, 2000)), BUSY_AT, "-N", "-l");
        assertThat(busy.out())
                .isEqualTo(
                        lines(
                                "Sun Nov 22 12:39:16 2026",
                                "NODELIST   NODES PARTITION       STATE CPUS    S:C:T MEMORY TMP_DISK WEIGHT AVAIL_FE REASON              ",
                                "vm             1    debug*   allocated 2       1:2:1  24105        0      1   (null) none                "));
    }

    @Test
    void linesGoPerPartitionThenStateHighestFirstAndEmptyPartitionsShowNa() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT);
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      1  drain n5",
                        "debug*       up   infinite      1    mix n3",
                        "debug*       up   infinite      2   idle n[1-2]",
                        "debug*       up   infinite      1   down n4",
                        "gpu          up 1-00:00:00      1    mix n3",
                        "gpu          up 1-00:00:00      1   down n4",
                        "empty        up   infinite      0    n/a "));
    }

    @Test
    void longLayoutHasTheDateAndPartitionColumns() throws Exception {
        Result r = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "--long");
        assertThat(r.out())
                .isEqualTo(lines(
                        "Sun Nov 22 12:28:26 2026",
                        "PARTITION AVAIL  TIMELIMIT   JOB_SIZE ROOT OVERSUBS     GROUPS  NODES       STATE NODELIST",
                        "debug*       up   infinite 1-infinite   no       NO        all      1        idle vm"));
    }

    @Test
    void summarizeCountsNodesAllocatedIdleOtherTotal() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-s", "-p", "debug");
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT   NODES(A/I/O/T) NODELIST",
                        "debug*       up   infinite          1/2/2/5 n[1-5]"));
    }

    @Test
    void aPartitionNamedTwiceIsListedOnce() throws Exception {
        // "-p debug,debug" once threw IllegalArgumentException: duplicate element
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-s", "-p", "debug, debug");
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT   NODES(A/I/O/T) NODELIST",
                        "debug*       up   infinite          1/2/2/5 n[1-5]"));
    }

    @Test
    void nodeOrientedListsEachNodeOncePerPartition() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-N", "-n", "n[1,3]");
        assertThat(r.out())
                .isEqualTo(lines(
                        "NODELIST   NODES PARTITION STATE ",
                        "n1             1    debug* idle  ",
                        "n3             1    debug* mix   ",
                        "n3             1       gpu mix   "));
    }

    /** Lines sort by the state of their first node even when the format does not split by state. */
    @Test
    void userFormatGroupsOnlyByTheFieldsItShows() throws Exception {
        Result byState = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-h", "-p", "debug", "-o", "%R|%D|%C|%T|%N");
        assertThat(byState.out())
                .isEqualTo(lines(
                        "debug|1|0/0/4/4|drained|n5",
                        "debug|1|2/2/0/4|mixed|n3",
                        "debug|2|0/8/0/8|idle|n[1-2]",
                        "debug|1|0/0/4/4|down|n4"));

        Result counts =
                Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-h", "-p", "debug", "-o", "%P %D %C %c %m %z %E");
        assertThat(counts.out())
                .isEqualTo(lines(
                        "debug* 1 0/0/4/4 4 8000 1:4:1 maintenance",
                        "debug* 3 2/10/0/12 4 8000 1:4:1 none",
                        "debug* 1 0/0/4/4 4 8000 1:4:1 Not responding"));
    }

    @Test
    void stateAndNodeFiltersKeepEmptyPartitionsLines() throws Exception {
        Result idle = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-t", "idle,drain");
        assertThat(idle.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      1  drain n5",
                        "debug*       up   infinite      2   idle n[1-2]",
                        "gpu          up 1-00:00:00      0    n/a ",
                        "empty        up   infinite      0    n/a "));
        Result none = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-n", "nonode", "-p", "debug");
        assertThat(none.out())
                .as("as Slurm: the partition with 0 nodes and n/a")
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      0    n/a "));
        Result dead = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-h", "-d", "-p", "gpu");
        assertThat(dead.out()).isEqualTo(lines("gpu          up 1-00:00:00      0    n/a "));

        Result gpu = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "--partition=gpu", "--noheader", "-t", "mix");
        assertThat(gpu.out()).isEqualTo(lines("gpu          up 1-00:00:00      1    mix n3"));
    }

    @Test
    void listReasonsShowsDownAndDrainedNodes() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-R");
        assertThat(r.out())
                .isEqualTo(lines(
                        "REASON               USER      TIMESTAMP           NODELIST",
                        "maintenance          root      2026-11-22T09:00:00 n5",
                        "Not responding       root      2026-11-22T10:00:00 n4"));
    }

    /** n1 idle; n2 idle and not responding; n3 allocated and not responding; n4 down by timeout; n5 down by hand. */
    private static FakeCluster silentNodes() {
        long at = at("2026-11-22T10:00:00");
        return new FakeCluster()
                .nodes(
                        Fixtures.node("n1", 4, 8000),
                        Fixtures.node("n2", 4, 8000).withNotResponding(true),
                        Fixtures.node("n3", 4, 8000).withAllocation(4, 2000).withNotResponding(true),
                        Fixtures.node("n4", 4, 8000)
                                .withState(NodeState.DOWN, "Not responding", at)
                                .withNotResponding(true),
                        Fixtures.node("n5", 4, 8000).withState(NodeState.DOWN, "rewiring", at))
                .partitions(Fixtures.debug());
    }

    @Test
    void aNodeThatIsNotRespondingHasSlurmsStarAndItsOwnLine() throws Exception {
        Result r = Fixtures.run(new Sinfo(), silentNodes(), BUSY_AT);
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "debug*       up   infinite      1 alloc* n3",
                        "debug*       up   infinite      1  idle* n2",
                        "debug*       up   infinite      1  down* n4",
                        "debug*       up   infinite      1   idle n1",
                        "debug*       up   infinite      1   down n5"));
        Result each = Fixtures.run(new Sinfo(), silentNodes(), BUSY_AT, "-N", "-h", "-o", "%N %t %T %E");
        assertThat(each.out())
                .isEqualTo(lines(
                        "n1 idle idle none",
                        "n2 idle* idle* none",
                        "n3 alloc* allocated* none",
                        "n4 down* down* Not responding",
                        "n5 down down rewiring"));
    }

    @Test
    void deadRespondingAndNoRespondSelectByTheFlagAndReasonsListOnlyDownOrDrained() throws Exception {
        assertThat(Fixtures.run(new Sinfo(), silentNodes(), BUSY_AT, "-N", "-h", "-d", "-o", "%N")
                        .out())
                .isEqualTo(lines("n2", "n3", "n4"));
        assertThat(Fixtures.run(new Sinfo(), silentNodes(), BUSY_AT, "-N", "-h", "-r", "-o", "%N")
                        .out())
                .isEqualTo(lines("n1", "n5"));
        assertThat(Fixtures.run(new Sinfo(), silentNodes(), BUSY_AT, "-N", "-h", "-t", "no_respond", "-o", "%N")
                        .out())
                .isEqualTo(lines("n2", "n3", "n4"));
        // as in Slurm, a node that only is not responding has no reason: -R lists the down ones
        assertThat(Fixtures.run(new Sinfo(), silentNodes(), BUSY_AT, "-R", "-h", "-o", "%E|%t|%N")
                        .out())
                .isEqualTo(lines("Not responding|down*|n4", "rewiring|down|n5"));
    }

    @Test
    void listReasonsAlsoShowsAnUpNodesClockSkew() throws Exception {
        FakeCluster c = new FakeCluster()
                .nodes(
                        Fixtures.node("n1", 4, 8000),
                        Fixtures.node("n2", 4, 8000)
                                .withState(NodeState.UP, "Clock skew 300s ahead", at("2026-11-22T10:00:00")))
                .partitions(Fixtures.debug());
        Result r = Fixtures.run(new Sinfo(), c, BUSY_AT, "-R", "-o", "%E|%t|%N");
        assertThat(r.out()).isEqualTo(lines("REASON|STATE|NODELIST", "Clock skew 300s ahead|idle|n2"));
    }

    @Test
    void longPartitionNamesWidenTheDefaultColumn() throws Exception {
        FakeCluster c = new FakeCluster()
                .nodes(Fixtures.vm())
                .partitions(Fixtures.partition("interactive", true, null, 3600, PartitionState.DOWN));
        Result r = Fixtures.run(new Sinfo(), c, IDLE_AT);
        assertThat(r.out())
                .isEqualTo(lines(
                        "PARTITION    AVAIL  TIMELIMIT  NODES  STATE NODELIST",
                        "interactive*  down    1:00:00      1   idle vm"));
    }

    /** Slurm's sinfo never reads words that are no options: `sinfo --format=%P %a` prints the partitions. */
    @Test
    void wordsThatAreNoOptionsArePassedOver() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "--format=%P", "%a");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("PARTITION\n");
    }

    @Test
    void badStateIsAnErrorNamingTheValidOnes() throws Exception {
        Result r = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-t", "bogus");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .isEqualTo("sinfo: error: Bad state string: \"bogus\"\nsinfo: error: valid states: unknown,down,idle,"
                        + "allocated,?,mixed,future,drain,drained,draining,no_respond,reserved,perfctrs,cloud,completing,"
                        + "powering_down,powered_down,power_down,powering_up,fail,maint,reboot,reboot^,unknown\n");
    }

    @Test
    void versionAndUnknownOption() throws Exception {
        assertThat(Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-V").out()).isEqualTo(lines(Version.TEXT));
        Result bad = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "--bogus");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err())
                .isEqualTo(lines("sinfo: unrecognized option '--bogus'", "Try \"sinfo --help\" for more information"));
    }

    @Test
    void sortKeysAreSlurmsFormatCodes() throws Exception {
        assertThat(Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-h", "-S", "-P,D", "-o", "%P %D %t")
                        .out())
                .isEqualTo(lines(
                        "gpu 1 mix",
                        "gpu 1 down",
                        "empty 0 n/a",
                        "debug* 1 mix",
                        "debug* 1 down",
                        "debug* 1 drain",
                        "debug* 2 idle"));
        Result bad = Fixtures.run(new Sinfo(), fiveNodes(), BUSY_AT, "-S", "P,%");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo(lines("sinfo: error: Invalid sort specification: %"));
    }

    @Test
    void reservationsFederationAndABadIterateAnswerAsSlurmDoes() throws Exception {
        Result t = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "-T");
        assertThat(t.code()).isZero();
        assertThat(t.out()).isEqualTo("No reservations in the system\n");
        Result plain = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT);
        for (String flag : List.of("--federation", "--local")) {
            Result r = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, flag);
            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo(plain.out());
        }
        Result i = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "-i", "0");
        assertThat(i.code()).isEqualTo(1);
        assertThat(i.err()).isEqualTo("sinfo: error: Error: invalid entry for --iterate=0\n");
    }

    /** Slurm 22.05's sinfo -O NAME on the reference's one allocated node (vm, 2 CPUs): header and value. */
    private static final String[][] LONG_FIELDS = {
        {"Available", "AVAIL", "up"},
        {"Cluster", "CLUSTER", "N/A"},
        {"Comment", "COMMENT", "(null)"},
        {"Cores", "CORES", "2"},
        {"CPUs", "CPUS", "2"},
        {"CPUsState", "CPUS(A/I/O/T)", "2/0/0/2"},
        {"DefaultTime", "DEFAULTTIME", "n/a"},
        {"Disk", "TMP_DISK", "0"},
        {"Extra", "EXTRA", "(null)"},
        {"features_act", "ACTIVE_FEATURES", "(null)"},
        {"Gres", "GRES", "(null)"},
        {"GresUsed", "GRES_USED", "(null)"},
        {"Groups", "GROUPS", "all"},
        {"MaxCPUsPerNode", "MAX_CPUS_PER_NODE", "UNLIMITED"},
        {"Memory", "MEMORY", "24105"},
        {"NodeAI", "NODES(A/I)", "1/0"},
        {"NodeAIOT", "NODES(A/I/O/T)", "1/0/0/1"},
        {"NodeHost", "HOSTNAMES", "vm"},
        {"NodeList", "NODELIST", "vm"},
        {"Nodes", "NODES", "1"},
        {"OverSubscribe", "OVERSUBSCRIBE", "NO"},
        {"Partition", "PARTITION", "debug*"},
        {"PartitionName", "PARTITION", "debug"},
        {"Port", "PORT", "6818"},
        {"PreemptMode", "PREEMPT_MODE", "OFF"},
        {"PriorityJobFactor", "PRIO_JOB_FACTOR", "1"},
        {"PriorityTier", "PRIO_TIER", "1"},
        {"Reason", "REASON", "none"},
        {"Root", "ROOT", "no"},
        {"Size", "JOB_SIZE", "1-infinite"},
        {"SocketCoreThread", "S:C:T", "1:2:1"},
        {"Sockets", "SOCKETS", "1"},
        {"StateCompact", "STATE", "alloc"},
        {"StateLong", "STATE", "allocated"},
        {"Threads", "THREADS", "1"},
        {"Time", "TIMELIMIT", "infinite"},
        {"TimeStamp", "TIMESTAMP", "Unknown"},
        {"User", "USER", "Unknown"},
        {"UserLong", "USER", "Unknown"},
        {"Weight", "WEIGHT", "1"},
    };

    @Test
    void longFormatFieldsHaveSlurmsHeadersAndValuesTwentyWide() throws Exception {
        FakeCluster c = oneNode(Fixtures.vm().withAllocation(2, 2000));
        for (String[] f : LONG_FIELDS) {
            Result r = Fixtures.run(new Sinfo(), c, BUSY_AT, "-O", f[0]);
            assertThat(r.code()).as(f[0]).isZero();
            assertThat(r.err()).as(f[0]).isEmpty();
            assertThat(r.out()).as(f[0]).isEqualTo(lines(String.format("%-20s", f[1]), String.format("%-20s", f[2])));
        }
    }

    @Test
    void longFormatTakesWidthsRightJustificationAndNodeMode() throws Exception {
        FakeCluster c = oneNode(Fixtures.vm().withAllocation(2, 2000));
        assertThat(Fixtures.run(new Sinfo(), c, BUSY_AT, "-O", "Partition:12,Available,NodeList:.20,StateLong")
                        .out())
                .isEqualTo(lines(
                        "PARTITION   AVAIL                           NODELISTSTATE               ",
                        "debug*      up                                    vmallocated           "));
        assertThat(Fixtures.run(new Sinfo(), c, BUSY_AT, "-N", "--Format=NodeList,CPUs,Memory,StateLong")
                        .out())
                .isEqualTo(lines(
                        "NODELIST            CPUS                MEMORY              STATE               ",
                        "vm                  2                   24105               allocated           "));
        // a colon without a width: as wide as the value; what follows the width is printed after it
        assertThat(Fixtures.run(new Sinfo(), c, BUSY_AT, "-h", "-O", "Partition:,Nodes:.3|,StateComplete:")
                        .out())
                .isEqualTo(lines("debug*  1|allocated"));
    }

    @Test
    void longFormatUnknownFieldIsAnErrorAndAnEmptyColumn() throws Exception {
        Result r = Fixtures.run(new Sinfo(), oneNode(Fixtures.vm()), IDLE_AT, "-O", "nosuchfield");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(lines("", ""));
        assertThat(r.err()).isEqualTo(lines("sinfo: error: Invalid job format specification: nosuchfield"));
    }

    @Test
    void stateCompleteNamesTheBaseStateAndEveryFlag() {
        Node n = Fixtures.node("n1", 4, 8000).withAllocation(2, 2000).withState(NodeState.DRAIN, "x", IDLE_AT);
        assertThat(Sinfo.stateComplete(n)).isEqualTo("mixed+drain");
        assertThat(Sinfo.stateComplete(Fixtures.node("n1", 4, 8000))).isEqualTo("idle");
    }
}
