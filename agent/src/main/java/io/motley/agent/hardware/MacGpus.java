package io.motley.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Mac's GPUs as {@code system_profiler SPDisplaysDataType} lists them. They are logged at start-up
 * and not offered as GRES: a job that asks {@code --gres=gpu} expects CUDA, which no Mac has, so a
 * Mac in a mixed cluster would take jobs it cannot run. Jobs for Apple silicon's GPU (Metal, MPS)
 * ask for the node's automatic features instead ({@code -C macos,apple}).
 */
final class MacGpus {
    private static final Path SYSTEM_PROFILER = Path.of("/usr/sbin/system_profiler");

    /** One GPU: its chipset model, vendor, bus, cores (Apple silicon) and dedicated memory (0: shared). */
    record MacGpu(String model, String vendor, String bus, int cores, long vramMiB) {
        /** Apple silicon's GPU, as opposed to an Intel Mac's Intel or AMD one. */
        boolean appleSilicon() {
            return vendor.startsWith("Apple") || model.startsWith("Apple ");
        }
    }

    private MacGpus() {}

    /**
     * Parses system_profiler's text: a GPU is a name at the first indentation under
     * "Graphics/Displays:", its properties the {@code Key: Value} lines one level deeper; the
     * displays attached to it, deeper still, are skipped.
     */
    static List<MacGpu> parse(String text) {
        List<MacGpu> out = new ArrayList<>();
        Map<String, String> props = null;
        int gpuIndent = -1;
        int propIndent = -1;
        for (String line : text.split("\\R")) {
            if (line.isBlank()) continue;
            int indent = line.length() - line.stripLeading().length();
            String item = line.strip();
            if (indent == 0) continue; // "Graphics/Displays:"
            if (gpuIndent < 0) gpuIndent = indent;
            if (indent == gpuIndent && item.endsWith(":")) {
                if (props != null) out.add(gpu(props));
                props = new LinkedHashMap<>();
                props.put("Name", item.substring(0, item.length() - 1));
                propIndent = -1;
                continue;
            }
            if (props == null || indent <= gpuIndent) continue;
            if (propIndent < 0) propIndent = indent;
            if (indent != propIndent) continue;
            int colon = item.indexOf(": ");
            if (colon > 0)
                props.put(item.substring(0, colon), item.substring(colon + 2).strip());
        }
        if (props != null) out.add(gpu(props));
        return List.copyOf(out);
    }

    private static MacGpu gpu(Map<String, String> p) {
        String model = p.getOrDefault("Chipset Model", p.get("Name"));
        String vendor = p.getOrDefault("Vendor", "").replaceAll("\\s*\\(0x[0-9a-fA-F]+\\)$", "");
        int cores = 0;
        try {
            cores = Integer.parseInt(
                    p.getOrDefault("Total Number of Cores", "0").strip());
        } catch (NumberFormatException ignored) {
            // not a count: leave 0
        }
        long vram = 0;
        for (Map.Entry<String, String> e : p.entrySet()) {
            if (e.getKey().startsWith("VRAM")) vram = mebibytes(e.getValue());
        }
        return new MacGpu(model, vendor, p.getOrDefault("Bus", ""), cores, vram);
    }

    /** "1536 MB" or "4 GB" (system_profiler's units are binary) in MiB; 0 when it does not parse. */
    static long mebibytes(String s) {
        String[] f = s.strip().split("\\s+");
        if (f.length != 2) return 0;
        try {
            long n = Long.parseLong(f[0]);
            return switch (f[1].toUpperCase(Locale.ROOT)) {
                case "MB" -> n;
                case "GB" -> n * 1024;
                default -> 0;
            };
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The GPUs of this Mac; empty where there is no system_profiler, it fails, or it takes over 20 s. */
    static List<MacGpu> detect() {
        if (!Files.isExecutable(SYSTEM_PROFILER)) return List.of();
        try {
            Process p = new ProcessBuilder(SYSTEM_PROFILER.toString(), "SPDisplaysDataType")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return parse(text);
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
