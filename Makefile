# sup — one non-recursive Makefile. `make` builds supd and supctl into build/.
# `make deps` installs every Debian package the build and the tests need.

CC      ?= gcc
PKG_CONFIG ?= pkg-config
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
DESTDIR ?=
B       := build

PKGS    := libconfuse libsystemd libcap-ng libseccomp libkmod
# Debian packages for building, testing and the demo. Kept in one place.
DEB_PACKAGES := gcc make pkg-config libconfuse-dev libsystemd-dev libcmocka-dev \
        libseccomp-dev libcap-ng-dev libkmod-dev bats bats-assert bats-support jq util-linux \
        procps iproute2 busybox-static bubblewrap
# make image / make boot: the kernel's modules are resolved with kmod's depmod and
# modprobe, the initramfs is packed with cpio, the VM is qemu (TCG).
DEB_PACKAGES += kmod cpio qemu-system-x86
# The journal and systemd tests: systemd-journald, systemd (as a sandbox's PID 1),
# journalctl, systemctl, systemd-notify, systemd-cat.
DEB_PACKAGES += systemd

WARN    := -Wall -Wextra -Werror -Werror=shadow -Werror=strict-prototypes \
        -Werror=missing-prototypes -Werror=format=2 -Werror=format-security \
        -Werror=incompatible-pointer-types -Werror=switch-enum -Wno-sign-compare
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -MMD -MP $(WARN) $(HARDEN) $(CFLAGS) \
        -iquote config -iquote supervisor -iquote init $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
ALL_LDFLAGS := -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS    := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# Everything but the two mains goes into one archive that supd, supctl and the unit
# tests link against.
MAINS    := supervisor/main.c supervisor/supctl.c
LIB_SRC  := $(filter-out $(MAINS),$(wildcard config/*.c supervisor/*.c init/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/helpers/%)

.SECONDARY: # keep intermediate objects: no rebuilds on every make
.PHONY: all deps check unit-check demo install clean format bench rootfs
all: $(B)/supd $(B)/supctl

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libsup.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/supd: $(B)/supervisor/main.o $(B)/libsup.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/supctl: $(B)/supervisor/supctl.o $(B)/libsup.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libsup.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# Helpers that run inside test containers are static so they work in any rootfs.
$(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $<

# The spawn benchmark's driver, run by tests/bench/spawn (an explicit rule: it wins
# over the $(B)/tests/% pattern above).
$(B)/tests/bench/spawn-driver: $(B)/tests/bench/spawn.o $(B)/libsup.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		{ apt-get install -y --no-install-recommends $$missing || \
		  { apt-get update && apt-get install -y --no-install-recommends $$missing; }; } >&2 ; \
	fi

# The demo container image (busybox), built from Debian's busybox-static.
ROOTFS := $(B)/rootfs/busybox
rootfs: $(ROOTFS)
$(ROOTFS): rootfs/mkrootfs-busybox
	@mkdir -p $(@D)
	rootfs/mkrootfs-busybox $@

# The appliance image: Debian's kernel (apt-get download + dpkg -x, cached under
# $(IMAGE_DIR)/cache and $(IMAGE_DIR)/kernel, so a second run needs no network) and an
# initramfs with supd as /sbin/init, supctl, the demo units and their busybox image.
# `make boot` runs it in qemu (TCG, serial console) until it powers off; Ctrl-A X quits.
# BOOT_ARGS passes more options to rootfs/boot, e.g. BOOT_ARGS='--append sup.x=1'.
IMAGE_DIR := $(B)/image
IMAGE     := $(IMAGE_DIR)/initramfs.img
BOOT_ARGS ?=
.PHONY: image boot
image: deps
	$(MAKE) all rootfs
	rootfs/mkimage $(IMAGE_DIR)

boot: image
	rootfs/boot --image $(IMAGE_DIR) $(BOOT_ARGS)

unit-check: $(TEST_BIN)

check: deps
	$(MAKE) all unit-check $(HELPER_BIN)
	tests/run-tests

demo: deps
	$(MAKE) all rootfs
	units/run-demo

bench: deps $(B)/tests/bench/spawn-driver
	$(MAKE) all
	@for b in tests/bench/*; do [ -x "$$b" ] && "$$b"; done; true

install: all
	install -D -m 0755 $(B)/supd $(DESTDIR)$(SBINDIR)/supd
	install -D -m 0755 $(B)/supctl $(DESTDIR)$(BINDIR)/supctl
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/supd|$(SBINDIR)/supd|' units/supd.service > $(DESTDIR)$(UNITDIR)/supd.service
	install -D -m 0644 docs/supd.8 $(DESTDIR)$(MANDIR)/man8/supd.8
	install -D -m 0644 docs/supctl.1 $(DESTDIR)$(MANDIR)/man1/supctl.1
	install -D -m 0644 docs/sup.units.5 $(DESTDIR)$(MANDIR)/man5/sup.units.5

format:
	clang-format -i $(wildcard config/*.[ch] supervisor/*.[ch] init/*.[ch] tests/unit/*.c tests/helpers/*.c)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
