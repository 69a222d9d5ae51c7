/* supconf: the global file CONFIG_DIR/sup.conf; see supconf.h. */
#include "supconf.h"

#include <confuse.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgfile.h"
#include "cleanup.h"
#include "config-error.h"
#include "config-util.h"
#include "config.h"
#include "values.h"

static const char *const global_keys[] = { "units_dir", "state_dir", "shutdown_timeout", "control_group",
                                           "log_target", "hostname", "modules", "emergency_shell", NULL };

static const enum log_target log_targets[] = { LOG_TARGET_AUTO, LOG_TARGET_JOURNAL, LOG_TARGET_CONSOLE,
                                               LOG_TARGET_KMSG };

const char *log_target_to_string(enum log_target t) {
        switch (t) {
        case LOG_TARGET_AUTO:
                return "auto";
        case LOG_TARGET_JOURNAL:
                return "journal";
        case LOG_TARGET_CONSOLE:
                return "console";
        case LOG_TARGET_KMSG:
                return "kmsg";
        }
        return NULL;
}

/* "FILE:LINE: KEY: text" for sup.conf; marks global_error. */
__attribute__((format(printf, 4, 5)))
static int global_error(struct sup_config *c, const struct cfgfile *p, const char *key,
                        const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        const struct keyrec *k = keylist_find(&p->map.root.keys, key);
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        c->global_error = true;
        return config_error_add(c, p->path, k ? k->line : 0, NULL, "%s: %s", key, text);
}

static int set_string(char **field, const char *value) {
        char *s = strdup(value);
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

/* A module name as modprobe takes it: letters, digits, '_' and '-'. */
static bool module_name_is_valid(const char *s) {
        if (!*s || strlen(s) > 64)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      *s == '-'))
                        return false;
        return true;
}

static int load_modules(struct sup_config *c, const struct cfgfile *p) {
        unsigned n = cfg_size(p->cfg, "modules");
        char **v = calloc(n + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        size_t j = 0;
        for (unsigned i = 0; i < n; i++) {
                const char *s = cfg_getnstr(p->cfg, "modules", i);
                if (!s || !module_name_is_valid(s)) {
                        int r = global_error(c, p, "modules", "invalid module name '%s'", s ? s : "");
                        if (r < 0) {
                                for (size_t k = 0; k < j; k++)
                                        free(v[k]);
                                free(v);
                                return r;
                        }
                        continue;
                }
                if (!(v[j++] = strdup(s))) {
                        for (size_t k = 0; k + 1 < j; k++)
                                free(v[k]);
                        free(v);
                        return -ENOMEM;
                }
        }
        for (char **m = c->modules; m && *m; m++)
                free(*m);
        free(c->modules);
        c->modules = v;
        return 0;
}

int supconf_load(struct sup_config *c, const char *config_dir) {
        cfg_opt_t opts[] = {
                CFG_STR("units_dir", NULL, CFGF_NONE),
                CFG_STR("state_dir", NULL, CFGF_NONE),
                CFG_STR("shutdown_timeout", NULL, CFGF_NONE),
                CFG_STR("control_group", NULL, CFGF_NONE),
                CFG_STR("log_target", NULL, CFGF_NONE),
                CFG_STR("hostname", NULL, CFGF_NONE),
                CFG_STR_LIST("modules", NULL, CFGF_NONE),
                CFG_BOOL("emergency_shell", cfg_false, CFGF_NONE),
                CFG_END(),
        };
        _cleanup_free_ char *path = NULL;
        struct cfgfile p = {};
        const char *s;
        size_t before = c->n_errors;
        int r;

        path = path_join(config_dir, "sup.conf");
        c->units_dir = path_join(config_dir, "units");
        if (!path || !c->units_dir)
                return -ENOMEM;
        if (access(path, F_OK) < 0 && errno == ENOENT)
                return 0;

        r = cfgfile_parse(c, path, opts, &(const struct schema){ .keys = global_keys }, NULL, &p);
        if (r != 0) {
                if (c->n_errors > before)
                        c->global_error = true;
                return r < 0 ? r : 0;
        }
        for (size_t i = 0; i < p.map.root.keys.n; i++) {
                const struct keyrec *k = &p.map.root.keys.keys[i];
                if (!name_in(k->name, global_keys)) {
                        c->global_error = true;
                        r = config_error_add(c, path, k->line, NULL, "no such option '%s'", k->name);
                        if (r < 0)
                                goto out;
                }
        }
        for (size_t i = 0; i < p.map.root.n_subs; i++) {
                c->global_error = true;
                r = config_error_add(c, path, p.map.root.subs[i].line, NULL, "no such option '%s'",
                                     p.map.root.subs[i].name);
                if (r < 0)
                        goto out;
        }

        r = 0;
        s = cfg_getstr(p.cfg, "units_dir");
        if (s && !*s)
                r = global_error(c, &p, "units_dir", "empty path");
        else if (s && s[0] == '/')
                r = set_string(&c->units_dir, s);
        else if (s) {
                char *j = path_join(config_dir, s);
                if (!j)
                        r = -ENOMEM;
                else {
                        free(c->units_dir);
                        c->units_dir = j;
                }
        }
        if (r < 0)
                goto out;

        s = cfg_getstr(p.cfg, "state_dir");
        if (s && s[0] != '/')
                r = global_error(c, &p, "state_dir", "not an absolute path '%s'", s);
        else if (s)
                r = set_string(&c->state_dir, s);
        if (r < 0)
                goto out;

        s = cfg_getstr(p.cfg, "shutdown_timeout");
        if (s) {
                char a[DURATION_STR_MAX];
                usec_t v;
                r = parse_duration(s, &v);
                if (r == -ERANGE || (r >= 0 && v > CONFIG_MAX_DURATION))
                        r = global_error(c, &p, "shutdown_timeout", "duration '%s' out of range (max %s)",
                                         s, format_duration(a, sizeof(a), CONFIG_MAX_DURATION));
                else if (r < 0)
                        r = global_error(c, &p, "shutdown_timeout", "invalid duration '%s'", s);
                else if (v == 0)
                        r = global_error(c, &p, "shutdown_timeout", "must be more than 0");
                else
                        c->shutdown_timeout = v;
                if (r < 0)
                        goto out;
        }

        s = cfg_getstr(p.cfg, "control_group");
        if (s && !user_name_is_valid(s) && !id_is_valid(s, strlen(s)))
                r = global_error(c, &p, "control_group", "invalid group '%s' (want a name or gid)", s);
        else if (s)
                r = set_string(&c->control_group, s);
        if (r < 0)
                goto out;

        s = cfg_getstr(p.cfg, "log_target");
        if (s) {
                size_t i = 0;
                while (i < ELEMENTSOF(log_targets) && strcmp(s, log_target_to_string(log_targets[i])) != 0)
                        i++;
                if (i < ELEMENTSOF(log_targets))
                        c->log_target = log_targets[i];
                else
                        r = global_error(c, &p, "log_target",
                                         "invalid value '%s' (want auto, journal, console or kmsg)", s);
                if (r < 0)
                        goto out;
        }

        s = cfg_getstr(p.cfg, "hostname");
        if (s && !hostname_is_valid(s))
                r = global_error(c, &p, "hostname", "invalid hostname '%s'", s);
        else if (s)
                r = set_string(&c->hostname, s);
        if (r < 0)
                goto out;

        r = load_modules(c, &p);
        if (r < 0)
                goto out;
        c->emergency_shell = cfg_getbool(p.cfg, "emergency_shell");
out:
        cfgfile_done(&p);
        return r < 0 ? r : 0;
}
