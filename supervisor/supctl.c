/* supctl: the command-line client of supd's control socket. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "fsutil.h"
#include "protocol.h"
#include "values.h"

#define DEFAULT_SOCKET "/run/sup/control.sock"

/* Exit codes, fixed for scripts. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static void usage(FILE *f) {
        fprintf(f, "Usage: supctl [-s|--socket PATH] COMMAND [ARGS]\n\n"
                   "  status [NAME] [--json]   show units (one in detail)\n"
                   "  start NAME               start a unit\n"
                   "  stop NAME                stop a unit\n"
                   "  restart NAME             restart a unit (also one that failed)\n"
                   "  reload                   re-read the unit files\n"
                   "  exec NAME [--] CMD...    run CMD inside the running container\n"
                   "  logs [-n N] [-f] NAME    the unit's recent output; -f follows it\n"
                   "  top [--once]             resource use per unit, refreshed (Ctrl-C exits)\n"
                   "  poweroff|reboot|halt     stop every unit and end the machine (supd as PID 1)\n"
                   "  check FILE|DIR...        validate unit files offline\n\n"
                   "The socket is " DEFAULT_SOCKET " unless -s or $SUP_SOCKET say otherwise.\n"
                   "Exit status: 0 ok, 1 request failed, 2 usage, 3 supd not reachable.\n");
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("supctl: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return code;
}

static int connect_to(const char *path, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return fail(EXIT_USAGE, "socket path too long: %s", path);
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                int r = fail(EXIT_UNREACHABLE, "cannot reach supd at %s: %m", path);
                if (fd >= 0)
                        close(fd);
                return r;
        }
        *ret_fd = fd;
        return EXIT_OK;
}

/* Sends a finished request; with_stdio, our fds 0-2 travel along (supctl exec). */
static int send_request(int fd, struct proto_msg *req, bool with_stdio) {
        if (proto_finish(req, PROTO_MAX_REQUEST) < 0)
                return fail(EXIT_USAGE, "request too large");
        size_t off = 0;
        if (with_stdio) {
                int fds[3] = { 0, 1, 2 };
                union {
                        struct cmsghdr align;
                        char buf[CMSG_SPACE(sizeof fds)];
                } control = { 0 };
                struct iovec iov = { .iov_base = req->buf, .iov_len = req->len };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                                     .msg_controllen = sizeof control };
                struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof fds);
                memcpy(CMSG_DATA(cm), fds, sizeof fds);
                ssize_t n;
                do
                        n = sendmsg(fd, &mh, MSG_NOSIGNAL);
                while (n < 0 && errno == EINTR);
                if (n < 0)
                        return fail(EXIT_UNREACHABLE, "sending to supd: %m");
                off = (size_t)n;
        }
        int r = write_all(fd, req->buf + off, req->len - off);
        if (r < 0)
                return fail(EXIT_UNREACHABLE, "sending to supd: %s", strerror(-r));
        return EXIT_OK;
}

/* Reads one reply frame into reply. Returns an exit code; an "error" reply is printed
 * and gives EXIT_FAILED. */
static int read_reply(int fd, struct proto_msg *reply) {
        uint8_t hdr[4];
        int r = read_all(fd, hdr, sizeof hdr);
        if (r < 0)
                return fail(EXIT_UNREACHABLE, "reading from supd: %s", strerror(-r));
        int64_t len = proto_frame_length(hdr, PROTO_MAX_REPLY);
        if (len <= 0)
                return fail(EXIT_FAILED, "bad reply from supd");
        _cleanup_free_ char *payload = malloc((size_t)len);
        if (!payload)
                return fail(EXIT_FAILED, "out of memory");
        r = read_all(fd, payload, (size_t)len);
        if (r < 0)
                return fail(EXIT_UNREACHABLE, "reading from supd: %s", strerror(-r));
        if (proto_parse(reply, payload, (size_t)len) < 0)
                return fail(EXIT_FAILED, "malformed reply from supd");
        const char *err = proto_get(reply, "error");
        if (err) {
                fprintf(stderr, "supctl: %s\n", err);
                for (size_t i = 0; i < reply->n_fields; i++)
                        if (strcmp(reply->fields[i].key, "detail") == 0)
                                fprintf(stderr, "%s\n", reply->fields[i].value);
                return EXIT_FAILED;
        }
        return EXIT_OK;
}

