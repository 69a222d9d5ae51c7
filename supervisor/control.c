#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "manager.h"
#include "protocol.h"
#include "spawn.h"
#include "logring.h"
#include "unit.h"
#include "users.h"

#define MAX_CONNECTIONS 64
#define IDLE_TIMEOUT_USEC (30 * USEC_PER_SEC) /* a silent client is dropped */

struct conn {
        struct control *control;
        struct conn *next;
        int fd;
        sd_event_source *io, *timer;
        uid_t uid;
        gid_t gid;
        uint8_t hdr[4];
        size_t hdr_got;
        char *in;
        size_t in_need, in_got;
        char *out;
        size_t out_len, out_off, out_alloc;
        bool close_after_write;
        char *follow;          /* supctl logs -f: the unit whose new lines we stream */
        uint64_t follow_dropped;
        int fds[3]; /* received with the request (supctl exec's stdio) */
        int n_fds;
        /* supctl exec: the command's process */
        pid_t exec_pid;
        int exec_pidfd, exec_status_fd;
        char *exec_what;
};

struct control {
        struct manager *manager;
        char *path;
        int fd;
        sd_event_source *io;
        gid_t gid;
        bool group_access;
        struct conn *conns;
        unsigned n_conns;
};

static void conn_free(struct conn *k) {
        struct control *c = k->control;
        for (struct conn **p = &c->conns; *p; p = &(*p)->next)
                if (*p == k) {
                        *p = k->next;
                        break;
                }
        c->n_conns--;
        if (k->exec_pidfd >= 0) /* the client is gone: so is its command */
                (void)syscall(SYS_pidfd_send_signal, k->exec_pidfd, SIGKILL, NULL, 0);
        closep(&k->exec_pidfd);
        closep(&k->exec_status_fd);
        free(k->exec_what);
        free(k->follow);
        for (int i = 0; i < k->n_fds; i++)
                closep(&k->fds[i]);
        sd_event_source_disable_unref(k->io);
        sd_event_source_disable_unref(k->timer);
        closep(&k->fd);
        free(k->in);
        free(k->out);
        free(k);
}

/* ---- requests ---- */

static int add_unit_record(struct proto_msg *r, struct unit *u, bool detail) {
        int e = 0;
        e |= proto_add(r, "unit", u->name);
        e |= proto_add(r, "state", unit_state_to_string(u->sm.state));
        e |= proto_add(r, "result", unit_result_to_string(u->sm.result));
        e |= proto_add(r, "load", u->config ? "loaded" : "error");
        e |= proto_add_u64(r, "pid", u->pid > 0 ? (uint64_t)u->pid : 0);
        e |= proto_add_u64(r, "restarts", u->sm.restarts);
        if (u->sm.exit_status >= 0)
                e |= proto_addf(r, "exit_status", "%d", u->sm.exit_status);
        e |= proto_add_u64(r, "since", u->since);
        if (u->log_dropped)
                e |= proto_add_u64(r, "log_dropped", u->log_dropped);
        if (u->status_text)
                e |= proto_add(r, "status_text", u->status_text);
        if (u->health.state != HEALTH_NONE) {
                e |= proto_add(r, "health", health_state_to_string(u->health.state));
                if (u->health.output)
                        e |= proto_add(r, "health_output", u->health.output);
                e |= proto_add_u64(r, "health_failures", u->health.failures);
        }
        e |= proto_add(r, "description", u->config ? u->config->description : "");
        if (u->load_error || u->message)
                e |= proto_add(r, "message", u->load_error ? u->load_error : u->message);
        struct cgroup_stats st;
        if (u->pid > 0 && cgroup_unit_stats(&u->cg, &st) >= 0) {
                const struct {
                        const char *key;
                        uint64_t v;
                } stats[] = { { "memory_current", st.memory_current },
                              { "memory_peak", st.memory_peak },
                              { "cpu_usage_usec", st.cpu_usage_usec },
                              { "tasks", st.tasks } };
                for (size_t i = 0; i < ELEMENTSOF(stats); i++)
                        if (stats[i].v != UINT64_MAX)
                                e |= proto_add_u64(r, stats[i].key, stats[i].v);
        }
        if (detail && u->config) {
                e |= proto_addf(r, "file", "%s:%u", u->config->file, u->config->line);
                for (char **a = u->config->exec; *a; a++)
                        e |= proto_add(r, "exec", *a);
                for (char **a = u->config->requires; *a; a++)
                        e |= proto_add(r, "requires", *a);
                e |= proto_add(r, "restart", restart_mode_to_string(u->config->restart));
        }
        return e ? -ENOMEM : 0;
}

