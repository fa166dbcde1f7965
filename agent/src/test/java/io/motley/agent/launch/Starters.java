package io.motley.agent.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** motley-start built from native/ for the tests, once per test run (skipped by name where there is no C compiler). */
final class Starters {
    private static Starter built;

    private Starters() {}

    /** A test class whose launchers start their jobs through the built motley-start ({@code @ExtendWith}). */
    static final class Through implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            System.setProperty("motley.starter", built().program());
        }

        @Override
        public void afterAll(ExtensionContext context) {
            System.clearProperty("motley.starter");
        }
    }

    static synchronized Starter built() throws IOException, InterruptedException {
        if (built != null) return built;
        Path dir = Files.createTempDirectory("motley-start-test");
        // the agent runs it for every user's job: like the dist's, it is root's and everyone may run it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = dir.resolve("motley-start");
        Path src = Path.of("..", "native", "motley-start.c").toAbsolutePath().normalize();
        String cc = null;
        for (String c : new String[] {"/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"}) {
            if (Files.isExecutable(Path.of(c))) {
                cc = c;
                break;
            }
        }
        Assumptions.assumeTrue(
                cc != null, "no C compiler on this host (cc, gcc or clang; scripts/setup-test-host installs gcc)");
        Process p = new ProcessBuilder(cc, "-std=c99", "-O2", "-Wall", "-Werror", "-o", out.toString(), src.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("cannot build motley-start: " + log);
        built = Starter.usable(out).orElseThrow(() -> new IOException("the motley-start built does not run: " + out));
        return built;
    }
}
