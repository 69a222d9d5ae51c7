/* The unit state machine, driven without forking. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unitsm.h"

static int success_zero[] = { 0 };

static struct unit_config base_config(enum restart_mode mode, unsigned start_limit) {
        static char *exec[] = { "/bin/true", NULL };
        static char *none[] = { NULL };
        return (struct unit_config){
                .name = "u", .exec = exec, .env = none, .requires = none,
                .autostart = true, .restart = mode,
                .restart_delay = 100 * USEC_PER_MSEC, .restart_delay_max = 30 * USEC_PER_SEC,
                .restart_reset = 60 * USEC_PER_SEC, .start_limit = start_limit,
                .start_limit_interval = 60 * USEC_PER_SEC,
                .success_exit_status = success_zero, .n_success_exit_status = 1,
                .stop_signal = SIGTERM, .stop_timeout = 10 * USEC_PER_SEC,
        };
}

static const struct unit_event_data ready = { .deps_ready = true };

static struct unit_event_data exited(int code) {
        return (struct unit_event_data){ .code = CLD_EXITED, .status = code, .deps_ready = true };
}

static void start_running(struct unit_sm *sm, usec_t now) {
        struct unit_step st = unit_sm_event(sm, EV_START, &ready, now);
        assert_true(st.actions & ACT_SPAWN);
        assert_int_equal(sm->state, UNIT_STARTING);
        unit_sm_event(sm, EV_EXEC_OK, NULL, now);
        assert_int_equal(sm->state, UNIT_RUNNING);
}

static void test_start_waits_for_deps(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        struct unit_event_data not_ready = { .deps_ready = false };
        struct unit_step st = unit_sm_event(&sm, EV_START, &not_ready, 0);
        assert_false(st.actions & ACT_SPAWN);
        assert_int_equal(sm.state, UNIT_STARTING);
        assert_false(sm.spawned);
        st = unit_sm_event(&sm, EV_DEPS_READY, NULL, 5);
        assert_true(st.actions & ACT_SPAWN);
        assert_true(sm.spawned);
        unit_sm_done(&sm);
}

static void test_failure_backs_off_and_doubles(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        usec_t now = 0, expect = 100 * USEC_PER_MSEC;
        start_running(&sm, now);
        for (int i = 0; i < 5; i++) {
                struct unit_event_data d = exited(1);
                struct unit_step st = unit_sm_event(&sm, EV_EXITED, &d, now + USEC_PER_MSEC);
                assert_int_equal(sm.state, UNIT_BACKOFF);
                assert_int_equal(sm.result, RESULT_EXIT_CODE);
                assert_int_equal(sm.exit_status, 1);
                assert_true(st.actions & ACT_ARM_TIMER);
                assert_int_equal(st.timer, expect);
                expect *= 2;
                now += USEC_PER_SEC;
                st = unit_sm_event(&sm, EV_TIMER, &ready, now);
                assert_true(st.actions & ACT_SPAWN);
                assert_int_equal(sm.restarts, (unsigned)i + 1);
        }
        unit_sm_done(&sm);
}

static void test_start_limit_fails(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 3);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        usec_t now = 0;
        start_running(&sm, now);
        for (int i = 0; i < 2; i++) {
                struct unit_event_data d = exited(1);
                unit_sm_event(&sm, EV_EXITED, &d, now += 1000);
                assert_int_equal(sm.state, UNIT_BACKOFF);
                unit_sm_event(&sm, EV_TIMER, &ready, now += USEC_PER_SEC);
        }
        struct unit_event_data d = exited(1);
        unit_sm_event(&sm, EV_EXITED, &d, now += 1000);
        assert_int_equal(sm.state, UNIT_FAILED);
        /* A manual start leaves failed with a fresh history. */
        struct unit_step st = unit_sm_event(&sm, EV_START, &ready, now + 1);
        assert_true(st.actions & ACT_SPAWN);
        assert_int_equal(sm.state, UNIT_STARTING);
        unit_sm_done(&sm);
}

static void test_restart_no_stays_exited(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_NO, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        struct unit_event_data d = exited(1);
        struct unit_step st = unit_sm_event(&sm, EV_EXITED, &d, 10);
        assert_int_equal(sm.state, UNIT_EXITED);
        assert_int_equal(sm.result, RESULT_EXIT_CODE);
        assert_false(st.actions & (ACT_SPAWN | ACT_ARM_TIMER));
        unit_sm_done(&sm);
}

static void test_on_failure_success_exit_stays(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        struct unit_event_data d = exited(0);
        unit_sm_event(&sm, EV_EXITED, &d, 10);
        assert_int_equal(sm.state, UNIT_EXITED);
        assert_int_equal(sm.result, RESULT_SUCCESS);
        unit_sm_done(&sm);
}

