/* Unit tests for config/: the step-4 keys (memory_max, memory_high, memory_swap_max,
 * cpu_max, cpu_weight, pids_max, io_weight). */
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

#define MiB (UINT64_C(1) << 20)

static void test_resource_keys(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "r.conf",
                "container web {\n"
                "    exec = {\"/bin/httpd\"}\n"
                "    memory_max  = 64M\n"
                "    memory_high = 48M\n"
                "    memory_swap_max = 0\n"
                "    cpu_max     = 0.5\n"
                "    cpu_weight  = 100\n"
                "    pids_max    = 128\n"
                "    io_weight   = 100\n"
                "}\n"
                "container unlimited {\n"
                "    exec = \"/u\"\n"
                "    memory_max = max\n"
                "    memory_high = \"infinity\"\n"
                "    memory_swap_max = max\n"
                "    cpu_max = \"max\"\n"
                "    pids_max = infinity\n"
                "}\n"
                "container edges {\n"
                "    exec = \"/e\"\n"
                "    memory_max = 4096\n"
                "    memory_high = 4K\n"         /* equal to memory_max is fine */
                "    memory_swap_max = 2G\n"
                "    cpu_max = \"1.25\"\n"
                "    cpu_weight = 1\n"
                "    pids_max = 4194304\n"
                "    io_weight = 10000\n"
                "}\n"
                "container more {\n"
                "    exec = \"/m\"\n"
                "    memory_high = 1T\n"         /* without memory_max: no upper bound */
                "    cpu_max = 1024\n"
                "    cpu_weight = 10000\n"
                "    pids_max = 1\n"
                "    io_weight = 1\n"
                "}\n"
                "container tiny {\n"
                "    exec = \"/t\"\n"
                "    memory_max = 1\n"
                "    cpu_max = 0.001\n"
                "}\n"
                "container decimals {\n"
                "    exec = \"/d\"\n"
                "    cpu_max = \"002.050\"\n"
                "}\n");

        c = load_one(p);
        if (c->n_errors)
                dump_errors(c);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 6);

        u = find_unit(c, "web");
        assert_int_equal(u->memory_max, 64 * MiB);
        assert_int_equal(u->memory_high, 48 * MiB);
        assert_int_equal(u->memory_swap_max, 0);
        assert_int_equal(u->cpu_max_permille, 500);
        assert_int_equal(u->cpu_weight, 100);
        assert_int_equal(u->pids_max, 128);
        assert_int_equal(u->io_weight, 100);

        u = find_unit(c, "unlimited");
        assert_true(u->memory_max == CONFIG_LIMIT_UNSET);
        assert_true(u->memory_high == CONFIG_LIMIT_UNSET);
        assert_true(u->memory_swap_max == CONFIG_LIMIT_UNSET);
        assert_true(u->cpu_max_permille == CONFIG_LIMIT_UNSET);
        assert_true(u->pids_max == CONFIG_LIMIT_UNSET);
        assert_int_equal(u->cpu_weight, 0);
        assert_int_equal(u->io_weight, 0);

        u = find_unit(c, "edges");
        assert_int_equal(u->memory_max, 4096);
        assert_int_equal(u->memory_high, 4096);
        assert_int_equal(u->memory_swap_max, 2048 * MiB);
        assert_int_equal(u->cpu_max_permille, 1250);
        assert_int_equal(u->cpu_weight, 1);
        assert_int_equal(u->pids_max, 4194304);
        assert_int_equal(u->io_weight, 10000);

        u = find_unit(c, "more");
        assert_true(u->memory_max == CONFIG_LIMIT_UNSET);
        assert_int_equal(u->memory_high, UINT64_C(1) << 40);
        assert_int_equal(u->cpu_max_permille, 1024000);
        assert_int_equal(u->cpu_weight, 10000);
        assert_int_equal(u->pids_max, 1);
        assert_int_equal(u->io_weight, 1);

        u = find_unit(c, "tiny");
        assert_int_equal(u->memory_max, 1);
        assert_int_equal(u->cpu_max_permille, 1);

        u = find_unit(c, "decimals");
        assert_int_equal(u->cpu_max_permille, 2050);
        config_free(c);
}

