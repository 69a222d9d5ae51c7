#!/usr/bin/env bats
# The cgroup v2 backend (issue 5) in the appliance VM: supd as PID 1 of kernel 6.1, pure
# cgroup v2 mounted by supd at /sys/fs/cgroup, units in /sys/fs/cgroup/sup/NAME.
#
# setup_file builds the image (`make image`) and boots it once under qemu TCG with the
# test units of tests/system/image/cgroup-v2/ added as an extra cpio archive (the image
# itself is the one `make image` builds; its demo units run too):
#   lim      a sleeper with every resource key
#   hog      a memory hog under memory_max = 32M, restart on-failure, start_limit = 3
#   bomb     a bounded fork loop (100 background sleeps) under pids_max = 16
#   dfork    a double-forking daemon deaf to SIGTERM, stop_timeout = 1s
#   capped   a busy loop under cpu_max = 0.2, and free, one without limit (started by
#   free       the checker for the measurement only)
#   cgcheck  the checker: no rootfs (the appliance's /, supctl), the appliance's
#            /sys/fs/cgroup and /proc as volumes; it goes through the checks in turn,
#            prints "cgcheck: KEY: ..." lines on the console and runs `supctl poweroff`
# The tests assert on the console log. The whole VM run is bounded by VM_TIMEOUT and
# must stay under 90 s.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        cd "$ROOT"
        make -s image > "$BATS_FILE_TMPDIR/make-image.out" 2>&1 ||
                { cat "$BATS_FILE_TMPDIR/make-image.out" >&3; return 1; }
        local d=$BATS_FILE_TMPDIR/cpio
        mkdir -p "$d/cgroup-v2/etc/sup/units"
        cp "$BATS_TEST_DIRNAME"/image/cgroup-v2/*.conf "$d/cgroup-v2/etc/sup/units/"
        make_cpio "$d/cgroup-v2.cpio.gz" "$d/cgroup-v2"
        boot_vm cgv2 "$d/cgroup-v2.cpio.gz"
}

# ev KEY — what the checker printed after "cgcheck: KEY: " (the first such line).
ev() {
        console cgv2 | awk -v k="cgcheck: $1: " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }'
}

# ev_field KEY WORD — the number after WORD in the checker's KEY line ("tasks 14" -> 14).
ev_field() {
        ev "$1" | awk -v w="$2" '{ for (i = 1; i < NF; i++) if ($i == w) { print $(i + 1) + 0; exit } }'
}

@test "cgroup v2: the VM boots, supd uses v2 with its controllers, the checker runs to the end and powers off" {
        vm_ok cgv2
        run console cgv2
        assert_line --regexp '^supd: supd running as PID 1'
        assert_line 'supd: cgroup: v2, units in /sys/fs/cgroup/sup'
        assert_line 'supd: loaded 10 unit(s), 0 error(s)'
        refute_line --regexp '^supd: (lim|hog|bomb|dfork|capped|free|cgcheck): .*spawn-error'
        assert_line 'cgcheck: === begin'
        assert_line 'cgcheck: === end'
        assert_line 'cgcheck: poweroff requested'
        refute_line --regexp '^cgcheck: [a-z]+: (not running|not failed in time|no tally)$'
        # memory, cpu, pids and io handed down to sup/ and from there to the units
        local key c
        for key in 'root subtree_control' 'sup subtree_control'; do
                for c in memory cpu pids io; do
                        [[ " $(ev "$key") " == *" $c "* ]] || fail "$key: $(ev "$key"): no $c"
                done
        done
        # one group per running unit below sup/
        for c in lim hog bomb dfork cgcheck web worker; do
                [[ " $(ev 'sup groups') " == *" $c "* ]] || fail "no group sup/$c: $(ev 'sup groups')"
        done
        echo "# cgroup-v2 run: $(cat "$BATS_FILE_TMPDIR/cgv2.secs") s from qemu start to power-off" >&3
        [ "$(awk '{ print ($1 < 90) }' "$BATS_FILE_TMPDIR/cgv2.secs")" = 1 ]
}

@test "cgroup v2: every limit key is written to the unit's group; the unit runs in it; stats in status --json" {
        assert_equal "$(ev 'lim memory.max')" $((32 << 20))
        assert_equal "$(ev 'lim memory.high')" $((24 << 20))
        assert_equal "$(ev 'lim memory.swap.max')" 0
        assert_equal "$(ev 'lim cpu.max')" "20000 100000"
        assert_equal "$(ev 'lim cpu.weight')" 50
        assert_equal "$(ev 'lim pids.max')" 16
        assert_equal "$(ev 'lim io.weight')" "default 500"
        # /proc/PID/cgroup of the unit's process, seen from the checker's cgroup namespace
        # (rooted at sup/cgcheck): its sibling sup/lim
        run ev 'lim pid cgroup'
        assert_output --regexp '^0::(/\.\.|/sup)/lim$'
        run ev 'lim json'
        local k
        for k in memory_current memory_peak cpu_usage_usec tasks; do
                assert_output --regexp "\"$k\":[0-9]+[,}]"
        done
        assert_output --partial '"tasks":2,' # init = true: the reaper and sleep
}

@test "cgroup v2: a stopped unit's group is removed" {
        assert_equal "$(ev 'lim stopped')" "state exited, group gone"
        # and at the end only the units still running have one
        run ev 'sup groups at end'
        refute_output --regexp '(^| )(lim|hog|dfork|capped|free)( |$)'
        assert_output --regexp '(^| )cgcheck( |$)'
}

@test "cgroup v2: memory_max = 32M: a memory hog is OOM-killed, result oom-kill, logged, restarted per policy" {
        run console cgv2
        local n
        n=$(grep -c '^supd: hog: the OOM killer killed [0-9]* process(es)' <<<"$output")
        assert_equal "$n" 3
        assert_line --regexp '^supd: hog: backoff \(oom-kill, status 137\), restarting in 100ms$'
        assert_line --regexp '^supd: hog: backoff \(oom-kill, status 137\), restarting in 200ms$'
        assert_line --regexp '^supd: hog: failed \(oom-kill, status 137\): start limit hit'
        assert_equal "$(grep -c '^hog: hogging$' <<<"$output")" 3
        # the kernel's side: memcg OOM in sup/hog
        assert_line --regexp 'oom-kill:constraint=CONSTRAINT_MEMCG,.*oom_memcg=/sup/hog,'
        assert_equal "$(ev hog)" "state failed result oom-kill restarts 2"
        assert_equal "$(ev 'hog group')" gone
}

@test "cgroup v2: pids_max = 16 stops a fork loop inside while another unit keeps running" {
        local started failures tasks cur
        started=$(ev 'bomb tally' | sed -n 's/.*started=\([0-9]*\).*/\1/p')
        failures=$(ev 'bomb tally' | sed -n 's/.*failures=\([0-9]*\).*/\1/p')
        tasks=$(ev_field 'bomb state' tasks)
        cur=$(ev 'bomb pids.current')
        echo "# bomb: $started sleeps started, $failures forks failed; tasks $tasks, pids.current $cur," \
                "pids.events '$(ev 'bomb pids.events')'" >&3
        ((failures > 0)) || fail "no fork failed: $(ev 'bomb tally')"
        ((started >= 8 && started <= 16)) || fail "started $started sleeps with pids_max 16"
        ((tasks >= 10 && tasks <= 16)) || fail "bomb has $tasks tasks with pids_max 16"
        ((cur <= 16)) || fail "pids.current is $cur"
        assert_equal "$(ev 'bomb pids.max')" 16
        run ev 'bomb pids.events'
        assert_output --regexp '^max [1-9][0-9]*$'
        run console cgv2
        assert_line --regexp 'cgroup: fork rejected by pids controller in /sup/bomb$'
        # the other units are untouched: web runs on with the same pid and can fork
        assert_equal "$(ev 'web during bomb')" "running pid-same yes"
        assert_equal "$(ev 'web spawn')" spawned
        assert_equal "$(ev 'self spawn')" spawned
}

