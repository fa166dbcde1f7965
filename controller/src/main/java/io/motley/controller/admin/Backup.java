package io.motley.controller.admin;

import io.motley.core.config.ClusterConfig;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.options.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code motley backup [--to DIR]} and {@code motley restore DIR [--force]}: a consistent copy of
 * a controller's state taken while it runs, and the way back (docs/backup.md).
 *
 * <p>A backup holds the job database (the embedded SQLite file through {@code VACUUM INTO}, one
 * read transaction, so the copy is consistent while the controller keeps committing; for
 * PostgreSQL or MariaDB a {@code pg_dump}/{@code mariadb-dump --single-transaction} of it), the
 * job-id high-water mark (copied after the database, so it is never below an id the copy holds)
 * and everything in {@code etc/}: motley.conf, the cluster key or CA and certificates, the
 * database pass file. A manifest lists each file with its SHA-256, and restore checks every one
 * before it changes anything. The directory is 0700 and its files 0600: it holds the CA's key.
 *
 * <p>Restore refuses while a controller runs on the home, and refuses to replace an existing
 * database unless {@code --force}, which moves the old state aside (never deletes it). Job ids
 * never go back: the restored mark is the higher of the backup's and the one already there.
 */
public final class Backup {
    static final String MANIFEST = "MANIFEST";
    static final String FORMAT = "motley-backup 1";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.value('\0', "to"),
            OptionSpec.value('\0', "home"),
            OptionSpec.flag('\0', "force"),
            OptionSpec.flag('h', "help"));

    private final Path home;
    private final PrintStream out;

    Backup(Path home, PrintStream out) {
        this.home = home.toAbsolutePath().normalize();
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || !(args.get(0).equals("backup") || args.get(0).equals("restore"))) {
            err.println("usage: motley backup [--to DIR] | motley restore DIR [--force]");
            return 2;
        }
        String verb = args.get(0);
        try {
            GetOpt.Parsed p = new GetOpt("motley " + verb, OPTIONS, false).parse(args.subList(1, args.size()));
            if (p.has("help")) {
                out.println(verb.equals("backup") ? BACKUP_HELP : RESTORE_HELP);
                return 0;
            }
            Path home = Path.of(
                    p.has("home")
                            ? p.last("home")
                            : System.getenv()
                                    .getOrDefault("MOTLEY_HOME", System.getProperty("user.home") + "/.motley"));
            Backup b = new Backup(home, out);
            if (verb.equals("backup")) {
                if (!p.operands().isEmpty())
                    throw new UsageException(
                            "unexpected argument: " + p.operands().get(0), 2, false);
                Path to = p.has("to") ? Path.of(p.last("to")) : b.defaultTarget();
                b.backup(to);
            } else {
                if (p.operands().size() != 1)
                    throw new UsageException("restore takes one directory: motley restore DIR", 2, false);
                b.restore(Path.of(p.operands().get(0)), p.has("force"));
            }
            return 0;
        } catch (UsageException e) {
            err.println("motley " + verb + ": " + e.getMessage());
            return e.exitCode();
        } catch (Failure e) {
            err.println("motley " + verb + ": error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("motley " + verb + ": error: " + e);
            return 1;
        }
    }

    /** A refusal or failure, in words for the operator. */
    static final class Failure extends Exception {
        Failure(String why) {
            super(why);
        }
    }

    Path defaultTarget() {
        return home.resolve("backups")
                .resolve("backup-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    ClusterConfig config() throws IOException, Failure {
        Path conf = home.resolve("etc/motley.conf");
        if (!Files.exists(conf)) return ClusterConfig.defaults();
        try {
            return ClusterConfig.parse(Files.readString(conf));
        } catch (IllegalArgumentException e) {
            throw new Failure(conf + ": " + e.getMessage());
        }
    }

    /** Takes a backup of the controller's state into {@code to}, which must not exist or be empty. */
    void backup(Path to) throws IOException, Failure {
        Path target = to.toAbsolutePath().normalize();
        if (target.startsWith(home.resolve("state")) || target.startsWith(home.resolve("etc")))
            throw new Failure("the backup cannot go inside " + home.resolve("state") + " or " + home.resolve("etc"));
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
                throw new Failure(target + " exists and is not a directory");
            try (Stream<Path> s = Files.list(target)) {
                if (s.findAny().isPresent()) throw new Failure(target + " is not empty");
            }
        }
        Files.createDirectories(target.getParent());
        if (!Files.exists(target)) {
            Files.createDirectory(
                    target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        ClusterConfig config = config();
        ClusterConfig.Storage storage = config.storage();
        String kind;
        if (storage.embedded()) {
            Path db = home.resolve("state/motley.db");
            if (!Files.isRegularFile(db)) throw new Failure("no job database at " + db + ": nothing to back up");
            snapshotSqlite(db, target.resolve("state/motley.db"));
            kind = "sqlite";
        } else {
            kind = ServerDump.kind(storage.url());
            new ServerDump(storage, passFile(storage)).dump(target.resolve("state/database.sql"));
        }
        // after the database: the mark is then at or above every id the copy holds
        Path mark = home.resolve("state/job-ids");
        if (Files.exists(mark)) copyPrivate(mark, target.resolve("state/job-ids"));
        Path etc = home.resolve("etc");
        if (Files.isDirectory(etc)) copyTree(etc, target.resolve("etc"));
        Map<String, String> sums = checksums(target);
        StringBuilder m = new StringBuilder(FORMAT + "\n");
        m.append("created ").append(java.time.Instant.now()).append('\n');
        m.append("cluster ").append(config.clusterName()).append('\n');
        m.append("storage ").append(kind).append('\n');
        m.append("home ").append(home).append('\n');
        sums.forEach((path, sum) ->
                m.append("file ").append(sum).append(' ').append(path).append('\n'));
        writePrivate(target.resolve(MANIFEST), m.toString());
        out.println("backup of " + home + " (" + kind + ", " + sums.size() + " files) in " + target);
    }

    /** Restores {@code from} into this home. */
    void restore(Path from, boolean force) throws IOException, Failure {
        Path src = from.toAbsolutePath().normalize();
        Path manifest = src.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) throw new Failure(src + " is not a Motley backup (no " + MANIFEST + ")");
        List<String> lines = Files.readAllLines(manifest);
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT))
            throw new Failure(manifest + ": not a backup this version can read (first line: "
                    + (lines.isEmpty() ? "none" : lines.get(0)) + ")");
        Map<String, String> listed = new LinkedHashMap<>();
        String kind = null;
        for (String l : lines.subList(1, lines.size())) {
            if (l.startsWith("file ")) {
                String[] w = l.split(" ", 3);
                if (w.length != 3) throw new Failure(manifest + ": bad line: " + l);
                listed.put(w[2], w[1]);
            } else if (l.startsWith("storage ")) {
                kind = l.substring(8).trim();
            }
        }
        // every file checked before anything changes
        Map<String, String> found = checksums(src);
        found.remove(MANIFEST);
        for (var e : listed.entrySet()) {
            String sum = found.get(e.getKey());
            if (sum == null) throw new Failure("the backup lacks " + e.getKey() + " (listed in its manifest)");
            if (!sum.equals(e.getValue()))
                throw new Failure(e.getKey() + " does not match its checksum: the backup is damaged");
        }
        for (String f : found.keySet()) {
            if (!listed.containsKey(f)) throw new Failure(f + " is in the backup directory but not in its manifest");
        }
        refuseWhileControllerRuns();
        Path state = home.resolve("state");
        boolean embedded = "sqlite".equals(kind);
        if (embedded && Files.exists(state.resolve("motley.db"))) {
            if (!force)
                throw new Failure(state.resolve("motley.db") + " exists: restore would replace it; give --force"
                        + " (the present state is then moved aside, not deleted)");
        }
        long markHere = readMark(state.resolve("job-ids"));
        if (force && Files.exists(state)) {
            Path aside = home.resolve(
                    "state.replaced-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.move(state, aside);
            out.println("moved the present state aside to " + aside);
        }
        if (Files.isDirectory(src.resolve("etc"))) {
            Path etc = home.resolve("etc");
            Files.createDirectories(etc);
            Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwx------"));
            copyTree(src.resolve("etc"), etc);
        }
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        if (embedded) {
            copyPrivate(src.resolve("state/motley.db"), state.resolve("motley.db"));
        } else {
            ClusterConfig.Storage storage = config().storage();
            if (storage.embedded())
                throw new Failure(
                        "the backup is of a " + kind + " database but the restored motley.conf has no" + " StorageURL");
            new ServerDump(storage, passFile(storage)).load(src.resolve("state/database.sql"));
        }
        long mark = Math.max(markHere, readMark(src.resolve("state/job-ids")));
        if (mark > 0) writePrivate(state.resolve("job-ids"), mark + "\n");
        out.println("restored " + home + " from " + src + " (" + kind + ")");
        out.println("start the controller (motley up, or motley controller --home " + home
                + "); the agents reconnect by themselves");
    }

    private Path passFile(ClusterConfig.Storage s) {
        return s.passFile() == null ? null : home.resolve("etc").resolve(s.passFile());
    }

    private void refuseWhileControllerRuns() throws IOException, Failure {
        Path pid = home.resolve("run/controller.pid");
        if (!Files.exists(pid)) return;
        String text = Files.readString(pid).trim();
        try {
            long p = Long.parseLong(text);
            if (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                throw new Failure("a controller runs on " + home + " (pid " + p + "): stop it first (motley down)");
        } catch (NumberFormatException e) {
            // not a pid: no controller wrote it
        }
    }

    private static long readMark(Path mark) throws IOException {
        if (!Files.exists(mark)) return 0;
        try {
            return Long.parseLong(Files.readString(mark).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The SQLite file as one consistent read of it, while its controller goes on writing. */
    static void snapshotSqlite(Path db, Path into) throws IOException, Failure {
        Files.createDirectories(into.getParent());
        Files.setPosixFilePermissions(into.getParent(), PosixFilePermissions.fromString("rwx------"));
        if (into.toString().contains("'")) throw new Failure("the backup path may not contain a quote: " + into);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("VACUUM INTO '" + into + "'");
        } catch (SQLException e) {
            throw new Failure("cannot copy the job database " + db + ": " + e.getMessage());
        }
        Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rw-------"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) continue;
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwx------"));
                } else if (Files.isRegularFile(p)) {
                    copyPrivate(p, t);
                }
            }
        }
    }

    private static void copyPrivate(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Path tmp = to.resolveSibling(to.getFileName() + ".part");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        // into the 0600 file made above (Files.copy with REPLACE_EXISTING would make a new one, umask's)
        try (InputStream in = Files.newInputStream(from);
                var os = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            in.transferTo(os);
        }
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writePrivate(Path to, String text) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".part");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Every regular file under {@code dir} (relative path, '/'-separated) with its SHA-256, in path order. */
    static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (rel.equals(MANIFEST)) continue;
                out.put(rel, sha256(p));
            }
        }
        return out;
    }

    private static String sha256(Path p) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** PostgreSQL or MariaDB: their own dump and load tools, with the password from the pass file. */
    static final class ServerDump {
        private final ClusterConfig.Storage storage;
        private final Path passFile;

        ServerDump(ClusterConfig.Storage storage, Path passFile) {
            this.storage = storage;
            this.passFile = passFile;
        }

        static String kind(String url) {
            return url.startsWith("jdbc:postgresql://") ? "postgresql" : "mariadb";
        }

        /** host, port, database of a jdbc:KIND://HOST:PORT/DB URL (query parameters dropped). */
        static String[] parts(String url) throws Failure {
            String rest = url.substring(url.indexOf("://") + 3);
            int q = rest.indexOf('?');
            if (q >= 0) rest = rest.substring(0, q);
            int slash = rest.indexOf('/');
            if (slash < 0) throw new Failure("StorageURL names no database: " + url);
            String hostPort = rest.substring(0, slash);
            String db = rest.substring(slash + 1);
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            String port =
                    colon < 0 ? (kind(url).equals("postgresql") ? "5432" : "3306") : hostPort.substring(colon + 1);
            return new String[] {host, port, db};
        }

        void dump(Path into) throws IOException, Failure {
            Files.createDirectories(into.getParent());
            String[] p = parts(storage.url());
            List<String> cmd = new ArrayList<>();
            if (kind(storage.url()).equals("postgresql")) {
                cmd.addAll(List.of(tool("pg_dump"), "--no-owner", "--no-privileges", "-h", p[0], "-p", p[1]));
                if (storage.user() != null) cmd.addAll(List.of("-U", storage.user()));
                cmd.addAll(List.of("-f", into.toString(), p[2]));
            } else {
                cmd.addAll(List.of(tool("mariadb-dump"), "--single-transaction", "-h", p[0], "-P", p[1]));
                if (storage.user() != null) cmd.add("--user=" + storage.user());
                cmd.addAll(List.of("--result-file=" + into, p[2]));
            }
            exec(cmd, null);
            Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rw-------"));
        }

        void load(Path dump) throws IOException, Failure {
            String[] p = parts(storage.url());
            List<String> cmd = new ArrayList<>();
            if (kind(storage.url()).equals("postgresql")) {
                cmd.addAll(List.of(tool("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", p[0], "-p", p[1]));
                if (storage.user() != null) cmd.addAll(List.of("-U", storage.user()));
                cmd.addAll(List.of("-f", dump.toString(), p[2]));
                exec(cmd, null);
            } else {
                cmd.addAll(List.of(tool("mariadb"), "-h", p[0], "-P", p[1]));
                if (storage.user() != null) cmd.add("--user=" + storage.user());
                cmd.add(p[2]);
                exec(cmd, dump);
            }
        }

        private void exec(List<String> cmd, Path stdin) throws IOException, Failure {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (stdin != null) pb.redirectInput(stdin.toFile());
            if (passFile != null) {
                String pw = Files.readAllLines(passFile).stream().findFirst().orElse("");
                // both tools read the password from their environment, never from the command line
                pb.environment().put(kind(storage.url()).equals("postgresql") ? "PGPASSWORD" : "MYSQL_PWD", pw);
            }
            Process proc = pb.start();
            String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!proc.waitFor(10, TimeUnit.MINUTES)) {
                    proc.destroyForcibly();
                    throw new Failure(cmd.get(0) + " did not finish in 10 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
            if (proc.exitValue() != 0)
                throw new Failure(Path.of(cmd.get(0)).getFileName() + " failed (exit " + proc.exitValue() + "): "
                        + output.strip());
        }

        /** The tool on PATH, or PostgreSQL's versioned directory on Debian. */
        static String tool(String name) {
            for (String dir :
                    System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name)))
                    return Path.of(dir, name).toString();
            }
            try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
                for (Path v : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Path t = v.resolve("bin").resolve(name);
                    if (Files.isExecutable(t)) return t.toString();
                }
            } catch (IOException e) {
                // no PostgreSQL here
            }
            return name;
        }
    }

    static final String BACKUP_HELP = """
            usage: motley backup [--to DIR] [--home HOME]
              A consistent copy of the controller's state, taken while it runs: the job database
              (SQLite: VACUUM INTO; PostgreSQL/MariaDB: pg_dump / mariadb-dump --single-transaction),
              the job-id mark and etc/ (motley.conf, keys, certificates). DIR must not exist or be
              empty; the default is HOME/backups/backup-YYYYMMDD-HHMMSS. It holds the cluster's keys:
              keep it private (it is made 0700). docs/backup.md has the restore drill.""";

    static final String RESTORE_HELP = """
            usage: motley restore DIR [--home HOME] [--force]
              Brings a controller's state back from a backup: checks every file against the
              manifest, then restores etc/ and the database. Refused while a controller runs on
              HOME, and over an existing database without --force (which moves it aside). Job ids
              never go back. Start the controller afterwards; agents reconnect by themselves.""";
}
