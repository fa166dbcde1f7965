package io.motley.agent.launch;

import io.motley.agent.enforcement.RootCommand;
import io.motley.core.job.Job;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whom a job runs as. An agent running as root runs each job as its submitter, as slurmd does:
 * that user's uid, the job's gid, the user's supplementary groups, and HOME, USER, LOGNAME and
 * SHELL from the passwd entry (root's own jobs too). Any other agent runs jobs as its own user,
 * with its own passwd entry's variables.
 */
final class JobIdentity {
    /** How privileges are dropped: setpriv(1) (util-linux), runuser(1), or perl where neither exists (macOS). */
    enum Method {
        SETPRIV("setpriv"),
        RUNUSER("runuser"),
        PERL("perl");

        final String tool;

        Method(String tool) {
            this.tool = tool;
        }
    }

    private static final String PERL_DROP = "my ($u, $g, $groups) = splice(@ARGV, 0, 3); $( = $g; $) = \"$g $groups\"; "
            + "($<, $>) = ($u, $u); die \"motley: cannot become uid $u\\n\" if $< != $u || $> != $u; "
            + "exec { $ARGV[0] } @ARGV or die \"motley: cannot run $ARGV[0]: $!\\n\";";

    final boolean drops;
    final int uid;
    final int gid;
    final String user;
    /** Words that run the rest of a command line as the job's user; empty when nothing is dropped. */
    final List<String> prefix;
    /** The passwd name whose groups the job takes (initgroups); null: the job's gid alone (no passwd entry). */
    final String initGroups;
    /** Variables the job's environment takes from the passwd entry. */
    final Map<String, String> environment;

    private JobIdentity(boolean drops, int uid, int gid, String user, List<String> prefix, Map<String, String> env) {
        this(drops, uid, gid, user, null, prefix, env);
    }

    private JobIdentity(
            boolean drops,
            int uid,
            int gid,
            String user,
            String initGroups,
            List<String> prefix,
            Map<String, String> env) {
        this.drops = drops;
        this.initGroups = initGroups;
        this.uid = uid;
        this.gid = gid;
        this.user = user;
        this.prefix = List.copyOf(prefix);
        this.environment = Map.copyOf(env);
    }

    /** The agent's own user, with its passwd entry's variables: jobs of an agent that is not root run as it. */
    static JobIdentity agent() {
        String name = System.getProperty("user.name");
        int uid = ownUid();
        return new JobIdentity(
                false,
                -1,
                -1,
                name,
                List.of(),
                passwdEnvironment(uid < 0 ? Optional.empty() : Passwd.lookup(uid), name));
    }

    /**
     * HOME, SHELL, USER and LOGNAME of passwd entry {@code pw} (USER and LOGNAME {@code name} where there is
     * none), which the job's environment takes over any it was submitted with, as slurmd gives them: a job
     * submitted with --export=NONE has them too.
     */
    private static Map<String, String> passwdEnvironment(Optional<Passwd> pw, String name) {
        Map<String, String> env = new LinkedHashMap<>();
        if (pw.isPresent()) {
            env.put("HOME", pw.get().home());
            env.put("SHELL", pw.get().shell());
        }
        String user = pw.map(Passwd::name).orElse(name);
        if (user != null) {
            env.put("USER", user);
            env.put("LOGNAME", user);
        }
        return env;
    }

    /** This process's uid, -1 where it cannot be known. */
    private static int ownUid() {
        try {
            return (int) new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    static JobIdentity of(Job job, boolean agentIsRoot) throws IOException {
        return of(job, agentIsRoot, available().orElse(null));
    }

    static JobIdentity of(Job job, boolean agentIsRoot, Method method) throws IOException {
        return of(job.id(), job.uid(), job.gid(), job.user(), agentIsRoot, method);
    }

    /** The submitter of job {@code id} by uid, gid and name (the name only where the uid has no passwd entry). */
    static JobIdentity of(long id, int uid, int jobGid, String user, boolean agentIsRoot) throws IOException {
        return of(id, uid, jobGid, user, agentIsRoot, available().orElse(null));
    }

    private static JobIdentity of(long id, int uid, int jobGid, String user, boolean agentIsRoot, Method method)
            throws IOException {
        if (!agentIsRoot) return agent();
        if (uid < 0) {
            throw new IOException("job " + id + " names no submitting uid; an agent running as root runs jobs only as"
                    + " their submitter");
        }
        if (uid == 0)
            return new JobIdentity(
                    false, 0, Math.max(0, jobGid), "root", List.of(), passwdEnvironment(Passwd.lookup(0), "root"));
        Optional<Passwd> pw = Passwd.lookup(uid);
        String name = pw.map(Passwd::name).orElse(user);
        int gid = jobGid >= 0 ? jobGid : pw.map(Passwd::gid).orElse(uid);
        Map<String, String> env = passwdEnvironment(pw, name);
        if (method == null) {
            throw new IOException(
                    "cannot run job " + id + " as " + name + ": none of setpriv, runuser or perl is installed");
        }
        String tool = find(method.tool)
                .orElseThrow(() -> new IOException("cannot run job " + id + " as " + name + ": " + method.tool
                        + " is not installed in /usr/bin, /bin, /usr/sbin, /sbin or /usr/local/bin"));
        List<String> prefix = switch (method) {
            case SETPRIV ->
                List.of(
                        tool,
                        "--reuid=" + uid,
                        "--regid=" + gid,
                        pw.isPresent() ? "--init-groups" : "--clear-groups",
                        "--");
            case RUNUSER -> List.of(tool, "-u", name, "--");
            case PERL ->
                List.of(
                        tool,
                        "-e",
                        PERL_DROP,
                        Integer.toString(uid),
                        Integer.toString(gid),
                        String.join(" ", groups(name, gid)));
        };
        return new JobIdentity(true, uid, gid, name, pw.isPresent() ? name : null, prefix, env);
    }

    /** The first way to drop privileges this host has. */
    static Optional<Method> available() {
        for (Method m : Method.values()) {
            if (find(m.tool).isPresent()) return Optional.of(m);
        }
        return Optional.empty();
    }

    /** A program by its absolute path in the system's own directories (never the PATH of anyone). */
    static Optional<String> find(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            File f = new File(dir, tool);
            if (f.canExecute()) return Optional.of(f.getPath());
        }
        return Optional.empty();
    }

    /** The user's groups as id(1) lists them, with the job's gid first. */
    private static List<String> groups(String name, int gid) {
        List<String> out = new ArrayList<>(List.of(Integer.toString(gid)));
        Optional<String> id = find("id");
        if (id.isEmpty()) return out;
        try {
            Process p = RootCommand.of(id.get(), "-G", name)
                    .redirectErrorStream(true)
                    .start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                for (String g : text.split("\\s+")) {
                    if (!g.isEmpty() && !out.contains(g)) out.add(g);
                }
            }
        } catch (IOException e) {
            // only the job's gid then
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** A passwd entry, looked up through NSS (getent) where possible, else /etc/passwd. */
    record Passwd(String name, int uid, int gid, String home, String shell) {
        /** How long an entry looked up is kept: a job launch need not ask NSS (a getent process) each time. */
        static final long KEPT_NANOS = TimeUnit.SECONDS.toNanos(60);

        private record Kept(Optional<Passwd> entry, long at) {}

        private static final java.util.concurrent.ConcurrentHashMap<Integer, Kept> CACHE =
                new java.util.concurrent.ConcurrentHashMap<>();

        /** {@code uid}'s entry, looked up again once {@link #KEPT_NANOS} old. */
        static Optional<Passwd> lookup(int uid) {
            long now = System.nanoTime();
            Kept k = CACHE.get(uid);
            if (k != null && now - k.at() < KEPT_NANOS) return k.entry();
            Optional<Passwd> found = lookupNow(uid);
            if (CACHE.size() > 10_000) CACHE.clear();
            CACHE.put(uid, new Kept(found, now));
            return found;
        }

        private static Optional<Passwd> lookupNow(int uid) {
            Optional<String> getent = find("getent");
            if (getent.isPresent()) {
                try {
                    Process p = RootCommand.of(getent.get(), "passwd", Integer.toString(uid))
                            .redirectErrorStream(true)
                            .start();
                    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) return parse(text);
                    return Optional.empty();
                } catch (IOException e) {
                    // fall through to the file
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
            // macOS: no getent, and /etc/passwd holds only system accounts (users live in its directory
            // service); id -P asks the directory service and prints the entry as master.passwd does
            Optional<String> id = find("id");
            if (System.getProperty("os.name", "").startsWith("Mac") && id.isPresent()) {
                try {
                    Process p = RootCommand.of(id.get(), "-P", Integer.toString(uid))
                            .redirectErrorStream(true)
                            .start();
                    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        Optional<Passwd> pw = parse(text);
                        if (pw.isPresent() && pw.get().uid() == uid) return pw;
                    }
                } catch (IOException e) {
                    // fall through to the file
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
            try {
                for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                    Optional<Passwd> p = parse(line);
                    if (p.isPresent() && p.get().uid() == uid) return p;
                }
            } catch (IOException ignored) {
                // no passwd file (macOS keeps users in its directory service)
            }
            return Optional.empty();
        }

        /**
         * A passwd(5) line ({@code name:pw:uid:gid:gecos:home:shell}), or a BSD master.passwd one as
         * macOS's {@code id -P} prints it ({@code name:pw:uid:gid:class:change:expire:gecos:home:shell}).
         */
        static Optional<Passwd> parse(String line) {
            String[] f = line.strip().split(":", -1);
            if (f.length != 7 && f.length != 10) return Optional.empty();
            int home = f.length == 10 ? 8 : 5;
            try {
                return Optional.of(new Passwd(
                        f[0],
                        Integer.parseInt(f[2]),
                        Integer.parseInt(f[3]),
                        f[home].isEmpty() ? "/" : f[home],
                        f[home + 1].isEmpty() ? "/bin/sh" : f[home + 1]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
