package io.motley.controller.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throwaway PostgreSQL and MariaDB servers from Debian's packages, for the store's tests and the
 * end-to-end tests: a temporary data directory, a free port, loopback only, stopped by close().
 * {@link #postgresMissing()} and {@link #mariadbMissing()} say why one cannot be started here, for
 * the tests' Assumptions ({@code scripts/setup-test-host} installs both).
 */
public final class TestDatabases {
    private TestDatabases() {}

    /** One running server: its admin URL, and fresh databases made on it. */
    public abstract static class Instance implements AutoCloseable {
        final Path dir;
        public final int port;
        private final AtomicInteger made = new AtomicInteger();

        Instance(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        /** The JDBC URL of database {@code db} on this server. */
        public abstract String url(String db);

        /** The user to connect as (any password is accepted). */
        public abstract String user();

        abstract String adminDb();

        /** Creates an empty database and returns its URL. */
        public String newDatabase() throws SQLException {
            String name = "motley" + made.incrementAndGet();
            try (Connection c = DriverManager.getConnection(url(adminDb()), user(), "x");
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return url(name);
        }

        /** Stops the server (as a crash would: no clean shutdown), keeping its data. */
        public abstract void stop() throws IOException, InterruptedException;

        /** Starts it again on the same port and data. */
        public abstract void start() throws IOException, InterruptedException;

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                stop();
            } finally {
                deleteTree(dir);
            }
        }
    }

    // ---- PostgreSQL

    static Path postgresBin() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) return null;
        try (var dirs = Files.list(base)) {
            return dirs.map(d -> d.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Why a PostgreSQL cannot be started here, or null when it can. */
    public static String postgresMissing() {
        if (postgresBin() == null)
            return "PostgreSQL's initdb is not installed (/usr/lib/postgresql/*/bin; run scripts/setup-test-host)";
        if (!isRoot()) return "starting a throwaway PostgreSQL as user postgres needs root";
        if (!Files.isExecutable(Path.of("/usr/sbin/runuser")) && !Files.isExecutable(Path.of("/sbin/runuser")))
            return "runuser is missing";
        return null;
    }

    public static Instance postgres() throws IOException, InterruptedException {
        Path bin = postgresBin();
        Path dir = Files.createTempDirectory("motley-pg");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        run(List.of("chown", "postgres:", dir.toString()));
        Path data = dir.resolve("data");
        run(List.of(
                "runuser",
                "-u",
                "postgres",
                "--",
                bin.resolve("initdb").toString(),
                "-A",
                "trust",
                "-U",
                "motley",
                "--no-sync",
                "-D",
                data.toString()));
        int port = freePort();
        Instance pg = new Instance(dir, port) {
            @Override
            public String url(String db) {
                return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
            }

            @Override
            public String user() {
                return "motley";
            }

            @Override
            String adminDb() {
                return "postgres";
            }

            @Override
            public void start() throws IOException, InterruptedException {
                run(List.of(
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        dir.resolve("log").toString(),
                        "-w",
                        "-o",
                        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                        "start"));
            }

            @Override
            public void stop() throws IOException, InterruptedException {
                runQuietly(List.of(
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-m",
                        "immediate",
                        "-w",
                        "stop"));
            }
        };
        pg.start();
        return pg;
    }

    // ---- MariaDB

    /** Why a MariaDB cannot be started here, or null when it can. */
    public static String mariadbMissing() {
        if (!Files.isExecutable(Path.of("/usr/sbin/mariadbd"))
                || !Files.isExecutable(Path.of("/usr/bin/mariadb-install-db")))
            return "MariaDB (mariadbd, mariadb-install-db) is not installed (run scripts/setup-test-host)";
        if (!isRoot()) return "starting a throwaway MariaDB with --user=root needs root";
        return null;
    }

    public static Instance mariadb() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("motley-mariadb");
        Path data = dir.resolve("data");
        run(List.of(
                "/usr/bin/mariadb-install-db",
                "--no-defaults",
                "--user=root",
                "--datadir=" + data,
                "--auth-root-authentication-method=normal",
                "--skip-test-db"));
        int port = freePort();
        Instance m = new Instance(dir, port) {
            private Process server;

            @Override
            public String url(String db) {
                return "jdbc:mariadb://127.0.0.1:" + port + "/" + db;
            }

            @Override
            public String user() {
                return "root";
            }

            @Override
            String adminDb() {
                return "mysql";
            }

            @Override
            public void start() throws IOException, InterruptedException {
                server = new ProcessBuilder(
                                "/usr/sbin/mariadbd",
                                "--no-defaults",
                                "--user=root",
                                "--datadir=" + data,
                                "--socket=" + dir.resolve("sock"),
                                "--pid-file=" + dir.resolve("pid"),
                                "--port=" + port,
                                "--bind-address=127.0.0.1",
                                "--skip-grant-tables",
                                "--skip-log-bin",
                                "--innodb-flush-log-at-trx-commit=2",
                                "--innodb-buffer-pool-size=32M")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("log").toFile())
                        .start();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try (Connection c = DriverManager.getConnection(url("mysql"), "root", "x")) {
                        return;
                    } catch (SQLException e) {
                        if (!server.isAlive() || System.nanoTime() > until) {
                            throw new IOException("mariadbd did not start: " + Files.readString(dir.resolve("log")));
                        }
                        server.waitFor(100, TimeUnit.MILLISECONDS);
                    }
                }
            }

            @Override
            public void stop() throws InterruptedException {
                if (server == null) return;
                server.destroyForcibly();
                server.waitFor(30, TimeUnit.SECONDS);
                server = null;
            }
        };
        m.start();
        return m;
    }

    // ---- helpers

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    private static void runQuietly(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
