#!/usr/bin/env bats
# supd as a systemd service (issue 6): a real systemd 252 is PID 1 of a throw-away
# sandbox (tests/system/lib/sandbox.bash: dedicated cgroups, new cgroup/mount/PID/UTS/IPC
# namespaces, an overlay of / with a tmpfs upper, fresh proc and sysfs, under
# timeout -s KILL) and runs units/supd.service (a copy: ExecStart is build/supd with the
# test's config in /results/cfg, WatchdogSec short). systemctl, journalctl and supctl
# run inside it through nsenter. Containers use the demo image and the static notify-send.

bats_require_minimum_version 1.5.0
load ../integration/helpers
load lib/sandbox

NOTIFY_SEND=${NOTIFY_SEND:-$ROOT/build/tests/helpers/notify-send}

setup_file() {
        ensure_rootfs
        [[ -x $NOTIFY_SEND ]] || make -C "$ROOT" "${NOTIFY_SEND#"$ROOT"/}" >/dev/null 2>&1 3>&- || :
}

setup() {
        sup_setup
        need_rootfs
        local why
        why=$(sb_can_run) || skip "$why"
        [[ -x $NOTIFY_SEND ]] || skip "build/tests/helpers/notify-send is not built"
        SB_NAME=$MARK
        sb_init "$T/sb"
        R=$SB/results
        mkdir -p "$R/cfg/units" "$R/bin"
        cp "$NOTIFY_SEND" "$R/bin/notify-send"
        printf 'state_dir = "/run/sup-state"\n' >"$R/cfg/sup.conf"
        service_unit 3s
}

teardown() {
        # (sup_teardown with no MARK — sup_setup failed — would take every process for a leak)
        [[ -n ${MARK:-} ]] || return 0
        if [[ -z ${BATS_TEST_COMPLETED:-} && -n ${SB_PID:-} ]]; then
                echo "# ---- sandbox: systemctl status supd ----"
                sb_systemctl status supd 2>&1 | sed 's/^/#   /'
                echo "# ---- sandbox: journal (last 60) ----"
                sb_journalctl -n 60 -o short-monotonic 2>&1 | sed 's/^/#   /'
        fi
        sb_stop
        sup_teardown
}

# service_unit WATCHDOGSEC — the test's copy of units/supd.service.
service_unit() {
        sed -e "s|^ExecStart=.*|ExecStart=$ROOT/build/supd --config /results/cfg --run-dir /run/sup|" \
                -e "s|^WatchdogSec=.*|WatchdogSec=$1|" "$ROOT/units/supd.service" >"$SB/units/supd.service"
        grep -q '^Type=notify' "$SB/units/supd.service" || fail "units/supd.service is not Type=notify"
}

# ctr NAME SCRIPT [KEYS] — a busybox container running SCRIPT (in /results/NAME.sh; @MARK@
# substituted; /results is a volume), init = true.
ctr() {
        sed "s|@MARK@|$MARK|g" >"$R/$1.sh" <<<"$2"
        cat >"$R/cfg/units/$1.conf" <<EOF
container $1 {
    exec = {"/bin/sh", "/results/$1.sh"}
    rootfs = "$ROOTFS"
    init = true
    volume "/results" { source = "/results" }
    $3
}
EOF
}

supd_state() { sb_systemctl show -p ActiveState --value supd; }
supd_is() { [[ $(supd_state) == "$1" ]]; }
sctl() { sb_exec env SUP_SOCKET=/run/sup/control.sock "$SUPCTL" "$@"; }
sfield() { sctl status --json | jq -r --arg n "$1" --arg k "$2" '.units[] | select(.name == $n) | .[$k]'; }
sstate_is() { [[ $(sfield "$1" state) =~ ^($2)$ ]]; }
supd_pid() { sb_child_pid "^$ROOT/build/supd --config /results/cfg"; }
# ctr_procs — host pids of this test's container apps (sleep MARK).
ctr_procs() { procs_of "$MARK"; }
ctr_procs_eq() { [[ $(ctr_procs | wc -l) -eq $1 ]]; }

@test "systemd: supd becomes active only after READY=1, once every autostart unit is ready; StatusText has the summary" {
        ctr late 'while [ ! -e /results/go ]; do sleep 0.05; done
/results/bin/notify-send -l 1 READY=1
exec sleep @MARK@' 'notify = true
    start_timeout = 60s'
        ctr plain 'exec sleep @MARK@'
        sb_start 240
        wait_for -t 30 supd_is activating
        wait_for -t 10 sstate_is plain running
        # late is not ready: supd has not told systemd READY=1 yet.
        sleep 2
        assert_equal "$(supd_state)" activating
        assert_equal "$(sfield late state)" starting
        : >"$R/go"
        wait_for -t 20 supd_is active
        run -0 sb_systemctl is-active supd
        assert_output active
        _status_has() { [[ $(sb_systemctl show -p StatusText --value supd) == *"$1"* ]]; }
        wait_for -t 10 _status_has "2 running"
        run -0 sb_systemctl show -p StatusText --value supd
        assert_output --regexp '^2 running'
}