static int reply_error(struct proto_msg *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reply_error(struct proto_msg *r, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0 || proto_begin(r) < 0)
                return -ENOMEM;
        return proto_add(r, "error", msg);
}

#define NO_REPLY 1 /* handle_request: nothing to send back */
#define FOLLOW_MAX_PENDING (4u * 1024 * 1024) /* a slow `logs -f` loses lines, supd waits for no one */

static int conn_append(struct conn *k, const void *buf, size_t len);

static int add_line_record(struct proto_msg *r, uint64_t ts, int stream, const char *line) {
        if (proto_add(r, "line", line) < 0 || proto_add(r, "stream", stream ? "err" : "out") < 0 ||
            proto_add_u64(r, "ts", ts) < 0)
                return -ENOMEM;
        return 0;
}

void control_follow_line(struct control *c, const char *unit, uint64_t ts, int stream, const char *line, size_t len) {
        for (struct conn *k = c ? c->conns : NULL; k; k = k->next) {
                if (!k->follow || strcmp(k->follow, unit) != 0)
                        continue;
                if (k->out_len - k->out_off > FOLLOW_MAX_PENDING) {
                        k->follow_dropped++;
                        continue;
                }
                /* Values are C strings on the wire: a NUL in the line ends it there. */
                struct proto_msg r = { 0 };
                _cleanup_free_ char *copy = strndup(line, len);
                if (copy && proto_begin(&r) >= 0 && proto_add(&r, "ok", "1") >= 0 &&
                    add_line_record(&r, ts, stream, copy) >= 0 &&
                    (!k->follow_dropped || proto_add_u64(&r, "dropped", k->follow_dropped) >= 0) &&
                    proto_finish(&r, PROTO_MAX_REPLY) >= 0 && conn_append(k, r.buf, r.len) >= 0) {
                        k->follow_dropped = 0;
                        (void)sd_event_source_set_io_events(k->io, EPOLLIN | EPOLLOUT);
                }
                proto_msg_done(&r);
        }
}

static int handle_exec(struct conn *k, const struct proto_msg *req, const char *name, struct proto_msg *r) {
        struct manager *m = k->control->manager;
        size_t n = 0;
        for (size_t i = 0; i < req->n_fields; i++)
                n += strcmp(req->fields[i].key, "arg") == 0;
        if (n == 0)
                return reply_error(r, "exec: no command given");
        if (k->n_fds != 3)
                return reply_error(r, "exec: stdin, stdout and stderr must come with the request");
        if (k->exec_pid > 0)
                return reply_error(r, "exec: a command already runs on this connection");
        struct unit *u = manager_find_unit(m, name);
        if (!u || u->removed)
                return reply_error(r, "unknown unit '%s'", name);
        _cleanup_free_ char **argv = calloc(n + 1, sizeof *argv);
        if (!argv)
                return -ENOMEM;
        n = 0;
        for (size_t i = 0; i < req->n_fields; i++)
                if (strcmp(req->fields[i].key, "arg") == 0)
                        argv[n++] = (char *)req->fields[i].value;

        struct spawn_result res;
        _cleanup_free_ char *err = NULL;
        int ret = unit_exec(u, argv, k->fds, &res, &err);
        for (int i = 0; i < k->n_fds; i++)
                closep(&k->fds[i]);
        k->n_fds = 0;
        if (ret < 0)
                return reply_error(r, "exec in '%s': %s", name, err ? err : strerror(-ret));
        k->exec_pid = res.pid;
        k->exec_pidfd = res.pidfd;
        k->exec_status_fd = res.status_fd;
        k->exec_what = strdup(argv[0]);
        log_info("%s: exec %s, pid %d (uid %u)", name, argv[0], (int)res.pid, (unsigned)k->uid);
        if (proto_begin(r) < 0 || proto_add(r, "ok", "1") < 0 || proto_add_u64(r, "pid", (uint64_t)res.pid) < 0)
                return -ENOMEM;
        return 0;
}

