/* log: supd's own messages, one line each, to wherever the log sink sends them (the
 * journal with structured fields, the console, kmsg) or, before there is a sink (and
 * in supctl), to stderr. Every function returns -err so callers can
 * `return log_error_errno(r, "...")`. */
#pragma once

#include <stddef.h>
#include <syslog.h>

struct logsink;
struct journal_field;

/* The daemon's sink; the one pointer log.c keeps (NULL: stderr). */
void log_set_sink(struct logsink *s);

/* Debug lines are printed only when SUPD_DEBUG is set in supd's environment. */
int log_full(int level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* About one unit, with extra journal fields (RESULT=..., EXIT_CODE=...). */
void log_unit(int level, const char *unit, const struct journal_field *extra, size_t n_extra, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

#define log_debug(...) log_full(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, 0, __VA_ARGS__)
/* err is an errno value (either sign); "%m" in fmt prints its text. */
#define log_warning_errno(err, ...) log_full(LOG_WARNING, (err), __VA_ARGS__)
#define log_error_errno(err, ...) log_full(LOG_ERR, (err), __VA_ARGS__)
