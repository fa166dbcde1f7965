package io.motley.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reconnect delays double to a cap, are jittered within the upper half of each step, and restart once registered. */
class BackoffTest {
    static List<Long> delays(Backoff b, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(b.next());
        return out;
    }

    @Test
    void withoutChanceTheDelaysDoubleUpToTheCap() {
        // the top of each step: the delays the agent used before jitter
        assertThat(delays(new Backoff(200, 5000, () -> 0.999999), 7))
                .containsExactly(200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
        // the bottom: half of each step, never less
        assertThat(delays(new Backoff(200, 5000, () -> 0.0), 7))
                .containsExactly(100L, 200L, 400L, 800L, 1600L, 2500L, 2500L);
    }

    @Test
    void aRegistrationStartsTheDelaysAgain() {
        Backoff b = new Backoff(200, 5000, () -> 0.999999);
        delays(b, 6);
        b.reset();
        assertThat(delays(b, 3)).containsExactly(200L, 400L, 800L);
    }

    @Test
    void agentsThatLostTheSameControllerComeBackAtDifferentTimes() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        Backoff a = new Backoff(200, 5000, r::nextDouble);
        Backoff b = new Backoff(200, 5000, r::nextDouble);
        List<Long> da = delays(a, 10);
        List<Long> db = delays(b, 10);
        assertThat(da).as("seed " + seed).isNotEqualTo(db);
        long step = 200;
        for (int i = 0; i < 10; i++) {
            assertThat(da.get(i)).as("seed " + seed + " step " + i).isBetween(step / 2, step);
            assertThat(db.get(i)).as("seed " + seed + " step " + i).isBetween(step / 2, step);
            step = Math.min(5000, step * 2);
        }
    }
}