static int handle_request(struct conn *k, const struct proto_msg *req, struct proto_msg *r) {
        struct control *c = k->control;
        struct manager *m = c->manager;
        const char *cmd = proto_get(req, "cmd");
        const char *name = proto_get(req, "name");

        if (!cmd)
                return reply_error(r, "malformed request: no cmd");
        if (strcmp(cmd, "status") == 0) {
                struct unit *only = NULL;
                if (name && !(only = manager_find_unit(m, name)))
                        return reply_error(r, "unknown unit '%s'", name);
                if (proto_begin(r) < 0 || proto_add(r, "ok", "1") < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < m->n_units; i++)
                        if (!only || m->units[i] == only)
                                if (add_unit_record(r, m->units[i], !!only) < 0)
                                        return -ENOMEM;
                return 0;
        }
        if (strcmp(cmd, "start") == 0 || strcmp(cmd, "stop") == 0 || strcmp(cmd, "restart") == 0) {
                if (!name)
                        return reply_error(r, "%s: no unit name given", cmd);
                struct unit *u = manager_find_unit(m, name);
                if (!u || u->removed)
                        return reply_error(r, "unknown unit '%s'", name);
                if (!u->config)
                        return reply_error(r, "unit '%s' failed to load: %s", name, u->load_error);
                if (m->shutting_down)
                        return reply_error(r, "supd is shutting down");
                if (cmd[2] == 'a')
                        (void)unit_start(u);
                else if (cmd[2] == 'o')
                        (void)unit_stop(u);
                else
                        (void)unit_restart(u);
                if (proto_begin(r) < 0 || proto_add(r, "ok", "1") < 0)
                        return -ENOMEM;
                return 0;
        }
        if (strcmp(cmd, "reload") == 0) {
                _cleanup_strv_free_ char **errors = NULL;
                int rr = manager_reload(m, &errors);
                if (rr == -EINVAL && errors) {
                        size_t n = 0;
                        while (errors[n])
                                n++;
                        if (reply_error(r, "reload refused: %zu error(s) in the config, keeping the running one", n) < 0)
                                return -ENOMEM;
                        for (size_t i = 0; i < n; i++)
                                if (proto_add(r, "detail", errors[i]) < 0)
                                        return -ENOMEM;
                        return 0;
                }
                if (rr < 0)
                        return reply_error(r, "reload failed: %s", strerror(-rr));
                if (proto_begin(r) < 0 || proto_add(r, "ok", "1") < 0)
                        return -ENOMEM;
                return 0;
        }
        if (strcmp(cmd, "poweroff") == 0 || strcmp(cmd, "reboot") == 0 || strcmp(cmd, "halt") == 0) {
                if (!m->is_pid1)
                        return reply_error(r, "%s: supd is not PID 1 here; stop it with SIGTERM", cmd);
                manager_start_shutdown(m, cmd[0] == 'p' ? INIT_POWEROFF : cmd[0] == 'r' ? INIT_REBOOT : INIT_HALT);
                if (proto_begin(r) < 0 || proto_add(r, "ok", "1") < 0)
                        return -ENOMEM;
                return 0;
        }
        if (strcmp(cmd, "exec") == 0) {
                if (!name)
                        return reply_error(r, "exec: no unit name given");
                return handle_exec(k, req, name, r);
        }
        if (strcmp(cmd, "logs") == 0) {
                if (!name)
                        return reply_error(r, "logs: no unit name given");
                struct unit *u = manager_find_unit(m, name);
                if (!u)
                        return reply_error(r, "unknown unit '%s'", name);
                const char *nv = proto_get(req, "lines");
                size_t want = nv ? strtoull(nv, NULL, 10) : SIZE_MAX;
                size_t first = u->ring.n > want ? u->ring.n - want : 0;
                if (proto_begin(r) < 0 || proto_add(r, "ok", "1") < 0)
                        return -ENOMEM;
                for (size_t i = first; i < u->ring.n; i++)
                        if (add_line_record(r, logring_get(&u->ring, i)->ts, logring_get(&u->ring, i)->stream,
                                            logring_get(&u->ring, i)->data) < 0)
                                return -ENOMEM;
                if (proto_get(req, "follow")) {
                        free(k->follow);
                        k->follow = strdup(name);
                }
                return 0;
        }
        if (strcmp(cmd, "signal") == 0) {
                /* Forwarded from supctl exec (Ctrl-C and friends); no reply. */
                const char *sig = proto_get(req, "sig");
                int n = sig ? atoi(sig) : 0;
                if (k->exec_pidfd >= 0 && n > 0 && n < _NSIG)
                        (void)syscall(SYS_pidfd_send_signal, k->exec_pidfd, n, NULL, 0);
                return NO_REPLY;
        }
        return reply_error(r, "unknown command '%s'", cmd);
}

