#include "unitsm.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static const char *const state_names[_UNIT_STATE_MAX] = {
        [UNIT_INACTIVE] = "inactive", [UNIT_STARTING] = "starting", [UNIT_RUNNING] = "running",
        [UNIT_STOPPING] = "stopping", [UNIT_EXITED] = "exited",     [UNIT_BACKOFF] = "backoff",
        [UNIT_FAILED] = "failed",
};

static const char *const result_names[_RESULT_MAX] = {
        [RESULT_NONE] = "none",         [RESULT_SUCCESS] = "success",   [RESULT_EXIT_CODE] = "exit-code",
        [RESULT_SIGNAL] = "signal",     [RESULT_OOM_KILL] = "oom-kill", [RESULT_TIMEOUT] = "timeout",
        [RESULT_WATCHDOG] = "watchdog", [RESULT_UNHEALTHY] = "unhealthy", [RESULT_SPAWN_ERROR] = "spawn-error",
};

const char *unit_state_to_string(enum unit_state s) {
        return s < _UNIT_STATE_MAX ? state_names[s] : "invalid";
}

const char *unit_result_to_string(enum unit_result r) {
        return r < _RESULT_MAX ? result_names[r] : "invalid";
}

int unit_sm_init(struct unit_sm *sm, const struct unit_config *c) {
        *sm = (struct unit_sm){
                .state = UNIT_INACTIVE,
                .result = RESULT_NONE,
                .exit_status = -1,
                .stop_timeout = c->stop_timeout,
                .notify = c->notify,
                .start_timeout = c->start_timeout,
                .success_status = c->success_exit_status,
                .n_success_status = c->n_success_exit_status,
        };
        restart_policy_from_config(&sm->policy, c);
        return restart_history_reset(&sm->history, &sm->policy);
}

void unit_sm_done(struct unit_sm *sm) {
        restart_history_done(&sm->history);
}

bool unit_sm_is_active(const struct unit_sm *sm) {
        return sm->spawned || sm->state == UNIT_STARTING || sm->state == UNIT_BACKOFF;
}

static struct unit_step set_state(struct unit_sm *sm, enum unit_state s, unsigned actions) {
        if (sm->state != s)
                actions |= ACT_STATE_CHANGED;
        sm->state = s;
        return (struct unit_step){ .actions = actions };
}

/* Spawn now if the requires allow it; otherwise wait in starting. */
static struct unit_step begin_start(struct unit_sm *sm, bool deps_ready, usec_t now, unsigned actions) {
        if (!deps_ready)
                return set_state(sm, UNIT_STARTING, actions);
        sm->spawned = true;
        sm->stop_requested = sm->killed = sm->ready = false;
        sm->forced = RESULT_NONE;
        sm->started_at = now;
        restart_note_start(&sm->history, now);
        return set_state(sm, UNIT_STARTING, actions | ACT_SPAWN);
}

static bool status_is_success(const struct unit_sm *sm, int status) {
        for (size_t i = 0; i < sm->n_success_status; i++)
                if (sm->success_status[i] == status)
                        return true;
        return false;
}

static enum unit_result exit_result(struct unit_sm *sm, const struct unit_event_data *d) {
        if (d->code == CLD_EXITED)
                sm->exit_status = d->status;
        else
                sm->exit_status = 128 + d->status;

        if (d->spawn_failed)
                return RESULT_SPAWN_ERROR;
        if (sm->forced != RESULT_NONE)
                return sm->forced; /* ended by us for a start timeout, watchdog, health */
        if (sm->stop_requested)
                /* A stop we asked for is a success unless it had to be forced. */
                return sm->killed ? RESULT_TIMEOUT : RESULT_SUCCESS;
        /* An OOM kill is a failure even when the app exits 0 after losing a child to it
         * (systemd's on-abort misses it). */
        if (d->oom_killed)
                return RESULT_OOM_KILL;
        if (d->code == CLD_EXITED)
                return status_is_success(sm, d->status) ? RESULT_SUCCESS : RESULT_EXIT_CODE;
        return RESULT_SIGNAL;
}

static struct unit_step on_exited(struct unit_sm *sm, const struct unit_event_data *d, usec_t now) {
        bool requested = sm->stop_requested;
        sm->result = exit_result(sm, d);
        sm->spawned = false;
        sm->stop_requested = sm->killed = sm->ready = false;
        sm->forced = RESULT_NONE;

        if (sm->start_pending) {
                sm->start_pending = false;
                /* A manual (re)start begins a fresh history, like systemctl reset-failed. */
                (void)restart_history_reset(&sm->history, &sm->policy);
                return begin_start(sm, d->deps_ready, now, ACT_DISARM_TIMER);
        }
        if (requested)
                return set_state(sm, UNIT_EXITED, ACT_DISARM_TIMER);

