package io.motley.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.cli.service.ServiceFiles.Role;
import io.motley.cli.service.ServiceFiles.Settings;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The generated systemd unit, launchd plist and manual steps. */
class ServiceFilesTest {
    @TempDir
    Path dir;

    static Settings agent(String launcher) {
        return new Settings(
                Role.AGENT, launcher, "/usr/lib/jvm/java-21/bin/java", "/var/lib/motley", "root", "ctl:6817", "nas1");
    }

    static final Settings CONTROLLER = new Settings(
            Role.CONTROLLER, "/opt/motley/bin/motley", "/usr/bin/java", "/srv/motley", "motley", null, null);

    @Test
    void theAgentsUnitRestartsOnFailureAndLeavesJobsAliveWhenItStops() {
        String unit = ServiceFiles.systemdUnit(agent("/opt/motley/bin/motley"));
        assertThat(unit.lines().toList())
                .contains(
                        "ExecStart=/opt/motley/bin/motley agent --home /var/lib/motley --controller ctl:6817 --name nas1",
                        "Restart=on-failure",
                        "KillMode=process",
                        "Delegate=yes",
                        "User=root",
                        "Environment=MOTLEY_HOME=/var/lib/motley",
                        "Environment=MOTLEY_JAVA=/usr/lib/jvm/java-21/bin/java",
                        "LimitNOFILE=65536",
                        "WantedBy=multi-user.target");
    }

    @Test
    void theControllersUnitRunsAsItsServiceUserAndKillsItsWholeGroup() {
        String unit = ServiceFiles.systemdUnit(CONTROLLER);
        assertThat(unit.lines().toList())
                .contains(
                        "ExecStart=/opt/motley/bin/motley controller --home /srv/motley",
                        "User=motley",
                        "Restart=on-failure",
                        "Before=motley-agent.service");
        assertThat(unit).doesNotContain("KillMode").doesNotContain("--controller");
    }

    @Test
    void thePlistIsWellFormedAndCarriesTheSameCommand() throws Exception {
        String plist = ServiceFiles.launchdPlist(agent("/opt/motley/bin/motley"));
        var f = DocumentBuilderFactory.newInstance();
        // the DOCTYPE names Apple's DTD: never fetch it
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(plist.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("plist");
        assertThat(plist)
                .contains("<key>Label</key><string>io.motley.agent</string>")
                .contains(
                        "    <string>agent</string>\n    <string>--home</string>\n    <string>/var/lib/motley</string>")
                .contains("<key>SuccessfulExit</key><false/>")
                .contains("<key>AbandonProcessGroup</key><true/>")
                .doesNotContain("UserName");
        assertThat(ServiceFiles.launchdPlist(CONTROLLER))
                .contains("<key>UserName</key><string>motley</string>")
                .doesNotContain("AbandonProcessGroup");
    }

    @Test
    void theManualStepsGiveTheLineToStartItAndTheQnapAutorun() {
        String steps = ServiceFiles.manualSteps(agent("/share/motley/bin/motley"));
        assertThat(steps)
                .contains("MOTLEY_HOME=/var/lib/motley MOTLEY_JAVA=/usr/lib/jvm/java-21/bin/java nohup"
                        + " /share/motley/bin/motley agent --home /var/lib/motley --controller ctl:6817 --name nas1"
                        + " >> /var/lib/motley/log/agent.out 2>&1 < /dev/null &")
                .contains("autorun.sh");
        assertThat(ServiceFiles.manualSteps(CONTROLLER)).contains("su motley -s /bin/sh -c '");
    }

    @Test
    void valuesAServiceFileWouldMisreadAreRefused() {
        assertThatThrownBy(() -> new Settings(
                        Role.CONTROLLER, "/opt/my motley/bin/motley", "/usr/bin/java", "/srv", "root", null, null))
                .hasMessageContaining("'/opt/my motley/bin/motley'");
        assertThatThrownBy(() -> new Settings(Role.AGENT, "/m", "/j", "/h", "root", null, null))
                .hasMessageContaining("--controller");
        assertThatThrownBy(() -> new Settings(Role.AGENT, "m", "/j", "/h", "root", "c:1", null))
                .hasMessageContaining("absolute");
    }

    /** systemd's own checker on both units (Debian's systemd package has it even where systemd does not run). */
    @Test
    void systemdAnalyzeVerifyAcceptsBothUnits() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(
                Files.isExecutable(analyze),
                "systemd-analyze is missing (Debian package systemd; scripts/setup-test-host)");
        Path launcher = dir.resolve("motley");
        Files.writeString(launcher, "#!/bin/sh\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Settings s : List.of(
                agent(launcher.toString()),
                new Settings(
                        Role.CONTROLLER, launcher.toString(), "/usr/bin/java", "/srv/motley", "root", null, null))) {
            Path unit = dir.resolve(ServiceFiles.unitName(s.role()));
            Files.writeString(unit, ServiceFiles.systemdUnit(s));
            Process p = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out)
                    .as(unit.toString())
                    .doesNotContain(unit.getFileName().toString() + ":");
            assertThat(p.exitValue()).as(out).isZero();
        }
    }
}
