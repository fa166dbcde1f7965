package io.motley.cli.command;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a command reads or writes for its caller (a batch script, --export-file, scontrol's
 * write batch_script, sbatch --stage-in's files), always with the caller's own permissions:
 * directly when the command runs in the caller's process (the JVM client), through the caller's
 * client when it runs in the agent, which must never open a path a user named with its own
 * privileges.
 */
public interface CallerFiles {
    byte[] read(Path path) throws IOException;

    /** Creates or truncates the file (mode 0666 less the umask, as open(2) makes it) and writes the bytes. */
    void write(Path path, byte[] bytes) throws IOException;

    /**
     * A tar archive of {@code paths} (files or directories, relative to {@code dir}) made by tar(1)
     * run as the caller: what the caller may read is what travels. IOException when tar cannot be
     * started at all.
     */
    Packed pack(Path dir, List<String> paths, long limit) throws IOException;

    /**
     * What packing gave: {@code missing} names the first path that does not exist (and nothing was
     * packed); otherwise tar's exit {@code status}, what it said on its standard error, and the
     * archive, cut at {@code limit + 1} bytes when it is larger than the limit.
     */
    record Packed(String missing, int status, String error, byte[] tar) {}

    /** The files of the process the command runs in: the caller's own. */
    CallerFiles DIRECT = new CallerFiles() {
        @Override
        public byte[] read(Path path) throws IOException {
            return Files.readAllBytes(path);
        }

        @Override
        public void write(Path path, byte[] bytes) throws IOException {
            Files.write(path, bytes);
        }

        @Override
        public Packed pack(Path dir, List<String> paths, long limit) throws IOException {
            return tar(dir, paths, limit);
        }
    };

    /** tar(1) as found on Debian, macOS and the BSDs. */
    String TAR = Files.isExecutable(Path.of("/usr/bin/tar")) ? "/usr/bin/tar" : "/bin/tar";

    /** Packs with tar(1) in this process, as whoever runs it (the caller, for the JVM client). */
    static Packed tar(Path dir, List<String> paths, long limit) throws IOException {
        for (String p : paths) {
            if (!Files.exists(dir.resolve(p), LinkOption.NOFOLLOW_LINKS)) return new Packed(p, 0, "", new byte[0]);
        }
        List<String> cmd = new ArrayList<>(List.of(TAR, "-cf", "-", "-C", dir.toString(), "--"));
        cmd.addAll(paths);
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                // the exit status says it failed
            }
        });
        try {
            byte[] out = p.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (out.length > limit) p.destroy();
            int rc = p.waitFor();
            drain.join();
            return new Packed(null, out.length > limit ? 0 : rc, err.toString(StandardCharsets.UTF_8), out);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while packing");
        }
    }
}
