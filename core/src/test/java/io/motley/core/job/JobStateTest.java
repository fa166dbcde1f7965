package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobStateTest {
    @Test
    void allowsOnlyForwardTransitions() {
        assertThat(JobState.PENDING.canMoveTo(JobState.RUNNING)).isTrue();
        assertThat(JobState.PENDING.canMoveTo(JobState.CANCELLED)).isTrue();
        assertThat(JobState.PENDING.canMoveTo(JobState.COMPLETED)).isFalse();
        assertThat(JobState.PENDING.canMoveTo(JobState.DEADLINE)).isTrue();
        assertThat(JobState.PENDING.canMoveTo(JobState.FAILED)).isTrue();
        for (JobState end : JobState.values()) {
            if (end.isTerminal()) {
                assertThat(JobState.RUNNING.canMoveTo(end)).isTrue();
                // a finished job only goes back to the queue (scontrol requeue)
                for (JobState any : JobState.values())
                    assertThat(end.canMoveTo(any)).isEqualTo(any == JobState.PENDING);
            }
        }
        assertThatThrownBy(() -> JobState.COMPLETED.moveTo(JobState.RUNNING))
                .hasMessage("job cannot go from COMPLETED to RUNNING");
    }

    @Test
    void parsesNamesAndCodesAsSqueueAcceptsThem() {
        assertThat(JobState.parse("pd")).contains(JobState.PENDING);
        assertThat(JobState.parse("RUNNING")).contains(JobState.RUNNING);
        assertThat(JobState.parse("ca")).contains(JobState.CANCELLED);
        assertThat(JobState.parse("canceled")).contains(JobState.CANCELLED);
        assertThat(JobState.parse("oom")).contains(JobState.OUT_OF_MEMORY);
        assertThat(JobState.parse("dl")).contains(JobState.DEADLINE);
        assertThat(JobState.parse("bogus")).isEmpty();
    }

    @Test
    void exitStatusGivesTheFinalState() {
        assertThat(new ExitStatus(0, 0).finalState()).isEqualTo(JobState.COMPLETED);
        assertThat(new ExitStatus(3, 0).finalState()).isEqualTo(JobState.FAILED);
        assertThat(new ExitStatus(0, 9).finalState()).isEqualTo(JobState.FAILED);
        assertThat(new ExitStatus(3, 0)).hasToString("3:0");
    }
}
