package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerAccessTest {
    @TempDir
    Path dir;

    @Test
    void thePassFileIsItsFirstLineAndMustBeTheOwnersAlone() throws Exception {
        Path pass = dir.resolve("db.pass");
        Files.writeString(pass, "s3cret\nignored\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        assertThat(ServerAccess.password(pass)).isEqualTo("s3cret");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> ServerAccess.password(pass))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("chmod 600 " + pass);
        assertThatThrownBy(() -> ServerAccess.password(dir.resolve("none")))
                .hasMessageContaining("does not exist")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void anUnreachableServerAtStartIsNamedWithWhatToCheckAndNoPassword() throws Exception {
        Path pass = dir.resolve("db.pass");
        Files.writeString(pass, "hunter2\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        int port = TestDatabases.freePort();
        for (String url : new String[] {
            "jdbc:postgresql://127.0.0.1:" + port + "/motley", "jdbc:mariadb://127.0.0.1:" + port + "/motley"
        }) {
            assertThatThrownBy(() -> Store.open(
                            io.motley.core.config.ClusterConfig.parse(
                                    "StorageURL=" + url + "\nStorageUser=motley\nStoragePassFile=" + pass + "\n"),
                            dir))
                    .isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("cannot connect to the job database " + url + ": ")
                    .hasMessageContaining("StorageURL, StorageUser and StoragePassFile")
                    .hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void aPasswordInTheUrlIsNotShown() {
        assertThat(ServerAccess.shown("jdbc:postgresql://h/db?user=a&password=x1&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
    }
}
