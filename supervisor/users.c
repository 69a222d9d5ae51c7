#include "users.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

static bool parse_id(const char *s, unsigned *ret) {
        char *end;
        if (!*s || *s == '-' || *s == '+')
                return false;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v >= 0xFFFFFFFFUL) /* (uid_t)-1 is never a valid id */
                return false;
        *ret = (unsigned)v;
        return true;
}

/* Finds the line of a colon-separated database whose field key_field equals key.
 * Returns the fields split in place (fields[] points into *ret_line). */
static int db_find(const char *path, const char *key, int key_field, char **ret_line, char *fields[7]) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t n = 0;
        while (getline(&line, &n, f) >= 0) {
                line[strcspn(line, "\n")] = 0;
                int i = 0;
                char *p = line;
                for (; i < 7; i++) {
                        fields[i] = p;
                        if (!p)
                                continue;
                        char *c = strchr(p, ':');
                        if (c)
                                *c++ = 0;
                        p = c;
                }
                if (fields[key_field] && strcmp(fields[key_field], key) == 0) {
                        *ret_line = line;
                        return 0;
                }
        }
        free(line);
        return -ENOENT;
}

int user_resolve(const char *root, const char *spec, struct user_ids *ret, char **ret_error) {
        _cleanup_free_ char *user = NULL, *passwd = NULL, *group = NULL;
        const char *grp = NULL;
        unsigned id;

        *ret = (struct user_ids){ 0 };
        if (!spec || !*spec)
                spec = "0";
        user = strdup(spec);
        if (!user)
                return -ENOMEM;
        char *colon = strchr(user, ':');
        if (colon) {
                *colon = 0;
                grp = colon + 1;
        }
        if (asprintf(&passwd, "%s/etc/passwd", strcmp(root, "/") ? root : "") < 0 ||
            asprintf(&group, "%s/etc/group", strcmp(root, "/") ? root : "") < 0)
                return -ENOMEM;

        char *fields[7], *line = NULL;
        bool numeric = parse_id(user, &id);
        int r = db_find(passwd, user, numeric ? 2 : 0, &line, fields);
        if (r >= 0) {
                unsigned gid = 0;
                if (!parse_id(fields[2] ? fields[2] : "", &id)) {
                        free(line);
                        return asprintf(ret_error, "user '%s': bad uid in %s", user, passwd) < 0 ? -ENOMEM : -EINVAL;
                }
                ret->uid = id;
                (void)parse_id(fields[3] ? fields[3] : "", &gid);
                ret->gid = gid;
                ret->home = strdup(fields[5] && *fields[5] ? fields[5] : "/");
                free(line);
        } else if (numeric) {
                /* Like docker: a numeric uid need not exist; its group is then 0. */
                ret->uid = id;
                ret->gid = 0;
                ret->home = strdup("/");
        } else {
                if (r == -ENOENT)
                        return asprintf(ret_error, "user '%s': no such user in %s", user, passwd) < 0 ? -ENOMEM : -ENOENT;
                return asprintf(ret_error, "user '%s': cannot read %s: %s", user, passwd, strerror(-r)) < 0 ? -ENOMEM : r;
        }
        if (!ret->home)
                return -ENOMEM;

        if (grp) {
                if (parse_id(grp, &id))
                        ret->gid = id;
                else {
                        r = db_find(group, grp, 0, &line, fields);
                        if (r < 0 || !fields[2] || !parse_id(fields[2], &id)) {
                                if (r >= 0)
                                        free(line);
                                user_ids_done(ret);
                                return asprintf(ret_error, "group '%s': no such group in %s", grp, group) < 0 ? -ENOMEM : -ENOENT;
                        }
                        ret->gid = id;
                        free(line);
                }
        }
        return 0;
}

void user_ids_done(struct user_ids *ids) {
        free(ids->home);
        ids->home = NULL;
}

int group_lookup(const char *root, const char *name, gid_t *ret) {
        _cleanup_free_ char *path = NULL;
        char *fields[7], *line = NULL;
        unsigned id;

        if (parse_id(name, &id)) {
                *ret = id;
                return 0;
        }
        if (asprintf(&path, "%s/etc/group", strcmp(root, "/") ? root : "") < 0)
                return -ENOMEM;
        int r = db_find(path, name, 0, &line, fields);
        if (r < 0)
                return r;
        bool ok = fields[2] && parse_id(fields[2], &id);
        free(line);
        if (!ok)
                return -EINVAL;
        *ret = id;
        return 0;
}
