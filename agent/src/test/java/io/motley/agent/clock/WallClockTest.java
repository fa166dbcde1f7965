package io.motley.agent.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class WallClockTest {
    private static Properties with(String value) {
        Properties p = new Properties();
        if (value != null) p.setProperty(WallClock.OFFSET_PROPERTY, value);
        return p;
    }

    @Test
    void theOffsetIsReadInSecondsEitherWayAndIsZeroWhenUnset() {
        assertThat(WallClock.offsetMillis(with(null))).isZero();
        assertThat(WallClock.offsetMillis(with(" "))).isZero();
        assertThat(WallClock.offsetMillis(with("300"))).isEqualTo(300_000);
        assertThat(WallClock.offsetMillis(with("-90"))).isEqualTo(-90_000);
    }

    @Test
    void anOffsetThatIsNoWholeNumberIsRefusedByName() {
        assertThatThrownBy(() -> WallClock.offsetMillis(with("5m")))
                .hasMessageContaining(WallClock.OFFSET_PROPERTY)
                .hasMessageContaining("'5m'");
    }

    @Test
    void withoutTheOffsetTheAgentsClockIsTheHosts() {
        // this test JVM does not set the property
        long before = System.currentTimeMillis();
        long now = WallClock.millis();
        assertThat(now).isBetween(before, System.currentTimeMillis());
    }
}