static void test_resource_defaults(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "d.conf", "container d { exec = \"/bin/true\" }\n");

        c = load_one(p);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 1);
        u = c->units[0];
        assert_true(u->memory_max == CONFIG_LIMIT_UNSET);
        assert_true(u->memory_high == CONFIG_LIMIT_UNSET);
        assert_true(u->memory_swap_max == CONFIG_LIMIT_UNSET);
        assert_true(u->cpu_max_permille == CONFIG_LIMIT_UNSET);
        assert_true(u->pids_max == CONFIG_LIMIT_UNSET);
        assert_int_equal(u->cpu_weight, 0);
        assert_int_equal(u->io_weight, 0);
        config_free(c);
}

/* Each in its own file, on line 3; the error after "FILE:3: unit 'x': ". */
static void test_resource_value_errors(void **state) {
        static const struct value_case t[] = {
#define BADSIZE(k, v) { k " = " v, k ": invalid size '" v "' (want bytes with K, M, G or T, or max)" }
                BADSIZE("memory_max", "big"),
                BADSIZE("memory_max", "-1"),
                BADSIZE("memory_max", "64MB"),
                BADSIZE("memory_max", "64m"),
                BADSIZE("memory_max", "1.5G"),
                BADSIZE("memory_max", "MAX"),
                BADSIZE("memory_high", "lots"),
                BADSIZE("memory_swap_max", "none"),
#undef BADSIZE
                { "memory_max = \"\"", "memory_max: invalid size '' (want bytes with K, M, G or T, or max)" },
                { "memory_max = 0", "memory_max: must be more than 0" },
                { "memory_max = 0M", "memory_max: must be more than 0" },
                { "memory_high = 0", "memory_high: must be more than 0" },
                { "memory_max = 99999999999G", "memory_max: size '99999999999G' out of range" },
                { "memory_high = 99999999999999999999", "memory_high: size '99999999999999999999' out of range" },
                /* UINT64_MAX itself would read as "no limit" */
                { "memory_swap_max = 18446744073709551615",
                  "memory_swap_max: size '18446744073709551615' out of range" },
                { "memory_max = 32M memory_high = 64M", "memory_high: 64M is more than memory_max 32M" },
                { "memory_max = 1G memory_high = 1025M", "memory_high: 1025M is more than memory_max 1G" },
                { "memory_max = 4097 memory_high = 8K", "memory_high: 8K is more than memory_max 4097" },
                { "cpu_max = 0", "cpu_max: 0 out of range (0.001..1024)" },
                { "cpu_max = 0.000", "cpu_max: 0.000 out of range (0.001..1024)" },
                { "cpu_max = 1024.001", "cpu_max: 1024.001 out of range (0.001..1024)" },
                { "cpu_max = 2000", "cpu_max: 2000 out of range (0.001..1024)" },
                { "cpu_max = 99999999999999999999999", "cpu_max: 99999999999999999999999 out of range (0.001..1024)" },
                { "cpu_max = 0.0005", "cpu_max: '0.0005' has more than 3 decimals" },
                { "cpu_max = 1.2500", "cpu_max: '1.2500' has more than 3 decimals" },
                { "cpu_max = half", "cpu_max: invalid CPU count 'half' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = .5", "cpu_max: invalid CPU count '.5' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = 2.", "cpu_max: invalid CPU count '2.' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = -1", "cpu_max: invalid CPU count '-1' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = \"50%\"", "cpu_max: invalid CPU count '50%' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = \"1,5\"", "cpu_max: invalid CPU count '1,5' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = \" 1\"", "cpu_max: invalid CPU count ' 1' (want e.g. 0.5 or 2, or max)" },
                { "cpu_max = \"\"", "cpu_max: invalid CPU count '' (want e.g. 0.5 or 2, or max)" },
                { "cpu_weight = 0", "cpu_weight: 0 out of range (1..10000)" },
                { "cpu_weight = 10001", "cpu_weight: 10001 out of range (1..10000)" },
                { "cpu_weight = -5", "cpu_weight: -5 out of range (1..10000)" },
                { "cpu_weight = heavy", "cpu_weight: invalid number 'heavy'" },
                { "cpu_weight = max", "cpu_weight: invalid number 'max'" },
                { "cpu_weight = 1.5", "cpu_weight: invalid number '1.5'" },
                { "io_weight = 0", "io_weight: 0 out of range (1..10000)" },
                { "io_weight = 10001", "io_weight: 10001 out of range (1..10000)" },
                { "io_weight = \"\"", "io_weight: invalid number ''" },
                { "pids_max = 0", "pids_max: 0 out of range (1..4194304)" },
                { "pids_max = 4194305", "pids_max: 4194305 out of range (1..4194304)" },
                { "pids_max = 99999999999999999999", "pids_max: 99999999999999999999 out of range (1..4194304)" },
                { "pids_max = many", "pids_max: invalid number 'many'" },
                { "pids_max = 16K", "pids_max: invalid number '16K'" },
        };
        struct fixture *f = *state;

        assert_value_errors(f, t, sizeof t / sizeof t[0]);
}

