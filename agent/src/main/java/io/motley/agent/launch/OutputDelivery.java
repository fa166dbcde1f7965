package io.motley.agent.launch;

import io.motley.agent.enforcement.RootCommand;
import io.motley.core.job.Staging;
import io.motley.protocol.Message.Deliver;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.OutputChunk;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submit host's side of a job that ran on a node without its filesystem: writes the chunks of
 * output the controller routes here into the file Slurm would have written ({@code slurm-%j.out}
 * in the submit directory, or the -o/-e file), as the submitting user. The agent never opens that
 * path itself: a small shell started as the user (the way jobs are started) creates the file, checks
 * its size and appends, so the user's own rights decide what may be written where.
 *
 * <p>Each chunk names its offset in the stream, and the answer says how far the stream is written;
 * a chunk sent again (a lost answer, a restarted agent on either side) is written once: bytes the
 * file already holds are skipped. The first chunk of a run's stream (offset 0, never seen here)
 * empties the file, as Slurm truncates an output file when a job starts. What has been written is
 * recorded in this agent's spool ({@code delivered/}) until the stream's last chunk is written.
 */
public final class OutputDelivery {
    private static final Logger log = LoggerFactory.getLogger(OutputDelivery.class);

    /**
     * Runs as the user: $1 the file, $2 the chunk's offset, $3 1 for a fresh stream, $4 the tar to
     * unpack the file with into its directory once written (the last chunk of a stage-out archive),
     * else empty; the chunk on stdin. Prints the file's size and exits 4 when the file holds less
     * than the offset (the sender resends from there); exits 3 when it cannot write or unpack, with
     * the system's words on stderr. An unpacked archive is removed; it is sent again from its start
     * if the answer was lost, and unpacking it twice gives the same files.
     */
    static final String WRITE = """
            if [ "$3" = 1 ] || [ ! -e "$1" ]; then : >"$1" || exit 3; fi
            size=$(/usr/bin/wc -c <"$1") || exit 3
            size=$((size + 0))
            if [ "$size" -lt "$2" ]; then echo "$size"; exit 4; fi
            /usr/bin/tail -c +$((size - $2 + 1)) >>"$1" || exit 3
            if [ -n "$4" ]; then
              "$4" -xf "$1" -C "${1%/*}/" || exit 3
              /bin/rm -f "$1"
            fi
            """;

    /** How sh starts its complaints ("motley-deliver: 1: "): dropped, the file is named already. */
    private static final java.util.regex.Pattern SHELL_PREFIX =
            java.util.regex.Pattern.compile("(?m)^motley-deliver: (line )?\\d+: ");

    private final Path records;
    private final boolean agentIsRoot;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** {@code records}: a directory of the agent's own (created 0700) for what has been written. */
    public OutputDelivery(Path records, boolean agentIsRoot) throws IOException {
        this.records = records;
        this.agentIsRoot = agentIsRoot;
        try {
            Files.createDirectory(
                    records, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS)) throw e;
        }
    }

    /** Writes a routed chunk and says how far its stream is written now, or why it could not write. */
    public Delivered deliver(Deliver d) {
        OutputChunk c = d.chunk();
        String key = "job" + c.id() + "." + c.run() + "." + c.stream();
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Path record = records.resolve(key);
            boolean fresh = c.offset() == 0 && !Files.exists(record);
            JobIdentity who;
            try {
                who = JobIdentity.of(c.id(), d.uid(), d.gid(), d.user(), agentIsRoot);
            } catch (IOException e) {
                return refused(d, e.getMessage());
            }
            List<String> cmd = new ArrayList<>(who.prefix);
            cmd.addAll(List.of(
                    "/bin/sh",
                    "-c",
                    WRITE,
                    "motley-deliver",
                    d.path(),
                    Long.toString(c.offset()),
                    fresh ? "1" : "0",
                    c.last() && c.stream().equals(Staging.STREAM) ? StagedFiles.TAR : ""));
            try {
                Process p = RootCommand.of(cmd)
                        .redirectError(ProcessBuilder.Redirect.PIPE)
                        .start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(c.data());
                } catch (IOException e) {
                    // the shell stopped reading: its exit status and words say why
                }
                String out = new String(p.getInputStream().readNBytes(200), StandardCharsets.UTF_8).trim();
                String err = new String(p.getErrorStream().readNBytes(2000), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return refused(d, "writing the file did not finish within 60 s");
                }
                int rc = p.exitValue();
                if (rc == 4) {
                    long size = parseSize(out);
                    log.info(
                            "output file shorter than the chunk's offset; asking for the stream from its end job={}"
                                    + " stream={} file={} size={} offset={}",
                            c.id(),
                            c.stream(),
                            d.path(),
                            size,
                            c.offset());
                    return new Delivered(c.id(), c.run(), c.stream(), size, null);
                }
                if (rc != 0)
                    return refused(
                            d,
                            err.isEmpty()
                                    ? "exit status " + rc
                                    : SHELL_PREFIX.matcher(err).replaceAll("").replace('\n', ' '));
                long written = c.offset() + c.data().length;
                if (c.last()) {
                    Files.deleteIfExists(record);
                    locks.remove(key);
                } else {
                    Files.writeString(record, Long.toString(written));
                }
                return new Delivered(c.id(), c.run(), c.stream(), written, null);
            } catch (IOException e) {
                return refused(d, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return refused(d, "interrupted");
            }
        }
    }

    private static long parseSize(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Delivered refused(Deliver d, String why) {
        OutputChunk c = d.chunk();
        String error = "cannot write " + d.path() + " as " + d.user() + ": " + why;
        log.warn("job output not written job={} run={} stream={} error=\"{}\"", c.id(), c.run(), c.stream(), error);
        return new Delivered(c.id(), c.run(), c.stream(), c.offset(), error);
    }
}
