/* container: turns a unit's process into a container. The parent builds a plan (the
 * namespaces, an ordered list of mount operations with every path made absolute, the
 * hostname); the child applies it with raw syscalls between clone and exec, and a
 * failing operation is reported as (step, errno, operation index) so the message can
 * name what failed: "mount overlay on /run/sup/containers/web/rootfs: No such device".
 *
 * Everything is mounted inside the container's own mount namespace, so nothing is left
 * on the host when the container ends: the run-dir entries are the only host state. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct unit_config;

enum mount_op_kind {
        OP_MOUNT,     /* mount(source, target, fstype, flags, data) */
        OP_REMOUNT,   /* mount(NULL, target, NULL, MS_REMOUNT|MS_BIND|flags, NULL) */
        OP_MKDIR,     /* mkdir(target, 0755), EEXIST is fine */
        OP_MKFILE,    /* create an empty file as a bind target, EEXIST is fine */
        OP_SYMLINK,   /* symlink(source, target), EEXIST is fine */
        OP_MASK,      /* hide target: /dev/null over a file, an empty read-only tmpfs over a dir */
        OP_SYSFS,     /* sysfs on target read-only, or a read-only rbind of /sys where that is refused */
        OP_WRITE,     /* write data to the file target (uid_map...) */
};

#define OP_OPTIONAL 1u /* a missing target (ENOENT) is skipped */

struct mount_op {
        enum mount_op_kind kind;
        unsigned op_flags;
        const char *source, *target, *fstype, *data;
        unsigned long flags;
};

struct container_plan {
        int clone_flags;          /* CLONE_NEW* */
        struct mount_op *ops;     /* applied in order before pivot_root */
        size_t n_ops;
        const char *root;         /* the new root, pivoted into */
        bool readonly_root;       /* remount / read-only after pivot_root */
        const char *hostname;
        bool loopback_up;         /* bring lo up (own network namespace) */
        bool userns;
        uid_t map_base;           /* container uid/gid 0 = host map_base, 65536 ids */
        char *unit_dir;           /* RUN_DIR/containers/NAME, removed after the run */
        int notify_fd;            /* supd's unbound notify socket: the child binds it at
                                   * /run/sup/notify after pivot_root, so it exists only inside */
        bool notify_required;     /* notify or watchdog: no socket is a spawn error; otherwise a
                                   * read-only image without /run just goes without one */
        char **strings;           /* everything ops point into, owned here */
        size_t n_strings;
};

/* Builds the plan, creating host-side directories and files (unit_dir, persistent
 * upper/work, volume sources under state_dir). On error *ret_error says what failed. */
int container_plan_build(struct container_plan *p, const struct unit_config *c, const char *run_dir,
                         const char *state_dir, char **ret_error);
void container_plan_done(struct container_plan *p);

/* The root whose /etc/passwd names the container's users: the top layer, or "/". */
const char *container_passwd_root(const struct unit_config *c);

/* Host side, after clone: writes uid_map/gid_map for a user-namespaced child. */
int container_write_id_maps(const struct container_plan *p, pid_t pid);

/* Child side. Returns 0, or -errno with *ret_step (enum spawn_step) and *ret_index (the
 * failing operation, or -1) set. Raw syscalls only. */
int container_child_setup(const struct container_plan *p, int *ret_step, int *ret_index);

/* Describes operation i for an error message ("mount overlay on /x"); static storage
 * is not used: returns a malloc'd string or NULL. */
char *container_describe_op(const struct container_plan *p, int i);

/* Removes the unit's run-dir entries after a run (mounts died with the namespace). */
void container_cleanup(const char *run_dir, const char *name);
/* Removes everything under RUN_DIR/containers left by a supd that crashed. */
void container_cleanup_all(const char *run_dir);
