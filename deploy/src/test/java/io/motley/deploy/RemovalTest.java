package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemovalTest {
    final List<String> done = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int remove(List<String> states, int maxPauses) throws Exception {
        Inventory inv = Inventory.parse("hosts:\n- host: 10.0.0.2\n  user: root\n  name: n1\n");
        Remote host = new Remote() {
            int looks;

            @Override
            public Result run(String command, InputStream stdin) {
                if (command.endsWith("scontrol show node n1"))
                    return new Result(
                            0, "NodeName=n1\n   State=" + states.get(Math.min(looks++, states.size() - 1)), "");
                done.add(command.contains("scontrol update") ? "drain" : "ssh " + command);
                return new Result(0, "", "");
            }

            @Override
            public void close() {}
        };
        return Removal.remove(
                inv,
                inv.hosts().get(0),
                h -> host,
                node -> done.add("revoke " + node),
                () -> done.add("pause"),
                maxPauses,
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void drainsWaitsForTheJobsThenStopsTheAgentAndRevokes() throws Exception {
        assertThat(remove(List.of("IDLE", "MIXED+DRAIN", "IDLE+DRAIN"), 10)).isZero();
        assertThat(done).hasSize(4);
        assertThat(done.subList(0, 2)).containsExactly("drain", "pause");
        assertThat(done.get(2))
                .startsWith("ssh ")
                .contains("pkill -TERM -f 'io.motley.agent.AgentMain --home /var/lib/motley .*--name n1( |$)'")
                .contains("rm -f /var/lib/motley/etc/tls/node-n1.crt");
        assertThat(done.get(3)).isEqualTo("revoke n1");
    }

    @Test
    void stopsWithoutTouchingTheHostWhileJobsStillRun() throws Exception {
        assertThat(remove(List.of("IDLE", "ALLOCATED+DRAIN"), 2)).isEqualTo(1);
        assertThat(done).containsExactly("drain", "pause", "pause");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("its jobs are still running");
    }
}
