/* config: loading sup.conf and the unit files into struct sup_config.
 *
 * Each file goes through cfgfile (read, pre-lexed so that no ${VAR} is expanded and
 * every key keeps its line, parsed by libconfuse); each container section becomes a
 * struct unit_config through unit-schema; then deps resolves "requires" across all of
 * them. One bad file or unit never hides the others: errors are collected, not fatal. */
#include "config.h"

#include <confuse.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgfile.h"
#include "cleanup.h"
#include "config-error.h"
#include "config-util.h"
#include "deps.h"
#include "supconf.h"
#include "unit-schema.h"

/* "/etc/sup/units/web.conf" -> "web": how a file that failed as a whole is named. */
static char *file_unit_name(const char *path) {
        const char *b = strrchr(path, '/');
        size_t n;

        b = b ? b + 1 : path;
        n = strlen(b);
        if (n > 5 && strcmp(b + n - 5, ".conf") == 0)
                n -= 5;
        return strndup(b, n);
}

struct seen {
        const char *name; /* owned by the error list or the candidate; see loader_seen */
        char *owned;
        const char *file;
        unsigned line;
};

struct loader {
        struct sup_config *c;
        struct unit_schema *schema;
        struct cand *cands;
        size_t n_cands, cap_cands;
        struct seen *seen; /* every container section, for duplicate names */
        size_t n_seen, cap_seen;
        char **files;      /* paths of parsed files; seen[].file points into them */
        size_t n_files;
};

static void loader_done(struct loader *l) {
        for (size_t i = 0; i < l->n_cands; i++) {
                unit_config_free(l->cands[i].u);
                free(l->cands[i].req_lines);
                free(l->cands[i].deps);
        }
        free(l->cands);
        for (size_t i = 0; i < l->n_seen; i++)
                free(l->seen[i].owned);
        free(l->seen);
        for (size_t i = 0; i < l->n_files; i++)
                free(l->files[i]);
        free(l->files);
        unit_schema_free(l->schema);
        *l = (struct loader){};
}

static int loader_init(struct loader *l, struct sup_config *c) {
        l->c = c;
        return unit_schema_new(&l->schema);
}

static const struct seen *loader_find_seen(const struct loader *l, const char *name) {
        for (size_t i = 0; i < l->n_seen; i++)
                if (strcmp(l->seen[i].name, name) == 0)
                        return &l->seen[i];
        return NULL;
}

static int loader_add_seen(struct loader *l, const char *name, const char *file, unsigned line) {
        char *owned;

        if (l->n_seen + 1 > l->cap_seen) {
                size_t cap = l->cap_seen ? l->cap_seen * 2 : 32;
                struct seen *s = reallocarray(l->seen, cap, sizeof(*s));
                if (!s)
                        return -ENOMEM;
                l->seen = s;
                l->cap_seen = cap;
        }
        owned = strdup(name);
        if (!owned)
                return -ENOMEM;
        l->seen[l->n_seen++] = (struct seen){ .name = owned, .owned = owned, .file = file, .line = line };
        return 0;
}

