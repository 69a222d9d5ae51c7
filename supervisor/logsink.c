#include "logsink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

#define QUEUE_HIGH_BYTES (4u * 1024 * 1024)
#define QUEUE_MAX_BYTES (16u * 1024 * 1024)
#define RECONNECT_USEC (5ULL * 1000000)

struct entry {
        char *buf;
        size_t len;
        bool own; /* supd's message: may be dropped when full */
};

struct logsink {
        sd_event *event;
        enum log_target target;
        char *journal_path;
        int journal_fd;         /* -1: not using the journal now */
        bool journal_wanted;
        uint64_t retry_at;      /* CLOCK_MONOTONIC usec of the next reconnect attempt */
        int kmsg_fd;
        sd_event_source *out_source;
        struct entry *q;
        size_t q_head, q_n, q_cap, q_bytes;
        bool congested;
        uint64_t dropped;
        logsink_drained_t on_drained;
        void *userdata;
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

const char *logsink_target_name(const struct logsink *s) {
        if (s->journal_fd >= 0)
                return "journal";
        if (s->kmsg_fd >= 0)
                return "kmsg";
        return getpid() == 1 ? "console" : "stderr";
}

bool logsink_congested(const struct logsink *s) {
        return s && s->congested;
}

/* ---- the plain targets ---- */

static void write_plain(struct logsink *s, int priority, const char *unit, const char *msg, size_t len) {
        char prefix[96];
        if (s->kmsg_fd >= 0) {
                /* kmsg wants one write per record, with its priority. */
                _cleanup_free_ char *rec = NULL;
                int n = asprintf(&rec, "<%d>%s%s%.*s\n", priority, unit ? unit : "supd", ": ", (int)len, msg);
                if (n > 0)
                        (void)!write(s->kmsg_fd, rec, (size_t)n);
                return;
        }
        snprintf(prefix, sizeof prefix, "%s: ", unit ? unit : "supd");
        struct iovec iov[3] = { { prefix, strlen(prefix) }, { (void *)msg, len }, { "\n", 1 } };
        (void)!writev(STDERR_FILENO, iov, 3); /* PID 1's console is non-blocking: see logsink_new() */
}

/* ---- the journal ---- */

static void journal_lost(struct logsink *s, int err) {
        if (s->journal_fd < 0)
                return;
        s->out_source = sd_event_source_disable_unref(s->out_source);
        close(s->journal_fd);
        s->journal_fd = -1;
        s->retry_at = now_usec() + RECONNECT_USEC;
        char msg[160];
        int n = snprintf(msg, sizeof msg, "journald is gone (%s): logging to the console, retrying in 5s", strerror(-err));
        write_plain(s, LOG_WARNING, NULL, msg, (size_t)n);
}

static void try_reconnect(struct logsink *s) {
        if (!s->journal_wanted || s->journal_fd >= 0 || now_usec() < s->retry_at)
                return;
        int fd = journal_connect(s->journal_path);
        if (fd < 0) {
                s->retry_at = now_usec() + RECONNECT_USEC;
                return;
        }
        s->journal_fd = fd;
        const char *msg = "journald is back: logging to the journal again";
        write_plain(s, LOG_INFO, NULL, msg, strlen(msg));
}

static void queue_pop(struct logsink *s) {
        struct entry *e = &s->q[s->q_head];
        s->q_bytes -= e->len;
        free(e->buf);
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_n--;
}

static int on_writable(sd_event_source *src, int fd, uint32_t revents, void *userdata);

static void update_congestion(struct logsink *s) {
        bool was = s->congested;
        if (s->q_bytes >= QUEUE_HIGH_BYTES)
                s->congested = true;
        else if (s->q_bytes < QUEUE_HIGH_BYTES / 2)
                s->congested = false;
        if (s->q_n > 0 && s->journal_fd >= 0) {
                if (!s->out_source)
                        (void)sd_event_add_io(s->event, &s->out_source, s->journal_fd, EPOLLOUT, on_writable, s);
                else
                        (void)sd_event_source_set_enabled(s->out_source, SD_EVENT_ON);
        } else if (s->out_source)
                s->out_source = sd_event_source_disable_unref(s->out_source);
        if (was && !s->congested && s->on_drained)
                s->on_drained(s->userdata);
}

/* Sends what waits, in order, until journald's queue is full again. */
static void flush_queue(struct logsink *s) {
        while (s->q_n > 0 && s->journal_fd >= 0) {
                struct entry *e = &s->q[s->q_head];
                int r = journal_send_raw(s->journal_fd, e->buf, e->len);
                if (r == -EAGAIN)
                        break;
                if (r < 0) {
                        journal_lost(s, r);
                        break;
                }
                queue_pop(s);
        }
        if (s->journal_fd < 0 && s->q_n > 0) {
                /* journald went away with entries waiting for it: they are lost; say so. */
                char msg[96];
                int n = snprintf(msg, sizeof msg, "%zu log entries queued for journald were lost", s->q_n);
                s->dropped += s->q_n;
                while (s->q_n > 0)
                        queue_pop(s);
                write_plain(s, LOG_WARNING, NULL, msg, (size_t)n);
        }
        if (s->out_source)
                s->out_source = sd_event_source_disable_unref(s->out_source);
        update_congestion(s);
}

static int on_writable(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        (void)src;
        (void)fd;
        (void)revents;
        flush_queue(userdata);
        return 0;
}

static bool enqueue(struct logsink *s, char *buf, size_t len, bool own) {
        if (s->q_bytes + len > QUEUE_MAX_BYTES || (own && s->q_bytes >= QUEUE_HIGH_BYTES)) {
                s->dropped++;
                return false;
        }
        if (s->q_n == s->q_cap) {
                size_t cap = s->q_cap ? s->q_cap * 2 : 64;
                struct entry *n = calloc(cap, sizeof *n);
                if (!n) {
                        s->dropped++;
                        return false;
                }
                for (size_t i = 0; i < s->q_n; i++)
                        n[i] = s->q[(s->q_head + i) % s->q_cap];
                free(s->q);
                s->q = n;
                s->q_cap = cap;
                s->q_head = 0;
        }
        s->q[(s->q_head + s->q_n) % s->q_cap] = (struct entry){ buf, len, own };
        s->q_n++;
        s->q_bytes += len;
        update_congestion(s);
        return true;
}

/* Returns false when the entry could not go to the journal (the caller then prints it). */
static bool to_journal(struct logsink *s, const struct journal_field *f, size_t n, bool own) {
        try_reconnect(s);
        if (s->journal_fd < 0)
                return false;
        if (s->q_n == 0) {
                /* The hot path: straight from the fields, no copy. */
                int r = journal_send_fields(s->journal_fd, f, n);
                if (r == 0)
                        return true;
                if (r != -EAGAIN) {
                        journal_lost(s, r);
                        return false;
                }
        }
        /* journald is behind: this entry waits, encoded, in order after the others. */
        char *buf;
        size_t len;
        if (journal_encode(f, n, &buf, &len) < 0)
                return false;
        if (!enqueue(s, buf, len, own))
                free(buf);
        return true; /* queued (or counted as dropped): either way not printed */
}

/* ---- the API ---- */

int logsink_new(sd_event *e, enum log_target target, const char *journal_path, logsink_drained_t on_drained,
                void *userdata, struct logsink **ret) {
        struct logsink *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(e);
        s->target = target;
        s->journal_fd = s->kmsg_fd = -1;
        s->on_drained = on_drained;
        s->userdata = userdata;
        s->journal_path = strdup(journal_path ? journal_path : JOURNAL_SOCKET);
        if (!s->journal_path) {
                logsink_free(s);
                return -ENOMEM;
        }
        switch (target) {
        case LOG_TARGET_AUTO:
        case LOG_TARGET_JOURNAL: {
                int fd = journal_connect(s->journal_path);
                /* auto: the journal when its socket exists; journal: insist (and retry). */
                s->journal_wanted = target == LOG_TARGET_JOURNAL || fd >= 0;
                s->journal_fd = fd >= 0 ? fd : -1;
                s->retry_at = now_usec() + RECONNECT_USEC;
                break;
        }
        case LOG_TARGET_KMSG:
                s->kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                break;
        case LOG_TARGET_CONSOLE:
                break;
        }
        /* A serial console at 115200 baud is slow: PID 1 drops lines rather than wait.
         * (Not for a plain supd: its stderr belongs to whoever started it.) */
        if (getpid() == 1) {
                int fl = fcntl(STDERR_FILENO, F_GETFL);
                if (fl >= 0)
                        (void)fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK);
        }
        *ret = s;
        return 0;
}

