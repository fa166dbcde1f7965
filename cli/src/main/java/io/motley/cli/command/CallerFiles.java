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
     * run as the caller: what the caller may read is what travels. The archive stays where it was
     * packed (a file of the caller's) and is read in pieces; close the answer to remove it.
     * IOException when tar cannot be started at all.
     */
    Packed pack(Path dir, List<String> paths, long limit) throws IOException;

    /**
     * What packing gave: {@code missing} names the first path that does not exist (and nothing was
     * packed); otherwise tar's exit {@code status}, what it said on its standard error, and the
     * archive, cut at {@code limit + 1} bytes when it is larger than the limit.
     */
    record Packed(String missing, int status, String error, Archive archive) implements AutoCloseable {
        public Packed {
            archive = archive == null ? Archive.of(new byte[0]) : archive;
        }

        @Override
        public void close() {
            archive.close();
        }
    }

    /** A packed archive, read a piece at a time wherever it is kept (a temporary file, the native client). */
    interface Archive extends AutoCloseable {
        long size();

        /** Up to {@code max} bytes from {@code offset} (fewer only at the end). */
        byte[] read(long offset, int max) throws IOException;

        @Override
        void close();

        /** An archive held in memory. */
        static Archive of(byte[] bytes) {
            return new Archive() {
                @Override
                public long size() {
                    return bytes.length;
                }

                @Override
                public byte[] read(long offset, int max) {
                    int from = (int) Math.min(offset, bytes.length);
                    return java.util.Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, (long) from + max));
                }

                @Override
                public void close() {}
            };
        }

        /** The whole archive in memory (a small one: it travels inside the submission). */
        default byte[] readAll() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (all.size() < size()) {
                byte[] b = read(all.size(), 1 << 20);
                if (b.length == 0) throw new java.io.EOFException("the archive ended before its size");
                all.write(b);
            }
            return all.toByteArray();
        }
    }

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

    /**
     * Packs with tar(1) in this process, as whoever runs it (the caller, for the JVM client), into a
     * temporary file of its own (0600), unlinked as soon as it is open so that nothing is left
     * behind however the command ends.
     */
    static Packed tar(Path dir, List<String> paths, long limit) throws IOException {
        for (String p : paths) {
            if (!Files.exists(dir.resolve(p), LinkOption.NOFOLLOW_LINKS)) return new Packed(p, 0, "", null);
        }
        List<String> cmd = new ArrayList<>(List.of(TAR, "-cf", "-", "-C", dir.toString(), "--"));
        cmd.addAll(paths);
        Path file = Files.createTempFile("motley-stage-in-", ".tar");
        java.nio.channels.FileChannel ch;
        try {
            ch = java.nio.channels.FileChannel.open(
                    file, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(file);
        }
        boolean kept = false;
        try {
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
            long written = 0;
            try (java.io.InputStream in = p.getInputStream()) {
                byte[] buf = new byte[1 << 16];
                for (int n; written <= limit && (n = in.read(buf)) > 0; ) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf, 0, (int) Math.min(n, limit + 1 - written));
                    while (b.hasRemaining()) written += ch.write(b, written);
                }
            }
            boolean over = written > limit;
            if (over) p.destroy();
            int rc = p.waitFor();
            drain.join();
            Packed packed = new Packed(null, over ? 0 : rc, err.toString(StandardCharsets.UTF_8), archive(ch, written));
            kept = true;
            return packed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while packing");
        } finally {
            if (!kept) ch.close();
        }
    }

    /** The {@code size} bytes of an archive in an open (unlinked) file of ours, closed with it. */
    private static Archive archive(java.nio.channels.FileChannel ch, long size) {
        return new Archive() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public byte[] read(long offset, int max) throws IOException {
                int n = (int) Math.max(0, Math.min(max, size - offset));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
                while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {}
                return b.array();
            }

            @Override
            public void close() {
                try {
                    ch.close();
                } catch (IOException e) {
                    // the file is unlinked already: nothing is left behind
                }
            }
        };
    }
}
