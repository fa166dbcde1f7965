package io.motley.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.motley.pki.CertificateAuthority;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.Message.Heartbeat;
import io.motley.protocol.Message.Register;
import io.motley.protocol.Ops;
import io.motley.protocol.link.AgentPeer;
import io.motley.protocol.link.ControllerPeer;
import io.motley.protocol.link.Handshake;
import io.motley.protocol.link.Link;
import io.motley.protocol.link.MutualTls;
import io.motley.protocol.link.TlsCredentials;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Relayed user requests over mutual TLS to a controller-side loop as the controller's (read a
 * request, answer it, read the next on the same connection): connections are kept and reused, a
 * controller restart between requests goes unseen, a connection lost after the request was
 * written is reported and never retried, and concurrent requests each have a connection of their own.
 */
@Timeout(60)
class RelayPoolTest {
    private final Instant now = Instant.now();
    private final CertificateAuthority ca = CertificateAuthority.create("lab", now, Duration.ofDays(10));
    private final TlsCredentials controllerCert = ca.issueController(now, Duration.ofDays(10));
    private final TlsCredentials n1 = ca.issueNode("n1", now, Duration.ofDays(1));
    private final AtomicReference<Handshake<ControllerPeer>> relayHandshake =
            new AtomicReference<>(MutualTls.asAgent(n1, "relay"));
    private final Handshake<AgentPeer> accepting =
            MutualTls.asController(controllerCert, "lab", MutualTls.Admission.ALL);
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    /** Every request the controller read, by its "n" field, in order. */
    private final List<Integer> requests = new CopyOnWriteArrayList<>();
    /** What the controller does with each request it reads. */
    private volatile Behaviour behaviour = Behaviour.ANSWER;

    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private ServerSocket server;
    private int port;

    enum Behaviour {
        ANSWER,
        /** Reads the request, then the connection dies without an answer. */
        DIE_AFTER_READ
    }

    @BeforeEach
    void setUp() throws IOException {
        // its connections inherit the option, so a new listener can take the port while they close (restart)
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        port = server.getLocalPort();
        serve(server);
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
        for (Socket s : accepted) s.close();
        threads.shutdownNow();
    }

