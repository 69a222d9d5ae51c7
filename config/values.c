/* values: sizes, durations and signal names as written in unit files, and checks of the
 * names they hold. Pure functions: no allocation, no I/O. */
#include "values.h"
#include "cleanup.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_space(const char *p) {
        while (is_space(*p))
                p++;
        return p;
}

/* Reads the decimal digits at *p into *ret. -EINVAL when there are none, -ERANGE when
 * they do not fit. No sign is accepted (strtoull would take "-1"). */
static int parse_digits(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                unsigned d = (unsigned)(*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *p = s;
        *ret = v;
        return 0;
}

static int mul_add(uint64_t *acc, uint64_t v, uint64_t factor) {
        if (factor != 0 && v > UINT64_MAX / factor)
                return -ERANGE;
        if (*acc > UINT64_MAX - v * factor)
                return -ERANGE;
        *acc += v * factor;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                uint64_t factor;
        } table[] = {
                { 'K', UINT64_C(1) << 10 },
                { 'M', UINT64_C(1) << 20 },
                { 'G', UINT64_C(1) << 30 },
                { 'T', UINT64_C(1) << 40 },
        };
        uint64_t v, factor = 1, total = 0;
        const char *p;
        int r;

        if (!s || !ret)
                return -EINVAL;
        p = skip_space(s);
        r = parse_digits(&p, &v);
        if (r < 0)
                return r;
        p = skip_space(p);
        if (*p) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(table); i++)
                        if (*p == table[i].suffix)
                                break;
                if (i == ELEMENTSOF(table))
                        return -EINVAL;
                factor = table[i].factor;
                p = skip_space(p + 1);
                if (*p)
                        return -EINVAL;
        }
        r = mul_add(&total, v, factor);
        if (r < 0)
                return r;
        *ret = total;
        return 0;
}

int parse_duration(const char *s, usec_t *ret) {
        /* Longest suffixes first: "ms" and "min" before "m" and "s". */
        static const struct {
                const char *suffix;
                usec_t factor;
        } table[] = {
                { "min", 60 * USEC_PER_SEC },
                { "ms", USEC_PER_MSEC },
                { "h", 3600 * USEC_PER_SEC },
                { "m", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },
        };
        usec_t total = 0;
        const char *p;
        bool first = true;
        int r;

        if (!s || !ret)
                return -EINVAL;
        p = skip_space(s);
        if (!*p)
                return -EINVAL;

        while (*p) {
                uint64_t v;
                size_t i, n = 0;

                r = parse_digits(&p, &v);
                if (r < 0)
                        return r;
                p = skip_space(p);
                if (!*p) {
                        /* A bare number means seconds, but only on its own: "1min 30"
                         * is more likely a typo than 90 seconds. */
                        if (!first)
                                return -EINVAL;
                        r = mul_add(&total, v, USEC_PER_SEC);
                        if (r < 0)
                                return r;
                        break;
                }
                for (i = 0; i < ELEMENTSOF(table); i++) {
                        n = strlen(table[i].suffix);
                        if (strncmp(p, table[i].suffix, n) == 0 &&
                            !(p[n] >= 'a' && p[n] <= 'z'))
                                break;
                }
                if (i == ELEMENTSOF(table))
                        return -EINVAL;
                r = mul_add(&total, v, table[i].factor);
                if (r < 0)
                        return r;
                p = skip_space(p + n);
                first = false;
        }
        *ret = total;
        return 0;
}

/* Names sigabbrev_np() does not give, accepted on input only. */
static const struct {
        const char *name;
        int sig;
} signal_aliases[] = {
        { "IO", SIGIO },
        { "IOT", SIGABRT },
        { "CLD", SIGCHLD },
};

/* signal_to_string() must return static strings, and SIGRTMIN is only known at run
 * time; Linux has at most 33 real-time signals (32..64). */
