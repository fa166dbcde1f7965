package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.e2e.TestCluster.Run;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Joining with a token on a test bed (kubeadm's model): {@code motley init} in the controller's
 * host, {@code motley token create}, and {@code motley join} on each agent host; a wrong pin and a
 * revoked token are refused and leave nothing behind. Prints how long three hosts take to join
 * (docs/benchmarks.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class JoinIT {
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100_000);
    private static final String CTL = "jc" + TAG;
    private static final String A = "ja" + TAG;
    private static final String B = "jb" + TAG;
    private static final String C = "jd" + TAG;
    private static TestBed bed;
    private static String joinLine;

    @BeforeAll
    static void up() throws Exception {
        TestBed.unavailable().ifPresent(why -> org.junit.jupiter.api.Assumptions.abort("JoinIT: " + why));
        bed = new TestBed("jn" + TAG, CTL, List.of(A, B, C), "NodeTimeout=8\n");
        joinLine = bed.init();
        bed.startController();
    }

    @AfterAll
    static void down() throws Exception {
        if (bed != null) bed.close();
    }

    @Test
    @Order(1)
    void initPrintsTheJoinLineForTheControllersAddress() {
        assertThat(joinLine).startsWith("motley join " + bed.address(CTL) + ":" + TestBed.PORT + " --token ");
    }

    @Test
    @Order(2)
    void aWrongPinAndARevokedTokenAreRefusedAndNothingIsWritten() {
        String token = bed.createToken();
        String wrongPin = token.substring(0, token.lastIndexOf('.') + 1) + "0".repeat(64);
        Run r = bed.joinOnly(A, wrongPin);
        assertThat(r.rc()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).contains("pin mismatch");
        assertThat(Files.exists(bed.home(A).resolve("etc/tls"))).isFalse();

        Run revoke = bed.cmd(CTL, "motley", "token", "revoke", token);
        assertThat(revoke.rc()).as(revoke.err()).isZero();
        r = bed.joinOnly(A, token);
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("revoked");
        assertThat(Files.exists(bed.home(A).resolve("etc/tls"))).isFalse();
    }

    @Test
    @Order(3)
    void threeHostsJoinWithOneTokenRegisterAndRunAJob() throws Exception {
        String token = bed.createToken("--ttl", "1h");
        long start = System.nanoTime();
        bed.joinAgent(A, token, 1, "300M");
        bed.joinAgent(B, token, 1, "300M");
        bed.joinAgent(C, token, 1, "300M");
        bed.awaitNodesUp(A, A, B, C);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("JoinIT: three hosts joined and registered in " + millis + " ms (wall, from the first"
                + " motley join to all three up in sinfo)");
        for (String h : List.of(A, B, C)) {
            assertThat(Files.exists(bed.home(h).resolve("etc/tls/node-" + h + ".key")))
                    .isTrue();
            assertThat(Files.exists(bed.home(h).resolve("etc/tls/ca.key"))).isFalse();
        }
        long id = bed.submit(A, "-w", C, "--wrap", "hostname");
        bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(30));
    }

    /**
     * motley node remove cuts the node's open link at once (not at its next connection), its
     * reconnection is refused, and the other hosts keep working.
     */
    @Test
    @Order(4)
    void removingANodeCutsItsOpenLinkAtOnce() throws Exception {
        // its link must be open first (a slow join may still be under way): then the removal is what cuts it
        bed.awaitNodesUp(A, A, B, C);
        Run remove = bed.cmd(CTL, "motley", "node", "remove", C);
        assertThat(remove.rc()).as(remove.err()).isZero();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() ->
                        bed.log(CTL, "controller").contains("link cut: the node's certificate was revoked node=" + C)
                                && bed.log(C, "agent").contains("controller refused this agent"));
        assertThat(bed.log(C, "agent")).contains("was revoked");
        long id = bed.submit(A, "-w", B, "--wrap", "hostname");
        bed.awaitState(A, id, "COMPLETED", Duration.ofSeconds(30));
    }
}
