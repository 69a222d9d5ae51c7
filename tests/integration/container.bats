#!/usr/bin/env bats
# Units as containers (step 2): isolation, rootfs and writable layers, volumes, /proc,
# capabilities, seccomp, spawn errors, user namespaces, network, cleanup.
# Everything is checked from inside, through the app's own output (supd's log) and
# through supctl exec, with the demo image build/rootfs/busybox. supd runs as PID 1 of
# a fresh PID+mount namespace unless a test needs host pids (then as a plain child).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        ensure_rootfs
}

setup() {
        sup_setup
        need_rootfs
        write_supconf
}

teardown() {
        sup_teardown
}

# The default capability set (podman's): CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
# SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP.
DEFAULT_CAPS=00000000800405fb

# ------------------------------------------------------------------ isolation

app_is_pid1() {
        # No reaper: the app is PID 1 (a trap, so that it dies on SIGTERM as PID 1).
        write_container app.conf <<'EOF'
container app {
    exec = {"/bin/sh", "-c", "trap 'exit 0' TERM; echo pid=$$; ps -o pid,args; sleep @MARK@ & wait"}
    rootfs = "@ROOTFS@"
}
EOF
        start_supd $(pid1_flag "$1")
        wait_state app running
        # The app's own view: it is PID 1 and ps lists it, its ps and nothing else.
        wait_for log_has "app: pid=1"
        wait_for log_has "app: PID"
        # The app's ps: itself (1) and ps, nothing else.
        run -0 grep -E '^app: +[0-9]+ ' "$SUPD_LOG"
        assert_equal "${#lines[@]}" 2
        assert_line --index 0 --regexp '^app: +1 /bin/sh -c trap'
        # (busybox's ps may run as a forked applet without exec: "{ps} /bin/sh ...")
        assert_line --index 1 --regexp '^app: +[0-9]+ (ps -o pid,args|\{ps\} /bin/sh -c trap.*)$'
        # Through exec: the app (1), its sleep, and ps itself. No supd, no host process.
        run -0 in_ctr app ps -o pid,args
        assert_equal "${#lines[@]}" 4
        assert_line --index 1 --regexp '^ +1 /bin/sh -c trap'
        assert_line --regexp "^ +[0-9]+ sleep $MARK\$"
        assert_line --regexp '^ +[0-9]+ ps -o pid,args$'
}

@test "isolation: the app is PID 1 and ps sees only the container's processes (pid1)" { app_is_pid1 pid1; }
@test "isolation: the app is PID 1 and ps sees only the container's processes (plain)" { app_is_pid1 plain; }

