#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "logsink.h"

/* Set once by the manager, cleared before the sink goes: the daemon's own sink. */
static struct logsink *sink;

void log_set_sink(struct logsink *s) {
        sink = s;
}

static void emit(int level, const char *unit, const struct journal_field *extra, size_t n_extra, const char *msg) {
        if (sink)
                logsink_message(sink, level, unit, extra, n_extra, msg);
        else
                fprintf(stderr, "supd: %s\n", msg);
}

int log_full(int level, int err, const char *fmt, ...) {
        int e = abs(err);
        if (level < LOG_DEBUG || getenv("SUPD_DEBUG")) {
                char *msg = NULL;
                va_list ap;
                int saved = errno;
                errno = e; /* so "%m" names err */
                va_start(ap, fmt);
                int n = vasprintf(&msg, fmt, ap);
                va_end(ap);
                errno = saved;
                if (n >= 0)
                        emit(level, NULL, NULL, 0, msg);
                free(msg);
        }
        return -e;
}

void log_unit(int level, const char *unit, const struct journal_field *extra, size_t n_extra, const char *fmt, ...) {
        char *body = NULL, *msg = NULL;
        va_list ap;
        if (level >= LOG_DEBUG && !getenv("SUPD_DEBUG"))
                return;
        va_start(ap, fmt);
        int n = vasprintf(&body, fmt, ap);
        va_end(ap);
        if (n >= 0 && asprintf(&msg, "%s: %s", unit, body) >= 0)
                emit(level, unit, extra, n_extra, msg);
        free(body);
        free(msg);
}
