/* Unit tests for config/: the step-5 keys (notify, start_timeout, watchdog, the health
 * section, log_buffer, log_rate) and sup.conf's log_target. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "config.h"
#include "test_config_fixture.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define SEC USEC_PER_SEC
#define MSEC USEC_PER_MSEC

static void test_step5_keys(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "h.conf",
                "container web {\n"
                "    exec = {\"/bin/httpd\"}\n"
                "    notify = true\n"
                "    start_timeout = 1min30s\n"
                "    watchdog = 5s\n"
                "    health {\n"
                "        exec = {\"/bin/wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/${PATH}\"}\n"
                "        interval = 10s\n"
                "        timeout = 2s\n"
                "        retries = 3\n"
                "        start_period = 5s\n"
                "    }\n"
                "    log_buffer = 1M\n"
                "    log_rate = 500\n"
                "}\n"
                "container edges {\n"
                "    exec = \"/e\"\n"
                "    notify = no\n"
                "    start_timeout = 1ms\n"
                "    watchdog = 0\n"
                "    health { exec = \"/check\" interval = 250ms timeout = 250ms retries = 100 start_period = 0 }\n"
                "    log_buffer = 4K\n"
                "    log_rate = 0\n"
                "}\n"
                "container big {\n"
                "    exec = \"/b\"\n"
                "    health { exec = {\"/c\"} exec += {\"$HOME\"} retries = 1 }\n"
                "    log_buffer = 64M\n"
                "    log_rate = 10000000\n"
                "}\n");

        assert_int_equal(setenv("PATH", "/expanded", 1), 0);
        assert_int_equal(setenv("HOME", "/home/expanded", 1), 0);
        c = load_one(p);
        if (c->n_errors)
                dump_errors(c);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 3);

        u = c->units[0];
        assert_true(u->notify);
        assert_int_equal(u->start_timeout, 90 * SEC);
        assert_int_equal(u->watchdog, 5 * SEC);
        assert_non_null(u->health);
        assert_strv(u->health->exec,
                    (const char *[]){ "/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/${PATH}" }, 5);
        assert_int_equal(u->health->interval, 10 * SEC);
        assert_int_equal(u->health->timeout, 2 * SEC);
        assert_int_equal(u->health->retries, 3);
        assert_int_equal(u->health->start_period, 5 * SEC);
        assert_int_equal(u->log_buffer, 1 * MiB);
        assert_int_equal(u->log_rate, 500);

        u = c->units[1];
        assert_false(u->notify);
        assert_int_equal(u->start_timeout, 1 * MSEC);
        assert_int_equal(u->watchdog, 0);
        assert_non_null(u->health);
        assert_strv(u->health->exec, (const char *[]){ "/check" }, 1);
        assert_int_equal(u->health->interval, 250 * MSEC);
        assert_int_equal(u->health->timeout, 250 * MSEC);
        assert_int_equal(u->health->retries, 100);
        assert_int_equal(u->health->start_period, 0);
        assert_int_equal(u->log_buffer, 4 * KiB);
        assert_int_equal(u->log_rate, 0);

        u = c->units[2];
        assert_strv(u->health->exec, (const char *[]){ "/c", "$HOME" }, 2);
        assert_int_equal(u->health->retries, 1);
        assert_int_equal(u->log_buffer, 64 * MiB);
        assert_int_equal(u->log_rate, 10000000);
        config_free(c);
}

static void test_step5_defaults(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "d.conf",
                "container plain { exec = \"/bin/true\" }\n"
                "container h {\n"
                "    exec = \"/bin/true\"\n"
                "    health { exec = {\"/bin/check\", \"--quiet\"} }\n"
                "}\n"
                /* the default timeout (2s) never exceeds a shorter interval */
                "container fast {\n"
                "    exec = \"/bin/true\"\n"
                "    health { exec = \"/c\" interval = 500ms }\n"
                "}\n");

        c = load_one(p);
        if (c->n_errors)
                dump_errors(c);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 3);

        u = c->units[0];
        assert_false(u->notify);
        assert_int_equal(u->start_timeout, 30 * SEC);
        assert_int_equal(u->watchdog, 0);
        assert_null(u->health);
        assert_int_equal(u->log_buffer, 64 * KiB);
        assert_int_equal(u->log_rate, 10000);

        u = c->units[1];
        assert_non_null(u->health);
        assert_strv(u->health->exec, (const char *[]){ "/bin/check", "--quiet" }, 2);
        assert_int_equal(u->health->interval, 10 * SEC);
        assert_int_equal(u->health->timeout, 2 * SEC);
        assert_int_equal(u->health->retries, 3);
        assert_int_equal(u->health->start_period, 0);

        u = c->units[2];
        assert_int_equal(u->health->interval, 500 * MSEC);
        assert_int_equal(u->health->timeout, 500 * MSEC);
        config_free(c);
}

