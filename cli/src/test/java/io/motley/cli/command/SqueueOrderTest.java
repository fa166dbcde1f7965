package io.motley.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.motley.cli.command.Fixtures.FakeCluster;
import io.motley.cli.command.Fixtures.Result;
import io.motley.cli.format.Column;
import io.motley.cli.format.FormatString;
import io.motley.core.job.ArrayPart;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.ExitStatus;
import io.motley.core.job.FreeText;
import io.motley.core.job.Job;
import io.motley.core.job.JobState;
import io.motley.core.job.PendingReason;
import io.motley.core.time.Durations;
import io.motley.protocol.Frame;
import io.motley.protocol.Message;
import io.motley.protocol.Message.QueueRow;
import io.motley.protocol.Messages;
import io.motley.protocol.Ops;
import io.motley.protocol.QueueSelection;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * squeue's lines now that the controller orders the rows and the command prints them from
 * columns, against the way squeue made them before (every row an object, sorted by the command,
 * each field a string): the same bytes for random queues, every format code and each ordering.
 */
class SqueueOrderTest {
    private static final long NOW = Fixtures.at("2026-11-22T12:39:16");

    // %o is no column of the queue's answer (squeue asks for the jobs' records for it): SqueueTest has it
    private static final List<List<String>> OPTIONS = List.of(
            List.of(),
            List.of("-l"),
            List.of("--start"),
            List.of("-r"),
            List.of("-t", "all"),
            List.of("-t", "all", "-r", "-o", "%i %A %P %j %u %U %g %G %T %t %M %l %L %D %R %N %B %r %C %c %m %V"),
            List.of("-t", "all", "-o", "%.5i|%8P|%3u|%.2j|%S|%e|%Z|%a|%k|%Q|%q|%y|%E|%Y|%x|%.20R|%10M"),
            List.of("--start", "-o", "%i %S %Y %R"),
            List.of("-u", "alice", "-p", "batch"));

    private static final String[] USERS = {"root", "alice", "bob"};
    /** The users of the host squeue runs on: those of the queue, whether they have jobs or not. */
    private static final java.util.function.Predicate<String> HOST_USERS = Set.of(USERS)::contains;

    private static final String[] PARTITIONS = {"debug", "batch", "gpu,batch"};
    private static final String[] NAMES = {"a", "longer-name", "tab\there", "ünï"};

    /** A queue of {@code n} jobs in no order, with ties of priority, held jobs, arrays and reservations. */
    private static FakeCluster queue(Random rnd, int n) {
        FakeCluster c = new FakeCluster();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(1000L + i * (1 + rnd.nextInt(3)));
        Collections.shuffle(ids, rnd);
        for (long id : ids) {
            int u = rnd.nextInt(USERS.length);
            Fixtures.JobBuilder b = Fixtures.job(id, NAMES[rnd.nextInt(NAMES.length)])
                    .user(USERS[u], 1000 + u)
                    .partition(PARTITIONS[rnd.nextInt(PARTITIONS.length)])
                    .priority(rnd.nextInt(4) * 1000L + (rnd.nextBoolean() ? 4294900000L : 0))
                    .submitted(NOW - rnd.nextInt(100_000));
            if (rnd.nextInt(3) == 0) b.limit(60L * rnd.nextInt(3000));
            if (rnd.nextInt(4) == 0) b.account("physics");
            int kind = rnd.nextInt(6);
            switch (kind) {
                case 0, 1 -> b.pending(rnd.nextBoolean() ? PendingReason.Priority : PendingReason.Resources);
                case 2 -> b.held();
                case 3 -> b.running("n" + rnd.nextInt(3), NOW - rnd.nextInt(200_000), 1000);
                case 4 ->
                    b.running("n1", NOW - 5000, 1000)
                            .ended(JobState.FAILED, new ExitStatus(1, 0), NOW - rnd.nextInt(4000))
                            .desc(rnd.nextBoolean() ? "launch failed" : null);
                default -> b.pending(PendingReason.Dependency);
            }
            Job j = b.build();
            if (rnd.nextInt(5) == 0)
                j = j.withArray(
                        rnd.nextBoolean() && j.state() == JobState.PENDING
                                ? new ArrayPart(id, -1, "1-" + (2 + rnd.nextInt(3)))
                                : new ArrayPart(id - 1, rnd.nextInt(9), ""));
            c.jobs(j);
            if (j.state() == JobState.PENDING && rnd.nextInt(3) == 0)
                c.expect(id, NOW + rnd.nextInt(5000), "n" + rnd.nextInt(3));
        }
        return c;
    }

