#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>


int log_full(int level, int err, const char *fmt, ...) {
        int e = abs(err);
        if (level < LOG_DEBUG || getenv("SUPD_DEBUG")) {
                va_list ap;
                int saved = errno;
                errno = e; /* so "%m" names err */
                va_start(ap, fmt);
                fputs("supd: ", stderr);
                vfprintf(stderr, fmt, ap);
                fputc('\n', stderr);
                va_end(ap);
                errno = saved;
        }
        return -e;
}