struct logsink *logsink_free(struct logsink *s) {
        if (!s)
                return NULL;
        /* A last try to hand over what waits; then it is gone. */
        if (s->journal_fd >= 0) {
                int fl = fcntl(s->journal_fd, F_GETFL);
                (void)fcntl(s->journal_fd, F_SETFL, fl & ~O_NONBLOCK);
                struct timeval tv = { .tv_sec = 1 };
                (void)setsockopt(s->journal_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
                while (s->q_n > 0 && send(s->journal_fd, s->q[s->q_head].buf, s->q[s->q_head].len, MSG_NOSIGNAL) >= 0)
                        queue_pop(s);
        }
        while (s->q_n > 0)
                queue_pop(s);
        free(s->q);
        s->out_source = sd_event_source_disable_unref(s->out_source);
        if (s->journal_fd >= 0)
                close(s->journal_fd);
        if (s->kmsg_fd >= 0)
                close(s->kmsg_fd);
        free(s->journal_path);
        sd_event_unref(s->event);
        free(s);
        return NULL;
}

void logsink_container_line(struct logsink *s, const char *unit, pid_t pid, int stream, const char *line,
                            size_t len) {
        int prio = stream ? LOG_ERR : LOG_INFO; /* docker's journald driver: 3 and 6 */
        if (len >= 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>') {
                prio = line[1] - '0';
                line += 3;
                len -= 3;
        }
        char p[2] = { (char)('0' + prio), 0 }, pidbuf[24];
        snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
        size_t ul = strlen(unit);
        struct journal_field f[] = {
                { "MESSAGE", line, len },
                { "PRIORITY", p, 1 },
                { "SYSLOG_IDENTIFIER", unit, ul },
                { "CONTAINER_NAME", unit, ul },
                { "SUP_UNIT", unit, ul },
                { "OBJECT_PID", pidbuf, strlen(pidbuf) },
        };
        if (!to_journal(s, f, pid > 0 ? 6 : 5, false))
                write_plain(s, prio, unit, line, len);
}

void logsink_message(struct logsink *s, int level, const char *unit, const struct journal_field *extra,
                     size_t n_extra, const char *msg) {
        struct journal_field f[JOURNAL_MAX_FIELDS];
        size_t n = 0;
        char p[2] = { (char)('0' + (level & 7)), 0 };
        f[n++] = (struct journal_field){ "MESSAGE", msg, strlen(msg) };
        f[n++] = (struct journal_field){ "PRIORITY", p, 1 };
        f[n++] = (struct journal_field){ "SYSLOG_IDENTIFIER", "supd", 4 };
        if (unit) {
                f[n++] = (struct journal_field){ "SUP_UNIT", unit, strlen(unit) };
                f[n++] = (struct journal_field){ "UNIT", unit, strlen(unit) };
        }
        for (size_t i = 0; i < n_extra && n < JOURNAL_MAX_FIELDS; i++)
                f[n++] = extra[i];
        if (!to_journal(s, f, n, true))
                write_plain(s, level & 7, NULL, msg, strlen(msg));
}