/* ---- connection I/O ---- */

static int conn_flush(struct conn *k) {
        while (k->out_off < k->out_len) {
                ssize_t n = send(k->fd, k->out + k->out_off, k->out_len - k->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return sd_event_source_set_io_events(k->io, EPOLLOUT);
                        return -errno;
                }
                k->out_off += (size_t)n;
        }
        k->out_len = k->out_off = 0;
        if (k->close_after_write)
                return -ECONNRESET;
        return sd_event_source_set_io_events(k->io, EPOLLIN);
}

/* Appends a finished frame to what waits to be sent. */
static int conn_append(struct conn *k, const void *buf, size_t len) {
        if (k->out_off > 0 && k->out_off == k->out_len)
                k->out_len = k->out_off = 0;
        if (k->out_len + len > k->out_alloc) {
                size_t a = (k->out_len + len) * 2;
                char *n = realloc(k->out, a);
                if (!n)
                        return -ENOMEM;
                k->out = n;
                k->out_alloc = a;
        }
        memcpy(k->out + k->out_len, buf, len);
        k->out_len += len;
        return 0;
}

static int conn_reply(struct conn *k, struct proto_msg *r, bool close_after) {
        if (proto_finish(r, PROTO_MAX_REPLY) < 0) {
                if (reply_error(r, "reply too large") < 0 || proto_finish(r, PROTO_MAX_REPLY) < 0)
                        return -ENOMEM;
        }
        int e = conn_append(k, r->buf, r->len);
        if (e < 0)
                return e;
        k->close_after_write = close_after;
        return conn_flush(k);
}

static int conn_reject(struct conn *k, const char *why) {
        struct proto_msg r = { 0 };
        int ret = reply_error(&r, "%s", why);
        if (ret >= 0)
                ret = conn_reply(k, &r, true);
        proto_msg_done(&r);
        return ret;
}

/* recv() that also takes the fds a client sends along (SCM_RIGHTS), CLOEXEC from
 * birth; more than three are closed at once. */
static ssize_t recv_with_fds(struct conn *k, void *buf, size_t len) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * 8)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control };
        ssize_t n = recvmsg(k->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return n;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *fds = (int *)CMSG_DATA(cm);
                for (size_t i = 0; i < nfd; i++) {
                        if (k->n_fds < 3)
                                k->fds[k->n_fds++] = fds[i];
                        else
                                close(fds[i]);
                }
        }
        if (mh.msg_flags & MSG_CTRUNC)
                log_warning("control: a client sent too many fds, dropped");
        return n;
}

