package io.motley.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller reads a job's output file as the job's user, not as root: a user cannot make it
 * read a file of root's by naming it as their output.
 */
class JobOutputFilesTest {
    @TempDir
    Path dir;

    static boolean root() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    @Test
    void readsFromAnOffsetAsTheFilesOwner() throws Exception {
        assumeTrue(root(), "JobOutputFilesTest needs root to read as another user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path f = dir.resolve("slurm-7.out");
        Files.writeString(f, "0123456789");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(f, "unix:uid", 4242);
        assertThat(new String(JobOutput.asUser().read(f, 4242, 4242, 3, 4).orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("3456");
        assertThat(JobOutput.asUser().read(f, 4242, 4242, 10, 4).orElseThrow()).isEmpty();
        assertThat(JobOutput.asUser().read(dir.resolve("missing.out"), 4242, 4242, 0, 4))
                .isEmpty();
    }

    @Test
    void aFileTheUserMayNotReadIsNotRead() throws Exception {
        assumeTrue(root(), "JobOutputFilesTest needs root to read as another user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "root's only");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> JobOutput.asUser().read(secret, 4242, 4242, 0, 100))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Permission denied");
    }
}
