package io.motley.cli.hosted;

import io.motley.protocol.Frame;
import io.motley.protocol.Message.Caller;
import io.motley.protocol.local.CommandHost;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;

/**
 * The native client's side of a session, in Java and in-process: it opens the session as the C
 * client does, answers the agent's file and input requests from this process's files (or refuses
 * those named in {@link #unreadable}) and collects what the command printed.
 */
public final class ClientStandIn implements CommandHost.Client {
    private final BlockingQueue<Frame> toAgent = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** Standard output and error as one stream, in the order the client received them (as 2>&1 shows them). */
    private final ByteArrayOutputStream both = new ByteArrayOutputStream();

    private final InputStream stdin;
    private final Set<Path> unreadable;
    /** How many times Ctrl-C is pressed once the command traps it. */
    public int ctrlCs;
    /** The agent's traps of Ctrl-C, in order: "pass" (sent on to the command) or "ignore". */
    public final List<String> traps = new ArrayList<>();
    /** Every frame the agent sent, in order. */
    public final List<Frame> received = new ArrayList<>();

    private Integer exit;
    private String jvm;
    /** The last archive packed, kept for its pack-read requests. */
    private io.motley.cli.command.CallerFiles.Packed packed;

    public ClientStandIn(String stdin, Set<Path> unreadable) {
        this.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        this.unreadable = unreadable;
    }

    /** What a session ended with. */
    public record Outcome(Integer exit, String jvm, String out, String err, String both) {}

    /** Runs one session of {@code argv} through {@code host}, as the C client would open it. */
    public static Outcome run(
            CommandHost host,
            ClientStandIn client,
            Caller caller,
            UnaryOperator<Frame> relay,
            String cwd,
            Map<String, String> env,
            List<String> argv)
            throws IOException {
        host.serve(start(cwd, env, argv), caller, client, relay);
        client.leave();
        return new Outcome(
                client.exit,
                client.jvm,
                client.out.toString(StandardCharsets.UTF_8),
                client.err.toString(StandardCharsets.UTF_8),
                client.both.toString(StandardCharsets.UTF_8));
    }

    /** The frame that opens a session. */
    public static Frame start(String cwd, Map<String, String> env, List<String> argv) {
        Frame args = new Frame();
        for (int i = 0; i < argv.size(); i++) args.put(Integer.toString(i), argv.get(i));
        Frame e = new Frame();
        env.forEach(e::put);
        return Frame.op(CommandHost.OP)
                .put("v", CommandHost.VERSION)
                .put("cwd", cwd)
                .put("umask", "0022")
                .put("stdin.tty", false)
                .put("stdout.tty", false)
                .put("stderr.tty", false)
                .add(args)
                .add(e);
    }

    /** The client goes away (Ctrl-C): the agent's next read sees the connection end. */
    public void leave() {
        toAgent.add(Frame.op("gone"));
    }

    @Override
    public Frame read() throws IOException {
        try {
            Frame f = toAgent.take();
            if (f.op().equals("gone")) {
                toAgent.add(f);
                throw new EOFException("client gone");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EOFException("interrupted");
        }
    }

    @Override
    public synchronized void write(Frame f) throws IOException {
        received.add(f);
        switch (f.op()) {
            case "out" -> {
                out.writeBytes(ClientChannel.bytes(f.str("bytes")));
                both.writeBytes(ClientChannel.bytes(f.str("bytes")));
            }
            case "err" -> {
                err.writeBytes(ClientChannel.bytes(f.str("bytes")));
                both.writeBytes(ClientChannel.bytes(f.str("bytes")));
            }
            case "read" -> {
                Path p = Path.of(f.str("path"));
                if (unreadable.contains(p)) {
                    toAgent.add(failed("EACCES", "Permission denied"));
                } else {
                    try {
                        byte[] b = Files.readAllBytes(p);
                        toAgent.add(Frame.op("file").put("bytes", ClientChannel.chars(b, 0, b.length)));
                    } catch (java.nio.file.NoSuchFileException e) {
                        toAgent.add(failed("ENOENT", "No such file or directory"));
                    } catch (IOException e) {
                        toAgent.add(failed("EIO", String.valueOf(e.getMessage())));
                    }
                }
            }
            case "write" -> {
                Path p = Path.of(f.str("path"));
                try {
                    Files.write(p, ClientChannel.bytes(f.str("bytes", "")));
                    toAgent.add(Frame.op("written"));
                } catch (java.nio.file.NoSuchFileException e) {
                    toAgent.add(failed("ENOENT", "No such file or directory"));
                } catch (IOException e) {
                    toAgent.add(failed("EIO", String.valueOf(e.getMessage())));
                }
            }
            case "pack" -> {
                String paths = f.str("paths", "");
                var packed = io.motley.cli.command.CallerFiles.tar(
                        Path.of(f.str("dir")),
                        paths.isEmpty() ? List.of() : List.of(paths.split("\0", -1)),
                        f.lng("limit", 0));
                Frame answer = Frame.op("packed");
                if (packed.missing() != null) {
                    answer.put("missing", packed.missing());
                } else {
                    // as the native client: the archive stays here and is read a chunk at a time
                    byte[] e = packed.error().getBytes(StandardCharsets.UTF_8);
                    answer.put("status", packed.status())
                            .put("error", ClientChannel.chars(e, 0, e.length))
                            .put("size", packed.archive().size());
                    this.packed = packed;
                }
                toAgent.add(answer);
            }
            case "pack-read" -> {
                byte[] b = packed.archive().read(f.lng("offset", 0), f.integer("max", 0));
                toAgent.add(Frame.op("pack-data").put("bytes", ClientChannel.chars(b, 0, b.length)));
            }
            case "stdin" -> {
                byte[] b = stdin.readNBytes(Math.min(f.integer("max", 8192), Math.max(stdin.available(), 0)));
                toAgent.add(Frame.op("stdin").put("bytes", ClientChannel.chars(b, 0, b.length)));
            }
            case "trap" -> {
                // the user presses Ctrl-C as soon as the command has trapped it, as many times as asked
                traps.add(f.str("action", "pass"));
                for (int i = 0; i < ctrlCs; i++) toAgent.add(Frame.op("signal").put("sig", "INT"));
            }
            case "exit" -> exit = f.integer("code", -1);
            case "jvm" -> jvm = f.str("reason");
            default -> throw new IOException("unexpected frame " + f);
        }
    }

    private static Frame failed(String errno, String message) {
        return Frame.op("failed").put("errno", errno).put("message", message);
    }
}
