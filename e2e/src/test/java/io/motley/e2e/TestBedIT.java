package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.e2e.TestCluster.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** scripts/testbed itself: isolation, two beds at once, and nothing left behind by down, up or gc. */
class TestBedIT {
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final List<String> made = new ArrayList<>();

    @BeforeEach
    void needsABed() {
        TestBed.unavailable().ifPresent(why -> Assumptions.abort("TestBedIT: " + why));
    }

    @AfterEach
    void removeBeds() {
        for (String b : made) script(Map.of(), "down", b);
    }

    private String bed(String suffix) {
        String name = "tb" + TAG + suffix;
        made.add(name);
        return name;
    }

    private static Run script(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestBed.SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return TestCluster.run(pb, null);
    }

    private static Run ok(Run r) {
        assertThat(r.rc()).as("testbed: " + r.err()).isZero();
        return r;
    }

    private static String netnsList() {
        return ok(run("ip", "netns", "list")).out();
    }

    private static Run run(String... cmd) {
        return TestCluster.run(new ProcessBuilder(cmd), null);
    }

    /** A sleep started inside a host, found by its unique argument. */
    private static Process sleepIn(String bed, String host, String seconds) throws IOException {
        Process p = new ProcessBuilder(TestBed.SCRIPT.toString(), "exec", bed, host, "sleep", seconds)
                .redirectErrorStream(true)
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sleeping(seconds));
        return p;
    }

    private static boolean sleeping(String seconds) {
        return ProcessHandle.allProcesses()
                .anyMatch(p -> p.info().command().orElse("").endsWith("/sleep")
                        && List.of(seconds).equals(List.of(p.info().arguments().orElse(new String[0]))));
    }

    @Test
    void hostsHaveTheirOwnNameAddressAndFilesAndDownLeavesNothing() throws Exception {
        String b = bed("a");
        List<String> hosts = ok(script(Map.of(), "up", b, "h1", "h2")).lines();
        assertThat(hosts).hasSize(2);
        String a1 = hosts.get(0).split(" ")[1];
        String a2 = hosts.get(1).split(" ")[1];
        assertThat(ok(script(Map.of(), "exec", b, "h1", "hostname")).out()).isEqualTo("h1\n");
        assertThat(ok(script(Map.of(), "exec", b, "h2", "ip", "-4", "-o", "addr", "show", "eth0"))
                        .out())
                .contains(a2 + "/24");
        // h1 reaches h2's address (a refused connection is an answer from h2's kernel)
        Run connect = script(Map.of(), "exec", b, "h1", "bash", "-c", "exec 3<>/dev/tcp/" + a2 + "/1");
        assertThat(connect.err()).contains("Connection refused");
        // the root namespace has no interface and no route of the bed
        assertThat(ok(run("ip", "-o", "link")).out()).doesNotContain("br0").doesNotContain(" h1@");
        assertThat(ok(run("ip", "route", "show", "match", a1)).out())
                .doesNotContain(a1.substring(0, a1.lastIndexOf('.')));

        ok(script(Map.of(), "exec", b, "h1", "touch", "/tmp/mine", "/home/mine", "/var/lib/motley/mine"));
        for (String f : List.of("/tmp/mine", "/home/mine", "/var/lib/motley/mine")) {
            assertThat(script(Map.of(), "exec", b, "h1", "test", "-e", f).rc()).isZero();
            assertThat(script(Map.of(), "exec", b, "h2", "test", "-e", f).rc())
                    .as(f)
                    .isNotZero();
            assertThat(Path.of(f)).doesNotExist();
        }
        // the bed's own files (other hosts' directories) are hidden inside a host
        assertThat(ok(script(Map.of(), "exec", b, "h2", "ls", "-A", "/run/motley-testbed"))
                        .out())
                .isEmpty();

        Process sleeper = sleepIn(b, "h1", "9" + TAG + "1");
        ok(script(Map.of(), "down", b));
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeping("9" + TAG + "1")).isFalse();
        assertThat(netnsList()).doesNotContain("mtb-" + b + "-");
        assertThat(Path.of("/run/motley-testbed", b)).doesNotExist();
        assertThat(ok(script(Map.of(), "list")).out()).doesNotContain(b + " ");
        ok(script(Map.of(), "down", b));
    }

    @Test
    void aStaleBedIsReplacedByTheNextUpOfItsNameAndOneWhoseOwnerDiedByGc() throws Exception {
        String b = bed("b");
        ok(script(Map.of(), "up", b, "h1"));
        Process stale = sleepIn(b, "h1", "9" + TAG + "2");
        ok(script(Map.of(), "up", b, "h1"));
        assertThat(stale.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ok(script(Map.of(), "exec", b, "h1", "hostname")).out()).isEqualTo("h1\n");

        Process owner = new ProcessBuilder("sleep", "9" + TAG + "3").start();
        String orphan = bed("c");
        ok(script(Map.of("MOTLEY_TESTBED_OWNER", Long.toString(owner.pid())), "up", orphan, "h1"));
        String mine = bed("d");
        ok(script(
                Map.of(
                        "MOTLEY_TESTBED_OWNER",
                        Long.toString(ProcessHandle.current().pid())),
                "up",
                mine,
                "h1"));
        ok(script(Map.of(), "gc"));
        assertThat(netnsList()).contains("mtb-" + orphan + "-h1");
        owner.destroyForcibly().waitFor();
        ok(script(Map.of(), "gc"));
        assertThat(netnsList()).doesNotContain("mtb-" + orphan + "-").contains("mtb-" + mine + "-h1");
        assertThat(netnsList()).contains("mtb-" + b + "-h1");
    }

    @Test
    void bedsMadeAtOnceGetTheirOwnSubnetsAndCannotReachEachOther() throws Exception {
        String b1 = bed("e");
        String b2 = bed("f");
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> script(Map.of(), "up", b1, "h1"));
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> script(Map.of(), "up", b2, "h1"));
        String a1 = ok(first.get()).out().trim().split(" ")[1];
        String a2 = ok(second.get()).out().trim().split(" ")[1];
        assertThat(a1.substring(0, a1.lastIndexOf('.'))).isNotEqualTo(a2.substring(0, a2.lastIndexOf('.')));
        Run across = script(Map.of(), "exec", b1, "h1", "bash", "-c", "exec 3<>/dev/tcp/" + a2 + "/1");
        assertThat(across.rc()).isNotZero();
        assertThat(across.err()).contains("unreachable");
    }
}
