/* cgroup: each unit's process runs in its own cgroup with the unit's limits. Two
 * backends behind one interface, chosen at start by what the host mounts:
 *  - v2 (unified): units in BASE/sup/NAME, where BASE is supd's own cgroup; when that
 *    is not the root (a delegated cgroup under systemd) supd first moves itself into
 *    the leaf BASE/supd, since a cgroup with controllers enabled may hold no process.
 *    The app is cloned straight into its cgroup (CLONE_INTO_CGROUP).
 *  - v1 / hybrid: one sup/NAME group below supd's own group in each mounted controller
 *    hierarchy it needs; the child waits until supd has placed it, before any app code.
 *    On a hybrid host (a controller-less cgroup2 at /sys/fs/cgroup/unified) the unit
 *    gets a group there too, as systemd does: the kernel reports that group's id for
 *    any process, even one already reaped (pidfd info), which is how a notify message
 *    is traced to its container.
 * Never above supd's own cgroup: on a managed host that is someone else's. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct unit_config;

enum cgroup_mode { CGROUP_NONE, CGROUP_V1, CGROUP_V2 };

enum cgroup_v1_controller { V1_MEMORY, V1_CPU, V1_CPUACCT, V1_PIDS, V1_BLKIO, V1_FREEZER, _V1_MAX };

struct cgroup_root {
        enum cgroup_mode mode;
        char base_name[24];       /* "sup" or "sup-1a2b3c4d" */
        char *v2_base;            /* v2: .../sup */
        char *v1_base[_V1_MAX];   /* v1: .../sup per controller, NULL when not mounted */
        char *hybrid_base;        /* v1: .../unified/.../sup, NULL without a cgroup2 mount */
};

struct unit_cgroup {
        enum cgroup_mode mode;
        char *v2_path;
        int v2_fd;                /* for CLONE_INTO_CGROUP */
        char *v1_path[_V1_MAX];
        char *hybrid_path;
        uint64_t id;              /* the cgroup2 id of the unit's group (v2 or hybrid), 0 if none */
        uint64_t oom_kills;       /* the OOM-kill count when the run started */
};

struct cgroup_stats {
        uint64_t memory_current, memory_peak; /* bytes; UINT64_MAX when unknown */
        uint64_t cpu_usage_usec;
        uint64_t tasks;
};

/* Detects the hierarchy, makes the base group(s) and removes stale unit groups a
 * crashed supd left (killing what is still inside). The base is named for the run dir,
 * the identity of a supd instance: "sup" for /run/sup, "sup-HASH" for any other, so two
 * supds on one host never touch each other's groups. Never fails supd: without usable
 * cgroups mode is CGROUP_NONE and units with limits fail to start. */
int cgroup_root_init(struct cgroup_root *r, const char *run_dir);
/* Removes the base groups (empty by then). */
void cgroup_root_done(struct cgroup_root *r);
const char *cgroup_mode_to_string(enum cgroup_mode m);

/* Creates NAME's group(s) and writes its limits. A limit the host cannot honour (no
 * such controller or file) is an error naming it, in *ret_error. */
int cgroup_unit_create(struct cgroup_root *r, const char *name, const struct unit_config *c,
                       struct unit_cgroup *ret, char **ret_error);
/* v1: moves pid into every group of the unit, the hybrid one too (v2 clones into it instead). */
int cgroup_unit_attach(const struct unit_cgroup *cg, pid_t pid);
/* SIGKILLs every process in the unit's group: cgroup.kill where the kernel has it,
 * else freeze, kill each, thaw. */
int cgroup_unit_kill(const struct unit_cgroup *cg);
/* How many processes the OOM killer has killed in the group so far. */
int cgroup_unit_oom_kills(const struct unit_cgroup *cg, uint64_t *ret);
int cgroup_unit_stats(const struct unit_cgroup *cg, struct cgroup_stats *ret);
/* The file to watch for OOM kills (v2 memory.events, v1 memory.oom_control); NULL if none. */
const char *cgroup_unit_oom_file(const struct unit_cgroup *cg, char *buf, size_t len);
/* Removes the group(s), waiting up to tries x 20ms for dying processes to leave;
 * -EBUSY while they are still in there (retry later). */
int cgroup_unit_remove(struct unit_cgroup *cg, int tries);
/* v1: an eventfd that becomes readable on OOM events (cgroup.event_control), or -errno.
 * v2 callers watch cgroup_unit_oom_file() with inotify instead. */
int cgroup_unit_oom_eventfd(const struct unit_cgroup *cg);
/* Frees cg without touching the groups. */
void cgroup_unit_done(struct unit_cgroup *cg);
