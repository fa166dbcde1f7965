package io.motley.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * macOS's hardware facts through sysctl(8), for when OSHI (which reads the same names through
 * JNA) cannot load: the CPU counts, packages, memory, CPU model and vendor, the OS release and the
 * boot time. Parsing is separate from running the tool so that it is tested on examples.
 */
final class Sysctl {
    /** The names asked for; an unknown one (machdep.cpu.vendor on Apple silicon) is only left out. */
    static final List<String> NAMES = List.of(
            "hw.ncpu",
            "hw.logicalcpu",
            "hw.physicalcpu",
            "hw.packages",
            "hw.memsize",
            "machdep.cpu.brand_string",
            "machdep.cpu.vendor",
            "kern.osproductversion",
            "kern.boottime");

    private static final Path SYSCTL = Path.of("/usr/sbin/sysctl");
    private static final Pattern BOOT_SECONDS = Pattern.compile("\\{\\s*sec\\s*=\\s*(\\d+)");

    private Sysctl() {}

    /** {@code name: value} lines (sysctl without -n) into a map; other lines are skipped. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            int colon = line.indexOf(": ");
            if (colon <= 0) continue;
            String name = line.substring(0, colon).strip();
            if (name.contains(" ")) continue;
            out.put(name, line.substring(colon + 2).strip());
        }
        return out;
    }

    /**
     * The values as OSHI would give them. Apple silicon has no machdep.cpu.vendor; its brand
     * ("Apple M1 Pro") names the vendor, as OSHI's "Apple Inc." does.
     */
    static OshiProbe.Facts facts(Map<String, String> v) {
        int logical = (int) number(v.getOrDefault("hw.logicalcpu", v.get("hw.ncpu")));
        String model = v.getOrDefault("machdep.cpu.brand_string", "");
        String vendor = v.getOrDefault("machdep.cpu.vendor", model.startsWith("Apple") ? "Apple Inc." : "");
        long boot = 0;
        Matcher m = BOOT_SECONDS.matcher(v.getOrDefault("kern.boottime", ""));
        if (m.find()) boot = Long.parseLong(m.group(1));
        return new OshiProbe.Facts(
                Math.max(0, logical),
                (int) Math.max(0, number(v.get("hw.physicalcpu"))),
                (int) Math.max(0, number(v.get("hw.packages"))),
                Math.max(0, number(v.get("hw.memsize"))),
                vendor,
                model,
                "",
                "macOS",
                v.getOrDefault("kern.osproductversion", ""),
                boot);
    }

    /** Runs /usr/sbin/sysctl for {@link #NAMES}; empty where there is none or it prints nothing usable. */
    static Optional<OshiProbe.Facts> read() {
        if (!Files.isExecutable(SYSCTL)) return Optional.empty();
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of(SYSCTL.toString()));
            cmd.addAll(NAMES);
            // an unknown name makes sysctl complain on stderr and exit non-zero after printing the rest
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            OshiProbe.Facts f = facts(parse(text));
            return f.logicalCpus() > 0 && f.memBytes() > 0 ? Optional.of(f) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static long number(String s) {
        if (s == null) return -1;
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
