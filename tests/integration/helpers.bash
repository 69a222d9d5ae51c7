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

source "$ROOT/tests/lib/bats-libs.bash"

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
        # Without a marker (sup_setup failed early) `pgrep -f ""` would match every
        # process on the machine: there is nothing of ours to look for.
        [[ -n ${MARK:-} ]] || return 0
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

# run_dir_listing — every path under $RUN but the control socket, the lock and the
# containers dir itself (created at the first start, it may stay: what is in it may not).
run_dir_listing() {
        (cd "$RUN" && find . -mindepth 1 ! -name control.sock ! -name supd.lock ! -path ./containers | sort)
}

# -------------------------------------------------------------- cgroups (step 4)
#
# supd puts each unit run in BASE/NAME below the cgroup it runs in itself, per
# hierarchy: on cgroup v1/hybrid one group in each controller's hierarchy (memory,
# cpu, cpuacct, pids, blkio, freezer), on v2 one group. BASE is "sup" for the default
# run dir, else "sup-HASH" (named after the run dir, so two supds on one host never
# share it); the helpers take it from supd's log line "cgroup: vN, units in DIR" and
# find the directories from /proc/$SUPD_PID/cgroup, so they hold wherever supd runs.

CG_V1_CTRLS="memory cpu cpuacct pids blkio freezer"

# cg_version — v2 on a unified host, else v1 (v1 or hybrid: the controllers are on v1).
cg_version() {
        if [[ $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then echo v2; else echo v1; fi
}

# _cg_v1_mount CTRL — "MOUNTPOINT ROOT" of the v1 hierarchy holding CTRL, nothing if
# it is not mounted.
_cg_v1_mount() {
        awk -v c="$1" '{
                for (i = 7; i <= NF && $i != "-"; i++) ;
                if ($(i + 1) != "cgroup") next
                n = split($(i + 3), o, ",")
                for (k = 1; k <= n; k++) if (o[k] == c) { print $5, $4; exit }
        }' /proc/self/mountinfo
}

# _cg_hybrid_mount — "MOUNTPOINT ROOT" of the controller-less cgroup2 of a hybrid host
# (/sys/fs/cgroup/unified), nothing on a v2 host or a pure v1 one.
_cg_hybrid_mount() {
        [[ $(cg_version) == v1 ]] || return 0
        awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) == "cgroup2") { print $5, $4; exit } }' \
                /proc/self/mountinfo
}

