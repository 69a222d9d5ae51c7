# sandbox.bash — systemd 252 as PID 1 of a throw-away sandbox, for tests/system/systemd.bats
# (issue 6's recipe). NEVER on the host's real root, never with the host's /sys:
#  1. in every mounted cgroup hierarchy (cpuset skipped), a dedicated cgroup below the
#     test's own (as /proc/self/cgroup names it); the launcher moves itself into them;
#  2. unshare -C -m -p -f -u -i: the cgroup namespace makes those cgroups the sandbox's
#     roots, so systemd's slices land below them;
#  3. inside (SB/inner.sh): / made rprivate, an overlay of the host's / with a tmpfs
#     upper, fresh proc and sysfs, a tmpfs /dev with a few nodes, tmpfs /run and /tmp,
#     the unit files of SB/units copied into the overlay's /etc/systemd/system, SB/results
#     bind-mounted at /results;
#  4. chroot into the overlay and exec /lib/systemd/systemd --unit=sup-test.target with
#     container=sup-test, all under `timeout -s KILL` (PID 1 ignores SIGTERM);
#  5. sb_stop kills it and removes the dedicated cgroups depth-first.
#
#   SB          the sandbox's directory (units/, results/, inner.sh, ovl/)
#   SB_PID      systemd's pid as seen from here
#   sb_exec CMD...   runs CMD inside (all its namespaces and its root: nsenter -a)

SB_SYSTEMD=${SB_SYSTEMD:-/lib/systemd/systemd}
SB_CGROUPS=()

sb_can_run() {
        [[ $EUID -eq 0 ]] || { echo "needs root"; return 1; }
        [[ -x $SB_SYSTEMD ]] || { echo "$SB_SYSTEMD is not installed (Debian: systemd)"; return 1; }
        command -v unshare >/dev/null && command -v nsenter >/dev/null ||
                { echo "unshare/nsenter missing (Debian: util-linux)"; return 1; }
        grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
                { echo "no overlay filesystem"; return 1; }
        return 0
}

_sb_wait() { # TIMEOUT_S CMD...
        local deadline=$(($(date +%s%N) + $1 * 1000000000))
        shift
        until "$@" >/dev/null 2>&1; do
                (($(date +%s%N) >= deadline)) && return 1
                sleep 0.1
        done
}

# _sb_hierarchies — "MOUNTPOINT MOUNTROOT KEY" per mounted cgroup hierarchy; KEY is what
# /proc/self/cgroup's second field says for it ("" for v2).
_sb_hierarchies() {
        awk '{
                for (i = 7; i <= NF && $i != "-"; i++) ;
                fs = $(i + 1)
                if (fs == "cgroup2") { print $5, $4, "-"; next }
                if (fs != "cgroup") next
                n = split($(i + 3), o, ","); key = ""
                for (k = 1; k <= n; k++) {
                        if (o[k] ~ /^(rw|ro|nosuid|nodev|noexec|relatime|noatime|clone_children|nsdelegate|memory_recursiveprot|xattr)$/ || o[k] ~ /^release_agent=/) continue
                        key = key (key == "" ? "" : ",") o[k]
                }
                print $5, $4, key
        }' /proc/self/mountinfo
}