/* Every bad key of a unit is reported, each on its own line. */
static void test_resource_error_lines(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *p = write_unit(f, "l.conf",
                "container a {\n"                      /* 1 */
                "    exec = \"/a\"\n"
                "    memory_max = 32M\n"
                "    cpu_max = 0.5\n"
                "    memory_high = 33M\n"              /* 5 */
                "    cpu_weight = 0\n"
                "    io_weight = 20000\n"
                "}\n"
                "container b {\n"
                "    exec = \"/b\"\n"                  /* 10 */
                "    memory_max = nope\n"
                "    memory_high = 1G\n"               /* no second error: memory_max is bad */
                "    memory_swap_max = -1\n"
                "    cpu_max = 0.1234\n"
                "    pids_max = 0\n"                   /* 15 */
                "}\n"
                "container ok {\n"
                "    exec = \"/ok\"\n"
                "    memory_high = 33M\n"
                "    memory_max = 33M\n"               /* 20: order in the file does not matter */
                "}\n");
        const struct unit_config *u;

        c = load_one(p);
        assert_error(c, "a", 5, "%s:5: unit 'a': memory_high: 33M is more than memory_max 32M", p);
        assert_error(c, "a", 6, "%s:6: unit 'a': cpu_weight: 0 out of range (1..10000)", p);
        assert_error(c, "a", 7, "%s:7: unit 'a': io_weight: 20000 out of range (1..10000)", p);
        assert_error(c, "b", 11,
                     "%s:11: unit 'b': memory_max: invalid size 'nope' (want bytes with K, M, G or T, or max)", p);
        assert_error(c, "b", 13,
                     "%s:13: unit 'b': memory_swap_max: invalid size '-1' (want bytes with K, M, G or T, or max)",
                     p);
        assert_error(c, "b", 14, "%s:14: unit 'b': cpu_max: '0.1234' has more than 3 decimals", p);
        assert_error(c, "b", 15, "%s:15: unit 'b': pids_max: 0 out of range (1..4194304)", p);
        assert_int_equal(c->n_errors, 7);
        assert_int_equal(c->n_units, 1);
        u = find_unit(c, "ok");
        assert_non_null(u);
        assert_int_equal(u->memory_max, 33 * MiB);
        assert_int_equal(u->memory_high, 33 * MiB);
        config_free(c);
}

static void test_resource_equal(void **state) {
        struct fixture *f = *state;
        struct sup_config *c1, *c2, *c3;
        struct unit_config *u1, *u2;
        const char *body =
                "container web {\n"
                "    exec = \"/w\"\n"
                "    memory_max = 64M\n"
                "    memory_high = 48M\n"
                "    memory_swap_max = 0\n"
                "    cpu_max = 0.5\n"
                "    cpu_weight = 100\n"
                "    pids_max = 128\n"
                "    io_weight = 100\n"
                "}\n";
        _cleanup_free_ char *p1 = write_unit(f, "one.conf", body);
        _cleanup_free_ char *p2 = write_unit(f, "two.conf", body);
        /* "max" is the same as not saying anything */
        _cleanup_free_ char *p3 = write_unit(f, "three.conf",
                "container web {\n"
                "    exec = \"/w\"\n"
                "    memory_max = max\n"
                "    memory_high = infinity\n"
                "    memory_swap_max = max\n"
                "    cpu_max = max\n"
                "    pids_max = max\n"
                "}\n");
        _cleanup_free_ char *p4 = write_unit(f, "four.conf", "container web { exec = \"/w\" }\n");

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
                expr;                                     \
                assert_true(unit_config_equal(u1, u2));   \
        } while (0)
        FLIP(u2->memory_max ^= 1);
        FLIP(u2->memory_high ^= 1);
        FLIP(u2->memory_swap_max ^= 1);
        FLIP(u2->cpu_max_permille ^= 1);
        FLIP(u2->cpu_weight ^= 1);
        FLIP(u2->pids_max ^= 1);
        FLIP(u2->io_weight ^= 1);
#undef FLIP
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_resource_keys),
                T(test_resource_defaults),
                T(test_resource_value_errors),
                T(test_resource_error_lines),
                T(test_resource_equal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
