#!/usr/bin/env bats
# sd_notify from containers (issue 6): each container has its own datagram socket at
# /run/sup/notify with NOTIFY_SOCKET pointing at it. notify = true: starting until
# READY=1 (start_timeout -> result timeout), dependents wait for readiness; STATUS= is
# status_text; watchdog = T: no WATCHDOG=1 within T -> result watchdog and a restart,
# WATCHDOG=trigger at once; only the container's own processes are heard.
#
# Senders: the host's systemd-notify (dynamically linked: those units have no rootfs,
# so the host's / is their lower layer) and build/tests/helpers/notify-send (static,
# copied into $T, used from the busybox image).

bats_require_minimum_version 1.5.0
load helpers

NOTIFY_SEND=${NOTIFY_SEND:-$ROOT/build/tests/helpers/notify-send}

setup_file() {
        ensure_rootfs
        [[ -x $NOTIFY_SEND ]] || make -C "$ROOT" "${NOTIFY_SEND#"$ROOT"/}" >/dev/null 2>&1 3>&- || :
}

setup() {
        sup_setup
        need_rootfs
        [[ -x $NOTIFY_SEND ]] || skip "build/tests/helpers/notify-send is not built (make check builds it)"
        write_supconf
        mkdir -p "$T/bin"
        cp "$NOTIFY_SEND" "$T/bin/notify-send"
        export SUPCTL
}

teardown() {
        # (sup_teardown with no MARK — sup_setup failed — would take every process for a leak)
        [[ -n ${MARK:-} ]] || return 0
        sup_teardown
}

need_systemd_notify() {
        command -v systemd-notify >/dev/null || skip "systemd-notify is not installed (Debian: systemd)"
}

# script NAME <<EOF — $T/NAME.sh for a unit to run with /bin/sh (@MARK@, @T@ substituted).
script() { sed -e "s|@MARK@|$MARK|g" -e "s|@T@|$T|g" >"$T/$1.sh"; }

# host_unit NAME KEYS — a container on the host's / (no rootfs) running $T/NAME.sh.
host_unit() {
        write_unit "$1.conf" <<EOF
container $1 {
    exec = {"/bin/sh", "@T@/$1.sh"}
    $2
}
EOF
}

# bb_unit NAME KEYS — a container of the busybox image running $T/NAME.sh.
bb_unit() {
        write_unit "$1.conf" <<EOF
container $1 {
    exec = {"/bin/sh", "@T@/$1.sh"}
    rootfs = "$ROOTFS"
    $2
}
EOF
}

# _has_pid NAME — the unit has a process.
_has_pid() { [[ $(field "$1" pid) =~ ^[0-9]+$ ]]; }

# not_started NAME — the unit has no process (pid null or 0) and never ran.
not_started() {
        local p
        p=$(field "$1" pid)
        [[ $p == null || $p == 0 ]] || fail "$1 has pid $p"
        assert_equal "$(field "$1" restarts)" 0
}

@test "notify: systemd-notify READY=1 ends starting, and only then do the units that require it start" {
        need_systemd_notify
        script db <<'EOF'
while [ ! -e @T@/go ]; do sleep 0.05; done
systemd-notify --status="db is up" --ready
exec sleep @MARK@
EOF
        host_unit db 'notify = true
    start_timeout = 60s'
        script app <<'EOF'
date +%s%N >@T@/app-started
exec sleep @MARK@
EOF
        bb_unit app 'requires = {"db"}'
        start_supd
        # db runs but is not ready: it stays starting, and app does not start.
        wait_for _db_has_pid
        sleep 1
        assert_equal "$(field db state)" starting
        [[ ! -e $T/app-started ]] || fail "app started before db was ready"
        not_started app
        : >"$T/go"
        wait_state db running
        wait_state app running
        wait_for file_lines_ge "$T/app-started" 1
        assert_equal "$(field db status_text)" "db is up"
        log_has 'db: ready'
}
_db_has_pid() { [[ $(field db pid) =~ ^[0-9]+$ ]]; }

@test "notify: the static sender works from the busybox image: READY=1, STATUS= as status_text, kept current" {
        script s <<'EOF'
[ "$NOTIFY_SOCKET" = /run/sup/notify ] && [ -S /run/sup/notify ] && echo socket-ok >@T@/env
# -l 1: the sender lives on a second, as a daemon calling sd_notify(3) does (see
# the last tests for senders that exit at once).
@T@/bin/notify-send -l 1 STATUS=warming
while [ ! -e @T@/go ]; do sleep 0.05; done
@T@/bin/notify-send -l 1 READY=1 "STATUS=serving 3 clients"
while [ ! -e @T@/go2 ]; do sleep 0.05; done
@T@/bin/notify-send -l 1 "STATUS=serving 4 clients"
exec sleep @MARK@
EOF
        bb_unit s 'notify = true'
        start_supd
        _st() { [[ $(field s status_text) == "$1" ]]; }
        wait_for _st warming
        assert_equal "$(field s state)" starting
        run -0 cat "$T/env"
        assert_output socket-ok
        : >"$T/go"
        wait_state s running
        wait_for _st "serving 3 clients"
        : >"$T/go2"
        wait_for _st "serving 4 clients"
        # supctl status NAME shows it too.
        run -0 "$SUPCTL" status s
        assert_output --partial "serving 4 clients"
}

