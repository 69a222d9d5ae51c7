/* logring: a unit's last log_buffer bytes of output lines, for `supctl logs` (pure).
 * The oldest lines go first when a new one does not fit. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct logring_entry {
        uint64_t ts;     /* CLOCK_REALTIME usec */
        uint8_t stream;  /* 0 stdout, 1 stderr */
        uint32_t len;
        char data[];
};

struct logring {
        struct logring_entry **e;
        size_t head, n, cap;
        size_t bytes, max_bytes;
};

int logring_init(struct logring *r, size_t max_bytes);
void logring_done(struct logring *r);
/* A line longer than max_bytes keeps only its last max_bytes bytes. */
int logring_push(struct logring *r, uint64_t ts, int stream, const char *line, size_t len);
/* Entry i, 0 being the oldest kept. */
const struct logring_entry *logring_get(const struct logring *r, size_t i);
