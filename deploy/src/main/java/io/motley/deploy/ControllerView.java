package io.motley.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The controller's view of the nodes, through this host's {@code scontrol}, as an operator sees it. */
final class ControllerView {
    private static final Pattern STATE = Pattern.compile("\\bState=(\\S+)");

    private ControllerView() {}

    /** The node's state ({@code IDLE}, {@code MIXED}, ...), or empty when the controller does not know it. */
    static Optional<String> nodeState(Path bin, String node) throws IOException {
        String out = scontrol(bin, List.of("show", "node", node));
        return out == null ? Optional.empty() : state(out);
    }

    static Optional<String> state(String scontrolShowNode) {
        Matcher m = STATE.matcher(scontrolShowNode);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The controller's side of {@code --remove}, through scontrol and {@code motley node remove}. */
    static Removal.Controller removal(Path bin) {
        return new Removal.Controller() {
            @Override
            public Optional<String> state(String node) throws IOException {
                return nodeState(bin, node);
            }

            @Override
            public void drain(String node, String reason) throws IOException {
                if (scontrol(bin, List.of("update", "NodeName=" + node, "State=DRAIN", "Reason=" + reason)) == null)
                    throw new IOException("scontrol update NodeName=" + node + " State=DRAIN failed");
            }

            @Override
            public void revoke(String node) throws IOException {
                if (run(List.of(bin.resolve("motley").toString(), "node", "remove", node)) == null)
                    throw new IOException("motley node remove " + node + " failed");
            }
        };
    }

    /** Runs scontrol; its output, or null when it exits non-zero. */
    static String scontrol(Path bin, List<String> args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(bin.resolve("scontrol").toString());
        cmd.addAll(args);
        return run(cmd);
    }

    private static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not answer within 60 s");
            }
            return p.exitValue() == 0 ? out : null;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