/* Each in its own file, on line 3; the error after "FILE:3: unit 'x': ". */
static void test_step5_value_errors(void **state) {
        static const struct value_case t[] = {
                { "notify = maybe", "notify: invalid boolean 'maybe'" },
                { "notify = \"\"", "notify: invalid boolean ''" },
                { "start_timeout = 0", "start_timeout: must be more than 0" },
                { "start_timeout = soon", "start_timeout: invalid duration 'soon'" },
                { "start_timeout = -5s", "start_timeout: invalid duration '-5s'" },
                { "start_timeout = 25h", "start_timeout: duration '25h' out of range (max 24h)" },
                { "watchdog = forever", "watchdog: invalid duration 'forever'" },
                { "watchdog = 86401", "watchdog: duration '86401' out of range (max 24h)" },
                { "health { }", "health: exec: not set (required)" },
                { "health { interval = 5s }", "health: exec: not set (required)" },
                { "health { exec = {} }", "health: exec: empty list" },
                { "health { exec = {\"\", \"x\"} }", "health: exec: empty command" },
                { "health { exec = \"\" }", "health: exec: empty command" },
                { "health { exec = \"/c\" interval = 0 }", "health: interval: must be more than 0" },
                { "health { exec = \"/c\" interval = often }", "health: interval: invalid duration 'often'" },
                { "health { exec = \"/c\" interval = 25h }", "health: interval: duration '25h' out of range (max 24h)" },
                { "health { exec = \"/c\" timeout = 0 }", "health: timeout: must be more than 0" },
                { "health { exec = \"/c\" timeout = x }", "health: timeout: invalid duration 'x'" },
                { "health { exec = \"/c\" interval = 1s timeout = 2s }", "health: timeout: 2s is more than interval 1s" },
                { "health { exec = \"/c\" timeout = 11s }", "health: timeout: 11s is more than interval 10s" },
                { "health { exec = \"/c\" retries = 0 }", "health: retries: 0 out of range (1..100)" },
                { "health { exec = \"/c\" retries = 101 }", "health: retries: 101 out of range (1..100)" },
                { "health { exec = \"/c\" retries = three }", "health: retries: invalid number 'three'" },
                { "health { exec = \"/c\" start_period = later }", "health: start_period: invalid duration 'later'" },
                { "health { exec = \"/c\" cmd = \"/x\" }", "health: no such option 'cmd'" },
                { "health { exec = \"/c\" test { a = 1 } }", "health: no such option 'test'" },
                { "health { exec = \"/c\" f(1) }", "health: no such option 'f'" },
                { "health { exec = \"/c\" } health { exec = \"/d\" }",
                  "health: duplicate section, first defined at line 3" },
                { "log_buffer = 1K", "log_buffer: size '1K' out of range (4K..64M)" },
                { "log_buffer = 4095", "log_buffer: size '4095' out of range (4K..64M)" },
                { "log_buffer = 65M", "log_buffer: size '65M' out of range (4K..64M)" },
                { "log_buffer = 0", "log_buffer: size '0' out of range (4K..64M)" },
                { "log_buffer = 99999999999G", "log_buffer: size '99999999999G' out of range (4K..64M)" },
                { "log_buffer = big", "log_buffer: invalid size 'big'" },
                { "log_buffer = max", "log_buffer: invalid size 'max'" },
                { "log_rate = 10000001", "log_rate: 10000001 out of range (0..10000000)" },
                { "log_rate = -1", "log_rate: -1 out of range (0..10000000)" },
                { "log_rate = fast", "log_rate: invalid number 'fast'" },
                { "log_rate = 1K", "log_rate: invalid number '1K'" },
        };
        struct fixture *f = *state;

        assert_value_errors(f, t, sizeof t / sizeof t[0]);
}

/* Errors name the line of the value, of the key in the section, or of the section; every
 * error of a unit is reported, not just the first. */
