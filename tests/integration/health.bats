#!/usr/bin/env bats
# Health checks (issue 6): health { exec interval timeout retries start_period } runs
# the command inside the running container every interval; after `retries` failures
# or timeouts in a row the result is unhealthy and the restart policy decides. State
# (starting|healthy|unhealthy) and the last output line show in supctl status
# ("health", "health_output" in --json). Containers of the busybox image.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        ensure_rootfs
}

setup() {
        sup_setup
        need_rootfs
        write_supconf
        export SUPCTL
}

teardown() {
        # (sup_teardown with no MARK — sup_setup failed — would take every process for a leak)
        [[ -n ${MARK:-} ]] || return 0
        sup_teardown
}

# hunit NAME HEALTH-KEYS [UNIT KEYS] — a busybox container sleeping, with a health section.
hunit() {
        write_unit "$1.conf" <<EOF
container $1 {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "$ROOTFS"
    $3
    health {
        $2
    }
}
EOF
}

health_is() { [[ $(field "$1" health) == "$2" ]]; }

@test "health: a healthy container is left alone, health healthy with the check's last output line" {
        hunit ok 'exec = {"/bin/sh", "-c", "echo first; echo all good"}
        interval = 200ms
        timeout = 150ms
        retries = 2'
        start_supd
        wait_state ok running
        local pid
        pid=$(field ok pid)
        wait_for health_is ok healthy
        assert_equal "$(field ok health_output)" "all good"
        # Many intervals later: same process, no restart, still healthy.
        sleep 2
        assert_equal "$(field ok pid)" "$pid"
        assert_equal "$(field ok restarts)" 0
        assert_equal "$(field ok health)" healthy
        run -0 "$SUPCTL" status ok
        assert_output --partial healthy
}

@test "health: checks run inside the container (its filesystem, its PID namespace)" {
        hunit inside 'exec = {"/bin/sh", "-c", "test -e /bin/busybox && test ! -e /work && echo pid1-is-$(cat /proc/1/comm)"}
        interval = 200ms'
        start_supd
        wait_for health_is inside healthy
        # init = true (write_unit): the container's PID 1 is its reaper, not a host process.
        run -0 field inside health_output
        assert_output --regexp '^pid1-is-'
        refute_output pid1-is-systemd
}

@test "health: an unhealthy container (retries failures in a row) ends with result unhealthy and is restarted" {
        hunit sick 'exec = {"/bin/sh", "-c", "echo not feeling well; exit 1"}
        interval = 200ms
        timeout = 150ms
        retries = 3' 'restart = "always"'
        start_supd
        wait_state sick running
        local pid
        pid=$(field sick pid)
        wait_new_pid sick "$pid" 15
        wait_for log_has 'sick: health: unhealthy after 3 failed check(s)'
        run -0 grep -F 'sick: backoff (unhealthy' "$SUPD_LOG"
        assert_equal "$(field sick result)" unhealthy
        (($(field sick restarts) >= 1))
        wait_for _output_is sick 'not feeling well'
}
_output_is() { [[ $(field "$1" health_output) == "$2" ]]; }

@test "health: healthy, then failing: unhealthy only after retries failures; restart = no leaves it exited" {
        hunit flip 'exec = {"/bin/sh", "-c", "if [ -e @T@/sick ]; then echo sick; exit 1; fi; echo fine"}
        interval = 200ms
        retries = 3' 'restart = "no"'
        start_supd
        wait_for health_is flip healthy
        : >"$T/sick"
        wait_state flip 'exited|failed' 10
        assert_equal "$(field flip result)" unhealthy
        run -0 grep -F 'flip: health: check failed (1 of 3)' "$SUPD_LOG"
        run -0 grep -F 'flip: health: check failed (2 of 3)' "$SUPD_LOG"
        wait_for no_procs_of "$MARK"
}

@test "health: a check that hangs past timeout counts as a failure" {
        hunit hang 'exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
        interval = 300ms
        timeout = 200ms
        retries = 2' 'restart = "no"'
        start_supd
        wait_state hang 'exited|failed' 15
        assert_equal "$(field hang result)" unhealthy
        # The hung checks (and the app) are gone.
        wait_for no_procs_of "$MARK"
}

@test "health: failures within start_period do not count" {
        hunit slowstart 'exec = {"/bin/sh", "-c", "test -e @T@/up && echo up"}
        interval = 200ms
        retries = 2
        start_period = 3s' 'restart = "no"'
        start_supd
        wait_state slowstart running
        local pid
        pid=$(field slowstart pid)
        # 2 s of failing checks inside the 3 s start period: still starting, not ended.
        sleep 2
        assert_equal "$(field slowstart pid)" "$pid"
        assert_equal "$(field slowstart health)" starting
        : >"$T/up"
        wait_for health_is slowstart healthy
        assert_equal "$(field slowstart pid)" "$pid"
        assert_equal "$(field slowstart restarts)" 0
}
