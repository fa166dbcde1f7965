package io.motley.agent.enforcement;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * Programs the agent starts for a job with its own privileges (root on most nodes): each by its
 * absolute path, from the root directory, with a fixed environment and nothing of the job's, so
 * that no submitter's PATH, LD_PRELOAD, PERL5OPT or the like ever reaches a root process.
 */
public final class RootCommand {
    /** The whole environment of everything the agent runs for a job before privileges are dropped. */
    public static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C");

    private RootCommand() {}

    /** A process builder for {@code cmd} (its first word an absolute path) with the fixed environment. */
    public static ProcessBuilder of(List<String> cmd) {
        if (cmd.isEmpty() || !cmd.get(0).startsWith("/")) {
            throw new IllegalArgumentException("the agent runs programs by absolute path only, got " + cmd);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(ENVIRONMENT);
        pb.directory(new File("/"));
        return pb;
    }

    public static ProcessBuilder of(String... cmd) {
        return of(List.of(cmd));
    }
}
