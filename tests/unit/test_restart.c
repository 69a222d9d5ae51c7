/* Unit tests for supervisor/restart.c: the pure restart policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "restart.h"

#define MS USEC_PER_MSEC
#define S USEC_PER_SEC

static struct restart_policy policy(enum restart_mode mode, usec_t delay, usec_t delay_max,
                                    unsigned start_limit, usec_t interval) {
        return (struct restart_policy){
                .mode = mode,
                .delay = delay,
                .delay_max = delay_max,
                .reset = 60 * S,
                .start_limit = start_limit,
                .start_limit_interval = interval,
        };
}

/* A quick failure: uptime 0. */
static struct restart_decision fail_at(const struct restart_policy *p, struct restart_history *h,
                                       usec_t now) {
        return restart_decide(p, h, true, 0, now);
}

static void test_from_config(void **state) {
        (void)state;
        struct unit_config c = {
                .restart = RESTART_ALWAYS,
                .restart_delay = 250 * MS,
                .restart_delay_max = 10 * S,
                .restart_reset = 90 * S,
                .start_limit = 5,
                .start_limit_interval = 30 * S,
        };
        struct restart_policy p;

        restart_policy_from_config(&p, &c);
        assert_int_equal(p.mode, RESTART_ALWAYS);
        assert_int_equal(p.delay, 250 * MS);
        assert_int_equal(p.delay_max, 10 * S);
        assert_int_equal(p.reset, 90 * S);
        assert_int_equal(p.start_limit, 5);
        assert_int_equal(p.start_limit_interval, 30 * S);
}

static void test_history_reset(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ALWAYS, 100 * MS, 30 * S, 3, 60 * S);
        struct restart_history h = {};

        assert_int_equal(restart_history_reset(&h, &p), 0);
        assert_non_null(h.starts);
        assert_int_equal(h.cap, 3);
        restart_note_start(&h, 0);
        (void)fail_at(&p, &h, 1);
        assert_int_equal(h.n_starts, 1);
        assert_int_equal(h.attempt, 1);

        /* Re-initialising forgets starts and backoff, and resizes the ring. */
        p.start_limit = 0;
        assert_int_equal(restart_history_reset(&h, &p), 0);
        assert_null(h.starts);
        assert_int_equal(h.cap, 0);
        assert_int_equal(h.n_starts, 0);
        assert_int_equal(h.attempt, 0);
        restart_note_start(&h, 5); /* no ring: a no-op */
        assert_int_equal(h.n_starts, 0);

        restart_history_done(&h);
        assert_null(h.starts);
        restart_history_done(&h); /* twice is fine */
        restart_history_done(NULL);
}

static void test_backoff_sequence(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ON_FAILURE, 100 * MS, 1 * S, 0, 60 * S);
        struct restart_history h = {};
        const usec_t want[] = { 100 * MS, 200 * MS, 400 * MS, 800 * MS, 1 * S, 1 * S, 1 * S };
        usec_t now = 0;

        assert_int_equal(restart_history_reset(&h, &p), 0);
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                restart_note_start(&h, now);
                now += 10 * MS;
                struct restart_decision d = fail_at(&p, &h, now);
                assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
                assert_int_equal(d.delay, want[i]);
                now += d.delay;
        }
        restart_history_done(&h);
}

static void test_backoff_reset_after_uptime(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ALWAYS, 100 * MS, 30 * S, 0, 60 * S);
        struct restart_history h = {};
        struct restart_decision d = {};

        assert_int_equal(restart_history_reset(&h, &p), 0);
        for (int i = 0; i < 4; i++)
                d = fail_at(&p, &h, 0);
        assert_int_equal(d.delay, 800 * MS);

        /* Just short of restart_reset: still backing off. */
        d = restart_decide(&p, &h, true, p.reset - 1, 100 * S);
        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
        assert_int_equal(d.delay, 1600 * MS);

        /* Stable for restart_reset: back to the floor, and the sequence starts over. */
        d = restart_decide(&p, &h, true, p.reset, 200 * S);
        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
        assert_int_equal(d.delay, 100 * MS);
        d = fail_at(&p, &h, 201 * S);
        assert_int_equal(d.delay, 200 * MS);

        /* A clean exit after a long run (always) resets too. */
        d = restart_decide(&p, &h, false, 3600 * S, 5000 * S);
        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
        assert_int_equal(d.delay, 100 * MS);
        restart_history_done(&h);
}

