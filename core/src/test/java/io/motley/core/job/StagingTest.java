package io.motley.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StagingTest {
    static JobRequest with(Map<String, String> options) {
        return JobRequest.builder("#!/bin/sh\ntrue\n", "/home/ann")
                .options(options)
                .build();
    }

    @Test
    void pathsAreRelativeInsideTheWorkingDirectory() {
        assertThat(Staging.paths("stage-in", "a.txt, data/b ,c*")).containsExactly("a.txt", "data/b", "c*");
        assertThatThrownBy(() -> Staging.paths("stage-in", "/etc/passwd")).hasMessageContaining("is absolute");
        assertThatThrownBy(() -> Staging.paths("stage-out", "a/../../x")).hasMessageContaining("leaves");
        assertThatThrownBy(() -> Staging.paths("stage-out", "a,,b")).hasMessageContaining("an empty path");
        assertThatThrownBy(() -> Staging.paths("stage-in", "-rf")).hasMessageContaining("write ./-rf");
        // a name that merely contains two dots is a name
        assertThat(Staging.paths("stage-in", "a..b")).containsExactly("a..b");
    }

    @Test
    void theControllerRefusesWhatSbatchWouldHaveRefused() {
        assertThat(Staging.refusal(with(Map.of()))).isEmpty();
        assertThat(Staging.refusal(with(Map.of(Staging.OUT, "../x"))))
                .hasValueSatisfying(m -> assertThat(m).contains("leaves"));
        String big = Base64.getEncoder().encodeToString(new byte[(int) Staging.MAX_IN_BYTES + 1]);
        assertThat(Staging.refusal(with(Map.of(Staging.IN_ARCHIVE, big))))
                .hasValueSatisfying(m -> assertThat(m).contains("over the limit of 4194304 bytes"));
        String fits = Base64.getEncoder().encodeToString(new byte[(int) Staging.MAX_IN_BYTES]);
        assertThat(Staging.refusal(with(Map.of(Staging.IN_ARCHIVE, fits)))).isEmpty();
        assertThat(Staging.refusal(with(Map.of(Staging.IN_ARCHIVE, "%%%")))).isPresent();
    }

    @Test
    void aChunkedArchiveIsAnnouncedWithItsSizeAndDigestWithinMaxStageInSize() {
        String sha = "ab".repeat(32);
        JobRequest ok = with(Map.of(Staging.IN, "data", Staging.IN_SIZE, "6291456", Staging.IN_SHA256, sha));
        assertThat(Staging.refusal(ok, 8L << 20)).isEmpty();
        assertThat(Staging.manifest(ok)).contains(new Staging.Manifest(6291456, sha));
        assertThat(Staging.refusal(ok, 4L << 20))
                .hasValueSatisfying(m -> assertThat(m).contains("over MaxStageInSize (4194304 bytes)"));
        assertThat(Staging.refusal(with(Map.of(Staging.IN_SIZE, "10", Staging.IN_SHA256, "XYZ"))))
                .hasValueSatisfying(m -> assertThat(m).contains("SHA-256"));
        assertThat(Staging.refusal(with(Map.of(Staging.IN_SIZE, "0", Staging.IN_SHA256, sha))))
                .hasValueSatisfying(m -> assertThat(m).contains("at least 1 byte"));
        assertThat(Staging.refusal(with(Map.of(Staging.IN_SIZE, "10", Staging.IN_SHA256, sha, Staging.IN_ARCHIVE, ""))))
                .isPresent();
        assertThat(Staging.awaitingUpload(ok)).isFalse();
        JobRequest awaiting = Staging.awaitingUpload(ok, true);
        assertThat(Staging.awaitingUpload(awaiting)).isTrue();
        assertThat(Staging.awaitingUpload(Staging.awaitingUpload(awaiting, false)))
                .isFalse();
    }
}
