#!/usr/bin/env bats
# cgroups (step 4): limits written, OOM kill, fork bomb, CPU quota, cgroup-wide kill at
# stop, cleanup at exit and of a crashed supd's stale groups, stats.
#
# Written for cgroup v1/hybrid and v2 hosts alike: the unit's groups are found from
# /proc/$SUPD_PID/cgroup (helpers: cg_*), and a test skips, saying why, only where the
# host lacks a controller it needs. Each test's supd runs in a cgroup of its own
# (cg_isolate), apart from any other supd on the host (a concurrent test run).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        ensure_rootfs
}

setup() {
        sup_setup
        need_rootfs
        cg_isolate
}

teardown() {
        local rc=0
        sup_teardown || rc=1
        cg_isolate_cleanup
        return $rc
}

# unit FILE < content — write_unit, with @ROOTFS@ the busybox image.
unit() {
        sed "s|@ROOTFS@|$ROOTFS|g" | write_unit "$1"
}

# usage_usec NAME — the unit's cpu_usage_usec (fails if null).
usage_usec() {
        local u
        u=$(field "$1" cpu_usage_usec) && [[ $u =~ ^[0-9]+$ ]] && echo "$u"
}
usage_ge() { local u; u=$(usage_usec "$1") && ((u >= $2)); }

# alive PID — PID exists and is not a zombie (an orphan's reaper may be slow to reap).
alive() {
        local st
        st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ -n $st && $st != Z* ]]
}
dead() { ! alive "$1"; }

# ------------------------------------------------------------------- limits

@test "limits: memory_max, memory_high, pids_max, cpu_max and cpu_weight are written to the unit's cgroup" {
        cg_need memory pids cpu
        unit lim.conf <<'EOF'
container lim {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    memory_max = 32M
    memory_high = 24M
    pids_max = 16
    cpu_max = 0.2
    cpu_weight = 50
}
EOF
        start_supd
        cg_need memory pids cpu
        wait_state lim running
        # The unit's own process is in the group (every hierarchy).
        local d pid
        pid=$(field lim pid)
        for d in $(cg_unit_dirs lim); do
                grep -qx "$pid" "$d/cgroup.procs" || fail "pid $pid is not in $d"
        done
        [[ -n $(cg_unit_dirs lim) ]] || fail "no cgroup of unit lim below $(cg_sup_bases)"
        assert_equal "$(cg_read memory lim memory.limit_in_bytes memory.max)" $((32 << 20))
        assert_equal "$(cg_read pids lim pids.max pids.max)" 16
        if [[ $(cg_version) == v2 ]]; then
                assert_equal "$(cg_read memory lim - memory.high)" $((24 << 20))
                assert_equal "$(cg_read cpu lim - cpu.max)" "20000 100000"
                assert_equal "$(cg_read cpu lim - cpu.weight)" 50
        else
                # v1 has no memory.high; the soft limit stands for it.
                assert_equal "$(cg_read memory lim memory.soft_limit_in_bytes -)" $((24 << 20))
                assert_equal "$(cg_read cpu lim cpu.cfs_period_us -)" 100000
                assert_equal "$(cg_read cpu lim cpu.cfs_quota_us -)" 20000
                # cpu.weight 100 is cpu.shares 1024.
                assert_equal "$(cg_read cpu lim cpu.shares -)" 512
        fi
}