static void test_step5_error_lines(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *p = write_unit(f, "l.conf",
                "container a {\n"                      /* 1 */
                "    exec = \"/a\"\n"
                "    notify = sometimes\n"
                "    health {\n"
                "        interval = 1s\n"              /* 5 */
                "        timeout = 3s\n"
                "        retries = 0\n"
                "        bogus = 1\n"
                "    }\n"
                "    log_rate = 1e6\n"                 /* 10 */
                "}\n"
                "container b {\n"
                "    exec = \"/b\"\n"
                "    health {\n"
                "        exec = {\"\",\n"             /* 15 */
                "                \"x\"}\n"
                "    }\n"
                "    health {\n"
                "        exec = \"/c\"\n"
                "    }\n"                              /* 20 */
                "    health { }\n"
                "}\n"
                "container c {\n"
                "    exec = \"/c\"\n"
                "    health {\n"                       /* 25 */
                "        exec = {\"/c\",\n"
                "                \"\"}\n"             /* an empty argument is fine */
                "        interval = 2s\n"
                "        timeout = 3s\n"
                "    }\n"                              /* 30 */
                "    start_timeout = 0\n"
                "}\n"
                "container d {\n"
                "    exec = \"/d\"\n"
                "    health {\n"                       /* 35 */
                "        exec = {\"\",\n"
                "                \"x\"}\n"
                "    }\n"
                "}\n");

        c = load_one(p);
        assert_int_equal(c->n_units, 0);
        assert_error(c, "a", 3, "%s:3: unit 'a': notify: invalid boolean 'sometimes'", p);
        assert_error(c, "a", 4, "%s:4: unit 'a': health: exec: not set (required)", p);
        assert_error(c, "a", 6, "%s:6: unit 'a': health: timeout: 3s is more than interval 1s", p);
        assert_error(c, "a", 7, "%s:7: unit 'a': health: retries: 0 out of range (1..100)", p);
        assert_error(c, "a", 8, "%s:8: unit 'a': health: no such option 'bogus'", p);
        assert_error(c, "a", 10, "%s:10: unit 'a': log_rate: invalid number '1e6'", p);
        /* the second and third sections are refused; the first is not looked into */
        assert_error(c, "b", 18, "%s:18: unit 'b': health: duplicate section, first defined at line 14", p);
        assert_error(c, "b", 21, "%s:21: unit 'b': health: duplicate section, first defined at line 14", p);
        assert_error(c, "c", 29, "%s:29: unit 'c': health: timeout: 3s is more than interval 2s", p);
        assert_error(c, "d", 36, "%s:36: unit 'd': health: exec: empty command", p);
        assert_int_equal(c->n_errors, 10);
        config_free(c);

        /* start_timeout is checked with the other life-cycle keys, once the rest is valid */
        _cleanup_free_ char *q = write_unit(f, "s.conf",
                "container s {\n"
                "    exec = \"/s\"\n"
                "    health { exec = \"/c\" }\n"
                "    start_timeout = 0\n"
                "}\n");
        assert_file_fails(q, "s", 4, "%s:4: unit 's': start_timeout: must be more than 0", q);
}

/* What libconfuse itself refuses fails the whole file. */
static void test_health_file_errors(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *p = write_unit(f, "key.conf",
                "container x {\n"
                "    exec = \"/x\"\n"
                "    health = \"/c\"\n"
                "}\n");
        _cleanup_free_ char *q = write_unit(f, "titled.conf",
                "container y {\n"
                "    exec = \"/y\"\n"
                "    health \"h\" { exec = \"/c\" }\n"
                "}\n");

        assert_file_fails(p, "key", 3, "%s:3: missing opening brace for section 'health'", p);

        /* health takes no title */
        assert_file_fails(q, "titled", 3, "%s:3: missing opening brace for section 'health'", q);
}