    /** The controller's accept loop and relay loop (ControllerServer.relay), on {@code on}. */
    private void serve(ServerSocket on) {
        Thread.ofVirtual().start(() -> {
            while (!on.isClosed()) {
                Socket s;
                try {
                    s = on.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.add(s);
                Thread.ofVirtual().start(() -> {
                    try (Link<AgentPeer> ch = Link.accept(s, accepting, Bounds.ANSWERS, Duration.ofSeconds(20))) {
                        while (true) {
                            Frame req;
                            try {
                                req = ch.read();
                            } catch (EOFException e) {
                                return;
                            }
                            requests.add(req.integer("n", -1));
                            if (behaviour == Behaviour.DIE_AFTER_READ) return;
                            hold.await();
                            ch.write(Frame.op(Ops.OK).put("n", req.integer("n", -1)));
                        }
                    } catch (IOException | InterruptedException e) {
                        // the agent hung up, or the test closed the connection
                    }
                });
            }
        });
    }

    /** A controller restart: every connection and the listener go, and a new listener comes on the same port. */
    private void restart() throws IOException {
        server.close();
        for (Socket s : accepted) s.close();
        // the old listener's socket goes once its accept thread has left it
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            ServerSocket next = new ServerSocket();
            next.setReuseAddress(true);
            try {
                next.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            } catch (IOException e) {
                next.close();
                throw e;
            }
            server = next;
            return true;
        });
        serve(server);
    }

    private ControllerLink link() {
        return new ControllerLink(
                "127.0.0.1",
                port,
                role -> role.equals("relay") ? relayHandshake.get() : MutualTls.asAgent(n1, role),
                "n1",
                () -> (Register) null,
                () -> (Heartbeat) null);
    }

    private static Frame request(int n) {
        return Frame.op(Ops.SUBMIT).put("n", n);
    }

    @Test
    void requestsInTurnShareOneConnectionAndOneHandshake() {
        ControllerLink link = link();
        for (int n = 0; n < 5; n++)
            assertThat(link.relay(request(n)).integer("n", -1)).isEqualTo(n);
        assertThat(accepted).hasSize(1);
        assertThat(requests).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aControllerRestartBetweenRequestsIsNotSeenAndNothingRunsTwice() throws Exception {
        ControllerLink link = link();
        assertThat(link.relay(request(1)).integer("n", -1)).isEqualTo(1);
        restart();
        Frame answer = link.relay(request(2));
        assertThat(answer.isError()).as(answer.toString()).isFalse();
        assertThat(answer.integer("n", -1)).isEqualTo(2);
        assertThat(requests).containsExactly(1, 2);
        assertThat(accepted).hasSize(2);
        // and the new connection is kept in turn
        assertThat(link.relay(request(3)).integer("n", -1)).isEqualTo(3);
        assertThat(accepted).hasSize(2);
    }

    @Test
    void aConnectionLostAfterTheRequestWasWrittenIsReportedAndNotRetried() {
        ControllerLink link = link();
        assertThat(link.relay(request(1)).integer("n", -1)).isEqualTo(1);
        behaviour = Behaviour.DIE_AFTER_READ;
        Frame answer = link.relay(request(2));
        assertThat(answer.isError()).isTrue();
        assertThat(answer.str("message"))
                .contains("may or may not have been carried out (check with squeue)")
                .contains("the controller closed it")
                .doesNotContain("cannot reach");
        // it went once, on the kept connection, and was not sent again on a new one
        assertThat(requests).containsExactly(1, 2);
        assertThat(accepted).hasSize(1);
        // the dead connection is not kept: the next request opens a new one
        behaviour = Behaviour.ANSWER;
        assertThat(link.relay(request(3)).integer("n", -1)).isEqualTo(3);
        assertThat(accepted).hasSize(2);
        assertThat(requests).containsExactly(1, 2, 3);
    }

    @Test
    void concurrentRequestsEachHaveAConnectionOfTheirOwnAndAFewAreKept() throws Exception {
        ControllerLink link = link();
        int k = 6;
        // the controller answers none until all k requests have arrived: possible only if each went on its own
        // connection
        hold = new CountDownLatch(1);
        List<Future<Frame>> answers = new ArrayList<>();
        for (int n = 0; n < k; n++) {
            int m = n;
            answers.add(threads.submit(() -> link.relay(request(m))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.size() == k);
        hold.countDown();
        for (int n = 0; n < k; n++)
            assertThat(answers.get(n).get(30, TimeUnit.SECONDS).integer("n", -1))
                    .isEqualTo(n);
        assertThat(accepted).hasSize(k);
        // four are kept: four more requests at once need no new connection, a fifth concurrent one would
        hold = new CountDownLatch(1);
        answers.clear();
        for (int n = 0; n < 4; n++) {
            int m = 10 + n;
            answers.add(threads.submit(() -> link.relay(request(m))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.size() == k + 4);
        hold.countDown();
        for (int n = 0; n < 4; n++)
            assertThat(answers.get(n).get(30, TimeUnit.SECONDS).integer("n", -1))
                    .isEqualTo(10 + n);
        assertThat(accepted).hasSize(k);
    }

    @Test
    void renewedCredentialsTakeEffectOnTheNextRequest() {
        ControllerLink link = link();
        assertThat(link.relay(request(1)).integer("n", -1)).isEqualTo(1);
        assertThat(link.relay(request(2)).integer("n", -1)).isEqualTo(2);
        assertThat(accepted).hasSize(1);
        TlsCredentials renewed = ca.issueNode("n1", now, Duration.ofDays(2));
        relayHandshake.set(MutualTls.asAgent(renewed, "relay"));
        assertThat(link.relay(request(3)).integer("n", -1)).isEqualTo(3);
        assertThat(accepted).hasSize(2);
        // the connection of the old credentials was closed, not kept
        await().atMost(Duration.ofSeconds(20)).until(() -> accepted.get(0).isClosed() || eof(accepted.get(0)));
    }

    @Test
    void anIdleConnectionIsClosedAfterItsIdleTime() {
        ControllerLink link = link();
        link.relayPool(new RelayPool(4, Duration.ofMillis(200), Duration.ofMinutes(10), System::nanoTime));
        assertThat(link.relay(request(1)).integer("n", -1)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> eof(accepted.get(0)));
        assertThat(link.relay(request(2)).integer("n", -1)).isEqualTo(2);
        assertThat(accepted).hasSize(2);
    }

    @Test
    void aConnectionPastItsAgeIsNotLent() {
        ControllerLink link = link();
        long[] t = {0};
        link.relayPool(new RelayPool(4, Duration.ofMinutes(1), Duration.ofMinutes(10), () -> t[0]));
        assertThat(link.relay(request(1)).integer("n", -1)).isEqualTo(1);
        t[0] = Duration.ofMinutes(11).toNanos();
        assertThat(link.relay(request(2)).integer("n", -1)).isEqualTo(2);
        assertThat(accepted).hasSize(2);
    }

    @Test
    void aConnectionIsLentUnprobedOnlyWhileTheAgentsOwnLinkIsTheOneItWasOpenedUnder() throws Exception {
        long[] t = {0};
        RelayPool pool = new RelayPool(4, Duration.ofMinutes(1), Duration.ofMinutes(10), () -> t[0]);
        Handshake<ControllerPeer> hs = relayHandshake.get();
        Object agentLink = new Object();
        // the controller goes; its connection is dead, which only a probe can see
        keepDead(pool, hs, agentLink);
        RelayPool.Conn lent = pool.take(hs, agentLink);
        assertThat(lent)
                .as("same agent link, given back just now: lent without a probe")
                .isNotNull();
        pool.give(lent);
        // past TRUSTED_IDLE the probe is back, and finds it dead
        t[0] = RelayPool.TRUSTED_IDLE.toNanos();
        assertThat(pool.take(hs, agentLink)).isNull();

        // another agent link (the agent reconnected, as after a controller restart): probed, and found dead
        t[0] = 0;
        keepDead(pool, hs, agentLink);
        assertThat(pool.take(hs, new Object())).isNull();
        assertThat(pool.idle()).isZero();
    }

    /**
     * Gives {@code pool} a connection opened under {@code agentLink} whose controller end is then closed, as a
     * controller that stopped leaves it.
     */
    private void keepDead(RelayPool pool, Handshake<ControllerPeer> hs, Object agentLink) throws Exception {
        int before = accepted.size();
        pool.give(pool.opened(
                Link.open(
                        io.motley.protocol.link.Transport.connect("127.0.0.1", port, Duration.ofSeconds(20)),
                        hs,
                        Bounds.ANSWERS,
                        Duration.ofSeconds(20)),
                hs,
                agentLink));
        await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() == before + 1);
        accepted.get(before).close();
        Thread.sleep(100);
    }

    /** Whether the agent closed its end of {@code s} (the controller's read would see the end). */
    private static boolean eof(Socket s) {
        // the controller's relay loop returns on EOF and closes its socket
        return s.isClosed();
    }
}
