package io.motley.cli.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * srun's own terminal while srun --pty's task 0 runs on a terminal of its own on another node: raw and not echoing
 * (the task's terminal there echoes and takes Ctrl-C, as under Slurm), until {@link #close} puts back what it was.
 * stty(1) reads and sets it, on srun's stdin; where that is no terminal nothing changes.
 */
final class RawTerminal implements AutoCloseable {
    private final String saved;
    private final Thread restore;
    private boolean closed;

    private RawTerminal(String saved) {
        this.saved = saved;
        // srun killed meanwhile (not with SIGKILL) leaves its terminal as it found it
        this.restore = new Thread(() -> stty(saved));
        Runtime.getRuntime().addShutdownHook(restore);
    }

    /** srun's terminal's size as stty prints it ("ROWS COLS"); null where srun's stdin is no terminal. */
    static String size() {
        return stty("size");
    }

    /** srun's terminal made raw; null (nothing changed) where srun's stdin is no terminal. */
    static RawTerminal enter() {
        String saved = stty("-g");
        if (saved == null || saved.isEmpty() || stty("raw", "-echo") == null) return null;
        return new RawTerminal(saved);
    }

    /** Puts srun's terminal back as it was (again: nothing). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        stty(saved);
        try {
            Runtime.getRuntime().removeShutdownHook(restore);
        } catch (IllegalStateException e) {
            // srun is ending already: the hook puts the terminal back
        }
    }

    /** What {@code stty ARGS} prints on srun's stdin; null when it fails (no terminal, no stty). */
    private static String stty(String... args) {
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
