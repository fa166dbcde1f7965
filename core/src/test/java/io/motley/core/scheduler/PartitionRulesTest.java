package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.core.cluster.NodeState;
import io.motley.core.cluster.NodeView;
import io.motley.core.cluster.Partition;
import io.motley.core.cluster.PartitionState;
import io.motley.core.config.ClusterConfig;
import io.motley.core.job.JobRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PriorityTier, MaxNodes, AllowAccounts and AllowGroups. */
class PartitionRulesTest {
    static final List<Partition> PARTS = ClusterConfig.parse("""
            PartitionName=low Default=YES PriorityTier=1
            PartitionName=high PriorityTier=10 AllowAccounts=physics,chem AllowGroups=lab MaxNodes=1
            """).partitions();
    static final List<NodeView> NODES = List.of(new NodeView("a", 1, 1000, NodeState.UP));

    static JobRequest req(String partition, String account) {
        return JobRequest.builder("#!/bin/sh\n", "/tmp")
                .name("j")
                .partitions(partition)
                .account(account)
                .submitHost("h")
                .build();
    }

    @Test
    void configReadsTheRules() {
        Partition high = PARTS.get(1);
        assertThat(high.priorityTier()).isEqualTo(10);
        assertThat(high.maxNodes()).isEqualTo(1);
        assertThat(high.allowAccounts()).containsExactly("physics", "chem");
        assertThat(high.allowGroups()).containsExactly("lab");
        assertThat(PARTS.get(0).allowAccounts()).isNull();
    }

    @Test
    void accountsAndGroupsAreCheckedAtSubmit() {
        assertThat(Admission.check(req("high", "physics"), PARTS, NODES, List.of("lab", "users")))
                .isEmpty();
        assertThat(Admission.check(req("high", "bio"), PARTS, NODES, List.of("lab")))
                .get()
                .extracting(Admission.Rejection::failure)
                .isEqualTo("Invalid account or account/partition combination specified");
        assertThat(Admission.check(req("high", null), PARTS, NODES, List.of("lab")))
                .isPresent();
        assertThat(Admission.check(req("high", "chem"), PARTS, NODES, List.of("users")))
                .get()
                .extracting(Admission.Rejection::detail)
                .asString()
                .contains("AllowGroups=lab");
        assertThat(Admission.check(req("low", null), PARTS, NODES, List.of("users")))
                .isEmpty();
    }

    @Test
    void higherTierPartitionsAreServedFirst() {
        QueuedJob lowFirst = new QueuedJob(1, 100, List.of("low"), 1, 10, -2, false);
        QueuedJob highLater = new QueuedJob(2, 50, List.of("high"), 1, 10, -2, false);
        Plan plan = Scheduler.plan(new Snapshot(NODES, PARTS, List.of(), List.of(lowFirst, highLater), 0, 0));
        assertThat(plan.starts()).extracting(Start::jobId).containsExactly(2L);
        QueuedJob both = new QueuedJob(3, 100, List.of("low", "high"), 1, 10, -2, false);
        assertThat(Scheduler.plan(new Snapshot(NODES, PARTS, List.of(), List.of(both), 0, 0))
                        .starts())
                .extracting(Start::partition)
                .containsExactly("high");
        assertThat(new Partition("p", false, null, -1, -1, PartitionState.UP).priorityTier())
                .isEqualTo(1);
    }
}
