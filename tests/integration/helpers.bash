# helpers.bash — shared set-up for the integration tests of supd and supctl.
#
# Every test gets its own config dir ($CFG, units in $CFG/units), run dir ($RUN) and
# supd log ($SUPD_LOG) under $BATS_TEST_TMPDIR, and a unique marker $MARK to put in the
# argv of every process a test unit starts (usually as `sleep $MARK`, a valid and
# absurdly long duration), so teardown can prove nothing leaked with `pgrep -f $MARK`.
#
# Unit files are written with placeholders, substituted by write_unit:
#   @MARK@  the test's marker      @T@  $BATS_TEST_TMPDIR (for result files)
#
# Nothing here sleeps a fixed time and hopes: every wait is a bounded poll.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SUPD=${SUPD:-$ROOT/build/supd}
SUPCTL=${SUPCTL:-$ROOT/build/supctl}
RAWSOCK=${RAWSOCK:-$ROOT/build/tests/helpers/rawsock}

_load_lib() {
        local d
        for d in "${BATS_LIB_PATH:-/usr/lib/bats}" /usr/lib/bats /usr/local/lib/bats /usr/lib; do
                if [[ -f $d/$1/load.bash ]]; then
                        load "$d/$1/load.bash"
                        return 0
                fi
        done
        echo "helpers.bash: cannot find $1 (apt-get install $1)" >&2
        return 1
}
_load_lib bats-support
_load_lib bats-assert

# ---------------------------------------------------------------- set-up / teardown

setup() {
        sup_setup
}

teardown() {
        sup_teardown
}

sup_setup() {
        [[ -x $SUPD && -x $SUPCTL ]] ||
                fail "build/supd and build/supctl are not built (run make all)"
        T=$BATS_TEST_TMPDIR
        CFG=$T/cfg
        RUN=$T/run
        SUPD_LOG=$T/supd.log
        mkdir -p "$CFG/units" "$RUN"
        : >"$SUPD_LOG"
        export SUP_SOCKET=$RUN/control.sock
        # A unique, valid sleep duration: ~10^12 s, different for every test and run.
        MARK=7$(printf '%03d%05d%05d' "$((BATS_TEST_NUMBER % 1000))" "$RANDOM" "$RANDOM")
        SUPD_PID='' SUPD_LAUNCHER='' SUPD_MODE='' SUPD_EXIT=''
}

sup_teardown() {
        local rc=0 leaks
        if [[ -n ${BATS_TEST_COMPLETED:-} ]]; then :; else
                dump_log
        fi
        if [[ -n $SUPD_LAUNCHER ]]; then
                if launcher_gone; then
                        wait "$SUPD_LAUNCHER" 2>/dev/null
                        echo "# supd ($SUPD_MODE) exited by itself during the test, status $?"
                        dump_log
                        SUPD_LAUNCHER=
                        rc=1
                else
                        stop_supd TERM 20 || rc=1
                fi
        fi
        # Anything left with our marker is a leak (supd must leave no process behind).
        if ! wait_for_quiet 3 no_procs "$MARK"; then
                leaks=$(pgrep -a -f -- "$MARK")
                echo "# leaked processes (marker $MARK):"
                echo "$leaks" | sed 's/^/#   /'
                # Clean up by pid so later tests start clean.
                for p in $(pgrep -f -- "$MARK"); do kill -KILL "$p" 2>/dev/null; done
                rc=1
        fi
        return $rc
}

dump_log() {
        echo "# ---- supd log ($SUPD_LOG) ----"
        if [[ -s ${SUPD_LOG:-} ]]; then tail -n 150 "$SUPD_LOG" | sed 's/^/# /'; fi
        echo "# ---- end of supd log ----"
}

