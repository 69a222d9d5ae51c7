#!/usr/bin/env bats
# The control socket and supctl: exit codes, permissions, malformed requests, JSON,
# a second instance, many clients.

bats_require_minimum_version 1.5.0
load helpers

one_unit() {
        write_unit web.conf <<'EOF'
container web {
    description = "static web server"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
EOF
}

second_instance() {
        one_unit
        start_supd $(pid1_flag "$1")
        wait_state web running
        local pid
        pid=$(field web pid)
        run -1 timeout 10 "$SUPD" -c "$CFG" --run-dir "$RUN"
        assert_output --partial "already running"
        # The first one is untouched and still answers.
        run -0 "$SUPCTL" status
        assert_equal "$(field web pid)" "$pid"
        run -0 test -S "$RUN/control.sock"
}

@test "a second supd on the same run dir refuses to start (plain)" { second_instance plain; }
@test "a second supd on the same run dir refuses to start (pid1)" { second_instance pid1; }

@test "supctl exit codes: 1 request failed, 2 usage, 3 daemon not reachable, each with a message" {
        one_unit
        start_supd
        wait_state web running
        run -0 "$SUPCTL" status
        run -0 "$SUPCTL" status web
        run -1 --separate-stderr "$SUPCTL" status nosuch
        assert [ -n "$stderr" ]
        run -1 --separate-stderr "$SUPCTL" start nosuch
        assert [ -n "$stderr" ]
        run -1 --separate-stderr "$SUPCTL" stop nosuch
        assert [ -n "$stderr" ]
        run -1 --separate-stderr "$SUPCTL" restart nosuch
        assert [ -n "$stderr" ]
        run -2 --separate-stderr "$SUPCTL"
        assert [ -n "$stderr" ]
        run -2 --separate-stderr "$SUPCTL" frobnicate
        assert [ -n "$stderr" ]
        run -2 --separate-stderr "$SUPCTL" start
        assert [ -n "$stderr" ]
        run -2 --separate-stderr "$SUPCTL" status --no-such-option
        assert [ -n "$stderr" ]
        run -3 --separate-stderr "$SUPCTL" -s "$T/nonexistent.sock" status
        assert [ -n "$stderr" ]
        run -3 --separate-stderr "$SUPCTL" --socket "$T/nonexistent.sock" status
        run -3 --separate-stderr env SUP_SOCKET="$T/nonexistent.sock" "$SUPCTL" status
        # -s and SUP_SOCKET reach the real daemon.
        run -0 env -u SUP_SOCKET "$SUPCTL" -s "$RUN/control.sock" status
        # The daemon is unaffected by all that.
        assert_equal "$(field web state)" running
}

@test "supctl: exit 3 once the daemon is gone" {
        one_unit
        start_supd
        wait_state web running
        stop_supd
        run -3 --separate-stderr "$SUPCTL" status
        assert [ -n "$stderr" ]
}

@test "control socket is mode 0600 and owned by root; supd.lock is in the run dir" {
        one_unit
        start_supd
        run -0 stat -c '%a %u' "$RUN/control.sock"
        assert_output "600 0"
        run -0 test -S "$RUN/control.sock"
        run -0 test -e "$RUN/supd.lock"
}

malformed() {
        local label=$1
        shift
        # Whatever happens to the bad client, supd answers the next one at once.
        run timeout 10 "$RAWSOCK" --timeout 5 "$@" "$RUN/control.sock"
        echo "# $label: rawsock exit $status, reply: ${output:0:200}"
        [[ $status -eq 0 ]] || fail "$label: supd neither replied nor closed the connection (rawsock $status)"
        kill -0 "$SUPD_PID" || fail "$label: supd died"
        run -0 timeout 5 "$SUPCTL" status --json
        assert_equal "$(field web state)" running
}

@test "malformed requests get an error or a close; supd keeps answering" {
        [[ -x $RAWSOCK ]] || make -C "$ROOT" -s build/tests/helpers/rawsock
        one_unit
        start_supd
        wait_state web running
        head -c 4096 /dev/urandom | malformed "random bytes"
        printf '\xff\xff\xff\xff' | malformed "oversized length header"
        printf '\x7f\xff\xff\xff' | malformed "2 GiB length header"
        printf '\x00\x10\x00\x01' | malformed "1 MiB length header (over the request limit)"
        printf '\x00\x00\x00\x00' | malformed "empty payload"
        printf '\x00\x00\x00\x0bsup=2\0cmd=x' | malformed "wrong protocol version"
        printf '\x00\x00\x00\x0enot-key-value' | malformed "no key=value"
        printf '\x00\x00\x00\x0esup=1\0cmd=nope\0' | malformed "unknown command"
        printf '\x00\x00\x00\x0asup=1\0cmd=status' | malformed "missing final NUL"
        printf '\x00\x00\x00\x50sup=1\0' | malformed "short frame, then EOF"
        : | malformed "connect and close"
        # A valid frame still works: "sup=1\0cmd=status\0" is 17 (0x11) bytes.
        run -0 bash -c "printf '\x00\x00\x00\x11sup=1\0cmd=status\0' | '$RAWSOCK' '$RUN/control.sock'"
        assert_output --partial "web"
}

@test "a client that sends half a request and stalls does not block supd" {
        [[ -x $RAWSOCK ]] || make -C "$ROOT" -s build/tests/helpers/rawsock
        one_unit
        start_supd
        wait_state web running
        # Says 100 bytes, sends 6, keeps the connection open for 8 s.
        printf '\x00\x00\x00\x64sup=1\0' | "$RAWSOCK" --no-shutdown --hold 8 --timeout 1 "$RUN/control.sock" \
                >/dev/null 2>&1 3>&- &
        local slow=$!
        # Several stalled clients at once.
        local i others=()
        for i in 1 2 3 4; do
                printf '\x00\x00' | "$RAWSOCK" --no-shutdown --hold 8 --timeout 1 "$RUN/control.sock" \
                        >/dev/null 2>&1 3>&- &
                others+=($!)
        done
        run -0 timeout 3 "$SUPCTL" status --json
        run -0 timeout 3 "$SUPCTL" stop web
        wait_state web exited 5
        run -0 timeout 3 "$SUPCTL" start web
        wait_state web running 5
        kill "$slow" "${others[@]}" 2>/dev/null || true
        wait "$slow" "${others[@]}" 2>/dev/null || true
}

@test "many clients at once all get answers" {
        one_unit
        start_supd
        wait_state web running
        local i pids=() bad=0
        for i in $(seq 1 40); do
                timeout 10 "$SUPCTL" status --json >"$T/c$i.json" 2>&1 3>&- &
                pids+=($!)
        done
        for i in "${!pids[@]}"; do
                wait "${pids[$i]}" || { bad=$((bad + 1)); cat "$T/c$((i + 1)).json"; }
        done
        assert_equal "$bad" 0
        for i in $(seq 1 40); do
                jq -e '.units[0].name == "web"' "$T/c$i.json" >/dev/null || fail "client $i: bad reply: $(cat "$T/c$i.json")"
        done
}

@test "status --json is valid JSON with all fields, properly escaped" {
        write_unit web.conf <<'EOF'
container web {
    description = "say \"hi\" \\ back\tslash é"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
container once {
    exec = {"/bin/sh", "-c", "exit 1 # @MARK@"}
    restart = "no"
}
container later {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    autostart = false
}
EOF
        start_supd
        wait_state web running
        wait_state once exited
        run -0 "$SUPCTL" status --json
        local j=$output
        jq -e . <<<"$j" >/dev/null || fail "not JSON: $j"
        run -0 jq -e '.units | length == 3' <<<"$j"
        run -0 jq -e '.units[] | select(.name == "web") |
                (.state == "running") and (.result | type == "string") and (.pid | type == "number")
                and .pid > 0 and (.restarts == 0) and (.exit_status == null)
                and (.since | type == "number") and (.load == "loaded")
                and (.description | type == "string") and has("message")' <<<"$j"
        run -0 jq -r '.units[] | select(.name == "web") | .description' <<<"$j"
        assert_output "$(printf 'say "hi" \\ back\tslash é')"
        run -0 jq -e '.units[] | select(.name == "once") |
                .state == "exited" and .result == "exit-code" and .exit_status == 1' <<<"$j"
        run -0 jq -e '.units[] | select(.name == "later") | .state == "inactive"' <<<"$j"
        # One unit.
        run -0 "$SUPCTL" status web --json
        run -0 jq -e '.units | length == 1 and .[0].name == "web"' <<<"$output"
        # The human table has a header and a row per unit.
        run -0 "$SUPCTL" status
        assert_line --regexp '^ *NAME +STATE +RESULT +PID +RESTARTS'
        assert_line --regexp '^ *web +running'
        assert_line --regexp '^ *once +exited +exit-code'
        # No colours when not on a tty.
        refute_output --partial $'\e['
        # Detail view for one unit.
        run -0 "$SUPCTL" status web
        assert_output --partial "web"
        assert_output --partial "running"
}

@test "units: stdout/stderr lines reach supd's stderr prefixed; stdin is /dev/null; own session" {
        write_unit io.conf <<'EOF'
container io {
    exec = {"/bin/sh", "-c", "echo to-stderr >&2; readlink /proc/$$/fd/0; exec sleep @MARK@"}
    workdir = "/tmp"
}
container wd {
    exec = {"/bin/sh", "-c", "echo cwd=$(pwd) x=$X y=$Y container=$container term=$TERM notify=$NOTIFY_SOCKET; exec sleep @MARK@"}
    workdir = "/tmp"
    env = {"X=1", "Y=two words"}
}
EOF
        start_supd
        wait_state io running
        wait_for log_has "io: to-stderr"
        wait_for log_has "io: /dev/null"
        # The unit's process (seen from here) leads its own session and process group.
        local pid
        pid=$(field io pid)
        run -0 awk -v p="$pid" '{ exit !($1 == p && $5 == p && $6 == p) }' "/proc/$pid/stat"
        # The unit's env over the defaults; supd's own environment is not passed on.
        wait_for log_has "wd: cwd=/tmp x=1 y=two words container=sup term=xterm notify=/run/sup/notify"
}
