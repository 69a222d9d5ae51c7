#include "logring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int logring_init(struct logring *r, size_t max_bytes) {
        *r = (struct logring){ .max_bytes = max_bytes };
        return 0;
}

static void pop_oldest(struct logring *r) {
        struct logring_entry *e = r->e[r->head];
        r->bytes -= e->len;
        free(e);
        r->head = (r->head + 1) % r->cap;
        r->n--;
}

void logring_done(struct logring *r) {
        while (r->n > 0)
                pop_oldest(r);
        free(r->e);
        *r = (struct logring){ 0 };
}

int logring_push(struct logring *r, uint64_t ts, int stream, const char *line, size_t len) {
        if (r->max_bytes == 0)
                return 0;
        if (len > r->max_bytes) {
                line += len - r->max_bytes;
                len = r->max_bytes;
        }
        while (r->n > 0 && r->bytes + len > r->max_bytes)
                pop_oldest(r);
        if (r->n == r->cap) {
                size_t cap = r->cap ? r->cap * 2 : 64;
                struct logring_entry **n = calloc(cap, sizeof *n);
                if (!n)
                        return -ENOMEM;
                for (size_t i = 0; i < r->n; i++)
                        n[i] = r->e[(r->head + i) % r->cap];
                free(r->e);
                r->e = n;
                r->cap = cap;
                r->head = 0;
        }
        struct logring_entry *e = malloc(sizeof *e + len + 1);
        if (!e)
                return -ENOMEM;
        e->ts = ts;
        e->stream = (uint8_t)stream;
        e->len = (uint32_t)len;
        memcpy(e->data, line, len);
        e->data[len] = 0;
        r->e[(r->head + r->n) % r->cap] = e;
        r->n++;
        r->bytes += len;
        return 0;
}

const struct logring_entry *logring_get(const struct logring *r, size_t i) {
        return i < r->n ? r->e[(r->head + i) % r->cap] : NULL;
}
