/* Unit tests for config/values.c: sizes, durations, signals, names. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "values.h"

static void test_duration_valid(void **state) {
        static const struct {
                const char *in;
                usec_t out;
        } t[] = {
                { "0", 0 },
                { "5", 5 * USEC_PER_SEC },
                { "250ms", 250 * USEC_PER_MSEC },
                { "10s", 10 * USEC_PER_SEC },
                { "2min", 120 * USEC_PER_SEC },
                { "2m", 120 * USEC_PER_SEC },
                { "1h", 3600 * USEC_PER_SEC },
                { "1min30s", 90 * USEC_PER_SEC },
                { "1min 30s", 90 * USEC_PER_SEC },
                { "1h 1min 1s 1ms", 3661 * USEC_PER_SEC + USEC_PER_MSEC },
                { " 10s ", 10 * USEC_PER_SEC },
                { "10 s", 10 * USEC_PER_SEC },
                { "0ms", 0 },
                { "007s", 7 * USEC_PER_SEC },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                usec_t u = 12345;
                assert_int_equal(parse_duration(t[i].in, &u), 0);
                assert_int_equal(u, t[i].out);
        }
}

static void test_duration_invalid(void **state) {
        static const char *const bad[] = {
                "", " ", "-1", "-5s", "+5s", "fast", "10x", "s", "1.5s", "10sec", "1min 30",
                "5mins", "10S", "1 h x", "ms10", "1e3",
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                usec_t u = 42;
                assert_int_equal(parse_duration(bad[i], &u), -EINVAL);
                assert_int_equal(u, 42); /* untouched on error */
        }
        assert_int_equal(parse_duration(NULL, &(usec_t){ 0 }), -EINVAL);
}

static void test_duration_overflow(void **state) {
        usec_t u = 7;
        (void)state;
        assert_int_equal(parse_duration("99999999999999999999", &u), -ERANGE);
        /* fits in u64 as a number, not as microseconds */
        assert_int_equal(parse_duration("18446744073709551615s", &u), -ERANGE);
        assert_int_equal(parse_duration("5124095577h", &u), -ERANGE);
        /* the sum overflows, each part does not */
        assert_int_equal(parse_duration("5124095576h 5124095576h", &u), -ERANGE);
        assert_int_equal(u, 7);
        assert_int_equal(parse_duration("5124095576h", &u), 0);
        assert_int_equal(u, UINT64_C(5124095576) * 3600 * USEC_PER_SEC);
}

