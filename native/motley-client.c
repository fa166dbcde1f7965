/*
 * Motley's native client: the Slurm-named commands (sbatch, squeue, ...) at native speed.
 *
 * It holds no command logic. It hands the local agent its argument vector, environment, working
 * directory, umask and terminal state over the agent's Unix socket; the agent runs the same Java
 * command code the JVM client runs and sends back standard output, standard error and the exit
 * code. When the command needs a file (a batch script, --export-file) or standard input, the agent
 * asks and this process reads it with the caller's own permissions. The agent knows who we are
 * from the kernel (SO_PEERCRED), not from anything sent here.
 *
 * Anything this client cannot do (no socket, an agent that does not run commands, an interactive
 * command) goes to the JVM client, dist/bin/motley, so the answer is always the same.
 * MOTLEY_CLIENT=jvm or MOTLEY_CLIENT=native forces one path.
 *
 * The session's frames are described in protocol/.../local/CommandHost.java. Portable C99 and
 * POSIX; the one platform-specific call (finding our own executable) has a fallback.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#define _DARWIN_C_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

extern char **environ;

/* The session layout's version (CommandHost.VERSION). */
#define SESSION_VERSION "1"
/* The largest frame we accept from the agent (Bounds.ANSWERS). */
#define MAX_FRAME (256u * 1024u * 1024u)

static const char *command_name;
static char dist_dir[PATH_MAX];

/* ---- growable byte buffer ------------------------------------------------------------------ */

struct buf {
    unsigned char *data;
    size_t len, cap;
};

static void die_oom(void) {
    fprintf(stderr, "%s: error: out of memory\n", command_name);
    exit(1);
}

static void buf_need(struct buf *b, size_t more) {
    if (b->len + more <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d) die_oom();
    b->data = d;
    b->cap = cap;
}

