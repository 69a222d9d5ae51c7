/* unit-schema: the table of unit keys and the conversion of one container section. Every
 * value is a libconfuse string (CFG_STR/CFG_STR_LIST) validated by the key's parser, so a
 * bad value fails its unit, not its whole file, and unknown keys (blanked out by the
 * keymap) are reported with the unit they belong to. */
#include "unit-schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config-error.h"
#include "config-util.h"
#include "container-keys.h"
#include "health-keys.h"
#include "log-keys.h"
#include "resource-keys.h"
#include "unit-config.h"
#include "unit-keys.h"
#include "values.h"

/* ---- helpers for the key parsers -------------------------------------------------- */

const struct keyrec *unit_ctx_find_key(const struct unit_ctx *u, const char *key) {
        return u->rec ? keylist_find(&u->rec->keys, key) : NULL;
}

/* The line of value idx of key (of n values in all), else of the key, else the section's. */
static unsigned key_line(const struct unit_ctx *u, const char *key, size_t idx, size_t n) {
        const struct keyrec *k = unit_ctx_find_key(u, key);
        if (!k)
                return u->line;
        if (idx < k->n_vlines && k->n_vlines == n)
                return k->vlines[idx];
        return k->line;
}

__attribute__((format(printf, 4, 0)))
static int unit_verror(struct unit_ctx *u, const char *key, unsigned line, const char *fmt,
                       va_list ap) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (vasprintf(&text, fmt, ap) < 0)
                return -ENOMEM;
        u->failed = true;
        r = config_error_add(u->c, u->file, line, u->name, "unit '%s': %s%s%s%s%s", u->name,
                             u->what ? u->what : "", u->what ? ": " : "", key ? key : "",
                             key ? ": " : "", text);
        return r < 0 ? r : -EINVAL;
}

int unit_ctx_error(struct unit_ctx *u, const char *key, size_t idx, size_t n, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = unit_verror(u, key, key ? key_line(u, key, idx, n) : u->line, fmt, ap);
        va_end(ap);
        return r;
}

int unit_ctx_error_at(struct unit_ctx *u, unsigned line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = unit_verror(u, NULL, line, fmt, ap);
        va_end(ap);
        return r;
}

int unit_ctx_check_keys(struct unit_ctx *u, const char *const *known) {
        for (size_t i = 0; u->rec && i < u->rec->keys.n; i++) {
                const struct keyrec *k = &u->rec->keys.keys[i];
                if (!name_in(k->name, known) &&
                    unit_ctx_error_at(u, k->line, "no such option '%s'", k->name) == -ENOMEM)
                        return -ENOMEM;
        }
        return u->failed ? -EINVAL : 0;
}

int unit_ctx_get_duration(struct unit_ctx *u, const char *key, usec_t *ret) {
        const char *s = cfg_getstr(u->sec, key);
        char a[DURATION_STR_MAX];
        usec_t v;
        int r;

        if (!s)
                return 0; /* unset: keep the default */
        r = parse_duration(s, &v);
        if (r == -ERANGE || (r >= 0 && v > CONFIG_MAX_DURATION))
                return unit_ctx_error(u, key, 0, 1, "duration '%s' out of range (max %s)", s,
                                      format_duration(a, sizeof(a), CONFIG_MAX_DURATION));
        if (r < 0)
                return unit_ctx_error(u, key, 0, 1, "invalid duration '%s'", s);
        *ret = v;
        return 0;
}

int unit_ctx_get_bool(struct unit_ctx *u, const char *key, bool *ret) {
        const char *s = cfg_getstr(u->sec, key);
        int b;

        if (!s)
                return 0;
        b = cfg_parse_boolean(s);
        if (b < 0)
                return unit_ctx_error(u, key, 0, 1, "invalid boolean '%s'", s);
        *ret = b;
        return 0;
}

int unit_ctx_get_number(struct unit_ctx *u, const char *key, const char *s, size_t idx, size_t n,
                        long min, long max, long *ret) {
        char *end = NULL;
        long v;

        /* strtol() would also take blanks and a '+' */
        if (!((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && s[1] >= '0' && s[1] <= '9')))
                return unit_ctx_error(u, key, idx, n, "invalid number '%s'", s);
        errno = 0;
        v = strtol(s, &end, 10);
        if (*end)
                return unit_ctx_error(u, key, idx, n, "invalid number '%s'", s);
        if (errno == ERANGE || v < min || v > max)
                return unit_ctx_error(u, key, idx, n, "%s out of range (%ld..%ld)", s, min, max);
        *ret = v;
        return 0;
}

