/* log: supd's own messages. One line each, to stderr for now (the journal comes with
 * the logging step). Every function returns -err so callers can
 * `return log_error_errno(r, "...")`. */
#pragma once

#include <syslog.h>

/* Debug lines are printed only when SUPD_DEBUG is set in supd's environment. */
int log_full(int level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_full(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, 0, __VA_ARGS__)
/* err is an errno value (either sign); "%m" in fmt prints its text. */
#define log_warning_errno(err, ...) log_full(LOG_WARNING, (err), __VA_ARGS__)
#define log_error_errno(err, ...) log_full(LOG_ERR, (err), __VA_ARGS__)