/* Sends req, fills reply. Returns an exit code. */
static int call(const char *path, struct proto_msg *req, struct proto_msg *reply) {
        _cleanup_close_ int fd = -1;
        int r = connect_to(path, &fd);
        if (r != EXIT_OK)
                return r;
        struct timeval tv = { .tv_sec = 120 };
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        r = send_request(fd, req, false);
        return r != EXIT_OK ? r : read_reply(fd, reply);
}

/* supctl exec NAME [--] CMD [ARGS...]: our stdio goes to the command; signals we get
 * are passed on; we exit with the command's status. */
static int cmd_exec(const char *path, char **args, int n) {
        if (n > 0 && strcmp(args[0], "--") == 0) {
                args++;
                n--;
        }
        if (n < 2)
                return fail(EXIT_USAGE, "exec: expects a unit name and a command");
        if (strcmp(args[1], "--") == 0) {
                args[1] = args[0];
                args++;
                n--;
                if (n < 2)
                        return fail(EXIT_USAGE, "exec: expects a command after --");
        }
        struct proto_msg req = { 0 }, reply = { 0 };
        int r = proto_begin(&req) < 0 || proto_add(&req, "cmd", "exec") < 0 || proto_add(&req, "name", args[0]) < 0;
        for (int i = 1; i < n && !r; i++)
                r = proto_add(&req, "arg", args[i]) < 0;
        if (r) {
                proto_msg_done(&req);
                return fail(EXIT_USAGE, "exec: command too long");
        }

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGQUIT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC), fd = -1;

        r = connect_to(path, &fd);
        if (r == EXIT_OK)
                r = send_request(fd, &req, true);
        if (r == EXIT_OK)
                r = read_reply(fd, &reply);
        proto_msg_done(&req);
        proto_msg_done(&reply);
        if (r != EXIT_OK)
                return r;

        for (;;) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return fail(EXIT_FAILED, "poll: %m");
                }
                if (sfd >= 0 && (p[1].revents & POLLIN)) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof si) == sizeof si) {
                                struct proto_msg sig = { 0 };
                                if (proto_begin(&sig) >= 0 && proto_add(&sig, "cmd", "signal") >= 0 &&
                                    proto_add_u64(&sig, "sig", si.ssi_signo) >= 0)
                                        (void)send_request(fd, &sig, false);
                                proto_msg_done(&sig);
                        }
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        r = read_reply(fd, &reply);
                        const char *exit_status = proto_get(&reply, "exit");
                        int status = exit_status ? atoi(exit_status) : (r == EXIT_OK ? EXIT_FAILED : r);
                        proto_msg_done(&reply);
                        return status;
                }
        }
}

/* ---- output ---- */

