package io.motley.cli.template;

import io.motley.cli.template.JobTemplate.TemplateException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where templates come from: the user's directories first (so a user's template of a built-in's
 * name replaces it), then the built-ins shipped in the jar. A template is {@code NAME.sbatch},
 * or a directory {@code NAME/} whose {@code *.sbatch} scripts are submitted in name order.
 */
public final class TemplateLibrary {
    /** The built-in templates and their scripts, in submission order (resources beside this class). */
    static final Map<String, List<String>> BUILT_IN = builtIns();

    private static Map<String, List<String>> builtIns() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("ml-training", List.of("ml-training.sbatch"));
        m.put("data-pipeline", List.of("data-pipeline/1-preprocess.sbatch", "data-pipeline/2-reduce.sbatch"));
        m.put("hpc-simulation", List.of("hpc-simulation.sbatch"));
        m.put("param-sweep", List.of("param-sweep.sbatch"));
        return m;
    }

    private final List<Path> userDirs;

    public TemplateLibrary(List<Path> userDirs) {
        this.userDirs = List.copyOf(userDirs);
    }

    /**
     * The user's template directories for an environment: {@code MOTLEY_HOME/templates} (default
     * {@code ~/.motley/templates}), then {@code ${XDG_CONFIG_HOME:-~/.config}/motley/templates}.
     */
    public static List<Path> userDirs(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        String motleyHome = env.get("MOTLEY_HOME");
        Path mh = motleyHome != null && !motleyHome.isEmpty() ? Path.of(motleyHome) : Path.of(home, ".motley");
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(home, ".config");
        return List.of(
                mh.resolve("templates").toAbsolutePath(),
                config.resolve("motley/templates").toAbsolutePath());
    }

    public List<Path> dirs() {
        return userDirs;
    }

    /** Every template by name: the user's (first directory first), then the built-ins not replaced. */
    public Map<String, JobTemplate> all() {
        Map<String, JobTemplate> all = new TreeMap<>();
        for (Path dir : userDirs) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.sorted().toList()) {
                    String name = nameOf(p);
                    if (name != null && !all.containsKey(name)) all.put(name, readUser(name, p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String name : BUILT_IN.keySet()) all.putIfAbsent(name, builtIn(name));
        return all;
    }

    /** The template of this name, from the same places as {@link #all()}. */
    public Optional<JobTemplate> find(String name) {
        for (Path dir : userDirs) {
            Path file = dir.resolve(name + ".sbatch");
            Path sub = dir.resolve(name);
            if (Files.isRegularFile(file)) return Optional.of(readUser(name, file));
            if (Files.isDirectory(sub)) return Optional.of(readUser(name, sub));
        }
        return BUILT_IN.containsKey(name) ? Optional.of(builtIn(name)) : Optional.empty();
    }

    private static String nameOf(Path p) {
        String f = p.getFileName().toString();
        if (f.startsWith(".")) return null;
        if (Files.isRegularFile(p) && f.endsWith(".sbatch")) return f.substring(0, f.length() - 7);
        if (Files.isDirectory(p)) return f;
        return null;
    }

    private static JobTemplate readUser(String name, Path p) {
        Map<String, String> files = new LinkedHashMap<>();
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".sbatch"))
                            .sorted()
                            .toList()) {
                        files.put(f.getFileName().toString(), Files.readString(f));
                    }
                }
            } else {
                files.put(p.getFileName().toString(), Files.readString(p));
            }
        } catch (IOException e) {
            throw new TemplateException("cannot read template " + name + " at " + p + ": " + e.getMessage());
        }
        return JobTemplate.parse(name, p.toString(), files);
    }

    static JobTemplate builtIn(String name) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String res : BUILT_IN.get(name)) {
            try (InputStream in = TemplateLibrary.class.getResourceAsStream("builtin/" + res)) {
                if (in == null) throw new IllegalStateException("built-in template file missing from the jar: " + res);
                files.put(
                        res.substring(res.lastIndexOf('/') + 1), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return JobTemplate.parse(name, "built-in", files);
    }

    /** The file names a copy of {@code t} gets under a user directory, relative to it. */
    static List<String> copyNames(String newName, JobTemplate t) {
        List<String> names = new ArrayList<>();
        if (t.scripts().size() == 1) names.add(newName + ".sbatch");
        else for (JobTemplate.Script s : t.scripts()) names.add(newName + "/" + s.fileName());
        return names;
    }
}
