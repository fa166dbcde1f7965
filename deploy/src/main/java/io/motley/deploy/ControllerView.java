package io.motley.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the deploy reads from scontrol and runs on the controller's host ({@code motley node remove}). */
final class ControllerView {
    private static final Pattern STATE = Pattern.compile("\\bState=(\\S+)");

    private ControllerView() {}

    /** The state in {@code scontrol show node} output, or empty. */
    static Optional<String> state(String scontrolShowNode) {
        Matcher m = STATE.matcher(scontrolShowNode);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Revokes a node's certificates with this host's {@code motley node remove}. */
    static void revoke(Path bin, String node) throws IOException {
        if (run(List.of(bin.resolve("motley").toString(), "node", "remove", node)) == null)
            throw new IOException("motley node remove " + node + " failed");
    }

    /** Runs a command here; its output, or null when it exits non-zero. */
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
