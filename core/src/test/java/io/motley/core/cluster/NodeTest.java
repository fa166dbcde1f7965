package io.motley.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Slurm's NOT_RESPONDING flag on a node: how it shows, that it survives other changes, and that it stops new jobs. */
class NodeTest {
    static final Node IDLE = Node.of("n1", 4, 1000);

    @Test
    void aNodeThatIsNotRespondingShowsSlurmsStarAndFlag() {
        Node silent = IDLE.withNotResponding(true);
        assertThat(silent.displayState()).isEqualTo("idle*");
        assertThat(silent.controlState()).isEqualTo("IDLE+NOT_RESPONDING");
        assertThat(silent.withAllocation(4, 0).displayState()).isEqualTo("allocated*");
        assertThat(silent.withAllocation(2, 0).controlState()).isEqualTo("MIXED+NOT_RESPONDING");
        assertThat(silent.withState(NodeState.DOWN, "Not responding", 1).displayState())
                .isEqualTo("down*");
        assertThat(silent.withState(NodeState.DOWN, "Not responding", 1).controlState())
                .isEqualTo("DOWN+NOT_RESPONDING");
        assertThat(IDLE.displayState()).isEqualTo("idle");
        assertThat(IDLE.controlState()).isEqualTo("IDLE");
    }

    @Test
    void theFlagOutlivesLoadAndAllocationChangesAndIsClearedOnlyOnPurpose() {
        Node silent = IDLE.withNotResponding(true);
        assertThat(silent.withLoad(1.0, 10, null).withAllocation(1, 1).notResponding())
                .isTrue();
        assertThat(silent.withNotResponding(false).notResponding()).isFalse();
        assertThat(IDLE.notResponding()).isFalse();
    }

    @Test
    void aNodeThatIsNotRespondingIsNotSchedulable() {
        assertThat(IDLE.view().schedulable()).isTrue();
        assertThat(IDLE.withNotResponding(true).view().schedulable()).isFalse();
    }
}
