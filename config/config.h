/* config: libconfuse schema for sup.conf and unit files, parsed and validated into
 * plain immutable structs. No I/O beyond reading the files. cfg_t never leaves here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t usec_t; /* microseconds, like sd-event */
#define USEC_PER_MSEC ((usec_t)1000)
#define USEC_PER_SEC ((usec_t)1000000)

#define CONFIG_DIR_DEFAULT "/etc/sup"

/* Limits on what a user controls (STYLE 10). */
#define CONFIG_MAX_UNITS 1024
#define CONFIG_MAX_ARGS 4096          /* exec / env / requires entries */
#define CONFIG_MAX_ARG_LEN (128 * 1024) /* like the kernel's MAX_ARG_STRLEN */
#define CONFIG_MAX_FILE_SIZE (1024 * 1024) /* one unit file or sup.conf */
#define CONFIG_MAX_DURATION (24 * 3600 * USEC_PER_SEC) /* every duration key */
#define CONFIG_MAX_START_LIMIT 1000
#define CONFIG_MAX_MOUNTS 256 /* volume sections per unit, and tmpfs sections */
#define CONFIG_MAX_CPUS 1024  /* cpu_max */
#define CONFIG_MAX_PIDS 4194304 /* pids_max: the kernel's PID_MAX_LIMIT */
#define CONFIG_MAX_WEIGHT 10000 /* cpu_weight, io_weight: cgroup v2's range is 1..10000 */
#define CONFIG_MAX_HEALTH_RETRIES 100
#define CONFIG_LOG_BUFFER_MIN (4 * 1024)          /* log_buffer */
#define CONFIG_LOG_BUFFER_MAX (64 * 1024 * 1024)
#define CONFIG_MAX_LOG_RATE 10000000              /* log_rate, lines per second */

/* A resource limit that is not set (the key absent, or "max" / "infinity"): no limit. */
#define CONFIG_LIMIT_UNSET UINT64_MAX

