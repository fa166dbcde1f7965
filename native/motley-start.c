/*
 * motley-start: how the agent's jobs and step tasks become themselves, in one exec.
 *
 * The agent (often root) runs it with its own fixed environment and every value on the command
 * line; it does, in this order, what the entry script's chain of programs (setsid, a shell writing
 * cgroup.procs, taskset, setpriv, env -i, a second shell) does, then execs the job's program:
 *   1. joins the job's containment: writes its own pid into each -J file (cgroup.procs);
 *   2. binds itself to the CPUs of -C (Linux; elsewhere nothing binds);
 *   3. sets the umask of -m;
 *   4. with -S, a session of its own and slurmstepd's signals (INT TERM TSTP QUIT PIPE USR1 USR2
 *      ALRM HUP) at their defaults, none blocked;
 *   5. with -o/-O, stdout/stderr appended to the agent's own spool files (opened with its rights);
 *   6. opens the job's environment file -f (NAME=VALUE entries, each ended by a NUL byte), which
 *      only the agent can open;
 *   7. with -u/-g, becomes the job's user: supplementary groups (initgroups of -n's name, or none),
 *      then gid, then uid, and checks that none of root's rights is left;
 *   8. as that user only: reads the environment (nothing of it is in the environment of a process
 *      with the agent's rights), starts from an empty environment with -E's entries, the file's,
 *      and SLURM_TASK_PID (this pid, which exec keeps); opens -1/-2 (truncated, or appended with
 *      -a), so they are the user's own files; enters -d (or /tmp, saying so);
 *   9. with -t ROWSxCOLS (srun --pty on another node than srun), still as the user: opens a
 *      pseudo-terminal of that size and forks; the child takes the terminal as its controlling
 *      terminal and stdin, stdout and stderr, in a session of its own, and goes on to 10; this
 *      process relays its stdin to the terminal and the terminal to its stdout until the child
 *      ends, then ends as the child did; with -w FILE (opened with the agent's rights before 7), on
 *      each SIGWINCH it reads "ROWS COLS" from FILE and gives the terminal that size (srun's
 *      terminal was resized), which sends the terminal's program its own SIGWINCH;
 *  10. execs the program (found on the job's PATH when its name has no slash).
 * What fails before 9 is said on stderr as "motley: ..."; a failed join or binding is said and
 * the job goes on, as the shell chain did; a failed privilege drop ends here with status 1. The
 * agent never passes anything a user named to a step before 7 except as data to write.
 * Portable C99 and POSIX; the CPU binding is Linux's sched_setaffinity, skipped elsewhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#ifdef __linux__
#include <sched.h>
#endif

#define MAX_LIST 64

static void say(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "motley: ");
    fprintf(stderr, fmt, a ? a : "", b ? b : "");
    fputc('\n', stderr);
}

static void die(const char *fmt, const char *a, const char *b) {
    say(fmt, a, b);
    exit(1);
}

/* Writes the whole of s to fd; 0 on success. */
static int write_all(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void join(const char *file) {
    char pid[32];
    snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    int fd = open(file, O_WRONLY);
    if (fd < 0 || write_all(fd, pid, strlen(pid)) != 0) {
        fprintf(stderr, "motley: cannot put the job into %s: %s\n", file, strerror(errno));
    }
    if (fd >= 0) close(fd);
}

/* CPU list "0,2-3". */
static void bind_cpus(const char *list, const char *job) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    const char *p = list;
    while (*p) {
        char *end;
        long lo = strtol(p, &end, 10), hi = lo;
        if (end == p) break;
        if (*end == '-') {
            p = end + 1;
            hi = strtol(p, &end, 10);
        }
        for (long c = lo; c <= hi && c < CPU_SETSIZE; c++) CPU_SET((int)c, &set);
        p = *end == ',' ? end + 1 : end;
    }
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fprintf(stderr, "motley: cannot bind job %s to its CPUs\n", job);
#else
    (void)list;
    (void)job;
#endif
}

static void session(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGTSTP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0 && getpgrp() != getpid()) say("cannot start a session: %s", strerror(errno), NULL);
}

/* Appends to an agent's spool file, onto fd. */
static void spool_output(const char *path, int fd) {
    int f = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (f < 0) die("cannot open %s: %s", path, strerror(errno));
    if (f != fd) {
        dup2(f, fd);
        close(f);
    }
}