@test "limits: memory_swap_max and io_weight are written, or the unit fails to start saying why" {
        cg_need memory
        unit opt.conf <<'EOF'
container swap {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    memory_max = 32M
    memory_swap_max = 16M
    restart = "no"
}
container io {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    io_weight = 500
    restart = "no"
}
EOF
        start_supd
        wait_state swap 'running|exited|failed'
        wait_state io 'running|exited|failed'
        local d f
        # Never silently ignored: either the value is there or the unit did not run.
        if state_is swap running; then
                if [[ $(cg_version) == v2 ]]; then
                        assert_equal "$(cg_read memory swap - memory.swap.max)" $((16 << 20))
                else
                        # memsw is memory + swap.
                        assert_equal "$(cg_read memory swap memory.memsw.limit_in_bytes -)" $((48 << 20))
                fi
        else
                echo "# swap: $(field swap result): $(field swap message)"
                [[ $(field swap message) == *memory_swap_max* ]] || fail "swap did not run, and the message does not say why"
        fi
        if state_is io running; then
                if [[ $(cg_version) == v2 ]]; then
                        assert_equal "$(cg_read io io - io.weight)" "default 500"
                else
                        # blkio.weight (CFQ) or blkio.bfq.weight, 10..1000: io_weight / 10.
                        d=$(cg_unit_dir blkio io)
                        f=$d/blkio.weight
                        [[ -e $f ]] || f=$d/blkio.bfq.weight
                        run -0 cat "$f"
                        assert_output --regexp '^(default )?50$'
                fi
        else
                echo "# io: $(field io result): $(field io message)"
                [[ $(field io message) == *io_weight* ]] || fail "io did not run, and the message does not say why"
        fi
}

# ---------------------------------------------------------------------- OOM

oom_kill() {
        cg_need memory
        # A string doubling in awk allocates without bound; memory_max stops it. With
        # swap on, the unit's swap is limited too, or the hog would swap instead.
        local swap=''
        if (($(wc -l </proc/swaps) > 1)); then
                if [[ $(cg_version) == v2 ]]; then
                        compgen -G '/sys/fs/cgroup/*/memory.swap.max' >/dev/null ||
                                skip "swap is on and cgroup v2 has no memory.swap.max (swap accounting off)"
                else
                        [[ -e $(cg_dir_of self memory)/memory.memsw.limit_in_bytes ]] ||
                                skip "swap is on and cgroup v1 has no memory.memsw (swapaccount=0)"
                fi
                swap='memory_swap_max = 0'
        fi
        unit hog.conf <<EOF
container hog {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "date +%s.%N >> @T@/starts; exec awk 'BEGIN { s = \"@MARK@\"; while (1) s = s s }'"}
    memory_max = 32M
    $swap
    restart = "on-failure"
    restart_delay = 100ms
    start_limit = 3
    start_limit_interval = 60s
}
EOF
        start_supd $(pid1_flag "$1")
        cg_need memory
        # Between the kills the unit backs off and starts again: a failure each time.
        wait_for -t 20 file_lines_ge "$T/starts" 2
        wait_state hog failed 30
        assert_equal "$(field hog result)" oom-kill
        assert_equal "$(field hog restarts)" 2
        run -0 wc -l <"$T/starts"
        assert_output 3
        wait_for log_has "hog: the OOM killer killed"
        run -0 grep -c "hog: the OOM killer killed [0-9]* process(es)" "$SUPD_LOG"
        ((output >= 3)) || fail "$output OOM log lines for 3 runs"
}

@test "memory_max: a memory hog is OOM-killed, result oom-kill, logged, restarted per policy (plain)" { oom_kill plain; }
@test "memory_max: a memory hog is OOM-killed, result oom-kill, logged, restarted per policy (pid1)" { oom_kill pid1; }

# ---------------------------------------------------------------- fork bomb

@test "pids_max: a fork bomb inside is stopped at 16 tasks while another unit keeps running" {
        cg_need pids
        # 100 background sleeps through awk's system(): a failed fork is counted (and the
        # loop goes on) instead of ending a shell.
        cat >"$T/bomb.sh" <<EOF
awk 'BEGIN { for (i = 0; i < 100; i++) if (system("sleep $MARK &") != 0) f++
             print "started=" 100 - f, "failures=" f }' >$T/bomb.out
exec sleep $MARK
EOF
        unit bomb.conf <<'EOF'