@test "systemd: container lines are in journalctl -u supd with CONTAINER_NAME" {
        ctr talker 'echo hello-from-talker; echo oops-from-talker >&2; exec sleep @MARK@'
        sb_start 240
        wait_for -t 30 supd_is active
        _in_journal() { sb_journalctl -u supd -o cat | grep -qx "$1"; }
        wait_for -t 15 _in_journal hello-from-talker
        wait_for -t 15 _in_journal oops-from-talker
        local e
        e=$(sb_journalctl -u supd -o json | jq -c 'select(.MESSAGE == "hello-from-talker")' | tail -n 1)
        assert_equal "$(jq -r .CONTAINER_NAME <<<"$e")" talker
        assert_equal "$(jq -r .SYSLOG_IDENTIFIER <<<"$e")" talker
        assert_equal "$(jq -r .PRIORITY <<<"$e")" 6
        assert_equal "$(jq -r ._SYSTEMD_UNIT <<<"$e")" supd.service
        e=$(sb_journalctl -u supd -o json | jq -c 'select(.MESSAGE == "oops-from-talker")' | tail -n 1)
        assert_equal "$(jq -r .PRIORITY <<<"$e")" 3
        # supd's own messages about the unit are there too.
        run -0 sb_journalctl -u supd -o cat SUP_UNIT=talker
        assert_output --partial 'talker: started'
}

@test "systemd: systemctl stop supd stops the containers within their stop_timeout" {
        ctr quick 'exec sleep @MARK@'
        # Ignores SIGTERM (init = false: the shell is PID 1 and traps it): SIGKILL after 2 s.
        ctr stubborn "trap '' TERM; sleep @MARK@ & while :; do wait; done" 'stop_timeout = 2s
    init = false'
        sb_start 240
        wait_for -t 30 supd_is active
        wait_for -t 10 ctr_procs_eq 2
        local t0 t1
        t0=$(date +%s%N)
        run -0 timeout 60 nsenter -t "$SB_PID" -a -r -w -- systemctl stop supd
        t1=$(date +%s%N)
        local ms=$(((t1 - t0) / 1000000))
        echo "# systemctl stop supd took ${ms} ms" >&3
        ((ms >= 1500)) || fail "stop took ${ms} ms: stubborn's stop_timeout (2 s) was not waited for"
        ((ms < 15000)) || fail "stop took ${ms} ms"
        wait_for -t 5 no_procs_of "$MARK"
        assert_equal "$(supd_state)" inactive
        run -0 sb_journalctl -u supd -o cat
        assert_output --partial 'stubborn: stopping'
}

@test "systemd: supd killed with SIGKILL is restarted by systemd, and nothing leaks or runs twice" {
        ctr a 'exec sleep @MARK@'
        ctr b 'exec sleep @MARK@'
        sb_start 240
        wait_for -t 30 supd_is active
        wait_for -t 10 ctr_procs_eq 2
        local old new olda
        old=$(supd_pid)
        olda=$(ctr_procs | sort)
        kill -KILL "$old"
        _new_supd() { local p; p=$(supd_pid) && [[ $p != "$old" ]]; }
        wait_for -t 30 _new_supd
        wait_for -t 30 supd_is active
        new=$(supd_pid)
        wait_for -t 15 sstate_is a running
        wait_for -t 15 sstate_is b running
        # The old containers are gone, the new ones run once each.
        wait_for -t 10 ctr_procs_eq 2
        local p
        for p in $olda; do
                ! kill -0 "$p" 2>/dev/null || fail "old container process $p still runs"
        done
        (($(sb_systemctl show -p NRestarts --value supd) >= 1))
        # No stale mounts of the old run in supd's namespace.
        run -1 grep -c "/run/sup/containers/.*" <(awk '{ print $5 }' "/proc/$new/mountinfo" | sort | uniq -d)
}

@test "systemd: a SIGSTOPped supd is killed by the watchdog (WatchdogSec) and restarted" {
        ctr w 'exec sleep @MARK@'
        sb_start 240
        wait_for -t 30 supd_is active
        wait_for -t 10 ctr_procs_eq 1
        local old
        old=$(supd_pid)
        kill -STOP "$old"
        _new_supd() { local p; p=$(supd_pid) && [[ $p != "$old" ]]; }
        # WatchdogSec=3s: well within 30 s.
        wait_for -t 30 _new_supd
        # systemd says why (its own message about the unit).
        _said() { sb_journalctl -u supd -o cat | grep -q 'Watchdog timeout'; }
        wait_for -t 10 _said
        wait_for -t 30 supd_is active
        (($(sb_systemctl show -p NRestarts --value supd) >= 1))
        wait_for -t 15 sstate_is w running
        wait_for -t 10 ctr_procs_eq 1
}