@test "init = true: sup-init is PID 1, the app PID 2, orphans are re-parented to it and reaped" {
        # Five double-forked children outlive their parent subshell; each records its
        # parent once orphaned. The app itself never waits for anything.
        write_container app.conf <<'EOF'
container app {
    exec = {"/bin/sh", "-c", "echo pid=$$; for i in 1 2 3 4 5; do (sh -c 'sleep 0.3; grep PPid /proc/$$/status >> /tmp/orphans' &); done; exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
EOF
        start_supd --pid1
        wait_state app running
        wait_for log_has "app: pid=2"
        run -0 in_ctr app ps -o pid,ppid,comm
        assert_line --index 1 --regexp '^ +1 +0 sup-init$'
        assert_line --regexp '^ +2 +1 sleep$'
        wait_for _orphans_recorded app 5
        run -0 in_ctr app cat /tmp/orphans
        assert_equal "$(grep -c '^PPid:[[:space:]]1$' <<<"$output")" 5
        # They exited: nothing is left as a zombie inside, nor of supd outside.
        wait_for -t 5 _no_zombie_inside app
        wait_for -t 5 no_zombies_of "$SUPD_PID"
        assert_equal "$(field app restarts)" 0
        assert_equal "$(field app state)" running
}

_orphans_recorded() { [[ $(in_ctr "$1" cat /tmp/orphans 2>/dev/null | wc -l) -ge $2 ]]; }
_no_zombie_inside() {
        local out
        out=$(in_ctr "$1" ps -o stat,pid,ppid,args) || return 1
        ! grep -q '^ *Z' <<<"$out"
}

@test "hostname: the unit's name by default, the hostname key otherwise; /etc/hostname and /etc/hosts match" {
        local host_before
        host_before=$(uname -n)
        write_container hn.conf <<'EOF'
container plain-name {
    exec = {"/bin/sh", "-c", "echo host=$(hostname); exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
container named {
    exec = {"/bin/sh", "-c", "echo host=$(hostname); exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    hostname = "box.example"
}
EOF
        start_supd --pid1
        wait_state plain-name running
        wait_state named running
        wait_for log_has "plain-name: host=plain-name"
        wait_for log_has "named: host=box.example"
        run -0 in_ctr plain-name hostname
        assert_output plain-name
        run -0 in_ctr plain-name cat /etc/hostname
        assert_output plain-name
        run -0 in_ctr named hostname
        assert_output box.example
        run -0 in_ctr named cat /etc/hostname
        assert_output box.example
        run -0 in_ctr named cat /etc/hosts
        assert_line --regexp '^127\.0\.0\.1[[:space:]]+localhost'
        assert_line --regexp '[[:space:]]box\.example([[:space:]]|$)'
        # The host's own name is untouched.
        assert_equal "$(uname -n)" "$host_before"
}

@test "mounts: no host mount is visible inside, only the container's own (and its volumes)" {
        mkdir -p "$T/data"
        write_container m.conf <<'EOF'
container bare {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
container withvol {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    volume "/data" { source = "@T@/data" }
    tmpfs "/scratch" { size = 1M }
}
EOF
        start_supd --pid1
        wait_state bare running
        wait_state withvol running
        # The container's own: its root, /proc, /sys, /dev, its /run (tmpfs, the notify
        # socket) and the two files written for its hostname.
        local allowed='^(/|/proc(/.*)?|/sys(/.*)?|/dev(/.*)?|/run(/.*)?|/etc/hostname|/etc/hosts)$'
        run -0 in_ctr bare cat /proc/self/mountinfo
        local bad
        bad=$(awk -v re="$allowed" '$5 !~ re' <<<"$output")
        [[ -z $bad ]] || fail "unexpected mounts inside: $bad"
        # Nothing bound from the test's tree but the container's own files in the run dir.
        bad=$(awk -v t="$T/" -v own="$RUN/containers/bare/" \
                'index($4, t) == 1 && index($4, own) != 1' <<<"$output")
        [[ -z $bad ]] || fail "host paths bound inside: $bad"
        # Not our temp dir, not the source tree: nothing of the host's tree is there.
        run -1 in_ctr bare test -e "$T"
        run -1 in_ctr bare test -e "$ROOT"
        run -0 in_ctr bare test -x /bin/busybox
        # With a volume and a tmpfs: exactly those two more.
        run -0 in_ctr withvol cat /proc/self/mountinfo
        bad=$(awk -v re="$allowed" '$5 !~ re' <<<"$output" | awk '{ print $5 }' | sort | tr '\n' ' ')
        assert_equal "$bad" "/data /scratch "
        assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ [^ ]*/data /data rw"
        assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ / /scratch rw.* - tmpfs [^ ]+ rw.*size=1024k"
        run -1 in_ctr withvol test -e "$T"
}

# ----------------------------------------------------------- writable layers

@test "writable = tmpfs (default): writes to / land in a per-run upper dir, not the image, gone after restart" {
        write_container w.conf <<'EOF'
container w {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
EOF
        start_supd --pid1
        wait_state w running
        run -0 in_ctr w sh -c "echo $MARK > /written && echo new > /etc/motd && cat /written"
        assert_output "$MARK"
        # Not in the image.
        [[ ! -e $ROOTFS/written && ! -e $ROOTFS/etc/motd ]] || fail "the write reached the image $ROOTFS"
        # / is an overlay of the image with an upper dir in the run dir.
        run -0 in_ctr w cat /proc/self/mountinfo
        assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay '
        assert_line --partial "lowerdir=$ROOTFS,upperdir=$RUN/containers/w/"
        local pid
        pid=$(field w pid)
        run -0 "$SUPCTL" restart w
        wait_new_pid w "$pid"
        run -1 in_ctr w test -e /written
        run -1 in_ctr w test -e /etc/motd
}

@test "writable = persistent: the upper dir is state_dir/NAME/upper, kept across restart, stop and supd exit" {
        write_container p.conf <<'EOF'
container p {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    writable = "persistent"
}
EOF
        start_supd --pid1
        wait_state p running
        run -0 in_ctr p sh -c "echo $MARK > /kept"
        # On the host, in the upper dir under state_dir; not in the image.
        [[ -f $STATE/p/upper/kept ]] || fail "no $STATE/p/upper/kept on the host"
        assert_equal "$(cat "$STATE/p/upper/kept")" "$MARK"
        [[ ! -e $ROOTFS/kept ]] || fail "the write reached the image"
        local pid
        pid=$(field p pid)
        run -0 "$SUPCTL" restart p
        wait_new_pid p "$pid"
        run -0 in_ctr p cat /kept
        assert_output "$MARK"
        run -0 "$SUPCTL" stop p
        wait_state p exited
        [[ -f $STATE/p/upper/kept ]] || fail "persistent upper gone after stop"
        stop_supd TERM 20
        [[ -f $STATE/p/upper/kept ]] || fail "persistent upper gone after supd exit"
        # And a new supd finds it again.
        start_supd --pid1
        wait_state p running
        run -0 in_ctr p cat /kept
        assert_output "$MARK"
}

@test "writable = none: / is read-only (EROFS), a tmpfs mount on it still works" {
        write_container ro.conf <<'EOF'
container ro {
    exec = {"/bin/sh", "-c", "touch /x; echo app-touch=$?; exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    writable = "none"
    tmpfs "/tmp" { size = 1M }
}
EOF
        start_supd --pid1
        wait_state ro running
        wait_for log_has "ro: app-touch=1"
        log_has "ro: touch: /x: Read-only file system" || fail "the app's touch did not fail with EROFS"
        run -1 in_ctr ro touch /x
        assert_output --partial "Read-only file system"
        run -1 in_ctr ro sh -c 'echo > /etc/passwd'
        assert_output --partial "Read-only file system"
        run -0 in_ctr ro sh -c 'echo ok > /tmp/f && cat /tmp/f'
        assert_output ok
}

# -------------------------------------------------------------------- volumes

@test "volumes: data survives a restart, the host sees it; a readonly volume refuses writes" {
        mkdir -p "$T/data" "$T/ro"
        echo from-host >"$T/ro/f"
        write_container v.conf <<'EOF'
container v {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    volume "/data" { source = "@T@/data" }
    volume "/ro" { source = "@T@/ro" readonly = true }
}
EOF
        start_supd --pid1
        wait_state v running
        run -0 in_ctr v sh -c "echo $MARK > /data/f"
        assert_equal "$(cat "$T/data/f")" "$MARK"
        run -0 in_ctr v cat /ro/f
        assert_output from-host
        run -1 in_ctr v sh -c 'echo x > /ro/f'
        assert_output --partial "Read-only file system"
        run -1 in_ctr v touch /ro/new
        assert_output --partial "Read-only file system"
        run -1 in_ctr v rm /ro/f
        assert_equal "$(cat "$T/ro/f")" from-host
        local pid
        pid=$(field v pid)
        run -0 "$SUPCTL" restart v
        wait_new_pid v "$pid"
        run -0 in_ctr v cat /data/f
        assert_output "$MARK"
}

# ---------------------------------------------------------------------- /proc

@test "/proc: /proc/sys and /sys are read-only, sysrq-trigger refused, masked paths read empty" {
        write_container pr.conf <<'EOF'
container pr {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
EOF
        start_supd --pid1
        wait_state pr running
        run -1 in_ctr pr sh -c 'echo hacked > /proc/sys/kernel/hostname'
        assert_output --partial "Read-only file system"
        run -0 in_ctr pr hostname
        assert_output pr
        run -1 in_ctr pr sh -c 'echo h > /proc/sysrq-trigger'
        run -1 in_ctr pr sh -c 'echo 1 > /proc/sys/vm/drop_caches'
        run -1 in_ctr pr mkdir /sys/fs/sup-test
        assert_output --partial "Read-only file system"
        local p n
        for p in kcore keys timer_list sched_debug; do
                n=$(in_ctr pr sh -c "cat /proc/$p 2>/dev/null | wc -c")
                [[ $n == 0 ]] || fail "/proc/$p is readable inside ($n bytes)"
        done
        # /proc/keys and /proc/timer_list exist on the host (so masking is not vacuous).
        [[ -e /proc/keys && -e /proc/timer_list ]] || skip "host has no /proc/keys or /proc/timer_list"
        [[ $(wc -c </proc/timer_list) -gt 0 ]]
}

# ------------------------------------------------------- capabilities, seccomp

# A unit whose app prints its capability lines as "CapEff:0000...".
_caps_app='awk '"'"'/^(Cap[A-Za-z]+|NoNewPrivs|Seccomp):/ { print $1 $2 }'"'"' /proc/self/status; id -u; id -G; exec sleep @MARK@'

@test "capabilities: root gets the default set in CapEff/CapBnd, NoNewPrivs 1, Seccomp 2 (app and exec)" {
        write_container c.conf <<EOF
container c {
    exec = {"/bin/sh", "-c", "$_caps_app"}
    rootfs = "@ROOTFS@"
    init = true
}
EOF
        start_supd --pid1
        wait_state c running
        wait_for log_has "c: Seccomp:2"
        local k
        for k in CapEff CapPrm CapBnd; do
                log_has "c: $k:$DEFAULT_CAPS" || fail "app's $k is not $DEFAULT_CAPS: $(grep "c: $k" "$SUPD_LOG")"
        done
        log_has "c: CapAmb:0000000000000000"
        log_has "c: NoNewPrivs:1"
        run -0 in_ctr c cat /proc/self/status
        assert_line --regexp "^CapEff:[[:space:]]+$DEFAULT_CAPS\$"
        assert_line --regexp "^CapBnd:[[:space:]]+$DEFAULT_CAPS\$"
        assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
        assert_line --regexp '^Seccomp:[[:space:]]+2$'
}

@test "capabilities = {CAP_SYS_TIME} adds bit 25 to the root set" {
        write_container c.conf <<EOF
container c {
    exec = {"/bin/sh", "-c", "$_caps_app"}
    rootfs = "@ROOTFS@"
    init = true
    capabilities = {"CAP_SYS_TIME"}
}
EOF
        start_supd --pid1
        wait_state c running
        wait_for log_has "c: Seccomp:2"
        log_has "c: CapEff:00000000820405fb" || fail "$(grep 'c: Cap' "$SUPD_LOG")"
        log_has "c: CapBnd:00000000820405fb"
        run -0 in_ctr c cat /proc/self/status
        assert_line --regexp '^CapEff:[[:space:]]+00000000820405fb$'
}

@test "user = app: uid/gid 1000, no supplementary groups, no capabilities; listed ones become ambient" {
        write_container u.conf <<EOF
container u {
    exec = {"/bin/sh", "-c", "$_caps_app"}
    rootfs = "@ROOTFS@"
    init = true
    user = "app"
}
container ub {
    exec = {"/bin/sh", "-c", "$_caps_app"}
    rootfs = "@ROOTFS@"
    init = true
    user = "app"
    capabilities = {"CAP_NET_BIND_SERVICE"}
}
EOF
        start_supd --pid1
        wait_state u running
        wait_state ub running
        wait_for log_has "u: Seccomp:2"
        wait_for log_has "ub: Seccomp:2"
        local k
        for k in CapEff CapPrm CapInh CapAmb; do
                log_has "u: $k:0000000000000000" || fail "u: $(grep "u: $k" "$SUPD_LOG")"
                log_has "ub: $k:0000000000000400" || fail "ub: $(grep "ub: $k" "$SUPD_LOG")"
        done
        run -0 grep -E '^u: [0-9]+$' "$SUPD_LOG"
        # id -u, then id -G: the primary group only.
        assert_equal "${lines[*]}" "u: 1000 u: 1000"
        run -0 in_ctr u id
        assert_output "uid=1000(app) gid=1000(app)"
        run -0 in_ctr u cat /proc/self/status
        assert_line --regexp '^CapEff:[[:space:]]+0000000000000000$'
        assert_line --regexp '^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$'
        assert_line --regexp '^Groups:[[:space:]]*$'
}

@test "hardening: mount, reboot -f and unshare -n fail inside; the container lives on" {
        write_container h.conf <<'EOF'
container h {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
EOF
        start_supd --pid1
        wait_state h running
        local pid
        pid=$(field h pid)
        run ! in_ctr h mount -t tmpfs none /mnt
        run -0 in_ctr h cat /proc/self/mountinfo
        refute_line --regexp ' /mnt '
        run ! in_ctr h reboot -f
        run ! in_ctr h unshare -n true
        assert_output --partial "Operation not permitted"
        run ! in_ctr h umount /proc
        assert_equal "$(field h state)" running
        assert_equal "$(field h pid)" "$pid"
}

_probe_ok() { # prefix: the lines of a clean probe report, each with PREFIX before it
        local p=$1 l
        for l in fds=0,1,2 sigmask=empty SigBlk=0000000000000000 SigIgn=0000000000000000 \
                kexec_load=EPERM reboot=EPERM mount=EPERM unshare=EPERM; do
                printf '%s%s\n' "$p" "$l"
        done
}

@test "probe as the app: kexec_load/reboot/mount/unshare get EPERM; only fds 0-2; no blocked or ignored signal" {
        local dir
        dir=$(probe_dir)
        # As PID 1, and under the reaper.
        write_container p.conf <<EOF
container bare {
    exec = {"/probe/probe"}
    rootfs = "@ROOTFS@"
    volume "/probe" { source = "$dir" readonly = true }
    restart = "no"
}
container reaped {
    exec = {"/probe/probe"}
    rootfs = "@ROOTFS@"
    volume "/probe" { source = "$dir" readonly = true }
    init = true
    restart = "no"
}
EOF
        start_supd --pid1
        wait_state bare exited
        wait_state reaped exited
        assert_equal "$(field bare result)" success
        assert_equal "$(field reaped result)" success
        local u
        for u in bare reaped; do
                wait_for log_has "$u: unshare="
                run -0 diff <(_probe_ok "$u: ") <(grep "^$u: [a-zA-Z_]*=" "$SUPD_LOG")
        done
}

# ---------------------------------------------------------------- spawn errors

@test "spawn errors: missing binary, missing rootfs, bad user, missing volume source give spawn-error with a clear message" {
        write_container e.conf <<'EOF'
container nobin {
    exec = {"/bin/nope"}
    rootfs = "@ROOTFS@"
    restart = "no"
}
container norootfs {
    exec = {"/bin/true"}
    rootfs = "@T@/no-such-image"
    restart = "no"
}
container baduser {
    exec = {"/bin/true"}
    rootfs = "@ROOTFS@"
    user = "bob"
    restart = "no"
}
container novol {
    exec = {"/bin/true"}
    rootfs = "@ROOTFS@"
    volume "/v" { source = "@T@/no-such-dir" }
    restart = "no"
}
container retried {
    exec = {"/bin/nope"}
    rootfs = "@ROOTFS@"
    restart_delay = 100ms
    start_limit = 2
}
EOF
        start_supd --pid1
        local u msg
        while IFS='|' read -r -u 4 u msg; do
                wait_state "$u" exited
                assert_equal "$(field "$u" result)" spawn-error
                run -0 field "$u" message
                assert_output --partial "$msg"
                log_has "$u: $msg" || fail "supd's log has no '$u: $msg'"
        done 4<<EOF
nobin|exec /bin/nope: No such file or directory
norootfs|rootfs $T/no-such-image: No such file or directory
baduser|user 'bob': no such user in $ROOTFS/etc/passwd
novol|volume /v: source $T/no-such-dir: No such file or directory
EOF
        [[ ! -e $T/no-such-dir ]] || fail "a volume source outside state_dir was created"
        # A spawn error is a failure for the restart policy.
        wait_state retried failed 10
        assert_equal "$(field retried result)" spawn-error
        assert_equal "$(field retried restarts)" 1
}

# --------------------------------------------------------------- user namespace

@test "userns = true: root inside is mapped to an unprivileged range, the app and exec still work" {
        write_container u.conf <<'EOF'
container u {
    exec = {"/bin/sh", "-c", "echo uid=$(id -u); touch /w && echo touched; exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    userns = true
}
EOF
        # The mapped root mounts inside the user namespace, so it must be able to reach
        # the run dir (as it can /run/sup): bats makes its run-wide temp dir 0700.
        chmod o+x "$BATS_RUN_TMPDIR"
        # Plain: supd's pids are the host's, for ps -o uid.
        start_supd
        wait_state u running
        wait_for log_has "u: uid=0"
        wait_for log_has "u: touched"
        run -0 in_ctr u cat /proc/self/uid_map
        local inside base count
        read -r inside base count <<<"$output"
        assert_equal "$inside" 0
        assert_equal "$count" 65536
        ((base > 0)) || fail "uid_map maps root to host root: $output"
        run -0 in_ctr u cat /proc/self/gid_map
        assert_output --regexp "^ +0 +[1-9][0-9]* +65536$"
        run -0 in_ctr u id -u
        assert_output 0
        # On the host the reaper and the app run as the mapped uid.
        local p
        p=$(field u pid)
        assert_equal "$(ps -o uid= -p "$p" | tr -d ' ')" "$base"
        p=$(procs_of "$MARK")
        assert_equal "$(ps -o uid= -p "$p" | tr -d ' ')" "$base"
        # Inside, root has its caps in its own namespace, none in the host's.
        run -0 in_ctr u grep CapEff /proc/self/status
        assert_output --regexp "$DEFAULT_CAPS\$"
}

# ------------------------------------------------------------------- network

_ifnames() { awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' | sort; }

@test "network: none (default) has only lo, up; host sees the host's interfaces" {
        write_container n.conf <<'EOF'
container isolated {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
}
container hostnet {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    network = "host"
}
EOF
        start_supd --pid1
        wait_state isolated running
        wait_state hostnet running
        run -0 in_ctr isolated cat /proc/net/dev
        assert_equal "$(_ifnames <<<"$output")" lo
        run -0 in_ctr isolated ip link
        assert_equal "$(grep -cE '^[0-9]+:' <<<"$output")" 1
        assert_line --regexp '^1: lo: <([A-Z_]+,)*UP[,>]'
        run -0 in_ctr hostnet cat /proc/net/dev
        local inside host
        inside=$(_ifnames <<<"$output")
        host=$(_ifnames <"/proc/$SUPD_PID/net/dev")
        assert_equal "$inside" "$host"
        [[ $(wc -l <<<"$host") -gt 1 ]] || skip "the host has only lo: host and none look alike"
}

# -------------------------------------------------------------------- cleanup

_two_units() {
        mkdir -p "$T/data"
        write_container c.conf <<'EOF'
container t {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    autostart = false
    volume "/data" { source = "@T@/data" }
    tmpfs "/scratch" { size = 1M }
}
container p {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    autostart = false
    writable = "persistent"
}
EOF
}

cleanup_after_stop() {
        _two_units
        start_supd $(pid1_flag "$1")
        local mounts_before run_before
        mounts_before=$(mountinfo_of "$SUPD_PID")
        run_before=$(run_dir_listing)
        run -0 "$SUPCTL" start t
        run -0 "$SUPCTL" start p
        wait_state t running
        wait_state p running
        run -0 in_ctr p touch /kept
        [[ -d $RUN/containers/t ]] || fail "no $RUN/containers/t while t runs"
        run -0 "$SUPCTL" stop t
        run -0 "$SUPCTL" stop p
        wait_state t exited
        wait_state p exited
        [[ ! -e $RUN/containers/t && ! -e $RUN/containers/p ]] ||
                fail "left under $RUN/containers: $(ls -R "$RUN/containers")"
        assert_equal "$(run_dir_listing)" "$run_before"
        assert_equal "$(mountinfo_of "$SUPD_PID")" "$mounts_before"
        [[ -f $STATE/p/upper/kept ]] || fail "the persistent upper dir went with the stop"
}

@test "cleanup: after stop nothing of the container is left in the run dir or supd's mounts (pid1)" {
        cleanup_after_stop pid1
}
@test "cleanup: after stop nothing of the container is left in the run dir or the host's mounts (plain)" {
        cleanup_after_stop plain
}

@test "cleanup: supd's exit (SIGTERM) removes RUN/containers, leaves no mount, keeps persistent uppers" {
        _two_units
        sed -i 's/autostart = false/autostart = true/' "$CFG/units/c.conf"
        local mounts_before
        mounts_before=$(mountinfo_of self)
        start_supd
        wait_state t running
        wait_state p running
        run -0 in_ctr p touch /kept
        [[ -d $RUN/containers ]]
        stop_supd TERM 20
        assert_equal "$SUPD_EXIT" 0
        [[ ! -e $RUN/containers ]] || fail "left behind: $(find "$RUN/containers")"
        assert_equal "$(mountinfo_of self)" "$mounts_before"
        [[ -f $STATE/p/upper/kept ]] || fail "the persistent upper dir went with supd"
}

@test "cleanup: what a crashed supd left in RUN/containers is removed at start" {
        _two_units
        sed -i 's/autostart = false/autostart = true/' "$CFG/units/c.conf"
        mkdir -p "$RUN/containers/x/rw/upper/etc" "$RUN/containers/x/rw/work" "$RUN/containers/t/rw/upper"
        echo stale >"$RUN/containers/x/hostname"
        echo stale >"$RUN/containers/t/rw/upper/stale-file"
        start_supd --pid1
        wait_state t running
        wait_state p running
        [[ ! -e $RUN/containers/x ]] || fail "stale $RUN/containers/x still there: $(find "$RUN/containers/x")"
        [[ ! -e $RUN/containers/t/rw/upper/stale-file ]] || fail "stale files of t still there"
        run -1 in_ctr t test -e /stale-file
}

@test "cleanup: supctl restart and crash restarts leave nothing behind either" {
        mkdir -p "$T/data"
        write_container r.conf <<'EOF'
container crash {
    exec = {"/bin/sh", "-c", "echo run >> /data/runs; exit 1"}
    rootfs = "@ROOTFS@"
    volume "/data" { source = "@T@/data" }
    tmpfs "/scratch" { size = 1M }
    restart_delay = 50ms
    restart_delay_max = 100ms
}
container r {
    exec = {"/bin/sh", "-c", "exec sleep @MARK@"}
    rootfs = "@ROOTFS@"
    init = true
    volume "/data" { source = "@T@/data" }
}
EOF
        # (not $i: bats' run sets a global i when given -N flags)
        local mounts_before pid n
        mounts_before=$(mountinfo_of self)
        start_supd
        wait_state r running
        for ((n = 0; n < 5; n++)); do
                pid=$(field r pid)
                run -0 "$SUPCTL" restart r
                wait_new_pid r "$pid"
        done
        wait_for file_lines_ge "$T/data/runs" 10
        run -0 "$SUPCTL" stop crash
        run -0 "$SUPCTL" stop r
        wait_state crash 'exited|inactive'
        wait_state r exited
        run -0 ls -A "$RUN/containers"
        assert_output ''
        assert_equal "$(mountinfo_of self)" "$mounts_before"
        run -0 no_zombies_of "$SUPD_PID"
}

@test "cleanup: 50 start/stop cycles leave no mount, directory, fd or process behind" {
        _two_units
        start_supd
        local mounts_before run_before fds_before n t0
        mounts_before=$(mountinfo_of self)
        run_before=$(run_dir_listing)
        fds_before=$(ls "/proc/$SUPD_PID/fd" | wc -l)
        t0=$(date +%s)
        for ((n = 1; n <= 50; n++)); do
                "$SUPCTL" start t >/dev/null || fail "cycle $n: start failed"
                wait_state t running 5 || fail "cycle $n: not running"
                "$SUPCTL" stop t >/dev/null || fail "cycle $n: stop failed"
                wait_state t exited 5 || fail "cycle $n: not exited"
        done
        echo "# 50 cycles in $(($(date +%s) - t0)) s" >&3
        assert_equal "$(field t result)" success
        assert_equal "$(run_dir_listing)" "$run_before"
        assert_equal "$(mountinfo_of self)" "$mounts_before"
        assert_equal "$(ls "/proc/$SUPD_PID/fd" | wc -l)" "$fds_before"
        run -1 procs_of "$MARK"
        run -0 no_zombies_of "$SUPD_PID"
}