static void buf_add(struct buf *b, const void *p, size_t n) {
    buf_need(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_u32(struct buf *b, uint32_t v) {
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
    buf_add(b, x, 4);
}

static void put_u32_at(struct buf *b, size_t at, uint32_t v) {
    b->data[at] = (unsigned char)(v >> 24);
    b->data[at + 1] = (unsigned char)(v >> 16);
    b->data[at + 2] = (unsigned char)(v >> 8);
    b->data[at + 3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* ---- frames: a 4-byte length, then field count, key/value strings, child count, children ---- */

/* A frame being written: fields are counted as they are added, children likewise. */
struct frame_out {
    struct buf *b;
    size_t count_at; /* where the field count goes */
    uint32_t fields;
};

static void frame_begin(struct frame_out *f, struct buf *b) {
    f->b = b;
    f->count_at = b->len;
    f->fields = 0;
    buf_u32(b, 0);
}

static void frame_field_kv(struct frame_out *f, const char *key, size_t k, const char *value, size_t n) {
    buf_u32(f->b, (uint32_t)k);
    buf_add(f->b, key, k);
    buf_u32(f->b, (uint32_t)n);
    buf_add(f->b, value, n);
    f->fields++;
}

static void frame_field(struct frame_out *f, const char *key, const char *value) {
    frame_field_kv(f, key, strlen(key), value, strlen(value));
}

/* Ends the fields; the caller then adds the child count and children. */
static void frame_end_fields(struct frame_out *f) {
    put_u32_at(f->b, f->count_at, f->fields);
}

/* Bytes as ISO-8859-1 characters in UTF-8: the frames' strings carry any byte that way. */
static void frame_field_bytes(struct frame_out *f, const char *key, const unsigned char *p, size_t n) {
    size_t k = strlen(key);
    buf_u32(f->b, (uint32_t)k);
    buf_add(f->b, key, k);
    size_t len_at = f->b->len;
    buf_u32(f->b, 0);
    buf_need(f->b, n * 2);
    unsigned char *o = f->b->data + f->b->len;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c < 0x80) {
            o[w++] = c;
        } else {
            o[w++] = (unsigned char)(0xC0 | (c >> 6));
            o[w++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    f->b->len += w;
    put_u32_at(f->b, len_at, (uint32_t)w);
    f->fields++;
}

/* One frame read from the agent: its fields (children, which answers do not have, are ignored). */
struct field {
    const unsigned char *key, *value;
    uint32_t klen, vlen;
};

struct frame_in {
    unsigned char *body;
    struct field *fields;
    uint32_t n;
};

static const struct field *field_of(const struct frame_in *f, const char *key) {
    size_t k = strlen(key);
    for (uint32_t i = 0; i < f->n; i++)
        if (f->fields[i].klen == k && memcmp(f->fields[i].key, key, k) == 0) return &f->fields[i];
    return NULL;
}

static int field_is(const struct frame_in *f, const char *key, const char *value) {
    const struct field *x = field_of(f, key);
    return x && x->vlen == strlen(value) && memcmp(x->value, value, x->vlen) == 0;
}

/* The field as a NUL-terminated string (a copy), or NULL. */
static char *field_str(const struct frame_in *f, const char *key) {
    const struct field *x = field_of(f, key);
    if (!x) return NULL;
    char *s = malloc(x->vlen + 1);
    if (!s) die_oom();
    memcpy(s, x->value, x->vlen);
    s[x->vlen] = 0;
    return s;
}

/* Decodes a bytes field (ISO-8859-1 characters in UTF-8) in place; returns its length in bytes. */
static size_t field_bytes(const struct field *x, unsigned char *out) {
    size_t w = 0;
    for (uint32_t i = 0; i < x->vlen; i++) {
        unsigned char c = x->value[i];
        if (c < 0x80) {
            out[w++] = c;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < x->vlen) {
            out[w++] = (unsigned char)(((c & 0x1F) << 6) | (x->value[++i] & 0x3F));
        } else {
            out[w++] = '?';
        }
    }
    return w;
}

static int write_all(int fd, const void *p, size_t n) {
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n) {
    unsigned char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) return 0;
        c += r;
        n -= (size_t)r;
    }
    return 1;
}

/* Sends the frame whose body is b (the length goes first). */
static int send_frame(int fd, struct buf *b) {
    unsigned char len[4] = {(unsigned char)(b->len >> 24), (unsigned char)(b->len >> 16), (unsigned char)(b->len >> 8),
                            (unsigned char)b->len};
    if (write_all(fd, len, 4) < 0) return -1;
    return write_all(fd, b->data, b->len);
}

/* Reads one frame; 1 on success, 0 when the agent closed, -1 on a malformed frame or error. */
static int read_frame(int fd, struct frame_in *f) {
    unsigned char len4[4];
    int r = read_all(fd, len4, 4);
    if (r <= 0) return r;
    uint32_t len = get_u32(len4);
    if (len > MAX_FRAME || len < 8) return -1;
    free(f->body);
    free(f->fields);
    f->body = malloc(len);
    if (!f->body) die_oom();
    if (read_all(fd, f->body, len) <= 0) return -1;
    uint32_t n = get_u32(f->body);
    if (n > len / 8) return -1;
    f->fields = calloc(n ? n : 1, sizeof(struct field));
    if (!f->fields) die_oom();
    f->n = n;
    size_t at = 4;
    for (uint32_t i = 0; i < n; i++) {
        for (int kv = 0; kv < 2; kv++) {
            if (at + 4 > len) return -1;
            uint32_t s = get_u32(f->body + at);
            at += 4;
            if (s > len - at) return -1;
            if (kv == 0) {
                f->fields[i].key = f->body + at;
                f->fields[i].klen = s;
            } else {
                f->fields[i].value = f->body + at;
                f->fields[i].vlen = s;
            }
            at += s;
        }
    }
    return 1;
}

/* ---- where things are ------------------------------------------------------------------------ */

/* Our own executable's real path; 0 on success. */
static int own_path(const char *argv0, char *out) {
#if defined(__linux__)
    ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);
    if (n > 0) {
        out[n] = 0;
        return 0;
    }
#elif defined(__APPLE__)
    char raw[PATH_MAX];
    uint32_t size = sizeof raw;
    if (_NSGetExecutablePath(raw, &size) == 0 && realpath(raw, out)) return 0;
#endif
    /* fallback: argv[0] as given, else found on PATH */
    if (strchr(argv0, '/')) return realpath(argv0, out) ? 0 : -1;
    const char *path = getenv("PATH");
    if (!path) return -1;
    char cand[PATH_MAX];
    while (*path) {
        const char *end = strchr(path, ':');
        size_t dl = end ? (size_t)(end - path) : strlen(path);
        if (dl == 0) {
            snprintf(cand, sizeof cand, "./%s", argv0);
        } else {
            snprintf(cand, sizeof cand, "%.*s/%s", (int)dl, path, argv0);
        }
        if (access(cand, X_OK) == 0 && realpath(cand, out)) return 0;
        if (!end) break;
        path = end + 1;
    }
    return -1;
}

/* dist/ from our executable, dist/target/bin/motley-client. */
static int find_dist(const char *argv0) {
    char exe[PATH_MAX];
    if (own_path(argv0, exe) != 0) return -1;
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash || slash == exe) return -1;
        *slash = 0;
    }
    snprintf(dist_dir, sizeof dist_dir, "%s", exe);
    return 0;
}

