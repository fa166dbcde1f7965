package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignalSpecTest {
    @Test
    void batchShellWithTime() {
        SignalSpec s = SignalSpec.parse("B:USR1@90");
        assertThat(s.signal()).isEqualTo(10);
        assertThat(s.secondsBefore()).isEqualTo(90);
        assertThat(s.batchShellOnly()).isTrue();
        assertThat(s).hasToString("B:USR1@90");
    }

    @Test
    void timeDefaultsToSixtySecondsAndNamesMayCarrySig() {
        SignalSpec s = SignalSpec.parse("SIGusr2");
        assertThat(s.signal()).isEqualTo(12);
        assertThat(s.secondsBefore()).isEqualTo(60);
        assertThat(s.batchShellOnly()).isFalse();
        assertThat(s).hasToString("USR2@60");
    }

    @Test
    void numbersAndReservationFlag() {
        SignalSpec s = SignalSpec.parse("RB:15@0");
        assertThat(s.signal()).isEqualTo(15);
        assertThat(s.secondsBefore()).isZero();
        assertThat(s.reservationOverlap()).isTrue();
        assertThat(SignalSpec.parse(s.toString())).isEqualTo(s);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "B:", ":USR1", "X:USR1", "NOPE", "USR1@", "USR1@-5", "USR1@65536", "0", "99", "USR1@1x"})
    void refusesWhatSlurmRefuses(String spec) {
        assertThatThrownBy(() -> SignalSpec.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid --signal specification");
    }
}
