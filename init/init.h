/* init: what only PID 1 does. Every function here is inert unless supd is PID 1 of the
 * machine (or of a PID namespace, where the kernel gives reboot(2) its own meaning).
 * None of them returns an error that should stop supd: PID 1 logs and goes on. */
#pragma once

#include <stdbool.h>

enum init_action { INIT_POWEROFF, INIT_REBOOT, INIT_HALT };

/* True when we are booting a machine: PID 1 and /proc not mounted yet. In a test's PID
 * namespace /proc is already there and nothing below touches the mounts. */
bool init_is_booting(void);

/* Mounts /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /run, /sys/fs/cgroup
 * (cgroup2) where nothing is mounted yet; puts stdin/out/err on /dev/console; turns
 * ctrl-alt-del into SIGINT. Logs each failure and goes on. */
void init_early(void);

void init_set_hostname(const char *hostname);
/* Loads the modules with libkmod, dependencies first. A missing module is logged. */
void init_load_modules(char *const *modules);

/* Starts /bin/sh (or busybox sh) on the console, for an appliance that cannot run any
 * unit. Returns its pid or -errno. */
int init_emergency_shell(void);

/* The end of the shutdown, after the units have stopped: SIGTERM to every process,
 * up to timeout_usec for them to go, SIGKILL, then (only when we booted the machine:
 * in a test's PID namespace the mounts are not ours) unmount everything in reverse
 * order and remount / read-only; sync; reboot(2). Never returns. */
_Noreturn void init_finish(enum init_action action, unsigned long long timeout_usec, bool unmount);

/* When nothing else is left to do (the manager could not start): reap forever. */
_Noreturn void init_reap_forever(void);

const char *init_action_to_string(enum init_action a);
