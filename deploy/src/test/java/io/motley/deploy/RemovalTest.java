package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RemovalTest {
    final List<String> done = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Removal.Controller controller(List<String> states) {
        return new Removal.Controller() {
            int looks;

            @Override
            public Optional<String> state(String node) {
                return Optional.ofNullable(states.get(Math.min(looks++, states.size() - 1)));
            }

            @Override
            public void drain(String node, String reason) {
                done.add("drain " + node);
            }

            @Override
            public void revoke(String node) {
                done.add("revoke " + node);
            }
        };
    }

    int remove(List<String> states, int maxPauses) throws Exception {
        Inventory inv = Inventory.parse("hosts:\n- host: 10.0.0.2\n  user: root\n  name: n1\n");
        DeployerTest.FakeHost host = new DeployerTest.FakeHost() {
            @Override
            public Result run(String command, java.io.InputStream stdin) {
                done.add("ssh " + command);
                return new Result(0, "", "");
            }
        };
        return Removal.remove(
                inv,
                inv.hosts().get(0),
                h -> host,
                controller(states),
                () -> done.add("pause"),
                maxPauses,
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void drainsWaitsForTheJobsThenStopsTheAgentAndRevokes() throws Exception {
        assertThat(remove(List.of("IDLE", "MIXED+DRAIN", "IDLE+DRAIN"), 10)).isZero();
        assertThat(done).hasSize(4);
        assertThat(done.subList(0, 2)).containsExactly("drain n1", "pause");
        assertThat(done.get(2))
                .startsWith("ssh ")
                .contains("pkill -TERM -f 'io.motley.agent.AgentMain --home /var/lib/motley .*--name n1( |$)'")
                .contains("rm -f /var/lib/motley/etc/tls/node-n1.crt");
        assertThat(done.get(3)).isEqualTo("revoke n1");
    }

    @Test
    void stopsWithoutTouchingTheHostWhileJobsStillRun() throws Exception {
        assertThat(remove(List.of("IDLE", "ALLOCATED+DRAIN"), 2)).isEqualTo(1);
        assertThat(done).containsExactly("drain n1", "pause", "pause");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("its jobs are still running");
    }
}
