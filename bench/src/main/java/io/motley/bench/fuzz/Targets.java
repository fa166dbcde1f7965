package io.motley.bench.fuzz;

import static io.motley.bench.fuzz.PropertyViolation.check;

import io.motley.core.config.ClusterConfig;
import io.motley.core.dependency.Dependency;
import io.motley.core.hostlist.Hostlist;
import io.motley.core.job.ArraySpec;
import io.motley.core.job.OutputPattern;
import io.motley.core.scheduler.Constraint;
import io.motley.core.script.BatchScript;
import io.motley.core.size.MemorySize;
import io.motley.core.time.Durations;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Every parser that reads input a user, a peer or an operator controls, as a fuzz target: the frame
 * reader, #SBATCH directives, hostlists, time limits and timestamps, memory sizes, --array,
 * --dependency, --constraint, output file patterns and motley.conf. Each call makes fresh targets
 * (their corpora grow as they run).
 */
public final class Targets {

    /** The "now" timestamps are read against: a fixed instant in a zone with daylight saving time. */
    static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 22, 12, 39, 13, 0, ZoneId.of("Europe/Stockholm"));

    private static final Predicate<Throwable> IAE = Target.refusedWith(IllegalArgumentException.class);
    private static final String IAE_CONTRACT = "refuses with IllegalArgumentException (not a subclass) and a message";

    private Targets() {}

    /** All targets, in the order reports list them. */
    public static List<Target<?>> all() {
        return List.of(
                frameReader(),
                sbatchDirectives(),
                hostlistExpand(),
                hostlistCompress(),
                timeLimit(),
                timestamp(),
                memorySize(),
                arraySpec(),
                dependency(),
                constraint(),
                outputPattern(),
                clusterConfig());
    }

    /** The target of that name. */
    public static Target<?> named(String name) {
        return all().stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fuzz target " + name + "; known: "
                        + all().stream().map(Target::name).toList()));
    }

    // ---- protocol: the frame reader ------------------------------------------------------------

    static Target<byte[]> frameReader() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(FrameIO.toBytes(Frame.op("ping")));
        seeds.add(FrameIO.toBytes(new Frame()));
        seeds.add(FrameIO.toBytes(Frame.op("submit")
                .put("name", "héllo")
                .put("ntasks", 4)
                .put("hold", true)
                .add(new Frame().put("PATH", "/usr/bin").put("EMPTY", ""))
                .add(new Frame().put("0", "--flag"))));
        seeds.add(FrameIO.toBytes(Frame.error("no such job 12")));
        Random r = new Random(1);
        for (int i = 0; i < 20; i++) seeds.add(FrameIO.toBytes(randomFrame(r, 3)));
        Corpus<byte[]> corpus = new Corpus<>(
                seeds, Targets::freshFrameBytes, (b, rnd, c) -> Mutations.bytes(b, rnd, c, true), b -> b.length);
        return new Target<>(
                "frame",
                "FrameIO.read refuses with IOException (EOFException included)",
                Shape.BYTES,
                corpus,
                b -> {
                    Frame whole = FrameIO.fromBytes(b);
                    Frame trickled = FrameIO.read(new Trickle(b));
                    return () -> {
                        check(
                                sameFrame(whole, trickled),
                                "a frame read in small pieces differs from the frame read at once");
                        check(
                                sameFrame(whole, FrameIO.fromBytes(FrameIO.toBytes(whole))),
                                "frame round trip: written and read again it differs");
                    };
                },
                Target.refusedWithAny(IOException.class),
                List.of());
    }

    private static byte[] freshFrameBytes(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> nestedFrame(Mutations.deep(rnd) * (rnd.nextBoolean() ? 1 : 3));
            case 1 -> {
                byte[] noise = new byte[rnd.nextInt(48)];
                rnd.nextBytes(noise);
                yield noise;
            }
            default -> FrameIO.toBytes(randomFrame(rnd, 4));
        };
    }

    /** A frame nested {@code depth} levels deep, each level one child and no fields, as the attack in issue 8 sent. */
    static byte[] nestedFrame(int depth) {
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(4 + 8 * (depth + 1));
        body.putInt(8 * (depth + 1));
        for (int i = 0; i < depth; i++) body.putInt(0).putInt(1);
        body.putInt(0).putInt(0);
        return body.array();
    }

    private static Frame randomFrame(Random rnd, int depth) {
        Frame f = rnd.nextBoolean()
                ? Frame.op(Mutations.pick(rnd, List.of("submit", "ping", "cancel", "jobs", "launch", "register")))
                : new Frame();
        int fields = rnd.nextInt(6);
        for (int i = 0; i < fields; i++) {
            f.put(
                    Mutations.randomText(
                            rnd, List.of("id", "name", "script", "user", "uid", "nonce", "a"), 1 + rnd.nextInt(2)),
                    Mutations.randomText(rnd, Mutations.NUMBERS, rnd.nextInt(4)));
        }
        int children = depth == 0 ? 0 : rnd.nextInt(3);
        for (int i = 0; i < children; i++) f.add(randomFrame(rnd, depth - 1));
        return f;
    }

    /** Frames compared field by field and child by child, without recursion (accepted frames may be deep). */
    static boolean sameFrame(Frame a, Frame b) {
        Deque<Frame[]> todo = new ArrayDeque<>();
        todo.push(new Frame[] {a, b});
        while (!todo.isEmpty()) {
            Frame[] p = todo.pop();
            if (!p[0].fields().equals(p[1].fields())
                    || p[0].children().size() != p[1].children().size()) return false;
            for (int i = 0; i < p[0].children().size(); i++)
                todo.push(new Frame[] {p[0].children().get(i), p[1].children().get(i)});
        }
        return true;
    }

    /** A stream that hands out its bytes a few at a time, as a socket may. */
    static final class Trickle extends InputStream {
        private final byte[] bytes;
        private int pos;

        Trickle(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (pos >= bytes.length) return -1;
            int n = Math.min(Math.min(len, 1 + pos % 7), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    // ---- core: #SBATCH directives --------------------------------------------------------------

    private static final List<String> SBATCH_OPTIONS = List.of(
            "-J train",
            "--job-name=train",
            "-t 1-02:03:04",
            "--time=30",
            "--mem=4G",
            "--mem-per-cpu=1000M",
            "-c 4",
            "-n 2",
            "-N 1",
            "-p debug",
            "--partition=gpu,cpu",
            "-o out-%j.log",
            "--error=err-%A_%a.log",
            "--array=1-10%2",
            "--dependency=afterok:12:13",
            "-C 'intel&(gpu|bigmem)'",
            "--gres=gpu:a100:2",
            "--begin=now+1hour",
            "--comment=\"two words\"",
            "-J 'it''s'",
            "--export=ALL,FOO=bar",
            "-w n[01-04]",
            "--exclusive",
            "--wrap=\"echo hi\"",
            "-A physics",
            "--qos=high",
            "--nice=10",
            "-J a\\ b",
            "--chdir=/tmp/x y");

    static Target<String> sbatchDirectives() {
        List<String> seeds = List.of(
                "#!/bin/bash\n#SBATCH --job-name=train\n#SBATCH -N 2 --ntasks-per-node=4\n\n# an ordinary comment\n"
                        + "#SBATCH --time=1-00:00:00\nmodule load cuda\n#SBATCH --mem=16G\nsrun ./train\n",
                "#SBATCH -p debug\necho hi\n",
                "#!/bin/bash\n#SBATCH -t 10 # ten minutes\n#SBATCH -J a#b #x\n#SBATCH # only a note\n",
                "#!/bin/bash\n#SBATCH --comment=\"two words\" -J 'it''s'\n#SBATCH -o a\\ b.out\n",
                "#!/bin/sh\r\n#SBATCH --mem=4G\r\n#SBATCH\t-c 2\r\n  # indented comment\r\n#SBATCH --array=0-15:4\r\nexit 0\r\n",
                "#!/bin/bash\n#SBATCH --comment=\"line \\\n continued\"\n#SBATCH -C 'a&(b|c)' --dependency=afterany:1?afterok:2\n",
                "",
                "#!/bin/sh\n",
                "echo hi\n#SBATCH -p debug\n");
        List<String> words = List.of(
                "#SBATCH",
                "#SBATCH ",
                "\n#SBATCH ",
                "#!",
                "\n",
                "\r\n",
                " ",
                "\t",
                "\"",
                "'",
                "\\",
                "\\\n",
                "#",
                "=",
                "--",
                "-J",
                "--time=",
                "1-02:03:04",
                "4G",
                "n[01-10,12]",
                "echo hi\n",
                "  #",
                "\"\"",
                "''");
        return text(
                "sbatch",
                IAE_CONTRACT + " (an unterminated quote)",
                seeds,
                words,
                List.of(new String[] {"\"", "\""}, new String[] {"'", "'"}, new String[] {"\"'", "'\""}),
                Targets::freshScript,
                s -> {
                    List<String> args = BatchScript.directives(s, "#SBATCH");
                    return () ->
                            check(args.size() <= s.length(), "more directive words (%d) than characters", args.size());
                },
                IAE);
    }

    private static String freshScript(Random rnd) {
        StringBuilder sb = new StringBuilder(
                rnd.nextInt(4) == 0
                        ? ""
                        : Mutations.pick(
                                rnd, List.of("#!/bin/bash\n", "#!/bin/sh\r\n", "#!\n", "#! /usr/bin/env python3\n")));
        int lines = rnd.nextInt(10);
        String eol = rnd.nextInt(5) == 0 ? "\r\n" : "\n";
        for (int i = 0; i < lines; i++) {
            switch (rnd.nextInt(8)) {
                case 0 -> sb.append("# just a comment");
                case 1 -> sb.append("");
                case 2 -> sb.append("srun ./train --epochs 3");
                case 3 -> sb.append("  #SBATCH -p ignored");
                default -> {
                    sb.append(rnd.nextInt(6) == 0 ? "#SBATCH\t" : "#SBATCH ");
                    int options = 1 + rnd.nextInt(3);
                    for (int o = 0; o < options; o++)
                        sb.append(Mutations.pick(rnd, SBATCH_OPTIONS)).append(' ');
                    if (rnd.nextInt(5) == 0) sb.append("# trailing note");
                }
            }
            sb.append(eol);
        }
        return sb.toString();
    }

    // ---- core: hostlists -----------------------------------------------------------------------

    private static final List<String> HOSTLISTS = List.of(
            "n[01-10,12]",
            "node[1-3]",
            "gpu1",
            "vm",
            "n[098-101]",
            "n[1,01,001]",
            "pi[1-4],ws",
            "rack[1-2]-node[01-16]",
            "a[1-2]b[3-4]",
            "n[0-2] m[5]",
            "n[5,1-2]",
            "node[01-09,12],gpu1",
            "n[9-11]",
            "x[0-65535]",
            "x[0-1048576]",
            "n[1-3],n[2-4]",
            "",
            " ",
            "n[123456789012345678]",
            "cn[001-128]");

    static Target<String> hostlistExpand() {
        List<String> words = List.of(
                "[",
                "]",
                ",",
                "-",
                " ",
                "n",
                "node",
                "0",
                "00",
                "01",
                "9",
                "10",
                "[1-3]",
                "[0-9]",
                "[01-99]",
                "[1,3]",
                "1-",
                "-1",
                "[]",
                ",,",
                "[0-1023]");
        return text(
                "hostlist-expand",
                IAE_CONTRACT,
                HOSTLISTS,
                words,
                List.of(new String[] {"[", "]"}, new String[] {"n[", "1]"}),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(10)),
                s -> {
                    List<String> hosts = Hostlist.expand(s);
                    return () -> {
                        check(hosts.size() <= Hostlist.MAX_HOSTS, "expanded past MAX_HOSTS: %d", hosts.size());
                        check(
                                hosts.stream().mapToLong(String::length).sum() <= Hostlist.MAX_CHARS,
                                "expanded past MAX_CHARS");
                        if (!hosts.isEmpty() && hosts.size() <= 5000) {
                            String compressed = Hostlist.compress(hosts);
                            check(
                                    new HashSet<>(Hostlist.expand(compressed)).equals(new HashSet<>(hosts)),
                                    "compress round trip: %s expands to other hosts",
                                    compressed);
                        }
                    };
                },
                IAE);
    }

    static Target<List<String>> hostlistCompress() {
        List<String> prefixes = List.of("n", "node", "gpu", "a-b", "x.y", "", "n0", "rack1-n", "é", "N", "n-");
        Function<Random, List<String>> fresh = rnd -> {
            int n = rnd.nextInt(rnd.nextInt(10) == 0 ? 2000 : 30);
            List<String> names = new ArrayList<>(n);
            String prefix = Mutations.pick(rnd, prefixes);
            int next = rnd.nextInt(120);
            for (int i = 0; i < n; i++) {
                if (rnd.nextInt(6) == 0) prefix = Mutations.pick(rnd, prefixes);
                next += rnd.nextInt(4) == 0 ? rnd.nextInt(5) : 1;
                String digits = switch (rnd.nextInt(10)) {
                    case 0 -> "";
                    case 1 -> Mutations.pick(rnd, Mutations.NUMBERS).replaceAll("[^0-9]", "");
                    case 2 -> String.format("%03d", next);
                    default -> Integer.toString(next);
                };
                String name = prefix + digits;
                names.add(name.isEmpty() ? "h" : name);
            }
            return names;
        };
        List<List<String>> seeds = List.of(
                List.of("n1", "n2", "n3", "n5"),
                List.of("node01", "node02", "gpu1"),
                List.of("vm"),
                List.of("n9", "n10", "n11", "n099", "n100"),
                List.of("n1", "n01", "n001", "n1"),
                List.of());
        Corpus<List<String>> corpus = new Corpus<>(
                seeds,
                fresh,
                (names, rnd, c) -> {
                    List<String> out = new ArrayList<>(names);
                    switch (rnd.nextInt(4)) {
                        case 0 -> out.add(Mutations.pick(rnd, prefixes) + Mutations.pick(rnd, Mutations.NUMBERS));
                        case 1 -> {
                            if (!out.isEmpty()) out.remove(rnd.nextInt(out.size()));
                        }
                        case 2 -> {
                            if (!out.isEmpty()) out.add(out.get(rnd.nextInt(out.size())));
                        }
                        default -> {
                            if (out.isEmpty()) {
                                out.add("n1");
                            } else {
                                int i = rnd.nextInt(out.size());
                                out.set(i, Mutations.text(out.get(i), rnd, prefixes, List.of(), null));
                            }
                        }
                    }
                    return out;
                },
                List::size);
        return new Target<>(
                "hostlist-compress",
                IAE_CONTRACT + " (a name with ',', '[', ']' or whitespace, or an empty one)",
                Shape.NAMES,
                corpus,
                names -> {
                    String compressed = Hostlist.compress(names);
                    return () -> check(
                            new HashSet<>(Hostlist.expand(compressed)).equals(new HashSet<>(names)),
                            "compress round trip: %s does not expand to the names given",
                            compressed);
                },
                IAE,
                List.of());
    }

    // ---- core: times and sizes -----------------------------------------------------------------

    private static final List<String> TIME_LIMITS = List.of(
            "1-02:03:04",
            "30",
            "5:00",
            "1:00:00",
            "2-0",
            "2-12:30",
            "UNLIMITED",
            "infinite",
            "0",
            "00:00:00",
            " 10 ",
            "7-0",
            "0-0:0:1",
            "59:59",
            "100:00:00");

    static Target<String> timeLimit() {
        List<String> words =
                List.of("-", ":", "0", "1", "12", "59", "60", "99", " ", "UNLIMITED", "INFINITE", "::", "--");
        return text(
                "time-limit",
                IAE_CONTRACT,
                TIME_LIMITS,
                words,
                List.of(),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(8)),
                s -> {
                    long v = Durations.parseTimeLimit(s);
                    return () -> {
                        check(v == Durations.UNLIMITED || v > 0, "time limit out of range: %d", v);
                        check(Durations.parseTimeLimit(Durations.formatCompact(v)) == v, "compact round trip: %d", v);
                        check(Durations.parseTimeLimit(Durations.formatFixed(v)) == v, "fixed round trip: %d", v);
                    };
                },
                IAE);
    }

    private static final List<String> TIMESTAMPS = List.of(
            "2026-03-01T10:00",
            "2026-03-01",
            "2026-03-01T10:00:30",
            "03/01",
            "03/01/27",
            "03.01.2027",
            "030127",
            "0301",
            "10:00",
            "10:00:30",
            "10:00pm",
            "10:00 am",
            "now",
            "now+5minutes",
            "now-1day",
            "now + 2 hours",
            "today",
            "tomorrow noon",
            "midnight",
            "teatime",
            "fika",
            "elevenses",
            "uts1700000000",
            "03/01-10:00",
            "2026-03-01t10:00:00",
            "02/29",
            "2028-02-29",
            "12:00am",
            "tomorrow 02:30");

    static Target<String> timestamp() {
        List<String> words = List.of(
                "now",
                "+",
                "-",
                " ",
                "today",
                "tomorrow",
                "noon",
                "midnight",
                "teatime",
                "am",
                "pm",
                "uts",
                ":",
                "/",
                ".",
                "T",
                "2026",
                "12",
                "31",
                "00",
                "59",
                "weeks",
                "days",
                "hours",
                "minutes",
                "seconds",
                "s",
                "w");
        return text(
                "timestamp",
                IAE_CONTRACT,
                TIMESTAMPS,
                words,
                List.of(),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(8)),
                s -> {
                    long[] times = {Durations.parseTimestamp(s, NOW, false), Durations.parseTimestamp(s, NOW, true)};
                    return () -> {
                        for (long v : times) {
                            // Every accepted time must print: squeue, scontrol and sacct show it to every user.
                            try {
                                Durations.formatTimestamp(v, NOW.getZone());
                            } catch (RuntimeException e) {
                                throw new PropertyViolation(
                                        "accepted time does not print",
                                        "accepted time does not print: " + v + " (" + e + ")");
                            }
                        }
                    };
                },
                IAE);
    }

    static Target<String> memorySize() {
        List<String> seeds = List.of("4G", "4000M", "16g", "512", "1T", "1024K", "0", " 2G ", "1k", "8796093022207M");
        List<String> words =
                List.of("K", "M", "G", "T", "k", "m", "g", "t", "0", "1", "1024", " ", "-", "B", "MB", "GiB");
        return text(
                "memory-size",
                IAE_CONTRACT,
                seeds,
                words,
                List.of(),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(5)),
                s -> {
                    long v = MemorySize.parseMebibytes(s);
                    return () -> {
                        check(v >= 0, "negative size: %d", v);
                        check(MemorySize.parseMebibytes(MemorySize.format(v)) == v, "format round trip: %d", v);
                    };
                },
                IAE);
    }

    // ---- core: --array, --dependency, --constraint, -o/-e ------------------------------------------

    static Target<String> arraySpec() {
        List<String> seeds = List.of(
                "1-10",
                "1,3,5",
                "0-15:4",
                "1-10%2",
                "0-9999",
                "1-3,5,7-9",
                "5",
                "0-1000000",
                "0-100:7%3",
                "1-5,3-8",
                "0-999999:999999",
                "0-999999:1000,0-999999:1000");
        List<String> words = List.of("-", ",", ":", "%", "0", "1", "10", "999999", " ", "1-10", ",0-999999");
        return text(
                "array",
                IAE_CONTRACT,
                seeds,
                words,
                List.of(),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(8)),
                s -> {
                    ArraySpec a = ArraySpec.parse(s);
                    return () -> {
                        List<Integer> ix = a.indices();
                        check(
                                !ix.isEmpty() && ix.size() <= ArraySpec.MAX_TASKS,
                                "index count out of range: %d",
                                ix.size());
                        check(a.throttle() >= 0, "negative throttle %d", a.throttle());
                        for (int i = 0; i < ix.size(); i++) {
                            check(
                                    ix.get(i) >= 0 && (i == 0 || ix.get(i) > ix.get(i - 1)),
                                    "indices not distinct, sorted and >= 0 at %d",
                                    i);
                        }
                        if (ix.size() <= 10_000) {
                            check(ArraySpec.parse(ArraySpec.fold(ix)).indices().equals(ix), "fold round trip");
                        }
                    };
                },
                IAE);
    }

    static Target<String> dependency() {
        List<String> seeds = List.of(
                "afterok:12:13",
                "after:12+5",
                "singleton",
                "afterany:1?afterok:2",
                "afternotok:5,afterok:7",
                "aftercorr:3",
                "after:1+0",
                "AFTEROK:4",
                "afterok:1,singleton");
        List<String> words = List.of(
                "after",
                "afterok",
                "afterany",
                "afternotok",
                "aftercorr",
                "singleton",
                ":",
                ",",
                "?",
                "+",
                "12",
                "0",
                " ");
        return text(
                "dependency",
                IAE_CONTRACT,
                seeds,
                words,
                List.of(),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(8)),
                s -> {
                    Dependency d = Dependency.parse(s);
                    return () -> {
                        check(!d.terms().isEmpty(), "a dependency with no terms");
                        for (Dependency.Term t : d.terms()) {
                            check(t.kind() == Dependency.Kind.SINGLETON || t.jobId() > 0, "job id %d", t.jobId());
                            check(
                                    t.delaySeconds() >= 0 && t.delaySeconds() % 60 == 0,
                                    "after delay of %d seconds",
                                    t.delaySeconds());
                        }
                        // sbatch sends toString() to the controller, which parses it again.
                        Dependency again = Dependency.parse(d.toString());
                        check(
                                again.terms().equals(d.terms()) && (d.terms().size() < 2 || again.anyOf() == d.anyOf()),
                                "toString round trip: %s",
                                d);
                    };
                },
                IAE);
    }

    static Target<String> constraint() {
        List<String> seeds =
                List.of("intel&(gpu|bigmem)", "[a|b]&c", "a", "a|b|c", "x86_64&avx2", "gpu*2", "( a ) & b", "a.b:c-d");
        List<String> words = List.of("&", "|", "(", ")", "[", "]", " ", "a", "gpu", "*2", "_", "-", ".", ":");
        return text(
                "constraint",
                IAE_CONTRACT,
                seeds,
                words,
                List.of(new String[] {"(", ")"}, new String[] {"[", "]"}, new String[] {"(a&", ")"}, new String[] {
                    "a|(", ")"
                }),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(10)),
                s -> {
                    Constraint c = Constraint.parse(s);
                    return () -> {
                        check(!c.names().isEmpty(), "an expression naming no feature");
                        // Only '&' and '|' over features: all present must match, none present must not.
                        check(c.matches(Set.copyOf(c.names())), "does not match a node with every feature it names");
                        check(!c.matches(Set.of()), "matches a node with no features");
                    };
                },
                IAE);
    }

    static Target<String> outputPattern() {
        List<String> seeds = List.of(
                "slurm-%j.out",
                "%x-%A_%a.log",
                "/tmp/%u/%N.%5j",
                "%%",
                "out%",
                "%10a",
                "%",
                "odd-%q-%",
                "/abs/100%%-%5j.out",
                "%n-%N",
                "%0j");
        List<String> words =
                List.of("%", "%j", "%A", "%a", "%x", "%u", "%N", "%n", "%%", "%5j", "%10a", "/", ".", "-", "9");
        String workDir = "/home/alice";
        return text(
                "output-pattern",
                "never refuses: every pattern expands to a path",
                seeds,
                words,
                List.of(),
                rnd -> Mutations.randomText(rnd, words, 1 + rnd.nextInt(8)),
                s -> {
                    long task = s.length() % 2 == 0 ? OutputPattern.NO_TASK : 7;
                    String path = OutputPattern.expand(s, 123, 120, task, "job name", "alice", "n01", workDir);
                    return () -> {
                        check(path.startsWith("/"), "not an absolute path: %s", path);
                        // No value is longer than 10 characters, nor is any padding (Slurm's MAX_WIDTH).
                        check(
                                path.length() <= workDir.length() + 1 + 10L * s.length(),
                                "expanded to %d characters",
                                path.length());
                    };
                },
                Target.neverRefuses());
    }

    // ---- core: motley.conf ---------------------------------------------------------------------

    static final String README_CONFIG = """
            # etc/motley.conf (every line optional)
            ClusterName=lab
            ControllerPort=6917          # TCP port agents connect to
            NodeTimeout=30
            KillWait=30
            DefMemPerCPU=0
            MinJobAge=300
            ContainmentType=auto
            HealthCheckProgram=/usr/local/sbin/check-node
            HealthCheckInterval=300
            JobRequeue=1
            RequeueDelay=121
            NodeName=ws MemSpecLimit=2G CoreSpecCount=1
            NodeName=pi[1-4] CPUs=2 RealMemory=900
            NodeName=ws Weight=10 Features=bigmem,ssd
            PartitionName=debug Nodes=pi[1-2] MaxTime=30 DefaultTime=5 Default=YES
            PartitionName=all Nodes=ALL State=UP
            PartitionName=gpu Nodes=ws PriorityTier=10 AllowGroups=lab AllowAccounts=physics,chem
            PartitionName=urgent Nodes=ALL PriorityJobFactor=10
            PriorityType=priority/multifactor
            PriorityWeightFairshare=10000
            PriorityWeightAge=1000
            PriorityWeightJobSize=0
            PriorityWeightPartition=1000
            PriorityWeightQOS=2000
            PriorityMaxAge=7-0
            PriorityDecayHalfLife=7-0
            PriorityFavorSmall=NO
            PriorityCalcPeriod=5
            TRESBillingWeights=CPU=1.0,GRES/gpu=2.0
            AccountName=physics Fairshare=40 Users=alice,bob
            AccountName=chem Fairshare=60 Users=carol,alice
            UserName=alice DefaultAccount=chem Fairshare=1
            QOSName=high Priority=100
            SchedulerType=sched/backfill
            SchedulerParameters=bf_interval=30,bf_max_job_test=500,bf_reservations=1,max_script_size=4194304
            DisableRootJobs=NO
            MaxArraySize=1001
            AgentMaxConnections=1024
            AgentMaxConnectionsPerUser=64
            AgentRequestTimeout=10
            """;

    /** Each key with the kind of value it takes, to build lines that get past the key check. */
    private static final List<String[]> CONFIG_KEYS = List.of(
            new String[] {"ClusterName", "name"},
            new String[] {"ControllerPort", "n"},
            new String[] {"NodeTimeout", "n"},
            new String[] {"SlurmdTimeout", "n"},
            new String[] {"DefMemPerCPU", "size"},
            new String[] {"KillWait", "n"},
            new String[] {"MinJobAge", "n"},
            new String[] {"HealthCheckProgram", "name"},
            new String[] {"HealthCheckInterval", "n"},
            new String[] {"JobRequeue", "n"},
            new String[] {"RequeueDelay", "n"},
            new String[] {"ContainmentType", "containment"},
            new String[] {"SchedulerType", "scheduler"},
            new String[] {"SchedulerParameters", "params"},
            new String[] {"DisableRootJobs", "yesno"},
            new String[] {"MaxArraySize", "n"},
            new String[] {"AgentMaxConnections", "n"},
            new String[] {"AgentMaxConnectionsPerUser", "n"},
            new String[] {"AgentRequestTimeout", "n"},
            new String[] {"PriorityType", "priority"},
            new String[] {"PriorityWeightAge", "n"},
            new String[] {"PriorityWeightFairshare", "n"},
            new String[] {"PriorityWeightJobSize", "n"},
            new String[] {"PriorityWeightPartition", "n"},
            new String[] {"PriorityWeightQOS", "n"},
            new String[] {"PriorityMaxAge", "time"},
            new String[] {"PriorityDecayHalfLife", "time"},
            new String[] {"PriorityFavorSmall", "yesno"},
            new String[] {"PriorityCalcPeriod", "time"},
            new String[] {"TRESBillingWeights", "billing"});

    private static final List<String> CONFIG_LINES = List.of(
            "NodeName=%hosts CPUs=%n RealMemory=%size",
            "NodeName=%hosts Weight=%n Features=a,b",
            "NodeName=%hosts MemSpecLimit=%size CoreSpecCount=%n",
            "PartitionName=%name Nodes=%hosts MaxTime=%time DefaultTime=%time",
            "PartitionName=%name Nodes=ALL Default=YES State=%state PriorityTier=%n MaxNodes=%n",
            "PartitionName=%name PriorityJobFactor=%n AllowAccounts=%name AllowGroups=%name",
            "AccountName=%name Parent=%name Fairshare=%n Users=%name",
            "UserName=%name DefaultAccount=%name Fairshare=%n",
            "QOSName=%name Priority=%n");

    static Target<String> clusterConfig() {
        List<String> seeds = new ArrayList<>(List.of(README_CONFIG, "", "# nothing\n", "ClusterName=lab\n"));
        seeds.addAll(README_CONFIG.lines().toList());
        List<String> words = Stream.concat(
                        CONFIG_KEYS.stream().map(k -> k[0] + "="),
                        Stream.of(
                                "NodeName=",
                                "PartitionName=",
                                "AccountName=",
                                "UserName=",
                                "QOSName=",
                                "=",
                                " ",
                                "\n",
                                "#",
                                "\r\n",
                                "\t",
                                "Nodes=",
                                "MaxTime=",
                                "State=",
                                "Parent=",
                                "Users=",
                                "Priority=",
                                "CPUs=",
                                "RealMemory=",
                                "Features=",
                                "Weight=",
                                "YES",
                                "NO",
                                "ALL",
                                "n[1-4]",
                                "1-02:03:04",
                                "4G",
                                "bf_max_job_test=",
                                "max_script_size=",
                                "CPU=",
                                "GRES/gpu=",
                                "NaN",
                                "Infinity",
                                "-0.0"))
                .toList();
        // NodeName=n[0-1048575] names Hostlist.MAX_HOSTS nodes, a bound by design: about 270 MiB to make their
        // overrides.
        return text(
                        "config",
                        IAE_CONTRACT,
                        seeds,
                        words,
                        List.of(),
                        Targets::freshConfig,
                        s -> {
                            ClusterConfig c = ClusterConfig.parse(s);
                            return () -> {
                                ClusterConfig.Scheduling sc = c.scheduling();
                                check(
                                        sc.intervalSeconds() >= 1 && sc.maxJobTest() >= 1 && sc.reservations() >= 0,
                                        "scheduler parameters out of range: %s",
                                        sc);
                                double cpu = c.priority().cpuBillingWeight();
                                double gpu = c.priority().gpuBillingWeight();
                                check(
                                        Double.isFinite(cpu) && cpu >= 0 && Double.isFinite(gpu) && gpu >= 0,
                                        "billing weights cpu=%s gpu=%s",
                                        cpu,
                                        gpu);
                                check(
                                        c.priority().calcPeriodSeconds() >= 1,
                                        "PriorityCalcPeriod of %d seconds",
                                        c.priority().calcPeriodSeconds());
                            };
                        },
                        IAE)
                .allowing(384L << 20);
    }

    private static String freshConfig(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int lines = 1 + rnd.nextInt(8);
        for (int i = 0; i < lines; i++) {
            if (rnd.nextInt(3) == 0) {
                String line = Mutations.pick(rnd, CONFIG_LINES);
                for (String kind : List.of("hosts", "n", "size", "name", "time", "state")) {
                    while (line.contains("%" + kind)) line = line.replaceFirst("%" + kind, configValue(rnd, kind));
                }
                sb.append(line);
            } else {
                String[] key = CONFIG_KEYS.get(rnd.nextInt(CONFIG_KEYS.size()));
                sb.append(key[0]).append('=').append(configValue(rnd, key[1]));
            }
            sb.append(rnd.nextInt(8) == 0 ? "   # note\n" : "\n");
        }
        return sb.toString();
    }

    private static String configValue(Random rnd, String kind) {
        if (rnd.nextInt(8) == 0) return Mutations.pick(rnd, Mutations.NUMBERS);
        return switch (kind) {
            case "n" -> Integer.toString(rnd.nextInt(2000));
            case "size" -> Mutations.pick(rnd, List.of("900", "2G", "4000M", "1T", "0", "16g"));
            case "time" -> Mutations.pick(rnd, TIME_LIMITS).strip();
            case "hosts" -> Mutations.pick(rnd, HOSTLISTS.subList(0, 13));
            case "state" -> Mutations.pick(rnd, List.of("UP", "DOWN", "DRAIN", "INACTIVE", "up"));
            case "yesno" -> Mutations.pick(rnd, List.of("YES", "NO", "yes", "1"));
            case "containment" -> Mutations.pick(rnd, List.of("auto", "cgroup2", "cgroup1", "process", "none"));
            case "scheduler" -> Mutations.pick(rnd, List.of("sched/backfill", "sched/builtin", "sched/wiki"));
            case "priority" -> Mutations.pick(rnd, List.of("priority/multifactor", "priority/basic"));
            case "params" ->
                "bf_interval=" + rnd.nextInt(100) + ",bf_max_job_test=" + Mutations.pick(rnd, Mutations.NUMBERS)
                        + ",bf_reservations=" + rnd.nextInt(5)
                        + (rnd.nextBoolean() ? ",max_script_size=" + rnd.nextInt(1 << 23) : "");
            case "billing" ->
                "CPU=" + Mutations.pick(rnd, List.of("1.0", "0", "2.5", "NaN", "Infinity", "1e308")) + ",GRES/gpu="
                        + Mutations.pick(rnd, List.of("2.0", "0", "-1", "1e-3"));
            default -> Mutations.pick(rnd, List.of("lab", "physics", "chem", "alice", "bob", "debug", "root", "gpu"));
        };
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private static Target<String> text(
            String name,
            String contract,
            List<String> seeds,
            List<String> words,
            List<String[]> pairs,
            Function<Random, String> fresh,
            Target.Call<String> call,
            Predicate<Throwable> refusal) {
        Corpus<String> corpus =
                new Corpus<>(seeds, fresh, (s, rnd, c) -> Mutations.text(s, rnd, words, pairs, c), String::length);
        return new Target<>(name, contract, Shape.TEXT, corpus, call, refusal, List.of());
    }
}