# _sb_make_cgroups NAME — SB_CGROUPS: NAME below our own cgroup in each hierarchy.
_sb_make_cgroups() {
        local mp root key own d
        SB_CGROUPS=()
        while read -r mp root key; do
                [[ $key == cpuset ]] && continue
                if [[ $key == - ]]; then
                        own=$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' /proc/self/cgroup)
                else
                        own=$(awk -F: -v k="$key" '$2 == k { print $3; exit }' /proc/self/cgroup)
                fi
                [[ -n $own ]] || continue
                [[ $root != / && $own == "$root"* ]] && own=${own#"$root"}
                [[ $own == / ]] && own=''
                d=$mp$own/$1
                mkdir "$d" 2>/dev/null || continue
                SB_CGROUPS+=("$d")
        done < <(_sb_hierarchies)
}

sb_rm_cgroups() {
        local d f p
        for d in "${SB_CGROUPS[@]}"; do
                [[ -d $d ]] || continue
                while IFS= read -r f; do
                        for p in $(cat "$f" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
                done < <(find "$d" -name cgroup.procs 2>/dev/null)
                _sb_wait 10 _sb_rmdir_tree "$d" || echo "# sandbox: cannot remove $d"
        done
        SB_CGROUPS=()
}
_sb_rmdir_tree() {
        [[ -d $1 ]] || return 0
        find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
        [[ ! -d $1 ]]
}

# sb_init DIR — prepares SB=DIR (units/, results/); write units into $SB/units, then sb_start.
sb_init() {
        SB=$1
        SB_PID=''
        mkdir -p "$SB/units" "$SB/results" "$SB/ovl"
        : >"$SB/results/console.log"
        cat >"$SB/units/sup-test.target" <<'EOF'
[Unit]
Description=sup test sandbox: supd and the journal, nothing else
DefaultDependencies=no
Wants=systemd-journald.socket systemd-journald.service supd.service
EOF
        # supd.service has default dependencies, so sysinit.target comes too: mask what it
        # would do to the host (sysctl, modules, binfmt, ...), all but the journal.
        local f n
        for f in /lib/systemd/system/sysinit.target.wants/* /etc/systemd/system/sysinit.target.wants/* \
                /lib/systemd/system/local-fs.target.wants/* systemd-remount-fs.service systemd-update-utmp.service \
                systemd-sysusers.service systemd-modules-load.service systemd-sysctl.service systemd-binfmt.service \
                systemd-random-seed.service systemd-hwdb-update.service systemd-udevd.service systemd-udev-trigger.service \
                kmod-static-nodes.service systemd-firstboot.service systemd-machine-id-commit.service; do
                n=${f##*/}
                [[ $n == '*' || $n == systemd-journal* ]] && continue
                ln -sfn /dev/null "$SB/units/$n"
        done
}

# sb_start [TIMEOUT_S] — boots it (bounded: killed after TIMEOUT_S, default 300) and waits
# until systemctl answers inside.
sb_start() {
        local limit=${1:-300}
        cat >"$SB/inner.sh" <<EOF
set -e
mount --make-rprivate /
mount -t tmpfs sb-ovl "$SB/ovl"
mkdir -p "$SB/ovl/upper" "$SB/ovl/work" "$SB/ovl/root"
mount -t overlay sb-root -o "lowerdir=/,upperdir=$SB/ovl/upper,workdir=$SB/ovl/work" "$SB/ovl/root"
R="$SB/ovl/root"
mount -t proc proc "\$R/proc"
mount -t sysfs sysfs "\$R/sys"
mount -t tmpfs -o mode=755 sb-dev "\$R/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
        mknod -m 666 "\$R/dev/\${n%%:*}" c \$(echo "\${n#*:}" | tr : ' ')
done
ln -s /proc/self/fd "\$R/dev/fd"
ln -s /proc/self/fd/0 "\$R/dev/stdin"
ln -s /proc/self/fd/1 "\$R/dev/stdout"
ln -s /proc/self/fd/2 "\$R/dev/stderr"
mkdir -p "\$R/dev/pts" "\$R/dev/shm" "\$R/dev/mqueue"
mount -t tmpfs -o mode=1777 sb-shm "\$R/dev/shm"
: >"\$R/dev/console"
mount --bind "$SB/results/console.log" "\$R/dev/console"
mount -t tmpfs -o mode=755 sb-run "\$R/run"
mount -t tmpfs -o mode=1777 sb-tmp "\$R/tmp"
# The checkout (build/supd, build/supctl) at its own path: the overlay of / does not
# cross mounts, and a checkout under /tmp (CI's clone may be there) is hidden by the
# tmpfs above.
mkdir -p "\$R${ROOT:?}"
mount --bind "$ROOT" "\$R$ROOT"
mkdir -p "\$R/results"
mount --bind "$SB/results" "\$R/results"
mkdir -p "\$R/etc/systemd/system"
cp -a "$SB"/units/. "\$R/etc/systemd/system/"
exec chroot "\$R" /usr/bin/env -i container=sup-test PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        "$SB_SYSTEMD" --unit=sup-test.target --show-status=0
EOF
        _sb_make_cgroups "sup-sb-${SB_NAME:-$$}"
        local d
        (
                for d in "${SB_CGROUPS[@]}"; do
                        echo "$BASHPID" >"$d/cgroup.procs" || { echo "sandbox: cannot enter $d" >&2; exit 125; }
                done
                exec timeout -s KILL "$limit" unshare -C -m -p -f -u -i -- /bin/sh "$SB/inner.sh"
        ) </dev/null >"$SB/results/systemd.out" 2>&1 3>&- &
        SB_LAUNCHER=$!
        if ! _sb_wait 10 _sb_find_pid; then
                echo "# sandbox: systemd did not start; its output:"
                sed 's/^/#   /' "$SB/results/systemd.out"
                return 1
        fi
        # Any answer from PID 1 will do (the boot may wait for supd's READY=1).
        _sb_wait 30 _sb_answers || {
                echo "# sandbox: systemctl does not answer inside; its output:"
                tail -n 40 "$SB/results/systemd.out" | sed 's/^/#   /'
                return 1
        }
}
_sb_answers() { sb_exec systemctl show -p Version --value >/dev/null; }

# systemd's pid: the child of unshare (the launcher is timeout, its child unshare).
_sb_find_pid() {
        local u p
        u=$(pgrep -P "$SB_LAUNCHER" | head -n1) || return 1
        p=$(pgrep -P "$u" | head -n1) || return 1
        [[ $(readlink "/proc/$p/exe") == *systemd ]] || return 1
        SB_PID=$p
}

sb_exec() { nsenter -t "$SB_PID" -a -r -w -- "$@"; }
sb_systemctl() { sb_exec systemctl --no-pager "$@"; }
sb_journalctl() { sb_exec journalctl --no-pager -q "$@"; }

# sb_child_pid PATTERN — the host pid of systemd's child whose command line matches
# PATTERN (pgrep -f), e.g. supd's MainPID.
sb_child_pid() { pgrep -P "$SB_PID" -f -- "$1" | head -n 1 | grep .; }

# sb_stop — kills the sandbox (all of its PID namespace dies with its PID 1), then
# removes the dedicated cgroups.
sb_stop() {
        if [[ -n ${SB_LAUNCHER:-} ]]; then
                [[ -n ${SB_PID:-} ]] && kill -KILL "$SB_PID" 2>/dev/null
                kill -KILL "$SB_LAUNCHER" 2>/dev/null
                wait "$SB_LAUNCHER" 2>/dev/null
                SB_LAUNCHER=''
        fi
        sb_rm_cgroups
}