@test "notify: a notify unit that never sends READY=1 ends with result timeout after start_timeout" {
        script slow <<'EOF'
exec sleep @MARK@
EOF
        bb_unit slow 'notify = true
    start_timeout = 1s
    restart = "no"'
        script dep <<'EOF'
exec sleep @MARK@
EOF
        bb_unit dep 'requires = {"slow"}'
        start_supd
        wait_state slow starting
        wait_state slow 'exited|failed' 10
        assert_equal "$(field slow result)" timeout
        # Its processes are gone, and its dependent never ran.
        wait_for no_procs_of "$MARK"
        not_started dep
}

@test "notify: a unit that stops sending WATCHDOG=1 within watchdog is ended (result watchdog) and restarted" {
        script wd <<'EOF'
echo "$WATCHDOG_USEC" >@T@/wd-usec
# Pings every 100ms until told to stop (the next runs find the file and never ping).
# Each sender lingers 1s in the background (supd must still find it in /proc).
while [ ! -e @T@/stop ]; do @T@/bin/notify-send -l 1 WATCHDOG=1 & sleep 0.1; done
exec sleep @MARK@
EOF
        bb_unit wd 'watchdog = 1s'
        start_supd
        wait_state wd running
        local pid
        pid=$(field wd pid)
        wait_for file_lines_ge "$T/wd-usec" 1
        assert_equal "$(cat "$T/wd-usec")" 1000000
        # Pinged: it lives well past its watchdog.
        sleep 2.5
        assert_equal "$(field wd pid)" "$pid"
        assert_equal "$(field wd restarts)" 0
        : >"$T/stop"
        wait_new_pid wd "$pid" 10
        run -0 grep -E 'wd: .*watchdog' "$SUPD_LOG"
        _restarted_for_watchdog() { (($(field wd restarts) >= 1)) && grep -q 'wd: .*(watchdog' "$SUPD_LOG"; }
        wait_for _restarted_for_watchdog
}

@test "notify: WATCHDOG=trigger ends it at once (result watchdog), then the restart policy decides" {
        script trig <<'EOF'
[ -e @T@/triggered ] && exec sleep @MARK@
while [ ! -e @T@/go ]; do @T@/bin/notify-send -l 1 WATCHDOG=1 & sleep 0.1; done
: >@T@/triggered
@T@/bin/notify-send -l 2 WATCHDOG=trigger
exec sleep @MARK@
EOF
        bb_unit trig 'watchdog = 60s
    restart = "no"'
        start_supd
        wait_state trig running
        : >"$T/go"
        # Well before the 60 s watchdog.
        wait_state trig 'exited|failed' 5
        assert_equal "$(field trig result)" watchdog
        wait_for no_procs_of "$MARK"
}

@test "notify: a process outside the container writing to its socket is ignored" {
        script quiet <<'EOF'
while [ ! -e @T@/go ]; do sleep 0.05; done
@T@/bin/notify-send -l 1 READY=1 "STATUS=from inside"
exec sleep @MARK@
EOF
        bb_unit quiet 'notify = true
    start_timeout = 60s'
        start_supd
        wait_state quiet starting
        wait_for _has_pid quiet
        local pid sock
        pid=$(field quiet pid)
        sock=/proc/$pid/root/run/sup/notify
        [[ -S $sock ]] || fail "no socket at $sock"
        # A host process, alive while supd looks it up.
        run -0 "$NOTIFY_SEND" -s "$sock" -l 2 READY=1 "STATUS=from outside"
        wait_for log_has 'not of this container, ignored'
        assert_equal "$(field quiet state)" starting
        assert_equal "$(field quiet status_text)" null
        # The same from inside is heard.
        : >"$T/go"
        wait_state quiet running
        assert_equal "$(field quiet status_text)" "from inside"
}

# The next two make the hard case certain: supd is stopped while the sender sends and
# exits and is reaped, so supd can no longer look it up in /proc when it reads the
# message. Only the kernel (the cgroup of the pidfd that came with the message) knows.

@test "notify: a sender inside the container that exits at once (like a one-shot sd_notify) is heard" {
        script once <<'EOF'
while [ ! -e @T@/go ]; do sleep 0.05; done
@T@/bin/notify-send READY=1 "STATUS=one-shot"
: >@T@/sent
exec sleep @MARK@
EOF
        bb_unit once 'notify = true
    start_timeout = 60s'
        start_supd
        wait_for _has_pid once
        kill -STOP "$SUPD_PID"
        : >"$T/go"
        # The shell waits for notify-send before it writes sent: the sender is reaped.
        # (wait_for_quiet: a stopped supd cannot answer wait_for's status dump.)
        wait_for_quiet 10 test -e "$T/sent" || { kill -CONT "$SUPD_PID"; fail "the script never got past notify-send"; }
        kill -CONT "$SUPD_PID"
        wait_state once running
        assert_equal "$(field once status_text)" one-shot
}

@test "notify: a sender outside the container that exits at once is ignored too" {
        script quiet <<'EOF'
exec sleep @MARK@
EOF
        bb_unit quiet 'notify = true
    start_timeout = 60s'
        start_supd
        wait_for _has_pid quiet
        local pid
        pid=$(field quiet pid)
        kill -STOP "$SUPD_PID"
        # notify-send exits right after sendto(2) and run reaps it before supd reads.
        run "$NOTIFY_SEND" -s "/proc/$pid/root/run/sup/notify" READY=1 "STATUS=from outside"
        kill -CONT "$SUPD_PID"
        assert_success
        wait_for log_has 'not of this container, ignored'
        assert_equal "$(field quiet state)" starting
        assert_equal "$(field quiet status_text)" null
}
