#!/usr/bin/env bats
# The appliance image booted in qemu (TCG): supd as PID 1 of a real kernel.
#
# setup_file builds the image with `make image` (twice: the second run must come from
# the cache) and boots it twice, each run ending when the VM powers off:
#   normal  the image plus tests/system/image/selftest.conf
#   broken  the same plus tests/system/image/broken.conf, a unit file that does not parse
# The test files reach the VM as an extra cpio archive appended to the initramfs, so
# the image under test is byte for byte the one `make image` builds, and `make boot`
# never runs the test unit. The selftest unit (no rootfs, on the appliance's own /)
# waits until the crasher has been restarted three times, prints `supctl status` on the
# console and runs `supctl poweroff`. Each VM run is bounded by VM_TIMEOUT (110 s).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        cd "$ROOT"
        make -s image > "$BATS_FILE_TMPDIR/make-image.out" 2>&1 ||
                { cat "$BATS_FILE_TMPDIR/make-image.out" >&3; return 1; }
        make -s image > "$BATS_FILE_TMPDIR/make-image-again.out" 2>&1 ||
                { cat "$BATS_FILE_TMPDIR/make-image-again.out" >&3; return 1; }

        local d=$BATS_FILE_TMPDIR/cpio
        mkdir -p "$d/selftest/etc/sup/units" "$d/broken/etc/sup/units"
        cp "$BATS_TEST_DIRNAME/image/selftest.conf" "$d/selftest/etc/sup/units/"
        cp "$BATS_TEST_DIRNAME/image/broken.conf" "$d/broken/etc/sup/units/"
        make_cpio "$d/selftest.cpio.gz" "$d/selftest"
        make_cpio "$d/broken.cpio.gz" "$d/broken"

        boot_vm normal "$d/selftest.cpio.gz"
        boot_vm broken "$d/selftest.cpio.gz" "$d/broken.cpio.gz"
}

# ---------------------------------------------------------------------- the image

