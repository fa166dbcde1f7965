package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.priority.ShareTree;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.util.List;
import org.junit.jupiter.api.Test;

class SshareTest {
    final FakeCluster cluster = new FakeCluster();

    SshareTest() {
        Frame answer = Frame.op(Ops.OK).put("type", "priority/multifactor");
        for (ShareTree.Row r : List.of(
                new ShareTree.Row("root", null, 0, -1, 0.0, 1000.7, 1.0, 1.0, 0.0),
                new ShareTree.Row("chem", null, 1, 60, 0.6, 200.7, 0.2, 0.2, 0.7937005),
                new ShareTree.Row("chem", "carol", 2, 1, 0.6, 200.7, 0.2, 0.2, 0.7937005),
                new ShareTree.Row("physics", null, 1, 40, 0.4, 800, 0.8, 0.8, 0.25),
                new ShareTree.Row("physics", "alice", 2, 1, 0.2, 600, 0.6, 0.7, 0.0883883),
                new ShareTree.Row("physics", "bob", 2, 1, 0.2, 200, 0.2, 0.5, 0.1767767))) {
            answer.add(Codec.shareRow(r));
        }
        cluster.canned.put(Ops.SHARES, answer);
    }

    Result sshare(String... args) throws Exception {
        return Fixtures.run(new Sshare(), cluster, 0, 1000, "alice", "", args);
    }

    @Test
    void defaultShowsEveryAccountAndTheCallersRows() throws Exception {
        assertThat(sshare().out())
                .isEqualTo(
                        lines(
                                "Account                    User  RawShares  NormShares    RawUsage  EffectvUsage  FairShare ",
                                "-------------------- ---------- ---------- ----------- ----------- ------------- ---------- ",
                                "root                                          0.000000        1000      1.000000   0.000000 ",
                                " chem                                   60    0.600000         200      0.200000   0.793701 ",
                                " physics                                40    0.400000         800      0.800000   0.250000 ",
                                "  physics                 alice          1    0.200000         600      0.700000   0.088388 "));
    }

    @Test
    void allUsersAccountsAndParsable() throws Exception {
        assertThat(sshare("-a").out().lines().filter(l -> l.startsWith("  ")).toList())
                .hasSize(3);
        // the tree's indentation stays in parsable output, as in Slurm
        assertThat(sshare("-a", "-A", "chem", "-n", "-P").out())
                .isEqualTo(lines(
                        " chem||60|0.600000|200|0.200000|0.793701", "  chem|carol|1|0.600000|200|0.200000|0.793701"));
        assertThat(sshare("-u", "bob", "-U", "-n", "-p").out())
                .isEqualTo(lines("  physics|bob|1|0.200000|200|0.500000|0.176777|"));
        assertThat(sshare("-l").out().lines().findFirst().orElseThrow())
                .isEqualTo(
                        "Account                    User  RawShares  NormShares    RawUsage   NormUsage  EffectvUsage  FairShare"
                                + "                    GrpTRESMins                    TRESRunMins ");
    }
}