        usec_t uptime = now > sm->started_at ? now - sm->started_at : 0;
        struct restart_decision dec =
                restart_decide(&sm->policy, &sm->history, sm->result != RESULT_SUCCESS, uptime, now);
        switch (dec.verdict) {
        case RESTART_VERDICT_RESTART: {
                sm->restarts++; /* counted when decided, so status shows it during the backoff */
                struct unit_step st = set_state(sm, UNIT_BACKOFF, ACT_ARM_TIMER);
                st.timer = dec.delay;
                return st;
        }
        case RESTART_VERDICT_FAIL:
                return set_state(sm, UNIT_FAILED, ACT_DISARM_TIMER);
        case RESTART_VERDICT_STAY:
                break;
        }
        return set_state(sm, UNIT_EXITED, ACT_DISARM_TIMER);
}

static struct unit_step request_stop(struct unit_sm *sm) {
        if (sm->spawned) {
                if (sm->state == UNIT_STOPPING)
                        return (struct unit_step){ 0 };
                sm->stop_requested = true;
                struct unit_step st = set_state(sm, UNIT_STOPPING, ACT_SEND_STOP | ACT_ARM_TIMER);
                st.timer = sm->stop_timeout;
                return st;
        }
        /* Nothing runs: waiting for requires or in backoff. */
        if (sm->state == UNIT_STARTING || sm->state == UNIT_BACKOFF)
                return set_state(sm, sm->result == RESULT_NONE ? UNIT_INACTIVE : UNIT_EXITED,
                                 ACT_DISARM_TIMER);
        return (struct unit_step){ 0 };
}

/* Ends a run that is not doing its job: stop_signal, then SIGKILL after stop_timeout;
 * unlike a requested stop the restart policy then applies, with this result. */
static struct unit_step force_end(struct unit_sm *sm, enum unit_result why) {
        if (!sm->spawned || sm->state == UNIT_STOPPING)
                return (struct unit_step){ 0 };
        sm->forced = why;
        struct unit_step st = set_state(sm, UNIT_STOPPING, ACT_SEND_STOP | ACT_ARM_TIMER);
        st.timer = sm->stop_timeout;
        return st;
}

struct unit_step unit_sm_event(struct unit_sm *sm, enum unit_event ev, const struct unit_event_data *d,
                               usec_t now) {
        static const struct unit_event_data none = { 0 };
        if (!d)
                d = &none;

        switch (ev) {
        case EV_START:
                sm->start_pending = false;
                if (sm->spawned) {
                        /* Starting a unit that is being stopped: start it again afterwards. */
                        if (sm->state == UNIT_STOPPING)
                                sm->start_pending = true;
                        return (struct unit_step){ 0 };
                }
                if (sm->state == UNIT_STARTING)
                        return (struct unit_step){ 0 };
                if (sm->state != UNIT_BACKOFF)
                        (void)restart_history_reset(&sm->history, &sm->policy);
                return begin_start(sm, d->deps_ready, now, ACT_DISARM_TIMER);

        case EV_RESTART:
                if (sm->spawned) {
                        struct unit_step st = request_stop(sm);
                        sm->start_pending = true;
                        return st;
                }
                (void)restart_history_reset(&sm->history, &sm->policy);
                return begin_start(sm, d->deps_ready, now, ACT_DISARM_TIMER);

        case EV_STOP:
                sm->start_pending = false;
                return request_stop(sm);

        case EV_DEPS_READY:
                if (sm->state != UNIT_STARTING || sm->spawned)
                        return (struct unit_step){ 0 };
                return begin_start(sm, true, now, 0);

        case EV_EXEC_OK:
                if (sm->state != UNIT_STARTING || !sm->spawned)
                        return (struct unit_step){ 0 };
                if (sm->notify && !sm->ready) {
                        /* Starting until READY=1, for start_timeout at most. */
                        struct unit_step st = { .actions = ACT_ARM_TIMER, .timer = sm->start_timeout };
                        return st;
                }
                return set_state(sm, UNIT_RUNNING, 0);

        case EV_READY:
                if (!sm->spawned || sm->ready)
                        return (struct unit_step){ 0 };
                sm->ready = true;
                if (sm->state != UNIT_STARTING)
                        return (struct unit_step){ 0 };
                return set_state(sm, UNIT_RUNNING, ACT_DISARM_TIMER);

        case EV_START_TIMEOUT:
                if (sm->state != UNIT_STARTING || !sm->spawned)
                        return (struct unit_step){ 0 };
                return force_end(sm, RESULT_TIMEOUT);

        case EV_WATCHDOG:
                return force_end(sm, RESULT_WATCHDOG);

        case EV_UNHEALTHY:
                return force_end(sm, RESULT_UNHEALTHY);

        case EV_EXITED:
                if (!sm->spawned)
                        return (struct unit_step){ 0 };
                return on_exited(sm, d, now);

        case EV_STOP_TIMEOUT:
                if (sm->state != UNIT_STOPPING || sm->killed)
                        return (struct unit_step){ 0 };
                sm->killed = true;
                return (struct unit_step){ .actions = ACT_KILL };

        case EV_TIMER:
                if (sm->state != UNIT_BACKOFF)
                        return (struct unit_step){ 0 };
                return begin_start(sm, d->deps_ready, now, 0);
        }
        return (struct unit_step){ 0 };
}
