#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int errmsg_set(char **ret, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
        return r;
}
