/* journal: a client of journald's native protocol that never blocks. sd_journal_send()
 * blocks when journald is slow (a full datagram queue), and supd must not: here a full
 * queue is -EAGAIN and the caller decides (queue, pause the producer, or drop and count). */
#pragma once

#include <stddef.h>
#include <sys/uio.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

struct journal_field {
        const char *key; /* upper case, [A-Z0-9_], not starting with '_' */
        const char *value;
        size_t len;
};

/* Encodes fields in the native format into a malloc'd buffer (pure; for tests too):
 * "KEY=value\n", or "KEY\n<le64 length><value>\n" for values holding '\n' or NUL. */
int journal_encode(const struct journal_field *f, size_t n, char **ret, size_t *ret_len);

/* A connected, non-blocking datagram socket to path; -ENOENT/-ECONNREFUSED when no
 * journald listens there. */
int journal_connect(const char *path);
/* Sends one encoded entry: 0, -EAGAIN when journald's queue is full, or another -errno
 * (-ECONNREFUSED: journald is gone). */
int journal_send_raw(int fd, const void *buf, size_t len);
/* Sends fields as one entry straight from an iovec, with no copy (the hot path); the
 * same returns. At most JOURNAL_MAX_FIELDS fields. */
#define JOURNAL_MAX_FIELDS 16
int journal_send_fields(int fd, const struct journal_field *f, size_t n);