/* The JVM client: dist/bin/motley runs the command this process was called as. Does not return. */
static void run_jvm(char **argv) {
    char launcher[PATH_MAX + 16];
    snprintf(launcher, sizeof launcher, "%s/bin/motley", dist_dir);
    setenv("MOTLEY_JVM_COMMAND", command_name, 1);
    argv[0] = launcher;
    execv(launcher, argv);
    fprintf(stderr, "%s: error: cannot run the JVM client %s: %s\n", command_name, launcher, strerror(errno));
    exit(127);
}

/* The agent's socket, as AgentClient.socketPath finds it. */
static void socket_path(char *out, size_t size) {
    const char *s = getenv("MOTLEY_SOCKET");
    if (s && *s) {
        snprintf(out, size, "%s", s);
        return;
    }
    const char *home = getenv("MOTLEY_HOME");
    if (home && *home) {
        snprintf(out, size, "%s/run/agent.sock", home);
        return;
    }
    /* the JVM's user.home is the password entry's directory */
    struct passwd *pw = getpwuid(getuid());
    const char *h = pw && pw->pw_dir ? pw->pw_dir : getenv("HOME");
    snprintf(out, size, "%s/.motley/run/agent.sock", h ? h : "");
}

static const char *errno_name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "EIO";
    }
}

static int send_failure(int fd, int e) {
    struct buf b = {0};
    struct frame_out f;
    frame_begin(&f, &b);
    frame_field(&f, "op", "failed");
    frame_field(&f, "errno", errno_name(e));
    frame_field(&f, "message", strerror(e));
    frame_end_fields(&f);
    buf_u32(&b, 0);
    int r = send_frame(fd, &b);
    free(b.data);
    return r;
}

/* Sends op with a bytes field (or none when p is NULL). */
static int send_bytes(int fd, const char *op, const unsigned char *p, size_t n) {
    struct buf b = {0};
    struct frame_out f;
    frame_begin(&f, &b);
    frame_field(&f, "op", op);
    if (p) frame_field_bytes(&f, "bytes", p, n);
    frame_end_fields(&f);
    buf_u32(&b, 0);
    int r = send_frame(fd, &b);
    free(b.data);
    return r;
}

