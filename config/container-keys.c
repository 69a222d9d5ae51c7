/* container-keys: parsers of the step-2 keys (the container around the process). */
#include "container-keys.h"

#include <cap-ng.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "config-util.h"
#include "values.h"

const char *const unit_volume_keys[] = { "source", "readonly", NULL };
const char *const unit_tmpfs_keys[] = { "size", NULL };

/* ---- paths ------------------------------------------------------------------------ */

enum { PATH_OK, PATH_RELATIVE, PATH_DOTDOT, PATH_TOO_LONG };

/* Normalises an absolute path: repeated '/', "." components and a trailing '/' go.
 * ".." is refused rather than resolved: "/data/.." is a typo or worse, and a path that
 * says where it goes is easier to audit. Returns PATH_OK with *ret set, another PATH_*,
 * or -ENOMEM. */
static int path_normalize(const char *s, char **ret) {
        size_t len = strlen(s), o = 0;
        char *p;

        if (s[0] != '/')
                return PATH_RELATIVE;
        if (len >= PATH_MAX)
                return PATH_TOO_LONG;
        p = malloc(len + 2);
        if (!p)
                return -ENOMEM;
        for (const char *c = s; *c;) {
                size_t n;

                while (*c == '/')
                        c++;
                n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.')) {
                        c += n;
                        continue;
                }
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        free(p);
                        return PATH_DOTDOT;
                }
                p[o++] = '/';
                memcpy(p + o, c, n);
                o += n;
                c += n;
        }
        if (o == 0)
                p[o++] = '/';
        p[o] = '\0';
        *ret = p;
        return PATH_OK;
}

/* Checks and normalises s, value idx of n of key (key NULL: the title of u's section). */
static int get_path(struct unit_ctx *u, const char *key, size_t idx, size_t n, const char *s,
                    char **ret) {
        int r = path_normalize(s, ret);

        switch (r) {
        case PATH_OK:
                return 0;
        case PATH_RELATIVE:
                return unit_ctx_error(u, key, idx, n, "not an absolute path '%s'", s);
        case PATH_DOTDOT:
                return unit_ctx_error(u, key, idx, n, "path '%s' contains '..'", s);
        case PATH_TOO_LONG:
                return unit_ctx_error(u, key, idx, n, "path too long (limit %d bytes)", PATH_MAX - 1);
        default:
                return r;
        }
}

/* A lower layer: a path that goes into overlayfs' "lowerdir=a:b" option string, where
 * ':' separates layers, ',' options, and '\' escapes. */
static int get_layer(struct unit_ctx *u, const char *key, size_t idx, size_t n, const char *s,
                     char **ret) {
        _cleanup_free_ char *p = NULL;
        const char *bad;
        int r;

        r = get_path(u, key, idx, n, s, &p);
        if (r < 0)
                return r;
        bad = strpbrk(p, ":,\\");
        if (bad)
                return unit_ctx_error(u, key, idx, n,
                                      "layer path '%s' contains '%c' (overlayfs option syntax)", s, *bad);
        *ret = TAKE_PTR(p);
        return 0;
}

int unit_parse_rootfs(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        _cleanup_free_ char *p = NULL;
        char **v;
        int r;

        (void)offset;
        if (!s)
                return 0;
        r = get_layer(u, key, 0, 1, s, &p);
        if (r < 0)
                return r;
        v = calloc(2, sizeof(char *));
        if (!v)
                return -ENOMEM;
        v[0] = TAKE_PTR(p);
        strv_free(uc->layers);
        uc->layers = v;
        return 0;
}

int unit_parse_layers(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        _cleanup_strv_free_ char **v = NULL;
        size_t n = cfg_size(u->sec, key);
        bool bad = false;
        int r;

        (void)offset;
        if (n == 0 && !unit_ctx_find_key(u, key))
                return 0;
        if (cfg_getstr(u->sec, "rootfs"))
                return unit_ctx_error(u, key, 0, 0, "cannot be combined with rootfs");
        if (n == 0)
                return unit_ctx_error(u, key, 0, 0, "empty list");
        r = unit_ctx_get_strv(u, key, &v);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char *p = NULL;
                r = get_layer(u, key, i, n, v[i], &p);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        bad = true;
                        continue;
                }
                free(v[i]);
                v[i] = p;
        }
        if (bad)
                return -EINVAL;
        strv_free(uc->layers);
        uc->layers = TAKE_PTR(v);
        return 0;
}

/* ---- choices ---------------------------------------------------------------------- */

struct choice {
        const char *name;
        int value;
};