@test "make image: kernel and initramfs with supd as /sbin/init, libraries, modules, demo units" {
        [ -s "$IMAGE_DIR/vmlinuz" ]
        run bash -c "zcat '$IMAGE_DIR/initramfs.img' | cpio -t --quiet"
        assert_success
        local want
        for want in usr/sbin/init usr/sbin/supd usr/bin/supctl usr/bin/busybox bin/sh dev/console \
                etc/sup/sup.conf etc/sup/units/web.conf etc/sup/units/worker.conf etc/sup/units/crasher.conf \
                var/lib/sup/images/busybox/bin/busybox lib64/ld-linux-x86-64.so.2 proc sys run tmp; do
                assert_line --regexp "^(\./)?(usr/)?$want\$"
        done
        refute_line --partial selftest
        assert_line --regexp 'lib/x86_64-linux-gnu/libsystemd\.so\.0$'
        assert_line --regexp 'lib/modules/[^/]+/kernel/fs/overlayfs/overlay\.ko'
        assert_line --regexp 'lib/modules/[^/]+/kernel/drivers/net/veth\.ko'
        assert_line --regexp 'lib/modules/[^/]+/kernel/net/bridge/bridge\.ko'
        assert_line --regexp 'lib/modules/[^/]+/modules\.dep$'
        # /sbin/init is supd itself, and the units point at the image's busybox tree
        [ "$(readlink "$IMAGE_DIR/root/usr/sbin/init")" = supd ]
        run grep -h rootfs "$IMAGE_DIR"/root/etc/sup/units/*.conf
        refute_output --partial @ROOTFS@
        assert_output --partial '"/var/lib/sup/images/busybox"'
}

@test "make image a second time uses the cached kernel package: no download" {
        run cat "$BATS_FILE_TMPDIR/make-image-again.out"
        refute_output --partial downloading
        refute_output --partial unpacking
        assert_output --partial 'mkimage: built'
}

# ---------------------------------------------------------------------- the boot

@test "the VM boots supd as PID 1 and powers off by itself: no panic, init never dies" {
        vm_ok normal
        run console normal
        assert_line 'Run /sbin/init as init process'
        assert_line --regexp '^supd: supd running as PID 1'
        assert_line 'supd: hostname set to sup-appliance'
        assert_line 'supd: module overlay loaded'
        assert_line 'supd: module veth loaded'
        assert_line 'supd: module bridge loaded'
        assert_line 'supd: loaded 4 unit(s), 0 error(s)'
        echo "# normal run: $(cat "$BATS_FILE_TMPDIR/normal.secs") s from qemu start to power-off" >&3
        [ "$(awk '{ print ($1 < 120) }' "$BATS_FILE_TMPDIR/normal.secs")" = 1 ]
}

@test "every demo unit reaches running; boot-to-all-units-running measured" {
        run console normal
        # each demo container exec'd its program: it logged, or (httpd -f) is running
        assert_line --regexp '^supd: web: started, pid [0-9]+'
        assert_line --regexp '^supd: worker: started, pid [0-9]+'
        assert_line --regexp '^supd: crasher: started, pid [0-9]+'
        assert_line --regexp '^worker: tick 1 on worker as app: '
        assert_line 'crasher: working... and crashing'
        refute_line --regexp '^supd: (web|worker|crasher): .*spawn-error'
        [ "$(status_state normal web)" = running ]
        [ "$(status_state normal worker)" = running ]
        # the crasher is caught between crashes: running, or waiting to restart
        [[ $(status_state normal crasher) =~ ^(running|backoff)$ ]]

        local init sup u t all=0
        init=$(kernel_time normal 'Run /sbin/init as init process')
        sup=$(kernel_time normal '^supd: supd running as PID 1')
        for u in web worker crasher; do
                t=$(kernel_time normal "^supd: $u: started, pid ")
                [ -n "$t" ]
                all=$(awk -v a="$all" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
        done
        echo "# kernel clock: /sbin/init (supd) started at ${init}s, supd ready at ${sup}s," \
                "all demo units running at ${all}s (kernel timestamps; supd lines mapped by arrival time)" >&3
}

@test "the crasher is restarted with growing delays" {
        run console normal
        local delays
        delays=$(console normal | sed -nE 's/^supd: crasher: backoff \(exit-code, status 3\), restarting in //p' |
                awk '{ ms = 0
                       for (i = 1; i <= NF; i++) {
                               v = $i + 0
                               if ($i ~ /ms$/) ms += v; else if ($i ~ /min$/) ms += v * 60000; else if ($i ~ /s$/) ms += v * 1000
                       }
                       print ms }')
        echo "# crasher restart delays (ms): $(echo $delays)" >&3
        [ "$(wc -w <<<"$delays")" -ge 3 ]
        local prev=0 d
        for d in $delays; do
                ((d > prev))
                prev=$d
        done
}

@test "supctl status, run inside the VM, prints its table on the console" {
        run console normal
        assert_line 'selftest: === supctl status'
        assert_line --regexp '^selftest: NAME +STATE +RESULT +PID +RESTARTS'
        assert_line --regexp '^selftest: web +running '
        assert_line --regexp '^selftest: worker +running '
        assert_line --regexp '^selftest: crasher +[a-z]+ '
        assert_line 'selftest: === end of supctl status'
}

@test "supctl poweroff stops the units in reverse dependency order, then the kernel powers down" {
        run console normal
        assert_line 'supd: shutting down for poweroff'
        assert_line 'supd: all units stopped'
        # worker requires web: it stops first
        local n_shut n_worker n_web n_all n_down
        n_shut=$(grep -n -m1 -F 'supd: shutting down for poweroff' <<<"$output" | cut -d: -f1)
        n_worker=$(grep -n -m1 -F 'supd: worker: stopping' <<<"$output" | cut -d: -f1)
        n_web=$(grep -n -m1 -F 'supd: web: stopping' <<<"$output" | cut -d: -f1)
        n_all=$(grep -n -m1 -F 'supd: all units stopped' <<<"$output" | cut -d: -f1)
        n_down=$(grep -n -m1 -F 'reboot: Power down' <<<"$output" | cut -d: -f1)
        ((n_shut < n_worker && n_worker < n_web && n_web < n_all && n_all < n_down))
        local t_req t_down
        t_req=$(kernel_time normal '^supd: shutting down for poweroff')
        t_down=$(kernel_time normal 'reboot: Power down')
        echo "# poweroff requested at ${t_req}s, kernel powered down at ${t_down}s" >&3
}

# ---------------------------------------------------------------------- a broken unit file

@test "a broken unit file: the VM still boots, the error is on the console, the other units run" {
        vm_ok broken
        run console broken
        assert_line --regexp '^supd: supd running as PID 1'
        assert_line --regexp '^supd: .*/etc/sup/units/broken\.conf:[0-9]+: '
        assert_line 'supd: loaded 4 unit(s), 1 error(s)'
        refute_line --partial 'emergency shell'
        [ "$(status_state broken web)" = running ]
        [ "$(status_state broken worker)" = running ]
        assert_line 'crasher: working... and crashing'
        assert_line 'supd: all units stopped'
        echo "# broken-unit run: $(cat "$BATS_FILE_TMPDIR/broken.secs") s from qemu start to power-off" >&3
}