enum restart_mode { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum writable_mode { WRITABLE_TMPFS, WRITABLE_PERSISTENT, WRITABLE_NONE };
enum network_mode { NETWORK_NONE, NETWORK_HOST };
/* sup.conf's log_target: where container lines and supd's own messages go. auto: the
 * journal when its socket exists, else the console (PID 1) or supd's stderr. */
enum log_target { LOG_TARGET_AUTO, LOG_TARGET_JOURNAL, LOG_TARGET_CONSOLE, LOG_TARGET_KMSG };

/* volume "PATH" { source = "/host/dir" readonly = false } */
struct volume_config {
        char *path;   /* absolute, inside the container */
        char *source; /* absolute, on the host */
        bool readonly;
};

/* tmpfs "PATH" { size = 16M } */
struct tmpfs_config {
        char *path;    /* absolute, inside the container */
        uint64_t size; /* bytes; 0: the kernel's default (half of RAM) */
};

/* health { exec = {...} interval = 10s timeout = 2s retries = 3 start_period = 5s } */
struct health_config {
        char **exec;         /* NULL-terminated argv, run inside the container; at least one
                              * non-empty element, taken literally (no ${VAR}) like exec */
        usec_t interval;     /* default 10s, > 0 */
        usec_t timeout;      /* > 0, <= interval; default 2s (the interval when shorter) */
        unsigned retries;    /* consecutive failures before `unhealthy`: 1..100, default 3 */
        usec_t start_period; /* default 0: failures after the start within it do not count */
};

struct unit_config {
        char *name;
        char *file;   /* the unit file it came from */
        unsigned line; /* line of "container NAME {" */
        char *description;     /* never NULL ("" when unset) */
        char **exec;           /* NULL-terminated argv, at least one non-empty element */
        char *workdir;         /* NULL: "/" */
        char **env;            /* NULL-terminated "KEY=VALUE" entries, never NULL */
        char *user;            /* NULL: root. "uid[:gid]" or a user name */
        bool autostart;        /* default true */
        char **requires;       /* NULL-terminated unit names, never NULL */
        enum restart_mode restart; /* default on-failure */
        usec_t restart_delay;      /* default 100ms */
        usec_t restart_delay_max;  /* default 30s, >= restart_delay */
        usec_t restart_reset;      /* default 60s */
        unsigned start_limit;      /* default 0 = no limit, at most CONFIG_MAX_START_LIMIT */
        usec_t start_limit_interval; /* default 60s, > 0 when start_limit > 0 */
        int *success_exit_status;  /* default {0}; never empty, each 0..255 */
        size_t n_success_exit_status;
        int stop_signal;           /* default SIGTERM */
        usec_t stop_timeout;       /* default 10s, never 0 (systemd reads 0 as "no
                                    * timeout", docker as "kill now": we refuse both) */
        /* Step 2: the container. */
        char **layers;             /* lowerdirs, top first (`rootfs` = one layer, or `layers`);
                                    * empty (never NULL): the host's / is the lower layer */
        enum writable_mode writable; /* default tmpfs */
        struct volume_config *volumes;
        size_t n_volumes;
        struct tmpfs_config *tmpfs;
        size_t n_tmpfs;
        char *hostname;            /* default: the unit name */
        enum network_mode network; /* default none: own netns with lo up */
        bool userns;               /* default false */
        bool init;                 /* default false: a minimal reaper as PID 1 */
        uint64_t capabilities;     /* bit (1 << CAP_X) per `capabilities` entry, added */
        bool seccomp;              /* default true ("default"); false: "unconfined" */
        bool no_new_privileges;    /* default true */
        /* Step 4: resources (cgroup v2 names; v1 hosts get the equivalent). Each limit
         * defaults to CONFIG_LIMIT_UNSET (no limit), each weight to 0 (unset). */
        uint64_t memory_max;       /* bytes, > 0 */
        uint64_t memory_high;      /* bytes, > 0, <= memory_max when both are set */
        uint64_t memory_swap_max;  /* bytes; 0: no swap */
        uint64_t cpu_max_permille; /* thousandths of a CPU ("0.5" = 500), 1..1024000 */
        unsigned cpu_weight;       /* 1..CONFIG_MAX_WEIGHT; 0: unset (the kernel's 100) */
        uint64_t pids_max;         /* 1..CONFIG_MAX_PIDS */
        unsigned io_weight;        /* 1..CONFIG_MAX_WEIGHT; 0: unset (the kernel's 100) */
        /* Step 5: readiness, liveness, logs. */
        bool notify;               /* default false; true: `starting` until READY=1 */
        usec_t start_timeout;      /* default 30s, > 0: READY=1 within it, else `timeout` */
        usec_t watchdog;           /* default 0 = off; else WATCHDOG=1 within it */
        struct health_config *health; /* NULL: no health section */
        uint64_t log_buffer;       /* bytes of the `supctl logs` ring: default 64K,
                                    * CONFIG_LOG_BUFFER_MIN..CONFIG_LOG_BUFFER_MAX */
        unsigned log_rate;         /* lines per second before lines are dropped: default
                                    * 10000, 0 = unlimited, at most CONFIG_MAX_LOG_RATE */
};

/* One error found while loading. message is complete and ready to print:
 * "FILE:LINE: text" (or "FILE: text" when no line applies). */
struct config_error {
        char *file;
        unsigned line;  /* 0 when unknown */
        char *unit;     /* the unit it belongs to; for a file that failed as a whole
                         * (syntax error, unreadable, unknown top-level key): its
                         * basename without ".conf"; NULL for sup.conf errors and
                         * for an unreadable directory given to config_load_files() */
        char *message;
};

struct sup_config {
        char *units_dir;        /* default CONFIG_DIR/units; relative paths resolved against
                                 * CONFIG_DIR. NULL after config_load_files(). */
        char *state_dir;        /* default /var/lib/sup */
        usec_t shutdown_timeout; /* default 30s */
        char *control_group;    /* default "root" */
        enum log_target log_target; /* default LOG_TARGET_AUTO */
        /* PID 1 only (the appliance): */
        char *hostname;         /* NULL: leave the kernel's */
        char **modules;         /* kernel modules to load at boot; never NULL */
        bool emergency_shell;   /* a shell on the console when no unit can run */
        bool global_error;      /* sup.conf has errors: a syntax error means every key
                                 * has its default, a bad value means that key has */

        struct unit_config **units; /* the units that loaded, in file order then section order */
        size_t n_units;
        struct config_error *errors; /* every error; units they name are NOT in units[] */
        size_t n_errors;
};

/* Loads CONFIG_DIR/sup.conf (optional: a missing file means defaults) and every
 * "*.conf" in units_dir (sorted by strcmp(), dot files skipped). config_dir NULL means
 * CONFIG_DIR_DEFAULT. No ${VAR} is expanded anywhere: values are taken literally. Returns 0 with *ret set even when files have
 * errors (see (*ret)->errors): one bad file never hides the others. A unit whose
 * requires name a missing unit, or that is part of a dependency cycle, is an error
 * too. Returns -errno only for OOM or an unreadable units_dir (a missing one holds no
 * units). */
int config_load(const char *config_dir, struct sup_config **ret);

/* For "supctl check": loads exactly the given unit files (a directory means its
 * *.conf files) as if they were the whole units dir; no sup.conf. A path that cannot
 * be read is an entry in errors[], not a failure: returns -errno only for OOM. */
int config_load_files(char *const *paths, size_t n_paths, struct sup_config **ret);

/* NULL-safe; returns NULL. */
struct sup_config *config_free(struct sup_config *c);
/* Frees one unit's config (units are handed out of sup_config.units[], which may then
 * hold NULL entries: config_free skips them). NULL-safe, returns NULL. */
struct unit_config *unit_config_free(struct unit_config *c);

/* True when two units would run identically (file/line are ignored). */
bool unit_config_equal(const struct unit_config *a, const struct unit_config *b);

/* "no", "on-failure", "always"; NULL for an invalid value. */
const char *restart_mode_to_string(enum restart_mode m);
/* "auto", "journal", "console", "kmsg"; NULL for an invalid value. */
const char *log_target_to_string(enum log_target t);
