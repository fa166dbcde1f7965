package io.motley.deploy;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code motley deploy} does on one host, in order: the steps, each with what it says and the
 * shell command it runs there over SSH. Pure: the same inventory gives the same plan, and {@code
 * --dry-run} prints it without connecting.
 */
public record DeployPlan(Inventory.Host host, List<Step> steps) {

    /** The kinds of step, in the order they run. */
    public enum Kind {
        CHECK,
        COPY,
        JOIN,
        START,
        WAIT
    }

    /**
     * One step: {@code command} runs on the host (empty for a step the deploying host does itself),
     * {@code skipWhen} is a test on the host that, when it succeeds, means the step was done before.
     */
    public record Step(Kind kind, String says, String command, String skipWhen) {}

    /** Where the agents connect, the bundle's file and its SHA-256 (null when not built). */
    public record Source(String controller, String bundle, String bundleSha256) {}

    /** The probe {@link Kind#CHECK} runs; {@link HostFacts#parse} reads its output. */
    static final String PROBE = String.join(
            "; ",
            "echo os=$(uname -s)",
            "echo arch=$(uname -m)",
            "echo cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null)",
            "echo mem_kb=$(awk '/^MemTotal:/{print $2}' /proc/meminfo 2>/dev/null)",
            "echo gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU')",
            "echo java=$(java -version 2>&1 | awk -F'\"' '/version/{print $2; exit}')",
            "echo systemd=$(test -d /run/systemd/system && echo yes || echo no)",
            "echo cgroup2=$(test -f /sys/fs/cgroup/cgroup.controllers && echo yes || echo no)");

    /** The plan for one host of the inventory. */
    public static DeployPlan of(Inventory inventory, Inventory.Host host, Source source) {
        String dir = inventory.dir();
        String home = inventory.home();
        String node = host.nodeName();
        // the bundle's own runtime where it has one (Linux x86_64), else the host's Java
        String motley = "env MOTLEY_HOME=" + home + " MOTLEY_JAVA=$(test -x " + dir + "/runtime/bin/java && echo " + dir
                + "/runtime/bin/java) " + dir + "/dist/bin/motley";
        String agentOptions = String.join(" ", host.agentOptions());
        String serviceArgs = "--home " + home + " --controller " + source.controller() + " --name " + node
                + (agentOptions.isEmpty() ? "" : " " + agentOptions);
        String agentArgs = "--controller " + source.controller() + " --name " + node
                + (agentOptions.isEmpty() ? "" : " " + agentOptions);
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(
                Kind.CHECK,
                "check the OS, architecture and Java: Linux x86_64 runs the bundle's own Java runtime; other"
                        + " platforms need Java 21 or later on the PATH (the deploy says how to install it)",
                PROBE,
                ""));
        steps.add(new Step(
                Kind.COPY,
                "copy the bundle " + source.bundle()
                        + (source.bundleSha256() == null
                                ? " (not built: run scripts/bundle first)"
                                : " (SHA-256 " + source.bundleSha256().substring(0, 12) + "...)")
                        + " to " + dir + ", unless " + dir + "/.bundle-sha256 already holds its checksum",
                "mkdir -p " + dir + " && tar -C " + dir + " --strip-components=1 -xJf - && echo "
                        + (source.bundleSha256() == null ? "none" : source.bundleSha256()) + " > " + dir
                        + "/.bundle-sha256",
                "test \"$(cat " + dir + "/.bundle-sha256 2>/dev/null)\" = " + source.bundleSha256()));
        steps.add(new Step(
                Kind.JOIN,
                "join the cluster as node " + node + " with a token from `motley token create --ttl 1h` (made"
                        + " once for this run), unless " + home + "/etc/tls/node-" + node + ".crt is there",
                motley + " join " + source.controller() + " --token TOKEN --name " + node + " --no-start",
                "test -s " + home + "/etc/tls/node-" + node + ".crt"));
        steps.add(new Step(
                Kind.START,
                "start the agent: where systemd runs, `motley service install agent " + serviceArgs + "`"
                        + "; where no service manager runs, start it directly in the background (it will not"
                        + " come back after a reboot, and the deploy says so); nothing if it already runs",
                "if test -d /run/systemd/system; then " + motley + " service install agent " + serviceArgs
                        + "; else mkdir -p " + home + "/log && (setsid " + motley + " agent --home " + home + " "
                        + agentArgs + " > " + home + "/log/agent.out 2>&1 < /dev/null &) && echo started-directly;"
                        + " fi",
                "pgrep -f 'io.motley.agent.AgentMain --home " + home + " .*--name " + node + "( |$)' > /dev/null"
                        + " || (test -d /run/systemd/system && systemctl is-active -q motley-agent.service)"));
        steps.add(new Step(
                Kind.WAIT,
                "wait for node " + node + " to register with the controller (scontrol show node " + node
                        + ", asked on the host through its agent)",
                scontrol(inventory) + " show node " + node,
                ""));
        return new DeployPlan(host, List.copyOf(steps));
    }

    /** scontrol on the host, as root: it asks the controller through the host's own agent. */
    static String scontrol(Inventory inventory) {
        String dir = inventory.dir();
        return "env MOTLEY_HOME=" + inventory.home() + " MOTLEY_JAVA=$(test -x " + dir + "/runtime/bin/java && echo "
                + dir + "/runtime/bin/java) " + dir + "/dist/bin/scontrol";
    }

    /** The plan as {@code --dry-run} prints it. */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append(host.nodeName())
                .append(" (")
                .append(host.user())
                .append('@')
                .append(host.host())
                .append(':')
                .append(host.port())
                .append(host.key() == null ? "" : ", key " + host.key())
                .append("):\n");
        int i = 1;
        for (Step s : steps) {
            b.append("  ").append(i++).append(". ").append(s.says()).append('\n');
            if (!s.command().isEmpty() && s.kind() != Kind.CHECK && s.kind() != Kind.WAIT)
                b.append("       $ ").append(s.command()).append('\n');
        }
        return b.toString();
    }
}
