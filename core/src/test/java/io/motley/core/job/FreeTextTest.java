package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FreeTextTest {
    @Test
    void controlCharactersAreC0DelAndC1() {
        assertThat(FreeText.hasControl("evil\nname")).isTrue();
        assertThat(FreeText.hasControl("tab\there")).isTrue();
        assertThat(FreeText.hasControl("del\u007f")).isTrue();
        assertThat(FreeText.hasControl("next line \u0085")).isTrue();
        assertThat(FreeText.hasControl("csi \u009b")).isTrue();
        assertThat(FreeText.hasControl("plain name-1_x.sh")).isFalse();
        assertThat(FreeText.hasControl("héllo wörld ✓ \u00a0")).isFalse();
        assertThat(FreeText.hasControl(null)).isFalse();
    }

    @Test
    void escapingWritesThemOutSoNoneStartsALine() {
        assertThat(FreeText.escape("evil\nname")).isEqualTo("evil\\nname");
        assertThat(FreeText.escape("a\rb\tc")).isEqualTo("a\\rb\\tc");
        assertThat(FreeText.escape("bell\u0007 esc\u001b[31m del\u007f nel\u0085"))
                .isEqualTo("bell\\x07 esc\\x1b[31m del\\x7f nel\\x85");
        assertThat(FreeText.escape("plain")).isSameAs("plain");
        assertThat(FreeText.escape(null)).isNull();
        assertThat(FreeText.quote("x".repeat(100) + "\n", 10)).isEqualTo("xxxxxxxxxx...");
        assertThat(FreeText.quote("a\nb", 10)).isEqualTo("a\\nb");
    }
}
