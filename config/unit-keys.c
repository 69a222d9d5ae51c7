/* unit-keys: parsers of the step-1 keys (the process and its life cycle). */
#include "unit-keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config-util.h"
#include "values.h"

int unit_parse_description(struct unit_ctx *u, struct unit_config *uc, const char *key,
                           size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        (void)offset;
        free(uc->description);
        uc->description = strdup(s ? s : "");
        return uc->description ? 0 : -ENOMEM;
}

int unit_parse_exec(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        (void)offset;
        return unit_ctx_get_argv(u, key, &uc->exec);
}

int unit_parse_env(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        char **v = NULL;
        size_t n;
        int r;

        (void)offset;
        r = unit_ctx_get_strv(u, key, &v);
        if (r < 0)
                return r;
        strv_free(uc->env);
        uc->env = v;
        n = strv_length(v);
        for (size_t i = 0; i < n; i++)
                if (!env_entry_is_valid(v[i])) {
                        r = unit_ctx_error(u, key, i, n, "invalid entry '%s' (want KEY=VALUE)", v[i]);
                        if (r == -ENOMEM)
                                return r;
                }
        return u->failed ? -EINVAL : 0;
}

int unit_parse_requires(struct unit_ctx *u, struct unit_config *uc, const char *key,
                        size_t offset) {
        char **v = NULL;
        size_t n;
        int r;

        (void)offset;
        r = unit_ctx_get_strv(u, key, &v);
        if (r < 0)
                return r;
        strv_free(uc->requires);
        uc->requires = v;
        n = strv_length(v);
        for (size_t i = 0; i < n; i++) {
                r = 0;
                if (!unit_name_is_valid(v[i]))
                        r = unit_ctx_error(u, key, i, n, "invalid unit name '%s'", v[i]);
                else if (strcmp(v[i], u->name) == 0)
                        r = unit_ctx_error(u, key, i, n, "unit requires itself");
                if (r == -ENOMEM)
                        return r;
        }
        return u->failed ? -EINVAL : 0;
}

int unit_parse_workdir(struct unit_ctx *u, struct unit_config *uc, const char *key,
                       size_t offset) {
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        if (s[0] != '/')
                return unit_ctx_error(u, key, 0, 1, "not an absolute path '%s'", s);
        uc->workdir = strdup(s);
        return uc->workdir ? 0 : -ENOMEM;
}

int unit_parse_user(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        if (!user_is_valid(s))
                return unit_ctx_error(u, key, 0, 1, "invalid user '%s' (want a name, uid or uid:gid)", s);
        uc->user = strdup(s);
        return uc->user ? 0 : -ENOMEM;
}

int unit_parse_restart(struct unit_ctx *u, struct unit_config *uc, const char *key,
                       size_t offset) {
        static const enum restart_mode modes[] = { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(modes); i++)
                if (strcmp(s, restart_mode_to_string(modes[i])) == 0) {
                        uc->restart = modes[i];
                        return 0;
                }
        return unit_ctx_error(u, key, 0, 1, "invalid value '%s' (want no, on-failure or always)", s);
}

int unit_parse_bool(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        return unit_ctx_get_bool(u, key, (bool *)((char *)uc + offset));
}

int unit_parse_duration(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        return unit_ctx_get_duration(u, key, (usec_t *)((char *)uc + offset));
}

int unit_parse_start_limit(struct unit_ctx *u, struct unit_config *uc, const char *key,
                           size_t offset) {
        (void)offset;
        return unit_ctx_get_unsigned(u, key, 0, CONFIG_MAX_START_LIMIT, &uc->start_limit);
}

int unit_parse_success_exit_status(struct unit_ctx *u, struct unit_config *uc, const char *key,
                                   size_t offset) {
        size_t n = cfg_size(u->sec, key);
        int *v;

        (void)offset;
        if (n == 0)
                return unit_ctx_error(u, key, 0, 0, "empty list");
        if (n > 256)
                return unit_ctx_error(u, key, 0, 0, "too many entries (%zu, limit 256)", n);
        v = calloc(n, sizeof(int));
        if (!v)
                return -ENOMEM;
        free(uc->success_exit_status);
        uc->success_exit_status = v;
        uc->n_success_exit_status = n;
        for (size_t i = 0; i < n; i++) {
                const char *s = cfg_getnstr(u->sec, key, (unsigned)i);
                long x = 0;
                int r = unit_ctx_get_number(u, key, s ? s : "", i, n, 0, 255, &x);
                if (r == -ENOMEM)
                        return r;
                v[i] = (int)x;
        }
        return u->failed ? -EINVAL : 0;
}

int unit_parse_stop_signal(struct unit_ctx *u, struct unit_config *uc, const char *key,
                           size_t offset) {
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        if (parse_signal(s, &uc->stop_signal) < 0)
                return unit_ctx_error(u, key, 0, 1, "invalid signal '%s'", s);
        return 0;
}

int unit_config_check_lifecycle(struct unit_ctx *u, struct unit_config *uc) {
        char a[DURATION_STR_MAX], b[DURATION_STR_MAX];
        int r;

        if (uc->restart_delay_max < uc->restart_delay) {
                r = unit_ctx_error(u, "restart_delay_max", 0, 1, "%s is less than restart_delay %s",
                                   format_duration(a, sizeof(a), uc->restart_delay_max),
                                   format_duration(b, sizeof(b), uc->restart_delay));
                if (r == -ENOMEM)
                        return r;
        }
        if (uc->stop_timeout == 0) {
                r = unit_ctx_error(u, "stop_timeout", 0, 1, "must be more than 0");
                if (r == -ENOMEM)
                        return r;
        }
        if (uc->start_timeout == 0) {
                r = unit_ctx_error(u, "start_timeout", 0, 1, "must be more than 0");
                if (r == -ENOMEM)
                        return r;
        }
        if (uc->start_limit > 0 && uc->start_limit_interval == 0) {
                r = unit_ctx_error(u, "start_limit_interval", 0, 1,
                                   "must be more than 0 when start_limit is set");
                if (r == -ENOMEM)
                        return r;
        }
        return u->failed ? -EINVAL : 0;
}
