package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.job.JobRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    static final List<NodeView> NODES = List.of(new NodeView("a", 2, 24105, NodeState.UP), new NodeView("b", 8, 1000, NodeState.DOWN));
    static final List<Partition> PARTS = List.of(Partition.allNodes("main", true),
            new Partition("small", false, List.of("a"), -1, -1, PartitionState.UP),
            new Partition("closed", false, null, -1, -1, PartitionState.INACTIVE));

    static JobRequest req(List<String> parts, int cpus, long mem, int nodes) {
        return new JobRequest("j", parts, 1, cpus, false, nodes, mem, JobRequest.UNSET, JobRequest.UNSET, null, null, "/tmp", null,
                Map.of(), "#!/bin/sh\n", List.of(), false, null, null, "h");
    }

    @Test
    void refusesWithSlurmsWording() {
        assertThat(Admission.check(req(List.of(), 1, 100 * 1024, 1), PARTS, NODES)).get()
                .isEqualTo(new Admission.Rejection("Memory specification can not be satisfied", "Requested node configuration is not available"));
        assertThat(Admission.check(req(List.of("nosuchpart"), 1, -2, 1), PARTS, NODES)).get()
                .isEqualTo(new Admission.Rejection("invalid partition specified: nosuchpart", "Invalid partition name specified"));
        assertThat(Admission.check(req(List.of("small"), 4, -2, 1), PARTS, NODES)).get().extracting(Admission.Rejection::failure)
                .isEqualTo("Requested node configuration is not available");
        assertThat(Admission.check(req(List.of(), 1, -2, 2), PARTS, NODES)).get().extracting(Admission.Rejection::detail)
                .asString().contains("-N/--nodes 2");
        assertThat(Admission.check(req(List.of("closed"), 1, -2, 1), PARTS, NODES)).isPresent();
    }

    @Test
    void acceptsWhatSomeNodeCouldRunEvenIfItIsDownNow() {
        assertThat(Admission.check(req(List.of(), 8, 500, 1), PARTS, NODES)).isEmpty();
        assertThat(Admission.check(req(List.of(), 2, 24105, 1), PARTS, NODES)).isEmpty();
        assertThat(Admission.check(req(List.of(), 64, 1, 1), PARTS, List.of())).as("no node registered yet").isEmpty();
        assertThat(Admission.resolvePartitions(req(List.of(), 1, 1, 1), PARTS)).containsExactly("main");
    }

    static JobRequest charged(String account, String qos) {
        return new JobRequest("j", List.of(), 1, 1, false, 1, -2, -2, -2, null, null, "/tmp", null, Map.of(), "#!/bin/sh\n",
                List.of(), false, null, account, "h", 0, null, null, false, 0, null, null, null, false, null, 0, qos, 0, true);
    }

    static final io.motley.core.priority.Associations ACCOUNTS = new io.motley.core.priority.Associations(
            List.of(new io.motley.core.priority.Associations.Account("physics", null, 40, List.of("alice", "bob")),
                    new io.motley.core.priority.Associations.Account("chem", null, 60, List.of("bob"))),
            Map.of("bob", new io.motley.core.priority.Associations.User("bob", "chem", 1)),
            List.of(new io.motley.core.priority.Associations.Qos("high", 100)));

    @Test
    void accountsAreCheckedOnlyWhenDeclared() {
        String badAccount = "Invalid account or account/partition combination specified";
        assertThat(Admission.charge(charged("physics", null), "alice", ACCOUNTS)).isEqualTo(new Admission.Charge("physics", "normal", null));
        // no -A: DefaultAccount, else the first account listing the user
        assertThat(Admission.charge(charged(null, null), "bob", ACCOUNTS).account()).isEqualTo("chem");
        assertThat(Admission.charge(charged(null, null), "alice", ACCOUNTS).account()).isEqualTo("physics");
        assertThat(Admission.charge(charged("chem", null), "alice", ACCOUNTS).rejection().failure()).isEqualTo(badAccount);
        assertThat(Admission.charge(charged("nosuch", null), "bob", ACCOUNTS).rejection().failure()).isEqualTo(badAccount);
        assertThat(Admission.charge(charged(null, null), "carol", ACCOUNTS).rejection().failure()).isEqualTo(badAccount);
        assertThat(Admission.charge(charged("anything", null), "carol", io.motley.core.priority.Associations.none()))
                .isEqualTo(new Admission.Charge("anything", null, null));
    }

    @Test
    void anUnknownQosIsRefused() {
        assertThat(Admission.charge(charged("physics", "bogus"), "alice", ACCOUNTS).rejection().failure())
                .isEqualTo("Invalid qos specification");
        assertThat(Admission.charge(charged(null, "bogus"), "alice", io.motley.core.priority.Associations.none()).rejection())
                .isNotNull();
        assertThat(Admission.charge(charged("physics", "high"), "alice", ACCOUNTS).qos()).isEqualTo("high");
        assertThat(Admission.charge(charged(null, "normal"), "alice", io.motley.core.priority.Associations.none()).qos())
                .isEqualTo("normal");
    }
}