static const char *const rtmin_names[] = {
        "RTMIN",    "RTMIN+1",  "RTMIN+2",  "RTMIN+3",  "RTMIN+4",  "RTMIN+5",  "RTMIN+6",
        "RTMIN+7",  "RTMIN+8",  "RTMIN+9",  "RTMIN+10", "RTMIN+11", "RTMIN+12", "RTMIN+13",
        "RTMIN+14", "RTMIN+15", "RTMIN+16", "RTMIN+17", "RTMIN+18", "RTMIN+19", "RTMIN+20",
        "RTMIN+21", "RTMIN+22", "RTMIN+23", "RTMIN+24", "RTMIN+25", "RTMIN+26", "RTMIN+27",
        "RTMIN+28", "RTMIN+29", "RTMIN+30", "RTMIN+31", "RTMIN+32",
};

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N". */
static int parse_rt_signal(const char *s, int *ret) {
        int base, dir, sig;
        uint64_t n = 0;
        const char *p;

        if (strncmp(s, "RTMIN", 5) == 0) {
                base = SIGRTMIN;
                dir = +1;
        } else if (strncmp(s, "RTMAX", 5) == 0) {
                base = SIGRTMAX;
                dir = -1;
        } else
                return -EINVAL;
        p = s + 5;
        if (*p) {
                if (*p != (dir > 0 ? '+' : '-'))
                        return -EINVAL;
                p++;
                if (parse_digits(&p, &n) < 0 || *p || n > (uint64_t)(SIGRTMAX - SIGRTMIN))
                        return -EINVAL;
        }
        sig = base + dir * (int)n;
        if (sig < SIGRTMIN || sig > SIGRTMAX)
                return -EINVAL;
        *ret = sig;
        return 0;
}

int parse_signal(const char *s, int *ret) {
        const char *name;

        if (!s || !ret)
                return -EINVAL;
        name = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
        if (!*name)
                return -EINVAL;

        for (int sig = 1; sig < SIGRTMIN; sig++) {
                const char *abbrev = sigabbrev_np(sig);
                if (abbrev && strcmp(abbrev, name) == 0) {
                        *ret = sig;
                        return 0;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(signal_aliases); i++)
                if (strcmp(signal_aliases[i].name, name) == 0) {
                        *ret = signal_aliases[i].sig;
                        return 0;
                }
        return parse_rt_signal(name, ret);
}

const char *signal_to_string(int sig) {
        if (sig <= 0)
                return NULL;
        if (sig < SIGRTMIN)
                return sigabbrev_np(sig);
        if (sig <= SIGRTMAX && (size_t)(sig - SIGRTMIN) < ELEMENTSOF(rtmin_names))
                return rtmin_names[sig - SIGRTMIN];
        return NULL;
}

char *format_duration(char *buf, size_t len, usec_t u) {
        static const struct {
                const char *suffix;
                usec_t factor;
        } table[] = {
                { "h", 3600 * USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },
                { "ms", USEC_PER_MSEC },
                { "us", 1 },
        };
        size_t off = 0;

        if (!buf || len == 0)
                return buf;
        if (u == 0) {
                snprintf(buf, len, "0");
                return buf;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(table) && u > 0; i++) {
                usec_t n = u / table[i].factor;
                int k;

                if (n == 0)
                        continue;
                u -= n * table[i].factor;
                k = snprintf(buf + off, len - off, "%s%llu%s", off > 0 ? " " : "",
                             (unsigned long long)n, table[i].suffix);
                if (k < 0 || (size_t)k >= len - off) {
                        buf[off] = '\0'; /* keep only whole components */
                        break;
                }
                off += (size_t)k;
        }
        return buf;
}

/* ---- names ------------------------------------------------------------------------ */

bool unit_name_is_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > UNIT_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          (i > 0 && (c == '_' || c == '.' || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

bool user_name_is_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > USER_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || c == '_' ||
                          (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

bool id_is_valid(const char *s, size_t n) {
        unsigned long long v = 0;
        if (n == 0 || n > 10)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        return v < UINT32_MAX;
}

bool user_is_valid(const char *s) {
        const char *colon = strchr(s, ':');
        if (colon)
                return id_is_valid(s, (size_t)(colon - s)) && id_is_valid(colon + 1, strlen(colon + 1));
        return id_is_valid(s, strlen(s)) || user_name_is_valid(s);
}

bool env_entry_is_valid(const char *s) {
        const char *eq = strchr(s, '=');
        if (!eq || eq == s)
                return false;
        for (const char *p = s; p < eq; p++) {
                char c = *p;
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                          (p > s && c >= '0' && c <= '9');
                if (!ok)
                        return false;
        }
        return true;
}

bool hostname_is_valid(const char *s) {
        size_t n = strlen(s), label = 0;

        /* the UTS field holds 64 bytes: sethostname() refuses more (DNS would allow 253) */
        if (n == 0 || n > HOSTNAME_MAX)
                return false;
        for (size_t i = 0; i <= n; i++) {
                char c = s[i];
                if (c == '.' || c == '\0') {
                        /* RFC 1123: 1..63 characters, no '-' at either end */
                        if (label == 0 || label > 63 || s[i - 1] == '-')
                                return false;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      (c == '-' && label > 0)))
                        return false;
                label++;
        }
        return true;
}
