package io.motley.controller.rest;

import io.motley.controller.cluster.Caller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The users the controller's host knows, by name: for root's {@code scontrol token
 * username=NAME}, for a root token acting as another user ({@code X-SLURM-USER-NAME}), and for the
 * home directory a submission without a working directory starts in.
 */
public interface Users {
    /** The user and their groups, if the host knows the name. */
    Optional<Caller> byName(String name);

    /** The user's home directory, if known. */
    Optional<String> home(String name);

    /** The host's /etc/passwd and /etc/group, read at each lookup (absolute paths, files root owns). */
    static Users system() {
        return files(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /** Users from files in passwd(5) and group(5) format. */
    static Users files(Path passwd, Path group) {
        return new Users() {
            @Override
            public Optional<Caller> byName(String name) {
                Optional<String[]> p = entry(passwd, name);
                if (p.isEmpty() || p.get().length < 4) return Optional.empty();
                try {
                    int uid = Integer.parseInt(p.get()[2]);
                    int gid = Integer.parseInt(p.get()[3]);
                    List<String> groups = new ArrayList<>();
                    for (String line : lines(group)) {
                        String[] g = line.split(":", -1);
                        if (g.length < 4) continue;
                        boolean member = g[2].equals(Integer.toString(gid))
                                || List.of(g[3].split(",")).contains(name);
                        if (member && !groups.contains(g[0])) groups.add(g[0]);
                    }
                    return Optional.of(new Caller(uid, gid, name, groups));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }

            @Override
            public Optional<String> home(String name) {
                return entry(passwd, name).filter(f -> f.length >= 6).map(f -> f[5]);
            }
        };
    }

    /** A fixed table (tests): name to user, with homes. */
    static Users of(Map<String, Caller> users, Map<String, String> homes) {
        return new Users() {
            @Override
            public Optional<Caller> byName(String name) {
                return Optional.ofNullable(users.get(name));
            }

            @Override
            public Optional<String> home(String name) {
                return Optional.ofNullable(homes.get(name));
            }
        };
    }

    private static Optional<String[]> entry(Path file, String name) {
        for (String line : lines(file)) {
            String[] f = line.split(":", -1);
            if (f.length > 0 && f[0].equals(name)) return Optional.of(f);
        }
        return Optional.empty();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