/* The agent asked for a file: read it as the caller, which is who we are. */
static int answer_read(int fd, const char *path) {
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return send_failure(fd, errno);
    struct buf data = {0};
    for (;;) {
        buf_need(&data, 65536);
        ssize_t r = read(in, data.data + data.len, data.cap - data.len);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(in);
            free(data.data);
            return send_failure(fd, e);
        }
        if (r == 0) break;
        data.len += (size_t)r;
    }
    close(in);
    int rc = send_bytes(fd, "file", data.data ? data.data : (const unsigned char *)"", data.len);
    free(data.data);
    return rc;
}

/* The agent asked to write a file (scontrol write batch_script): created as the caller, with its umask. */
static int answer_write(int fd, const char *path, const struct field *bytes) {
    unsigned char *data = malloc(bytes ? bytes->vlen + 1 : 1);
    if (!data) die_oom();
    size_t n = bytes ? field_bytes(bytes, data) : 0;
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        int e = errno;
        free(data);
        return send_failure(fd, e);
    }
    int w = write_all(out, data, n);
    int e = errno;
    free(data);
    if (close(out) < 0 && w == 0) {
        w = -1;
        e = errno;
    }
    if (w < 0) return send_failure(fd, e);
    return send_bytes(fd, "written", NULL, 0);
}

/*
 * The last archive packed for sbatch --stage-in: an unlinked temporary file of the caller's, read by
 * the agent a chunk at a time (op=pack-read) and gone when this process ends.
 */
static int packed_fd = -1;
static long long packed_len = 0;

/* Sends op=packed: the first missing path, or tar's status, what it said and the archive's size. */
static int send_packed(int fd, const char *missing, int status, const struct buf *said, long long size) {
    struct buf b = {0};
    struct frame_out f;
    frame_begin(&f, &b);
    frame_field(&f, "op", "packed");
    if (missing) {
        frame_field(&f, "missing", missing);
    } else {
        char s[32];
        snprintf(s, sizeof s, "%d", status);
        frame_field(&f, "status", s);
        frame_field_bytes(&f, "error", said->data ? said->data : (const unsigned char *)"", said->len);
        snprintf(s, sizeof s, "%lld", size);
        frame_field(&f, "size", s);
    }
    frame_end_fields(&f);
    buf_u32(&b, 0);
    int r = send_frame(fd, &b);
    free(b.data);
    return r;
}

