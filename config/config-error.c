/* config-error: the list of errors a load collects in struct sup_config. */
#include "config-error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-util.h"
#include "config.h"

int config_error_addv(struct sup_config *c, const char *file, unsigned line, const char *unit,
                      const char *fmt, va_list ap) {
        _cleanup_free_ char *text = NULL, *msg = NULL, *f = NULL, *u = NULL;
        struct config_error *e;
        int r;

        if (vasprintf(&text, fmt, ap) < 0)
                return -ENOMEM;
        if (line > 0)
                r = asprintf(&msg, "%s:%u: %s", file, line, text);
        else
                r = asprintf(&msg, "%s: %s", file, text);
        if (r < 0)
                return -ENOMEM;
        f = strdup(file);
        if (!f)
                return -ENOMEM;
        if (unit) {
                u = strdup(unit);
                if (!u)
                        return -ENOMEM;
        }
        e = reallocarray(c->errors, c->n_errors + 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        c->errors = e;
        c->errors[c->n_errors++] = (struct config_error){
                .file = TAKE_PTR(f),
                .line = line,
                .unit = TAKE_PTR(u),
                .message = TAKE_PTR(msg),
        };
        return 0;
}

int config_error_add(struct sup_config *c, const char *file, unsigned line, const char *unit,
                     const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = config_error_addv(c, file, line, unit, fmt, ap);
        va_end(ap);
        return r;
}

bool config_has_unit_error(const struct sup_config *c, const char *name) {
        for (size_t i = 0; i < c->n_errors; i++)
                if (streq_ptr(c->errors[i].unit, name))
                        return true;
        return false;
}
