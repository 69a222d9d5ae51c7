/* resource-keys: parsers of the step-4 keys (the unit's cgroup limits). */
#include "resource-keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "values.h"

static bool is_no_limit(const char *s) {
        return strcmp(s, "max") == 0 || strcmp(s, "infinity") == 0;
}

/* "64M" for 64 MiB: the largest suffix that divides it exactly. */
static char *format_size(char *buf, size_t len, uint64_t v) {
        static const char suffixes[] = "TGMK";
        unsigned shift = 40;

        for (const char *c = suffixes; *c; c++, shift -= 10)
                if (v > 0 && v % (UINT64_C(1) << shift) == 0) {
                        snprintf(buf, len, "%" PRIu64 "%c", v >> shift, *c);
                        return buf;
                }
        snprintf(buf, len, "%" PRIu64, v);
        return buf;
}

/* A size in bytes, or max. Unset leaves *ret alone. */
static int get_limit_size(struct unit_ctx *u, const char *key, bool allow_zero, uint64_t *ret) {
        const char *s = cfg_getstr(u->sec, key);
        uint64_t v;
        int r;

        if (!s)
                return 0;
        if (is_no_limit(s)) {
                *ret = CONFIG_LIMIT_UNSET;
                return 0;
        }
        r = parse_size(s, &v);
        if (r == -ERANGE || (r >= 0 && v == CONFIG_LIMIT_UNSET))
                return unit_ctx_error(u, key, 0, 1, "size '%s' out of range", s);
        if (r < 0)
                return unit_ctx_error(u, key, 0, 1, "invalid size '%s' (want bytes with K, M, G or T, or max)",
                                      s);
        if (v == 0 && !allow_zero)
                return unit_ctx_error(u, key, 0, 1, "must be more than 0");
        *ret = v;
        return 0;
}

int unit_parse_memory_max(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        (void)offset;
        return get_limit_size(u, key, false, &uc->memory_max);
}

int unit_parse_memory_high(struct unit_ctx *u, struct unit_config *uc, const char *key,
                           size_t offset) {
        char a[32], b[32];
        int r;

        (void)offset;
        r = get_limit_size(u, key, false, &uc->memory_high);
        if (r < 0)
                return r;
        /* an unset (or invalid) memory_max is CONFIG_LIMIT_UNSET: no error here */
        if (uc->memory_high != CONFIG_LIMIT_UNSET && uc->memory_high > uc->memory_max)
                return unit_ctx_error(u, key, 0, 1, "%s is more than memory_max %s",
                                      format_size(a, sizeof(a), uc->memory_high),
                                      format_size(b, sizeof(b), uc->memory_max));
        return 0;
}

int unit_parse_memory_swap_max(struct unit_ctx *u, struct unit_config *uc, const char *key,
                               size_t offset) {
        (void)offset;
        return get_limit_size(u, key, true, &uc->memory_swap_max); /* 0: no swap */
}

/* "2", "0.5", "1.25": [0-9]+(.[0-9]{1,3})? in thousandths. -EINVAL for another form,
 * -EDOM for more than 3 decimals, -ERANGE for more than CONFIG_MAX_CPUS. */
static int parse_permille(const char *s, uint64_t *ret) {
        const char *p = s;
        uint64_t whole = 0, frac = 0;
        unsigned n_frac = 0;
        bool big = false;

        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                whole = whole * 10 + (uint64_t)(*p - '0');
                if (whole > CONFIG_MAX_CPUS) {
                        big = true;
                        whole = CONFIG_MAX_CPUS + 1; /* no overflow however long */
                }
        }
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++, n_frac++)
                        if (n_frac < 3)
                                frac = frac * 10 + (uint64_t)(*p - '0');
        }
        if (*p)
                return -EINVAL;
        if (n_frac > 3)
                return -EDOM;
        if (big)
                return -ERANGE;
        for (; n_frac < 3; n_frac++)
                frac *= 10;
        *ret = whole * 1000 + frac;
        return 0;
}

int unit_parse_cpu_max(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        uint64_t v = 0;
        int r;

        (void)offset;
        if (!s)
                return 0;
        if (is_no_limit(s)) {
                uc->cpu_max_permille = CONFIG_LIMIT_UNSET;
                return 0;
        }
        r = parse_permille(s, &v);
        if (r == -EDOM)
                return unit_ctx_error(u, key, 0, 1, "'%s' has more than 3 decimals", s);
        if (r == -EINVAL)
                return unit_ctx_error(u, key, 0, 1, "invalid CPU count '%s' (want e.g. 0.5 or 2, or max)", s);
        if (r == -ERANGE || v == 0 || v > CONFIG_MAX_CPUS * 1000)
                return unit_ctx_error(u, key, 0, 1, "%s out of range (0.001..%d)", s, CONFIG_MAX_CPUS);
        uc->cpu_max_permille = v;
        return 0;
}

int unit_parse_pids_max(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        long v;
        int r;

        (void)offset;
        if (!s)
                return 0;
        if (is_no_limit(s)) {
                uc->pids_max = CONFIG_LIMIT_UNSET;
                return 0;
        }
        r = unit_ctx_get_number(u, key, s, 0, 1, 1, CONFIG_MAX_PIDS, &v);
        if (r < 0)
                return r;
        uc->pids_max = (uint64_t)v;
        return 0;
}

int unit_parse_weight(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        return unit_ctx_get_unsigned(u, key, 1, CONFIG_MAX_WEIGHT, (unsigned *)((char *)uc + offset));
}
