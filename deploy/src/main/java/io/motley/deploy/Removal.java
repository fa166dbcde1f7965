package io.motley.deploy;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code motley deploy INVENTORY --remove HOST}: drains the node, waits for its jobs to end, stops
 * its agent and removes its service and certificate there, and revokes its certificates here.
 */
public final class Removal {

    /** Revokes a node's certificates on the controller's host ({@code motley node remove NODE}). */
    @FunctionalInterface
    public interface Revoker {
        void revoke(String node) throws IOException;
    }

    private Removal() {}

    /** The command that stops the agent on the host and deletes its service and node certificate. */
    static String stopCommand(Inventory inventory, Inventory.Host host) {
        String home = inventory.home();
        String node = host.nodeName();
        return "if test -d /run/systemd/system && test -f /etc/systemd/system/motley-agent.service; then env MOTLEY_HOME="
                + home + " MOTLEY_JAVA=$(test -x " + inventory.dir() + "/runtime/bin/java && echo " + inventory.dir()
                + "/runtime/bin/java) " + inventory.dir() + "/dist/bin/motley service uninstall agent; fi;"
                + " pkill -TERM -f 'io.motley.agent.AgentMain --home " + home + " .*--name " + node + "( |$)';"
                + " rm -f " + home + "/etc/tls/node-" + node + ".crt " + home + "/etc/tls/node-" + node + ".key; true";
    }

    /** Removes one node; 0 when done, 1 after saying on {@code out} what failed. */
    public static int remove(
            Inventory inventory,
            Inventory.Host host,
            Remote.Connector connector,
            Revoker revoker,
            Deployer.Pause pause,
            int maxPauses,
            PrintStream out) {
        String node = host.nodeName();
        String scontrol = DeployPlan.scontrol(inventory);
        try (Remote r = connector.connect(host)) {
            Deployer.Registry registry = Deployer.Registry.on(r, scontrol + " show node " + node);
            Optional<String> state = registry.state(node);
            if (state.isPresent()) {
                out.println(node + ": draining (scontrol update NodeName=" + node + " State=DRAIN)");
                Remote.Result drain = r.run(
                        scontrol + " update NodeName=" + node + " State=DRAIN 'Reason=removed by motley deploy'", null);
                if (!drain.ok()) {
                    out.println(node + ": FAILED: cannot drain: " + drain.err().strip());
                    return 1;
                }
                int pauses = 0;
                while (!drained(registry.state(node))) {
                    if (pauses++ >= maxPauses) {
                        out.println(node + ": FAILED: its jobs are still running; run --remove again once they end");
                        return 1;
                    }
                    pause.pause();
                }
                out.println(node + ": drained, no jobs left");
            } else out.println(node + ": its agent does not answer; removing what is on the host");
            Remote.Result stopped = r.run(stopCommand(inventory, host), null);
            if (!stopped.ok()) {
                out.println(node + ": FAILED: cannot stop the agent: exit " + stopped.status() + " " + stopped.err());
                return 1;
            }
            out.println(node + ": agent stopped, its service and node certificate removed on " + host.host());
            revoker.revoke(node);
            out.println(node + ": certificates revoked (motley node remove " + node + "); the node is removed");
            return 0;
        } catch (IOException e) {
            out.println(node + ": FAILED: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Drained: nothing runs there any more (DRAINED, or a node that went down or away). */
    static boolean drained(Optional<String> state) {
        if (state.isEmpty()) return true;
        String s = state.get().toUpperCase(Locale.ROOT);
        return !(s.contains("DRAINING") || s.contains("ALLOC") || s.contains("MIX") || s.contains("COMPLETING"))
                && List.of("DRAIN", "DOWN").stream().anyMatch(s::contains);
    }
}
