#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "errmsg.h"
#include "fsutil.h"
#include "notify.h"
#include "spawn.h"

#define ID_RANGE 65536
#ifndef ST_VALID
#define ST_VALID 0x0020 /* the kernel's: f_flags is filled in */
#endif

/* ---- parent side: the plan ---- */

static const char *keep(struct container_plan *p, char *s) {
        if (!s)
                return NULL;
        char **n = reallocarray(p->strings, p->n_strings + 1, sizeof *n);
        if (!n) {
                free(s);
                return NULL;
        }
        p->strings = n;
        p->strings[p->n_strings++] = s;
        return s;
}

static const char *keepf(struct container_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *keepf(struct container_plan *p, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        return n < 0 ? NULL : keep(p, s);
}

static int add_op(struct container_plan *p, enum mount_op_kind kind, unsigned op_flags, const char *source,
                  const char *target, const char *fstype, unsigned long flags, const char *data) {
        if (!target)
                return -ENOMEM;
        struct mount_op *n = reallocarray(p->ops, p->n_ops + 1, sizeof *n);
        if (!n)
                return -ENOMEM;
        p->ops = n;
        p->ops[p->n_ops++] = (struct mount_op){ .kind = kind, .op_flags = op_flags, .source = source,
                                                 .target = target, .fstype = fstype, .data = data, .flags = flags };
        return 0;
}

/* mkdir -p of a path inside the new root, as operations (the child creates them, in
 * the writable layer). Nothing is created in a read-only rootfs. */
static int add_mkdir_p(struct container_plan *p, const char *inner, bool writable) {
        if (!writable)
                return 0;
        _cleanup_free_ char *copy = strdup(inner);
        if (!copy)
                return -ENOMEM;
        for (char *s = copy + 1;; s++) {
                if (*s == '/' || *s == 0) {
                        char c = *s;
                        *s = 0;
                        int r = add_op(p, OP_MKDIR, 0, NULL, keepf(p, "%s%s", p->root, copy), NULL, 0, NULL);
                        if (r < 0)
                                return r;
                        if (c == 0)
                                break;
                        *s = c;
                }
        }
        return 0;
}


static uid_t map_base_for(const char *name) {
        /* A stable range per unit name (FNV-1a), so a persistent upper dir keeps its
         * owners across restarts; ranges start at 2^20 and never overlap uid 0..65535. */
        uint32_t h = 2166136261u;
        for (const char *c = name; *c; c++)
                h = (h ^ (uint8_t)*c) * 16777619u;
        return (uid_t)(16 + h % 32000) * ID_RANGE;
}

const char *container_passwd_root(const struct unit_config *c) {
        return c->layers && c->layers[0] ? c->layers[0] : "/";
}

static int write_file(const char *path, const char *content) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        return write_all(fd, content, strlen(content));
}

