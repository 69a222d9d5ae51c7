#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "errmsg.h"
#include "fsutil.h"
#include "log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CPU_PERIOD_USEC 100000

static const char *const v1_names[_V1_MAX] = {
        [V1_MEMORY] = "memory", [V1_CPU] = "cpu",         [V1_CPUACCT] = "cpuacct",
        [V1_PIDS] = "pids",     [V1_BLKIO] = "blkio",     [V1_FREEZER] = "freezer",
};

const char *cgroup_mode_to_string(enum cgroup_mode m) {
        return m == CGROUP_V2 ? "v2" : m == CGROUP_V1 ? "v1" : "none";
}

/* ---- small file helpers ---- */

static int write_at(const char *dir, const char *file, const char *value) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, value, strlen(value));
        if (n < 0)
                return -errno;
        return 0;
}

static int read_at(const char *dir, const char *file, char **ret) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        _cleanup_fclose_ FILE *f = fopen(p, "re");
        if (!f)
                return -errno;
        char *buf = NULL;
        size_t len = 0;
        ssize_t n = getdelim(&buf, &len, 0, f);
        if (n < 0) {
                free(buf);
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static int read_u64_at(const char *dir, const char *file, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = read_at(dir, file, &s);
        if (r < 0)
                return r;
        if (strncmp(s, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "key value" lines (memory.events, cpu.stat, memory.oom_control). */
static int read_keyed_at(const char *dir, const char *file, const char *key, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = read_at(dir, file, &s);
        if (r < 0)
                return r;
        size_t k = strlen(key);
        for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (strncmp(line, key, k) == 0 && line[k] == ' ') {
                        *ret = strtoull(line + k + 1, NULL, 10);
                        return 0;
                }
        return -ENOENT;
}

static bool exists_at(const char *dir, const char *file) {
        _cleanup_free_ char *p = NULL;
        return asprintf(&p, "%s/%s", dir, file) >= 0 && access(p, F_OK) == 0;
}

/* ---- finding our place ---- */

/* Our cgroup in the hierarchy whose /proc/self/cgroup controller list contains want
 * ("" for the unified one). */
static int own_cgroup(const char *want, char **ret) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        if (!f)
                return -errno;
        while (getline(&line, &len, f) >= 0) {
                line[strcspn(line, "\n")] = 0;
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c1 = *c2 = 0; /* "ID:CONTROLLERS:PATH" -> line = ID, ctrls = CONTROLLERS */
                const char *ctrls = c1 + 1;
                bool match = false;
                if (!*want)
                        match = strcmp(line, "0") == 0 && !*ctrls;
                else {
                        _cleanup_free_ char *copy = strdup(ctrls);
                        char *save = NULL;
                        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
                                match |= strcmp(t, want) == 0;
                }
                if (match) {
                        *ret = strdup(c2 + 1);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

/* Where a hierarchy is mounted, and the mount's root: the v1 one holding controller,
 * or with controller NULL the cgroup2 one (a hybrid host's "unified"). */
static int hierarchy_mount(const char *controller, char **ret_mount, char **ret_root) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        if (!f)
                return -errno;
        while (getline(&line, &len, f) >= 0) {
                char root[4096], mp[4096], type[64], opts[1024];
                char *dash = strstr(line, " - ");
                if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
                    sscanf(dash + 3, "%63s %*s %1023s", type, opts) != 2 ||
                    strcmp(type, controller ? "cgroup" : "cgroup2") != 0)
                        continue;
                char *save = NULL;
                for (char *t = strtok_r(opts, ",", &save); t; t = strtok_r(NULL, ",", &save))
                        if (!controller || strcmp(t, controller) == 0) {
                                *ret_mount = strdup(mp);
                                *ret_root = strdup(root);
                                if (!*ret_mount || !*ret_root) {
                                        free(*ret_mount);
                                        free(*ret_root);
                                        return -ENOMEM;
                                }
                                return 0;
                        }
        }
        return -ENOENT;
}

/* MOUNT + (OWN relative to ROOT) */
static char *join_own(const char *mount, const char *root, const char *own) {
        size_t rl = strlen(root);
        const char *rel = own;
        if (strcmp(root, "/") != 0 && strncmp(own, root, rl) == 0)
                rel = own + rl;
        char *p = NULL;
        if (asprintf(&p, "%s%s", mount, strcmp(rel, "/") == 0 ? "" : rel) < 0)
                return NULL;
        return p;
}

/* ---- killing and removing ---- */

static int kill_procs_listed(const char *dir) {
        _cleanup_free_ char *s = NULL;
        int n = 0;
        if (read_at(dir, "cgroup.procs", &s) < 0)
                return 0;
        for (char *p = s; *p;) {
                char *end;
                long pid = strtol(p, &end, 10);
                if (end == p)
                        break;
                if (pid > 0 && kill((pid_t)pid, SIGKILL) >= 0)
                        n++;
                p = end + (*end == '\n');
        }
        return n;
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

static void kill_v1(char *const path[_V1_MAX]) {
        const char *freezer = path[V1_FREEZER];
        if (freezer) {
                (void)write_at(freezer, "freezer.state", "FROZEN");
                /* Bounded: a frozen group cannot fork, so one pass kills everything. */
                for (int i = 0; i < 50; i++) {
                        _cleanup_free_ char *st = NULL;
                        if (read_at(freezer, "freezer.state", &st) < 0 || strncmp(st, "FREEZING", 8) != 0)
                                break;
                        sleep_ms(2);
                }
                kill_procs_listed(freezer);
                (void)write_at(freezer, "freezer.state", "THAWED");
                return;
        }
        /* No freezer: kill what is listed until nothing is (forks race us, so loop). */
        for (int i = 0; i < _V1_MAX; i++)
                if (path[i]) {
                        for (int k = 0; k < 20 && kill_procs_listed(path[i]) > 0; k++)
                                ;
                        return;
                }
}

static void kill_v2(const char *path) {
        if (write_at(path, "cgroup.kill", "1") >= 0)
                return;
        (void)write_at(path, "cgroup.freeze", "1");
        kill_procs_listed(path);
        (void)write_at(path, "cgroup.freeze", "0");
}

/* rmdir, retrying while the killed processes finish dying (bounded, ~1s). */
static int rmdir_wait(const char *path, int tries) {
        for (int i = 0;; i++) {
                if (rmdir(path) >= 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || i >= tries)
                        return -errno;
                sleep_ms(20);
        }
}

/* Removes every unit group left below base (a crashed supd's), killing what is inside. */
static void remove_stale(const char *base, bool v2, char *const v1_bases[_V1_MAX], int v1_index) {
        _cleanup_(closedirp) DIR *d = opendir(base);
        struct dirent *de;
        if (!d)
                return;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", base, de->d_name) < 0)
                        continue;
                if (v2)
                        kill_v2(p);
                else if (v1_index == V1_FREEZER || !v1_bases[V1_FREEZER])
                        kill_procs_listed(p);
                log_warning("removing stale cgroup %s", p);
                int k = rmdir_wait(p, 50);
                if (k < 0)
                        log_warning_errno(k, "cannot remove stale cgroup %s: %m, ignoring", p);
        }
}

#define STALE_GRACE_MS 3000

/* Signals every process listed in every group below base; returns how many. */
static int signal_stale(const char *base, int sig) {
        _cleanup_(closedirp) DIR *d = opendir(base);
        struct dirent *de;
        int n = 0;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *p = NULL, *s = NULL;
                if (de->d_type != DT_DIR || de->d_name[0] == '.' || asprintf(&p, "%s/%s", base, de->d_name) < 0 ||
                    read_at(p, "cgroup.procs", &s) < 0)
                        continue;
                for (char *q = s; *q;) {
                        char *end;
                        long pid = strtol(q, &end, 10);
                        if (end == q)
                                break;
                        if (pid > 0 && kill((pid_t)pid, sig) >= 0) {
                                (void)kill((pid_t)pid, SIGCONT);
                                n++;
                        }
                        q = end + (*end == '\n');
                }
        }
        return n;
}

/* A crashed supd's containers are stopped the way a stop goes: SIGTERM first, a
 * bounded grace period (we are starting up, nothing else runs yet), then SIGKILL
 * by remove_stale(). */
static void stop_stale(const char *base) {
        int n = base ? signal_stale(base, SIGTERM) : 0;
        if (n == 0)
                return;
        log_warning("cgroup: %d process(es) of a previous supd still run in %s: SIGTERM, up to %dms to go", n, base,
                    STALE_GRACE_MS);
        for (int waited = 0; waited < STALE_GRACE_MS && signal_stale(base, 0) > 0; waited += 20)
                sleep_ms(20);
}

/* ---- the root ---- */

static int init_v2(struct cgroup_root *r) {
        _cleanup_free_ char *own = NULL, *base = NULL, *ctrls = NULL;
        int k = own_cgroup("", &own);
        if (k < 0)
                return k;
        base = join_own(CGROUP_ROOT, "/", own);
        if (!base)
                return -ENOMEM;
        if (strcmp(own, "/") != 0) {
                /* Delegated (systemd's Delegate=yes): no process may stay in a group that
                 * hands controllers down, so we move ourselves into a leaf first. */
                _cleanup_free_ char *leaf = NULL;
                if (asprintf(&leaf, "%s/supd", base) < 0)
                        return -ENOMEM;
                if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "cgroup: mkdir %s: %m", leaf);
                k = write_at(leaf, "cgroup.procs", "0");
                if (k < 0)
                        return log_error_errno(k, "cgroup: cannot move supd into %s: %m", leaf);
        }
        /* Hand every controller we have down to sup/ and to the units. */
        if (read_at(base, "cgroup.controllers", &ctrls) >= 0) {
                char *save = NULL;
                for (char *t = strtok_r(ctrls, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                        if (strcmp(t, "memory") && strcmp(t, "cpu") && strcmp(t, "pids") && strcmp(t, "io"))
                                continue;
                        char plus[32];
                        snprintf(plus, sizeof plus, "+%s", t);
                        if (write_at(base, "cgroup.subtree_control", plus) < 0)
                                log_warning_errno(errno, "cgroup: cannot enable %s in %s: %m", t, base);
                }
        }
        if (asprintf(&r->v2_base, "%s/%s", base, r->base_name) < 0)
                return -ENOMEM;
        if (mkdir(r->v2_base, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cgroup: mkdir %s: %m", r->v2_base);
        stop_stale(r->v2_base);
        remove_stale(r->v2_base, true, NULL, 0);
        _cleanup_free_ char *sub = NULL;
        if (read_at(base, "cgroup.subtree_control", &sub) >= 0) {
                char *save = NULL;
                for (char *t = strtok_r(sub, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                        char plus[32];
                        snprintf(plus, sizeof plus, "+%s", t);
                        (void)write_at(r->v2_base, "cgroup.subtree_control", plus);
                }
        }
        r->mode = CGROUP_V2;
        return 0;
}

/* The controller-less cgroup2 beside the v1 ones: only to know, by group id, which unit
 * a process is of. Without it supd works as before. */
static void init_hybrid(struct cgroup_root *r) {
        _cleanup_free_ char *mount = NULL, *root = NULL, *own = NULL, *base = NULL;
        if (hierarchy_mount(NULL, &mount, &root) < 0 || own_cgroup("", &own) < 0)
                return;
        base = join_own(mount, root, own);
        if (!base || asprintf(&r->hybrid_base, "%s/%s", base, r->base_name) < 0) {
                r->hybrid_base = NULL;
                return;
        }
        if (mkdir(r->hybrid_base, 0755) < 0 && errno != EEXIST) {
                log_warning_errno(errno, "cgroup: mkdir %s: %m, not using the unified hierarchy", r->hybrid_base);
                free(r->hybrid_base);
                r->hybrid_base = NULL;
        }
}

static int init_v1(struct cgroup_root *r) {
        int found = 0;
        for (int i = 0; i < _V1_MAX; i++) {
                _cleanup_free_ char *mount = NULL, *root = NULL, *own = NULL, *base = NULL;
                if (hierarchy_mount(v1_names[i], &mount, &root) < 0 || own_cgroup(v1_names[i], &own) < 0)
                        continue;
                base = join_own(mount, root, own);
                if (!base || asprintf(&r->v1_base[i], "%s/%s", base, r->base_name) < 0) {
                        r->v1_base[i] = NULL;
                        continue;
                }
                if (mkdir(r->v1_base[i], 0755) < 0 && errno != EEXIST) {
                        log_warning_errno(errno, "cgroup: mkdir %s: %m, not using %s", r->v1_base[i], v1_names[i]);
                        free(r->v1_base[i]);
                        r->v1_base[i] = NULL;
                        continue;
                }
                found++;
        }
        if (!found)
                return -ENOENT;
        init_hybrid(r);
        /* Any hierarchy lists every process of a unit: the freezer's if there is one. */
        const char *lister = r->v1_base[V1_FREEZER];
        for (int i = 0; !lister && i < _V1_MAX; i++)
                lister = r->v1_base[i];
        stop_stale(lister);
        /* Freezer first, so what is left is killed while frozen. */
        if (r->v1_base[V1_FREEZER])
                remove_stale(r->v1_base[V1_FREEZER], false, r->v1_base, V1_FREEZER);
        for (int i = 0; i < _V1_MAX; i++)
                if (r->v1_base[i] && i != V1_FREEZER)
                        remove_stale(r->v1_base[i], false, r->v1_base, i);
        if (r->hybrid_base)
                remove_stale(r->hybrid_base, true, NULL, 0);
        r->mode = CGROUP_V1;
        return 0;
}

int cgroup_root_init(struct cgroup_root *r, const char *run_dir) {
        struct statfs sf;
        *r = (struct cgroup_root){ .mode = CGROUP_NONE };
        if (strcmp(run_dir, "/run/sup") == 0)
                snprintf(r->base_name, sizeof r->base_name, "sup");
        else {
                uint32_t h = 2166136261u; /* FNV-1a */
                for (const char *c = run_dir; *c; c++)
                        h = (h ^ (uint8_t)*c) * 16777619u;
                snprintf(r->base_name, sizeof r->base_name, "sup-%08x", h);
        }
        if (statfs(CGROUP_ROOT, &sf) < 0) {
                log_warning_errno(errno, "cgroup: %s: %m; units run without cgroups", CGROUP_ROOT);
                return 0;
        }
        int k = sf.f_type == CGROUP2_SUPER_MAGIC ? init_v2(r) : init_v1(r);
        if (k < 0) {
                cgroup_root_done(r);
                *r = (struct cgroup_root){ .mode = CGROUP_NONE };
                log_warning("cgroup: no usable hierarchy; units with limits will fail to start");
                return 0;
        }
        log_info("cgroup: %s, units in %s", cgroup_mode_to_string(r->mode),
                 r->mode == CGROUP_V2 ? r->v2_base : (r->v1_base[V1_MEMORY] ? r->v1_base[V1_MEMORY] : r->base_name));
        return 0;
}

void cgroup_root_done(struct cgroup_root *r) {
        if (r->v2_base)
                (void)rmdir(r->v2_base);
        free(r->v2_base);
        if (r->hybrid_base)
                (void)rmdir(r->hybrid_base);
        free(r->hybrid_base);
        for (int i = 0; i < _V1_MAX; i++) {
                if (r->v1_base[i])
                        (void)rmdir(r->v1_base[i]);
                free(r->v1_base[i]);
        }
        *r = (struct cgroup_root){ .mode = CGROUP_NONE };
}

/* ---- a unit ---- */


static bool has_limits(const struct unit_config *c) {
        return c->memory_max != CONFIG_LIMIT_UNSET || c->memory_high != CONFIG_LIMIT_UNSET ||
               c->memory_swap_max != CONFIG_LIMIT_UNSET || c->cpu_max_permille != CONFIG_LIMIT_UNSET ||
               c->cpu_weight || c->pids_max != CONFIG_LIMIT_UNSET || c->io_weight;
}

/* Writes one limit; a missing file means the host cannot honour the key. */
static int set_limit(const char *dir, const char *file, const char *key, const char *value, char **ret_error) {
        int r = write_at(dir, file, value);
        if (r == -ENOENT)
                return errmsg_set(ret_error, r, "%s: not supported on this host (no %s/%s)", key, dir, file);
        if (r < 0)
                return errmsg_set(ret_error, r, "%s: writing %s to %s/%s: %s", key, value, dir, file, strerror(-r));
        return 0;
}

static int create_v2(struct cgroup_root *root, const char *name, const struct unit_config *c, struct unit_cgroup *cg,
                     char **ret_error) {
        char v[64];
        int r;
        if (asprintf(&cg->v2_path, "%s/%s", root->v2_base, name) < 0)
                return -ENOMEM;
        if (mkdir(cg->v2_path, 0755) < 0 && errno != EEXIST)
                return errmsg_set(ret_error, -errno, "cgroup: mkdir %s: %m", cg->v2_path);
#define LIMIT(file, key, ...)                                                           \
        do {                                                                            \
                snprintf(v, sizeof v, __VA_ARGS__);                                     \
                if ((r = set_limit(cg->v2_path, file, key, v, ret_error)) < 0)          \
                        return r;                                                       \
        } while (0)
        if (c->memory_max != CONFIG_LIMIT_UNSET)
                LIMIT("memory.max", "memory_max", "%llu", (unsigned long long)c->memory_max);
        if (c->memory_high != CONFIG_LIMIT_UNSET)
                LIMIT("memory.high", "memory_high", "%llu", (unsigned long long)c->memory_high);
        if (c->memory_swap_max != CONFIG_LIMIT_UNSET)
                LIMIT("memory.swap.max", "memory_swap_max", "%llu", (unsigned long long)c->memory_swap_max);
        if (c->cpu_max_permille != CONFIG_LIMIT_UNSET)
                LIMIT("cpu.max", "cpu_max", "%llu %d", (unsigned long long)c->cpu_max_permille * CPU_PERIOD_USEC / 1000,
                      CPU_PERIOD_USEC);
        if (c->cpu_weight)
                LIMIT("cpu.weight", "cpu_weight", "%u", (unsigned)c->cpu_weight);
        if (c->pids_max != CONFIG_LIMIT_UNSET)
                LIMIT("pids.max", "pids_max", "%llu", (unsigned long long)c->pids_max);
        if (c->io_weight)
                LIMIT("io.weight", "io_weight", "default %u", (unsigned)c->io_weight);
#undef LIMIT
        cg->v2_fd = open(cg->v2_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->v2_fd < 0)
                return errmsg_set(ret_error, -errno, "cgroup: open %s: %m", cg->v2_path);
        return 0;
}

static int create_v1(struct cgroup_root *root, const char *name, const struct unit_config *c, struct unit_cgroup *cg,
                     char **ret_error) {
        bool want[_V1_MAX] = {
                [V1_MEMORY] = true, [V1_CPUACCT] = true, [V1_PIDS] = true, [V1_FREEZER] = true,
                [V1_CPU] = c->cpu_max_permille != CONFIG_LIMIT_UNSET || c->cpu_weight,
                [V1_BLKIO] = c->io_weight != 0,
        };
        static const char *const need_key[_V1_MAX] = { [V1_CPU] = "cpu_max/cpu_weight", [V1_BLKIO] = "io_weight" };
        char v[64];
        int r;

        if ((c->memory_max != CONFIG_LIMIT_UNSET || c->memory_high != CONFIG_LIMIT_UNSET ||
             c->memory_swap_max != CONFIG_LIMIT_UNSET) && !root->v1_base[V1_MEMORY])
                return errmsg_set(ret_error, -EOPNOTSUPP, "memory limits: the memory controller is not mounted");
        if (c->pids_max != CONFIG_LIMIT_UNSET && !root->v1_base[V1_PIDS])
                return errmsg_set(ret_error, -EOPNOTSUPP, "pids_max: the pids controller is not mounted");
        for (int i = 0; i < _V1_MAX; i++) {
                if (!want[i])
                        continue;
                if (!root->v1_base[i]) {
                        if (need_key[i])
                                return errmsg_set(ret_error, -EOPNOTSUPP, "%s: the %s controller is not mounted", need_key[i],
                                            v1_names[i]);
                        continue; /* only for stats or killing: do without */
                }
                if (asprintf(&cg->v1_path[i], "%s/%s", root->v1_base[i], name) < 0) {
                        cg->v1_path[i] = NULL;
                        return -ENOMEM;
                }
                if (mkdir(cg->v1_path[i], 0755) < 0 && errno != EEXIST)
                        return errmsg_set(ret_error, -errno, "cgroup: mkdir %s: %m", cg->v1_path[i]);
        }
        if (root->hybrid_base) {
                if (asprintf(&cg->hybrid_path, "%s/%s", root->hybrid_base, name) < 0) {
                        cg->hybrid_path = NULL;
                        return -ENOMEM;
                }
                if (mkdir(cg->hybrid_path, 0755) < 0 && errno != EEXIST)
                        return errmsg_set(ret_error, -errno, "cgroup: mkdir %s: %m", cg->hybrid_path);
        }
#define LIMIT(ctl, file, key, ...)                                                      \
        do {                                                                            \
                snprintf(v, sizeof v, __VA_ARGS__);                                     \
                if ((r = set_limit(cg->v1_path[ctl], file, key, v, ret_error)) < 0)     \
                        return r;                                                       \
        } while (0)
        const char *mem = cg->v1_path[V1_MEMORY];
        if (mem) {
                /* Fresh values each run: a reused group keeps old ones otherwise. */
                uint64_t max = c->memory_max;
                bool memsw = exists_at(mem, "memory.memsw.limit_in_bytes");
                if (memsw) /* memsw >= limit at every step: lift it first */
                        LIMIT(V1_MEMORY, "memory.memsw.limit_in_bytes", "memory_swap_max", "-1");
                LIMIT(V1_MEMORY, "memory.limit_in_bytes", "memory_max", "%lld",
                      max == CONFIG_LIMIT_UNSET ? -1LL : (long long)max);
                if (c->memory_swap_max != CONFIG_LIMIT_UNSET) {
                        if (max == CONFIG_LIMIT_UNSET)
                                return errmsg_set(ret_error, -EOPNOTSUPP,
                                            "memory_swap_max: needs memory_max on a cgroup v1 host");
                        LIMIT(V1_MEMORY, "memory.memsw.limit_in_bytes", "memory_swap_max", "%llu",
                              (unsigned long long)(max + c->memory_swap_max));
                }
                /* v1 has no memory.high; the soft limit is the nearest thing. */
                LIMIT(V1_MEMORY, "memory.soft_limit_in_bytes", "memory_high", "%lld",
                      c->memory_high == CONFIG_LIMIT_UNSET ? -1LL : (long long)c->memory_high);
        }
        if (cg->v1_path[V1_CPU]) {
                LIMIT(V1_CPU, "cpu.cfs_period_us", "cpu_max", "%d", CPU_PERIOD_USEC);
                LIMIT(V1_CPU, "cpu.cfs_quota_us", "cpu_max", "%lld",
                      c->cpu_max_permille == CONFIG_LIMIT_UNSET
                              ? -1LL
                              : (long long)(c->cpu_max_permille * CPU_PERIOD_USEC / 1000));
                /* cpu.weight 100 is cpu.shares 1024. */
                LIMIT(V1_CPU, "cpu.shares", "cpu_weight", "%llu",
                      c->cpu_weight ? ((unsigned long long)c->cpu_weight * 1024 / 100 < 2 ? 2ULL
                                                       : (unsigned long long)c->cpu_weight * 1024 / 100)
                                    : 1024ULL);
        }
        if (cg->v1_path[V1_PIDS])
                LIMIT(V1_PIDS, "pids.max", "pids_max", c->pids_max == CONFIG_LIMIT_UNSET ? "max" : "%llu",
                      (unsigned long long)c->pids_max);
        if (cg->v1_path[V1_BLKIO] && c->io_weight) {
                /* blkio.weight is 10..1000 (CFQ); with BFQ it is blkio.bfq.weight 1..1000. */
                unsigned w = c->io_weight / 10;
                w = w < 10 ? 10 : w > 1000 ? 1000 : w;
                const char *file = exists_at(cg->v1_path[V1_BLKIO], "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
                LIMIT(V1_BLKIO, file, "io_weight", "%u", w);
        }
#undef LIMIT
        return 0;
}

int cgroup_unit_create(struct cgroup_root *root, const char *name, const struct unit_config *c,
                       struct unit_cgroup *cg, char **ret_error) {
        int r;
        *cg = (struct unit_cgroup){ .mode = root->mode, .v2_fd = -1 };
        *ret_error = NULL;
        if (root->mode == CGROUP_NONE) {
                if (has_limits(c))
                        return errmsg_set(ret_error, -EOPNOTSUPP, "resource limits: no usable cgroup hierarchy on this host");
                return 0;
        }
        r = root->mode == CGROUP_V2 ? create_v2(root, name, c, cg, ret_error) : create_v1(root, name, c, cg, ret_error);
        if (r < 0) {
                (void)cgroup_unit_remove(cg, 0);
                cgroup_unit_done(cg);
                return r;
        }
        (void)cgroup_unit_oom_kills(cg, &cg->oom_kills);
        /* A cgroup2 group's id is its inode number. */
        struct stat st;
        const char *v2 = cg->v2_path ? cg->v2_path : cg->hybrid_path;
        if (v2 && stat(v2, &st) >= 0)
                cg->id = (uint64_t)st.st_ino;
        return 0;
}

int cgroup_unit_attach(const struct unit_cgroup *cg, pid_t pid) {
        char v[32];
        snprintf(v, sizeof v, "%d", (int)pid);
        for (int i = 0; i < _V1_MAX; i++)
                if (cg->v1_path[i]) {
                        int r = write_at(cg->v1_path[i], "cgroup.procs", v);
                        if (r < 0)
                                return r;
                }
        return cg->hybrid_path ? write_at(cg->hybrid_path, "cgroup.procs", v) : 0;
}

int cgroup_unit_kill(const struct unit_cgroup *cg) {
        if (cg->mode == CGROUP_V2 && cg->v2_path)
                kill_v2(cg->v2_path);
        else if (cg->mode == CGROUP_V1)
                kill_v1(cg->v1_path);
        else
                return -EOPNOTSUPP;
        return 0;
}

int cgroup_unit_oom_kills(const struct unit_cgroup *cg, uint64_t *ret) {
        *ret = 0;
        if (cg->mode == CGROUP_V2 && cg->v2_path)
                return read_keyed_at(cg->v2_path, "memory.events", "oom_kill", ret);
        if (cg->mode == CGROUP_V1 && cg->v1_path[V1_MEMORY])
                return read_keyed_at(cg->v1_path[V1_MEMORY], "memory.oom_control", "oom_kill", ret);
        return -EOPNOTSUPP;
}

const char *cgroup_unit_oom_file(const struct unit_cgroup *cg, char *buf, size_t len) {
        if (cg->mode == CGROUP_V2 && cg->v2_path)
                snprintf(buf, len, "%s/memory.events", cg->v2_path);
        else if (cg->mode == CGROUP_V1 && cg->v1_path[V1_MEMORY])
                snprintf(buf, len, "%s/memory.oom_control", cg->v1_path[V1_MEMORY]);
        else
                return NULL;
        return buf;
}

static uint64_t count_procs(const char *dir) {
        _cleanup_free_ char *s = NULL;
        uint64_t n = 0;
        if (!dir || read_at(dir, "cgroup.procs", &s) < 0)
                return 0;
        for (char *p = s; *p; p++)
                n += *p == '\n';
        return n;
}

int cgroup_unit_stats(const struct unit_cgroup *cg, struct cgroup_stats *ret) {
        *ret = (struct cgroup_stats){ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
        if (cg->mode == CGROUP_V2 && cg->v2_path) {
                (void)read_u64_at(cg->v2_path, "memory.current", &ret->memory_current);
                (void)read_u64_at(cg->v2_path, "memory.peak", &ret->memory_peak);
                (void)read_keyed_at(cg->v2_path, "cpu.stat", "usage_usec", &ret->cpu_usage_usec);
                if (read_u64_at(cg->v2_path, "pids.current", &ret->tasks) < 0)
                        ret->tasks = count_procs(cg->v2_path);
                return 0;
        }
        if (cg->mode == CGROUP_V1) {
                const char *mem = cg->v1_path[V1_MEMORY];
                if (mem) {
                        (void)read_u64_at(mem, "memory.usage_in_bytes", &ret->memory_current);
                        (void)read_u64_at(mem, "memory.max_usage_in_bytes", &ret->memory_peak);
                }
                uint64_t ns;
                if (cg->v1_path[V1_CPUACCT] && read_u64_at(cg->v1_path[V1_CPUACCT], "cpuacct.usage", &ns) >= 0)
                        ret->cpu_usage_usec = ns / 1000;
                if (!cg->v1_path[V1_PIDS] || read_u64_at(cg->v1_path[V1_PIDS], "pids.current", &ret->tasks) < 0)
                        ret->tasks = count_procs(cg->v1_path[V1_FREEZER] ? cg->v1_path[V1_FREEZER] : mem);
                return 0;
        }
        return -EOPNOTSUPP;
}

int cgroup_unit_remove(struct unit_cgroup *cg, int tries) {
        int r = 0, k;
        if (cg->v2_path && (k = rmdir_wait(cg->v2_path, tries)) < 0)
                r = k;
        for (int i = 0; i < _V1_MAX; i++)
                if (cg->v1_path[i] && (k = rmdir_wait(cg->v1_path[i], tries)) < 0 && r == 0)
                        r = k;
        if (cg->hybrid_path && (k = rmdir_wait(cg->hybrid_path, tries)) < 0 && r == 0)
                r = k;
        return r;
}

int cgroup_unit_oom_eventfd(const struct unit_cgroup *cg) {
        const char *mem = cg->mode == CGROUP_V1 ? cg->v1_path[V1_MEMORY] : NULL;
        char v[64];
        if (!mem)
                return -EOPNOTSUPP;
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/memory.oom_control", mem) < 0)
                return -ENOMEM;
        _cleanup_close_ int ofd = open(path, O_RDONLY | O_CLOEXEC);
        if (ofd < 0)
                return -errno;
        int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0)
                return -errno;
        snprintf(v, sizeof v, "%d %d", efd, ofd);
        int r = write_at(mem, "cgroup.event_control", v);
        if (r < 0) {
                close(efd);
                return r;
        }
        return efd; /* the kernel holds its own reference to ofd */
}

void cgroup_unit_done(struct unit_cgroup *cg) {
        closep(&cg->v2_fd);
        free(cg->v2_path);
        free(cg->hybrid_path);
        for (int i = 0; i < _V1_MAX; i++)
                free(cg->v1_path[i]);
        *cg = (struct unit_cgroup){ .v2_fd = -1 };
}