static int conn_read(struct conn *k) {
        for (;;) {
                void *dst;
                size_t want;
                if (k->hdr_got < sizeof k->hdr) {
                        dst = k->hdr + k->hdr_got;
                        want = sizeof k->hdr - k->hdr_got;
                } else {
                        dst = k->in + k->in_got;
                        want = k->in_need - k->in_got;
                }
                ssize_t n = recv_with_fds(k, dst, want);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                if (n == 0)
                        return -ECONNRESET;
                if (k->hdr_got < sizeof k->hdr) {
                        k->hdr_got += (size_t)n;
                        if (k->hdr_got < sizeof k->hdr)
                                continue;
                        int64_t len = proto_frame_length(k->hdr, PROTO_MAX_REQUEST);
                        if (len < 0)
                                return conn_reject(k, "request too large");
                        if (len == 0)
                                return conn_reject(k, "malformed request: empty");
                        k->in = malloc((size_t)len);
                        if (!k->in)
                                return -ENOMEM;
                        k->in_need = (size_t)len;
                        k->in_got = 0;
                        continue;
                }
                k->in_got += (size_t)n;
                if (k->in_got < k->in_need)
                        continue;

                /* A whole request. */
                struct proto_msg req = { 0 }, r = { 0 };
                int ret = proto_parse(&req, k->in, k->in_need);
                free(k->in);
                k->in = NULL;
                k->hdr_got = 0;
                if (ret < 0) {
                        proto_msg_done(&req);
                        return conn_reject(k, "malformed request");
                }
                ret = handle_request(k, &req, &r);
                proto_msg_done(&req);
                if (ret == NO_REPLY) {
                        proto_msg_done(&r);
                        continue;
                }
                if (ret >= 0)
                        ret = conn_reply(k, &r, false);
                proto_msg_done(&r);
                /* One request at a time: wait for the reply to go out before reading on. */
                return ret;
        }
}

static int on_conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct conn *k = userdata;
        int r = 0;
        (void)s;
        (void)fd;
        (void)sd_event_source_set_time_relative(k->timer, IDLE_TIMEOUT_USEC);
        if (revents & EPOLLOUT)
                r = conn_flush(k);
        if (r >= 0 && (revents & EPOLLIN) && k->follow && !(revents & EPOLLOUT)) {
                /* A follower only ever closes (Ctrl-C): anything readable ends it. */
                char b[64];
                if (recv(k->fd, b, sizeof b, MSG_DONTWAIT) <= 0)
                        r = -ECONNRESET;
                revents &= ~(uint32_t)EPOLLIN;
        }
        else if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                r = k->out_len > k->out_off ? 0 : conn_read(k);
        if (r < 0) {
                if (r != -ECONNRESET && r != -EPIPE)
                        log_debug("control connection: %s", strerror(-r));
                conn_free(k);
        }
        return 0;
}

static int on_conn_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        (void)s;
        (void)usec;
        conn_free(userdata);
        return 0;
}

static bool peer_allowed(const struct control *c, uid_t uid, gid_t gid) {
        (void)gid;
        if (uid == 0 || uid == geteuid())
                return true;
        /* Supplementary groups were checked by the kernel against the socket's mode. */
        return c->group_access;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct control *c = userdata;
        (void)s;
        (void)revents;
        for (;;) {
                _cleanup_close_ int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                log_warning_errno(errno, "control: accept: %m");
                        return 0;
                }
                if (c->n_conns >= MAX_CONNECTIONS) {
                        log_warning("control: too many connections, refusing one");
                        continue;
                }
                struct ucred cred;
                socklen_t len = sizeof cred;
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                        log_warning_errno(errno, "control: SO_PEERCRED: %m");
                        continue;
                }
                struct conn *k = calloc(1, sizeof *k);
                if (!k)
                        return 0;
                k->control = c;
                k->fd = TAKE_FD(cfd);
                k->exec_pidfd = k->exec_status_fd = -1;
                k->uid = cred.uid;
                k->gid = cred.gid;
                k->next = c->conns;
                c->conns = k;
                c->n_conns++;
                if (sd_event_add_io(c->manager->event, &k->io, k->fd, EPOLLIN, on_conn_io, k) < 0 ||
                    sd_event_add_time_relative(c->manager->event, &k->timer, CLOCK_MONOTONIC, IDLE_TIMEOUT_USEC, USEC_PER_SEC,
                                               on_conn_timeout, k) < 0) {
                        conn_free(k);
                        continue;
                }
                if (!peer_allowed(c, cred.uid, cred.gid)) {
                        log_warning("control: refused uid %u (pid %d)", (unsigned)cred.uid, (int)cred.pid);
                        if (conn_reject(k, "permission denied") < 0)
                                conn_free(k);
                }
        }
}

