package io.motley.bench.scale;

import io.motley.controller.cluster.Cluster;
import io.motley.controller.server.BenchAnswers;
import io.motley.protocol.Bounds;
import io.motley.protocol.Frame;
import io.motley.protocol.FrameIO;
import io.motley.protocol.Message;
import io.motley.protocol.Messages;
import io.motley.protocol.local.CommandHost;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * squeue over N pending jobs as a user runs it: the real {@code dist/bin/squeue} (a fresh JVM,
 * C1 and the class-data-sharing archive, as the launcher starts every command) against a socket
 * that stands in for the local agent and answers with the controller's own request handling over
 * a Cluster holding the jobs. Prints, per run, the controller's time for the answer and the
 * command's wall time from its start to its exit (which includes the controller's), then the
 * medians, once with the native client (the stand-in runs the command in-process, as the agent
 * does) and once with the JVM client. Output goes to /dev/null, as fast a reader as a terminal can be. Usage:
 * {@code bench/jmh --squeue [JOBS [RUNS [squeue options...]]]} (default 1,000,000 jobs, 5 runs).
 */
public final class SqueueEndToEnd {
    private SqueueEndToEnd() {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> options = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of();
        Path root = Path.of(System.getProperty("motley.root", ".")).toAbsolutePath();
        Path squeue = root.resolve("dist/bin/squeue");
        if (!Files.isExecutable(squeue)) throw new IllegalStateException(squeue + " is missing");
        Cluster cluster = PendingScale.filled(jobs);
        BenchAnswers answers = new BenchAnswers(cluster);
        Path dir = Files.createTempDirectory("motley-squeue-bench");
        Path sock = dir.resolve("agent.sock");
        AtomicLong controllerNanos = new AtomicLong();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread agent = new Thread(() -> serve(server, answers, controllerNanos), "agent");
        agent.setDaemon(true);
        agent.start();

        List<String> command = new ArrayList<>();
        command.add(squeue.toString());
        command.addAll(options);
        for (String c : System.getProperty("motley.clients", "native,jvm").split(",")) {
            client = c;
            measure(command, sock, options, jobs, runs, controllerNanos);
        }
        server.close();
        Files.deleteIfExists(sock);
        Files.deleteIfExists(dir);
        // the cluster is used after the runs, so that it is still reachable while they run
        if (cluster.jobs().size() != jobs) throw new IllegalStateException("jobs lost");
    }

    private static void measure(
            List<String> command, Path sock, List<String> options, int jobs, int runs, AtomicLong controllerNanos)
            throws Exception {
        // the first run may make the launcher's class-data-sharing archive: not counted
        run(command, sock);
        long[] controller = new long[runs];
        long[] wall = new long[runs];
        long[] cpu = new long[runs];
        long[] ccpu = new long[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            int rc = run(command, sock);
            wall[i] = System.nanoTime() - s;
            controller[i] = controllerNanos.get();
            cpu[i] = (long) (lastCpu * 1e9);
            ccpu[i] = controllerCpu;
            if (rc != 0) throw new IllegalStateException("squeue exited " + rc);
            System.out.printf(
                    Locale.ROOT,
                    "run %d: controller %,d ms (CPU %,d ms), squeue wall %,d ms (its own %,d ms; its CPU %,d ms)%n",
                    i + 1,
                    controller[i] / 1_000_000,
                    ccpu[i] / 1_000_000,
                    wall[i] / 1_000_000,
                    (wall[i] - controller[i]) / 1_000_000,
                    cpu[i] / 1_000_000);
        }
        long[] own = new long[runs];
        for (int i = 0; i < runs; i++) own[i] = wall[i] - controller[i];
        System.out.printf(
                Locale.ROOT,
                "squeue (%s client) %s over %,d jobs, median of %d: %,d ms in all (controller %,d ms, CPU %,d ms; the command %,d ms; its CPU %,d ms)%n",
                client,
                String.join(" ", options),
                jobs,
                runs,
                median(wall) / 1_000_000,
                median(controller) / 1_000_000,
                median(ccpu) / 1_000_000,
                median(own) / 1_000_000,
                median(cpu) / 1_000_000);
    }

    private static final CommandHost HOSTED = new io.motley.cli.hosted.HostedCommands();

    /** Which client runs the command: MOTLEY_CLIENT as the launcher reads it (native or jvm). */
    private static String client = "jvm";

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** The controller's CPU time for the last answer (its thread's). */
    private static volatile long controllerCpu;

    /** CPU seconds (user and system) of the last run, as bash's time says. */
    private static double lastCpu;

    private static int run(List<String> command, Path sock) throws IOException, InterruptedException {
        List<String> timed =
                new ArrayList<>(List.of("bash", "-c", "TIMEFORMAT='%U %S'; time \"$0\" \"$@\" >/dev/null"));
        timed.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(timed);
        pb.environment().put("MOTLEY_SOCKET", sock.toString());
        pb.environment().put("MOTLEY_CLIENT", client);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Path err = Files.createTempFile("squeue-bench", ".err");
        pb.redirectError(err.toFile());
        int rc = pb.start().waitFor();
        List<String> lines = Files.readAllLines(err);
        Files.delete(err);
        String[] last = lines.isEmpty()
                ? new String[0]
                : lines.get(lines.size() - 1).trim().split(" ");
        lastCpu = last.length == 2 ? Double.parseDouble(last[0]) + Double.parseDouble(last[1]) : Double.NaN;
        if (rc != 0 || lines.size() > 1) lines.forEach(System.err::println);
        return rc;
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The local agent's part: each request stamped with a caller and answered by the controller's code. */
    private static void serve(ServerSocketChannel server, BenchAnswers answers, AtomicLong controllerNanos) {
        Message.Caller caller = new Message.Caller(1000, 1000, "alice", List.of("users"));
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                InputStream raw = Channels.newInputStream(ch);
                DataInputStream in = new DataInputStream(raw);
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                while (true) {
                    int len;
                    try {
                        len = in.readInt();
                    } catch (java.io.EOFException e) {
                        break;
                    }
                    byte[] body = in.readNBytes(len);
                    long s = System.nanoTime();
                    long cpu0 = THREADS.getCurrentThreadCpuTime();
                    Frame req = FrameIO.decode(body, Bounds.ANSWERS);
                    if (req.op().equals(CommandHost.OP)) {
                        // the native client: the command runs here, as the agent runs it
                        HOSTED.serve(
                                req,
                                caller,
                                new CommandHost.Client() {
                                    @Override
                                    public Frame read() throws IOException {
                                        return FrameIO.read(in);
                                    }

                                    @Override
                                    public void write(Frame f) throws IOException {
                                        FrameIO.write(out, f);
                                    }
                                },
                                r -> {
                                    long t = System.nanoTime();
                                    long c0 = THREADS.getCurrentThreadCpuTime();
                                    Frame a = answers.answer(Messages.encode(Messages.request(r), caller));
                                    controllerNanos.set(System.nanoTime() - t);
                                    controllerCpu = THREADS.getCurrentThreadCpuTime() - c0;
                                    return a;
                                });
                        break;
                    }
                    Frame answer = answers.answer(Messages.encode(Messages.request(req), caller));
                    byte[] bytes = FrameIO.encode(answer);
                    controllerNanos.set(System.nanoTime() - s);
                    controllerCpu = THREADS.getCurrentThreadCpuTime() - cpu0;
                    out.writeInt(bytes.length);
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException e) {
                if (server.isOpen()) e.printStackTrace();
            }
        }
    }
}