# write_unit FILE < content — writes $CFG/units/FILE with @MARK@ and @T@ substituted.
#
# Since step 2 every unit is a container (own PID/mount/... namespaces, overlay of the
# host's / with a tmpfs upper). These tests are about supervision, so each unit gets:
#  - $T bind-mounted at the same path (added on the "container NAME {" line, so the
#    line numbers of the file stay as written), so the result files it writes reach the test;
#  - init = true (unless the file sets init itself): a reaper is the container's PID 1
#    and forwards signals, so an app without a SIGTERM handler still dies on SIGTERM
#    (as PID 1 it would ignore it) and orphans inside the container are reaped.
write_unit() {
        local f=$CFG/units/$1 content
        content=$(sed -e "s|@MARK@|$MARK|g" -e "s|@T@|$T|g")
        local extra=" volume \"$T\" { source = \"$T\" }"
        [[ $content == *"init ="* ]] || extra+=" init = true"
        # On the "container NAME {" line itself, so line numbers stay as written.
        awk -v extra="$extra" '/^container [^ ]+ *\{ *$/ { print $0 extra; next } { print }' <<<"$content" >"$f"
}

# --------------------------------------------------------------------- waiting

# wait_for_quiet TIMEOUT_S CMD... — polls CMD every 50 ms until it succeeds; 1 on timeout.
wait_for_quiet() {
        local timeout=$1 deadline
        shift
        deadline=$(($(date +%s%N) + ${timeout%.*} * 1000000000))
        while :; do
                "$@" >/dev/null 2>&1 && return 0
                (($(date +%s%N) >= deadline)) && return 1
                sleep 0.05
        done
}

# wait_for [-t TIMEOUT_S] CMD... — like wait_for_quiet (default 10 s); on timeout prints
# what it waited for, the last output of CMD, the status and the supd log.
wait_for() {
        local timeout=10
        if [[ $1 == -t ]]; then
                timeout=$2
                shift 2
        fi
        wait_for_quiet "$timeout" "$@" && return 0
        echo "# wait_for: timed out after ${timeout}s waiting for: $*"
        echo "# last output:"
        "$@" 2>&1 | sed 's/^/#   /'
        show_status
        return 1
}

show_status() {
        echo "# supctl status --json:"
        "$SUPCTL" status --json 2>&1 | sed 's/^/#   /'
}

