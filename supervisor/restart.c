/* restart: the restart policy as a pure function. See restart.h. */
#include <errno.h>
#include <stdlib.h>

#include "restart.h"

/* 2^63 already saturates any usec_t delay; counting further only risks wrap-around of
 * the counter itself after billions of failures. */
#define RESTART_ATTEMPT_MAX 63U

void restart_policy_from_config(struct restart_policy *p, const struct unit_config *c) {
        *p = (struct restart_policy){
                .mode = c->restart,
                .delay = c->restart_delay,
                .delay_max = c->restart_delay_max,
                .reset = c->restart_reset,
                .start_limit = c->start_limit,
                .start_limit_interval = c->start_limit_interval,
        };
}

int restart_history_reset(struct restart_history *h, const struct restart_policy *p) {
        usec_t *starts = NULL;

        if (p->start_limit > 0) {
                starts = calloc(p->start_limit, sizeof(*starts));
                if (!starts)
                        return -ENOMEM; /* h is left as it was */
        }
        free(h->starts);
        *h = (struct restart_history){ .starts = starts, .cap = p->start_limit };
        return 0;
}

void restart_history_done(struct restart_history *h) {
        if (!h)
                return;
        free(h->starts);
        *h = (struct restart_history){};
}

void restart_note_start(struct restart_history *h, usec_t now) {
        if (h->cap == 0)
                return;
        h->starts[h->next] = now;
        h->next = (h->next + 1) % h->cap;
        if (h->n_starts < h->cap)
                h->n_starts++;
}

static usec_t sat_add(usec_t a, usec_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* delay * 2^attempt, capped at delay_max, without overflowing. */
static usec_t backoff_delay(const struct restart_policy *p, unsigned attempt) {
        /* config guarantees delay_max >= delay; if not, the floor wins over the ceiling */
        usec_t ceiling = p->delay_max < p->delay ? p->delay : p->delay_max;

        if (p->delay == 0)
                return 0;
        if (attempt >= 64 || p->delay > (ceiling >> attempt))
                return ceiling;
        return p->delay << attempt; /* <= ceiling, so no overflow */
}

/* Starts in the ring that lie within the interval ending at t: (t - interval, t].
 * (A start after t cannot happen with a monotonic clock; counting it errs safe.) */
static unsigned starts_within(const struct restart_history *h, usec_t interval, usec_t t) {
        unsigned n = 0;

        for (unsigned i = 0; i < h->n_starts; i++) {
                if (sat_add(h->starts[i], interval) > t)
                        n++;
        }
        return n;
}

struct restart_decision restart_decide(const struct restart_policy *p, struct restart_history *h,
                                       bool failed, usec_t uptime, usec_t now) {
        bool restart = false;

        switch (p->mode) {
        case RESTART_NO:
                restart = false;
                break;
        case RESTART_ON_FAILURE:
                restart = failed;
                break;
        case RESTART_ALWAYS:
                restart = true;
                break;
        }

        /* A run that stayed up long enough was a success as far as backoff goes. */
        if (uptime >= p->reset)
                h->attempt = 0;

        if (!restart)
                return (struct restart_decision){ .verdict = RESTART_VERDICT_STAY };

        usec_t delay = backoff_delay(p, h->attempt);

        /* Would the next start be one too many within the interval ending when it
         * happens? The ring holds the last start_limit starts, which is all we need:
         * if all of them are within the interval, the next one exceeds the limit. A
         * history initialised for a smaller (or no) limit can only under-count. */
        if (p->start_limit > 0 &&
            starts_within(h, p->start_limit_interval, sat_add(now, delay)) >= p->start_limit)
                return (struct restart_decision){ .verdict = RESTART_VERDICT_FAIL };

        if (h->attempt < RESTART_ATTEMPT_MAX)
                h->attempt++;
        return (struct restart_decision){ .verdict = RESTART_VERDICT_RESTART, .delay = delay };
}