int unit_ctx_get_unsigned(struct unit_ctx *u, const char *key, unsigned min, unsigned max, unsigned *ret) {
        const char *s = cfg_getstr(u->sec, key);
        long v;
        int r;

        if (!s)
                return 0;
        r = unit_ctx_get_number(u, key, s, 0, 1, min, max, &v);
        if (r < 0)
                return r;
        *ret = (unsigned)v;
        return 0;
}

int unit_ctx_get_strv(struct unit_ctx *u, const char *key, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        size_t n = cfg_size(u->sec, key);

        if (n > CONFIG_MAX_ARGS)
                return unit_ctx_error(u, key, 0, 0, "too many entries (%zu, limit %d)", n,
                                      CONFIG_MAX_ARGS);
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s = cfg_getnstr(u->sec, key, (unsigned)i);
                if (!s)
                        s = "";
                if (strlen(s) > CONFIG_MAX_ARG_LEN)
                        return unit_ctx_error(u, key, i, n, "entry %zu too long (limit %d bytes)",
                                              i + 1, CONFIG_MAX_ARG_LEN);
                v[i] = strdup(s);
                if (!v[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int unit_ctx_get_argv(struct unit_ctx *u, const char *key, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        int r;

        if (cfg_size(u->sec, key) == 0)
                return unit_ctx_find_key(u, key)
                               ? unit_ctx_error(u, key, 0, 0, "empty list")
                               : unit_ctx_error(u, NULL, 0, 0, "%s: not set (required)", key);
        r = unit_ctx_get_strv(u, key, &v);
        if (r < 0)
                return r;
        if (!v[0][0])
                return unit_ctx_error(u, key, 0, strv_length(v), "empty command");
        *ret = TAKE_PTR(v);
        return 0;
}

/* ---- the table -------------------------------------------------------------------- */

enum unit_key_kind { UNIT_KEY_STR, UNIT_KEY_LIST, UNIT_KEY_SECTION };

struct unit_key {
        const char *name;
        enum unit_key_kind kind;
        const char *list_default;        /* UNIT_KEY_LIST: libconfuse syntax, so "+=" appends */
        const char *const *section_keys; /* UNIT_KEY_SECTION: its keys (strings unless in */
        const char *const *section_lists; /* section_lists, which are lists) */
        bool single;                     /* UNIT_KEY_SECTION: untitled, at most one (CFGF_NONE;
                                          * its parser checks presence and count) */
        unit_key_parser parse;           /* in table order: a parser may look at earlier keys */
        size_t offset;                   /* for the generic parsers */
};

#define FIELD(f) offsetof(struct unit_config, f)

static const struct unit_key unit_keys[] = {
        { "description", UNIT_KEY_STR, .parse = unit_parse_description },
        { "exec", UNIT_KEY_LIST, .parse = unit_parse_exec },
        { "workdir", UNIT_KEY_STR, .parse = unit_parse_workdir },
        { "env", UNIT_KEY_LIST, .parse = unit_parse_env },
        { "user", UNIT_KEY_STR, .parse = unit_parse_user },
        { "autostart", UNIT_KEY_STR, .parse = unit_parse_bool, .offset = FIELD(autostart) },
        { "requires", UNIT_KEY_LIST, .parse = unit_parse_requires },
        { "restart", UNIT_KEY_STR, .parse = unit_parse_restart },
        { "restart_delay", UNIT_KEY_STR, .parse = unit_parse_duration, .offset = FIELD(restart_delay) },
        { "restart_delay_max", UNIT_KEY_STR, .parse = unit_parse_duration,
          .offset = FIELD(restart_delay_max) },
        { "restart_reset", UNIT_KEY_STR, .parse = unit_parse_duration, .offset = FIELD(restart_reset) },
        { "start_limit", UNIT_KEY_STR, .parse = unit_parse_start_limit },
        { "start_limit_interval", UNIT_KEY_STR, .parse = unit_parse_duration,
          .offset = FIELD(start_limit_interval) },
        { "success_exit_status", UNIT_KEY_LIST, "{0}", .parse = unit_parse_success_exit_status },
        { "stop_signal", UNIT_KEY_STR, .parse = unit_parse_stop_signal },
        { "stop_timeout", UNIT_KEY_STR, .parse = unit_parse_duration, .offset = FIELD(stop_timeout) },
        /* step 2: the container */
        { "rootfs", UNIT_KEY_STR, .parse = unit_parse_rootfs },
        { "layers", UNIT_KEY_LIST, .parse = unit_parse_layers }, /* after rootfs */
        { "writable", UNIT_KEY_STR, .parse = unit_parse_writable },
        { "volume", UNIT_KEY_SECTION, .section_keys = unit_volume_keys, .parse = unit_parse_volumes },
        /* after volume: a path may not be both */
        { "tmpfs", UNIT_KEY_SECTION, .section_keys = unit_tmpfs_keys, .parse = unit_parse_tmpfs },
        { "hostname", UNIT_KEY_STR, .parse = unit_parse_hostname },
        { "network", UNIT_KEY_STR, .parse = unit_parse_network },
        { "userns", UNIT_KEY_STR, .parse = unit_parse_bool, .offset = FIELD(userns) },
        { "init", UNIT_KEY_STR, .parse = unit_parse_bool, .offset = FIELD(init) },
        { "capabilities", UNIT_KEY_LIST, .parse = unit_parse_capabilities },
        { "seccomp", UNIT_KEY_STR, .parse = unit_parse_seccomp },
        { "no_new_privileges", UNIT_KEY_STR, .parse = unit_parse_bool,
          .offset = FIELD(no_new_privileges) },
        /* step 4: resources */
        { "memory_max", UNIT_KEY_STR, .parse = unit_parse_memory_max },
        { "memory_high", UNIT_KEY_STR, .parse = unit_parse_memory_high }, /* after memory_max */
        { "memory_swap_max", UNIT_KEY_STR, .parse = unit_parse_memory_swap_max },
        { "cpu_max", UNIT_KEY_STR, .parse = unit_parse_cpu_max },
        { "cpu_weight", UNIT_KEY_STR, .parse = unit_parse_weight, .offset = FIELD(cpu_weight) },
        { "pids_max", UNIT_KEY_STR, .parse = unit_parse_pids_max },
        { "io_weight", UNIT_KEY_STR, .parse = unit_parse_weight, .offset = FIELD(io_weight) },
        /* step 5: readiness, liveness, logs */
        { "notify", UNIT_KEY_STR, .parse = unit_parse_bool, .offset = FIELD(notify) },
        { "start_timeout", UNIT_KEY_STR, .parse = unit_parse_duration, .offset = FIELD(start_timeout) },
        { "watchdog", UNIT_KEY_STR, .parse = unit_parse_duration, .offset = FIELD(watchdog) },
        { "health", UNIT_KEY_SECTION, .section_keys = unit_health_keys,
          .section_lists = unit_health_lists, .single = true, .parse = unit_parse_health },
        { "log_buffer", UNIT_KEY_STR, .parse = unit_parse_log_buffer },
        { "log_rate", UNIT_KEY_STR, .parse = unit_parse_log_rate },
};

#define N_KEYS ELEMENTSOF(unit_keys)

/* Both views of the table. Points into itself: heap only. */
struct unit_schema {
        cfg_opt_t root[2];                /* container sections */
        cfg_opt_t container[N_KEYS + 1];
        cfg_opt_t *section_opts[N_KEYS];  /* UNIT_KEY_SECTION entries' options */
        const char *names[N_KEYS + 1];    /* every name, keys and sections */
        const char *keys[N_KEYS + 1];     /* keys only */
        struct schema section_schemas[N_KEYS];
        struct schema_section sections[N_KEYS + 1];
        struct schema container_schema;
        struct schema_section file_sections[2];
        struct schema file;
};

struct unit_schema *unit_schema_free(struct unit_schema *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < N_KEYS; i++)
                free(s->section_opts[i]);
        free(s);
        return NULL;
}

static void unit_schema_freep(struct unit_schema **s) {
        *s = unit_schema_free(*s);
}

/* A section's options: every key a string, or a list when in lists. */
static cfg_opt_t *section_opts_new(const char *const *keys, const char *const *lists) {
        size_t n = 0;
        cfg_opt_t *o;

        while (keys[n])
                n++;
        o = calloc(n + 1, sizeof(cfg_opt_t));
        if (!o)
                return NULL;
        for (size_t i = 0; i < n; i++)
                o[i] = name_in(keys[i], lists) ? (cfg_opt_t)CFG_STR_LIST(keys[i], NULL, CFGF_NONE)
                                               : (cfg_opt_t)CFG_STR(keys[i], NULL, CFGF_NONE);
        o[n] = (cfg_opt_t)CFG_END();
        return o;
}

int unit_schema_new(struct unit_schema **ret) {
        _cleanup_(unit_schema_freep) struct unit_schema *s = calloc(1, sizeof(*s));
        size_t n_keys = 0, n_secs = 0;

        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < N_KEYS; i++) {
                const struct unit_key *k = &unit_keys[i];

                s->names[i] = k->name;
                switch (k->kind) {
                case UNIT_KEY_STR:
                        s->container[i] = (cfg_opt_t)CFG_STR(k->name, NULL, CFGF_NONE);
                        s->keys[n_keys++] = k->name;
                        break;
                case UNIT_KEY_LIST:
                        s->container[i] = (cfg_opt_t)CFG_STR_LIST(k->name, (char *)k->list_default,
                                                                  CFGF_NONE);
                        s->keys[n_keys++] = k->name;
                        break;
                case UNIT_KEY_SECTION:
                        s->section_opts[i] = section_opts_new(k->section_keys, k->section_lists);
                        if (!s->section_opts[i])
                                return -ENOMEM;
                        /* duplicate titles: libconfuse would keep only the last one. A
                         * single section given twice is merged by libconfuse: the keymap
                         * sees both, and the parser refuses the second. */
                        s->container[i] = (cfg_opt_t)CFG_SEC(k->name, s->section_opts[i],
                                                             k->single ? CFGF_NONE
                                                                       : CFGF_MULTI | CFGF_TITLE |
                                                                                 CFGF_NO_TITLE_DUPES);
                        s->section_schemas[i] = (struct schema){ .keys = k->section_keys };
                        s->sections[n_secs++] = (struct schema_section){ k->name, &s->section_schemas[i] };
                        break;
                }
        }
        s->container[N_KEYS] = (cfg_opt_t)CFG_END();
        s->root[0] = (cfg_opt_t)CFG_SEC("container", s->container,
                                        CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES);
        s->root[1] = (cfg_opt_t)CFG_END();
        s->container_schema = (struct schema){ .keys = s->keys, .sections = s->sections };
        s->file_sections[0] = (struct schema_section){ "container", &s->container_schema };
        s->file = (struct schema){ .sections = s->file_sections };
        *ret = TAKE_PTR(s);
        return 0;
}

cfg_opt_t *unit_schema_opts(const struct unit_schema *s) {
        return (cfg_opt_t *)s->root;
}

const struct schema *unit_schema_file(const struct unit_schema *s) {
        return &s->file;
}

/* ---- one unit --------------------------------------------------------------------- */

int unit_config_build(const struct unit_schema *s, struct unit_ctx *u, struct unit_config **ret) {
        _cleanup_(unit_config_freep) struct unit_config *uc = NULL;
        int r;

        if (!unit_name_is_valid(u->name))
                return unit_ctx_error(u, NULL, 0, 0,
                                      "invalid unit name (want [a-z0-9][a-z0-9_.-]{0,62})");
        r = unit_ctx_check_keys(u, s->names);
        if (r == -ENOMEM)
                return r;

        uc = unit_config_new();
        if (!uc)
                return -ENOMEM;
        for (size_t i = 0; i < N_KEYS; i++) {
                r = unit_keys[i].parse(u, uc, unit_keys[i].name, unit_keys[i].offset);
                if (r == -ENOMEM)
                        return r;
        }
        if (u->failed)
                return -EINVAL;
        r = unit_config_check_lifecycle(u, uc);
        if (r < 0)
                return r;

        uc->name = strdup(u->name);
        uc->file = strdup(u->file);
        if (!uc->name || !uc->file)
                return -ENOMEM;
        if (!uc->hostname) {
                /* a unit name is at most 63 characters: the kernel takes it as it is */
                uc->hostname = strdup(u->name);
                if (!uc->hostname)
                        return -ENOMEM;
        }
        uc->line = u->line;
        *ret = TAKE_PTR(uc);
        return 0;
}
