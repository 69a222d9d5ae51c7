/* restart: the restart policy as a pure function of (exit result, history, now).
 * No I/O, no clocks: callers pass the time in. */
#pragma once

#include <stdbool.h>
#include "config.h"

struct restart_policy {
        enum restart_mode mode;
        usec_t delay, delay_max, reset;
        unsigned start_limit; /* 0: no limit */
        usec_t start_limit_interval;
};

struct restart_history {
        usec_t *starts;   /* ring of the last start_limit start times */
        unsigned n_starts, next, cap;
        unsigned attempt; /* consecutive quick failures: the backoff exponent */
};

enum restart_verdict {
        RESTART_VERDICT_STAY,    /* do not restart: the unit stays exited */
        RESTART_VERDICT_RESTART, /* restart after .delay */
        RESTART_VERDICT_FAIL,    /* the start limit is hit: state failed */
};

struct restart_decision {
        enum restart_verdict verdict;
        usec_t delay;
};

void restart_policy_from_config(struct restart_policy *p, const struct unit_config *c);
/* (Re)initialises the history for a policy: forgets starts and backoff, and sizes the
 * ring for p->start_limit (no ring for 0). h must be zeroed ({}) or a history from an
 * earlier call. Returns 0 or -ENOMEM (h unchanged). */
int restart_history_reset(struct restart_history *h, const struct restart_policy *p);
/* Frees the ring and zeroes h; NULL-safe. */
void restart_history_done(struct restart_history *h);
/* Records that the unit was started at now. */
void restart_note_start(struct restart_history *h, usec_t now);
/* After a run that lasted uptime ended at now (failed: the result was not success),
 * decides what happens next. Updates the backoff state in h: an uptime >= p->reset
 * forgets earlier failures; a RESTART raises the exponent. The delay is
 * p->delay * 2^attempt capped at p->delay_max. FAIL: restarting would make more than
 * start_limit starts within start_limit_interval ending at now + delay; a run that
 * would not be restarted anyway is STAY, never FAIL. The caller records the actual
 * start with restart_note_start(). */
struct restart_decision restart_decide(const struct restart_policy *p, struct restart_history *h,
                                       bool failed, usec_t uptime, usec_t now);
