package io.motley.cli.command;

import static io.motley.cli.command.Fixtures.at;
import static io.motley.cli.command.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.protocol.Message.Diagnostics;
import io.motley.protocol.Message.Passes;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import org.junit.jupiter.api.Test;

class SdiagTest {
    @Test
    void printsTheControllersFiguresInSlurmsLayout() throws Exception {
        long since = at("2026-11-22T12:00:00");
        long now = at("2026-11-22T12:30:00");
        FakeCluster c = new FakeCluster();
        c.canned.put(
                Ops.DIAGNOSTICS,
                Messages.encode(new Diagnostics(
                        since,
                        now,
                        12,
                        10,
                        6,
                        2,
                        1,
                        2,
                        1,
                        new Passes(90, 120, 900, 18000, 2, now - 1),
                        new Passes(3, 300, 900, 1500, 2, now - 20))));
        Result r = Fixtures.run(new Sdiag(), c, now);
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .isEqualTo(lines(
                        "*******************************************************",
                        "sdiag output at Sun Nov 22 12:30:00 2026 (" + now + ")",
                        "Data since      Sun Nov 22 12:00:00 2026 (" + since + ")",
                        "*******************************************************",
                        "Jobs submitted: 12",
                        "Jobs started:   10",
                        "Jobs completed: 6",
                        "Jobs canceled:  2",
                        "Jobs failed:    1",
                        "",
                        "Job states ts:  Sun Nov 22 12:30:00 2026 (" + now + ")",
                        "Jobs pending:   2",
                        "Jobs running:   1",
                        "",
                        "Main schedule statistics (microseconds):",
                        "\tLast cycle:   120",
                        "\tMax cycle:    900",
                        "\tTotal cycles: 90",
                        "\tMean cycle:   200",
                        "\tCycles per minute: 3",
                        "\tLast queue length: 2",
                        "",
                        "Backfilling stats",
                        "\tTotal cycles: 3",
                        "\tLast cycle when: Sun Nov 22 12:29:40 2026 (" + (now - 20) + ")",
                        "\tLast cycle: 300",
                        "\tMax cycle:  900",
                        "\tMean cycle: 500",
                        "\tLast queue length: 2"));
    }

    @Test
    void resetIsRefused() throws Exception {
        Result r = Fixtures.run(new Sdiag(), new FakeCluster(), 0, "-r");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not supported");
    }
}