    @Test
    void linesAreThoseOfTheCommandThatSortedThemItself() throws Exception {
        Random rnd = new Random(20261201);
        for (int round = 0; round < 40; round++) {
            FakeCluster c = queue(rnd, rnd.nextInt(30));
            for (List<String> options : OPTIONS) {
                List<String> args = new ArrayList<>(options);
                args.add("-h");
                Result now = Fixtures.run(new Squeue(HOST_USERS), c, NOW, args.toArray(new String[0]));
                assertThat(now.err()).isEmpty();
                assertThat(now.out()).as("squeue %s", args).isEqualTo(before(c, options));
            }
        }
    }

    @Test
    void aControllerThatDoesNotKnowSqueuesRequestIsAskedForWholeRecords() throws Exception {
        Random rnd = new Random(7);
        for (int round = 0; round < 10; round++) {
            FakeCluster c = queue(rnd, 1 + rnd.nextInt(20));
            for (List<String> options : OPTIONS) {
                List<String> args = new ArrayList<>(options);
                args.add("-h");
                String[] argv = args.toArray(new String[0]);
                String expected =
                        Fixtures.run(new Squeue(HOST_USERS), c, NOW, argv).out();
                c.older();
                c.requests.clear();
                Result old = Fixtures.run(new Squeue(HOST_USERS), c, NOW, argv);
                c.queueRefused = null;
                assertThat(old.code()).isZero();
                assertThat(old.out()).as("squeue %s", args).isEqualTo(expected);
                assertThat(c.requests).extracting(Frame::op).containsExactly(Ops.QUEUE, Ops.JOBS);
            }
        }
    }

    @Test
    void anotherRefusalOfTheRequestIsTheCommandsError() throws Exception {
        FakeCluster c = queue(new Random(1), 3);
        c.queueRefused = "permission denied";
        Result r = Fixtures.run(new Squeue(HOST_USERS), c, NOW);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("squeue: error: permission denied\n");
        assertThat(c.requests).extracting(Frame::op).containsExactly(Ops.QUEUE);
    }

    @Test
    void numbersAreWrittenAsTheirDigitsFittedToTheColumn() {
        List<Long> values = new ArrayList<>();
        for (long v = 0; v < 1200; v++) values.add(v); // carries: 9 to 10, 99 to 100, 999 to 1000
        for (long v = 99_999_990; v < 100_000_010; v++) values.add(v);
        for (long v : new long[] {
            -1,
            -10,
            -99,
            0,
            1,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L,
            4294901028L,
            Long.MAX_VALUE - 1,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            Long.MIN_VALUE + 1,
            7,
            8,
            7
        }) values.add(v);
        for (Column c : FormatString.parse("%i%.5i%3i%-4i%.1i")) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            Squeue.Lines lines =
                    new Squeue.Lines(new java.io.PrintStream(bytes, false, java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder want = new StringBuilder();
            for (long v : values) {
                lines.number(v, c);
                lines.newline();
                c.fitTo(want, Long.toString(v));
                want.append(System.lineSeparator());
            }
            lines.flush();
            assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(want.toString());
        }
    }

    @Test
    void compactDurationsAreDurationsOwn() {
        for (long s : new long[] {
            -1, 0, 1, 59, 60, 61, 599, 3599, 3600, 3661, 86_399, 86_400, 86_401, 999_999, 8_640_000, 1L << 40
        }) {
            assertThat(Squeue.compact(s)).as("%d s", s).isEqualTo(Durations.formatCompact(s));
        }
        Random rnd = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            long s = rnd.nextInt(Integer.MAX_VALUE);
            assertThat(Squeue.compact(s)).isEqualTo(Durations.formatCompact(s));
        }
    }

    // ---- squeue as it was: rows selected in the controller's order, expanded, sorted and rendered here ----