# cg_dir_of PID [CTRL] — the directory of PID's cgroup: in CTRL's v1 hierarchy (CTRL
# "unified": a hybrid host's cgroup2), or the v2 one (CTRL ignored on v2).
cg_dir_of() {
        local pid=$1 ctrl=${2:-} own mount root rel
        if [[ $(cg_version) == v1 && $ctrl == unified ]]; then
                read -r mount root < <(_cg_hybrid_mount) || return 1
                [[ -n $mount ]] || return 1
                own=$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' "/proc/$pid/cgroup") || return 1
                [[ -n $own ]] || return 1
                rel=$own
                [[ $root != / && $own == "$root"* ]] && rel=${own#"$root"}
                [[ $rel == / ]] && rel=''
                echo "$mount$rel"
                return 0
        fi
        if [[ $(cg_version) == v2 ]]; then
                own=$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' "/proc/$pid/cgroup") || return 1
                [[ -n $own ]] || return 1
                [[ $own == / ]] && own=''
                echo "/sys/fs/cgroup$own"
                return 0
        fi
        read -r mount root < <(_cg_v1_mount "$ctrl") || return 1
        [[ -n $mount ]] || return 1
        own=$(awk -F: -v c="$ctrl" '{ n = split($2, o, ","); for (k = 1; k <= n; k++) if (o[k] == c) { print $3; exit } }' \
                "/proc/$pid/cgroup") || return 1
        [[ -n $own ]] || return 1
        rel=$own
        [[ $root != / && $own == "$root"* ]] && rel=${own#"$root"}
        [[ $rel == / ]] && rel=''
        echo "$mount$rel"
}

# cg_base_name — the name of supd's base group (sup or sup-HASH), from its log.
cg_base_name() {
        local d
        d=$(sed -n 's/.*cgroup: v[12], units in \(.*\)$/\1/p' "$SUPD_LOG" | tail -n 1)
        [[ -n $d ]] || {
                echo "cg_base_name: no 'cgroup: vN, units in DIR' line in $SUPD_LOG" >&2
                return 1
        }
        echo "${d##*/}"
}

# cg_sup_base [CTRL] — supd's base group directory (in CTRL's hierarchy on v1). On v2 a
# supd that is not in the root cgroup runs in the leaf OWN/supd and puts it beside that.
cg_sup_base() {
        local d b
        b=$(cg_base_name) || return 1
        d=$(cg_dir_of "$SUPD_PID" "${1:-}") || return 1
        [[ $(cg_version) == v2 && ${d##*/} == supd ]] && d=${d%/supd}
        echo "$d/$b"
}

# cg_unit_dir CTRL NAME — the unit's group in CTRL's hierarchy (v2: CTRL ignored).
cg_unit_dir() {
        local b
        b=$(cg_sup_base "$1") || return 1
        echo "$b/$2"
}

# cg_sup_bases — every base group directory supd may use (one a line): one per mounted v1
# hierarchy of the controllers it uses (co-mounted ones once) and a hybrid host's
# cgroup2, or the v2 one.
cg_sup_bases() {
        local c
        if [[ $(cg_version) == v2 ]]; then
                cg_sup_base
                return
        fi
        {
                for c in $CG_V1_CTRLS; do
                        [[ -n $(_cg_v1_mount "$c") ]] && cg_sup_base "$c"
                done
                [[ -n $(_cg_hybrid_mount) ]] && cg_sup_base unified
        } | sort -u
}

# cg_unit_dirs NAME — the unit's groups that exist now (one a line).
cg_unit_dirs() {
        local b
        for b in $(cg_sup_bases); do
                [[ -d $b/$1 ]] && echo "$b/$1"
        done
        return 0
}
cg_no_unit_dirs() { [[ -z $(cg_unit_dirs "$1") ]]; }
cg_no_sup_bases() {
        local b
        for b in $(cg_sup_bases); do [[ -e $b ]] && return 1; done
        return 0
}

# cg_read CTRL NAME V1FILE V2FILE — a control file of the unit's group.
cg_read() {
        local f=$3
        [[ $(cg_version) == v2 ]] && f=$4
        cat "$(cg_unit_dir "$1" "$2")/$f"
}

# cg_need CTRL... — skips the test (with the reason) if the host lacks a controller.
# CTRL as v2 names them: memory, cpu, pids, io (v1: blkio; cpu also needs cpuacct for
# the usage). With supd running on v2, the controller must also reach its base group.
cg_need() {
        local c v1 base
        for c in "$@"; do
                if [[ $(cg_version) == v2 ]]; then
                        grep -qw "$c" /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
                                skip "cgroup v2: the host has no $c controller"
                        if [[ -n ${SUPD_PID:-} ]]; then
                                base=$(cg_sup_base)
                                grep -qw "$c" "$base/cgroup.controllers" 2>/dev/null ||
                                        skip "cgroup v2: the $c controller is not delegated to $base"
                        fi
                        continue
                fi
                case $c in
                io) v1=blkio ;;
                cpu) v1="cpu cpuacct" ;;
                *) v1=$c ;;
                esac
                for c in $v1; do
                        [[ -n $(_cg_v1_mount "$c") ]] || skip "cgroup v1: the $c controller is not mounted"
                done
        done
}

# cg_isolate — runs this test's supd in a cgroup of its own, OWN/suptest-$MARK in
# every hierarchy (OWN: where the tests run), by pointing $SUPD at a wrapper that moves
# itself there and execs supd. So supd runs below a cgroup that is not the root, its
# groups are apart from any other supd's on the host, and cg_isolate_cleanup removes
# whatever a failing test leaves there. On v2 only where the new group gets
# controllers (OWN is the root or hands them down); otherwise supd runs where the tests
# run.
CG_TEST_DIRS=()
cg_isolate() {
        local c d own mount root seen=' ' name=suptest-$MARK wrapper=$T/supd-in-cgroup ctl
        CG_TEST_DIRS=()
        if [[ $(cg_version) == v2 ]]; then
                own=$(cg_dir_of self)
                if [[ $own == /sys/fs/cgroup ]]; then
                        for c in memory cpu pids io; do
                                grep -qw "$c" "$own/cgroup.controllers" && echo "+$c" >"$own/cgroup.subtree_control" 2>/dev/null
                        done
                fi
                d=$own/$name
                if mkdir "$d" 2>/dev/null; then
                        if [[ -s $d/cgroup.controllers || ! -s /sys/fs/cgroup/cgroup.controllers ]]; then
                                CG_TEST_DIRS+=("$d")
                        else
                                rmdir "$d"
                        fi
                fi
        else
                for c in $CG_V1_CTRLS; do
                        read -r mount root < <(_cg_v1_mount "$c") || continue
                        [[ -n $mount && $seen != *" $mount "* ]] || continue
                        seen+="$mount "
                        d=$(cg_dir_of self "$c")/$name
                        if mkdir "$d"; then CG_TEST_DIRS+=("$d"); fi
                done
        fi
        ((${#CG_TEST_DIRS[@]})) || return 0
        {
                echo '#!/bin/sh'
                for d in "${CG_TEST_DIRS[@]}"; do
                        printf 'echo 0 >"%s/cgroup.procs" || { echo "supd-in-cgroup: cannot enter %s" >&2; exit 125; }\n' "$d" "$d"
                done
                printf 'exec "%s" "$@"\n' "$SUPD"
        } >"$wrapper"
        chmod +x "$wrapper"
        SUPD=$wrapper
}

# cg_kill_tree DIR — SIGKILLs every process in DIR and below (thawing v1 freezer groups).
cg_kill_tree() {
        local f p
        while IFS= read -r f; do
                [[ -w $f ]] && echo THAWED >"$f" 2>/dev/null
        done < <(find "$1" -name freezer.state 2>/dev/null)
        while IFS= read -r f; do
                for p in $(cat "$f" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || :; done
        done < <(find "$1" -name cgroup.procs 2>/dev/null)
        return 0
}

# cg_rmdir_tree DIR — removes DIR and the groups below it (bounded retry while killed
# processes finish dying).
_cg_rmdir_tree() {
        [[ -d $1 ]] || return 0
        find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
        [[ ! -d $1 ]]
}
cg_isolate_cleanup() {
        local d
        for d in "${CG_TEST_DIRS[@]}"; do
                [[ -d $d ]] || continue
                cg_kill_tree "$d"
                wait_for_quiet 5 _cg_rmdir_tree "$d" || echo "# cg_isolate_cleanup: cannot remove $d"
        done
        CG_TEST_DIRS=()
}
