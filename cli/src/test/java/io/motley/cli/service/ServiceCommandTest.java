package io.motley.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.cli.command.Io;
import io.motley.cli.service.ServiceCommand.Host;
import io.motley.cli.service.ServiceCommand.Manager;
import io.motley.cli.service.ServiceCommand.Ran;
import io.motley.core.options.UsageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** motley service: what is written where and which service manager commands run, on each kind of host. */
class ServiceCommandTest {
    @TempDir
    Path dir;

    final List<List<String>> ran = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Host host(Manager m, boolean linux) {
        return new Host(m, linux, dir, dir, cmd -> {
            ran.add(cmd);
            return new Ran(0, cmd.contains("is-active") ? "active\n" : cmd.contains("is-enabled") ? "enabled\n" : "");
        });
    }

    int run(Host host, String... args) throws Exception {
        Io io = new Io(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                false,
                Map.of("MOTLEY_DIST", "/opt/motley/dist", "MOTLEY_HOME", "/var/lib/motley"),
                "/",
                req -> {
                    throw new AssertionError("no cluster call expected");
                },
                0,
                ZoneId.of("UTC"),
                "h",
                "root",
                0);
        return new ServiceCommand(host).run(List.of(args), io);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printShowsTheSystemdUnitOnLinuxEvenWithoutSystemdAndInstallsNothing() throws Exception {
        assertThat(run(host(Manager.NONE, true), "install", "agent", "--print", "--controller", "ctl:6817"))
                .isZero();
        assertThat(out())
                .contains("ExecStart=/opt/motley/dist/bin/motley agent --home /var/lib/motley --controller ctl:6817\n")
                .contains("KillMode=process");
        assertThat(ran).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void theNodesSettingsAreTheAgentsOptionsInItsUnitAndOnlyAnAgentTakesThem() throws Exception {
        assertThat(run(
                        host(Manager.NONE, true),
                        "install",
                        "agent",
                        "--print",
                        "--controller",
                        "ctl:6817",
                        "--name",
                        "nas1",
                        "--gpus",
                        "0,1",
                        "--core-spec",
                        "1",
                        "--cpus",
                        "8",
                        "--mem-spec",
                        "2G",
                        "--mem",
                        "16G"))
                .isZero();
        assertThat(out())
                .contains("ExecStart=/opt/motley/dist/bin/motley agent --home /var/lib/motley --controller ctl:6817"
                        + " --name nas1 --cpus 8 --mem 16G --core-spec 1 --mem-spec 2G --gpus 0,1\n");
        assertThatThrownBy(() -> run(host(Manager.NONE, true), "install", "controller", "--print", "--cpus", "8"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("node settings");
        assertThatThrownBy(() -> run(
                        host(Manager.NONE, true),
                        "install",
                        "agent",
                        "--print",
                        "--controller",
                        "c:1",
                        "--mem",
                        "1G;x"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("would misread");
    }

    @Test
    void installWritesTheUnitThenReloadsAndEnablesIt() throws Exception {
        assertThat(run(host(Manager.SYSTEMD, true), "install", "controller", "--user", "motley"))
                .isZero();
        Path unit = dir.resolve("motley-controller.service");
        assertThat(Files.readString(unit)).contains("User=motley\n");
        assertThat(Files.getPosixFilePermissions(unit))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                        java.nio.file.attribute.PosixFilePermission.GROUP_READ,
                        java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        assertThat(ran).hasSize(2);
        assertThat(ran.get(0)).endsWith("daemon-reload");
        assertThat(ran.get(1)).endsWith("enable", "--now", "motley-controller.service");

        ran.clear();
        out.reset();
        assertThat(run(host(Manager.SYSTEMD, true), "status", "controller")).isZero();
        assertThat(out()).isEqualTo("controller: motley-controller.service active, enabled\n");

        ran.clear();
        assertThat(run(host(Manager.SYSTEMD, true), "uninstall", "controller")).isZero();
        assertThat(unit).doesNotExist();
        assertThat(ran.get(0)).endsWith("disable", "--now", "motley-controller.service");
    }

    @Test
    void onMacosItWritesAPlistAndBootstrapsIt() throws Exception {
        assertThat(run(host(Manager.LAUNCHD, false), "install", "agent", "--controller", "ctl:6817"))
                .isZero();
        assertThat(Files.readString(dir.resolve("io.motley.agent.plist"))).contains("<key>RunAtLoad</key><true/>");
        assertThat(ran)
                .containsExactly(List.of(
                        "/bin/launchctl",
                        "bootstrap",
                        "system",
                        dir.resolve("io.motley.agent.plist").toString()));
    }

    @Test
    void withNeitherItPrintsTheStepsAndTouchesNothing() throws Exception {
        assertThat(run(host(Manager.NONE, true), "install", "controller")).isZero();
        assertThat(out()).contains("neither systemd nor launchd").contains("autorun.sh");
        assertThat(ran).isEmpty();
        out.reset();
        assertThat(run(host(Manager.NONE, true), "status", "controller", "--home", dir.toString()))
                .isEqualTo(3);
        assertThat(out()).contains("controller: no service manager on this host; not running");
    }

    @Test
    void anAgentWithoutItsControllerAndAMissingRoleAreErrors() {
        assertThatThrownBy(() -> run(host(Manager.SYSTEMD, true), "install", "agent"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--controller HOST:PORT");
        assertThatThrownBy(() -> run(host(Manager.SYSTEMD, true), "install")).hasMessageContaining("controller|agent");
        assertThat(ran).isEmpty();
    }
}
