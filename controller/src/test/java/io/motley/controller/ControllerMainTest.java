package io.motley.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.options.UsageException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** motley controller's arguments: a bad one is a usage error with exit 2, never a stack trace. */
class ControllerMainTest {
    @Test
    void readsItsOptionsInEveryGnuSpelling() {
        ControllerMain.Settings s =
                ControllerMain.parse(new String[] {"--home=/h", "--bind", "127.0.0.1", "--po", "7000"});
        assertThat(s).isEqualTo(new ControllerMain.Settings(Path.of("/h"), "127.0.0.1", 7000));
        assertThat(ControllerMain.parse(new String[] {"--home", "/h"}).port()).isNull();
    }

    @Test
    void badArgumentsAreUsageErrors() {
        // each of these once escaped as NumberFormatException or ArrayIndexOutOfBoundsException with a stack trace
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"--port", "abc"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("invalid value for --port: 'abc' (a whole number from 0 to 65535 is wanted)")
                .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(2));
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"--home"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("option '--home' requires an argument");
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"--bogus"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("unrecognized option '--bogus'");
        assertThatThrownBy(() -> ControllerMain.parse(new String[] {"extra"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("unexpected argument 'extra'");
    }
}