@test "cgroup v2: stop kills the whole group (cgroup.kill): a double-forked daemon leaves no process" {
        assert_equal "$(ev 'dfork before stop')" "2 marked processes, 2 in cgroup.procs, cgroup.kill present"
        # deaf to SIGTERM: the stop ended with the group's kill after stop_timeout
        assert_equal "$(ev 'dfork after stop')" "state exited result timeout, 0 marked processes, group gone"
}

@test "cgroup v2: cpu_max = 0.2 keeps a busy loop near 20% of the CPU, next to an uncapped one" {
        assert_equal "$(ev 'capped cpu.max')" "20000 100000"
        # the last window the checker measured (it measures again, 3 at most, while the
        # uncapped loop got less than 40%)
        local w capped free
        w=$(console cgv2 | grep '^cgcheck: cpu window ' | tail -n 1)
        [[ -n $w ]] || fail "no cpu window on the console"
        capped=$(sed -n 's/.*capped \([0-9]*\)\/1000.*/\1/p' <<<"$w")
        free=$(sed -n 's/.*free \([0-9]*\)\/1000.*/\1/p' <<<"$w")
        echo "# ${w#cgcheck: } (per mille of the one vCPU)" >&3
        run ev 'cpu.stat capped'
        assert_output --regexp 'nr_throttled [1-9]'
        ((capped <= 350)) || fail "capped loop used $capped/1000 of the CPU with cpu_max 0.2"
        ((free >= 400)) || skip "the uncapped loop got only $free/1000 of the vCPU: the VM was too busy to measure"
        ((capped >= 50)) || fail "capped loop used only $capped/1000 of the CPU, wanted about 200"
}
