#!/usr/bin/env bats
# Configuration errors: supd --check, supctl check, a bad unit file next to good ones,
# ${VAR} kept literally.

bats_require_minimum_version 1.5.0
load helpers

good_units() {
        write_unit good.conf <<'EOF'
container good {
    description = "fine"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    restart_delay = 250ms
    stop_timeout = 2s
    stop_signal = "SIGINT"
}
EOF
}

bad_units() {
        # Line 3: an unknown key.
        write_unit bad.conf <<'EOF'
container bad {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    no_such_key = 1
}
EOF
        # Line 4: a malformed duration.
        write_unit worse.conf <<'EOF'
# comment
container worse {
    exec = {"/bin/true"}
    restart_delay = "soon"
}
EOF
}

@test "supd --check: exit 0 on a valid config" {
        good_units
        run -0 "$SUPD" -c "$CFG" --run-dir "$RUN" --check
        # --check does not start anything.
        run -1 pgrep -f -- "$MARK"
}

@test "supd --check: prints every error as file:line and exits 1" {
        good_units
        bad_units
        run -1 "$SUPD" -c "$CFG" --run-dir "$RUN" --check
        assert_output --regexp 'bad\.conf:3\b'
        assert_output --partial no_such_key
        assert_output --regexp 'worse\.conf:4\b'
        assert_output --partial restart_delay
        run -1 pgrep -f -- "$MARK"
}

@test "supd --check: sup.conf errors are reported too" {
        good_units
        printf 'shutdown_timeout = 30s\nbogus_global = 1\n' >"$CFG/sup.conf"
        run -1 "$SUPD" -c "$CFG" --run-dir "$RUN" --check
        assert_output --regexp 'sup\.conf:2\b'
}

@test "supd --check: duplicate names, unknown requires, cycles, empty exec" {
        write_unit dup1.conf <<'EOF'
container same {
    exec = {"/bin/true"}
}
EOF
        write_unit dup2.conf <<'EOF'
container same {
    exec = {"/bin/true"}
}
EOF
        write_unit req.conf <<'EOF'
container needy {
    exec = {"/bin/true"}
    requires = {"ghost"}
}
EOF
        write_unit cyc.conf <<'EOF'
container x {
    exec = {"/bin/true"}
    requires = {"y"}
}
container y {
    exec = {"/bin/true"}
    requires = {"x"}
}
EOF
        write_unit empty.conf <<'EOF'
container hollow {
    exec = {}
}
EOF
        run -1 "$SUPD" -c "$CFG" --run-dir "$RUN" --check
        assert_output --regexp 'dup2\.conf:[0-9]+'
        assert_output --regexp 'req\.conf:[0-9]+.*ghost'
        assert_output --regexp 'cyc\.conf:[0-9]+'
        assert_output --regexp 'empty\.conf:[0-9]+'
}

@test "supctl check: offline, exit 0 for good files, 1 with file:line for bad ones" {
        good_units
        bad_units
        # No daemon anywhere near.
        export SUP_SOCKET=$T/none.sock
        run -0 "$SUPCTL" check "$CFG/units/good.conf"
        run -1 "$SUPCTL" check "$CFG/units/bad.conf"
        assert_output --regexp 'bad\.conf:3\b'
        run -1 "$SUPCTL" check "$CFG/units/good.conf" "$CFG/units/bad.conf" "$CFG/units/worse.conf"
        assert_output --regexp 'bad\.conf:3\b'
        assert_output --regexp 'worse\.conf:4\b'
        run -1 "$SUPCTL" check "$CFG/units"
        assert_output --regexp 'bad\.conf:3\b'
        assert_output --regexp 'worse\.conf:4\b'
        run -1 "$SUPCTL" check "$T/does-not-exist.conf"
        run -2 "$SUPCTL" check
}

bad_file_load_error() {
        good_units
        bad_units
        start_supd $(pid1_flag "$1")
        wait_state good running
        run -0 status_json bad
        run -0 jq -e '.state == "failed" and .load == "error" and (.message | test("bad\\.conf:3"))' <<<"$output"
        run -0 status_json worse
        run -0 jq -e '.state == "failed" and .load == "error" and (.message | test("worse\\.conf:4"))' <<<"$output"
        # Nothing of the bad unit runs.
        run -0 status_json good
        run -0 jq -e '.load == "loaded"' <<<"$output"
        run -0 pgrep -c -f -- "$MARK"
        assert_output 1
}

@test "a bad unit file shows as a load error in status while the others run (plain)" { bad_file_load_error plain; }
@test "a bad unit file shows as a load error in status while the others run (pid1)" { bad_file_load_error pid1; }

@test 'exec and env keep dollar-brace references (HOME, unset vars) literal' {
        write_unit lit.conf <<'EOF'
container lit {
    exec = {"/bin/echo", "lit=${HOME}:${NO_SUCH_VAR}"}
    restart = "no"
}
container litenv {
    exec = {"/bin/sh", "-c", "printf 'env=%s\n' \"$X\"; exec sleep @MARK@"}
    env = {"X=${HOME}"}
}
EOF
        start_supd
        wait_state lit exited
        wait_for log_has 'lit: lit=${HOME}:${NO_SUCH_VAR}'
        wait_for log_has 'litenv: env=${HOME}'
        run -0 supd_answers
}