static void test_signal_death_is_failure(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        struct unit_event_data d = { .code = CLD_KILLED, .status = SIGSEGV, .deps_ready = true };
        unit_sm_event(&sm, EV_EXITED, &d, 10);
        assert_int_equal(sm.state, UNIT_BACKOFF);
        assert_int_equal(sm.result, RESULT_SIGNAL);
        assert_int_equal(sm.exit_status, 128 + SIGSEGV);
        unit_sm_done(&sm);
}

static void test_stop_escalates_to_kill(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ALWAYS, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        struct unit_step st = unit_sm_event(&sm, EV_STOP, NULL, 10);
        assert_int_equal(sm.state, UNIT_STOPPING);
        assert_true(st.actions & ACT_SEND_STOP);
        assert_true(st.actions & ACT_ARM_TIMER);
        assert_int_equal(st.timer, 10 * USEC_PER_SEC);
        st = unit_sm_event(&sm, EV_STOP_TIMEOUT, NULL, 10 * USEC_PER_SEC + 10);
        assert_true(st.actions & ACT_KILL);
        struct unit_event_data d = { .code = CLD_KILLED, .status = SIGKILL, .deps_ready = true };
        st = unit_sm_event(&sm, EV_EXITED, &d, 10 * USEC_PER_SEC + 20);
        /* A requested stop is never restarted, even with restart = always. */
        assert_int_equal(sm.state, UNIT_EXITED);
        assert_int_equal(sm.result, RESULT_TIMEOUT);
        assert_false(st.actions & ACT_SPAWN);
        unit_sm_done(&sm);
}

static void test_clean_stop_is_success(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        unit_sm_event(&sm, EV_STOP, NULL, 10);
        struct unit_event_data d = { .code = CLD_KILLED, .status = SIGTERM, .deps_ready = true };
        unit_sm_event(&sm, EV_EXITED, &d, 20);
        assert_int_equal(sm.state, UNIT_EXITED);
        assert_int_equal(sm.result, RESULT_SUCCESS);
        assert_int_equal(sm.exit_status, 128 + SIGTERM);
        unit_sm_done(&sm);
}

static void test_restart_running_stops_then_starts(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_NO, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        struct unit_step st = unit_sm_event(&sm, EV_RESTART, &ready, 10);
        assert_true(st.actions & ACT_SEND_STOP);
        assert_int_equal(sm.state, UNIT_STOPPING);
        struct unit_event_data d = { .code = CLD_KILLED, .status = SIGTERM, .deps_ready = true };
        st = unit_sm_event(&sm, EV_EXITED, &d, 20);
        assert_true(st.actions & ACT_SPAWN);
        assert_int_equal(sm.state, UNIT_STARTING);
        unit_sm_done(&sm);
}

static void test_spawn_error_result(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        unit_sm_event(&sm, EV_START, &ready, 0);
        struct unit_event_data d = { .code = CLD_EXITED, .status = 127, .spawn_failed = true, .deps_ready = true };
        unit_sm_event(&sm, EV_EXITED, &d, 10);
        assert_int_equal(sm.result, RESULT_SPAWN_ERROR);
        assert_int_equal(sm.state, UNIT_BACKOFF);
        unit_sm_done(&sm);
}

static void test_stop_in_backoff(void **state) {
        (void)state;
        struct unit_config c = base_config(RESTART_ON_FAILURE, 0);
        struct unit_sm sm;
        assert_int_equal(unit_sm_init(&sm, &c), 0);
        start_running(&sm, 0);
        struct unit_event_data d = exited(3);
        unit_sm_event(&sm, EV_EXITED, &d, 10);
        assert_int_equal(sm.state, UNIT_BACKOFF);
        struct unit_step st = unit_sm_event(&sm, EV_STOP, NULL, 20);
        assert_true(st.actions & ACT_DISARM_TIMER);
        assert_int_equal(sm.state, UNIT_EXITED);
        assert_false(unit_sm_is_active(&sm));
        /* A late timer does nothing. */
        st = unit_sm_event(&sm, EV_TIMER, &ready, 30);
        assert_int_equal(st.actions, 0);
        unit_sm_done(&sm);
}

static void test_names(void **state) {
        (void)state;
        assert_string_equal(unit_state_to_string(UNIT_BACKOFF), "backoff");
        assert_string_equal(unit_result_to_string(RESULT_OOM_KILL), "oom-kill");
        assert_string_equal(unit_result_to_string(RESULT_SPAWN_ERROR), "spawn-error");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_start_waits_for_deps),
                cmocka_unit_test(test_failure_backs_off_and_doubles),
                cmocka_unit_test(test_start_limit_fails),
                cmocka_unit_test(test_restart_no_stays_exited),
                cmocka_unit_test(test_on_failure_success_exit_stays),
                cmocka_unit_test(test_signal_death_is_failure),
                cmocka_unit_test(test_stop_escalates_to_kill),
                cmocka_unit_test(test_clean_stop_is_success),
                cmocka_unit_test(test_restart_running_stops_then_starts),
                cmocka_unit_test(test_spawn_error_result),
                cmocka_unit_test(test_stop_in_backoff),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
