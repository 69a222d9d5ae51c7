/* config-error: the list of errors a load collects in struct sup_config. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

struct sup_config;

/* Appends an error whose message is "FILE:LINE: text" ("FILE: text" when line is 0).
 * unit may be NULL. Returns 0 or -ENOMEM. */
__attribute__((format(printf, 5, 0)))
int config_error_addv(struct sup_config *c, const char *file, unsigned line, const char *unit,
                      const char *fmt, va_list ap);
__attribute__((format(printf, 5, 6)))
int config_error_add(struct sup_config *c, const char *file, unsigned line, const char *unit,
                     const char *fmt, ...);

/* True when an error names this unit. */
bool config_has_unit_error(const struct sup_config *c, const char *name);
