package io.motley.agent.launch;

import io.motley.core.job.Staging;
import io.motley.protocol.Message.Delivered;
import io.motley.protocol.Message.OutputChunk;
import io.motley.protocol.Message.OutputRead;
import io.motley.protocol.Message.Report;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node's side of a job whose submit directory is not on this node: its stdout and
 * stderr go to files in the agent's spool ({@code outbox/job12/out}, {@code err}), and from there, a
 * chunk at a time, to the controller, which routes them to the agent of the submit node. A stream
 * has one chunk on its way at a time; the answer ({@link Delivered}) says how far it is written,
 * and the next chunk starts there. A chunk not answered within {@link #RESEND_MILLIS} goes again,
 * and what has been answered is kept in the outbox ({@code out.acked}), so a lost link, a restarted
 * agent or a submit host that is away sends again from there without doubling anything. The
 * outbox of a run goes once the run has ended and every stream is written to its end.
 *
 * <p>At most {@code capBytes} of a stream travel (the agent's --max-output); the job's end says so when a
 * stream was longer. Pure bookkeeping plus file reads: the caller's clock and a {@link #tick}
 * drive it, so tests run it without threads.
 */
public final class OutputOutbox {
    private static final Logger log = LoggerFactory.getLogger(OutputOutbox.class);

    /** How much one chunk carries: well under a frame's bound, and a few per second keep up with a chatty job. */
    public static final int CHUNK_BYTES = 256 * 1024;
    /** How long an unanswered chunk waits before it goes again. */
    public static final long RESEND_MILLIS = 5_000;
    /**
     * How long a stream waits after its submit host first refused to write (disk full, say); doubled
     * for each refusal in a row, up to {@link #REFUSED_RETRY_MILLIS}, and back to this once a write
     * succeeds, so a disk freed soon is caught up soon and one full for hours is asked twice a minute.
     */
    public static final long REFUSED_RETRY_FIRST_MILLIS = 2_000;
    /** The longest wait after a refusal (and after a chunk that could not be read here). */
    public static final long REFUSED_RETRY_MILLIS = 30_000;
    /** The default --max-output: what one stream of one job may send to its submit host. */
    public static final long DEFAULT_CAP = 1L << 30;

    /** stdout, stderr, and the stage-out archive (which is sent once the run has ended). */
    static final List<String> STREAMS = List.of("out", "err", Staging.STREAM);

    private static final List<String> OUTPUT = List.of("out", "err");

    /** What to do with a chunk: send it on the controller link; false when the link is down. */
    public interface Sender {
        boolean send(Report r);
    }

    private final Path dir;
    private final Sender sender;
    private final LongSupplier clockMillis;
    private volatile long capBytes;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    /** Called with a run's outbox directory once everything in it is delivered, before it goes. */
    private volatile java.util.function.Consumer<Path> onDelivered = d -> {};
    /** Called with a run's name and null once its stage-out archive is written, or the submit host's refusal. */
    private volatile java.util.function.BiConsumer<String, String> onStaged = (r, e) -> {};

    private static final class Stream {
        final long id;
        final int run;
        final String name;
        final Path runDir;
        final Path file;
        long acked;
        long sentAt = -1;
        long waitUntil;
        boolean lastSent;
        boolean done;
        String error;
        /** Refusals in a row since the last write that succeeded (not kept across a restart: it starts again short). */
        int refusals;

        Stream(long id, int run, String name, Path runDir) {
            this.id = id;
            this.run = run;
            this.name = name;
            this.runDir = runDir;
            this.file = runDir.resolve(name);
        }
    }

    public OutputOutbox(Path dir, Sender sender, LongSupplier clockMillis, long capBytes) throws IOException {
        this.dir = dir;
        this.sender = sender;
        this.clockMillis = clockMillis;
        this.capBytes = capBytes;
        try {
            Files.createDirectory(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw e;
        }
        recover();
    }

    public void onDelivered(java.util.function.Consumer<Path> action) {
        this.onDelivered = action;
    }

    public void onStaged(java.util.function.BiConsumer<String, String> action) {
        this.onStaged = action;
    }

    /**
     * Starts shipping a run's stage-out archive: the file {@code stage} in its outbox, complete
     * (written under another name and moved there) and no longer than the cap.
     */
    public void addStage(String runName) throws IOException {
        Path d = dir.resolve(runName);
        String[] w = read(d.resolve("run"))
                .orElseThrow(() -> new IOException("no outbox for " + runName))
                .trim()
                .split(" ");
        streams.putIfAbsent(
                runName + "/" + Staging.STREAM,
                new Stream(Long.parseLong(w[0]), Integer.parseInt(w[1]), Staging.STREAM, d));
    }

    public long capBytes() {
        return capBytes;
    }

    public void capBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("the output cap must be at least 1 byte");
        this.capBytes = bytes;
    }

    /** A run's outbox directory (made by {@link #open}). */
    public Path runDir(String runName) {
        return dir.resolve(runName);
    }

    /**
     * Makes the outbox of a run, with an empty file per stream (the agent's own, 0600), and starts
     * shipping them. {@code withErr}: the job has a stderr file of its own (-e).
     */
    public Path open(long id, int run, String runName, boolean withErr) throws IOException {
        Path d = dir.resolve(runName);
        try {
            Files.createDirectory(
                    d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) throw e;
        }
        Files.writeString(d.resolve("run"), id + " " + run + "\n");
        for (String s : withErr ? OUTPUT : List.of("out")) {
            Path f = d.resolve(s);
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS))
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            streams.putIfAbsent(runName + "/" + s, new Stream(id, run, s, d));
        }
        return d;
    }

    /** The run has ended: its streams are complete once delivered to their current ends. */
    public void ended(String runName) {
        Path d = dir.resolve(runName);
        try {
            if (Files.isDirectory(d)) Files.writeString(d.resolve("ended"), "");
        } catch (IOException e) {
            log.warn("cannot mark the job's output complete run={} error={}", runName, e.getMessage());
        }
    }

    /** Whether a stream of the run is longer than the cap (its end is cut). */
    public Optional<String> overCap(String runName) {
        for (String s : OUTPUT) {
            Path f = dir.resolve(runName).resolve(s);
            try {
                if (Files.exists(f) && Files.size(f) > capBytes) {
                    return Optional.of("Output over --max-output: only the first " + capBytes + " bytes of std" + s
                            + " reach the submit host");
                }
            } catch (IOException e) {
                // unreadable: the shipping says so
            }
        }
        return Optional.empty();
    }

    /** Picks up the outboxes an earlier agent process left. */
    private void recover() throws IOException {
        try (var dirs = Files.list(dir)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                Optional<String> run = read(d.resolve("run"));
                if (run.isEmpty()) continue;
                String[] w = run.get().trim().split(" ");
                long id = Long.parseLong(w[0]);
                int r = Integer.parseInt(w[1]);
                for (String s : STREAMS) {
                    if (!Files.exists(d.resolve(s))) continue;
                    Stream st = new Stream(id, r, s, d);
                    st.acked = read(d.resolve(s + ".acked"))
                            .map(t -> Long.parseLong(t.trim()))
                            .orElse(0L);
                    streams.put(d.getFileName() + "/" + s, st);
                    log.info("job output still to deliver job={} run={} stream={} from={}", id, r, s, st.acked);
                }
            }
        }
    }

    /** Sends what is due: a first chunk, the next after an answer, or one again after its wait. */
    public void tick() {
        long now = clockMillis.getAsLong();
        for (Stream s : streams.values()) {
            synchronized (s) {
                if (s.done || now < s.waitUntil) continue;
                if (s.sentAt >= 0 && now - s.sentAt < RESEND_MILLIS) continue;
                send(s, now);
            }
        }
        finishRuns();
    }

    private void send(Stream s, long now) {
        boolean ended = Files.exists(s.runDir.resolve("ended"));
        long size;
        try {
            size = Math.min(Files.size(s.file), capBytes);
        } catch (IOException e) {
            log.error("job output unreadable in the outbox job={} stream={} error={}", s.id, s.name, e.toString());
            s.waitUntil = now + REFUSED_RETRY_MILLIS;
            return;
        }
        if (s.acked >= size && (!ended || s.lastSent && s.sentAt < 0 && s.acked == size)) {
            if (ended && s.lastSent) {
                s.done = true;
                if (s.name.equals(Staging.STREAM))
                    onStaged.accept(s.runDir.getFileName().toString(), null);
            }
            return;
        }
        int n = (int) Math.min(CHUNK_BYTES, Math.max(0, size - s.acked));
        byte[] data = new byte[n];
        try (FileChannel ch = FileChannel.open(s.file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                if (ch.read(b, s.acked + b.position()) < 0) break;
            }
        } catch (IOException e) {
            log.error("job output unreadable in the outbox job={} stream={} error={}", s.id, s.name, e.toString());
            s.waitUntil = now + REFUSED_RETRY_MILLIS;
            return;
        }
        boolean last = ended && s.acked + n == size;
        // marked before sending: an answer may arrive before send returns
        s.sentAt = now;
        s.lastSent = last;
        if (!sender.send(new OutputChunk(s.id, s.run, s.name, s.acked, data, last))) {
            s.lastSent = false; // not connected: again after the resend wait
        }
    }

    /** The submit host's answer, routed back by the controller. */
    public void delivered(Delivered d) {
        Stream s = find(d.id(), d.run(), d.stream());
        if (s == null) return;
        long now = clockMillis.getAsLong();
        synchronized (s) {
            long size;
            try {
                size = Files.size(s.file);
            } catch (IOException e) {
                size = s.acked;
            }
            if (d.error() != null) {
                if (!d.error().equals(s.error))
                    log.warn(
                            "job output refused by the submit host; kept here, trying again job={} stream={} error=\"{}\"",
                            s.id,
                            s.name,
                            d.error());
                s.error = d.error();
                if (s.name.equals(Staging.STREAM))
                    onStaged.accept(s.runDir.getFileName().toString(), d.error());
                s.sentAt = -1;
                s.lastSent = false;
                s.waitUntil = now + refusedWait(s.refusals++);
                return;
            }
            if (s.error != null) log.info("job output accepted again job={} stream={}", s.id, s.name);
            s.error = null;
            s.refusals = 0;
            long at = Math.min(d.offset(), size);
            boolean wasLast = s.lastSent && s.sentAt >= 0 && at == Math.min(size, capBytes);
            s.acked = at;
            s.sentAt = -1;
            s.waitUntil = 0;
            if (wasLast) {
                s.done = true;
                if (s.name.equals(Staging.STREAM))
                    onStaged.accept(s.runDir.getFileName().toString(), null);
            } else {
                s.lastSent = false;
            }
            try {
                Files.writeString(s.runDir.resolve(s.name + ".acked"), Long.toString(at), StandardCharsets.UTF_8);
            } catch (IOException e) {
                log.warn("cannot record delivered output job={} stream={} error={}", s.id, s.name, e.getMessage());
            }
        }
        if (s.done) finishRuns();
        else tick();
    }

    /** The wait after the {@code refused}+1-th refusal in a row: 2 s, 4 s, 8 s, 16 s, then 30 s. */
    static long refusedWait(int refused) {
        return Math.min(REFUSED_RETRY_MILLIS, REFUSED_RETRY_FIRST_MILLIS << Math.min(refused, 16));
    }

    /** The trouble the latest answer named for a run's stream, if any (for logs and motley logs). */
    public Optional<String> trouble(long id, int run) {
        for (String n : STREAMS) {
            Stream s = find(id, run, n);
            if (s != null && s.error != null) return Optional.of(s.error);
        }
        return Optional.empty();
    }

    private Stream find(long id, int run, String stream) {
        for (Stream s : streams.values()) {
            if (s.id == id && s.run == run && s.name.equals(stream)) return s;
        }
        return null;
    }

    /** Removes the outbox of every run whose streams are all delivered to their ends. */
    private synchronized void finishRuns() {
        List<Path> dirs = new ArrayList<>();
        for (Stream s : streams.values()) if (!dirs.contains(s.runDir)) dirs.add(s.runDir);
        for (Path d : dirs) {
            String name = d.getFileName().toString();
            List<String> keys = STREAMS.stream()
                    .map(n -> name + "/" + n)
                    .filter(streams::containsKey)
                    .toList();
            if (keys.isEmpty() || !keys.stream().allMatch(k -> streams.get(k).done)) continue;
            keys.forEach(streams::remove);
            log.info("job output delivered run={}", name);
            onDelivered.accept(d);
            try (var walk = Files.walk(d)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                log.warn("cannot remove a delivered outbox dir={} error={}", d, e.getMessage());
            }
        }
    }

    /** motley logs: up to {@code max} bytes of a run's stream from {@code offset}, while the outbox holds it. */
    public OutputRead read(long tag, String runName, String stream, long offset, int max) {
        Path d = dir.resolve(runName);
        Path f = d.resolve(stream);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
            return new OutputRead(tag, false, offset, new byte[0], false);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            long from = Math.min(offset, size);
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(max, size - from));
            while (b.hasRemaining()) {
                if (ch.read(b, from + b.position()) < 0) break;
            }
            byte[] data = java.util.Arrays.copyOf(b.array(), b.position());
            boolean complete = Files.exists(d.resolve("ended")) && from + data.length >= size;
            return new OutputRead(tag, true, from, data, complete);
        } catch (IOException e) {
            // gone while reading: delivered just now
            return new OutputRead(tag, false, offset, new byte[0], false);
        }
    }

    /** Streams still to deliver (for tests and the log). */
    public int pending() {
        return (int) streams.values().stream().filter(s -> !s.done).count();
    }

    private static Optional<String> read(Path f) {
        try {
            return Optional.of(Files.readString(f));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