container calm {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
container bomb {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "@T@/bomb.sh"}
    pids_max = 16
}
EOF
        start_supd
        cg_need pids
        wait_state calm running
        local calm_pid
        calm_pid=$(field calm pid)
        wait_for -t 30 test -s "$T/bomb.out"
        cat "$T/bomb.out"
        local started failures tasks
        read -r started failures < <(sed 's/[a-z]*=//g' "$T/bomb.out")
        ((failures > 0)) || fail "no fork failed: $(cat "$T/bomb.out")"
        ((started >= 8 && started <= 16)) || fail "started $started sleeps with pids_max 16"
        wait_state bomb running
        tasks=$(field bomb tasks)
        ((tasks >= 12 && tasks <= 16)) || fail "bomb has $tasks tasks with pids_max 16"
        run -0 cat "$(cg_unit_dir pids bomb)/pids.current"
        ((output <= 16)) || fail "pids.current is $output"
        # The limit was what stopped it.
        run -0 cat "$(cg_unit_dir pids bomb)/pids.events"
        assert_output --regexp '^max [1-9]'
        # The other unit is untouched and can still spawn.
        assert_equal "$(field calm state)" running
        assert_equal "$(field calm pid)" "$calm_pid"
        run -0 in_ctr calm /bin/sh -c "sleep 0 & wait \$!; echo spawned"
        assert_output spawned
        assert_equal "$(field calm state)" running
}

# ------------------------------------------------------------------ cpu_max

@test "cpu_max = 0.2: a busy loop gets about 20% of one CPU" {
        cg_need cpu
        unit cpu.conf <<'EOF'
container capped {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "while :; do :; done # @MARK@"}
    cpu_max = 0.2
}
container free {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "while :; do :; done # @MARK@"}
}
EOF
        start_supd
        cg_need cpu
        wait_state capped running
        wait_state free running
        # Both loops run (some CPU time used) before the measurement starts.
        wait_for usage_ge capped 50000
        wait_for usage_ge free 50000
        # Over a window of 3 s: the capped loop about 200/1000 of a CPU, the uncapped one
        # much more (so the measurement means something). A busy host can starve both:
        # then the window is measured again (3 at most). More than the cap is never due
        # to load, so that fails at once.
        local try c0 f0 t0 c1 f1 t1 capped_pm free_pm
        for try in 1 2 3; do
                t0=$(date +%s%N) c0=$(usage_usec capped) f0=$(usage_usec free)
                # The measurement window (not a wait for something to happen).
                sleep 3
                t1=$(date +%s%N) c1=$(usage_usec capped) f1=$(usage_usec free)
                capped_pm=$(((c1 - c0) * 1000000 / (t1 - t0)))
                free_pm=$(((f1 - f0) * 1000000 / (t1 - t0)))
                echo "# window $try: capped ${capped_pm}/1000 CPU, uncapped ${free_pm}/1000 over $(((t1 - t0) / 1000000)) ms"
                ((capped_pm <= 300)) || fail "capped loop used ${capped_pm}/1000 of a CPU with cpu_max 0.2"
                if ((free_pm >= 400)); then break; fi
        done
        ((free_pm >= 400)) || fail "uncapped loop got only ${free_pm}/1000 of a CPU in 3 windows: host too busy to measure"
        ((capped_pm >= 100)) || fail "capped loop used only ${capped_pm}/1000 of a CPU, wanted about 200"
}

# ------------------------------------------------------------------------ stop

