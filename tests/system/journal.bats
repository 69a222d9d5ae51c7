#!/usr/bin/env bats
# Container logs into a real systemd-journald (issue 6): journald runs by itself in a
# private mount namespace of the test's own (tests/system/lib/journald.bash: tmpfs /run,
# /var/log/journal, a journald.conf without rate limits), supd runs in that namespace
# with log_target = "journal", and the tests read the journal back with journalctl -o
# json in the same namespace. Containers use the demo image (build/rootfs/busybox).

bats_require_minimum_version 1.5.0
load ../integration/helpers
load lib/journald

setup_file() {
        ensure_rootfs
}

setup() {
        sup_setup
        need_rootfs
        local why
        why=$(jd_can_run) || skip "$why"
        jd_start "$T/journald" || fail "cannot start a test journald"
        write_supconf 'log_target = "journal"'
        jd_wrap_supd "$T/supd-in-ns" "$SUPD"
        SUPD=$T/supd-in-ns
        export SUPCTL
}

teardown() {
        # (sup_teardown with no MARK — sup_setup failed — would take every process for a leak)
        local rc=0
        [[ -n ${MARK:-} ]] && { sup_teardown || rc=1; }
        if [[ -z ${BATS_TEST_COMPLETED:-} && -n ${JD_HOLDER:-} ]]; then
                echo "# ---- the test journal (last 40) ----"
                jd_exec journalctl -q --no-pager -n 40 -o short-monotonic 2>&1 | sed 's/^/# /'
                echo "# (journalctl: ${PIPESTATUS[0]})"
                echo "# ---- journald.out ----"
                sed 's/^/# /' "$T/journald/journald.out" 2>/dev/null
        fi
        jd_stop
        return $rc
}

# ctr NAME SCRIPT [EXTRA KEYS] — a busybox container running SCRIPT with sh (written to
# $T/NAME.sh, which the container sees through a volume; @MARK@ substituted; end it in
# `exec sleep @MARK@` to keep running); init = true so it stops at once.
ctr() {
        local init='init = true'
        [[ ${3:-} == *"init ="* ]] && init=''
        sed "s|@MARK@|$MARK|g" >"$T/$1.sh" <<<"$2"
        write_container "$1.conf" <<EOF
container $1 {
    exec = {"/bin/sh", "@T@/$1.sh"}
    rootfs = "@ROOTFS@"
    $init
    volume "@T@" { source = "@T@" }
    $3
}
EOF
}

# jfield ENTRY_JSON KEY — one field of a journal entry (JSON), "" if absent.
jfield() { jq -r --arg k "$2" '.[$k] // ""' <<<"$1"; }

# jentry MESSAGE [ARGS...] — the (last) entry whose MESSAGE is exactly MESSAGE.
jentry() {
        jd_json "${@:2}" | jq -c --arg m "$1" 'select(.MESSAGE == $m)' | tail -n 1
}
jentry_exists() { [[ -n $(jentry "$@") ]]; }

@test "journal: a container's stdout and stderr lines with PRIORITY 6 and 3, <N> prefixes, and its fields" {
        ctr fields "echo out-line; echo err-line >&2; echo '<4>warn-line'; echo '<2>crit-line' >&2; echo '<9>not-a-prefix'; exec sleep @MARK@"
        start_supd
        wait_state fields running
        wait_for jentry_exists crit-line SYSLOG_IDENTIFIER=fields
        wait_for jentry_exists '<9>not-a-prefix' SYSLOG_IDENTIFIER=fields
        local e pid
        e=$(jentry out-line)
        assert_equal "$(jfield "$e" PRIORITY)" 6
        assert_equal "$(jfield "$e" SYSLOG_IDENTIFIER)" fields
        assert_equal "$(jfield "$e" CONTAINER_NAME)" fields
        assert_equal "$(jfield "$e" SUP_UNIT)" fields
        assert_equal "$(jfield "$e" _TRANSPORT)" journal
        # OBJECT_PID: a host pid of the container (the app; with init = true the
        # reaper is the unit's pid and the app its child) — so a pid of this namespace.
        pid=$(jfield "$e" OBJECT_PID)
        [[ $pid =~ ^[0-9]+$ ]] || fail "OBJECT_PID is '$pid'"
        local upid
        upid=$(field fields pid)
        if [[ $pid != "$upid" ]]; then
                [[ $(ps -o ppid= -p "$pid" | tr -d ' ') == "$upid" ]] ||
                        fail "OBJECT_PID $pid is neither the unit's pid $upid nor its child"
        fi
        # _PID: the sender is supd (the pipes end there).
        assert_equal "$(jfield "$e" _PID)" "$SUPD_PID"
        e=$(jentry err-line)
        assert_equal "$(jfield "$e" PRIORITY)" 3
        assert_equal "$(jfield "$e" CONTAINER_NAME)" fields
        # "<N>" sets the priority and is stripped, on either stream.
        e=$(jentry warn-line)
        assert_equal "$(jfield "$e" PRIORITY)" 4
        e=$(jentry crit-line)
        assert_equal "$(jfield "$e" PRIORITY)" 2
        # <9> is no priority: the line stays as it is, at the stream's priority.
        e=$(jentry '<9>not-a-prefix')
        assert_equal "$(jfield "$e" PRIORITY)" 6
        # journalctl's own filters agree.
        run -0 jd_exec journalctl -q --no-pager -o cat CONTAINER_NAME=fields -p 3
        assert_line err-line
        assert_line crit-line
        refute_line out-line
}

