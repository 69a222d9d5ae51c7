#!/usr/bin/env bats
# Reload (supctl reload and SIGHUP): add, remove, change; a broken file is refused.

bats_require_minimum_version 1.5.0
load helpers

unit_sleep() { # NAME MARKER [EXTRA LINE]
        write_unit "$1.conf" <<EOF
container $1 {
    exec = {"/bin/sh", "-c", "exec sleep $2"}
    ${3:-}
}
EOF
}

reload_scenario() {
        unit_sleep keep "${MARK}1"
        unit_sleep change "${MARK}2" 'env = {"X=1"}'
        unit_sleep remove "${MARK}3"
        start_supd $(pid1_flag "$1")
        wait_state keep running
        wait_state change running
        wait_state remove running
        local keep change add
        keep=$(field keep pid) change=$(field change pid)

        unit_sleep change "${MARK}2" 'env = {"X=2"}'
        rm "$CFG/units/remove.conf"
        unit_sleep add "${MARK}4"
        run -0 "$SUPCTL" reload
        wait_state add running
        wait_for unit_absent remove
        wait_for -t 5 no_procs_of "${MARK}3"
        wait_state change running
        [[ $(field change pid) != "$change" ]] || fail "changed unit was not restarted (pid $change)"
        assert_equal "$(field keep pid)" "$keep"
        assert_equal "$(field keep state)" running
        assert_equal "$(field keep restarts)" 0
        change=$(field change pid) add=$(field add pid)

        # A broken file: reload fails with file:line and the running config stays.
        write_unit add.conf <<'EOF'
container add {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@4"}
    no_such_key = 1
}
EOF
        unit_sleep keep "${MARK}5" # would change keep if applied
        run -1 --separate-stderr "$SUPCTL" reload
        echo "stderr: $stderr"
        assert [ -n "$stderr" ]
        [[ $stderr == *add.conf:3* ]] || fail "reload error does not name add.conf:3: $stderr"
        assert_equal "$(field keep pid)" "$keep"
        assert_equal "$(field change pid)" "$change"
        assert_equal "$(field add pid)" "$add"
        assert_equal "$(field add state)" running
        assert_equal "$(field add load)" loaded
        run -1 procs_of "${MARK}5"
}

@test "reload: adds, removes and restarts changed units; unchanged keep their pid; refuses a broken file (plain)" {
        reload_scenario plain
}
@test "reload: adds, removes and restarts changed units; unchanged keep their pid; refuses a broken file (pid1)" {
        reload_scenario pid1
}

sighup_reload() {
        unit_sleep keep "${MARK}1"
        start_supd $(pid1_flag "$1")
        wait_state keep running
        local keep
        keep=$(field keep pid)
        unit_sleep add "${MARK}2"
        kill -HUP "$SUPD_PID"
        wait_state add running
        assert_equal "$(field keep pid)" "$keep"
        wait_for has_procs "${MARK}2"
        # supd is still there and answering.
        run -0 "$SUPCTL" status
}

@test "reload: SIGHUP reloads the units (plain)" { sighup_reload plain; }
@test "reload: SIGHUP reloads the units (pid1)" { sighup_reload pid1; }

@test "reload: reloading unchanged files restarts nothing" {
        unit_sleep a "${MARK}1" 'description = "same"'
        start_supd
        wait_state a running
        local pid
        pid=$(field a pid)
        run -0 "$SUPCTL" reload
        run -0 "$SUPCTL" reload
        assert_equal "$(field a pid)" "$pid"
        assert_equal "$(field a state)" running
}