bool control_child_exited(struct control *c, const siginfo_t *si) {
        struct conn *k = c ? c->conns : NULL;
        while (k && k->exec_pid != si->si_pid)
                k = k->next;
        if (!k)
                return false;
        struct spawn_failure f;
        int status = si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
        int got = k->exec_status_fd >= 0 ? spawn_read_failure(k->exec_status_fd, &f) : 0;
        k->exec_pid = 0;
        closep(&k->exec_pidfd);
        closep(&k->exec_status_fd);
        k->exec_pidfd = k->exec_status_fd = -1;

        struct proto_msg r = { 0 };
        int ret;
        if (got == 1)
                ret = reply_error(&r, "%s %s: %s", spawn_step_to_string(f.step),
                                  f.step == SPAWN_STEP_EXEC ? k->exec_what : "", strerror(f.err));
        else
                ret = proto_begin(&r) < 0 ? -ENOMEM : proto_add(&r, "ok", "1");
        if (ret >= 0)
                ret = proto_addf(&r, "exit", "%d", status);
        if (ret >= 0)
                ret = conn_reply(k, &r, true);
        proto_msg_done(&r);
        if (ret < 0)
                conn_free(k);
        return true;
}

int control_open(struct manager *m, const char *path, const char *group, struct control **ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        if (strlen(path) >= sizeof sa.sun_path)
                return log_error_errno(ENAMETOOLONG, "control socket path too long: %s", path);
        strcpy(sa.sun_path, path);

        struct control *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->fd = -1;
        c->path = strdup(path);
        if (!c->path) {
                control_free(c);
                return -ENOMEM;
        }
        if (group && strcmp(group, "root") != 0) {
                r = group_lookup("/", group, &c->gid);
                if (r < 0) {
                        control_free(c);
                        return log_error_errno(r, "control_group '%s': no such group", group);
                }
                c->group_access = true;
        }

        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (c->fd < 0) {
                r = -errno;
                control_free(c);
                return log_error_errno(r, "control socket: %m");
        }
        (void)unlink(path); /* a stale socket of a dead supd: the run-dir lock says it is ours */
        mode_t old = umask(0177); /* 0600 from birth: no window in which others may connect */
        r = bind(c->fd, (struct sockaddr *)&sa, sizeof sa);
        umask(old);
        if (r < 0) {
                r = -errno;
                control_free(c);
                return log_error_errno(r, "cannot bind %s: %m", path);
        }
        if (c->group_access && (chown(path, 0, c->gid) < 0 || chmod(path, 0660) < 0)) {
                r = -errno;
                control_free(c);
                return log_error_errno(r, "cannot set owner of %s: %m", path);
        }
        if (listen(c->fd, 64) < 0) {
                r = -errno;
                control_free(c);
                return log_error_errno(r, "listen on %s: %m", path);
        }
        r = sd_event_add_io(m->event, &c->io, c->fd, EPOLLIN, on_accept, c);
        if (r < 0) {
                control_free(c);
                return log_error_errno(r, "control socket: %m");
        }
        *ret = c;
        return 0;
}

struct control *control_free(struct control *c) {
        if (!c)
                return NULL;
        while (c->conns)
                conn_free(c->conns);
        sd_event_source_disable_unref(c->io);
        if (c->fd >= 0) {
                close(c->fd);
                (void)unlink(c->path);
        }
        free(c->path);
        free(c);
        return NULL;
}
