#!/usr/bin/env bats
# supd as PID 1 (of a fresh PID+mount namespace): the signal -> shutdown paths, supctl
# poweroff|reboot|halt, strays and orphans, and "PID 1 never exits on an error".
# In a PID namespace reboot(2) ends the namespace: the kernel kills its init with
# SIGINT for power-off and halt and with SIGHUP for restart, so unshare exits 130 / 129.

bats_require_minimum_version 1.5.0
load helpers

two_units() {
        write_unit units.conf <<'EOF2'
container a {
    exec = {"/bin/sh", "-c", "trap 'echo a-stop >> @T@/order; exit 0' TERM; sleep @MARK@ & wait"}
}
container b {
    requires = {"a"}
    exec = {"/bin/sh", "-c", "trap 'echo b-stop >> @T@/order; exit 0' TERM; sleep @MARK@ & wait"}
}
EOF2
}

# shutdown_by HOW EXPECTED_EXIT ACTION — HOW is a signal name or a supctl command.
shutdown_by() {
        local how=$1 want=$2 action=$3
        two_units
        start_supd --pid1
        wait_state a running
        wait_state b running
        case $how in
        poweroff | reboot | halt) run "$SUPCTL" "$how"; [ "$status" -eq 0 ] ;;
        *) kill -s "$how" "$SUPD_PID" ;;
        esac
        wait_for -t 20 launcher_gone
        wait "$SUPD_LAUNCHER" && SUPD_EXIT=0 || SUPD_EXIT=$?
        SUPD_LAUNCHER=''
        [ "$SUPD_EXIT" -eq "$want" ] || { echo "# unshare exited $SUPD_EXIT, wanted $want"; dump_log; false; }
        log_has "shutting down for $action"
        log_has "all units stopped"
        log_has "sending SIGTERM to all processes"
        log_has "syncing, then $action"
        # Units stopped in reverse dependency order.
        run cat "$T/order"
        [ "${lines[0]}" = b-stop ]
        [ "${lines[1]}" = a-stop ]
        # Nothing of the namespace is left.
        wait_for -t 5 no_procs "$MARK"
}

@test "pid1: SIGTERM powers off: units stop in reverse order, the namespace ends" { shutdown_by TERM 130 poweroff; }
@test "pid1: SIGINT (ctrl-alt-del) reboots" { shutdown_by INT 129 reboot; }
@test "pid1: SIGUSR1 halts" { shutdown_by USR1 130 halt; }
@test "pid1: SIGUSR2 powers off" { shutdown_by USR2 130 poweroff; }
@test "pid1: SIGPWR powers off" { shutdown_by PWR 130 poweroff; }
@test "pid1: supctl poweroff" { shutdown_by poweroff 130 poweroff; }
@test "pid1: supctl reboot" { shutdown_by reboot 129 reboot; }
@test "pid1: supctl halt" { shutdown_by halt 130 halt; }

@test "pid1: supctl poweroff to a supd that is not PID 1 is refused" {
        two_units
        start_supd
        wait_state a running
        run "$SUPCTL" poweroff
        [ "$status" -eq 1 ]
        [[ $output == *"not PID 1"* ]]
        wait_state a running
}

@test "pid1: a stray process that ignores SIGTERM is killed after shutdown_timeout" {
        echo 'shutdown_timeout = 1s' >"$CFG/sup.conf"
        two_units
        start_supd --pid1
        wait_state b running
        # Processes of the namespace that belong to no unit, deaf to SIGTERM: one an
        # orphan (supd's child), one below a live parent that ignores SIGTERM too.
        nsenter -t "$SUPD_PID" -p -m -- /bin/sh -c "(trap '' TERM; exec sleep $MARK) & exit 0" </dev/null >/dev/null 2>&1 3>&-
        nsenter -t "$SUPD_PID" -p -m -- /bin/sh -c "trap '' TERM; sleep $MARK; :" </dev/null >/dev/null 2>&1 3>&- &
        wait_for procs_count_ge "$MARK" 4
        kill -TERM "$SUPD_PID"
        wait_for -t 20 launcher_gone
        wait "$SUPD_LAUNCHER" || true
        SUPD_LAUNCHER=''
        log_has "sending SIGKILL to the processes still there"
        wait_for -t 5 no_procs "$MARK"
}

@test "pid1: orphans reparented to supd are reaped" {
        two_units
        start_supd --pid1
        wait_state a running
        # In the namespace: a parent that exits at once, leaving a short-lived orphan.
        nsenter -t "$SUPD_PID" -p -m -- /bin/sh -c "sh -c 'sleep 0.3 &'; exit 0" </dev/null >/dev/null 2>&1 3>&-
        # Give the orphan time to become a zombie; supd must have reaped it by then.
        wait_for -t 5 no_zombies_of "$SUPD_PID"
        sleep_orphans() { pgrep -P "$SUPD_PID" -f "sleep 0.3" >/dev/null; }
        wait_for -t 5 eval '! sleep_orphans'
        [ -z "$(zombies_of "$SUPD_PID")" ]
}

@test "pid1: a broken sup.conf is reported and supd runs the units with defaults" {
        printf 'shutdown_timeout = soon\nwhat = 1\n' >"$CFG/sup.conf"
        two_units
        start_supd --pid1
        wait_state a running
        wait_state b running
        log_has "sup.conf:1: shutdown_timeout: invalid duration 'soon'"
        log_has "sup.conf:2: no such option 'what'"
}

@test "pid1: supd that cannot start its manager stays up as PID 1 (never exits)" {
        # The run dir cannot be created: a file stands in the way.
        : >"$T/blocker"
        unshare --fork --pid --mount --mount-proc \
                "$SUPD" -c "$CFG" --run-dir "$T/blocker/run" </dev/null >>"$SUPD_LOG" 2>&1 3>&- &
        SUPD_LAUNCHER=$!
        wait_for -t 5 _find_ns_child
        wait_for -t 5 log_has "PID 1 stays up"
        # Still there: it did not exit after logging.
        ! launcher_gone
        kill -KILL "$SUPD_PID"
        wait_for -t 5 launcher_gone
        wait "$SUPD_LAUNCHER" || true
        SUPD_LAUNCHER=''
}
