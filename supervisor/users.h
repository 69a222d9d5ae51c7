/* users: resolves a unit's `user` against a root's /etc/passwd and /etc/group by
 * reading the files (never NSS: the container's users are not the host's, and PID 1
 * must not load NSS modules). */
#pragma once

#include <sys/types.h>

struct user_ids {
        uid_t uid;
        gid_t gid;
        char *home; /* from passwd, or "/" */
};

/* spec: NULL (root), "uid", "uid:gid", "name", "name:group", "uid:group"... Returns 0, or
 * -ENOENT/-EINVAL with *ret_error set to a message such as "user 'www': no such user in
 * /srv/root/etc/passwd". */
int user_resolve(const char *root, const char *spec, struct user_ids *ret, char **ret_error);
void user_ids_done(struct user_ids *ids);

/* Looks a group name up in ROOT/etc/group ("123" is taken as a gid). */
int group_lookup(const char *root, const char *name, gid_t *ret);
