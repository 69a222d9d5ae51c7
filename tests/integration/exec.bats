#!/usr/bin/env bats
# supctl exec NAME [--] CMD...: runs CMD inside the running container (its namespaces,
# root, credentials and limits), stdio passed through, exit status returned, signals
# forwarded. Run against the demo image build/rootfs/busybox.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        ensure_rootfs
}

setup() {
        sup_setup
        need_rootfs
        write_supconf
        export SUPCTL # for bash -c pipelines
}

teardown() {
        sup_teardown
}

# One running container u (init = true, so it stops at once on SIGTERM).
_one() {
        write_container u.conf <<EOF
container u {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    $*
}
EOF
        start_supd --pid1
        [[ $* == *"autostart = false"* ]] || wait_state u running
}

@test "exec: stdin, stdout and stderr are passed through, large streams intact" {
        _one
        run -0 bash -c 'echo data | "$SUPCTL" exec u cat'
        assert_output data
        run -0 bash -c 'seq 1 100000 | "$SUPCTL" exec u -- wc -l'
        assert_output 100000
        run -0 bash -c '"$SUPCTL" exec u seq 1 200000 | md5sum'
        assert_equal "$output" "$(seq 1 200000 | md5sum)"
        # stdout and stderr stay apart.
        "$SUPCTL" exec u sh -c 'echo out; echo err >&2' >"$T/out" 2>"$T/err"
        assert_equal "$(cat "$T/out")" out
        assert_equal "$(cat "$T/err")" err
        # No stdin: the command sees EOF at once.
        run -0 bash -c '"$SUPCTL" exec u cat </dev/null'
        assert_output ''
}

@test "exec: the exit status is returned (7, 128+signal), 127 and a message for a missing command, 126 for a non-executable" {
        _one
        run -7 "$SUPCTL" exec u sh -c 'exit 7'
        run -0 "$SUPCTL" exec u true
        run -137 "$SUPCTL" exec u sh -c 'kill -KILL $$'
        run -127 --separate-stderr "$SUPCTL" exec u no-such-command
        assert_equal "$stderr" "supctl: exec no-such-command: No such file or directory"
        run -127 --separate-stderr "$SUPCTL" exec u /bin/nope
        assert_equal "$stderr" "supctl: exec /bin/nope: No such file or directory"
        run -126 --separate-stderr "$SUPCTL" exec u /etc/passwd
        assert_equal "$stderr" "supctl: exec /etc/passwd: Permission denied"
        # The container did not notice.
        assert_equal "$(field u state)" running
        assert_equal "$(field u restarts)" 0
}

@test "exec: -- separates the command; arguments are passed as they are" {
        _one
        run -0 "$SUPCTL" exec u -- sh -c 'echo "$0|$1|$2"' x 'a b' '--c'
        assert_output 'x|a b|--c'
        run -0 "$SUPCTL" exec u ls -d /www
        assert_output /www
}

@test "exec: runs as the unit's user (user = app: uid 1000, no capabilities, NoNewPrivs, seccomp)" {
        _one 'user = "app"'
        run -0 "$SUPCTL" exec u id -u
        assert_output 1000
        run -0 "$SUPCTL" exec u id -g
        assert_output 1000
        run -0 "$SUPCTL" exec u cat /proc/self/status
        assert_line --regexp '^CapEff:[[:space:]]+0000000000000000$'
        assert_line --regexp '^CapBnd:[[:space:]]+00000000800405fb$'
        assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
        assert_line --regexp '^Seccomp:[[:space:]]+2$'
        assert_line --regexp '^Groups:[[:space:]]*$'
        run -1 "$SUPCTL" exec u touch /etc/passwd
}

@test "exec: sees the container's hostname, root, mounts and namespaces" {
        _one 'hostname = "exec-box"'
        run -0 "$SUPCTL" exec u cat /etc/hostname
        assert_output exec-box
        run -0 "$SUPCTL" exec u hostname
        assert_output exec-box
        run -0 "$SUPCTL" exec u grep -c ^app: /etc/passwd
        assert_output 1
        run -1 "$SUPCTL" exec u test -e "$ROOT"
        # The same mounts as the container's PID 1.
        run -0 "$SUPCTL" exec u sh -c 'cat /proc/self/mountinfo | md5sum; cat /proc/1/mountinfo | md5sum'
        assert_equal "${lines[0]}" "${lines[1]}"
        # Same namespaces as the container's PID 1 and app.
        local ns
        for ns in pid mnt uts ipc net cgroup user; do
                run -0 "$SUPCTL" exec u sh -c "for p in self 1 2; do readlink /proc/\$p/ns/$ns; done"
                assert_equal "${#lines[@]}" 3
                [[ ${lines[0]} == "${lines[1]}" && ${lines[0]} == "${lines[2]}" ]] ||
                        fail "$ns namespace differs: ${lines[*]}"
        done
        # In the container's PID namespace: its pid is small, it sees the app.
        run -0 "$SUPCTL" exec u ps -o pid,args
        assert_line --regexp "^ +2 sleep $MARK\$"
        refute_output --partial supctl
}