# A daemon that double-forks into its own session, everything deaf to SIGTERM, so the
# stop ends with the kill of the whole cgroup after stop_timeout. In plain mode a
# process from outside the container is put into the unit's cgroups as well: only a
# kill of the cgroup reaches it (the container's PID namespace does not hold it).
stop_double_fork() {
        local mode=$1 init=$2
        cat >"$T/d.sh" <<EOF
trap '' TERM HUP INT
( setsid sleep $MARK & )
echo forked
exec sleep $MARK
EOF
        unit d.conf <<EOF
container d {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "@T@/d.sh"}
    init = $init
    stop_timeout = 1s
}
EOF
        start_supd $(pid1_flag "$mode")
        wait_state d running
        wait_for log_has "d: forked"
        wait_for procs_count_ge "^sleep $MARK\$" 2
        local dirs outsider='' d
        dirs=$(cg_unit_dirs d)
        [[ -n $dirs ]] || fail "no cgroup of unit d below $(cg_sup_bases)"
        if [[ $mode == plain ]]; then
                (setsid sleep "$MARK" </dev/null >/dev/null 2>&1 3>&- &
                        echo $! >"$T/outsider")
                outsider=$(cat "$T/outsider")
                for d in $dirs; do echo "$outsider" >"$d/cgroup.procs"; done
                wait_for procs_count_ge "^sleep $MARK\$" 3
        fi
        run -0 "$SUPCTL" stop d
        wait_state d exited 10
        assert_equal "$(field d result)" timeout
        wait_for -t 5 no_procs "$MARK"
        if [[ -n $outsider ]]; then
                dead "$outsider" || fail "the process put into the unit's cgroup survived the stop"
        fi
        # The unit's groups are gone with it.
        wait_for -t 5 cg_no_unit_dirs d
}

@test "stop: a double-forked daemon and whatever else is in the cgroup are killed, the groups removed (plain, init = true)" {
        stop_double_fork plain true
}
@test "stop: a double-forked daemon and whatever else is in the cgroup are killed, the groups removed (plain, init = false)" {
        stop_double_fork plain false
}
@test "stop: a double-forked daemon is killed, the groups removed (pid1, init = false)" {
        stop_double_fork pid1 false
}

# A hybrid host's controller-less cgroup2 holds each unit too: the kernel reports a
# process's group there even after it is reaped, which traces notify messages.
@test "hybrid: on a v1 host with a cgroup2 (unified) the unit has a group there too, holding all its processes" {
        [[ -n $(_cg_hybrid_mount) ]] || skip "not a hybrid host (no cgroup2 beside v1 controllers)"
        unit h.conf <<'EOF'
container h {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "sleep @MARK@ & exec sleep @MARK@"}
}
EOF
        start_supd
        wait_state h running
        wait_for procs_count_ge "^sleep $MARK\$" 2
        local d p
        d=$(cg_unit_dir unified h)
        [[ -d $d ]] || fail "no group $d"
        for p in $(procs_of "$MARK"); do
                grep -qx "$p" "$d/cgroup.procs" || fail "process $p is not in $d"
        done
        run -0 "$SUPCTL" stop h
        wait_state h exited
        wait_for -t 5 test ! -e "$d"
}

# ------------------------------------------------------------- supd's own exit

exit_cleanup() {
        unit e.conf <<'EOF'
container a {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "sleep @MARK@ & exec sleep @MARK@"}
}
container b {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    memory_max = 64M
    cpu_max = 0.5
    pids_max = 100
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state a running
        wait_state b running
        local bases b
        bases=$(cg_sup_bases)
        echo "# sup groups: $bases"
        [[ -n $bases ]] || fail "no sup base groups"
        for b in $bases; do
                [[ -d $b ]] || fail "$b does not exist while supd runs"
        done
        [[ -n $(cg_unit_dirs a) && -n $(cg_unit_dirs b) ]] || fail "units without cgroups"
        stop_supd TERM 30
        assert_equal "$SUPD_EXIT" "$(clean_exit "$1")"
        run -1 pgrep -a -f -- "$MARK"
        local left=''
        for b in $bases; do
                [[ -e $b ]] && left+=" $b"
        done
        [[ -z $left ]] || fail "left behind after supd exited:$left"
}

@test "exit: no sup cgroup directories remain after supd exits on SIGTERM (plain)" { exit_cleanup plain; }
@test "exit: no sup cgroup directories remain after supd exits on SIGTERM (pid1)" { exit_cleanup pid1; }

# --------------------------------------------------------------- stale groups

