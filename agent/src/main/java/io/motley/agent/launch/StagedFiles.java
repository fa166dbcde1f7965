package io.motley.agent.launch;

import io.motley.agent.enforcement.RootCommand;
import io.motley.core.job.Staging;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node's side of sbatch --stage-in and --stage-out (docs/files.md). Both run tar(1) as the
 * job's user, in the job's own directory: the agent hands the stage-in archive to tar's stdin and
 * takes the stage-out archive from tar's stdout into its own outbox, so it never opens a path in
 * the job's directory itself.
 */
final class StagedFiles {
    static final String TAR = JobIdentity.find("tar").orElse("/bin/tar");

    /**
     * Runs as the user: $1 the job's directory, then the patterns. Each pattern is expanded by the
     * shell as a file name pattern (IFS empty: no splitting, nothing else expanded); what exists is
     * packed, a pattern that matches nothing is skipped.
     */
    static final String PACK = """
            cd "$1" || exit 3
            shift
            IFS=
            for p in "$@"; do
              for f in $p; do
                if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\\0' "$f"; fi
              done
            done | "$MOTLEY_TAR" --null -T - -cf -
            """;

    private StagedFiles() {}

    /** Unpacks a stage-in archive into {@code dir} as the user ({@code asUser}: the words that become them). */
    static void unpack(byte[] archive, Path dir, List<String> asUser) throws IOException {
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of(TAR, "-xf", "-", "-C", dir.toString()));
        Process p = RootCommand.of(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = run(p, archive);
        if (p.exitValue() != 0)
            throw new IOException("cannot unpack the --stage-in files in " + dir + ": "
                    + (err.isEmpty() ? "tar exited with status " + p.exitValue() : err));
    }

    /**
     * Unpacks a chunked stage-in archive into {@code dir} as the user, reading it from {@code source}
     * (the controller) a chunk at a time straight into tar's standard input; the bytes read must be
     * those announced, by size and SHA-256, else the launch fails.
     */
    static void unpack(
            JobLauncher.StageInSource source, long jobId, Staging.Manifest manifest, Path dir, List<String> asUser)
            throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of(TAR, "-xf", "-", "-C", dir.toString()));
        Process p = RootCommand.of(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err, 4000));
        long offset = 0;
        IOException trouble = null;
        boolean tarStopped = false;
        try (OutputStream in = p.getOutputStream()) {
            while (offset < manifest.size()) {
                JobLauncher.StageInSource.Piece piece = source.read(jobId, offset, Staging.CHUNK_BYTES);
                if (piece.size() != manifest.size())
                    throw new IOException("the controller holds " + piece.size() + " bytes of stage-in files, not the "
                            + manifest.size() + " announced");
                if (piece.data().length == 0) throw new IOException("the stage-in files ended early");
                digest.update(piece.data());
                offset += piece.data().length;
                if (!tarStopped) {
                    try {
                        in.write(piece.data());
                    } catch (IOException e) {
                        // tar stopped reading (a bad archive): its status and words say why
                        tarStopped = true;
                    }
                }
            }
        } catch (IOException e) {
            trouble = e;
        }
        if (trouble != null) p.destroyForcibly();
        awaitExit(p, drain);
        if (trouble != null)
            throw new IOException(
                    "cannot read the --stage-in files from the controller: " + trouble.getMessage(), trouble);
        if (!java.util.HexFormat.of().formatHex(digest.digest()).equals(manifest.sha256()))
            throw new IOException("the --stage-in files read from the controller differ from those sent (SHA-256)");
        String said = err.toString(StandardCharsets.UTF_8).strip().replace('\n', ' ');
        if (p.exitValue() != 0)
            throw new IOException("cannot unpack the --stage-in files in " + dir + ": "
                    + (said.isEmpty() ? "tar exited with status " + p.exitValue() : said));
    }

    /**
     * Packs what the patterns match in {@code dir}, as the user, into {@code into} (the agent's own
     * file, 0600, made under another name and moved there once complete). Empty when done, else why
     * not: tar's complaint, or an archive over {@code capBytes}, which is then not kept.
     */
    static Optional<String> pack(Path dir, List<String> patterns, List<String> asUser, Path into, long capBytes)
            throws IOException {
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of("/usr/bin/env", "MOTLEY_TAR=" + TAR, "/bin/sh", "-c", PACK, "motley-stage-out"));
        cmd.add(dir.toString());
        cmd.addAll(patterns);
        Path part = into.resolveSibling(into.getFileName() + ".part");
        Files.deleteIfExists(part);
        Process p = RootCommand.of(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err, 4000));
        long written = 0;
        boolean over = false;
        try (InputStream in = p.getInputStream();
                OutputStream out = Files.newOutputStream(
                        part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-------"));
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                written += n;
                if (written > capBytes) {
                    over = true;
                    p.destroyForcibly();
                    break;
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            p.destroyForcibly();
            Files.deleteIfExists(part);
            throw e;
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
            drain.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (over) {
            Files.deleteIfExists(part);
            return Optional.of("Stage-out over MaxOutputSize: the files come to more than " + capBytes
                    + " bytes packed; they stay in the job's directory until it is removed");
        }
        if (p.isAlive() || p.exitValue() != 0) {
            Files.deleteIfExists(part);
            String why = err.toString(StandardCharsets.UTF_8).strip().replace('\n', ' ');
            return Optional.of(
                    "Stage-out failed: " + (why.isEmpty() ? "tar exited with status " + p.exitValue() : why));
        }
        Files.move(part, into, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return Optional.empty();
    }

    /** Feeds {@code input} to the process and returns what it said on stderr once it has exited. */
    private static String run(Process p, byte[] input) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err, 4000));
        try (OutputStream in = p.getOutputStream()) {
            in.write(input);
        } catch (IOException e) {
            // tar stopped reading: its status and words say why
        }
        awaitExit(p, drain);
        return err.toString(StandardCharsets.UTF_8).strip().replace('\n', ' ');
    }

    /** Waits for tar to exit (killed after 10 minutes) and for {@code drain} to have read its stderr. */
    private static void awaitExit(Process p, Thread drain) throws IOException {
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                p.waitFor();
            }
            drain.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream to, int max) {
        try {
            byte[] b = in.readNBytes(max);
            to.write(b, 0, b.length);
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the caller goes by the exit status
        }
    }
}
