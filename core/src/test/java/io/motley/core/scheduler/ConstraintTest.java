package io.motley.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing -C expressions that a user sends as they like (the fuzz target in bench/ found these). */
class ConstraintTest {

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "(".repeat(9072);
        assertThatThrownBy(() -> Constraint.parse(deep))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper than 64 levels");
        String brackets = "[".repeat(42_000) + "1" + "]".repeat(42_000);
        assertThatThrownBy(() -> Constraint.parse(brackets))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deeper than 64 levels");
        String chained = "a&(".repeat(3000) + "a" + ")".repeat(3000);
        assertThatThrownBy(() -> Constraint.parse(chained)).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nestingUpToTheBoundStillParses() {
        String deepest = "(".repeat(Constraint.MAX_NESTING) + "gpu" + ")".repeat(Constraint.MAX_NESTING);
        assertThat(Constraint.parse(deepest).matches(Set.of("gpu"))).isTrue();
        // Sibling groups do not add up: the bound is on depth, not on the number of groups.
        String siblings = "(a)&".repeat(200) + "(a)";
        assertThat(Constraint.parse(siblings).matches(Set.of("a"))).isTrue();
    }
}