@test "journal: stdout lines and stderr lines each arrive in order" {
        # Interleaved writes to both streams, as fast as the shell goes.
        ctr order "i=1; while [ \$i -le 2000 ]; do echo o\$i; echo e\$i >&2; i=\$((i+1)); done; exec sleep @MARK@" 'log_rate = 0'
        start_supd
        wait_for -t 30 jd_count_ge 4000 SYSLOG_IDENTIFIER=order
        jd_exec journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=order PRIORITY=6 >"$T/out"
        jd_exec journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=order PRIORITY=3 >"$T/err"
        seq 1 2000 | sed 's/^/o/' >"$T/out.want"
        seq 1 2000 | sed 's/^/e/' >"$T/err.want"
        run -0 diff "$T/out.want" "$T/out"
        run -0 diff "$T/err.want" "$T/err"
}

@test "journal: a 1 MB burst (10000 lines of 100 bytes) arrives complete and in order" {
        # Each line: a 5-digit number, a space and 93 x's: 100 bytes with the newline.
        ctr burst "$(cat <<'SH'
awk 'BEGIN { x = sprintf("%93s", ""); gsub(/ /, "x", x); for (i = 1; i <= 10000; i++) printf "%05d %s\n", i, x }'
echo burst-done
exec sleep @MARK@
SH
)" 'log_rate = 100000'
        start_supd
        wait_for -t 60 jentry_exists burst-done SYSLOG_IDENTIFIER=burst
        jd_exec journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=burst >"$T/got"
        awk 'BEGIN { x = sprintf("%93s", ""); gsub(/ /, "x", x); for (i = 1; i <= 10000; i++) printf "%05d %s\n", i, x; print "burst-done" }' >"$T/want"
        assert_equal "$(wc -c <"$T/want")" $((10000 * 100 + 11))
        run -0 cmp "$T/want" "$T/got"
        # Nothing dropped below log_rate.
        assert_equal "$(field burst log_dropped)" null
        run -1 grep -F 'dropped over log_rate' "$SUPD_LOG"
}

@test "journal: lines over log_rate are dropped and counted, the count is in the journal" {
        ctr flood "i=1; while [ \$i -le 5000 ]; do echo f\$i; i=\$((i+1)); done; exec sleep @MARK@" 'log_rate = 100'
        start_supd
        wait_state flood running
        local msg='line(s) dropped over log_rate'
        _dropped_logged() { jd_exec journalctl -q --no-pager -o cat SUP_UNIT=flood | grep -qF "$msg"; }
        wait_for -t 15 _dropped_logged
        local kept dropped
        dropped=$(field flood log_dropped)
        [[ $dropped =~ ^[0-9]+$ && $dropped -gt 0 ]] || fail "log_dropped is '$dropped'"
        kept=$(jd_exec journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=flood | grep -c '^f[0-9]*$')
        # Lines counted and kept add up to what was written (the count may lag a second).
        _adds_up() { (($(field flood log_dropped) + kept == 5000)); }
        wait_for -t 5 _adds_up
        # The drop message comes from supd, about the unit.
        local e
        e=$(jd_json SUP_UNIT=flood SYSLOG_IDENTIFIER=supd | grep -F "$msg" | tail -n 1)
        assert_equal "$(jfield "$e" UNIT)" flood
}

