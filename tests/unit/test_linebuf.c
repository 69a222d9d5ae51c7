/* Splitting container output into lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "linebuf.h"

struct seen {
        char lines[16][64];
        bool partial[16];
        int n;
};

static void collect(void *ud, const char *line, size_t len, bool partial) {
        struct seen *s = ud;
        assert_true(s->n < 16);
        assert_true(len < 64);
        memcpy(s->lines[s->n], line, len);
        s->lines[s->n][len] = 0;
        s->partial[s->n] = partial;
        s->n++;
}

static void test_whole_lines(void **state) {
        (void)state;
        struct linebuf lb;
        struct seen s = { 0 };
        assert_int_equal(linebuf_init(&lb, 32), 0);
        linebuf_feed(&lb, "a\nbb\n\nccc\n", 10, collect, &s);
        assert_int_equal(s.n, 4);
        assert_string_equal(s.lines[0], "a");
        assert_string_equal(s.lines[1], "bb");
        assert_string_equal(s.lines[2], "");
        assert_string_equal(s.lines[3], "ccc");
        linebuf_done(&lb);
}

static void test_split_across_reads(void **state) {
        (void)state;
        struct linebuf lb;
        struct seen s = { 0 };
        assert_int_equal(linebuf_init(&lb, 32), 0);
        linebuf_feed(&lb, "hel", 3, collect, &s);
        assert_int_equal(s.n, 0);
        linebuf_feed(&lb, "lo\nwor", 6, collect, &s);
        assert_int_equal(s.n, 1);
        assert_string_equal(s.lines[0], "hello");
        assert_false(s.partial[0]);
        linebuf_flush(&lb, collect, &s);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.lines[1], "wor");
        assert_true(s.partial[1]);
        linebuf_flush(&lb, collect, &s); /* nothing left: no empty line */
        assert_int_equal(s.n, 2);
        linebuf_done(&lb);
}

static void test_overlong_line_is_cut(void **state) {
        (void)state;
        struct linebuf lb;
        struct seen s = { 0 };
        assert_int_equal(linebuf_init(&lb, 4), 0);
        linebuf_feed(&lb, "abcdefghij\nxy\n", 14, collect, &s);
        assert_int_equal(s.n, 4);
        assert_string_equal(s.lines[0], "abcd");
        assert_true(s.partial[0]);
        assert_string_equal(s.lines[1], "efgh");
        assert_string_equal(s.lines[2], "ij");
        assert_false(s.partial[2]);
        assert_string_equal(s.lines[3], "xy");
        linebuf_done(&lb);
}

static void test_exact_max_line(void **state) {
        (void)state;
        struct linebuf lb;
        struct seen s = { 0 };
        assert_int_equal(linebuf_init(&lb, 4), 0);
        linebuf_feed(&lb, "ab", 2, collect, &s);
        linebuf_feed(&lb, "cd\n", 3, collect, &s);
        assert_int_equal(s.n, 1);
        assert_string_equal(s.lines[0], "abcd");
        assert_false(s.partial[0]);
        linebuf_done(&lb);
}

static void test_binary_bytes_pass(void **state) {
        (void)state;
        struct linebuf lb;
        struct seen s = { 0 };
        assert_int_equal(linebuf_init(&lb, 32), 0);
        linebuf_feed(&lb, "\xff\xfe\x01x\n", 5, collect, &s);
        assert_int_equal(s.n, 1);
        assert_memory_equal(s.lines[0], "\xff\xfe\x01x", 4);
        linebuf_done(&lb);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_whole_lines),
                cmocka_unit_test(test_split_across_reads),
                cmocka_unit_test(test_overlong_line_is_cut),
                cmocka_unit_test(test_exact_max_line),
                cmocka_unit_test(test_binary_bytes_pass),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
