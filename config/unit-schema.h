/* unit-schema: the keys a container section may hold (one table, from which both the
 * libconfuse options and the keymap schema are made) and the conversion of one section
 * into a struct unit_config. Also the helpers the key parsers share. */
#pragma once

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "keymap.h"

/* One section being converted: the unit's, or one of its sections (what != NULL). */
struct unit_ctx {
        struct sup_config *c;
        const char *file;
        const char *name;         /* the unit's */
        const char *what;         /* NULL, or the section inside the unit: "volume '/data'" */
        unsigned line;            /* of the section */
        const struct secrec *rec; /* where its keys are; NULL: nowhere known */
        cfg_t *sec;
        bool failed;              /* an error was recorded */
};

/* A key parser: reads key from u->sec into uc (offset: the field, for generic parsers).
 * Records every error it finds. 0, -EINVAL (errors recorded) or -ENOMEM. */
typedef int (*unit_key_parser)(struct unit_ctx *u, struct unit_config *uc, const char *key,
                               size_t offset);

/* Records "FILE:LINE: unit 'NAME': [WHAT: ][KEY: ]text" and marks u failed. LINE is that
 * of value idx of key (of n values in all), else of the key, else of the section.
 * Returns -EINVAL or -ENOMEM. */
__attribute__((format(printf, 5, 6)))
int unit_ctx_error(struct unit_ctx *u, const char *key, size_t idx, size_t n, const char *fmt, ...);
/* The same without a key, at a given line. */
__attribute__((format(printf, 3, 4)))
int unit_ctx_error_at(struct unit_ctx *u, unsigned line, const char *fmt, ...);
/* The last assignment of key in the section, or NULL. */
const struct keyrec *unit_ctx_find_key(const struct unit_ctx *u, const char *key);
/* Reports every key of the section not in known (NULL-terminated) as "no such option". */
int unit_ctx_check_keys(struct unit_ctx *u, const char *const *known);

/* Getters of one key. Unset keys leave *ret alone and return 0; a bad value is recorded
 * with unit_ctx_error() and returns -EINVAL. */
int unit_ctx_get_duration(struct unit_ctx *u, const char *key, usec_t *ret);
int unit_ctx_get_bool(struct unit_ctx *u, const char *key, bool *ret);
/* A whole decimal number s (value idx of n of key) in [min, max]. */
int unit_ctx_get_number(struct unit_ctx *u, const char *key, const char *s, size_t idx, size_t n,
                        long min, long max, long *ret);
/* The same for a key's own value, into an unsigned. */
int unit_ctx_get_unsigned(struct unit_ctx *u, const char *key, unsigned min, unsigned max, unsigned *ret);
/* A list key as a NULL-terminated strv (never NULL on success), checking CONFIG_MAX_ARGS
 * and CONFIG_MAX_ARG_LEN. */
int unit_ctx_get_strv(struct unit_ctx *u, const char *key, char ***ret);
/* A required command line (exec, health's exec): a non-empty list whose first entry is
 * not empty. "KEY: not set (required)" when absent, "empty list", "empty command". */
int unit_ctx_get_argv(struct unit_ctx *u, const char *key, char ***ret);

struct unit_schema;
int unit_schema_new(struct unit_schema **ret);
struct unit_schema *unit_schema_free(struct unit_schema *s);
/* libconfuse's options for a unit file (valid as long as s). */
cfg_opt_t *unit_schema_opts(const struct unit_schema *s);
/* What a unit file may hold, for cfgfile_parse(). */
const struct schema *unit_schema_file(const struct unit_schema *s);

/* Builds one unit from its section (u->sec, u->rec); every error of the unit is
 * recorded, not just the first. Returns 0 with *ret set, -EINVAL (errors recorded), or
 * -ENOMEM. */
int unit_config_build(const struct unit_schema *s, struct unit_ctx *u, struct unit_config **ret);