@test "exec: a user-namespaced container: root inside, the same uid map" {
        chmod o+x "$BATS_RUN_TMPDIR" # the mapped root must reach the run dir
        _one 'userns = true'
        run -0 "$SUPCTL" exec u id -u
        assert_output 0
        run -0 "$SUPCTL" exec u sh -c 'cat /proc/self/uid_map; cat /proc/1/uid_map'
        assert_equal "${#lines[@]}" 2
        assert_equal "${lines[0]}" "${lines[1]}"
        assert_output --regexp '^ +0 +[1-9][0-9]* +65536'
}

@test "exec: a stopped or unknown unit fails with exit 1 and a message" {
        _one 'autostart = false'
        run -1 --separate-stderr "$SUPCTL" exec u true
        assert_output ''
        assert_equal "$stderr" "supctl: exec in 'u': unit 'u' is not running"
        run -1 --separate-stderr "$SUPCTL" exec nosuchunit true
        assert_equal "$stderr" "supctl: unknown unit 'nosuchunit'"
        run -2 "$SUPCTL" exec u
        run -2 "$SUPCTL" exec u --
        # Started and stopped again: the same.
        run -0 "$SUPCTL" start u
        wait_state u running
        run -0 "$SUPCTL" exec u true
        run -0 "$SUPCTL" stop u
        wait_state u exited
        run -1 "$SUPCTL" exec u true
        assert_output --partial "is not running"
}

_has_line() { grep -qx -- "$2" "$1"; }

@test "exec: SIGINT to supctl (Ctrl-C) reaches the command, its exit status comes back" {
        _one
        # Not a job of an interactive shell: background jobs would start with SIGINT
        # ignored, so reset it to the default as a terminal would leave it.
        env --default-signal=INT "$SUPCTL" exec u sh -c \
                'trap "echo got INT; exit 3" INT; echo ready; sleep '"$MARK"' & wait' \
                >"$T/out" 2>&1 &
        local pid=$!
        wait_for _has_line "$T/out" ready
        kill -INT "$pid"
        local rc=0
        wait "$pid" || rc=$?
        assert_equal "$rc" 3
        assert_equal "$(cat "$T/out")" "ready
got INT"
        # And SIGTERM too.
        env --default-signal=INT "$SUPCTL" exec u sh -c \
                'trap "echo got TERM; exit 4" TERM; echo ready; sleep '"$MARK"' & wait' \
                >"$T/out2" 2>&1 &
        pid=$!
        wait_for _has_line "$T/out2" ready
        kill -TERM "$pid"
        rc=0
        wait "$pid" || rc=$?
        assert_equal "$rc" 4
        assert_equal "$(cat "$T/out2")" "ready
got TERM"
        # The sleeps the shells left behind belong to the container and go with it.
        run -0 "$SUPCTL" stop u
        wait_state u exited
}

@test "exec: a command still running when the container stops is killed with it; supctl returns" {
        _one
        "$SUPCTL" exec u sleep "${MARK}1" >"$T/out" 2>&1 &
        local pid=$!
        wait_for procs_of "${MARK}1"
        run -0 "$SUPCTL" stop u
        wait_state u exited
        local rc=0
        wait_for -t 5 eval '! kill -0 '"$pid"' 2>/dev/null'
        wait "$pid" || rc=$?
        ((rc != 0)) || fail "supctl exec returned 0 for a killed command"
        run -1 procs_of "${MARK}1"
}

@test "exec: the command gets only fds 0-2, an empty signal mask, and the syscalls are refused (probe)" {
        local dir
        dir=$(probe_dir)
        _one "volume \"/probe\" { source = \"$dir\" readonly = true }"
        # Run from a shell that holds extra fds and ignores signals: none of that may
        # reach the command.
        run -0 bash -c 'trap "" USR1 HUP; exec 7</dev/null 8>/dev/null; "$SUPCTL" exec u /probe/probe'
        assert_equal "$output" "fds=0,1,2
sigmask=empty
SigBlk=0000000000000000
SigIgn=0000000000000000
kexec_load=EPERM
reboot=EPERM
mount=EPERM
unshare=EPERM"
}

@test "exec: several at once, each gets its own stdio and status" {
        _one
        local i
        for i in 1 2 3 4 5 6; do
                "$SUPCTL" exec u sh -c "echo \$(hostname)-$i; exit $i" >"$T/out$i" 2>&1 &
                eval "p$i=$!"
        done
        for i in 1 2 3 4 5 6; do
                local rc=0 v="p$i"
                wait "${!v}" || rc=$?
                assert_equal "$rc" "$i"
                assert_equal "$(cat "$T/out$i")" "u-$i"
        done
}
