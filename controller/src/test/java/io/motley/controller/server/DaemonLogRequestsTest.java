package io.motley.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.controller.cluster.Cluster;
import io.motley.controller.store.Store;
import io.motley.core.config.ClusterConfig;
import io.motley.protocol.DaemonLogFile;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley logs --controller|--node: the controller's own log, an agent's over its link; root and administrators only. */
class DaemonLogRequestsTest {
    @TempDir
    Path dir;

    Store store;
    Cluster cluster;
    final OutputRouter router = new OutputRouter(id -> Optional.empty(), (id, e) -> {});
    Path controllerLog;
    Requests requests;

    @BeforeEach
    void start() throws Exception {
        store = Store.sqlite(dir.resolve("state/motley.db"));
        cluster = new Cluster(
                ClusterConfig.parse("NodeName=nas\nPartitionName=main Nodes=nas Default=YES\n"),
                store,
                () -> 1_000_000L);
        controllerLog = Files.writeString(dir.resolve("controller.log"), "controller started\nlistening\n");
        requests = new Requests(cluster, router, () -> Optional.of(DaemonLogFile.at(controllerLog)));
    }

    @AfterEach
    void stop() {
        store.close();
    }

    Frame ask(Message.DaemonLog d, int uid, String user) {
        Frame f = Messages.encode(d);
        f.put(Ops.CALLER_UID, uid).put(Ops.CALLER_GID, uid).put(Ops.CALLER_USER, user);
        return requests.handle(f);
    }

    static String text(Frame answer, Message.DaemonLog asked) {
        Message.DaemonLogText t = (Message.DaemonLogText) Messages.answer(asked, answer);
        return t.offset() + ":" + new String(t.data(), StandardCharsets.UTF_8);
    }

    @Test
    void rootReadsTheControllersLogFromAnOffsetAndOthersAreRefused() {
        Message.DaemonLog all = new Message.DaemonLog(null, 0, 1 << 20);
        assertThat(text(ask(all, 0, "root"), all)).isEqualTo("0:controller started\nlistening\n");
        Message.DaemonLog tail = new Message.DaemonLog(null, 19, 1 << 20);
        assertThat(text(ask(tail, 0, "root"), tail)).isEqualTo("19:listening\n");

        Frame refused = ask(all, 1000, "bob");
        assertThat(refused.isError()).isTrue();
        assertThat(refused.str("message")).startsWith("Access/permission denied");
        Frame forNode = ask(new Message.DaemonLog("nas", 0, 100), 1000, "bob");
        assertThat(forNode.str("message")).startsWith("Access/permission denied");
    }

    @Test
    void aControllerWithoutALogFileSaysWhereItLogs() {
        requests = new Requests(cluster, router, Optional::empty);
        Frame f = ask(new Message.DaemonLog(null, 0, 100), 0, "root");
        assertThat(f.str("message")).contains("writes its log to no file").contains("journalctl -u motley-controller");
    }

    @Test
    void anAgentsLogIsAskedOverItsLinkAndItsAnswerReturned() {
        List<Message.ReadLog> asked = new ArrayList<>();
        Message.DaemonLog d = new Message.DaemonLog("nas", 7, 100);
        assertThat(ask(d, 0, "root").str("message"))
                .as("neither connected nor registered")
                .isEqualTo("Invalid node name specified");

        router.connected("nas", o -> {
            Message.ReadLog r = (Message.ReadLog) o;
            asked.add(r);
            router.outputRead(
                    "nas", new Message.OutputRead(r.tag(), true, r.offset(), "registered\n".getBytes(), false));
        });
        assertThat(text(ask(d, 0, "root"), d)).isEqualTo("7:registered\n");
        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.offset()).isEqualTo(7);
            assertThat(r.max()).isEqualTo(100);
        });

        assertThat(ask(new Message.DaemonLog("ghost", 0, 100), 0, "root").str("message"))
                .isEqualTo("Invalid node name specified");
    }

    @Test
    void anAgentWithoutALogFileIsReportedAsSuch() {
        router.connected(
                "nas",
                o -> router.outputRead(
                        "nas", new Message.OutputRead(((Message.ReadLog) o).tag(), false, 0, new byte[0], false)));
        assertThat(ask(new Message.DaemonLog("nas", 0, 100), 0, "root").str("message"))
                .contains("the agent of node nas writes its log to no file");
    }
}
