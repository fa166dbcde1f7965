package io.motley.agent.hardware;

import io.motley.core.cluster.Gpu;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA GPUs through nvidia-smi, the one tool every NVIDIA driver installs: the inventory at
 * start-up (index, model, memory, UUID) and a compact utilisation sample for heartbeats. A host
 * without nvidia-smi simply has no GPUs; a broken driver is logged and also yields none.
 */
public final class Gpus {
    private static final Logger log = LoggerFactory.getLogger(Gpus.class);

    /** The environment variable that names another nvidia-smi (tests use a fake one). */
    public static final String COMMAND_ENV = "MOTLEY_NVIDIA_SMI";

    static final String[] INVENTORY_QUERY = {"--query-gpu=index,name,memory.total,uuid", "--format=csv,noheader,nounits"
    };
    static final String[] SAMPLE_QUERY = {
        "--query-gpu=index,utilization.gpu,memory.used", "--format=csv,noheader,nounits"
    };

    // nvidia-smi hangs rather than fails when a driver is wedged; never let that stall the agent
    private static final Duration DETECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(5);

    private Gpus() {}

    /** The nvidia-smi to run: $MOTLEY_NVIDIA_SMI when set, else {@code nvidia-smi} from PATH. */
    public static String command() {
        return command(System.getenv());
    }

    static String command(Map<String, String> env) {
        String c = env.get(COMMAND_ENV);
        return c == null || c.isBlank() ? "nvidia-smi" : c.strip();
    }

    /** The GPUs nvidia-smi reports, ordered by index; empty when it is absent or fails. */
    public static List<Gpu> detect(String nvidiaSmi) {
        return detect(nvidiaSmi, DETECT_TIMEOUT);
    }

    static List<Gpu> detect(String nvidiaSmi, Duration timeout) {
        Optional<Path> exe = resolve(nvidiaSmi);
        if (exe.isEmpty()) {
            log.debug("no GPUs: {} not found", nvidiaSmi);
            return List.of();
        }
        try {
            List<Gpu> gpus = parseInventory(run(exe.get(), INVENTORY_QUERY, timeout));
            if (gpus.isEmpty()) log.info("nvidia-smi found no GPUs command={}", exe.get());
            return gpus;
        } catch (IOException e) {
            log.warn("GPU detection failed; offering no GPUs command={} error=\"{}\"", exe.get(), e.getMessage());
            return List.of();
        }
    }

    /**
     * Utilisation and memory in use per GPU, as {@code 0:util=7%,mem=1234MiB;1:util=0%,mem=0MiB};
     * empty when there is no nvidia-smi, no GPU, or the sample failed.
     */
    public static String sample(String nvidiaSmi) {
        Optional<Path> exe = resolve(nvidiaSmi);
        if (exe.isEmpty()) return "";
        try {
            return parseSample(run(exe.get(), SAMPLE_QUERY, SAMPLE_TIMEOUT));
        } catch (IOException e) {
            log.debug("GPU sample failed command={} error=\"{}\"", exe.get(), e.getMessage());
            return "";
        }
    }

    /**
     * Parses {@code index, name, memory.total, uuid} lines (csv, noheader, nounits). Lines that do not
     * parse are skipped with a warning; a model name holding commas is kept whole; "[N/A]" memory is 0.
     */
    public static List<Gpu> parseInventory(String csv) {
        List<Gpu> out = new ArrayList<>();
        int ordinal = 0;
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) continue;
            String[] f = line.split(",");
            if (f.length < 4) {
                log.warn("ignoring a line nvidia-smi printed that is not a GPU: \"{}\"", line.strip());
                continue;
            }
            String model = String.join(",", java.util.Arrays.copyOfRange(f, 1, f.length - 2))
                    .strip();
            long mem = number(f[f.length - 2]);
            String uuid = f[f.length - 1].strip();
            long index = number(f[0]);
            if (model.isEmpty() || model.startsWith("[")) model = "gpu";
            out.add(new Gpu(index >= 0 ? (int) index : ordinal, model, Math.max(0, mem), uuid));
            ordinal++;
        }
        out.sort(Comparator.comparingInt(Gpu::index));
        return List.copyOf(out);
    }

    /** Parses {@code index, utilization.gpu, memory.used} lines into the compact sample text. */
    public static String parseSample(String csv) {
        StringBuilder sb = new StringBuilder();
        int ordinal = 0;
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) continue;
            String[] f = line.split(",");
            if (f.length < 3) continue;
            long index = number(f[0]);
            long util = number(f[1]);
            long mem = number(f[2]);
            if (!sb.isEmpty()) sb.append(';');
            sb.append(index >= 0 ? index : ordinal)
                    .append(":util=")
                    .append(util >= 0 ? util + "%" : "N/A")
                    .append(",mem=")
                    .append(mem >= 0 ? mem + "MiB" : "N/A");
            ordinal++;
        }
        return sb.toString();
    }

    /**
     * Chooses among detected GPUs: {@code all} (or null/empty), {@code none}, or a comma list of
     * indices such as {@code 0,2}. Unknown indices are an error a user can act on.
     */
    public static List<Gpu> select(List<Gpu> detected, String spec) {
        if (spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("all")) return List.copyOf(detected);
        if (spec.strip().equalsIgnoreCase("none")) return List.of();
        Set<Integer> wanted = new LinkedHashSet<>();
        for (String s : spec.split(",")) {
            try {
                wanted.add(Integer.parseInt(s.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("GPU list must be all, none or indices like 0,1; got " + spec);
            }
        }
        List<Gpu> out = new ArrayList<>();
        for (Gpu g : detected) if (wanted.remove(g.index())) out.add(g);
        if (!wanted.isEmpty()) {
            throw new IllegalArgumentException("no GPU with index " + wanted + " on this host (it has "
                    + detected.stream().map(g -> Integer.toString(g.index())).toList() + ")");
        }
        return List.copyOf(out);
    }

    /** A number from an nvidia-smi field ("81559", " 7 %", "[N/A]"); -1 when there is none. */
    static long number(String field) {
        String digits = field.strip().replaceAll("[^0-9].*$", "");
        if (digits.isEmpty()) return -1;
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The program to run, looked up on PATH as the shell would; empty when there is none. */
    static Optional<Path> resolve(String command) {
        if (command == null || command.isBlank()) return Optional.empty();
        if (command.contains(File.separator)) {
            Path p = Path.of(command);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Runs the program, returns its output, and fails on a non-zero exit or after the timeout. */
    private static String run(Path exe, String[] args, Duration timeout) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().name("nvidia-smi-output").start(() -> copy(p.getInputStream(), out));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("no answer within " + timeout.toSeconds() + " s");
            }
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        if (p.exitValue() != 0) {
            String first = text.lines()
                    .filter(l -> !l.isBlank())
                    .findFirst()
                    .orElse("")
                    .strip();
            throw new IOException("exit code " + p.exitValue() + (first.isEmpty() ? "" : ": " + first));
        }
        return text;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the process was killed or closed its output: what was read is what there is
        }
    }
}