static int loader_add_cand(struct loader *l, struct unit_config *uc, const struct keylist *keys) {
        const struct keyrec *k = keylist_find(keys, "requires");
        size_t n = strv_length(uc->requires);
        struct cand *c;

        if (l->n_cands + 1 > l->cap_cands) {
                size_t cap = l->cap_cands ? l->cap_cands * 2 : 32;
                c = reallocarray(l->cands, cap, sizeof(*c));
                if (!c)
                        return -ENOMEM;
                l->cands = c;
                l->cap_cands = cap;
        }
        c = &l->cands[l->n_cands];
        *c = (struct cand){};
        c->req_lines = calloc(n + 1, sizeof(unsigned));
        c->deps = calloc(n + 1, sizeof(ssize_t));
        if (!c->req_lines || !c->deps) {
                free(c->req_lines);
                free(c->deps);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                c->req_lines[i] = !k ? uc->line : k->n_vlines == n ? k->vlines[i] : k->line;
        c->u = uc;
        l->n_cands++;
        return 0;
}

static int load_unit_file(struct loader *l, const char *path) {
        _cleanup_free_ char *file_unit = NULL, *p = NULL;
        struct cfgfile parsed = {};
        size_t n, n_sec = 0;
        char **files;
        int r;

        file_unit = file_unit_name(path);
        p = strdup(path);
        if (!file_unit || !p)
                return -ENOMEM;
        files = reallocarray(l->files, l->n_files + 1, sizeof(char *));
        if (!files)
                return -ENOMEM;
        l->files = files;
        l->files[l->n_files++] = TAKE_PTR(p);
        path = l->files[l->n_files - 1];

        r = cfgfile_parse(l->c, path, unit_schema_opts(l->schema), unit_schema_file(l->schema),
                          file_unit, &parsed);
        if (r != 0)
                return r < 0 ? r : 0;

        /* Anything at the top level but container sections fails the file: a mistyped
         * "contianer web {" must not make a unit silently disappear. */
        bool bad = false;
        for (size_t i = 0; i < parsed.map.root.keys.n; i++) {
                bad = true;
                r = config_error_add(l->c, path, parsed.map.root.keys.keys[i].line, file_unit,
                                     "no such option '%s'", parsed.map.root.keys.keys[i].name);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < parsed.map.root.n_subs; i++)
                if (strcmp(parsed.map.root.subs[i].name, "container") != 0) {
                        bad = true;
                        r = config_error_add(l->c, path, parsed.map.root.subs[i].line, file_unit,
                                             "no such option '%s'", parsed.map.root.subs[i].name);
                        if (r < 0)
                                goto out;
                }
        if (bad) {
                r = 0;
                goto out;
        }

        n = cfg_size(parsed.cfg, "container");
        for (size_t i = 0; i < n; i++) {
                cfg_t *sec = cfg_getnsec(parsed.cfg, "container", (unsigned)i);
                const struct secrec *sr = NULL;
                struct unit_config *uc = NULL;
                const struct seen *first;

                /* the i-th container section the walk saw is libconfuse's i-th */
                for (; n_sec < parsed.map.root.n_subs; n_sec++)
                        if (strcmp(parsed.map.root.subs[n_sec].name, "container") == 0) {
                                sr = &parsed.map.root.subs[n_sec++];
                                break;
                        }
                struct unit_ctx u = {
                        .c = l->c,
                        .file = path,
                        .name = cfg_title(sec) ? cfg_title(sec) : "",
                        .line = sr ? sr->line : 0,
                        .rec = sr,
                        .sec = sec,
                };

                if (l->n_seen >= CONFIG_MAX_UNITS) {
                        r = unit_ctx_error(&u, NULL, 0, 0, "too many units (limit %d)", CONFIG_MAX_UNITS);
                        if (r == -ENOMEM)
                                goto out;
                        continue;
                }
                first = loader_find_seen(l, u.name);
                if (first) {
                        r = unit_ctx_error(&u, NULL, 0, 0, "duplicate unit name, first defined at %s:%u",
                                           first->file, first->line);
                        if (r == -ENOMEM)
                                goto out;
                        continue;
                }
                r = loader_add_seen(l, u.name, path, u.line);
                if (r < 0)
                        goto out;
                r = unit_config_build(l->schema, &u, &uc);
                if (r == -ENOMEM)
                        goto out;
                if (r < 0)
                        continue;
                r = loader_add_cand(l, uc, sr ? &sr->keys : NULL);
                if (r < 0) {
                        unit_config_free(uc);
                        goto out;
                }
        }
        r = 0;
out:
        cfgfile_done(&parsed);
        return r;
}

static int loader_finish(struct loader *l) {
        struct sup_config *c = l->c;
        size_t n = 0;
        int r;

        r = deps_resolve(c, l->cands, l->n_cands);
        if (r < 0)
                return r;
        c->units = calloc(l->n_cands + 1, sizeof(struct unit_config *));
        if (!c->units)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_cands; i++)
                if (!l->cands[i].dead)
                        c->units[n++] = TAKE_PTR(l->cands[i].u);
        c->n_units = n;
        return 0;
}

