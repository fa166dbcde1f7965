package io.motley.agent.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the names the JDK gives for a Unix socket peer's credentials into numeric ids: from
 * /etc/passwd and /etc/group, else from {@code id(1)} (macOS directory services). A name that is
 * already numeric (no passwd entry) is taken as the id.
 */
final class Identity {
    private static final Map<String, Integer> uids = new ConcurrentHashMap<>();
    private static final Map<String, Integer> gids = new ConcurrentHashMap<>();
    private static final Map<String, String> groups = new ConcurrentHashMap<>();

    private Identity() {}

    static int uid(String user) {
        return uids.computeIfAbsent(user, u -> lookup(u, Path.of("/etc/passwd"), "-u"));
    }

    static int gid(String group) {
        return gids.computeIfAbsent(group, g -> lookup(g, Path.of("/etc/group"), "-g"));
    }

    /** The user's group names, comma separated (for partitions' AllowGroups), from id(1); cached. */
    static String groups(String user) {
        return groups.computeIfAbsent(user, u -> {
            try {
                Process p = new ProcessBuilder(List.of("id", "-Gn", u))
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                return p.waitFor() == 0 ? String.join(",", out.split("\\s+")) : "";
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        });
    }

    private static int lookup(String name, Path file, String idFlag) {
        if (name.chars().allMatch(Character::isDigit)) return Integer.parseInt(name);
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(":");
                if (f.length > 2 && f[0].equals(name)) return Integer.parseInt(f[2]);
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through to id(1)
        }
        if (idFlag.equals("-g")) return -1;
        try {
            Process p = new ProcessBuilder(List.of("id", "-u", name)).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0) return Integer.parseInt(out);
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }
}