/* Writes all of p to the archive file; -1 with errno on failure. */
static int packed_write(const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(packed_fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The agent reads the archive: up to max bytes (at most 1 MiB) from offset. */
static int answer_pack_read(int fd, const char *offset, const char *max) {
    if (packed_fd < 0) return send_failure(fd, EBADF);
    long long off = offset ? strtoll(offset, NULL, 10) : 0;
    long m = max ? strtol(max, NULL, 10) : 65536;
    if (m <= 0 || m > 1048576) m = 1048576;
    if (off < 0 || off > packed_len) off = packed_len;
    if ((long long)m > packed_len - off) m = (long)(packed_len - off);
    unsigned char *data = malloc(m > 0 ? (size_t)m : 1);
    if (!data) die_oom();
    size_t got = 0;
    while (got < (size_t)m) {
        ssize_t r = pread(packed_fd, data + got, (size_t)m - got, (off_t)(off + (long long)got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            free(data);
            return send_failure(fd, e);
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    int w = send_bytes(fd, "pack-data", data, got);
    free(data);
    return w;
}

/*
 * The agent asked for sbatch --stage-in's files: tar(1) packs them here, as the caller, which is
 * who we are, so what travels is what the caller may read. The archive goes to an unlinked
 * temporary file (in $TMPDIR, else /tmp) that the agent then reads in chunks; it is cut at
 * limit + 1 bytes (the command then says it is over the limit); what tar says is kept up to 64 KiB.
 */
static int answer_pack(int fd, const char *dir, const struct field *list, long limit) {
    size_t plen = list ? list->vlen : 0;
    char *paths = malloc(plen + 1);
    if (!paths) die_oom();
    if (plen) memcpy(paths, list->value, plen);
    paths[plen] = 0;
    size_t count = plen ? 1 : 0;
    for (size_t i = 0; i < plen; i++)
        if (paths[i] == 0) count++;
    char **argv = calloc(count + 7, sizeof *argv);
    if (!argv) die_oom();
    const char *tar = access("/usr/bin/tar", X_OK) == 0 ? "/usr/bin/tar" : "/bin/tar";
    size_t a = 0;
    argv[a++] = (char *)tar;
    argv[a++] = "-cf";
    argv[a++] = "-";
    argv[a++] = "-C";
    argv[a++] = (char *)dir;
    argv[a++] = "--";
    char *p = paths;
    for (size_t i = 0; i < count; i++) {
        char full[PATH_MAX];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, p);
        if (lstat(full, &st) < 0 && errno == ENOENT) {
            struct buf none = {0};
            int r = send_packed(fd, p, 0, &none, 0);
            free(argv);
            free(paths);
            return r;
        }
        argv[a++] = p;
        p += strlen(p) + 1;
    }
    argv[a] = NULL;
    if (packed_fd >= 0) close(packed_fd);
    packed_len = 0;
    {
        const char *tmp = getenv("TMPDIR");
        char name[PATH_MAX];
        snprintf(name, sizeof name, "%s/motley-stage-in-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        packed_fd = mkstemp(name);
        if (packed_fd < 0 && tmp && *tmp) {
            snprintf(name, sizeof name, "/tmp/motley-stage-in-XXXXXX");
            packed_fd = mkstemp(name);
        }
        if (packed_fd < 0) {
            int e = errno;
            free(argv);
            free(paths);
            return send_failure(fd, e);
        }
        unlink(name);
        fcntl(packed_fd, F_SETFD, FD_CLOEXEC);
    }
    int out[2], err[2];
    if (pipe(out) < 0) {
        int e = errno;
        free(argv);
        free(paths);
        return send_failure(fd, e);
    }
    if (pipe(err) < 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        free(argv);
        free(paths);
        return send_failure(fd, e);
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(out[0]);
        close(out[1]);
        close(err[0]);
        close(err[1]);
        free(argv);
        free(paths);
        return send_failure(fd, e);
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        close(fd);
        signal(SIGPIPE, SIG_DFL);
        execv(tar, argv);
        fprintf(stderr, "cannot run %s: %s\n", tar, strerror(errno));
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    struct buf said = {0};
    unsigned char chunk[65536];
    int open_out = 1, open_err = 1, over = 0, write_errno = 0;
    while (open_out || open_err) {
        struct pollfd pf[2];
        int n = 0;
        if (open_out) {
            pf[n].fd = out[0];
            pf[n].events = POLLIN;
            n++;
        }
        if (open_err) {
            pf[n].fd = err[0];
            pf[n].events = POLLIN;
            n++;
        }
        if (poll(pf, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < n; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int is_out = pf[i].fd == out[0];
            ssize_t r;
            if (is_out) {
                r = read(pf[i].fd, chunk, sizeof chunk);
            } else {
                buf_need(&said, 65536);
                r = read(pf[i].fd, said.data + said.len, said.cap - said.len);
            }
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                close(pf[i].fd);
                if (is_out)
                    open_out = 0;
                else
                    open_err = 0;
                continue;
            }
            if (is_out) {
                size_t take = (size_t)r;
                if (packed_len + (long long)take > (long long)limit + 1) take = (size_t)((long long)limit + 1 - packed_len);
                if (packed_write(chunk, take) < 0) {
                    write_errno = errno;
                    kill(pid, SIGKILL);
                    close(out[0]);
                    open_out = 0;
                    continue;
                }
                packed_len += (long long)take;
                if (packed_len > (long long)limit) {
                    over = 1;
                    kill(pid, SIGKILL);
                    close(out[0]);
                    open_out = 0;
                }
            } else {
                said.len += (size_t)r;
                if (said.len > 65536) said.len = 65536;
            }
        }
    }
    if (open_out) close(out[0]);
    if (open_err) close(err[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int rc = over ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (write_errno) {
        /* the temporary file could not take the archive (a full /tmp): say so as tar would */
        char msg[256];
        snprintf(msg, sizeof msg, "cannot keep the archive in a temporary file: %s", strerror(write_errno));
        said.len = 0;
        buf_need(&said, strlen(msg));
        memcpy(said.data, msg, strlen(msg));
        said.len = strlen(msg);
        rc = rc ? rc : 1;
        packed_len = 0;
    }
    int w = send_packed(fd, NULL, rc, &said, packed_len);
    free(said.data);
    free(argv);
    free(paths);
    return w;
}

static int answer_stdin(int fd, long m) {
    if (m <= 0 || m > 65536) m = 65536;
    unsigned char data[65536];
    ssize_t r;
    do {
        r = read(0, data, (size_t)m);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return send_failure(fd, errno);
    return send_bytes(fd, "stdin", data, (size_t)r);
}

/* ---- waiting: the agent's next frame, standard input it asked for, Ctrl-C it trapped ------------ */

/* > 0: the agent asked for standard input (at most this many bytes) and waits for it. It is read
   only once there is some, so that a frame that comes meanwhile (the command's end) is not held up
   behind a read of a terminal nobody types at. */
static long stdin_wanted = 0;
/* After the agent's "trap" (srun): SIGINT writes a byte here instead of ending us, and each is sent
   on to the agent as a "signal" frame. */
static int trap_pipe[2] = {-1, -1};

static void on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    char c = 'I';
    if (write(trap_pipe[1], &c, 1) < 0) { /* a full pipe holds enough Ctrl-Cs already */ }
    errno = saved;
}

static int trap_sigint(int ignore) {
    if (ignore) {
        signal(SIGINT, SIG_IGN);
        return 0;
    }
    if (trap_pipe[0] < 0) {
        if (pipe(trap_pipe) != 0) return -1;
        fcntl(trap_pipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(trap_pipe[1], F_SETFD, FD_CLOEXEC);
        fcntl(trap_pipe[1], F_SETFL, O_NONBLOCK);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGINT, &sa, NULL);
}

/* Waits until the agent's next frame can be read, answering standard input and passing Ctrl-C on
   meanwhile. 0 when a frame (or the connection's end) is there to read, -1 on a failed write. */
static int await_frame(int fd) {
    for (;;) {
        if (stdin_wanted <= 0 && trap_pipe[0] < 0) return 0;
        struct pollfd p[3];
        int n = 0, in = -1, trap = -1;
        p[n].fd = fd;
        p[n].events = POLLIN;
        p[n++].revents = 0;
        if (stdin_wanted > 0) {
            in = n;
            p[n].fd = 0;
            p[n].events = POLLIN;
            p[n++].revents = 0;
        }
        if (trap_pipe[0] >= 0) {
            trap = n;
            p[n].fd = trap_pipe[0];
            p[n].events = POLLIN;
            p[n++].revents = 0;
        }
        if (poll(p, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        if (trap >= 0 && (p[trap].revents & POLLIN)) {
            char c[64];
            ssize_t k = read(trap_pipe[0], c, sizeof c);
            for (ssize_t i = 0; i < k; i++) {
                struct buf b = {0};
                struct frame_out f;
                frame_begin(&f, &b);
                frame_field(&f, "op", "signal");
                frame_field(&f, "sig", "INT");
                frame_end_fields(&f);
                buf_u32(&b, 0); /* no children */
                int r = send_frame(fd, &b);
                free(b.data);
                if (r < 0) return -1;
            }
        }
        if (in >= 0 && p[in].revents) {
            /* data, its end, or a descriptor that cannot be read: the read says which */
            long m = stdin_wanted;
            stdin_wanted = 0;
            if (answer_stdin(fd, m) < 0) return -1;
        }
        if (p[0].revents) return 0;
    }
}

/* ---- the session ----------------------------------------------------------------------------- */

static int session_start(int fd, int argc, char **argv) {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return -1;
    mode_t mask = umask(0);
    umask(mask);
    char umask_s[8];
    snprintf(umask_s, sizeof umask_s, "%04o", (unsigned)mask);

    /* what the JVM launcher puts in the environment, so that a job sees the same either way */
    char uid[24];
    snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
    setenv("MOTLEY_DIST", dist_dir, 1);
    if (isatty(0)) setenv("MOTLEY_STDIN_TTY", "1", 1);
    if (strcmp(command_name, "sbatch") == 0) setenv("SLURM_UMASK", umask_s, 1);
    setenv("MOTLEY_UID", uid, 1);

    struct buf b = {0};
    struct frame_out f;
    frame_begin(&f, &b);
    frame_field(&f, "op", "command");
    frame_field(&f, "v", SESSION_VERSION);
    frame_field(&f, "cwd", cwd);
    frame_field(&f, "umask", umask_s);
    frame_field(&f, "stdin.tty", isatty(0) ? "1" : "0");
    frame_field(&f, "stdout.tty", isatty(1) ? "1" : "0");
    frame_field(&f, "stderr.tty", isatty(2) ? "1" : "0");
    frame_end_fields(&f);
    buf_u32(&b, 2);
    /* child 1: the argument vector, the command's name first */
    struct frame_out a;
    frame_begin(&a, &b);
    char key[16];
    frame_field(&a, "0", command_name);
    for (int i = 1; i < argc; i++) {
        snprintf(key, sizeof key, "%d", i);
        frame_field(&a, key, argv[i]);
    }
    frame_end_fields(&a);
    buf_u32(&b, 0);
    /* child 2: the environment */
    struct frame_out e;
    frame_begin(&e, &b);
    for (char **v = environ; *v; v++) {
        const char *eq = strchr(*v, '=');
        if (!eq || eq == *v) continue;
        frame_field_kv(&e, *v, (size_t)(eq - *v), eq + 1, strlen(eq + 1));
    }
    frame_end_fields(&e);
    buf_u32(&b, 0);
    int r = send_frame(fd, &b);
    free(b.data);
    return r;
}

int main(int argc, char **argv) {
    const char *slash = strrchr(argv[0], '/');
    command_name = slash ? slash + 1 : argv[0];
    if (find_dist(argv[0]) != 0) {
        fprintf(stderr, "%s: error: cannot find the Motley distribution this client belongs to\n", command_name);
        return 1;
    }
    const char *mode = getenv("MOTLEY_CLIENT");
    int forced = mode && strcmp(mode, "native") == 0;
    if (mode && strcmp(mode, "jvm") == 0) run_jvm(argv);

    char sock[PATH_MAX];
    socket_path(sock, sizeof sock);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    int fd = -1;
    if (strlen(sock) < sizeof addr.sun_path) {
        memcpy(addr.sun_path, sock, strlen(sock) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        if (!forced) run_jvm(argv);
        struct stat st;
        if (stat(sock, &st) != 0) {
            fprintf(stderr,
                    "%s: error: no Motley agent is running on this host (no socket at %s). Start the local cluster "
                    "with `motley up --daemon`, or set MOTLEY_HOME to the cluster's home\n",
                    command_name, sock);
        } else {
            fprintf(stderr,
                    "%s: error: cannot connect to the Motley agent at %s (%s). Is the cluster running? Start it with "
                    "`motley up --daemon`\n",
                    command_name, sock, strerror(errno));
        }
        return 1;
    }
    /* a reader that went away (squeue | head) ends our output, not us: the JVM client behaves so */
    signal(SIGPIPE, SIG_IGN);
    if (session_start(fd, argc, argv) < 0) {
        close(fd);
        if (!forced) run_jvm(argv);
        fprintf(stderr, "%s: error: the Motley agent closed the connection\n", command_name);
        return 1;
    }

    struct frame_in f = {0};
    int started = 0; /* the agent accepted: from here on we do not fall back */
    int out_ok = 1, err_ok = 1;
    unsigned char *scratch = NULL;
    size_t scratch_cap = 0;
    for (;;) {
        if (await_frame(fd) < 0) break;
        int r = read_frame(fd, &f);
        if (r <= 0) {
            if (!started && !forced) {
                close(fd);
                run_jvm(argv);
            }
            fprintf(stderr, "%s: error: the Motley agent closed the connection\n", command_name);
            return 1;
        }
        if (field_is(&f, "op", "out") || field_is(&f, "op", "err")) {
            started = 1;
            const struct field *x = field_of(&f, "bytes");
            if (!x) continue;
            if (scratch_cap < x->vlen) {
                free(scratch);
                scratch_cap = x->vlen;
                scratch = malloc(scratch_cap);
                if (!scratch) die_oom();
            }
            size_t n = field_bytes(x, scratch);
            if (field_is(&f, "op", "out")) {
                if (out_ok && write_all(1, scratch, n) < 0) out_ok = 0;
            } else if (err_ok && write_all(2, scratch, n) < 0) {
                err_ok = 0;
            }
        } else if (field_is(&f, "op", "read") || field_is(&f, "op", "write")) {
            started = 1;
            char *path = field_str(&f, "path");
            if (!path) path = strdup("");
            int w = field_is(&f, "op", "read") ? answer_read(fd, path) : answer_write(fd, path, field_of(&f, "bytes"));
            free(path);
            if (w < 0) break;
        } else if (field_is(&f, "op", "pack")) {
            started = 1;
            char *dir = field_str(&f, "dir");
            char *limit = field_str(&f, "limit");
            int w = answer_pack(fd, dir ? dir : ".", field_of(&f, "paths"), limit ? strtol(limit, NULL, 10) : 0);
            free(dir);
            free(limit);
            if (w < 0) break;
        } else if (field_is(&f, "op", "pack-read")) {
            started = 1;
            char *offset = field_str(&f, "offset");
            char *max = field_str(&f, "max");
            int w = answer_pack_read(fd, offset, max);
            free(offset);
            free(max);
            if (w < 0) break;
        } else if (field_is(&f, "op", "stdin")) {
            /* answered by await_frame once there is input */
            started = 1;
            char *max = field_str(&f, "max");
            stdin_wanted = max ? strtol(max, NULL, 10) : 8192;
            if (stdin_wanted <= 0) stdin_wanted = 8192;
            free(max);
        } else if (field_is(&f, "op", "trap")) {
            started = 1;
            if (trap_sigint(field_is(&f, "action", "ignore")) != 0)
                fprintf(stderr, "%s: warning: Ctrl-C cannot be passed on: %s\n", command_name, strerror(errno));
        } else if (field_is(&f, "op", "exit")) {
            char *code = field_str(&f, "code");
            int rc = code ? atoi(code) : 1;
            return rc;
        } else if (!started && (field_is(&f, "op", "jvm") || (!forced && field_is(&f, "op", "error")))) {
            /* a command the agent does not run here, an older agent, or a refusal: the JVM client
               answers as it always has */
            close(fd);
            run_jvm(argv);
        } else if (field_is(&f, "op", "error")) {
            char *msg = field_str(&f, "message");
            fprintf(stderr, "%s: error: %s\n", command_name, msg ? msg : "the Motley agent refused the request");
            return 1;
        } else {
            break;
        }
    }
    fprintf(stderr, "%s: error: the Motley agent closed the connection\n", command_name);
    return 1;
}