static int plan_proc_sys_dev(struct container_plan *p, bool w) {
        static const char *const ro_paths[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus" };
        static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                                              "/proc/latency_stats", "/proc/timer_stats", "/proc/acpi", "/proc/scsi" };
        static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
        const unsigned long proc_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        int r = 0;

        r |= add_mkdir_p(p, "/proc", w);
        r |= add_op(p, OP_MOUNT, 0, "proc", keepf(p, "%s/proc", p->root), "proc", proc_flags, NULL);
        for (size_t i = 0; i < ELEMENTSOF(ro_paths); i++) {
                const char *t = keepf(p, "%s%s", p->root, ro_paths[i]);
                r |= add_op(p, OP_MOUNT, OP_OPTIONAL, t, t, NULL, MS_BIND | MS_REC, NULL);
                r |= add_op(p, OP_REMOUNT, OP_OPTIONAL, NULL, t, NULL, MS_RDONLY | proc_flags, NULL);
        }
        for (size_t i = 0; i < ELEMENTSOF(masked); i++)
                r |= add_op(p, OP_MASK, OP_OPTIONAL, NULL, keepf(p, "%s%s", p->root, masked[i]), NULL, 0, NULL);

        r |= add_mkdir_p(p, "/sys", w);
        r |= add_op(p, OP_SYSFS, 0, NULL, keepf(p, "%s/sys", p->root), NULL, 0, NULL);

        r |= add_mkdir_p(p, "/dev", w);
        r |= add_op(p, OP_MOUNT, 0, "tmpfs", keepf(p, "%s/dev", p->root), "tmpfs", MS_NOSUID | MS_NOEXEC,
                    "mode=755,size=65536k");
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                const char *t = keepf(p, "%s/dev/%s", p->root, nodes[i]);
                /* Bind the host's nodes: mknod is refused in a user namespace. */
                r |= add_op(p, OP_MKFILE, 0, NULL, t, NULL, 0, NULL);
                r |= add_op(p, OP_MOUNT, 0, keepf(p, "/dev/%s", nodes[i]), t, NULL, MS_BIND, NULL);
        }
        r |= add_op(p, OP_MKDIR, 0, NULL, keepf(p, "%s/dev/pts", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_MOUNT, 0, "devpts", keepf(p, "%s/dev/pts", p->root), "devpts", MS_NOSUID | MS_NOEXEC,
                    "newinstance,ptmxmode=0666,mode=0620");
        r |= add_op(p, OP_SYMLINK, 0, "pts/ptmx", keepf(p, "%s/dev/ptmx", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_MKDIR, 0, NULL, keepf(p, "%s/dev/shm", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_MOUNT, 0, "shm", keepf(p, "%s/dev/shm", p->root), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "mode=1777,size=65536k");
        r |= add_op(p, OP_MKDIR, 0, NULL, keepf(p, "%s/dev/mqueue", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_MOUNT, 0, "mqueue", keepf(p, "%s/dev/mqueue", p->root), "mqueue",
                    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        r |= add_op(p, OP_SYMLINK, 0, "/proc/self/fd", keepf(p, "%s/dev/fd", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_SYMLINK, 0, "/proc/self/fd/0", keepf(p, "%s/dev/stdin", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_SYMLINK, 0, "/proc/self/fd/1", keepf(p, "%s/dev/stdout", p->root), NULL, 0, NULL);
        r |= add_op(p, OP_SYMLINK, 0, "/proc/self/fd/2", keepf(p, "%s/dev/stderr", p->root), NULL, 0, NULL);
        return r ? -ENOMEM : 0;
}

static int plan_etc(struct container_plan *p, bool w) {
        static const char *const files[] = { "hostname", "hosts" };
        int r = 0;
        r |= add_mkdir_p(p, "/etc", w);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                const char *t = keepf(p, "%s/etc/%s", p->root, files[i]);
                if (w)
                        r |= add_op(p, OP_MKFILE, 0, NULL, t, NULL, 0, NULL);
                /* In a read-only rootfs the image must have the file to mount over. */
                r |= add_op(p, OP_MOUNT, w ? 0 : OP_OPTIONAL, keepf(p, "%s/%s", p->unit_dir, files[i]), t, NULL,
                            MS_BIND, NULL);
        }
        return r ? -ENOMEM : 0;
}

/* /run is a tmpfs of the container's own (as podman does): it is where the notify
 * socket goes, and an image's root-owned /run is not writable under userns. */
static int plan_run(struct container_plan *p, bool w) {
        int r = add_mkdir_p(p, "/run", w);
        if (r < 0)
                return r;
        return add_op(p, OP_MOUNT, w ? 0 : OP_OPTIONAL, "tmpfs", keepf(p, "%s/run", p->root), "tmpfs",
                      MS_NOSUID | MS_NODEV, "mode=0755,size=65536k");
}

static bool path_under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

static int plan_volumes(struct container_plan *p, const struct unit_config *c, const char *state_dir, bool w,
                        char **ret_error) {
        int r;
        for (size_t i = 0; i < c->n_volumes; i++) {
                const struct volume_config *v = &c->volumes[i];
                struct stat st;
                if (stat(v->source, &st) < 0) {
                        if (errno != ENOENT || !path_under(v->source, state_dir))
                                return errmsg_set(ret_error, -errno, "volume %s: source %s: %s", v->path, v->source,
                                                strerror(errno));
                        /* Sources under state_dir are ours to create, like docker volumes. */
                        r = mkdir_p(v->source, 0755);
                        if (r < 0)
                                return errmsg_set(ret_error, r, "volume %s: cannot create %s: %s", v->path, v->source,
                                                strerror(-r));
                        if (p->userns && chown(v->source, p->map_base, p->map_base) < 0)
                                return errmsg_set(ret_error, -errno, "volume %s: chown %s: %m", v->path, v->source);
                        st.st_mode = S_IFDIR;
                }
                const char *t = keepf(p, "%s%s", p->root, v->path);
                if (S_ISDIR(st.st_mode))
                        r = add_mkdir_p(p, v->path, w);
                else {
                        _cleanup_free_ char *parent = strdup(v->path);
                        if (!parent)
                                return -ENOMEM;
                        char *slash = strrchr(parent, '/');
                        if (slash && slash != parent) {
                                *slash = 0;
                                r = add_mkdir_p(p, parent, w);
                        } else
                                r = 0;
                        if (r >= 0 && w)
                                r = add_op(p, OP_MKFILE, 0, NULL, t, NULL, 0, NULL);
                }
                if (r >= 0)
                        r = add_op(p, OP_MOUNT, 0, keep(p, strdup(v->source)), t, NULL, MS_BIND | MS_REC, NULL);
                if (r >= 0 && v->readonly)
                        r = add_op(p, OP_REMOUNT, 0, NULL, t, NULL, MS_RDONLY, NULL);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_tmpfs; i++) {
                const struct tmpfs_config *t = &c->tmpfs[i];
                r = add_mkdir_p(p, t->path, w);
                if (r >= 0)
                        r = add_op(p, OP_MOUNT, 0, "tmpfs", keepf(p, "%s%s", p->root, t->path), "tmpfs",
                                   MS_NOSUID | MS_NODEV,
                                   t->size ? keepf(p, "mode=1777,size=%llu", (unsigned long long)t->size)
                                           : "mode=1777");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int plan_rootfs(struct container_plan *p, const struct unit_config *c, const char *state_dir,
                       char **ret_error) {
        size_t n_layers = 0;
        int r;
        while (c->layers && c->layers[n_layers])
                n_layers++;
        for (size_t i = 0; i < n_layers; i++) {
                struct stat st;
                if (stat(c->layers[i], &st) < 0)
                        return errmsg_set(ret_error, -errno, "rootfs %s: %m", c->layers[i]);
                if (!S_ISDIR(st.st_mode))
                        return errmsg_set(ret_error, -ENOTDIR, "rootfs %s: not a directory", c->layers[i]);
        }

        /* lowerdir=top:...:base; without layers the host's / (its files stay untouched). */
        _cleanup_free_ char *lower = NULL;
        if (n_layers == 0)
                lower = strdup("/");
        for (size_t i = 0; i < n_layers; i++) {
                char *n = NULL;
                if (asprintf(&n, "%s%s%s", lower ? lower : "", lower ? ":" : "", c->layers[i]) < 0)
                        return -ENOMEM;
                free(lower);
                lower = n;
        }
        if (!lower)
                return -ENOMEM;
        const char *xattr = p->userns ? ",userxattr" : "";

        switch (c->writable) {
        case WRITABLE_TMPFS: {
                const char *rw = keepf(p, "%s/rw", p->unit_dir);
                if (!rw || mkdir(rw, 0700) < 0)
                        return errmsg_set(ret_error, rw ? -errno : -ENOMEM, "mkdir %s: %m", rw ? rw : "");
                r = add_op(p, OP_MOUNT, 0, "tmpfs", rw, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
                r = r < 0 ? r : add_op(p, OP_MKDIR, 0, NULL, keepf(p, "%s/upper", rw), NULL, 0, NULL);
                r = r < 0 ? r : add_op(p, OP_MKDIR, 0, NULL, keepf(p, "%s/work", rw), NULL, 0, NULL);
                r = r < 0 ? r : add_op(p, OP_MOUNT, 0, "overlay", p->root, "overlay", 0,
                                       keepf(p, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work%s", lower, rw, rw, xattr));
                return r;
        }
        case WRITABLE_PERSISTENT: {
                const char *base = keepf(p, "%s/%s", state_dir, c->name);
                const char *upper = keepf(p, "%s/upper", base), *work = keepf(p, "%s/work", base);
                if (!upper || !work)
                        return -ENOMEM;
                r = mkdir_p(upper, 0755);
                if (r >= 0)
                        r = mkdir_p(work, 0700);
                if (r < 0)
                        return errmsg_set(ret_error, r, "cannot create %s: %s", base, strerror(-r));
                if (p->userns && (chown(upper, p->map_base, p->map_base) < 0 || chown(work, p->map_base, p->map_base) < 0))
                        return errmsg_set(ret_error, -errno, "chown %s: %m", base);
                return add_op(p, OP_MOUNT, 0, "overlay", p->root, "overlay", 0,
                              keepf(p, "lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper, work, xattr));
        }
        case WRITABLE_NONE:
                p->readonly_root = true;
                if (n_layers >= 2) /* overlayfs wants two lowers when it has no upper */
                        return add_op(p, OP_MOUNT, 0, "overlay", p->root, "overlay", MS_RDONLY,
                                      keepf(p, "lowerdir=%s%s", lower, xattr));
                return add_op(p, OP_MOUNT, 0, n_layers ? c->layers[0] : "/", p->root, NULL, MS_BIND, NULL);
        }
        return -EINVAL;
}

int container_plan_build(struct container_plan *p, const struct unit_config *c, const char *run_dir,
                         const char *state_dir, char **ret_error) {
        int r;

        *p = (struct container_plan){ .notify_fd = -1 };
        *ret_error = NULL;
        p->clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
        if (c->network == NETWORK_NONE) {
                p->clone_flags |= CLONE_NEWNET;
                p->loopback_up = true;
        }
        if (c->userns) {
                p->clone_flags |= CLONE_NEWUSER;
                p->userns = true;
                p->map_base = map_base_for(c->name);
        }
        p->hostname = c->hostname ? c->hostname : c->name;
        p->notify_required = c->notify || c->watchdog;

        container_cleanup(run_dir, c->name); /* whatever an earlier run left */
        p->unit_dir = NULL;
        if (asprintf(&p->unit_dir, "%s/containers/%s", run_dir, c->name) < 0) {
                p->unit_dir = NULL;
                return -ENOMEM;
        }
        r = mkdir_p(p->unit_dir, 0700);
        if (r < 0)
                return errmsg_set(ret_error, r, "cannot create %s: %s", p->unit_dir, strerror(-r));
        if (p->userns) {
                /* The mapped root is nobody on the host: it must be able to walk to its dir. */
                _cleanup_free_ char *dir = strdup(run_dir);
                while (dir && *dir) { /* the run dir and each parent, up to / */
                        struct stat st;
                        if (stat(dir, &st) >= 0 && !(st.st_mode & S_IXOTH))
                                return errmsg_set(ret_error, -EACCES,
                                                "userns: %s is not searchable by the container's mapped root "
                                                "(needs o+x)", dir);
                        char *slash = strrchr(dir, '/');
                        if (!slash)
                                break;
                        *slash = 0;
                }
                if (chown(p->unit_dir, p->map_base, p->map_base) < 0)
                        return errmsg_set(ret_error, -errno, "chown %s: %m", p->unit_dir);
        }
        p->root = keepf(p, "%s/rootfs", p->unit_dir);
        if (!p->root)
                return -ENOMEM;
        if (mkdir(p->root, 0755) < 0)
                return errmsg_set(ret_error, -errno, "mkdir %s: %m", p->root);

        _cleanup_free_ char *path = NULL, *hosts = NULL, *hostname = NULL;
        if (asprintf(&hostname, "%s\n", p->hostname) < 0 ||
            asprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n",
                     p->hostname) < 0)
                return -ENOMEM;
        const char *files[][2] = { { "hostname", hostname }, { "hosts", hosts } };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                free(path);
                if (asprintf(&path, "%s/%s", p->unit_dir, files[i][0]) < 0)
                        return -ENOMEM;
                r = write_file(path, files[i][1]);
                if (r < 0)
                        return errmsg_set(ret_error, r, "cannot write %s: %s", path, strerror(-r));
        }

        bool w = c->writable != WRITABLE_NONE;
        r = plan_rootfs(p, c, state_dir, ret_error);
        if (r >= 0)
                r = plan_proc_sys_dev(p, w);
        if (r >= 0)
                r = plan_run(p, w);
        if (r >= 0)
                r = plan_etc(p, w);
        if (r >= 0)
                r = plan_volumes(p, c, state_dir, w, ret_error);
        return r;
}

void container_plan_done(struct container_plan *p) {
        for (size_t i = 0; i < p->n_strings; i++)
                free(p->strings[i]);
        free(p->strings);
        free(p->ops);
        free(p->unit_dir);
        *p = (struct container_plan){ 0 };
}

char *container_describe_op(const struct container_plan *p, int i) {
        char *s = NULL;
        if (i < 0 || (size_t)i >= p->n_ops)
                return NULL;
        const struct mount_op *o = &p->ops[i];
        int r = -1;
        switch (o->kind) {
        case OP_MOUNT:
                if (o->fstype)
                        r = asprintf(&s, "mount %s on %s", o->fstype, o->target);
                else
                        r = asprintf(&s, "bind %s on %s", o->source, o->target);
                break;
        case OP_REMOUNT:
                r = asprintf(&s, "remount %s read-only", o->target);
                break;
        case OP_MKDIR:
                r = asprintf(&s, "mkdir %s", o->target);
                break;
        case OP_MKFILE:
                r = asprintf(&s, "create %s", o->target);
                break;
        case OP_SYMLINK:
                r = asprintf(&s, "symlink %s", o->target);
                break;
        case OP_MASK:
                r = asprintf(&s, "mask %s", o->target);
                break;
        case OP_SYSFS:
                r = asprintf(&s, "mount sysfs on %s", o->target);
                break;
        case OP_WRITE:
                r = asprintf(&s, "write %s", o->target);
                break;
        }
        return r < 0 ? NULL : s;
}

int container_write_id_maps(const struct container_plan *p, pid_t pid) {
        char path[64], map[64];
        static const char *const files[] = { "uid_map", "gid_map" };
        snprintf(map, sizeof map, "0 %u %u\n", (unsigned)p->map_base, (unsigned)ID_RANGE);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, files[i]);
                int r = write_file(path, map);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- child side: raw syscalls only ---- */

/* Flags the kernel locks on a mount (in a user namespace a remount must keep them). */
static unsigned long locked_flags(const char *target) {
        struct statfs sf; /* statfs, not statvfs: glibc may parse /proc/mounts for the latter */
        unsigned long f = 0;
        if (statfs(target, &sf) < 0 || !(sf.f_flags & ST_VALID))
                return 0;
        if (sf.f_flags & ST_NOSUID)
                f |= MS_NOSUID;
        if (sf.f_flags & ST_NODEV)
                f |= MS_NODEV;
        if (sf.f_flags & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (sf.f_flags & ST_RDONLY)
                f |= MS_RDONLY;
        return f;
}

static int apply_op(const struct mount_op *o) {
        struct stat st;
        int fd;
        switch (o->kind) {
        case OP_MOUNT:
                return mount(o->source, o->target, o->fstype, o->flags, o->data);
        case OP_REMOUNT:
                return mount(NULL, o->target, NULL, MS_REMOUNT | MS_BIND | o->flags | locked_flags(o->target), NULL);
        case OP_MKDIR:
                /* Look first: in a user namespace the image's dirs may not be ours to write. */
                if (lstat(o->target, &st) >= 0)
                        return 0;
                return mkdir(o->target, 0755) < 0 && errno != EEXIST ? -1 : 0;
        case OP_MKFILE:
                if (lstat(o->target, &st) >= 0)
                        return 0;
                fd = open(o->target, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0)
                        return errno == EEXIST ? 0 : -1;
                close(fd);
                return 0;
        case OP_SYMLINK:
                return symlink(o->source, o->target) < 0 && errno != EEXIST ? -1 : 0;
        case OP_MASK:
                if (stat(o->target, &st) < 0)
                        return -1;
                if (S_ISDIR(st.st_mode))
                        return mount("tmpfs", o->target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
                return mount("/dev/null", o->target, NULL, MS_BIND, NULL);
        case OP_SYSFS:
                if (mount("sysfs", o->target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) >= 0)
                        return 0;
                /* A user namespace without its own network namespace may not mount
                 * sysfs: show the host's, read-only. */
                if (errno != EPERM || mount("/sys", o->target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return -1;
                return mount(NULL, o->target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(o->target), NULL);
        case OP_WRITE:
                fd = open(o->target, O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return -1;
                if (write(fd, o->data, strlen(o->data)) < 0) {
                        int e = errno;
                        close(fd);
                        errno = e;
                        return -1;
                }
                close(fd);
                return 0;
        }
        errno = EINVAL;
        return -1;
}

static int loopback_up(void) {
        struct ifreq ifr = { 0 };
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        memcpy(ifr.ifr_name, "lo", 3);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
                close(fd);
                return -1;
        }
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        int r = ioctl(fd, SIOCSIFFLAGS, &ifr);
        int e = errno;
        close(fd);
        errno = e;
        return r;
}

int container_child_setup(const struct container_plan *p, int *ret_step, int *ret_index) {
        *ret_index = -1;
        /* Nothing we mount may propagate back to the host. */
        *ret_step = SPAWN_STEP_MOUNT;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        for (size_t i = 0; i < p->n_ops; i++) {
                if (apply_op(&p->ops[i]) < 0) {
                        if (errno == ENOENT && (p->ops[i].op_flags & OP_OPTIONAL))
                                continue;
                        *ret_index = (int)i;
                        return -errno;
                }
        }

        /* pivot_root(".", "."): the old root ends up on top and is detached right away. */
        *ret_step = SPAWN_STEP_PIVOT;
        if (chdir(p->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                return -errno;
        if (p->readonly_root &&
            mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags("/"), NULL) < 0)
                return -errno;

        /* The notify socket: supd made it before clone and holds it; binding it here puts
         * it in the container's own /run only (nothing mounted, no host path). */
        if (p->notify_fd >= 0) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                memcpy(sa.sun_path, NOTIFY_PATH_IN_CONTAINER, sizeof NOTIFY_PATH_IN_CONTAINER);
                *ret_step = SPAWN_STEP_NOTIFY;
                if (mkdir("/run/sup", 0755) < 0 && errno != EEXIST) {
                        if (p->notify_required || (errno != EROFS && errno != ENOENT))
                                return -errno;
                } else if (bind(p->notify_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
                           chmod(NOTIFY_PATH_IN_CONTAINER, 0666) < 0)
                        return -errno;
        }

        *ret_step = SPAWN_STEP_HOSTNAME;
        if (sethostname(p->hostname, strlen(p->hostname)) < 0)
                return -errno;
        *ret_step = SPAWN_STEP_NETWORK;
        if (p->loopback_up && loopback_up() < 0)
                return -errno;
        return 0;
}

/* ---- cleanup ---- */

void container_cleanup(const char *run_dir, const char *name) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/containers/%s", run_dir, name) < 0)
                return;
        (void)rm_rf(dir);
}

void container_cleanup_all(const char *run_dir) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/containers", run_dir) < 0)
                return;
        (void)rm_rf(dir);
}