/* Looks key's value up in choices (ended by a NULL name). 0 and *ret untouched when
 * unset; else "invalid value 'x' (want <want>)". */
static int get_choice(struct unit_ctx *u, const char *key, const struct choice *choices,
                      const char *want, int *ret) {
        const char *s = cfg_getstr(u->sec, key);

        if (!s)
                return 0;
        for (const struct choice *c = choices; c->name; c++)
                if (strcmp(s, c->name) == 0) {
                        *ret = c->value;
                        return 0;
                }
        return unit_ctx_error(u, key, 0, 1, "invalid value '%s' (want %s)", s, want);
}

int unit_parse_writable(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        static const struct choice choices[] = {
                { "tmpfs", WRITABLE_TMPFS },
                { "persistent", WRITABLE_PERSISTENT },
                { "none", WRITABLE_NONE },
                {},
        };
        int v = uc->writable, r;

        (void)offset;
        r = get_choice(u, key, choices, "tmpfs, persistent or none", &v);
        uc->writable = (enum writable_mode)v;
        return r;
}

int unit_parse_network(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        static const struct choice choices[] = {
                { "none", NETWORK_NONE },
                { "host", NETWORK_HOST },
                {},
        };
        const char *s = cfg_getstr(u->sec, key);
        int v = uc->network, r;

        (void)offset;
        /* a later step brings bridge (with bridge, address, gateway); until then a unit
         * that asks for it must not run with no network at all */
        if (s && strcmp(s, "bridge") == 0)
                return unit_ctx_error(u, key, 0, 1, "'bridge' is not supported yet");
        r = get_choice(u, key, choices, "none or host", &v);
        uc->network = (enum network_mode)v;
        return r;
}

int unit_parse_seccomp(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        static const struct choice choices[] = {
                { "default", true },
                { "unconfined", false },
                {},
        };
        int v = uc->seccomp, r;

        (void)offset;
        r = get_choice(u, key, choices, "default or unconfined", &v);
        uc->seccomp = v;
        return r;
}

/* ---- identity --------------------------------------------------------------------- */

int unit_parse_hostname(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        char *h;

        (void)offset;
        if (!s)
                return 0; /* unit_config_build() gives the unit's name */
        if (!hostname_is_valid(s))
                return unit_ctx_error(u, key, 0, 1,
                                      "invalid hostname '%s' (want dot-separated labels of letters, "
                                      "digits and '-', at most %d characters)", s, HOSTNAME_MAX);
        h = strdup(s);
        if (!h)
                return -ENOMEM;
        free(uc->hostname);
        uc->hostname = h;
        return 0;
}

/* "CAP_NET_BIND_SERVICE", "net_bind_service", "Sys_Time": libcap-ng knows the names
 * without "CAP_", in any case. */
int unit_parse_capabilities(struct unit_ctx *u, struct unit_config *uc, const char *key,
                            size_t offset) {
        _cleanup_strv_free_ char **v = NULL;
        uint64_t mask = 0;
        size_t n;
        int r;

        (void)offset;
        r = unit_ctx_get_strv(u, key, &v);
        if (r < 0)
                return r;
        n = strv_length(v);
        for (size_t i = 0; i < n; i++) {
                const char *name = strncasecmp(v[i], "CAP_", 4) == 0 ? v[i] + 4 : v[i];
                int cap = *name ? capng_name_to_capability(name) : -1;

                if (cap < 0 || cap > 63) {
                        r = unit_ctx_error(u, key, i, n, "unknown capability '%s'", v[i]);
                        if (r == -ENOMEM)
                                return r;
                        continue;
                }
                mask |= UINT64_C(1) << cap;
        }
        uc->capabilities = mask;
        return u->failed ? -EINVAL : 0;
}

/* ---- volume and tmpfs sections ---------------------------------------------------- */

/* A path may be mounted on once: by one volume or one tmpfs. */
static int check_unique(struct unit_ctx *u, const struct unit_config *uc, const char *path) {
        for (size_t i = 0; i < uc->n_volumes; i++)
                if (strcmp(uc->volumes[i].path, path) == 0)
                        return unit_ctx_error(u, NULL, 0, 0, "path '%s' is already a volume", path);
        for (size_t i = 0; i < uc->n_tmpfs; i++)
                if (strcmp(uc->tmpfs[i].path, path) == 0)
                        return unit_ctx_error(u, NULL, 0, 0, "path '%s' is already a tmpfs", path);
        return 0;
}