static int conf_file_filter(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
}

static int conf_file_cmp(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

/* Loads every *.conf in dir, sorted. -errno when dir cannot be read. */
static int load_unit_dir(struct loader *l, const char *dir) {
        struct dirent **list = NULL;
        int n, r = 0;

        n = scandir(dir, &list, conf_file_filter, conf_file_cmp);
        if (n < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                if (r >= 0) {
                        _cleanup_free_ char *p = path_join(dir, list[i]->d_name);
                        r = p ? load_unit_file(l, p) : -ENOMEM;
                }
                free(list[i]);
        }
        free(list);
        return r;
}

static struct sup_config *sup_config_new(void) {
        struct sup_config *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->state_dir = strdup("/var/lib/sup");
        c->control_group = strdup("root");
        c->modules = calloc(1, sizeof(char *));
        c->shutdown_timeout = 30 * USEC_PER_SEC;
        c->log_target = LOG_TARGET_AUTO;
        if (!c->state_dir || !c->control_group || !c->modules)
                return config_free(c);
        return c;
}

/* ---- public ----------------------------------------------------------------------- */

static void sup_config_freep(struct sup_config **c) {
        *c = config_free(*c);
}

int config_load(const char *config_dir, struct sup_config **ret) {
        _cleanup_(sup_config_freep) struct sup_config *c = NULL;
        _cleanup_(loader_done) struct loader l = {};
        int r;

        if (!ret)
                return -EINVAL;
        if (!config_dir)
                config_dir = CONFIG_DIR_DEFAULT;
        c = sup_config_new();
        if (!c)
                return -ENOMEM;
        r = supconf_load(c, config_dir);
        if (r < 0)
                return r;

        r = loader_init(&l, c);
        if (r < 0)
                return r;
        r = load_unit_dir(&l, c->units_dir);
        if (r < 0 && r != -ENOENT) /* a units dir that does not exist yet holds no units */
                return r;
        r = loader_finish(&l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int config_load_files(char *const *paths, size_t n_paths, struct sup_config **ret) {
        _cleanup_(sup_config_freep) struct sup_config *c = NULL;
        _cleanup_(loader_done) struct loader l = {};
        int r = 0;

        if (!ret || (n_paths > 0 && !paths))
                return -EINVAL;
        c = sup_config_new();
        if (!c)
                return -ENOMEM;
        r = loader_init(&l, c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_paths && r >= 0; i++) {
                struct stat st;
                if (stat(paths[i], &st) >= 0 && S_ISDIR(st.st_mode)) {
                        r = load_unit_dir(&l, paths[i]);
                        if (r < 0 && r != -ENOMEM)
                                r = config_error_add(c, paths[i], 0, NULL, "cannot read directory: %s",
                                                     strerror(-r));
                } else
                        r = load_unit_file(&l, paths[i]);
        }
        if (r < 0)
                return r;
        r = loader_finish(&l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

struct sup_config *config_free(struct sup_config *c) {
        if (!c)
                return NULL;
        free(c->units_dir);
        free(c->state_dir);
        free(c->control_group);
        free(c->hostname);
        for (char **m = c->modules; m && *m; m++)
                free(*m);
        free(c->modules);
        for (size_t i = 0; i < c->n_units; i++)
                unit_config_free(c->units[i]);
        free(c->units);
        for (size_t i = 0; i < c->n_errors; i++) {
                free(c->errors[i].file);
                free(c->errors[i].unit);
                free(c->errors[i].message);
        }
        free(c->errors);
        free(c);
        return NULL;
}