static void test_start_limit_hit_at_limit_plus_one(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ON_FAILURE, 100 * MS, 30 * S, 3, 60 * S);
        struct restart_history h = {};
        struct restart_decision d;

        assert_int_equal(restart_history_reset(&h, &p), 0);
        /* Starts at t=0 and 1 leave room for a third start. */
        restart_note_start(&h, 0);
        restart_note_start(&h, 1 * S);
        d = fail_at(&p, &h, 1500 * MS);
        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);

        /* The third start at t=2; a fourth within 60s is one too many. */
        restart_note_start(&h, 2 * S);
        d = fail_at(&p, &h, 3 * S);
        assert_int_equal(d.verdict, RESTART_VERDICT_FAIL);
        /* Stays failed however often it is asked at that time. */
        d = fail_at(&p, &h, 3 * S);
        assert_int_equal(d.verdict, RESTART_VERDICT_FAIL);
        restart_history_done(&h);
}

static void test_start_limit_of_one(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ALWAYS, 100 * MS, 30 * S, 1, 10 * S);
        struct restart_history h = {};

        assert_int_equal(restart_history_reset(&h, &p), 0);
        restart_note_start(&h, 0);
        assert_int_equal(fail_at(&p, &h, 1 * S).verdict, RESTART_VERDICT_FAIL);
        assert_int_equal(fail_at(&p, &h, 20 * S).verdict, RESTART_VERDICT_RESTART);
        restart_history_done(&h);
}

static void test_start_limit_window_slides(void **state) {
        (void)state;
        /* A fixed delay (delay_max == delay) so the projected start is exact. */
        struct restart_policy p = policy(RESTART_ALWAYS, 100 * MS, 100 * MS, 3, 10 * S);
        struct restart_history h = {};

        assert_int_equal(restart_history_reset(&h, &p), 0);
        restart_note_start(&h, 0);
        restart_note_start(&h, 1 * S);
        restart_note_start(&h, 2 * S);

        /* The projected start is now + delay: at 9.9s it lands at 10.0s, when the start
         * at t=0 has just left the 10s interval. 1us earlier it has not. */
        assert_int_equal(fail_at(&p, &h, 9900 * MS - 1).verdict, RESTART_VERDICT_FAIL);
        struct restart_decision d = fail_at(&p, &h, 9900 * MS);
        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
        assert_int_equal(d.delay, 100 * MS);

        /* The ring keeps sliding: start at 10s overwrites the start at 0. */
        restart_note_start(&h, 10 * S);
        assert_int_equal(fail_at(&p, &h, 10 * S).verdict, RESTART_VERDICT_FAIL);
        /* At 10.9s the start at 1s falls out. */
        assert_int_equal(fail_at(&p, &h, 10900 * MS).verdict, RESTART_VERDICT_RESTART);

        /* Long after every start, restarting is allowed again. */
        assert_int_equal(fail_at(&p, &h, 1000 * S).verdict, RESTART_VERDICT_RESTART);
        restart_history_done(&h);
}

static void test_start_limit_counts_projected_delay(void **state) {
        (void)state;
        /* A long backoff pushes the next start out of the interval. */
        struct restart_policy p = policy(RESTART_ALWAYS, 20 * S, 20 * S, 2, 15 * S);
        struct restart_history h = {};

        assert_int_equal(restart_history_reset(&h, &p), 0);
        restart_note_start(&h, 0);
        restart_note_start(&h, 1 * S);
        struct restart_decision d = fail_at(&p, &h, 2 * S);
        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
        assert_int_equal(d.delay, 20 * S);
        restart_history_done(&h);
}

static void test_modes(void **state) {
        (void)state;
        static const struct {
                enum restart_mode mode;
                bool failed;
                enum restart_verdict want;
        } cases[] = {
                { RESTART_NO, false, RESTART_VERDICT_STAY },
                { RESTART_NO, true, RESTART_VERDICT_STAY },
                { RESTART_ON_FAILURE, false, RESTART_VERDICT_STAY },
                { RESTART_ON_FAILURE, true, RESTART_VERDICT_RESTART },
                { RESTART_ALWAYS, false, RESTART_VERDICT_RESTART },
                { RESTART_ALWAYS, true, RESTART_VERDICT_RESTART },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct restart_policy p = policy(cases[i].mode, 100 * MS, 30 * S, 0, 60 * S);
                struct restart_history h = {};

                assert_int_equal(restart_history_reset(&h, &p), 0);
                struct restart_decision d = restart_decide(&p, &h, cases[i].failed, 0, 5 * S);
                assert_int_equal(d.verdict, cases[i].want);
                if (d.verdict == RESTART_VERDICT_RESTART) {
                        assert_int_equal(d.delay, 100 * MS);
                        assert_int_equal(h.attempt, 1);
                } else {
                        assert_int_equal(h.attempt, 0);
                }
                restart_history_done(&h);
        }
}

