/* unitsm: a unit's state machine as plain code over plain data. Given an event, its
 * facts and the time, it moves to the next state and returns the actions the caller
 * must carry out. No I/O: the unit tests drive it without forking. */
#pragma once

#include <stdbool.h>
#include "config.h"
#include "restart.h"

enum unit_state {
        UNIT_INACTIVE, /* never started, or stopped while waiting */
        UNIT_STARTING, /* waiting for requires, or spawned and not yet exec'd */
        UNIT_RUNNING,
        UNIT_STOPPING, /* stop_signal sent, waiting for the exit */
        UNIT_EXITED,   /* ended and not restarted (policy, or a requested stop) */
        UNIT_BACKOFF,  /* waiting out the restart delay */
        UNIT_FAILED,   /* start limit hit; only a manual start/restart leaves it */
        _UNIT_STATE_MAX,
};

enum unit_result {
        RESULT_NONE, /* no run has ended yet */
        RESULT_SUCCESS,
        RESULT_EXIT_CODE,
        RESULT_SIGNAL,
        RESULT_OOM_KILL,
        RESULT_TIMEOUT,
        RESULT_WATCHDOG,
        RESULT_UNHEALTHY,
        RESULT_SPAWN_ERROR,
        _RESULT_MAX,
};

enum unit_event {
        EV_START,        /* start request (autostart, supctl start/restart) */
        EV_STOP,         /* stop request */
        EV_RESTART,      /* supctl restart: stop if needed, then start afresh */
        EV_DEPS_READY,   /* every required unit is running now */
        EV_EXEC_OK,      /* the spawned process reached exec */
        EV_EXITED,       /* the main process ended (facts in unit_event_data) */
        EV_STOP_TIMEOUT, /* stop_timeout passed in stopping */
        EV_TIMER,        /* the backoff delay passed */
        EV_READY,        /* READY=1 from a notify unit */
        EV_START_TIMEOUT, /* start_timeout passed without READY=1 */
        EV_WATCHDOG,     /* no WATCHDOG=1 within watchdog, or WATCHDOG=trigger */
        EV_UNHEALTHY,    /* the health check failed retries times in a row */
};

enum {
        ACT_SPAWN = 1 << 0,       /* start the process now */
        ACT_SEND_STOP = 1 << 1,   /* send stop_signal (+SIGCONT) */
        ACT_KILL = 1 << 2,        /* SIGKILL everything of the unit */
        ACT_ARM_TIMER = 1 << 3,   /* (re)arm the unit's one timer to now + step.timer */
        ACT_DISARM_TIMER = 1 << 4,
        ACT_STATE_CHANGED = 1 << 5, /* log it, wake dependents, reconsider shutdown */
};

struct unit_event_data {
        bool deps_ready;   /* EV_START, EV_RESTART, EV_TIMER: may it spawn now? */
        int code;       /* EV_EXITED: CLD_EXITED, CLD_KILLED, CLD_DUMPED */
        int status;     /* EV_EXITED: exit code or signal number */
        bool spawn_failed; /* EV_EXITED: the child reported a setup failure */
        bool oom_killed;   /* EV_EXITED: the OOM killer killed in the unit's cgroup this run */
};

struct unit_sm {
        enum unit_state state;
        enum unit_result result;  /* of the last run that ended */
        int exit_status;          /* last exit code, or 128+signal; -1 if none */
        bool stop_requested;      /* the current run is being stopped on request */
        bool killed;              /* ... and needed SIGKILL */
        bool start_pending;       /* start again once the current run has ended */
        bool spawned;             /* a process exists for the current run */
        bool notify;              /* running only after READY=1 */
        bool ready;               /* READY=1 came for the current run */
        enum unit_result forced;  /* the run is being ended for this (timeout, watchdog...) */
        usec_t start_timeout;
        unsigned restarts;        /* automatic restarts since load */
        usec_t started_at;        /* monotonic time of the last spawn */
        usec_t stop_timeout;
        const int *success_status;
        size_t n_success_status;
        struct restart_policy policy;
        struct restart_history history;
};

struct unit_step {
        unsigned actions;
        usec_t timer; /* with ACT_ARM_TIMER: delay from now */
};

int unit_sm_init(struct unit_sm *sm, const struct unit_config *c);
void unit_sm_done(struct unit_sm *sm);
struct unit_step unit_sm_event(struct unit_sm *sm, enum unit_event ev, const struct unit_event_data *d,
                               usec_t now);
/* True while the unit has, or is about to have, a process. */
bool unit_sm_is_active(const struct unit_sm *sm);

const char *unit_state_to_string(enum unit_state s);
const char *unit_result_to_string(enum unit_result r);
