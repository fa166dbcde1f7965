package io.motley.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionTest {
    static Partition of(List<String> nodes) {
        return new Partition("p", false, nodes, Durations.UNLIMITED, Durations.UNLIMITED, PartitionState.UP);
    }

    @Test
    void nodeListIsAHashedCopyThatBehavesAsAList() {
        List<String> given = new ArrayList<>(List.of("n3", "n1", "n2"));
        Partition p = of(given);
        given.add("n4");
        assertThat(p.nodes()).containsExactly("n3", "n1", "n2");
        assertThat(p.nodes().getClass().getSimpleName()).isEqualTo("NameList");
        assertThat(p.contains("n1")).isTrue();
        assertThat(p.contains("n4")).isFalse();
        assertThat(p.nodes().indexOf("n2")).isEqualTo(2);
        assertThat(p.nodes().indexOf("n9")).isEqualTo(-1);
        assertThat(p.nodes()).isEqualTo(List.of("n3", "n1", "n2")).hasSameHashCodeAs(List.of("n3", "n1", "n2"));
        assertThat(of(List.of("n3", "n1", "n2"))).isEqualTo(p);
        assertThat(p.withState(PartitionState.DOWN).nodes()).isSameAs(p.nodes());
        assertThatThrownBy(() -> p.nodes().add("n5")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void noListMeansEveryNode() {
        assertThat(of(null).contains("anything")).isTrue();
    }

    @Test
    void aNullNameIsRefusedAsListCopyOfDoes() {
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> of(withNull)).isInstanceOf(NullPointerException.class);
    }
}
