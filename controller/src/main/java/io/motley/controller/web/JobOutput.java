package io.motley.controller.web;

import io.motley.controller.cluster.Caller;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.OutputPattern;
import io.motley.protocol.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * A job's output for the dashboard's live tail, from an offset, for its owner or root only: from
 * the outbox of the node that ran it while it waits there (as {@code motley logs} reads it), else
 * from its file where the controller's host sees it (the submit host, or a shared filesystem),
 * read as the job's user so that the controller never opens a path the user controls as root.
 */
public final class JobOutput {
    /** The most bytes one read returns. */
    public static final int MAX_CHUNK = 64 * 1024;

    /** The controller's motley logs: a {@link Message.LogText} or a {@link Message.Failure}. */
    @FunctionalInterface
    public interface Logs {
        Message.Answer read(long id, String stream, long offset, int max, Caller caller);
    }

    /** Reads up to {@code max} bytes of {@code file} from {@code offset} as the user uid:gid; empty when there is no such file. */
    @FunctionalInterface
    public interface FileReader {
        Optional<byte[]> read(Path file, int uid, int gid, long offset, int max) throws IOException;
    }

    /** Why a read is refused: the HTTP status and the message. */
    public static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * What was read: {@code data} from {@code offset}; {@code complete} when the job has ended and
     * nothing follows; {@code source} "node" (its outbox), "file" or "none" (nothing to read yet,
     * {@code note} says why).
     */
    public record Chunk(long offset, byte[] data, boolean complete, JobState state, String source, String note) {}

    /**
     * A job's stdout and stderr files as the agent names them: Slurm's patterns expanded by {@link
     * OutputPattern}, the agent's own expansion, with %N the node the batch script runs on (kept as
     * %N while the job waits for one, as scontrol show job prints it).
     */
    public record Paths(String stdout, String stderr) {
        public static Paths of(Job job) {
            String node = job.node() == null ? "%N" : job.node();
            return new Paths(OutputPattern.stdout(job, node), OutputPattern.stderr(job, node));
        }

        /** The file of {@code stream}, "out" or "err". */
        public String of(String stream) {
            return stream.equals("err") ? stderr : stdout;
        }

        /** Whether stderr goes into the stdout file (no -e, or -e naming the same file). */
        public boolean stderrWithStdout() {
            return stderr.equals(stdout);
        }
    }

    private final LongFunction<Optional<Job>> jobs;
    private final Logs logs;
    private final FileReader files;

    public JobOutput(LongFunction<Optional<Job>> jobs, Logs logs, FileReader files) {
        this.jobs = jobs;
        this.logs = logs;
        this.files = files;
    }

    /** Up to {@code max} bytes of job {@code id}'s {@code stream} ("out" or "err") from {@code offset}, for {@code caller}. */
    public Chunk read(long id, String stream, long offset, int max, Caller caller) throws Refused, IOException {
        if (!stream.equals("out") && !stream.equals("err")) throw new Refused(400, "stream is out or err");
        if (offset < 0) throw new Refused(400, "offset is 0 or more");
        Job job = jobs.apply(id).orElseThrow(() -> new Refused(404, "Invalid job id specified"));
        if (!caller.isRoot() && caller.uid() != job.uid())
            throw new Refused(403, "Access/permission denied: only the job's owner or root reads its output");
        int bound = Math.max(1, Math.min(max, MAX_CHUNK));
        Message.Answer answer = logs.read(id, stream, offset, bound, caller);
        if (answer instanceof Message.Failure f)
            return new Chunk(offset, new byte[0], false, job.state(), "none", f.message());
        if (!(answer instanceof Message.LogText t))
            throw new IllegalStateException(
                    "motley logs answered " + answer.getClass().getSimpleName());
        if (t.node() != null) return new Chunk(t.offset(), t.data(), t.complete(), t.state(), "node", null);
        if (t.state() == JobState.PENDING)
            return new Chunk(offset, new byte[0], false, t.state(), "none", "the job has not started");
        // the file the agent wrote, named here as the page names it (not the path motley logs echoes)
        Path file = Path.of(Paths.of(job).of(stream));
        if (!file.isAbsolute()) file = Path.of(job.request().workDir()).resolve(file);
        Optional<byte[]> data = files.read(file, job.uid(), job.gid(), offset, bound);
        boolean ended = t.state().isTerminal();
        if (data.isEmpty())
            return new Chunk(
                    offset,
                    new byte[0],
                    ended,
                    t.state(),
                    "none",
                    "no file " + file + " on the controller's host (it is on the submit host " + t.submitNode() + ")");
        byte[] d = data.get();
        return new Chunk(offset, d, ended && d.length < bound, t.state(), "file", null);
    }

    /**
     * Reads files as their job's user: directly when the controller already runs as that user,
     * through setpriv(1) and dd(1) (absolute paths, no environment) when it runs as root, and not
     * at all otherwise.
     */
    public static FileReader asUser() {
        return (file, uid, gid, offset, max) -> {
            int self = selfUid();
            if (self == uid) return readDirect(file, offset, max);
            if (self != 0)
                throw new IOException(
                        "the controller runs as uid " + self + " and cannot read uid " + uid + "'s files");
            Path setpriv = firstOf("/usr/bin/setpriv", "/bin/setpriv");
            Path dd = firstOf("/usr/bin/dd", "/bin/dd");
            List<String> cmd = new ArrayList<>(List.of(
                    setpriv.toString(),
                    "--reuid=" + uid,
                    "--regid=" + gid,
                    "--clear-groups",
                    "--",
                    dd.toString(),
                    "if=" + file,
                    "iflag=skip_bytes,count_bytes",
                    "skip=" + offset,
                    "count=" + max,
                    "status=none"));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(new java.io.File("/"));
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
            pb.environment().put("LC_ALL", "C");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            byte[] out;
            byte[] err;
            try (InputStream o = p.getInputStream();
                    InputStream e = p.getErrorStream()) {
                out = o.readNBytes(max);
                err = e.readNBytes(4096);
            }
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("reading " + file + " took over 10 s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            if (p.exitValue() != 0) {
                String why = new String(err, java.nio.charset.StandardCharsets.UTF_8).strip();
                if (why.contains("No such file")) return Optional.empty();
                throw new IOException("cannot read " + file + " as uid " + uid + ": " + why);
            }
            return Optional.of(out);
        };
    }

    private static Optional<byte[]> readDirect(Path file, long offset, int max) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        try (var ch = Files.newByteChannel(file)) {
            ch.position(offset);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(Math.min(max, 8192));
            while (out.size() < max) {
                buf.clear().limit(Math.min(buf.capacity(), max - out.size()));
                int n = ch.read(buf);
                if (n <= 0) break;
                out.write(buf.array(), 0, n);
            }
            return Optional.of(out.toByteArray());
        }
    }

    private static int selfUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static Path firstOf(String... paths) throws IOException {
        for (String p : paths) if (Files.isExecutable(Path.of(p))) return Path.of(p);
        throw new IOException("none of " + String.join(", ", paths) + " is installed");
    }
}