# supd is SIGKILLed with a unit running. As a plain process its container lives on in
# the unit's groups; as PID 1 the namespace dies with it but the groups stay. The next
# supd on the same config and run dir kills what is left, removes the stale groups and
# runs the unit afresh.
stale_cleanup() {
        unit s.conf <<'EOF'
container s {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state s running
        wait_for procs_count_ge "^sleep $MARK\$" 1
        local old dirs d
        old=$(pgrep -x -f -- "sleep $MARK")
        dirs=$(cg_unit_dirs s)
        [[ -n $dirs ]] || fail "no cgroup of unit s"
        stop_supd KILL 10
        if [[ $1 == plain ]]; then
                # The container outlived supd, still in its groups.
                alive "$old" || fail "the unit's process died with supd: nothing stale to clean"
                for d in $dirs; do
                        grep -qx "$old" "$d/cgroup.procs" || fail "$old is not in $d"
                done
        else
                wait_for -t 5 no_procs "$MARK"
        fi
        for d in $dirs; do
                [[ -d $d ]] || fail "$d went with supd: nothing stale to clean"
        done
        : >"$SUPD_LOG"
        start_supd $(pid1_flag "$1")
        wait_for log_has "removing stale cgroup"
        # Stopped like a stop goes: SIGTERM first (a plain supd's container outlived it).
        [[ $1 != plain ]] || log_has "still run in" || fail "the stale container got no SIGTERM first"
        wait_for -t 5 dead "$old"
        wait_state s running
        # The unit runs afresh, once.
        wait_for bash -c "[ \"\$(pgrep -c -x -f -- 'sleep $MARK')\" = 1 ]"
        local now
        now=$(pgrep -x -f -- "sleep $MARK")
        [[ $now != "$old" ]] || fail "the stale process $old is still there"
        for d in $(cg_unit_dirs s); do
                grep -qx "$now" "$d/cgroup.procs" || fail "the new process $now is not in $d"
        done
}

@test "stale: groups of a SIGKILLed supd are killed and removed at the next start (plain)" { stale_cleanup plain; }
@test "stale: groups of a SIGKILLed supd are killed and removed at the next start (pid1)" { stale_cleanup pid1; }

# ------------------------------------------------------------------------ stats

@test "stats: memory_current, memory_peak, cpu_usage_usec and tasks in status; supctl top shows the unit" {
        cg_need memory
        unit st.conf <<'EOF'
container st {
    rootfs = "@ROOTFS@"
    exec = {"/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; echo busy-done; sleep @MARK@ & sleep @MARK@ & wait"}
    init = true
}
EOF
        start_supd
        cg_need memory
        wait_state st running
        wait_for log_has "st: busy-done"
        wait_for procs_count_ge "^sleep $MARK\$" 2
        local j
        j=$(status_json st)
        echo "# $j"
        # The reaper, the shell and its two sleeps.
        assert_equal "$(jq -r .tasks <<<"$j")" 4
        local mem peak cpu
        mem=$(jq -r .memory_current <<<"$j") peak=$(jq -r .memory_peak <<<"$j") cpu=$(jq -r .cpu_usage_usec <<<"$j")
        ((mem > 0 && mem < 256 << 20)) || fail "memory_current $mem"
        [[ $peak == null ]] || ((peak >= mem)) || fail "memory_peak $peak < memory_current $mem"
        # The count to 20000 took some CPU time, and not more than the time it ran.
        local ran_usec
        ran_usec=$(($(date +%s%6N) - $(jq -r .since <<<"$j")))
        ((cpu >= 1000 && cpu <= ran_usec * $(nproc) + 1000000)) || fail "cpu_usage_usec $cpu after ${ran_usec}us"
        run -0 "$SUPCTL" top --once
        echo "$output"
        assert_line --index 0 --regexp '^NAME +STATE +CPU % +MEMORY +PEAK +TASKS'
        assert_line --regexp '^st +running +[-0-9.]+ +[0-9.]+[KMG]?i?B? +[0-9.]+[KMG]?i?B? +4$'
}