/* The title of a section: the path inside the container, normalised, not "/", unique. */
static int get_mount_path(struct unit_ctx *u, const struct unit_config *uc, const char *title,
                          char **ret) {
        _cleanup_free_ char *p = NULL;
        int r;

        r = get_path(u, NULL, 0, 0, title ? title : "", &p);
        if (r < 0)
                return r;
        if (strcmp(p, "/") == 0)
                return unit_ctx_error(u, NULL, 0, 0, "cannot mount over /");
        r = check_unique(u, uc, p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

static int parse_volume(struct unit_ctx *u, struct unit_config *uc) {
        const char *title = cfg_title(u->sec), *src = cfg_getstr(u->sec, "source");
        _cleanup_free_ char *path = NULL, *source = NULL;
        bool readonly = false;

        if (get_mount_path(u, uc, title, &path) == -ENOMEM)
                return -ENOMEM;
        if (!src) {
                if (unit_ctx_error(u, NULL, 0, 0, "source: not set (required)") == -ENOMEM)
                        return -ENOMEM;
        } else if (get_path(u, "source", 0, 1, src, &source) == -ENOMEM)
                return -ENOMEM;
        if (unit_ctx_get_bool(u, "readonly", &readonly) == -ENOMEM)
                return -ENOMEM;
        if (u->failed)
                return -EINVAL;
        uc->volumes[uc->n_volumes++] = (struct volume_config){
                .path = TAKE_PTR(path),
                .source = TAKE_PTR(source),
                .readonly = readonly,
        };
        return 0;
}

static int parse_one_tmpfs(struct unit_ctx *u, struct unit_config *uc) {
        const char *title = cfg_title(u->sec), *s = cfg_getstr(u->sec, "size");
        _cleanup_free_ char *path = NULL;
        uint64_t size = 0;
        int r;

        if (get_mount_path(u, uc, title, &path) == -ENOMEM)
                return -ENOMEM;
        r = s ? parse_size(s, &size) : 0;
        if (r == -ERANGE)
                r = unit_ctx_error(u, "size", 0, 1, "size '%s' out of range", s);
        else if (r < 0)
                r = unit_ctx_error(u, "size", 0, 1, "invalid size '%s'", s);
        if (r == -ENOMEM)
                return r;
        if (u->failed)
                return -EINVAL;
        uc->tmpfs[uc->n_tmpfs++] = (struct tmpfs_config){ .path = TAKE_PTR(path), .size = size };
        return 0;
}

/* Every section named key, each through parse (which stores it when it is valid). */
static int parse_sections(struct unit_ctx *u, struct unit_config *uc, const char *key,
                          const char *const *keys,
                          int (*parse)(struct unit_ctx *u, struct unit_config *uc)) {
        size_t n = cfg_size(u->sec, key);

        if (n > CONFIG_MAX_MOUNTS)
                return unit_ctx_error(u, key, 0, 0, "too many sections (%zu, limit %d)", n,
                                      CONFIG_MAX_MOUNTS);
        for (size_t i = 0; i < n; i++) {
                cfg_t *sec = cfg_getnsec(u->sec, key, (unsigned)i);
                const char *title = cfg_title(sec) ? cfg_title(sec) : "";
                const struct secrec *rec = secrec_find_sub(u->rec, key, title);
                _cleanup_free_ char *what = NULL;
                int r;

                if (asprintf(&what, "%s '%s'", key, title) < 0)
                        return -ENOMEM;
                struct unit_ctx sub = {
                        .c = u->c,
                        .file = u->file,
                        .name = u->name,
                        .what = what,
                        .line = rec ? rec->line : u->line,
                        .rec = rec,
                        .sec = sec,
                };
                r = unit_ctx_check_keys(&sub, keys);
                if (r != -ENOMEM)
                        r = parse(&sub, uc);
                if (r == -ENOMEM)
                        return r;
                u->failed = u->failed || sub.failed;
        }
        return u->failed ? -EINVAL : 0;
}

int unit_parse_volumes(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        size_t n = cfg_size(u->sec, key);

        (void)offset;
        if (n == 0)
                return 0;
        uc->volumes = calloc(n, sizeof(struct volume_config));
        if (!uc->volumes)
                return -ENOMEM;
        return parse_sections(u, uc, key, unit_volume_keys, parse_volume);
}

int unit_parse_tmpfs(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        size_t n = cfg_size(u->sec, key);

        (void)offset;
        if (n == 0)
                return 0;
        uc->tmpfs = calloc(n, sizeof(struct tmpfs_config));
        if (!uc->tmpfs)
                return -ENOMEM;
        return parse_sections(u, uc, key, unit_tmpfs_keys, parse_one_tmpfs);
}