static void test_step5_equal(void **state) {
        struct fixture *f = *state;
        struct sup_config *c1, *c2, *c3;
        struct unit_config *u1, *u2;
        struct health_config *h1, *h2;
        const char *body =
                "container web {\n"
                "    exec = \"/w\"\n"
                "    notify = true\n"
                "    start_timeout = 20s\n"
                "    watchdog = 3s\n"
                "    health { exec = {\"/c\", \"-q\"} interval = 5s timeout = 1s retries = 4 start_period = 2s }\n"
                "    log_buffer = 128K\n"
                "    log_rate = 100\n"
                "}\n";
        _cleanup_free_ char *p1 = write_unit(f, "one.conf", body);
        _cleanup_free_ char *p2 = write_unit(f, "two.conf", body);
        /* the defaults written out are the same as nothing */
        _cleanup_free_ char *p3 = write_unit(f, "three.conf",
                "container web {\n"
                "    exec = \"/w\"\n"
                "    notify = false\n"
                "    start_timeout = 30s\n"
                "    watchdog = 0\n"
                "    log_buffer = 64K\n"
                "    log_rate = 10000\n"
                "}\n");
        _cleanup_free_ char *p4 = write_unit(f, "four.conf", "container web { exec = \"/w\" }\n");
        char *s;

        c1 = load_one(p1);
        c2 = load_one(p2);
        assert_int_equal(c1->n_units, 1);
        assert_int_equal(c2->n_units, 1);
        u1 = c1->units[0];
        u2 = c2->units[0];
        assert_true(unit_config_equal(u1, u2));

#define FLIP(expr)                                        \
        do {                                              \
                expr;                                     \
                assert_false(unit_config_equal(u1, u2));  \
                assert_false(unit_config_equal(u2, u1));  \
                expr;                                     \
                assert_true(unit_config_equal(u1, u2));   \
        } while (0)
        FLIP(u2->notify = !u2->notify);
        FLIP(u2->start_timeout ^= 1);
        FLIP(u2->watchdog ^= 1);
        FLIP(u2->log_buffer ^= 1);
        FLIP(u2->log_rate ^= 1);
        FLIP(u2->health->interval ^= 1);
        FLIP(u2->health->timeout ^= 1);
        FLIP(u2->health->retries ^= 1);
        FLIP(u2->health->start_period ^= 1);
        FLIP(u2->health->exec[0][1] ^= 1);
        FLIP(u2->health->exec[1][1] ^= 1);
        FLIP(s = u2->health->exec[0]; u2->health->exec[0] = u2->health->exec[1]; u2->health->exec[1] = s);
#undef FLIP
        /* with and without a health section, and neither with one */
        h2 = u2->health;
        u2->health = NULL;
        assert_false(unit_config_equal(u1, u2));
        assert_false(unit_config_equal(u2, u1));
        h1 = u1->health;
        u1->health = NULL;
        assert_true(unit_config_equal(u1, u2));
        u1->health = h1;
        u2->health = h2;
        assert_true(unit_config_equal(u1, u2));
        config_free(c1);
        config_free(c2);

        c1 = load_one(p3);
        c3 = load_one(p4);
        assert_int_equal(c1->n_units, 1);
        assert_int_equal(c3->n_units, 1);
        assert_true(unit_config_equal(c1->units[0], c3->units[0]));
        config_free(c1);
        config_free(c3);
}

/* ---- sup.conf: log_target ---- */

static void test_log_target(void **state) {
        static const struct {
                const char *value;
                enum log_target want;
        } t[] = {
                { "auto", LOG_TARGET_AUTO },
                { "journal", LOG_TARGET_JOURNAL },
                { "console", LOG_TARGET_CONSOLE },
                { "kmsg", LOG_TARGET_KMSG },
        };
        struct fixture *f = *state;
        struct sup_config *c = NULL;

        /* no sup.conf, and a sup.conf without the key: auto */
        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->log_target, LOG_TARGET_AUTO);
        config_free(c);
        _cleanup_free_ char *g0 = write_file(f->dir, "sup.conf", "state_dir = \"/srv\"\n");
        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->log_target, LOG_TARGET_AUTO);
        config_free(c);

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                _cleanup_free_ char *text = NULL, *g = NULL;

                assert_true(asprintf(&text, "log_target = \"%s\"\n", t[i].value) > 0);
                g = write_file(f->dir, "sup.conf", text);
                assert_int_equal(config_load(f->dir, &c), 0);
                assert_int_equal(c->n_errors, 0);
                assert_false(c->global_error);
                assert_int_equal(c->log_target, t[i].want);
                config_free(c);
                assert_string_equal(log_target_to_string(t[i].want), t[i].value);
        }
        assert_null(log_target_to_string((enum log_target)42));

        /* a bad value keeps the default; the other keys apply */
        static const char *const bad[] = { "syslog", "Journal", "", "auto journal" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                _cleanup_free_ char *text = NULL, *g = NULL;

                assert_true(asprintf(&text, "# logs\nstate_dir = \"/srv\"\nlog_target = \"%s\"\n", bad[i]) > 0);
                g = write_file(f->dir, "sup.conf", text);
                assert_int_equal(config_load(f->dir, &c), 0);
                assert_true(c->global_error);
                assert_int_equal(c->n_errors, 1);
                assert_error(c, NULL, 3,
                             "%s:3: log_target: invalid value '%s' (want auto, journal, console or kmsg)", g,
                             bad[i]);
                assert_int_equal(c->log_target, LOG_TARGET_AUTO);
                assert_string_equal(c->state_dir, "/srv");
                config_free(c);
        }
        /* unquoted works like any other string */
        _cleanup_free_ char *g1 = write_file(f->dir, "sup.conf", "log_target = kmsg\n");
        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->log_target, LOG_TARGET_KMSG);
        config_free(c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_step5_keys),
                T(test_step5_defaults),
                T(test_step5_value_errors),
                T(test_step5_error_lines),
                T(test_health_file_errors),
                T(test_step5_equal),
                T(test_log_target),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
