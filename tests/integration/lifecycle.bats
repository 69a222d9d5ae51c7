#!/usr/bin/env bats
# Unit lifecycle under supd: start order, restart policy, stop, reaping, shutdown.
# Each scenario runs with supd as PID 1 of a fresh PID+mount namespace and as a plain
# child process (then a child subreaper).

bats_require_minimum_version 1.5.0
load helpers

# ------------------------------------------------------------------ start order

start_order() {
        # Written in reverse order in one file: file order alone would start c first.
        write_unit order.conf <<'EOF'
container c {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    requires = {"b"}
}
container b {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    requires = {"a"}
}
container a {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state a running
        wait_state b running
        wait_state c running
        local pa pb pc
        pa=$(field a pid) pb=$(field b pid) pc=$(field c pid)
        ((pa > 0 && pb > 0 && pc > 0))
        # Spawn order shows in pid allocation order (cyclic, allowing one wrap).
        pids_cyclic_order "$pa" "$pb" "$pc" || fail "spawn order by pid is not a,b,c: a=$pa b=$pb c=$pc"
        run -0 jq -e '[.units[] | select(.name == "a" or .name == "b" or .name == "c")]
                | sort_by(.name) | .[0].since <= .[1].since and .[1].since <= .[2].since' \
                <<<"$(status_json)"
}

@test "requires: units start in dependency order (plain)" { start_order plain; }
@test "requires: units start in dependency order (pid1)" { start_order pid1; }

waits_for_requires() {
        # a does not start by itself: b waits for it as "starting" with pid 0, and runs
        # only once a is started.
        write_unit w.conf <<'EOF'
container a {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@1"}
    autostart = false
}
container b {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@2"}
    requires = {"a"}
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state b starting
        assert_equal "$(field b pid)" 0
        assert_equal "$(field a state)" inactive
        run -1 procs_of "${MARK}2"
        run -0 "$SUPCTL" start a
        wait_state a running
        wait_state b running
        wait_for procs_of "${MARK}2"
        (($(field a since) <= $(field b since))) || fail "b's since is before a's"
}

@test "requires: a unit waits as starting (pid 0) until what it requires runs (plain)" { waits_for_requires plain; }
@test "requires: a unit waits as starting (pid 0) until what it requires runs (pid1)" { waits_for_requires pid1; }

# ---------------------------------------------------------------- restart policy

backoff_to_failed() {
        write_unit flap.conf <<'EOF'
container flap {
    exec = {"/bin/sh", "-c", "date +%s.%N >> @T@/starts; exit 1 # @MARK@"}
    restart = "on-failure"
    restart_delay = 300ms
    restart_delay_max = 10s
    restart_reset = 60s
    start_limit = 4
    start_limit_interval = 60s
}
EOF
        start_supd $(pid1_flag "$1")
        # Between restarts the unit is in backoff.
        wait_state flap backoff 5
        wait_state flap failed 20
        run -0 wc -l <"$T/starts"
        # "more than start_limit starts within start_limit_interval -> failed":
        # start_limit starts happen, the one after is refused.
        assert_output 4
        # The delays between starts grow (300, 600, 1200 ms nominal; tolerant bounds).
        awk 'NR > 1 { d[NR-1] = $1 - prev } { prev = $1 }
                END { printf "intervals:"; for (i = 1; i < NR; i++) printf " %.3f", d[i]; print "";
                      ok = d[1] >= 0.25;
                      for (i = 2; i < NR; i++) if (d[i] < d[i-1] * 1.4) ok = 0;
                      exit !ok }' "$T/starts"
        assert_equal "$(field flap result)" exit-code
        assert_equal "$(field flap exit_status)" 1
        assert_equal "$(field flap restarts)" 3
        # failed means no more restarts: the count stays.
        run -0 wc -l <"$T/starts"
        assert_output 4
}

@test "restart: a unit exiting 1 backs off with growing delays and ends failed at start_limit (plain)" {
        backoff_to_failed plain
}
@test "restart: a unit exiting 1 backs off with growing delays and ends failed at start_limit (pid1)" {
        backoff_to_failed pid1
}

restart_failed() {
        write_unit flap.conf <<'EOF'
container flap {
    exec = {"/bin/sh", "-c", "date +%s.%N >> @T@/starts; exit 1 # @MARK@"}
    restart_delay = 100ms
    start_limit = 2
    start_limit_interval = 60s
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state flap failed 10
        run -0 wc -l <"$T/starts"
        assert_output 2
        run -0 "$SUPCTL" restart flap
        # restart runs it again and forgets the history: start_limit more starts.
        wait_for file_lines_ge "$T/starts" 3
        wait_state flap failed 10
        run -0 wc -l <"$T/starts"
        assert_output 4
}

@test "restart: supctl restart of a failed unit runs it again with a fresh history (plain)" {
        restart_failed plain
}
@test "restart: supctl restart of a failed unit runs it again with a fresh history (pid1)" {
        restart_failed pid1
}

@test "restart: delay is capped at restart_delay_max and reset after restart_reset of uptime" {
        # Runs 1-5 fail at once, run 6 lives 1.5 s (> restart_reset) then fails.
        # Nominal gaps end->next start: .1 .2 .4 .4(cap) .4(cap) then .1 (reset).
        write_unit capped.conf <<'EOF'
container capped {
    exec = {"/bin/sh", "-c", "n=$(cat @T@/n 2>/dev/null || echo 0); n=$((n + 1)); echo $n > @T@/n; date +%s.%N >> @T@/starts; if [ $n -eq 6 ]; then sleep 1.5; fi; date +%s.%N >> @T@/ends; exit 1 # @MARK@"}
    restart_delay = 100ms
    restart_delay_max = 400ms
    restart_reset = 1s
}
EOF
        start_supd
        wait_for -t 20 file_lines_ge "$T/starts" 8
        run -0 "$SUPCTL" stop capped
        wait_state capped 'exited|inactive' 10
        paste "$T/ends" <(tail -n +2 "$T/starts") | awk '{ g[NR] = $2 - $1 } END {
                for (i = 1; i <= 7; i++) printf "gap%d=%.3f ", i, g[i]; print "";
                ok = 1;
                # 100 ms plus spawn overhead; much more means the timer is coarse
                # (e.g. sd-event default accuracy of 250 ms).
                if (g[1] > 0.22 || g[6] > 0.22) {
                        print "restart_delay 100ms took " g[1] "s and " g[6] "s: timer slack"; ok = 0 }
                if (g[4] < 0.3 || g[4] > 0.75 || g[5] > 0.75) { print "delay not capped at 400ms"; ok = 0 }
                if (g[6] > 0.3) { print "delay not reset after a run longer than restart_reset"; ok = 0 }
                if (g[7] < g[6]) { print "backoff did not grow again after the reset"; ok = 0 }
                exit !ok }'
}

restart_no() {
        write_unit once.conf <<'EOF'
container once {
    exec = {"/bin/sh", "-c", "date +%s.%N >> @T@/starts; exit 1 # @MARK@"}
    restart = "no"
    restart_delay = 100ms
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state once exited 10
        assert_equal "$(field once result)" exit-code
        assert_equal "$(field once exit_status)" 1
        assert_equal "$(field once restarts)" 0
        run -0 wc -l <"$T/starts"
        assert_output 1
}

@test "restart = no: a unit exiting 1 stays exited, result exit-code, exit_status 1 (plain)" { restart_no plain; }
@test "restart = no: a unit exiting 1 stays exited, result exit-code, exit_status 1 (pid1)" { restart_no pid1; }

@test "restart: success_exit_status, clean exits, restart = always, death by signal" {
        write_unit modes.conf <<'EOF'
container clean {
    exec = {"/bin/sh", "-c", "exit 0 # @MARK@"}
}
container three {
    exec = {"/bin/sh", "-c", "exit 3 # @MARK@"}
    success_exit_status = {0, 3}
}
container always {
    exec = {"/bin/sh", "-c", "date >> @T@/always; exit 0 # @MARK@"}
    restart = "always"
    restart_delay = 100ms
}
EOF
        # No reaper in front: the unit's own process is killed by a signal.
        write_unit killed.conf <<'EOF'
container killed {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    restart = "no"
    init = false
}
EOF
        start_supd
        wait_state killed running
        kill -KILL "$(field killed pid)"
        wait_state clean exited
        assert_equal "$(field clean result)" success
        assert_equal "$(field clean exit_status)" 0
        assert_equal "$(field clean restarts)" 0
        wait_state three exited
        assert_equal "$(field three result)" success
        assert_equal "$(field three exit_status)" 3
        wait_state killed exited
        assert_equal "$(field killed result)" signal
        assert_equal "$(field killed exit_status)" 137
        # always restarts after a clean exit too.
        wait_for file_lines_ge "$T/always" 3
        run -0 test "$(field always restarts)" -ge 2
        run -0 "$SUPCTL" stop always
        wait_state always exited
}

# ------------------------------------------------------------------------- stop

stop_escalates() {
        write_unit stubborn.conf <<'EOF'
container stubborn {
    exec = {"/bin/sh", "-c", "trap '' TERM; echo trapped; exec sleep @MARK@"}
    restart = "always"
    stop_timeout = 1s
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state stubborn running
        wait_for log_has "stubborn: trapped"
        local t0 t1
        t0=$(date +%s%N)
        run -0 "$SUPCTL" stop stubborn
        wait_state stubborn stopping 2
        wait_state stubborn exited 10
        t1=$(date +%s%N)
        (((t1 - t0) >= 900000000)) || fail "stopped after $(((t1 - t0) / 1000000)) ms, before stop_timeout"
        assert_equal "$(field stubborn result)" timeout
        assert_equal "$(field stubborn restarts)" 0
        run -1 pgrep -a -f -- "$MARK"
        # A stop is not a failure: restart = always does not bring it back.
        assert_equal "$(field stubborn state)" exited
}

@test "stop: a process ignoring SIGTERM is SIGKILLed after stop_timeout, result timeout (plain)" {
        stop_escalates plain
}
@test "stop: a process ignoring SIGTERM is SIGKILLed after stop_timeout, result timeout (pid1)" {
        stop_escalates pid1
}

@test "stop and start: a stopped unit stays exited (even restart = always), start runs it again" {
        write_unit s.conf <<'EOF'
container s {
    exec = {"/bin/sh", "-c", "sleep @MARK@ & sleep @MARK@ & wait"}
    restart = "always"
    restart_delay = 100ms
}
EOF
        start_supd
        wait_state s running
        local pid1 pid2
        pid1=$(field s pid)
        run -0 "$SUPCTL" stop s
        wait_state s exited
        # The whole process group went, children included.
        wait_for -t 2 no_procs "$MARK"
        assert_equal "$(field s restarts)" 0
        run -0 "$SUPCTL" start s
        wait_state s running
        pid2=$(field s pid)
        [[ $pid2 != "$pid1" && $pid2 -gt 0 ]] || fail "start did not spawn a new process ($pid1 -> $pid2)"
        wait_for has_procs "$MARK"
}

# ---------------------------------------------------------------------- reaping

orphans_reaped() {
        # The unit double-forks five children that outlive their parent: they are
        # re-parented to the container's PID 1 (its reaper, init = true, added by
        # write_unit), exit, and must be reaped. Nothing may be left as a zombie of the
        # unit's process or of supd.
        write_unit parent.conf <<'EOF'
container parent {
    exec = {"/bin/sh", "-c", "for i in 1 2 3 4 5; do (sh -c 'sleep 0.5; grep PPid /proc/$$/status >> @T@/orphans; exit 0 # @MARK@' &); done; exec sleep @MARK@"}
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state parent running
        local pid
        pid=$(field parent pid)
        wait_for file_lines_ge "$T/orphans" 5
        # They were orphans of supd, not of the unit or of the host's init.
        awk '$2 != 1 { bad++ } END { exit bad > 0 }' "$T/orphans" ||
                fail "orphans' parent is not the container's PID 1: $(cat "$T/orphans")"
        wait_for -t 5 no_zombies_of "$pid"
        wait_for -t 5 no_zombies_of "$SUPD_PID"
        # Orphans' exits are not the unit's.
        assert_equal "$(field parent state)" running
        assert_equal "$(field parent pid)" "$pid"
        assert_equal "$(field parent restarts)" 0
}

@test "reaping: orphans of a unit that double-forks are reaped, no zombie left (plain)" { orphans_reaped plain; }
@test "reaping: orphans of a unit that double-forks are reaped, no zombie left (pid1)" { orphans_reaped pid1; }

# --------------------------------------------------------------------- shutdown

sigterm_clean() {
        write_unit all.conf <<'EOF'
container a {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
container b {
    exec = {"/bin/sh", "-c", "sleep @MARK@ & sleep @MARK@ & wait"}
    requires = {"a"}
}
container stubborn {
    exec = {"/bin/sh", "-c", "trap '' TERM; echo trapped; exec sleep @MARK@"}
    stop_timeout = 1s
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state a running
        wait_state b running
        wait_state stubborn running
        wait_for log_has "stubborn: trapped"
        stop_supd TERM 30
        assert_equal "$SUPD_EXIT" "$(clean_exit "$1")"
        # Checked at once: supd exits only when no child is left.
        run -1 pgrep -a -f -- "$MARK"
}

@test "shutdown: SIGTERM to supd stops everything, exits 0, leaves no process behind (plain)" {
        sigterm_clean plain
}
@test "shutdown: SIGTERM to supd stops everything, exits 0, leaves no process behind (pid1)" {
        sigterm_clean pid1
}

@test "shutdown: SIGINT to supd stops everything and exits 0 (plain)" {
        write_unit a.conf <<'EOF'
container a {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
EOF
        start_supd
        wait_state a running
        stop_supd INT 30
        assert_equal "$SUPD_EXIT" 0
        run -1 pgrep -a -f -- "$MARK"
}

escaped_orphan() {
        # A daemon that double-forked into its own session escapes the unit's process
        # group; it is still supd's child (re-parented), and supd must not leave it.
        write_unit d.conf <<'EOF'
container d {
    exec = {"/bin/sh", "-c", "(setsid sleep @MARK@ &); echo forked; exec sleep @MARK@"}
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state d running
        wait_for log_has "d: forked"
        # Both sleeps exist: the unit's own and the escaped one.
        wait_for procs_count_ge "^sleep $MARK\$" 2
        stop_supd TERM 30
        assert_equal "$SUPD_EXIT" "$(clean_exit "$1")"
        run -1 pgrep -a -f -- "$MARK"
}

@test "shutdown: an orphan that escaped into its own session is not left behind (plain)" {
        escaped_orphan plain
}
@test "shutdown: an orphan that escaped into its own session is not left behind (pid1)" {
        escaped_orphan pid1
}

reverse_stop() {
        # Each unit logs its TERM to a file and exits; supd waits for each unit to exit
        # before stopping the next, so the file order is the stop order.
        local u
        for u in a b c; do
                write_unit "$u.conf" <<EOF
container $u {
    exec = {"/bin/sh", "-c", "trap 'echo stop-$u >> @T@/order; exit 0' TERM; echo start-$u >> @T@/order; while :; do sleep @MARK@ & wait; done"}
    $(case $u in b) echo 'requires = {"a"}' ;; c) echo 'requires = {"b"}' ;; esac)
}
EOF
        done
        start_supd $(pid1_flag "$1")
        wait_state a running
        wait_state b running
        wait_state c running
        wait_for file_lines_ge "$T/order" 3
        stop_supd TERM 30
        assert_equal "$SUPD_EXIT" "$(clean_exit "$1")"
        run -0 grep stop- "$T/order"
        assert_output "$(printf 'stop-c\nstop-b\nstop-a')"
}

@test "shutdown: units stop in reverse dependency order (plain)" { reverse_stop plain; }
@test "shutdown: units stop in reverse dependency order (pid1)" { reverse_stop pid1; }

# ------------------------------------------------------------ more unit keys

@test "stop_signal: stop sends the configured signal" {
        write_unit sig.conf <<'EOF'
container sig {
    exec = {"/bin/sh", "-c", "trap '' TERM; trap 'echo got-usr1 >> @T@/sig; exit 0' USR1; echo trapped; while :; do sleep @MARK@ & wait; done"}
    stop_signal = "SIGUSR1"
    stop_timeout = 20s
}
EOF
        start_supd
        wait_state sig running
        wait_for log_has "sig: trapped"
        run -0 "$SUPCTL" stop sig
        wait_state sig exited 10
        run -0 cat "$T/sig"
        assert_output got-usr1
        [[ $(field sig result) != timeout ]] || fail "stop needed SIGKILL: stop_signal not sent"
}

@test "supctl restart of a running unit replaces its process" {
        write_unit r.conf <<'EOF'
container r {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
EOF
        start_supd
        wait_state r running
        local pid
        pid=$(field r pid)
        run -0 "$SUPCTL" restart r
        wait_for bash -c "[ \"\$('$SUPCTL' status r --json | jq -r '.units[0].pid')\" != '$pid' ]"
        wait_state r running
        wait_for -t 5 bash -c "! kill -0 $pid 2>/dev/null || [ \"\$(ps -o stat= -p $pid)\" = Z ]"
        run -0 pgrep -c -x -f -- "sleep $MARK"
        assert_output 1
}

@test "a unit whose exec does not exist ends with result spawn-error" {
        write_unit bad.conf <<'EOF'
container nobin {
    exec = {"/nonexistent/@MARK@"}
    restart = "no"
}
container ok {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
EOF
        start_supd
        wait_state nobin 'exited|failed'
        assert_equal "$(field nobin result)" spawn-error
        wait_state ok running
        # The error is reported in the log or the status message.
        run -0 bash -c "'$SUPCTL' status nobin --json | jq -r '.units[0].message'; cat '$SUPD_LOG'"
        assert_output --regexp 'nobin.*(No such file|ENOENT|not found)|(No such file|ENOENT|not found).*nobin|nonexistent'
}

@test "user = uid:gid runs the unit with those ids" {
        write_unit u.conf <<'EOF'
container u {
    exec = {"/bin/sh", "-c", "echo ids=$(id -u):$(id -g); exec sleep @MARK@"}
    user = "65534:65534"
}
EOF
        start_supd
        wait_state u running
        wait_for log_has "u: ids=65534:65534"
}
