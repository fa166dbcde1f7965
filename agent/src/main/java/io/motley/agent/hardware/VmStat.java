package io.motley.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Free memory on macOS through vm_stat(1). The JDK's free memory there is only the kernel's free
 * page count, which macOS keeps near zero by caching: a Mac with gigabytes to give would report a
 * few hundred MiB. Memory a job can have is the free pages plus the speculative and inactive ones
 * (OSHI's "available": free_count + inactive_count, vm_stat prints free_count less speculative).
 */
final class VmStat {
    private static final Path VM_STAT = Path.of("/usr/bin/vm_stat");
    private static final Pattern PAGE_SIZE = Pattern.compile("page size of (\\d+) bytes");

    private VmStat() {}

    /** Available bytes from vm_stat's text; empty when the page size or the free count is missing. */
    static OptionalLong availableBytes(String text) {
        Matcher m = PAGE_SIZE.matcher(text);
        if (!m.find()) return OptionalLong.empty();
        long page = Long.parseLong(m.group(1));
        long free = -1;
        long speculative = 0;
        long inactive = 0;
        for (String line : text.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip().replaceAll("\\.$", "");
            if (!value.matches("\\d+")) continue;
            long pages = Long.parseLong(value);
            switch (name) {
                case "Pages free" -> free = pages;
                case "Pages speculative" -> speculative = pages;
                case "Pages inactive" -> inactive = pages;
                default -> {}
            }
        }
        if (free < 0) return OptionalLong.empty();
        return OptionalLong.of((free + speculative + inactive) * page);
    }

    /** Runs /usr/bin/vm_stat; empty where there is none or it fails. */
    static OptionalLong read() {
        if (!Files.isExecutable(VM_STAT)) return OptionalLong.empty();
        try {
            Process p = new ProcessBuilder(VM_STAT.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return OptionalLong.empty();
            }
            return p.exitValue() == 0 ? availableBytes(text) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }
}
