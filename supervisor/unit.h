/* unit: one container unit at run time: its config, its state machine, its process,
 * its output and its one timer. Carries out what the state machine asks for. */
#pragma once

#include <stdbool.h>
#include <signal.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "cgroup.h"
#include "config.h"
#include "health.h"
#include "logring.h"
#include "output.h"
#include "unitsm.h"

struct manager;
struct container_plan;

struct unit {
        struct manager *manager;
        char *name;
        struct unit_config *config; /* NULL when the unit failed to load */
        char *load_error;           /* why it failed to load */

        struct unit_sm sm;
        pid_t pid;     /* 0 when no process */
        int pidfd;
        int status_fd; /* child's (step, errno) report; EOF = exec done */
        sd_event_source *status_source;
        struct container_plan *plan; /* kept until exec, to name a failing mount */
        bool spawn_failed;
        char *message; /* the last error worth showing, e.g. a spawn failure */

        sd_event_source *timer;
        struct output output;
        struct logring ring;       /* the last log_buffer bytes, for supctl logs */
        pid_t last_pid;            /* OBJECT_PID of lines that come after the exit */
        int last_code;             /* si_code of the last exit: CLD_EXITED, _KILLED, _DUMPED */
        double log_tokens;         /* log_rate token bucket */
        usec_t log_refill;         /* ... last refilled (CLOCK_MONOTONIC) */
        uint64_t log_dropped;      /* lines dropped over log_rate, in total */
        uint64_t log_dropped_unreported;
        usec_t log_reported;
        sd_event_source *log_report_timer; /* says how many were dropped, a second later */
        struct unit_cgroup cg;     /* the current run's group(s) */
        bool cg_pending;           /* cg still to be removed once its last process is gone */
        sd_event_source *oom_source;
        int notify_fd;             /* the container's notify socket (this run) */
        sd_event_source *notify_source;
        char *status_text;         /* the last STATUS= */
        sd_event_source *watchdog_timer;
        struct health health;
        uint64_t oom_seen;         /* OOM kills already logged */
        usec_t since; /* CLOCK_REALTIME of the last state change */

        struct unit_config *next_config; /* reload: applied once the unit has stopped */
        bool removed;                    /* reload: freed once the unit has stopped */
};

/* Takes ownership of c. */
int unit_new(struct manager *m, struct unit_config *c, struct unit **ret);
int unit_new_load_error(struct manager *m, const char *name, const char *message, struct unit **ret);
struct unit *unit_free(struct unit *u);

/* Requests from the operator or the manager. */
int unit_start(struct unit *u);
int unit_stop(struct unit *u);
int unit_restart(struct unit *u);
/* A required unit changed state: start if waiting and now ready. */
void unit_deps_changed(struct unit *u);
bool unit_deps_ready(const struct unit *u);
bool unit_requires(const struct unit *u, const char *name);

/* The main process ended (from the manager's reaping loop). */
void unit_on_exit(struct unit *u, const siginfo_t *si);
/* supctl exec: runs argv inside the running container with the unit's user, env,
 * workdir, capabilities and seccomp, stdio on fds. The process is supd's child; its
 * (step, errno) report comes on ret->status_fd as for a unit. */
struct spawn_result;
int unit_exec(struct unit *u, char **argv, const int fds[3], struct spawn_result *ret, char **ret_error);

/* The health check says the unit is unhealthy: end the run, the policy decides. */
void unit_health_failed(struct unit *u);

/* Removes the unit's cgroup once its processes are gone (called after reaping). */
void unit_cgroup_gc(struct unit *u);

/* Swaps in a new config; the unit must not be active. Takes ownership of c. */
int unit_replace_config(struct unit *u, struct unit_config *c);

static inline bool unit_is_active(const struct unit *u) {
        return u->config && unit_sm_is_active(&u->sm);
}
