/* health-keys: the health section of a unit; see health-keys.h. */
#include "health-keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config-util.h"
#include "values.h"

const char *const unit_health_keys[] = { "exec", "interval", "timeout", "retries", "start_period", NULL };
const char *const unit_health_lists[] = { "exec", NULL };

#define HEALTH_INTERVAL_DEFAULT (10 * USEC_PER_SEC)
#define HEALTH_TIMEOUT_DEFAULT (2 * USEC_PER_SEC)
#define HEALTH_RETRIES_DEFAULT 3

static struct health_config *health_config_free(struct health_config *h) {
        if (h) {
                strv_free(h->exec);
                free(h);
        }
        return NULL;
}

static void health_config_freep(struct health_config **h) {
        *h = health_config_free(*h);
}

/* A duration that must be more than 0. Returns 0 (also when unset), -EINVAL or -ENOMEM. */
static int get_positive_duration(struct unit_ctx *u, const char *key, usec_t *ret) {
        int r = unit_ctx_get_duration(u, key, ret);

        if (r < 0)
                return r;
        if (*ret == 0)
                return unit_ctx_error(u, key, 0, 1, "must be more than 0");
        return 0;
}

/* The keys of the section in u (one whose keys are checked already) into h. */
static int parse_health_keys(struct unit_ctx *u, struct health_config *h) {
        char a[DURATION_STR_MAX], b[DURATION_STR_MAX];
        int ri, rt, r;

        r = unit_ctx_get_argv(u, "exec", &h->exec);
        if (r == -ENOMEM)
                return r;
        ri = get_positive_duration(u, "interval", &h->interval);
        if (ri == -ENOMEM)
                return ri;
        rt = get_positive_duration(u, "timeout", &h->timeout);
        if (rt == -ENOMEM)
                return rt;
        if (ri == 0 && rt == 0 && h->timeout > h->interval) {
                if (!cfg_getstr(u->sec, "timeout"))
                        h->timeout = h->interval; /* the default never exceeds the interval */
                else if (unit_ctx_error(u, "timeout", 0, 1, "%s is more than interval %s",
                                        format_duration(a, sizeof(a), h->timeout),
                                        format_duration(b, sizeof(b), h->interval)) == -ENOMEM)
                        return -ENOMEM;
        }
        if (unit_ctx_get_unsigned(u, "retries", 1, CONFIG_MAX_HEALTH_RETRIES, &h->retries) == -ENOMEM)
                return -ENOMEM;
        if (unit_ctx_get_duration(u, "start_period", &h->start_period) == -ENOMEM)
                return -ENOMEM;
        return u->failed ? -EINVAL : 0;
}

int unit_parse_health(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        _cleanup_(health_config_freep) struct health_config *h = NULL;
        const struct secrec *rec = NULL;
        bool dup = false;
        int r;

        (void)offset;
        /* libconfuse hands out an empty section when there is none and merges a second
         * one into the first: the keymap says how many there are and where. */
        for (size_t i = 0; u->rec && i < u->rec->n_subs; i++) {
                const struct secrec *s = &u->rec->subs[i];

                if (strcmp(s->name, key) != 0)
                        continue;
                if (!rec) {
                        rec = s;
                        continue;
                }
                dup = true;
                r = unit_ctx_error_at(u, s->line, "%s: duplicate section, first defined at line %u", key,
                                      rec->line);
                if (r == -ENOMEM)
                        return r;
        }
        if (dup)
                return -EINVAL; /* the merged values would be reported at the wrong lines */
        if (!rec)
                return 0;

        struct unit_ctx sub = {
                .c = u->c,
                .file = u->file,
                .name = u->name,
                .what = key,
                .line = rec->line,
                .rec = rec,
                .sec = cfg_getsec(u->sec, key),
        };
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->interval = HEALTH_INTERVAL_DEFAULT;
        h->timeout = HEALTH_TIMEOUT_DEFAULT;
        h->retries = HEALTH_RETRIES_DEFAULT;
        h->start_period = 0;
        if (!sub.sec) /* libconfuse always has one */
                return unit_ctx_error(u, key, 0, 0, "section not parsed");
        r = unit_ctx_check_keys(&sub, unit_health_keys);
        if (r != -ENOMEM)
                r = parse_health_keys(&sub, h);
        u->failed = u->failed || sub.failed;
        if (r < 0)
                return r;
        health_config_free(uc->health);
        uc->health = TAKE_PTR(h);
        return 0;
}
