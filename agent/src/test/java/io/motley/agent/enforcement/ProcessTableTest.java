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

    static String macSample(String name) throws java.io.IOException {
        try (var in = ProcessTableTest.class.getResourceAsStream("/macos/" + name)) {
            if (in == null) throw new java.io.IOException("no sample " + name);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesMacOsPsWithItsStatesCpuTimesAndStarts() throws Exception {
        // src/test/resources/macos/ps.txt: BSD ps's format, written by hand (no Mac was available)
        List<ProcessTable.Proc> ps = ProcessTable.parsePs(macSample("ps.txt"));
        assertThat(ps).extracting(ProcessTable.Proc::pid).containsExactly(1L, 312L, 901L, 902L, 903L, 904L, 905L);
        ProcessTable.Proc busy = ps.get(3);
        assertThat(List.of(busy.ppid(), busy.pgid(), busy.rssKiB(), busy.vmKiB()))
                .containsExactly(901L, 901L, 204800L, 411012336L);
        assertThat(busy.state()).isEqualTo('R');
        // macOS prints minutes past 59 rather than hours: 125:03.10
        assertThat(ps.get(6).userMs()).isEqualTo((125 * 60 + 3) * 1000L + 100);
        assertThat(busy.userMs()).isEqualTo((12 * 60 + 34) * 1000L + 560);
        assertThat(ps.get(4).dead()).isTrue();
        // U (uninterruptible wait) and I (idle) are alive on macOS
        assertThat(ps.get(5).dead()).isFalse();
        assertThat(ps.get(6).dead()).isFalse();
        assertThat(busy.start())
                .isEqualTo(java.time.LocalDateTime.of(2023, 11, 21, 14, 2, 11).toEpochSecond(java.time.ZoneOffset.UTC));
        // "Wed Nov  1": a one-digit day is padded with a space
        assertThat(ps.get(5).start())
                .isEqualTo(java.time.LocalDateTime.of(2023, 11, 1, 8, 0, 0).toEpochSecond(java.time.ZoneOffset.UTC));
    }

    @Test
    void aPidReusedByAnotherProcessIsAnotherKey() {
        ProcessTable.Proc before = ProcessTable.parsePs(
                        "  902   901   901 S+      100  4000 0:00.01 Tue Nov 21 14:02:11 2023\n")
                .get(0);
        ProcessTable.Proc after = ProcessTable.parsePs(
                        "  902     1   902 S       100  4000 0:00.01 Tue Nov 21 15:40:00 2023\n")
                .get(0);
        assertThat(before.key()).isNotEqualTo(after.key());
    }

    @Test
    void eachPsColumnIsItsOwnOptionSoBsdPsReadsThemAll() {
        // POSIX and BSD ps take all after "=" as the header: -o pid=,ppid= would be one column on macOS
        assertThat(ProcessTable.psArguments())
                .containsExactly(
                        "-A", "-o", "pid=", "-o", "ppid=", "-o", "pgid=", "-o", "stat=", "-o", "rss=", "-o", "vsz=",
                        "-o", "time=", "-o", "lstart=");
    }

    @Test
    void thisHostsPsTakesTheSameArgumentsAndFindsThisProcess() throws Exception {
        String ps = ProcessTable.tool("ps");
        assumeTrue(ps.startsWith("/"), "no ps(1) on this host");
        List<String> cmd = new java.util.ArrayList<>(List.of(ps));
        cmd.addAll(ProcessTable.psArguments());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        long self = ProcessHandle.current().pid();
        assertThat(ProcessTable.parsePs(out))
                .filteredOn(x -> x.pid() == self)
                .singleElement()
                .satisfies(x -> assertThat(x.start()).isPositive());
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
