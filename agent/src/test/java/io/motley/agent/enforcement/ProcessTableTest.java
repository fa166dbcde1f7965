package io.motley.agent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The process table the fallback strategy and every usage sample read. */
class ProcessTableTest {
    @Test
    void parsesStatWhoseCommandHoldsSpacesAndParentheses() {
        String stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 12345 10485760 512 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcessTable.Proc p = ProcessTable.parseStat(stat);
        assertThat(p.pid()).isEqualTo(4242);
        assertThat(p.ppid()).isEqualTo(1);
        assertThat(p.pgid()).isEqualTo(4242);
        assertThat(p.state()).isEqualTo('S');
        assertThat(p.userMs()).isEqualTo(250 * 1000 / ProcessTable.clockTicks());
        assertThat(p.systemMs()).isEqualTo(50 * 1000 / ProcessTable.clockTicks());
        assertThat(p.start()).isEqualTo(12345);
        assertThat(p.vmKiB()).isEqualTo(10240);
        assertThat(p.rssKiB()).isEqualTo(512 * ProcessTable.pageSize() / 1024);
        assertThat(ProcessTable.parseStat(stat.replace(") S ", ") Z ")).dead()).isTrue();
    }

    @Test
    void parsesPsWhereThereIsNoProc() {
        List<ProcessTable.Proc> ps = ProcessTable.parsePs("""
                  PID  PPID  PGID STAT   RSS      VSZ     TIME
                    1     0     1 Ss    1200   168000 00:00:07
                  300     1   300 R+   20480  4000000 1-02:03:04
                  301   300   300 Z        0        0   0:01.50
                """);
        assertThat(ps).extracting(ProcessTable.Proc::pid).containsExactly(1L, 300L, 301L);
        assertThat(ps.get(1).userMs()).isEqualTo((86400 + 2 * 3600 + 3 * 60 + 4) * 1000L);
        assertThat(ps.get(1).rssKiB()).isEqualTo(20480);
        assertThat(ps.get(2).userMs()).isEqualTo(1500);
        assertThat(ps.get(2).dead()).isTrue();
    }

    @Test
    void readsThisProcessAndItsEnvironment() {
        assumeTrue(ProcessTable.hasProcfs(), "no /proc on this host: the ps path is tested above");
        long self = ProcessHandle.current().pid();
        assertThat(ProcessTable.read(self))
                .hasValueSatisfying(p -> assertThat(p.rssKiB()).isPositive());
        assertThat(ProcessTable.all()).extracting(ProcessTable.Proc::pid).contains(self);
        String path = System.getenv("PATH");
        assumeTrue(path != null, "the test JVM has no PATH to look for in its environment");
        assertThat(ProcessTable.environHas(self, List.of("PATH=" + path))).isTrue();
        assertThat(ProcessTable.environHas(self, List.of("PATH=" + path, "MOTLEY_NO_SUCH=1")))
                .isFalse();
    }
}
