# helpers.bash — booting the appliance image (rootfs/mkimage) in qemu for the system
# tests. A VM run is: the image, plus extra cpio archives appended to its initramfs (the
# kernel unpacks concatenated archives in order, so they add files to the image without
# rebuilding it), booted by rootfs/boot until it powers off or times out.
#
# boot_vm NAME [CPIO...] writes, under $BATS_FILE_TMPDIR:
#   NAME.log   the serial console, as it came
#   NAME.ts    the same lines, each prefixed with the host's time of arrival (seconds)
#   NAME.rc    rootfs/boot's exit status (0 powered off, 124 timed out)
#   NAME.secs  wall-clock seconds of the whole VM run

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
IMAGE_DIR=${IMAGE_DIR:-$ROOT/build/image}
# Whole VM run, boot to power-off; the issue asks for under 2 minutes.
VM_TIMEOUT=${VM_TIMEOUT:-110}

source "$ROOT/tests/lib/bats-libs.bash"

# make_cpio OUT SRC_DIR — packs SRC_DIR's contents (paths relative to it) as cpio newc,
# gzip'd like the image (an uncompressed archive after the gzip'd one fails to unpack:
# "invalid magic at start of compressed archive").
make_cpio() {
        (cd "$2" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -n) > "$1"
}

boot_vm() {
        local name=$1 start rc
        shift
        local args=(--image "$IMAGE_DIR" --timeout "$VM_TIMEOUT")
        local c
        for c in "$@"; do args+=(--extra "$c"); done
        start=$EPOCHREALTIME
        "$ROOT/rootfs/boot" "${args[@]}" </dev/null 2>&1 |
                while IFS= read -r line; do
                        line=${line%$'\r'}
                        printf '%s %s\n' "$EPOCHREALTIME" "$line"
                done > "$BATS_FILE_TMPDIR/$name.ts"
        rc=${PIPESTATUS[0]}
        echo "$rc" > "$BATS_FILE_TMPDIR/$name.rc"
        awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }' > "$BATS_FILE_TMPDIR/$name.secs"
        cut -d' ' -f2- "$BATS_FILE_TMPDIR/$name.ts" > "$BATS_FILE_TMPDIR/$name.log"
}

# console NAME — the console log of run NAME from the kernel's "Run ... as init process"
# on, without printk time stamps ("[ 1.23] "), so patterns match supd's lines whether
# or not they went through the kernel's log.
console() {
        sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$BATS_FILE_TMPDIR/$1.log" | sed -n '/^Run .* as init process/,$p'
}

# vm_ok NAME — the run powered off by itself, no panic, init never died.
vm_ok() {
        local log=$BATS_FILE_TMPDIR/$1.log
        run cat "$BATS_FILE_TMPDIR/$1.rc"
        assert_output 0
        run grep -E 'Kernel panic|Attempted to kill init|end Kernel panic' "$log"
        assert_failure
        run grep -F 'reboot: Power down' "$log"
        assert_success
}

# kernel_time NAME ERE — the kernel's clock (seconds since boot) when the first console
# line matching ERE (on the line without its printk stamp) appeared. A line with a
# printk stamp gives it directly; for others (supd writes to the console itself) it is
# the host's arrival time mapped onto the kernel's clock through the latest stamped
# line before it: the guest clock runs at host speed under TCG without -icount, and
# the serial console is unbuffered. Empty if no line matches.
kernel_time() {
        awk -v re="$2" '
                {
                        host = $1
                        line = substr($0, length($1) + 2)
                        stamped = match(line, /^\[ *[0-9]+\.[0-9]+\] /)
                        if (stamped) {
                                k = substr(line, 2, RLENGTH - 3) + 0
                                off = host - k
                                line = substr(line, RLENGTH + 1)
                        }
                        if (line ~ re) {
                                if (stamped) printf "%.3f\n", k
                                else if (off != "") printf "%.3f\n", host - off
                                exit
                        }
                }' "$BATS_FILE_TMPDIR/$1.ts"
}

# status_state NAME UNIT — UNIT's STATE column in the `supctl status` table that the
# selftest unit printed on the console of run NAME.
status_state() {
        console "$1" | sed -n '/^selftest: === supctl status/,/^selftest: === end/p' |
                awk -v u="$2" '$1 == "selftest:" && $2 == u { print $3; exit }'
}