# status_json [NAME] — the status of all units, or of one unit's object.
status_json() {
        local j
        j=$("$SUPCTL" status --json) || return 1
        if [[ $# -eq 0 ]]; then
                printf '%s\n' "$j"
        else
                printf '%s\n' "$j" | jq -ce --arg n "$1" '.units[] | select(.name == $n)'
        fi
}

# field NAME KEY — one field of one unit, jq -r style ("null" when null).
field() {
        status_json "$1" | jq -r --arg k "$2" '.[$k]'
}

state_is() { # NAME STATE-PATTERN (a|b allowed)
        local s
        s=$(field "$1" state) || return 1
        [[ $s =~ ^($2)$ ]]
}

# wait_state NAME STATE[|STATE...] [TIMEOUT_S] — bounded poll of supctl status.
wait_state() {
        local name=$1 want=$2 timeout=${3:-10} s deadline
        deadline=$(($(date +%s%N) + timeout * 1000000000))
        while :; do
                s=$(field "$name" state 2>/dev/null)
                [[ $s =~ ^($want)$ ]] && return 0
                if (($(date +%s%N) >= deadline)); then
                        echo "# wait_state: unit '$name' is '${s:-?}', wanted '$want' within ${timeout}s"
                        show_status
                        return 1
                fi
                sleep 0.05
        done
}

# wait_gone NAME [TIMEOUT_S] — until the unit is no longer listed.
unit_absent() {
        local j
        j=$("$SUPCTL" status --json) || return 1
        ! printf '%s' "$j" | jq -e --arg n "$1" '.units[] | select(.name == $n)' >/dev/null
}

procs_count_ge() { [[ $(pgrep -c -f -- "$1") -ge $2 ]]; }
no_procs() { ! pgrep -f -- "$1" >/dev/null; }
has_procs() { pgrep -f -- "$1" >/dev/null; }

# procs_of MARKER — pids whose argv holds MARKER as a whole number (so "7001" does not
# match "70012").
procs_of() {
        pgrep -f -- "(^|[^0-9])$1([^0-9]|\$)"
}
no_procs_of() { ! procs_of "$1" >/dev/null; }

log_has() { grep -qF -- "$1" "$SUPD_LOG"; }
file_lines_ge() { [[ -f $1 && $(wc -l <"$1") -ge $2 ]]; }

# ------------------------------------------------------------------ supd itself

# start_supd [--pid1] [EXTRA ARGS...] — starts supd in the background and waits until
# its control socket answers. --pid1: as PID 1 of a fresh PID+mount namespace.
# Sets SUPD_PID (supd's pid as seen from here), SUPD_LAUNCHER (our child: supd itself,
# or unshare), SUPD_MODE.
start_supd() {
        SUPD_MODE=plain
        if [[ ${1:-} == --pid1 ]]; then
                SUPD_MODE=pid1
                shift
        fi
        if [[ $SUPD_MODE == pid1 ]]; then
                # fd 3 is bats' output: a background process holding it hangs bats.
                unshare --fork --pid --mount --mount-proc \
                        "$SUPD" -c "$CFG" --run-dir "$RUN" "$@" </dev/null >>"$SUPD_LOG" 2>&1 3>&- &
                SUPD_LAUNCHER=$!
                wait_for_quiet 5 _find_ns_child || {
                        echo "# start_supd: no child of unshare ($SUPD_LAUNCHER)"
                        dump_log
                        return 1
                }
        else
                "$SUPD" -c "$CFG" --run-dir "$RUN" "$@" </dev/null >>"$SUPD_LOG" 2>&1 3>&- &
                SUPD_LAUNCHER=$!
                SUPD_PID=$SUPD_LAUNCHER
        fi
        if ! wait_for_quiet 10 supd_answers; then
                echo "# start_supd ($SUPD_MODE): control socket $SUP_SOCKET does not answer"
                kill -0 "$SUPD_LAUNCHER" 2>/dev/null || echo "# supd is not running"
                return 1
        fi
}

# The pid of unshare's child (supd as PID 1 of the namespace), found by parent pid.
_find_ns_child() {
        local p
        p=$(ps -o pid= --ppid "$SUPD_LAUNCHER" | head -n1 | tr -d ' ')
        [[ -n $p ]] || return 1
        SUPD_PID=$p
}

supd_answers() { "$SUPCTL" status --json >/dev/null 2>&1; }

# supd_mode_args MODE — "--pid1" for pid1, nothing for plain.
pid1_flag() { [[ $1 == pid1 ]] && echo --pid1; }

# clean_exit MODE — how a clean SIGTERM shutdown ends: a plain supd exits 0; as PID 1
# SIGTERM means power-off, and reboot(2) in a PID namespace makes the kernel kill the
# namespace's init with SIGINT, so unshare exits 128+2.
clean_exit() { if [[ $1 == pid1 ]]; then echo 130; else echo 0; fi; }

# supd_ns_pid — what supd's own pid is inside its namespace (1 as PID 1).
supd_ns_pid() { if [[ $SUPD_MODE == pid1 ]]; then echo 1; else echo "$SUPD_PID"; fi; }

# stop_supd [SIGNAL] [TIMEOUT_S] — signals supd (default SIGTERM) and waits for it to
# exit (bounded, default 20 s; then SIGKILL). Sets SUPD_EXIT to its exit status.
# Returns 1 if it had to be killed.
stop_supd() {
        local sig=${1:-TERM} timeout=${2:-20} rc=0
        [[ -n $SUPD_LAUNCHER ]] || return 0
        kill -s "$sig" "$SUPD_PID" 2>/dev/null
        if ! wait_for_quiet "$timeout" launcher_gone; then
                echo "# stop_supd: supd did not exit within ${timeout}s of SIG$sig; killing it"
                dump_log
                kill -KILL "$SUPD_PID" 2>/dev/null
                kill -KILL "$SUPD_LAUNCHER" 2>/dev/null
                rc=1
        fi
        # (not a bare `wait`: a non-zero status must not trip errexit here)
        wait "$SUPD_LAUNCHER" 2>/dev/null && SUPD_EXIT=0 || SUPD_EXIT=$?
        SUPD_LAUNCHER=''
        return $rc
}

launcher_gone() {
        ! kill -0 "$SUPD_LAUNCHER" 2>/dev/null && return 0
        # A zombie child of ours counts as gone (wait reaps it).
        [[ $(ps -o stat= -p "$SUPD_LAUNCHER" 2>/dev/null) == Z* ]]
}

# zombies_of PID — children of PID (pids as seen from here) that are zombies.
zombies_of() {
        local s pid ppid state
        for s in /proc/[0-9]*/status; do
                state='' ppid=''
                while read -r k v _; do
                        case $k in
                        State:) state=$v ;;
                        PPid:) ppid=$v ;;
                        esac
                done <"$s" 2>/dev/null
                if [[ $ppid == "$1" && $state == Z ]]; then
                        pid=${s#/proc/}
                        echo "${pid%/status}"
                fi
        done
}
no_zombies_of() { [[ -z $(zombies_of "$1") ]]; }

# pids_cyclic_order P1 P2 P3 ... — true if the pids were allocated in this order,
# allowing for one wrap-around of pid_max (so it holds in a busy host namespace too).
# Needs at least three pids: any two are in some cyclic order.
pids_cyclic_order() {
        local -a p=("$@")
        local i n=${#p[@]} descents=0
        for ((i = 0; i < n; i++)); do
                ((p[i] > p[(i + 1) % n])) && descents=$((descents + 1))
        done
        ((descents == 1))
}

# ------------------------------------------------------------ containers (step 2)

ROOTFS=${ROOTFS:-$ROOT/build/rootfs/busybox}
PROBE=${PROBE:-$ROOT/build/tests/helpers/probe}

# ensure_rootfs — for setup_file: builds the demo image (make rootfs) and the probe
# helper if they are missing. If that fails, writes why to $BATS_FILE_TMPDIR/no-rootfs,
# and need_rootfs skips each test with that reason.
ensure_rootfs() {
        local out
        [[ -x $ROOTFS/bin/busybox && -x $PROBE ]] && return 0
        if ! out=$(make -C "$ROOT" rootfs "${PROBE#"$ROOT"/}" 2>&1 3>&-); then
                printf 'make rootfs failed: %s\n' "$(tail -n 1 <<<"$out")" >"$BATS_FILE_TMPDIR/no-rootfs"
        fi
}

need_rootfs() {
        [[ -x $ROOTFS/bin/busybox && -x $PROBE ]] && return 0
        skip "$(cat "$BATS_FILE_TMPDIR/no-rootfs" 2>/dev/null || echo "no demo rootfs at $ROOTFS")"
}

# write_container FILE < content — writes $CFG/units/FILE as is, unlike write_unit: no
# volume and no init added (the container tests set those themselves). Substitutes
# @MARK@, @T@ and @ROOTFS@ (the demo image).
write_container() {
        sed -e "s|@MARK@|$MARK|g" -e "s|@T@|$T|g" -e "s|@ROOTFS@|$ROOTFS|g" >"$CFG/units/$1"
}

# write_supconf [LINES...] — $CFG/sup.conf with state_dir = $T/state ($STATE) and LINES.
write_supconf() {
        STATE=$T/state
        {
                printf 'state_dir = "%s"\n' "$STATE"
                printf '%s\n' "$@"
        } >"$CFG/sup.conf"
}

# probe_dir — copies the probe helper to $T/probe (for a volume) and prints that dir.
probe_dir() {
        mkdir -p "$T/probe"
        cp "$PROBE" "$T/probe/probe"
        echo "$T/probe"
}

# in_ctr NAME CMD... — runs CMD inside the running container NAME (supctl exec).
in_ctr() { "$SUPCTL" exec "$1" -- "${@:2}"; }

# wait_new_pid NAME OLDPID [TIMEOUT_S] — until NAME runs with a pid other than OLDPID
# (after a restart).
_runs_new_pid() { state_is "$1" running && [[ $(field "$1" pid) != "$2" ]]; }
wait_new_pid() {
        wait_for -t "${3:-10}" _runs_new_pid "$1" "$2"
}

# mountinfo_of PID — the mount points of PID's mount namespace, sorted (one a line).
mountinfo_of() { awk '{ print $5 }' "/proc/$1/mountinfo" | sort; }

# run_dir_listing — every path under $RUN but the control socket and lock.
run_dir_listing() {
        (cd "$RUN" && find . -mindepth 1 ! -name control.sock ! -name supd.lock | sort)
}
