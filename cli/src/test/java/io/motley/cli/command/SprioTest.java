package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.core.priority.Factors;
import io.motley.core.priority.PriorityConfig;
import io.motley.protocol.Codec;
import io.motley.protocol.Frame;
import io.motley.protocol.Ops;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SprioTest {
    static final PriorityConfig WEIGHTS =
            new PriorityConfig(true, 1000, 10_000, 0, 1000, 0, 0, 0, false, Map.of(), 1.0, 0.0);
    final FakeCluster cluster = new FakeCluster();

    SprioTest() {
        Frame answer = Codec.putWeights(Frame.op(Ops.OK), WEIGHTS);
        answer.add(Codec.factors(new Factors(13, "bob", "gpu", 0.0625, 0.5, 0, 0.5, 0, 100, WEIGHTS)));
        answer.add(Codec.factors(new Factors(12, "alice", "debug", 0.5, 0.25, 0, 1.0, 0, 0, WEIGHTS)));
        cluster.canned.put(Ops.PRIORITY_FACTORS, answer);
    }

    Result sprio(String... args) throws Exception {
        return Fixtures.run(new Sprio(), cluster, 0, args);
    }

    @Test
    void defaultColumnsLeaveOutFactorsWithoutWeight() throws Exception {
        Result r = sprio();
        assertThat(r.code()).isZero();
        // 62.5 rounds to 62 as printf's %.0f does; 62.5 + 5000 + 500 - 100 = 5462.5 -> 5462
        assertThat(r.out())
                .isEqualTo(lines(
                        "          JOBID PARTITION   PRIORITY       SITE        AGE  FAIRSHARE  PARTITION",
                        "             12 debug           4000          0        500       2500       1000",
                        "             13 gpu             5462          0         62       5000        500"));
    }

    @Test
    void weightsNormalizedJobsAndUsers() throws Exception {
        assertThat(sprio("-w").out())
                .isEqualTo(lines(
                        "          JOBID PARTITION   PRIORITY       SITE        AGE  FAIRSHARE  PARTITION",
                        "        Weights                               1       1000      10000       1000"));
        assertThat(sprio("-n", "-j", "12").out())
                .isEqualTo(lines(
                        "          JOBID PARTITION PRIORITY   AGE        FAIRSHARE  PARTITION ",
                        "             12 debug     0.00000093 0.5000000  0.2500000  1.0000000 "));
        assertThat(sprio("-u", "bob", "-h").out())
                .isEqualTo(lines(
                        "             13 gpu            bob       5462          0         62       5000        500"));
        assertThat(sprio("-j", "99").out()).endsWith("Unable to find jobs matching user/id(s) specified\n");
        assertThat(sprio("-l").out().lines().findFirst().orElseThrow())
                .isEqualTo(
                        "          JOBID PARTITION     USER   PRIORITY       SITE        AGE      ASSOC  FAIRSHARE    JOBSIZE  PARTITION"
                                + "        QOS        NICE                 TRES");
        assertThat(sprio("-l", "-j", "13").out().lines().skip(1).findFirst().orElseThrow())
                .isEqualTo(
                        "             13 gpu            bob       5462          0         62          0       5000          0        500"
                                + "          0         100                     ");
    }

    @Test
    void basicIsNotSupported() throws Exception {
        cluster.canned.put(Ops.PRIORITY_FACTORS, Frame.op(Ops.OK).put("type", "priority/basic"));
        Result r = sprio();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(lines(
                        "You are not running a supported priority plugin",
                        "(priority/basic).",
                        "Only 'priority/multifactor' is supported."));
    }
}
