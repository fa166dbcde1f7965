package io.motley.agent.enforcement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup file system as both strategies read it: which hierarchies are mounted where
 * (/proc/self/mountinfo), which cgroup this process sits in (/proc/self/cgroup), and the small
 * reads and writes of control files.
 */
final class CgroupFs {
    private CgroupFs() {}

    /** One mounted cgroup hierarchy: where, which part of the hierarchy it shows, v1 or v2, and its controllers (v1). */
    record Mount(Path mountPoint, String root, boolean v2, Set<String> controllers) {
        /** Where a cgroup path as /proc/self/cgroup names it lies under this mount, if it is visible here. */
        Optional<Path> dirOf(String cgroupPath) {
            String rel;
            if (root.equals("/")) {
                rel = cgroupPath;
            } else if (cgroupPath.equals(root) || cgroupPath.startsWith(root + "/")) {
                rel = cgroupPath.substring(root.length());
            } else {
                return Optional.empty();
            }
            rel = rel.replaceAll("^/+", "");
            return Optional.of(rel.isEmpty() ? mountPoint : mountPoint.resolve(rel));
        }
    }

    static List<Mount> mounts() {
        try {
            return parseMountInfo(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Parses mountinfo lines (see proc(5)), keeping the cgroup and cgroup2 mounts. */
    static List<Mount> parseMountInfo(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 1) continue;
            String type = right[0];
            if (!type.equals("cgroup") && !type.equals("cgroup2")) continue;
            Set<String> controllers = new LinkedHashSet<>();
            if (type.equals("cgroup") && right.length >= 3) {
                controllers.addAll(Arrays.asList(right[2].split(",")));
                controllers.remove("rw");
                controllers.remove("ro");
            }
            out.add(new Mount(
                    Path.of(unescape(left[4])), unescape(left[3]), type.equals("cgroup2"), Set.copyOf(controllers)));
        }
        return List.copyOf(out);
    }

    /** mountinfo writes spaces and other odd characters as octal escapes (\040). */
    private static String unescape(String s) {
        if (!s.contains("\\")) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /** This process's cgroups: v1 controller list ("memory", "cpu,cpuacct") or "" for v2, to the cgroup path. */
    static Map<String, String> ownCgroups() {
        try {
            return parseProcCgroup(Files.readAllLines(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            return Map.of();
        }
    }

    static Map<String, String> parseProcCgroup(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) out.put(parts[1], parts[2]);
        }
        return out;
    }

    /** The path of this process's cgroup in the v1 hierarchy holding {@code controller}, or "/" when unknown. */
    static String ownV1Path(Map<String, String> own, String controller) {
        for (var e : own.entrySet()) {
            if (Arrays.asList(e.getKey().split(",")).contains(controller)) return e.getValue();
        }
        return "/";
    }

    static Optional<String> read(Path f) {
        try {
            return Optional.of(Files.readString(f).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static void write(Path f, String value) throws IOException {
        Files.writeString(
                f, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Writes a control file; false (not an exception) when the kernel refuses, for optional settings. */
    static boolean tryWrite(Path f, String value) {
        try {
            write(f, value);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A "key value" line of a flat keyed file such as memory.events, cpu.stat or memory.oom_control. */
    static Optional<Long> keyed(Path f, String key) {
        return read(f).flatMap(text -> {
            for (String line : text.split("\n")) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    try {
                        return Optional.of(Long.parseLong(kv[1]));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        });
    }

    /** The processes in a cgroup and the cgroups below it (a job may make its own). */
    static List<Long> procs(Path dir) {
        List<Long> out = new ArrayList<>();
        read(dir.resolve("cgroup.procs")).ifPresent(text -> {
            for (String s : text.split("\\s+")) {
                if (!s.isEmpty()) out.add(Long.parseLong(s));
            }
        });
        for (Path child : children(dir)) out.addAll(procs(child));
        return out;
    }

    static List<Path> children(Path dir) {
        try (var list = Files.list(dir)) {
            return list.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Removes a cgroup and any below it. A cgroup directory is removed with rmdir even though it holds files. */
    static boolean rmdirTree(Path dir) {
        if (!Files.isDirectory(dir)) return true;
        for (Path child : children(dir)) rmdirTree(child);
        try {
            Files.delete(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes one empty cgroup; false where it still has processes or groups below it, or is gone. */
    static boolean rmdir(Path dir) {
        try {
            Files.delete(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates a directory, its parents too; false when not allowed. */
    static boolean mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