@test "journal: journalctl SUP_UNIT=NAME shows supd's state changes with RESULT/EXIT_CODE/EXIT_STATUS beside the container's lines" {
        ctr life "echo life-says-hello; exit 3" 'restart = "no"'
        ctr killed "echo about-to-die; exec sleep @MARK@" 'restart = "no"
    init = false'
        start_supd
        wait_state life exited
        wait_state killed running
        kill -KILL "$(field killed pid)"
        wait_state killed exited
        _end_logged() { jd_json SUP_UNIT="$1" SYSLOG_IDENTIFIER=supd | jq -e 'select(.RESULT != null)' >/dev/null; }
        wait_for _end_logged life
        wait_for _end_logged killed
        jd_json SUP_UNIT=life >"$T/life.json"
        # The container's line and supd's messages, in one query.
        run -0 jq -r 'select(.SYSLOG_IDENTIFIER == "life") | .MESSAGE' "$T/life.json"
        assert_output life-says-hello
        run -0 jq -c 'select(.SYSLOG_IDENTIFIER == "supd")' "$T/life.json"
        [[ ${#lines[@]} -ge 2 ]] || fail "expected supd's start and end messages, got: $output"
        # Every supd message about the unit names it in UNIT=.
        run -0 jq -c 'select(.SYSLOG_IDENTIFIER == "supd" and .UNIT != "life")' "$T/life.json"
        assert_output ''
        local e
        e=$(jq -c 'select(.SYSLOG_IDENTIFIER == "supd" and .RESULT != null)' "$T/life.json" | tail -n 1)
        assert_equal "$(jfield "$e" RESULT)" exit-code
        assert_equal "$(jfield "$e" EXIT_CODE)" exited
        assert_equal "$(jfield "$e" EXIT_STATUS)" 3
        # The container line comes before the end message.
        run -0 jq -r 'select(.MESSAGE == "life-says-hello" or .RESULT != null) | .SYSLOG_IDENTIFIER' "$T/life.json"
        assert_equal "${lines[0]}" life
        # Killed by a signal: as systemd writes it, EXIT_CODE=killed and the signal's name.
        e=$(jd_json SUP_UNIT=killed SYSLOG_IDENTIFIER=supd | jq -c 'select(.RESULT != null)' | tail -n 1)
        assert_equal "$(jfield "$e" RESULT)" signal
        assert_equal "$(jfield "$e" EXIT_CODE)" killed
        assert_equal "$(jfield "$e" EXIT_STATUS)" KILL
        run -0 jd_exec journalctl -q --no-pager -o cat SUP_UNIT=killed SYSLOG_IDENTIFIER=killed
        assert_output about-to-die
}

@test "journal: journald killed mid-run: supd goes on, falls back to its stderr, and returns to the journal" {
        ctr ticker "i=0; while :; do i=\$((i+1)); echo tick-\$i; sleep 0.1; done"
        start_supd
        wait_state ticker running
        local pid
        pid=$(field ticker pid)
        wait_for jentry_exists tick-5 SYSLOG_IDENTIFIER=ticker
        jd_kill_journald KILL
        # supd notices at its next send and says so on its stderr.
        wait_for -t 10 log_has 'journald is gone'
        # It goes on: the control socket answers, the unit keeps running, and the
        # container's lines come to supd's stderr (after the fallback message).
        run -0 "$SUPCTL" status --json
        assert_equal "$(field ticker state)" running
        assert_equal "$(field ticker pid)" "$pid"
        _ticks_on_stderr() { sed -n '/journald is gone/,$p' "$SUPD_LOG" | grep -c 'tick-' | { read -r n; ((n >= 5)); }; }
        wait_for -t 10 _ticks_on_stderr
        run -0 bash -c "sed -n '/journald is gone/,\$p' '$SUPD_LOG' | grep -m1 'tick-'"
        # Each line names its unit.
        assert_output --partial ticker
        # A supctl command still works while journald is away.
        run -0 "$SUPCTL" restart ticker
        wait_new_pid ticker "$pid"
        pid=$(field ticker pid)
        # journald returns: supd reconnects within its 5 s retry, says so (where it said it
        # had gone) and logs to the journal again.
        local before
        before=$(jd_count SYSLOG_IDENTIFIER=ticker)
        jd_start_journald
        wait_for -t 15 log_has 'journald is back'
        _more_ticks() { (($(jd_count SYSLOG_IDENTIFIER=ticker) >= before + 5)); }
        wait_for -t 10 _more_ticks
        # ...and not to stderr any more: no tick on stderr after the last state message
        # ("journald is back") but a handful sent while the switch happened.
        run -0 bash -c "sed -n '/journald is back/,\$p' '$SUPD_LOG' | grep -c 'tick-' || :"
        ((output <= 2)) || fail "$output tick lines on stderr after 'journald is back'"
        assert_equal "$(field ticker pid)" "$pid"
}

@test "journal: throughput, lines/s from one container vs systemd-cat (benchmark: prints only)" {
        command -v systemd-cat >/dev/null || skip "systemd-cat is not installed"
        # A short run of the real measurement, tests/bench/journal (make bench).
        jd_stop
        run -0 env BENCH_LINES="${JOURNAL_TEST_LINES:-50000}" "$ROOT/tests/bench/journal"
        printf '# %s\n' "${lines[@]}" >&3
        assert_line --partial 'lines/s'
}