static void become(long uid, long gid, const char *name) {
    char who[64];
    snprintf(who, sizeof who, "uid %ld gid %ld", uid, gid);
    if (name) {
        if (initgroups(name, (gid_t)gid) != 0) die("cannot set the groups of %s: %s", name, strerror(errno));
    } else {
        gid_t g = (gid_t)gid;
        if (setgroups(1, &g) != 0) die("cannot set the groups of %s: %s", who, strerror(errno));
    }
    if (setgid((gid_t)gid) != 0) die("cannot become %s: %s", who, strerror(errno));
    if (setuid((uid_t)uid) != 0) die("cannot become %s: %s", who, strerror(errno));
    if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid || getgid() != (gid_t)gid || getegid() != (gid_t)gid)
        die("cannot become %s: %s", who, "the ids did not change");
    if (uid != 0 && setuid(0) == 0) die("cannot become %s: %s", who, "root's rights are still there");
}

/* The whole of fd, NUL-terminated; *len its length. */
static char *slurp(int fd, size_t *len) {
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) die("out of memory%s%s", "", "");
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            if (!buf) die("out of memory%s%s", "", "");
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("cannot read the job's environment: %s", strerror(errno), NULL);
        if (r == 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* An entry NAME=VALUE replacing any earlier one of the same name. */
static void put(char ***env, size_t *n, size_t *cap, char *entry) {
    const char *eq = strchr(entry, '=');
    if (!eq || eq == entry) return;
    size_t k = (size_t)(eq - entry) + 1;
    for (size_t i = 0; i < *n; i++) {
        if (strncmp((*env)[i], entry, k) == 0) {
            (*env)[i] = entry;
            return;
        }
    }
    if (*n + 2 > *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *env = realloc(*env, *cap * sizeof **env);
        if (!*env) die("out of memory%s%s", "", "");
    }
    (*env)[(*n)++] = entry;
    (*env)[*n] = NULL;
}

static const char *lookup(char **env, const char *name) {
    size_t k = strlen(name);
    for (char **e = env; e && *e; e++) {
        if (strncmp(*e, name, k) == 0 && (*e)[k] == '=') return *e + k + 1;
    }
    return NULL;
}

static void open_output(const char *path, int fd, int append) {
    int f = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
    if (f < 0) {
        fprintf(stderr, "motley: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (f != fd) {
        dup2(f, fd);
        close(f);
    }
}

/* execve of prog, searched on the job's PATH when it has no slash, as sh's exec does. */
static void run(char **argv, char **env) {
    const char *prog = argv[0];
    int err = ENOENT;
    if (strchr(prog, '/')) {
        execve(prog, argv, env);
        err = errno;
    } else {
        const char *path = lookup(env, "PATH");
        if (!path) path = "/usr/local/bin:/usr/bin:/bin";
        char cand[PATH_MAX];
        while (1) {
            const char *end = strchr(path, ':');
            size_t dl = end ? (size_t)(end - path) : strlen(path);
            if (dl == 0) {
                snprintf(cand, sizeof cand, "./%s", prog);
            } else {
                snprintf(cand, sizeof cand, "%.*s/%s", (int)dl, path, prog);
            }
            execve(cand, argv, env);
            /* sh goes on past a name that is not there; a program it found but could not run is the answer */
            if (errno != ENOENT && errno != ENOTDIR) err = errno;
            if (!end) break;
            path = end + 1;
        }
    }
    if (err == ENOENT) {
        fprintf(stderr, "motley-job: exec: %s: not found\n", prog);
        exit(127);
    }
    fprintf(stderr, "motley-job: exec: %s: %s\n", prog, strerror(err));
    exit(126);
}

/*
 * Written by the SIGCHLD and SIGWINCH handlers: the relay's poll wakes when the terminal's program has ended ('c')
 * or the terminal's size is to change ('w').
 */
static int child_pipe[2] = {-1, -1};
/* -w's file, open from before the privileges were dropped; -1: none. */
static int winsize_fd = -1;

static void child_ended(int sig) {
    int saved = errno;
    char c = sig == SIGWINCH ? 'w' : 'c';
    if (write(child_pipe[1], &c, 1) < 0) { /* the pipe is full: the relay wakes anyway */ }
    errno = saved;
}

/* Gives the terminal the size -w's file holds now ("ROWS COLS"); a file that cannot be read changes nothing. */
static void resize(int slave) {
    char text[64];
    ssize_t n = pread(winsize_fd, text, sizeof text - 1, 0);
    if (n <= 0) return;
    text[n] = 0;
    unsigned rows = 0, cols = 0;
    if (sscanf(text, "%u %u", &rows, &cols) != 2 || rows == 0 || cols == 0 || rows > 9999 || cols > 9999) return;
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = (unsigned short)rows;
    ws.ws_col = (unsigned short)cols;
    ioctl(slave, TIOCSWINSZ, &ws);
}

/* Reads what fd has now (-1 at its end or on an error). */
static ssize_t take(int fd, char *buf, size_t cap) {
    ssize_t n;
    do {
        n = read(fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    return n > 0 ? n : -1;
}

/*
 * The relay of -t: stdin to the terminal's master m, m to stdout, until child has ended and what it
 * wrote has been read; then ends as the child ended. At the end of stdin the terminal is sent its
 * end-of-file character once (a shell reading it ends), as a terminal's user would type it.
 */
static void relay(int m, int slave, pid_t child) {
    char buf[16384];
    int in_open = 1, status = 0;
    for (;;) {
        struct pollfd p[3] = {{child_pipe[0], POLLIN, 0}, {m, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (poll(p, in_open ? 3 : 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents) {
            ssize_t n = take(m, buf, sizeof buf);
            if (n > 0 && write_all(STDOUT_FILENO, buf, (size_t)n) != 0) { /* no one reads: the output is lost */ }
        }
        if (in_open && p[2].revents) {
            ssize_t n = take(STDIN_FILENO, buf, sizeof buf);
            if (n > 0) {
                write_all(m, buf, (size_t)n);
            } else {
                struct termios t;
                char eof = tcgetattr(slave, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
                write_all(m, &eof, 1);
                in_open = 0;
            }
        }
        if (p[0].revents) {
            char why[64];
            ssize_t k;
            int winch = 0;
            while ((k = read(child_pipe[0], why, sizeof why)) > 0)
                for (ssize_t j = 0; j < k; j++) winch |= why[j] == 'w';
            if (winch && winsize_fd >= 0) resize(slave);
            if (waitpid(child, &status, WNOHANG) == child) break;
        }
    }
    /*
     * What the child wrote before it ended, which may still be on its way through the terminal: read until the
     * terminal has no writer left (its end), or until it has been quiet for a tenth of a second (what the child
     * left running may hold it open for ever).
     */
    close(slave);
    struct pollfd q = {m, POLLIN, 0};
    while (poll(&q, 1, 100) > 0) {
        ssize_t n = take(m, buf, sizeof buf);
        if (n <= 0) break;
        write_all(STDOUT_FILENO, buf, (size_t)n);
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        kill(getpid(), sig);
        exit(128 + sig);
    }
    exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* -t ROWSxCOLS: returns in the child, on the new terminal; the parent relays and never returns. */
static void terminal(const char *size) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    unsigned rows = 24, cols = 80;
    if (sscanf(size, "%ux%u", &rows, &cols) != 2 || rows == 0 || cols == 0 || rows > 9999 || cols > 9999) {
        rows = 24;
        cols = 80;
    }
    ws.ws_row = (unsigned short)rows;
    ws.ws_col = (unsigned short)cols;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) die("cannot open a terminal: %s%s", strerror(errno), NULL);
    char name[PATH_MAX];
    const char *pts = ptsname(m);
    if (!pts) die("cannot open a terminal: %s%s", strerror(errno), NULL);
    snprintf(name, sizeof name, "%s", pts);
    /* held open here too, so the master never reads as ended before the child has opened it */
    int slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) die("cannot open the terminal %s: %s", name, strerror(errno));
    ioctl(slave, TIOCSWINSZ, &ws);
    if (pipe(child_pipe) != 0) die("cannot make a pipe: %s%s", strerror(errno), NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = child_ended;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    if (winsize_fd >= 0) {
        sa.sa_flags = SA_RESTART;
        sigaction(SIGWINCH, &sa, NULL);
        /* a size written before the handler was there */
        resize(slave);
    }
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) die("cannot fork: %s%s", strerror(errno), NULL);
    if (child == 0) {
        signal(SIGCHLD, SIG_DFL);
        signal(SIGWINCH, SIG_DFL);
        if (winsize_fd >= 0) close(winsize_fd);
        close(child_pipe[0]);
        close(child_pipe[1]);
        close(m);
        if (setsid() < 0) say("cannot start a session: %s", strerror(errno), NULL);
        int t = open(name, O_RDWR);
        if (t < 0) die("cannot open the terminal %s: %s", name, strerror(errno));
#ifdef TIOCSCTTY
        ioctl(t, TIOCSCTTY, 0);
#endif
        dup2(t, STDIN_FILENO);
        dup2(t, STDOUT_FILENO);
        dup2(t, STDERR_FILENO);
        if (t > STDERR_FILENO) close(t);
        close(slave);
        return;
    }
    fcntl(child_pipe[0], F_SETFL, fcntl(child_pipe[0], F_GETFL) | O_NONBLOCK);
    fcntl(child_pipe[1], F_SETFL, fcntl(child_pipe[1], F_GETFL) | O_NONBLOCK);
    relay(m, slave, child);
}

static void usage(void) {
    fprintf(stderr,
            "usage: motley-start [-J CGROUP_PROCS]... [-C CPUS] [-m UMASK] [-S] [-o SPOOL_OUT] [-O SPOOL_ERR]\n"
            "  [-u UID -g GID [-n USER]] -f ENV_FILE [-E NAME=VALUE]... [-1 OUT] [-2 ERR] [-a] [-d DIR]\n"
            "  [-j JOB] [-t ROWSxCOLS [-w WINSIZE_FILE]] -- PROGRAM [ARG]...\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *joins[MAX_LIST];
    char *seeds[MAX_LIST];
    size_t njoins = 0, nseeds = 0;
    const char *cpus = NULL, *umask_s = NULL, *spool_out = NULL, *spool_err = NULL, *name = NULL;
    const char *env_file = NULL, *out = NULL, *err = NULL, *dir = NULL, *job = "", *tty = NULL, *winsize = NULL;
    long uid = -1, gid = -1;
    int new_session = 0, append = 0, i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == 0 || a[2] != 0) usage();
        char o = a[1];
        if (o == 'S') {
            new_session = 1;
            continue;
        }
        if (o == 'a') {
            append = 1;
            continue;
        }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        switch (o) {
            case 'J': if (njoins < MAX_LIST) joins[njoins++] = v; break;
            case 'E': if (nseeds < MAX_LIST) seeds[nseeds++] = (char *)v; break;
            case 'C': cpus = v; break;
            case 'm': umask_s = v; break;
            case 'o': spool_out = v; break;
            case 'O': spool_err = v; break;
            case 'u': uid = strtol(v, NULL, 10); break;
            case 'g': gid = strtol(v, NULL, 10); break;
            case 'n': name = v; break;
            case 'f': env_file = v; break;
            case '1': out = v; break;
            case '2': err = v; break;
            case 'd': dir = v; break;
            case 'j': job = v; break;
            case 't': tty = v; break;
            case 'w': winsize = v; break;
            default: usage();
        }
    }
    if (i >= argc || !env_file || (uid >= 0) != (gid >= 0)) usage();
    char **prog = argv + i;

    for (size_t k = 0; k < njoins; k++) join(joins[k]);
    if (cpus && *cpus) bind_cpus(cpus, job);
    if (umask_s) umask((mode_t)strtol(umask_s, NULL, 8));
    if (new_session) session();
    if (spool_out) {
        spool_output(spool_out, STDOUT_FILENO);
        if (spool_err) {
            spool_output(spool_err, STDERR_FILENO);
        } else {
            dup2(STDOUT_FILENO, STDERR_FILENO);
        }
    }
    int envfd = open(env_file, O_RDONLY);
    if (envfd < 0) die("cannot open the job's environment %s: %s", env_file, strerror(errno));
    if (tty && winsize) {
        winsize_fd = open(winsize, O_RDONLY | O_CLOEXEC);
        if (winsize_fd < 0) say("cannot open the terminal's size file %s: %s", winsize, strerror(errno));
    }
    if (uid >= 0) become(uid, gid, name);

    /* the job's user from here on */
    size_t len;
    char *text = slurp(envfd, &len);
    close(envfd);
    char **env = NULL;
    size_t n = 0, cap = 0;
    for (size_t k = 0; k < nseeds; k++) put(&env, &n, &cap, seeds[k]);
    for (size_t p = 0; p < len;) {
        size_t l = strlen(text + p);
        if (l > 0) put(&env, &n, &cap, text + p);
        p += l + 1;
    }
    /* the seeds come last too: the job's own variables do not take the marker away */
    for (size_t k = 0; k < nseeds; k++) put(&env, &n, &cap, seeds[k]);
    /* a terminal's program is the child: SLURM_TASK_PID is its pid */
    if (tty) terminal(tty);
    char pid[48];
    snprintf(pid, sizeof pid, "SLURM_TASK_PID=%ld", (long)getpid());
    put(&env, &n, &cap, pid);
    if (out && *out) {
        open_output(out, STDOUT_FILENO, append);
        if (err && *err) {
            open_output(err, STDERR_FILENO, append);
        } else {
            dup2(STDOUT_FILENO, STDERR_FILENO);
        }
    }
    if (dir && chdir(dir) != 0) {
        fprintf(stderr, "motleystep: error: couldn't chdir to `%s': No such file or directory: going to /tmp instead\n",
                dir);
        dir = "/tmp";
        if (chdir(dir) != 0) fprintf(stderr, "motley: cannot enter /tmp: %s\n", strerror(errno));
    }
    /* as the shell of the chain this replaces did: PWD names where the job starts */
    char pwd[PATH_MAX + 8];
    if (dir) {
        snprintf(pwd, sizeof pwd, "PWD=%s", dir);
        put(&env, &n, &cap, pwd);
    }
    run(prog, env);
    return 127;
}