static void test_stay_never_fails(void **state) {
        (void)state;
        static const enum restart_mode modes[] = { RESTART_NO, RESTART_ON_FAILURE };

        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
                struct restart_policy p = policy(modes[i], 100 * MS, 30 * S, 2, 60 * S);
                struct restart_history h = {};

                assert_int_equal(restart_history_reset(&h, &p), 0);
                restart_note_start(&h, 0);
                restart_note_start(&h, 1 * S);
                /* The limit is exhausted, but a clean exit is not restarted: STAY. */
                assert_int_equal(restart_decide(&p, &h, false, 0, 2 * S).verdict,
                                 RESTART_VERDICT_STAY);
                assert_int_equal(restart_decide(&p, &h, true, 0, 2 * S).verdict,
                                 modes[i] == RESTART_NO ? RESTART_VERDICT_STAY : RESTART_VERDICT_FAIL);
                restart_history_done(&h);
        }
}

static void test_unlimited(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ALWAYS, 100 * MS, 30 * S, 0, 60 * S);
        struct restart_history h = {};
        usec_t now = 0;

        assert_int_equal(restart_history_reset(&h, &p), 0);
        assert_null(h.starts);
        for (int i = 0; i < 10000; i++) {
                restart_note_start(&h, now);
                now += 1 * MS;
                struct restart_decision d = fail_at(&p, &h, now);
                assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
                if (i >= 9) /* 100ms * 2^9 = 51.2s > 30s */
                        assert_int_equal(d.delay, 30 * S);
                else
                        assert_int_equal(d.delay, (100 * MS) << i);
                now += d.delay;
        }
        restart_history_done(&h);
}

static void test_no_overflow(void **state) {
        (void)state;
        const usec_t day = 24 * 3600 * S;
        const usec_t floors[] = { 1, 100 * MS, 7 * S, day };

        for (size_t f = 0; f < sizeof(floors) / sizeof(floors[0]); f++) {
                struct restart_policy p = policy(RESTART_ALWAYS, floors[f], day, 0, 60 * S);
                struct restart_history h = {};
                usec_t prev = 0;

                assert_int_equal(restart_history_reset(&h, &p), 0);
                for (int i = 0; i < 1000; i++) {
                        struct restart_decision d = fail_at(&p, &h, (usec_t)i * S);
                        assert_int_equal(d.verdict, RESTART_VERDICT_RESTART);
                        assert_true(d.delay >= floors[f]);
                        assert_true(d.delay <= day);
                        assert_true(d.delay >= prev); /* never wraps back down */
                        prev = d.delay;
                }
                assert_int_equal(prev, day);
                assert_true(h.attempt <= 64);
                restart_history_done(&h);
        }
}

static void test_zero_delay(void **state) {
        (void)state;
        struct restart_policy p = policy(RESTART_ALWAYS, 0, 0, 0, 60 * S);
        struct restart_history h = {};

        assert_int_equal(restart_history_reset(&h, &p), 0);
        for (int i = 0; i < 100; i++)
                assert_int_equal(fail_at(&p, &h, 0).delay, 0);
        restart_history_done(&h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_from_config),
                cmocka_unit_test(test_history_reset),
                cmocka_unit_test(test_backoff_sequence),
                cmocka_unit_test(test_backoff_reset_after_uptime),
                cmocka_unit_test(test_start_limit_hit_at_limit_plus_one),
                cmocka_unit_test(test_start_limit_of_one),
                cmocka_unit_test(test_start_limit_window_slides),
                cmocka_unit_test(test_start_limit_counts_projected_delay),
                cmocka_unit_test(test_modes),
                cmocka_unit_test(test_stay_never_fails),
                cmocka_unit_test(test_unlimited),
                cmocka_unit_test(test_no_overflow),
                cmocka_unit_test(test_zero_delay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
