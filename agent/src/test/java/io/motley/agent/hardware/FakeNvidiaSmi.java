package io.motley.agent.hardware;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Collectors;

/** Installs the fake nvidia-smi from the test resources into a directory, optionally behind a wrapper that sets its variables. */
final class FakeNvidiaSmi {
    private FakeNvidiaSmi() {}

    /** The fake itself, executable, at {@code dir/fake-nvidia-smi}. */
    static Path install(Path dir) throws IOException {
        Path fake = dir.resolve("fake-nvidia-smi");
        if (!Files.exists(fake)) {
            try (InputStream in = FakeNvidiaSmi.class.getResourceAsStream("/fake-nvidia-smi")) {
                if (in == null) throw new IOException("fake-nvidia-smi is missing from the test resources");
                Files.copy(in, fake, StandardCopyOption.REPLACE_EXISTING);
            }
            fake.toFile().setExecutable(true);
        }
        return fake;
    }

    /** A script named {@code name} that runs the fake with these FAKE_GPU_* variables set. */
    static Path withEnv(Path dir, String name, Map<String, String> env) throws IOException {
        Path fake = install(dir);
        String exports = env.entrySet().stream()
                .map(e -> e.getKey() + "='" + e.getValue().replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Path wrapper = dir.resolve(name);
        Files.writeString(wrapper, "#!/bin/sh\n" + exports + " exec '" + fake + "' \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        return wrapper;
    }
}
