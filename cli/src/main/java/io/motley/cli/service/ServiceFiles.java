package io.motley.cli.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The service definitions for a Motley daemon: a systemd unit, a launchd property list, and the
 * steps for a host with neither (a QNAP NAS's autorun.sh). Pure: settings in, file text out.
 */
public final class ServiceFiles {
    private ServiceFiles() {}

    /** Which daemon the service runs. */
    public enum Role {
        CONTROLLER,
        AGENT;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What the service runs: the launcher {@code motley} (absolute), the Java it uses, the daemon's
     * home, the account it runs as ({@code root} unless configured), and for an agent the
     * controller's address, an optional node name and the node's settings as the agent's options
     * ({@code --cpus 8 --core-spec 1 ...}, empty for what it detects).
     */
    public record Settings(
            Role role,
            String launcher,
            String java,
            String home,
            String user,
            String controller,
            String nodeName,
            List<String> nodeSettings) {
        /** Settings with no node settings: the agent detects its CPUs, memory and GPUs. */
        public Settings(
                Role role, String launcher, String java, String home, String user, String controller, String nodeName) {
            this(role, launcher, java, home, user, controller, nodeName, List.of());
        }

        /** The daemon's command line, each word as it is (checked to need no quoting). */
        public List<String> command() {
            List<String> cmd = new ArrayList<>(List.of(launcher, role.word(), "--home", home));
            if (role == Role.AGENT) {
                cmd.add("--controller");
                cmd.add(controller);
                if (nodeName != null) {
                    cmd.add("--name");
                    cmd.add(nodeName);
                }
                cmd.addAll(nodeSettings);
            }
            return cmd;
        }

        /** Refuses values that a unit, a plist or a shell line would read as something else. */
        public Settings {
            nodeSettings = nodeSettings == null ? List.of() : List.copyOf(nodeSettings);
            List<String> words = new ArrayList<>(nodeSettings);
            words.addAll(Arrays.asList(launcher, java, home, user, controller, nodeName));
            for (String v : words) {
                if (v != null && !v.matches("[A-Za-z0-9_./:@+=,-]+"))
                    throw new IllegalArgumentException(
                            "'" + v
                                    + "' has a character a service file would misread (use letters, digits and _ . / : @ + = , -)");
            }
            if (!nodeSettings.isEmpty() && role != Role.AGENT)
                throw new IllegalArgumentException("node settings (--cpus, --mem, ...) are an agent's");
            if (!launcher.startsWith("/") || !java.startsWith("/") || !home.startsWith("/"))
                throw new IllegalArgumentException("the launcher, java and home must be absolute paths");
            if (role == Role.AGENT && controller == null)
                throw new IllegalArgumentException(
                        "an agent's service needs the controller's address (--controller HOST:PORT)");
        }
    }

    /** The unit's name: {@code motley-controller.service} or {@code motley-agent.service}. */
    public static String unitName(Role role) {
        return "motley-" + role.word() + ".service";
    }

    /** The launchd label: {@code io.motley.controller} or {@code io.motley.agent}. */
    public static String launchdLabel(Role role) {
        return "io.motley." + role.word();
    }

    public static String systemdUnit(Settings s) {
        boolean agent = s.role() == Role.AGENT;
        StringBuilder u = new StringBuilder();
        u.append("# Written by `motley service install ")
                .append(s.role().word())
                .append("` (docs/services.md)\n");
        u.append("[Unit]\n");
        u.append("Description=Motley ")
                .append(
                        agent
                                ? "agent (runs this node's jobs)"
                                : "controller (the cluster's scheduler and job database)")
                .append('\n');
        u.append("Wants=network-online.target\n");
        u.append("After=network-online.target\n");
        if (!agent) u.append("Before=").append(unitName(Role.AGENT)).append('\n');
        u.append('\n');
        u.append("[Service]\n");
        u.append("Type=simple\n");
        u.append("User=").append(s.user()).append('\n');
        u.append("Environment=MOTLEY_HOME=").append(s.home()).append('\n');
        u.append("Environment=MOTLEY_JAVA=").append(s.java()).append('\n');
        u.append("ExecStart=").append(String.join(" ", s.command())).append('\n');
        u.append("Restart=on-failure\n");
        u.append("RestartSec=5\n");
        if (agent) {
            // jobs are the agent's children: stopping or restarting the agent must not kill them
            // (the agent finds them again when it starts), so only the agent's own process is signalled
            u.append("KillMode=process\n");
            // the agent makes a cgroup per job under its own
            u.append("Delegate=yes\n");
        }
        u.append("TimeoutStopSec=30\n");
        u.append("LimitNOFILE=65536\n");
        if (agent) {
            u.append("LimitNPROC=infinity\n");
            u.append("LimitMEMLOCK=infinity\n");
            u.append("LimitCORE=infinity\n");
            u.append("TasksMax=infinity\n");
        }
        u.append('\n');
        u.append("[Install]\n");
        u.append("WantedBy=multi-user.target\n");
        return u.toString();
    }

    public static String launchdPlist(Settings s) {
        StringBuilder p = new StringBuilder();
        p.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        p.append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\""
                + " \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        p.append("<!-- Written by `motley service install ")
                .append(s.role().word())
                .append("` (docs/services.md) -->\n");
        p.append("<plist version=\"1.0\">\n<dict>\n");
        key(p, "Label", launchdLabel(s.role()));
        p.append("  <key>ProgramArguments</key>\n  <array>\n");
        for (String w : s.command()) p.append("    <string>").append(w).append("</string>\n");
        p.append("  </array>\n");
        p.append("  <key>EnvironmentVariables</key>\n  <dict>\n");
        p.append("    <key>MOTLEY_HOME</key><string>").append(s.home()).append("</string>\n");
        p.append("    <key>MOTLEY_JAVA</key><string>").append(s.java()).append("</string>\n");
        p.append("  </dict>\n");
        if (!s.user().equals("root")) key(p, "UserName", s.user());
        p.append("  <key>RunAtLoad</key><true/>\n");
        // restart after a crash, not after a clean exit (systemd's Restart=on-failure)
        p.append("  <key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key><false/>\n  </dict>\n");
        p.append("  <key>ThrottleInterval</key><integer>5</integer>\n");
        if (s.role() == Role.AGENT) {
            // launchd kills a daemon's whole process group on stop; jobs must outlive an agent restart
            p.append("  <key>AbandonProcessGroup</key><true/>\n");
        }
        p.append("  <key>SoftResourceLimits</key>\n  <dict>\n    <key>NumberOfFiles</key><integer>65536</integer>\n"
                + "  </dict>\n");
        key(p, "StandardOutPath", s.home() + "/log/" + s.role().word() + ".out");
        key(p, "StandardErrorPath", s.home() + "/log/" + s.role().word() + ".out");
        p.append("</dict>\n</plist>\n");
        return p.toString();
    }

    private static void key(StringBuilder p, String key, String value) {
        p.append("  <key>").append(key).append("</key><string>").append(value).append("</string>\n");
    }

    /**
     * For a host with neither systemd nor launchd: the lines to start the daemon at boot (a QNAP
     * NAS runs autorun.sh from its flash configuration partition), and how to put them there.
     */
    public static String manualSteps(Settings s) {
        String log = s.home() + "/log/" + s.role().word() + ".out";
        String start = (s.user().equals("root") ? "" : "su " + s.user() + " -s /bin/sh -c '")
                + "MOTLEY_HOME=" + s.home() + " MOTLEY_JAVA=" + s.java() + " nohup " + String.join(" ", s.command())
                + " >> " + log + " 2>&1 < /dev/null &" + (s.user().equals("root") ? "" : "'");
        return """
                This host has neither systemd nor launchd: start the %1$s at boot yourself.
                The line that starts it (in the background, output in %2$s):

                  %3$s

                On a QNAP NAS (QTS 4.3.3 or later): enable "Run user defined processes during startup"
                (Control Panel > Hardware > General), then add the line to autorun.sh on the flash
                configuration partition (older models mount it differently: see QNAP's notes on autorun.sh):

                  /etc/init.d/init_disk.sh mount_flash_config
                  vi /tmp/nasconfig_tmp/autorun.sh      # add the line above; keep #!/bin/sh first
                  chmod +x /tmp/nasconfig_tmp/autorun.sh
                  /etc/init.d/init_disk.sh umount_flash_config

                Elsewhere: an @reboot line in root's crontab (crontab -e) or /etc/rc.local does the same.
                Nothing restarts the %1$s if it fails there; `motley service status %1$s` tells whether it runs.
                """.formatted(s.role().word(), log, start);
    }
}
