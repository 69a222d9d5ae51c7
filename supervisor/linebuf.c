#include "linebuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int linebuf_init(struct linebuf *lb, size_t max) {
        *lb = (struct linebuf){ .max = max ? max : LINEBUF_MAX_LINE };
        lb->buf = malloc(lb->max);
        return lb->buf ? 0 : -ENOMEM;
}

void linebuf_done(struct linebuf *lb) {
        free(lb->buf);
        *lb = (struct linebuf){ 0 };
}

void linebuf_feed(struct linebuf *lb, const char *data, size_t n, linebuf_emit_t emit, void *userdata) {
        while (n > 0) {
                const char *nl = memchr(data, '\n', n);
                size_t take = nl ? (size_t)(nl - data) : n;

                if (lb->len == 0 && nl && take <= lb->max) {
                        /* Fast path: a whole line straight from the input. */
                        emit(userdata, data, take, false);
                } else {
                        size_t room = lb->max - lb->len;
                        size_t copy = take < room ? take : room;
                        memcpy(lb->buf + lb->len, data, copy);
                        lb->len += copy;
                        if (copy < take || (lb->len == lb->max && !(nl && copy == take))) {
                                emit(userdata, lb->buf, lb->len, true);
                                lb->len = 0;
                                data += copy;
                                n -= copy;
                                continue;
                        }
                        if (!nl) /* all consumed, waiting for the rest of the line */
                                return;
                        emit(userdata, lb->buf, lb->len, false);
                        lb->len = 0;
                }
                data += take + 1;
                n -= take + 1;
        }
}

void linebuf_flush(struct linebuf *lb, linebuf_emit_t emit, void *userdata) {
        if (lb->len > 0)
                emit(userdata, lb->buf, lb->len, true);
        lb->len = 0;
}