    /** The lines squeue printed for {@code options} (with -h) before the controller ordered its rows. */
    private static String before(FakeCluster c, List<String> options) throws Exception {
        Frame request = c.requests.get(c.requests.size() - 1);
        Message.Queue q = (Message.Queue) Messages.request(request);
        List<QueueRow> rows = new ArrayList<>(QueueSelection.select(q, c.jobs, id -> {
            Object[] e = c.expected.get(id);
            return e == null ? null : new Message.ExpectedStart((Long) e[0], (String) e[1]);
        }));
        boolean start = options.contains("--start");
        if (start) {
            // --start keeps its own order: soonest first, ties in the order the controller sent them
            rows.sort(CONTROLLER_ORDER);
            rows.sort(byStart(NOW));
        } else {
            rows = slurmOrder(rows, NOW);
        }
        // an array's tasks are printed together where its record sorts, as Slurm's squeue -r lists them
        if (options.contains("-r")) rows = expandArrays(rows);
        int o = options.indexOf("-o");
        String format = o >= 0
                ? options.get(o + 1)
                : start ? Squeue.START_FORMAT : options.contains("-l") ? Squeue.LONG_FORMAT : Squeue.DEFAULT_FORMAT;
        List<Column> cols = FormatString.parse(format);
        Io io = new Io(
                null,
                null,
                InputStream.nullInputStream(),
                false,
                Map.of(),
                "/",
                null,
                NOW,
                Fixtures.ZONE,
                "vm",
                "root",
                0);
        Map<Character, Function<QueueRow, String>> fields = new java.util.HashMap<>();
        for (Column col : cols)
            if (!col.isLiteral()) {
                Function<QueueRow, String> f = Squeue.field(col.field(), io);
                if (f != null) fields.put(col.field(), r -> FreeText.escape(f.apply(r)));
            }
        StringBuilder out = new StringBuilder();
        // every run here is -h: squeue -l -h prints no date line, as Slurm's
        for (QueueRow r : rows) {
            for (Column col : cols) {
                if (col.isLiteral()) {
                    out.append(col.literal());
                    continue;
                }
                Function<QueueRow, String> f = fields.get(col.field());
                String v = f == null ? "" : f.apply(r);
                // as Slurm's, a time used or a limit is never cut to its column
                boolean time = col.field() == 'l' || col.field() == 'M';
                if (time && col.width() > 0 && v.length() > col.width()) out.append(v);
                else col.fitTo(out, v);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Slurm 22.05's squeue order, written out plainly: by id (slurmctld's list), glibc's merge sort
     * by start time, latest first, a job without one put after whichever it meets, then stable
     * sorts by -p, t and P.
     */
    private static List<QueueRow> slurmOrder(List<QueueRow> rows, long now) {
        List<QueueRow> byId = new ArrayList<>(rows);
        byId.sort(Comparator.comparingLong(QueueRow::id));
        List<QueueRow> out = merged(byId, now);
        out.sort(Comparator.comparingLong(QueueRow::priority).reversed());
        out.sort(Comparator.comparing(r -> r.state().code()));
        out.sort(Comparator.comparing(r -> String.valueOf(r.partition())));
        return out;
    }

    private static List<QueueRow> merged(List<QueueRow> a, long now) {
        if (a.size() <= 1) return new ArrayList<>(a);
        List<QueueRow> l = merged(a.subList(0, a.size() / 2), now);
        List<QueueRow> r = merged(a.subList(a.size() / 2, a.size()), now);
        List<QueueRow> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < l.size() && j < r.size())
            out.add(laterFirst(l.get(i), r.get(j), now) <= 0 ? l.get(i++) : r.get(j++));
        out.addAll(l.subList(i, l.size()));
        out.addAll(r.subList(j, r.size()));
        return out;
    }

    private static int laterFirst(QueueRow a, QueueRow b, long now) {
        long sa = Squeue.expectedStart(a, now);
        long sb = Squeue.expectedStart(b, now);
        if (sa == 0) return 1;
        if (sb == 0) return -1;
        if (a.state() == JobState.PENDING && sa < now) sa = now;
        if (b.state() == JobState.PENDING && sb < now) sb = now;
        return Long.compare(sb, sa);
    }

    /** The order the controller sends rows in (QueueSelection.ORDER, on rows). */
    private static final Comparator<QueueRow> CONTROLLER_ORDER = Comparator.<QueueRow>comparingInt(
                    r -> r.state() == JobState.PENDING ? 0 : 1)
            .thenComparing((a, b) -> a.state() == JobState.PENDING ? Long.compare(b.priority(), a.priority()) : 0)
            .thenComparingLong(QueueRow::id);

    private static Comparator<QueueRow> byStart(long now) {
        return Comparator.comparingLong((QueueRow r) -> {
                    long t = Squeue.expectedStart(r, now);
                    return t > 0 ? t : Long.MAX_VALUE;
                })
                .thenComparingLong(QueueRow::id);
    }

    private static List<QueueRow> expandArrays(List<QueueRow> rows) {
        List<QueueRow> out = new ArrayList<>();
        for (QueueRow r : rows) {
            if (r.pending() == null) {
                out.add(r);
                continue;
            }
            for (int i : ArraySpec.unfold(r.pending())) {
                out.add(new QueueRow(
                        r.id(),
                        r.arrayJobId() + "_" + i,
                        r.arrayJobId(),
                        null,
                        r.state(),
                        r.priority(),
                        r.partition(),
                        r.name(),
                        r.user(),
                        r.uid(),
                        r.gid(),
                        r.start(),
                        r.end(),
                        r.limit(),
                        r.nodesOrReason(),
                        r.node(),
                        r.reason(),
                        r.cpus(),
                        r.memory(),
                        r.submit(),
                        r.expectedStart(),
                        r.schedNodes(),
                        r.begin(),
                        r.workDir(),
                        r.account(),
                        r.comment(),
                        r.qos(),
                        r.nice(),
                        r.dependency(),
                        r.nodes(),
                        r.paused(),
                        r.minCpus()));
            }
        }
        return out;
    }
}
