/* health: a unit's health check, run in supd's own event loop (podman's timer units
 * get stuck or leak): every interval the check command runs inside the container the
 * way `supctl exec` does; retries failures (or timeouts) in a row make the unit
 * unhealthy, and the restart policy decides. Failures within start_period after a
 * start do not count. Health goes back to `starting` on every start. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

struct unit;

enum health_state { HEALTH_NONE, HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY };

struct health {
        enum health_state state;
        unsigned failures;      /* in a row */
        char *output;           /* the last line the check printed */
        sd_event_source *timer; /* the next check, or the running check's timeout */
        pid_t pid;
        int pidfd, status_fd, out_fd;
        bool timed_out;
        uint64_t started_at;    /* CLOCK_MONOTONIC of the run's start */
};

void health_init(struct health *h);
/* The unit is running: checks begin (no-op without a health section). */
void health_start(struct unit *u);
/* The run ended or is ending: no more checks; a running one is killed. */
void health_stop(struct unit *u);
void health_done(struct health *h);
/* Routes a reaped pid; false if it was not this unit's check. */
bool health_child_exited(struct unit *u, const siginfo_t *si);
const char *health_state_to_string(enum health_state s);
