# journald.bash — a real systemd-journald of the test's own, for tests/system/journal.bats
# and tests/bench/journal (plain bash: no bats needed).
#
# jd_start DIR starts a "holder" process in a private mount namespace (unshare -m
# --propagation private) whose /run, /var/log/journal (and /var/run, unless it is a
# symlink to /run) are tmpfs of its own, and /etc/systemd/journald.conf a bind of
# DIR/journald.conf (no rate limit, no kmsg, no forwarding: the host's kernel log and
# syslog stay out of it), then starts /lib/systemd/systemd-journald in that namespace
# (journald runs without systemd: it binds /run/systemd/journal/{socket,stdout,dev-log}
# itself). Nothing of it is visible outside the namespace; jd_stop ends it all.
#
#   JD_HOLDER  the holder's pid (the namespace lives as long as it does)
#   JD_PID     journald's pid (changes with jd_restart_journald)
#   jd_exec CMD...      runs CMD in the namespace (nsenter -m)
#   jd_json ARGS...     journalctl -o json --no-pager ARGS, in the namespace
#
# Every wait is bounded.

JOURNALD=${JOURNALD:-/lib/systemd/systemd-journald}
JD_SOCKET=/run/systemd/journal/socket

# jd_can_run — 0 if this host can run the test journald; else prints why not.
jd_can_run() {
        [[ $EUID -eq 0 ]] || { echo "needs root (mount namespaces)"; return 1; }
        [[ -x $JOURNALD ]] || { echo "$JOURNALD is not installed (Debian: systemd)"; return 1; }
        command -v journalctl >/dev/null || { echo "journalctl is not installed"; return 1; }
        command -v unshare >/dev/null && command -v nsenter >/dev/null ||
                { echo "unshare/nsenter missing (Debian: util-linux)"; return 1; }
        [[ -d /var/log/journal ]] || mkdir -p /var/log/journal 2>/dev/null ||
                { echo "no /var/log/journal to mount a tmpfs on"; return 1; }
        return 0
}

_jd_wait() { # TIMEOUT_S CMD...
        local deadline=$(($(date +%s%N) + $1 * 1000000000))
        shift
        until "$@" >/dev/null 2>&1; do
                (($(date +%s%N) >= deadline)) && return 1
                sleep 0.05
        done
}

jd_exec() { nsenter -t "$JD_HOLDER" -m -- "$@"; }

_jd_socket_up() { jd_exec test -S "$JD_SOCKET"; }
_jd_holder_ready() { [[ -n ${JD_HOLDER:-} ]] && jd_exec test -e /run/.jd-ready; }

# jd_start DIR — see above. DIR keeps the config, journald's output (journald.out).
jd_start() {
        JD_DIR=$1
        JD_HOLDER='' JD_PID=''
        mkdir -p "$JD_DIR"
        cat >"$JD_DIR/journald.conf" <<'CONF'
[Journal]
Storage=volatile
RateLimitIntervalSec=0
RateLimitBurst=0
ReadKMsg=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
RuntimeMaxUse=256M
CONF
        local varrun=''
        [[ -L /var/run ]] || varrun='mount -t tmpfs jd-varrun /var/run || exit 1;'
        # fd 3 is bats' output: a background process holding it hangs bats. Each process
        # runs under a subshell that waits for it, so a SIGKILL is reaped without bash's
        # "Killed" job report; the pid comes back through a file.
        rm -f "$JD_DIR/holder.pid"
        (
                exec 2>/dev/null
                unshare -m --propagation private -- sh -c "
                        mount -t tmpfs jd-run /run || exit 1
                        mount -t tmpfs jd-journal /var/log/journal || exit 1
                        $varrun
                        mount --bind '$JD_DIR/journald.conf' /etc/systemd/journald.conf || exit 1
                        mkdir -p /run/systemd/journal && : >/run/.jd-ready
                        exec sleep 2147483647" </dev/null >"$JD_DIR/holder.out" 2>&1 &
                echo $! >"$JD_DIR/holder.pid"
                wait $!
        ) </dev/null >/dev/null 2>&1 3>&- &
        _jd_wait 5 test -s "$JD_DIR/holder.pid"
        # unshare execs sh (no --fork), sh execs sleep: one pid, the holder.
        JD_HOLDER=$(cat "$JD_DIR/holder.pid" 2>/dev/null)
        if ! _jd_wait 5 _jd_holder_ready; then
                echo "# jd_start: the namespace holder did not come up: $(cat "$JD_DIR/holder.out")"
                return 1
        fi
        jd_start_journald
}

# jd_start_journald — (re)starts journald in the namespace and waits for its socket.
jd_start_journald() {
        jd_exec rm -f "$JD_SOCKET"
        rm -f "$JD_DIR/journald.pid"
        (
                exec 2>/dev/null
                nsenter -t "$JD_HOLDER" -m -- "$JOURNALD" </dev/null >>"$JD_DIR/journald.out" 2>&1 &
                echo $! >"$JD_DIR/journald.pid"
                wait $!
        ) </dev/null >/dev/null 2>&1 3>&- &
        _jd_wait 5 test -s "$JD_DIR/journald.pid"
        JD_PID=$(cat "$JD_DIR/journald.pid" 2>/dev/null)
        if ! _jd_wait 10 _jd_socket_up; then
                echo "# jd_start_journald: no $JD_SOCKET after 10s; journald said: $(cat "$JD_DIR/journald.out")"
                return 1
        fi
}

# jd_kill_journald [SIGNAL] — kills journald (default SIGKILL) and waits for it to go.
_jd_journald_gone() { ! kill -0 "$JD_PID" 2>/dev/null; }
jd_kill_journald() {
        [[ -n ${JD_PID:-} ]] || return 0
        kill -s "${1:-KILL}" "$JD_PID" 2>/dev/null
        _jd_wait 10 _jd_journald_gone || return 1
        JD_PID=''
        return 0
}

# jd_stop — ends journald and the namespace.
_jd_holder_gone() { ! kill -0 "$JD_HOLDER" 2>/dev/null; }
jd_stop() {
        jd_kill_journald KILL
        if [[ -n ${JD_HOLDER:-} ]]; then
                kill -KILL "$JD_HOLDER" 2>/dev/null
                _jd_wait 5 _jd_holder_gone
        fi
        JD_HOLDER=''
        return 0
}

# jd_json [JOURNALCTL ARGS...] — the namespace's journal as JSON lines.
jd_json() { jd_exec journalctl -q --no-pager -o json "$@"; }

# jd_count [JOURNALCTL ARGS...] — how many entries match.
jd_count() { jd_exec journalctl -q --no-pager -o cat "$@" | wc -l; }
jd_count_ge() { # N JOURNALCTL ARGS...
        local n=$1
        shift
        (($(jd_count "$@") >= n))
}

# jd_wrap_supd OUT SUPD — writes OUT, a script that execs SUPD in the namespace
# (nsenter execs it: the pid of the script is supd's).
jd_wrap_supd() {
        {
                echo '#!/bin/sh'
                printf 'exec nsenter -t %s -m -- "%s" "$@"\n' "$JD_HOLDER" "$2"
        } >"$1"
        chmod +x "$1"
}