static void test_size(void **state) {
        uint64_t v = 0;
        (void)state;
        assert_int_equal(parse_size("512", &v), 0);
        assert_int_equal(v, 512);
        assert_int_equal(parse_size("4K", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size("64M", &v), 0);
        assert_int_equal(v, UINT64_C(64) << 20);
        assert_int_equal(parse_size("1G", &v), 0);
        assert_int_equal(v, UINT64_C(1) << 30);
        assert_int_equal(parse_size("2T", &v), 0);
        assert_int_equal(v, UINT64_C(2) << 40);
        assert_int_equal(parse_size("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_size(" 16 M ", &v), 0);
        assert_int_equal(v, UINT64_C(16) << 20);

        v = 99;
        assert_int_equal(parse_size("", &v), -EINVAL);
        assert_int_equal(parse_size("M", &v), -EINVAL);
        assert_int_equal(parse_size("-1", &v), -EINVAL);
        assert_int_equal(parse_size("64m", &v), -EINVAL);
        assert_int_equal(parse_size("64MB", &v), -EINVAL);
        assert_int_equal(parse_size("1.5G", &v), -EINVAL);
        assert_int_equal(parse_size("64 M x", &v), -EINVAL);
        assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
        assert_int_equal(parse_size("16777216T", &v), -ERANGE);
        assert_int_equal(v, 99);
        assert_int_equal(parse_size("16777215T", &v), 0);
        assert_int_equal(v, UINT64_C(16777215) << 40);
}

static void test_signal(void **state) {
        int sig = 0;
        (void)state;
        assert_int_equal(parse_signal("SIGTERM", &sig), 0);
        assert_int_equal(sig, SIGTERM);
        assert_int_equal(parse_signal("TERM", &sig), 0);
        assert_int_equal(sig, SIGTERM);
        assert_int_equal(parse_signal("KILL", &sig), 0);
        assert_int_equal(sig, SIGKILL);
        assert_int_equal(parse_signal("SIGHUP", &sig), 0);
        assert_int_equal(sig, SIGHUP);
        assert_int_equal(parse_signal("USR2", &sig), 0);
        assert_int_equal(sig, SIGUSR2);
        assert_int_equal(parse_signal("SIGIO", &sig), 0);
        assert_int_equal(sig, SIGIO);
        assert_int_equal(parse_signal("SIGRTMIN", &sig), 0);
        assert_int_equal(sig, SIGRTMIN);
        assert_int_equal(parse_signal("RTMIN+3", &sig), 0);
        assert_int_equal(sig, SIGRTMIN + 3);
        assert_int_equal(parse_signal("SIGRTMAX-1", &sig), 0);
        assert_int_equal(sig, SIGRTMAX - 1);

        sig = 77;
        static const char *const bad[] = {
                "", "SIG", "sigterm", "term", "Term", "SIGFOO", "15", "SIGTERM ", " TERM",
                "RTMIN-1", "RTMAX+1", "RTMIN+99", "RTMIN+", "SIGSIGTERM",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(parse_signal(bad[i], &sig), -EINVAL);
        assert_int_equal(sig, 77);
}

static void test_signal_to_string(void **state) {
        (void)state;
        assert_string_equal(signal_to_string(SIGTERM), "TERM");
        assert_string_equal(signal_to_string(SIGKILL), "KILL");
        assert_string_equal(signal_to_string(SIGRTMIN), "RTMIN");
        assert_string_equal(signal_to_string(SIGRTMIN + 2), "RTMIN+2");
        assert_null(signal_to_string(0));
        assert_null(signal_to_string(-1));
        assert_null(signal_to_string(SIGRTMAX + 1));
        /* round trip for every signal the kernel has */
        for (int s = 1; s <= SIGRTMAX; s++) {
                const char *n = signal_to_string(s);
                int back = 0;
                if (!n)
                        continue;
                assert_int_equal(parse_signal(n, &back), 0);
                assert_int_equal(back, s);
        }
}

static void test_format_duration(void **state) {
        char buf[DURATION_STR_MAX];
        (void)state;
        assert_string_equal(format_duration(buf, sizeof(buf), 0), "0");
        assert_string_equal(format_duration(buf, sizeof(buf), 250 * USEC_PER_MSEC), "250ms");
        assert_string_equal(format_duration(buf, sizeof(buf), 90 * USEC_PER_SEC), "1min 30s");
        assert_string_equal(format_duration(buf, sizeof(buf), 3600 * USEC_PER_SEC), "1h");
        assert_string_equal(format_duration(buf, sizeof(buf), 3661 * USEC_PER_SEC + 1001), "1h 1min 1s 1ms 1us");
        assert_string_equal(format_duration(buf, sizeof(buf), UINT64_MAX),
                            "5124095576h 1min 49s 551ms 615us");
        /* round trip */
        usec_t u = 0;
        assert_int_equal(parse_duration(format_duration(buf, sizeof(buf), 5400 * USEC_PER_SEC + 5 * USEC_PER_MSEC), &u), 0);
        assert_int_equal(u, 5400 * USEC_PER_SEC + 5 * USEC_PER_MSEC);
        /* a short buffer truncates but stays a string */
        char small[6];
        assert_string_equal(format_duration(small, sizeof(small), 90 * USEC_PER_SEC), "1min");
}

static void test_hostname(void **state) {
        static const char *const good[] = {
                "web", "Web-1", "a", "0", "a.b.c", "xn--bcher-kva.example", "a-b-c",
                /* 63 characters: a whole label */
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                /* 64 characters: the kernel's limit */
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        };
        static const char *const bad[] = {
                "", ".", "web.", ".web", "a..b", "-web", "web-", "a.-b", "a_b", "a b", "web!",
                "${HOSTNAME}", "caf\xc3\xa9",
                /* 64 characters in one label */
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                /* 65 characters */
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        };
        (void)state;
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                assert_true(hostname_is_valid(good[i]));
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_false(hostname_is_valid(bad[i]));
}

static void test_names(void **state) {
        (void)state;
        assert_true(unit_name_is_valid("web"));
        assert_true(unit_name_is_valid("0a_.-z"));
        assert_false(unit_name_is_valid(""));
        assert_false(unit_name_is_valid("_a"));
        assert_false(unit_name_is_valid("Web"));
        assert_true(user_is_valid("www"));
        assert_true(user_is_valid("1000"));
        assert_true(user_is_valid("1000:1000"));
        assert_true(user_is_valid("4294967294"));
        assert_false(user_is_valid("4294967295"));
        assert_false(user_is_valid("1000:"));
        assert_false(user_is_valid(":1000"));
        assert_false(user_is_valid("www:www"));
        assert_false(user_is_valid("Bob"));
        assert_true(user_name_is_valid("_svc-1"));
        assert_false(user_name_is_valid("1svc"));
        assert_true(id_is_valid("12345", 3));
        assert_false(id_is_valid("", 0));
        assert_true(env_entry_is_valid("A_1="));
        assert_false(env_entry_is_valid("=x"));
        assert_false(env_entry_is_valid("1A=x"));
        assert_false(env_entry_is_valid("A-B=x"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_duration_valid),
                cmocka_unit_test(test_duration_invalid),
                cmocka_unit_test(test_duration_overflow),
                cmocka_unit_test(test_size),
                cmocka_unit_test(test_signal),
                cmocka_unit_test(test_signal_to_string),
                cmocka_unit_test(test_format_duration),
                cmocka_unit_test(test_hostname),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
