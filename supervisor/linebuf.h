/* linebuf: splits a byte stream into lines (pure). A line longer than max is cut into
 * pieces of max bytes; bytes pass unharmed (no UTF-8 assumptions). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define LINEBUF_MAX_LINE (16 * 1024)

struct linebuf {
        char *buf;
        size_t len, max;
};

typedef void (*linebuf_emit_t)(void *userdata, const char *line, size_t len, bool partial);

int linebuf_init(struct linebuf *lb, size_t max);
void linebuf_done(struct linebuf *lb);
/* Feeds n bytes; calls emit for each complete line (without its '\n') and for each
 * max-sized piece of an overlong line (partial = true). */
void linebuf_feed(struct linebuf *lb, const char *data, size_t n, linebuf_emit_t emit, void *userdata);
/* Emits what is left as a last, unterminated line (partial = true). */
void linebuf_flush(struct linebuf *lb, linebuf_emit_t emit, void *userdata);
