package io.motley.cli.command;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.Map;

/**
 * Everything a command touches outside itself: streams, environment, working directory, the
 * cluster, the clock. Passing it in keeps the commands testable without processes or sockets.
 */
public record Io(
        PrintStream out,
        PrintStream err,
        InputStream in,
        boolean stdinIsTerminal,
        Map<String, String> env,
        String cwd,
        Gateway gateway,
        long nowSeconds,
        ZoneId zone,
        String hostname,
        String userName,
        int uid) {}