static void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
                switch (*p) {
                case '"': fputs("\\\"", f); break;
                case '\\': fputs("\\\\", f); break;
                case '\n': fputs("\\n", f); break;
                case '\t': fputs("\\t", f); break;
                case '\r': fputs("\\r", f); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04x", *p);
                        else if (*p >= 0x80) {
                                /* Pass valid UTF-8 through; escape stray bytes so the
                                 * output stays valid JSON. */
                                int n = (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
                                int ok = n > 0;
                                for (int i = 1; ok && i <= n; i++)
                                        ok = (p[i] & 0xc0) == 0x80;
                                if (ok) {
                                        fwrite(p, 1, (size_t)n + 1, f);
                                        p += n;
                                } else
                                        fprintf(f, "\\u%04x", *p);
                        } else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

static void json_number_or_null(FILE *f, const char *v) {
        fputs(v && *v ? v : "null", f);
}

static void print_json(const struct proto_msg *m) {
        static const char *const strings[] = { "state", "result", "load", "description", "message", "status_text",
                                               "health", "health_output" };
        bool first = true;
        printf("{\"units\":[");
        for (size_t i = proto_next_record(m, 0, "unit"); i < m->n_fields; i = proto_next_record(m, i + 1, "unit")) {
                printf("%s{\"name\":", first ? "" : ",");
                first = false;
                json_string(stdout, m->fields[i].value);
                for (size_t k = 0; k < ELEMENTSOF(strings); k++) {
                        const char *v = proto_record_get(m, i, strings[k]);
                        printf(",\"%s\":", strings[k]);
                        if (v)
                                json_string(stdout, v);
                        else
                                fputs("null", stdout);
                }
                static const char *const numbers[] = { "pid", "restarts", "exit_status", "since", "memory_current",
                                                       "memory_peak", "cpu_usage_usec", "tasks", "log_dropped" };
                for (size_t k = 0; k < ELEMENTSOF(numbers); k++) {
                        printf(",\"%s\":", numbers[k]);
                        json_number_or_null(stdout, proto_record_get(m, i, numbers[k]));
                }
                putchar('}');
        }
        printf("]}\n");
}

static usec_t now_realtime(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

static const char *ago(char *buf, size_t len, const char *since) {
        usec_t s = since ? strtoull(since, NULL, 10) : 0, now = now_realtime();
        /* Whole seconds are enough for people. */
        usec_t d = now > s ? (now - s) / USEC_PER_SEC * USEC_PER_SEC : 0;
        if (d == 0) {
                snprintf(buf, len, "0s");
                return buf;
        }
        return format_duration(buf, len, d);
}

/* 123456789 -> "117.7M" */
static const char *format_bytes(char *buf, size_t len, const char *v) {
        static const char units[] = "BKMGT";
        if (!v)
                return "-";
        double d = (double)strtoull(v, NULL, 10);
        int u = 0;
        while (d >= 1024 && u < 4) {
                d /= 1024;
                u++;
        }
        snprintf(buf, len, u ? "%.1f%c" : "%.0f%c", d, units[u]);
        return buf;
}

/* CPU time used: "1.52s", "3min 2s" */
static const char *format_cpu(char *buf, size_t len, const char *v) {
        if (!v)
                return "-";
        usec_t u = strtoull(v, NULL, 10);
        if (u < 60 * USEC_PER_SEC)
                snprintf(buf, len, "%.2fs", (double)u / USEC_PER_SEC);
        else
                format_duration(buf, len, u / USEC_PER_SEC * USEC_PER_SEC);
        return buf;
}

static const char *state_color(const char *state, bool color) {
        if (!color)
                return "";
        if (strcmp(state, "running") == 0)
                return "\033[32m";
        if (strcmp(state, "failed") == 0)
                return "\033[31m";
        if (strcmp(state, "backoff") == 0 || strcmp(state, "starting") == 0 || strcmp(state, "stopping") == 0)
                return "\033[33m";
        return "";
}

static void print_table(const struct proto_msg *m) {
        const char *hdr[] = { "NAME", "STATE", "RESULT", "PID", "RESTARTS", "UPTIME", "MEMORY", "CPU", "TASKS", "DESCRIPTION" };
        enum { NCOL = 10 };
        size_t w[NCOL];
        bool color = isatty(STDOUT_FILENO);
        size_t nrec = 0;

        for (int c = 0; c < NCOL; c++)
                w[c] = strlen(hdr[c]);
        for (size_t i = proto_next_record(m, 0, "unit"); i < m->n_fields; i = proto_next_record(m, i + 1, "unit"))
                nrec++;
        char *(*cells)[NCOL] = calloc(nrec ? nrec : 1, sizeof *cells);
        if (!cells)
                return;
        size_t r = 0;
        for (size_t i = proto_next_record(m, 0, "unit"); i < m->n_fields; i = proto_next_record(m, i + 1, "unit"), r++) {
                const char *state = proto_record_get(m, i, "state"), *pid = proto_record_get(m, i, "pid");
                const char *load = proto_record_get(m, i, "load");
                bool loaded = !load || strcmp(load, "loaded") == 0;
                char buf[64];
                cells[r][0] = strdup(m->fields[i].value);
                cells[r][1] = strdup(state ? state : "?");
                const char *result = loaded ? proto_record_get(m, i, "result") : NULL;
                cells[r][2] = strdup(result && strcmp(result, "none") ? result : "-");
                cells[r][3] = strdup(pid && strcmp(pid, "0") ? pid : "-");
                cells[r][4] = strdup(proto_record_get(m, i, "restarts") ?: "0");
                cells[r][5] = strdup(state && strcmp(state, "running") == 0
                                             ? ago(buf, sizeof buf, proto_record_get(m, i, "since"))
                                             : "-");
                char mem[32], cpu[32];
                cells[r][6] = strdup(format_bytes(mem, sizeof mem, proto_record_get(m, i, "memory_current")));
                cells[r][7] = strdup(format_cpu(cpu, sizeof cpu, proto_record_get(m, i, "cpu_usage_usec")));
                cells[r][8] = strdup(proto_record_get(m, i, "tasks") ?: "-");
                const char *desc = loaded ? proto_record_get(m, i, "description") : NULL;
                if (!loaded)
                        desc = proto_record_get(m, i, "message");
                cells[r][9] = strdup(desc ? desc : "");
                for (int c = 0; c < NCOL - 1; c++)
                        if (cells[r][c] && strlen(cells[r][c]) > w[c])
                                w[c] = strlen(cells[r][c]);
        }
        for (int c = 0; c < NCOL - 1; c++)
                printf("%-*s  ", (int)w[c], hdr[c]);
        printf("%s\n", hdr[NCOL - 1]);
        for (r = 0; r < nrec; r++) {
                for (int c = 0; c < NCOL; c++) {
                        const char *v = cells[r][c] ? cells[r][c] : "";
                        const char *on = c == 1 ? state_color(v, color) : "";
                        if (c < NCOL - 1)
                                printf("%s%-*s%s  ", on, (int)w[c], v, *on ? "\033[0m" : "");
                        else
                                printf("%s\n", v);
                        free(cells[r][c]);
                }
        }
        free(cells);
}

/* "LABEL VALUE" when the record has the field. */
static void print_field(const struct proto_msg *m, size_t i, const char *label, const char *key) {
        const char *v = proto_record_get(m, i, key);
        if (v)
                printf("%s %s\n", label, v);
}

static void print_detail(const struct proto_msg *m) {
        size_t i = proto_next_record(m, 0, "unit");
        if (i >= m->n_fields)
                return;
        const char *state = proto_record_get(m, i, "state") ?: "?";
        const char *desc = proto_record_get(m, i, "description");
        bool color = isatty(STDOUT_FILENO);
        char buf[64];

        printf("%s%s", m->fields[i].value, desc && *desc ? " - " : "");
        printf("%s\n", desc ? desc : "");
        printf("     State: %s%s%s (for %s)\n", state_color(state, color), state, color && *state_color(state, color) ? "\033[0m" : "",
               ago(buf, sizeof buf, proto_record_get(m, i, "since")));
        const char *load = proto_record_get(m, i, "load");
        if (load && strcmp(load, "loaded") != 0)
                printf("      Load: %s\n", load);
        else
                printf("    Result: %s\n", proto_record_get(m, i, "result") ?: "-");
        const char *pid = proto_record_get(m, i, "pid");
        if (pid && strcmp(pid, "0"))
                printf("       PID: %s\n", pid);
        printf("  Restarts: %s\n", proto_record_get(m, i, "restarts") ?: "0");
        print_field(m, i, "Exit status:", "exit_status");
        const char *mc = proto_record_get(m, i, "memory_current");
        if (mc) {
                char a[32], b[32];
                const char *mp = proto_record_get(m, i, "memory_peak");
                printf("    Memory: %s", format_bytes(a, sizeof a, mc));
                if (mp)
                        printf(" (peak %s)", format_bytes(b, sizeof b, mp));
                putchar('\n');
        }
        const char *cu = proto_record_get(m, i, "cpu_usage_usec");
        if (cu) {
                char a[64];
                printf("       CPU: %s\n", format_cpu(a, sizeof a, cu));
        }
        print_field(m, i, "     Tasks:", "tasks");
        const char *ld = proto_record_get(m, i, "log_dropped");
        if (ld)
                printf("   Dropped: %s log line(s) over log_rate\n", ld);
        print_field(m, i, "      File:", "file");
        /* Fields that repeat: exec argv, requires. */
        size_t end = proto_next_record(m, i + 1, "unit");
        const char *keys[] = { "exec", "requires" }, *labels[] = { "      Exec:", "  Requires:" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                bool any = false;
                for (size_t j = i; j < end; j++)
                        if (strcmp(m->fields[j].key, keys[k]) == 0) {
                                printf("%s %s", any ? "" : labels[k], m->fields[j].value);
                                any = true;
                        }
                if (any)
                        putchar('\n');
        }
        print_field(m, i, "   Restart:", "restart");
        print_field(m, i, "   Message:", "message");
        print_field(m, i, "    Status:", "status_text");
        const char *health = proto_record_get(m, i, "health");
        if (health) {
                const char *out = proto_record_get(m, i, "health_output");
                printf("    Health: %s%s%s\n", health, out ? " - " : "", out ? out : "");
        }
}

/* ---- commands ---- */

static void print_lines(const struct proto_msg *m) {
        for (size_t i = proto_next_record(m, 0, "line"); i < m->n_fields; i = proto_next_record(m, i + 1, "line")) {
                const char *stream = proto_record_get(m, i, "stream");
                FILE *f = stream && strcmp(stream, "err") == 0 ? stderr : stdout;
                fprintf(f, "%s\n", m->fields[i].value);
        }
        const char *dropped = proto_get(m, "dropped");
        if (dropped)
                fprintf(stderr, "supctl: [%s line(s) dropped: this terminal did not keep up]\n", dropped);
        fflush(stdout);
}

/* supctl logs [-n N] [-f] NAME: the unit's ring, then (with -f) new lines as they come. */
static int cmd_logs(const char *path, char **args, int n) {
        const char *name = NULL, *lines = NULL;
        bool follow = false;
        for (int i = 0; i < n; i++) {
                if (strcmp(args[i], "-f") == 0 || strcmp(args[i], "--follow") == 0)
                        follow = true;
                else if ((strcmp(args[i], "-n") == 0 || strcmp(args[i], "--lines") == 0) && i + 1 < n)
                        lines = args[++i];
                else if (strncmp(args[i], "-n", 2) == 0 && args[i][2])
                        lines = args[i] + 2;
                else if (args[i][0] == '-')
                        return fail(EXIT_USAGE, "logs: unknown option '%s'", args[i]);
                else if (!name)
                        name = args[i];
                else
                        return fail(EXIT_USAGE, "logs: too many arguments");
        }
        if (!name)
                return fail(EXIT_USAGE, "logs: expects a unit name");
        if (lines && (!*lines || strspn(lines, "0123456789") != strlen(lines)))
                return fail(EXIT_USAGE, "logs: -n wants a number, not '%s'", lines);

        struct proto_msg req = { 0 }, reply = { 0 };
        if (proto_begin(&req) < 0 || proto_add(&req, "cmd", "logs") < 0 || proto_add(&req, "name", name) < 0 ||
            (lines && proto_add(&req, "lines", lines) < 0) || (follow && proto_add(&req, "follow", "1") < 0))
                return fail(EXIT_FAILED, "out of memory");
        _cleanup_close_ int fd = -1;
        int r = connect_to(path, &fd);
        if (r == EXIT_OK)
                r = send_request(fd, &req, false);
        proto_msg_done(&req);
        while (r == EXIT_OK) {
                r = read_reply(fd, &reply);
                if (r != EXIT_OK)
                        break;
                print_lines(&reply);
                proto_msg_done(&reply);
                if (!follow)
                        return EXIT_OK;
        }
        proto_msg_done(&reply);
        return r;
}

/* supctl top: refreshes per-unit resource use like docker stats until Ctrl-C. */
static int cmd_top(const char *path, bool once) {
        struct prev {
                char *name;
                uint64_t cpu;
        } *prev = NULL;
        size_t n_prev = 0;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                struct proto_msg req = { 0 }, reply = { 0 };
                if (proto_begin(&req) < 0 || proto_add(&req, "cmd", "status") < 0)
                        return fail(EXIT_FAILED, "out of memory");
                int r = call(path, &req, &reply);
                proto_msg_done(&req);
                if (r != EXIT_OK)
                        return r;
                struct timespec t1;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
                t0 = t1;
                if (!once && isatty(STDOUT_FILENO))
                        fputs("\033[H\033[2J", stdout);
                printf("%-20s %-9s %7s %10s %10s %6s\n", "NAME", "STATE", "CPU %", "MEMORY", "PEAK", "TASKS");
                for (size_t i = proto_next_record(&reply, 0, "unit"); i < reply.n_fields;
                     i = proto_next_record(&reply, i + 1, "unit")) {
                        const char *name = reply.fields[i].value, *cu = proto_record_get(&reply, i, "cpu_usage_usec");
                        char a[32], b[32], pct[16] = "-";
                        uint64_t cpu = cu ? strtoull(cu, NULL, 10) : 0;
                        for (size_t k = 0; cu && k < n_prev; k++)
                                if (strcmp(prev[k].name, name) == 0 && cpu >= prev[k].cpu && dt > 0)
                                        snprintf(pct, sizeof pct, "%.1f", (double)(cpu - prev[k].cpu) / 1e6 / dt * 100);
                        printf("%-20s %-9s %7s %10s %10s %6s\n", name, proto_record_get(&reply, i, "state") ?: "?", pct,
                               format_bytes(a, sizeof a, proto_record_get(&reply, i, "memory_current")),
                               format_bytes(b, sizeof b, proto_record_get(&reply, i, "memory_peak")),
                               proto_record_get(&reply, i, "tasks") ?: "-");
                        struct prev *np = realloc(prev, (n_prev + 1) * sizeof *np);
                        if (np) {
                                prev = np;
                                size_t k = 0;
                                while (k < n_prev && strcmp(prev[k].name, name) != 0)
                                        k++;
                                if (k == n_prev) {
                                        prev[n_prev].name = strdup(name);
                                        if (prev[n_prev].name)
                                                n_prev++;
                                }
                                if (k < n_prev)
                                        prev[k].cpu = cpu;
                        }
                }
                fflush(stdout);
                proto_msg_done(&reply);
                if (once)
                        break;
                sleep(1); /* a client refreshing a screen: the daemon never sleeps */
        }
        for (size_t k = 0; k < n_prev; k++)
                free(prev[k].name);
        free(prev);
        return EXIT_OK;
}

static int cmd_check(char **paths, int n) {
        struct sup_config *c = NULL;
        if (n == 0)
                return fail(EXIT_USAGE, "check: no file given");
        int r = config_load_files(paths, (size_t)n, &c);
        if (r < 0)
                return fail(EXIT_FAILED, "check: %s", strerror(-r));
        for (size_t i = 0; i < c->n_errors; i++)
                fprintf(stderr, "%s\n", c->errors[i].message);
        printf("%zu unit(s) OK, %zu error(s)\n", c->n_units, c->n_errors);
        r = c->n_errors ? EXIT_FAILED : EXIT_OK;
        config_free(c);
        return r;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "socket", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {},
        };
        const char *socket_path = getenv("SUP_SOCKET");
        bool json = false;
        int c;

        if (!socket_path || !*socket_path)
                socket_path = DEFAULT_SOCKET;
        /* "+": options end at the command; the command's own options follow. */
        while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) >= 0)
                switch (c) {
                case 's':
                        socket_path = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind >= argc) {
                usage(stderr);
                return EXIT_USAGE;
        }
        const char *cmd = argv[optind++];
        if (strcmp(cmd, "check") == 0)
                return cmd_check(argv + optind, argc - optind);
        if (strcmp(cmd, "exec") == 0)
                return cmd_exec(socket_path, argv + optind, argc - optind);
        if (strcmp(cmd, "logs") == 0)
                return cmd_logs(socket_path, argv + optind, argc - optind);
        if (strcmp(cmd, "top") == 0) {
                bool once = optind < argc && strcmp(argv[optind], "--once") == 0;
                if (argc - optind > (once ? 1 : 0))
                        return fail(EXIT_USAGE, "top: takes only --once");
                return cmd_top(socket_path, once);
        }
        if (strcmp(cmd, "help") == 0) {
                usage(stdout);
                return EXIT_OK;
        }

        /* Command arguments: positionals and --json, in any order. */
        char *pos[2] = { NULL, NULL };
        int npos = 0;
        for (int i = optind; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else if (argv[i][0] == '-' && argv[i][1])
                        return fail(EXIT_USAGE, "%s: unknown option '%s'", cmd, argv[i]);
                else if (npos < 2)
                        pos[npos++] = argv[i];
                else
                        return fail(EXIT_USAGE, "%s: too many arguments", cmd);
        }

        struct proto_msg req = { 0 }, reply = { 0 };
        int r;
        bool status = strcmp(cmd, "status") == 0;
        bool unitcmd = strcmp(cmd, "start") == 0 || strcmp(cmd, "stop") == 0 || strcmp(cmd, "restart") == 0;
        if (status) {
                if (npos > 1)
                        return fail(EXIT_USAGE, "status: too many arguments");
        } else if (unitcmd) {
                if (npos != 1)
                        return fail(EXIT_USAGE, "%s: expects one unit name", cmd);
        } else if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "poweroff") == 0 || strcmp(cmd, "reboot") == 0 ||
                   strcmp(cmd, "halt") == 0) {
                if (npos != 0)
                        return fail(EXIT_USAGE, "%s: takes no arguments", cmd);
        } else {
                usage(stderr);
                return fail(EXIT_USAGE, "unknown command '%s'", cmd);
        }
        if (json && !status)
                return fail(EXIT_USAGE, "%s: --json is only for status", cmd);

        if (proto_begin(&req) < 0 || proto_add(&req, "cmd", cmd) < 0 || (pos[0] && proto_add(&req, "name", pos[0]) < 0))
                return fail(EXIT_FAILED, "out of memory");
        r = call(socket_path, &req, &reply);
        if (r == EXIT_OK && status) {
                if (json)
                        print_json(&reply);
                else if (pos[0])
                        print_detail(&reply);
                else
                        print_table(&reply);
        }
        proto_msg_done(&req);
        proto_msg_done(&reply);
        return r;
}
