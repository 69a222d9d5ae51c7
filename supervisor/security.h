/* security: a container's capabilities, no_new_privs and seccomp filter.
 *
 * The parent prepares everything (capability names -> masks, the plan, the BPF program);
 * the child applies it between clone and exec with raw syscalls only (prctl, capset):
 * no allocation, no stdio, no locks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct sock_fprog; /* <linux/filter.h> */

/* "CAP_NET_BIND_SERVICE" or "NET_BIND_SERVICE", any case -> 10 in *ret. Names come from
 * libcap-ng's table. Returns 0, or -EINVAL for an unknown name. Use the result as
 * 1ULL << cap in a capability mask. */
int security_cap_from_name(const char *name, int *ret);

/* libcap-ng's name for CAP, lowercase and without "cap_" ("net_bind_service"), or NULL
 * if CAP is unknown. Static storage, do not free. */
const char *security_cap_to_name(int cap);

/* podman's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP
 * SETGID SETPCAP SETUID SYS_CHROOT (0x800405fb). */
uint64_t security_default_caps(void);

/* What the child applies; built in the parent by security_plan_build(). */
struct security_plan {
        uint64_t bounding, effective, permitted, inheritable, ambient;
        bool no_new_privs;
        bool keep_caps_across_setuid; /* PR_SET_KEEPCAPS before a non-root setuid */
        const struct sock_fprog *seccomp; /* borrowed; NULL = unconfined */
        int last_cap; /* the running kernel's /proc/sys/kernel/cap_last_cap */
};

/* Root in the container: bounding = effective = permitted = inheritable = default|extra,
 * no ambient. A non-root user: bounding = default|extra (a setuid binary cannot gain
 * more), effective = permitted = inheritable = ambient = extra, and keep_caps if extra
 * is not empty. SECCOMP is borrowed and must outlive the plan (build it once per supd).
 * Returns 0, or -EOPNOTSUPP if EXTRA names a capability above the running kernel's last
 * one (the caller can name them: extra >> (p->last_cap + 1)). */
int security_plan_build(struct security_plan *p, uint64_t extra_caps, bool root_user,
                        bool no_new_privs, const struct sock_fprog *seccomp_or_null);

/* Child side, async-signal-safe. The spawn code calls, in this order:
 *     security_child_before_setuid(p);   -- still uid 0 with the parent's capabilities
 *     setgroups/setresgid/setresuid(...)
 *     security_child_after_setuid(p);
 *     execve(...)
 * before_setuid drops the bounding set (needs CAP_SETPCAP), sets PR_SET_KEEPCAPS when a
 * non-root user keeps capabilities, and, when no_new_privs is off, loads the seccomp
 * filter: without no_new_privs the kernel only accepts a filter from a task holding
 * CAP_SYS_ADMIN, which the container is about to lose. The default filter does not
 * block setgroups/setres[ug]id/capset/prctl/execve, so the rest still works.
 * after_setuid sets effective/permitted/inheritable (capset v3), clears and raises the
 * ambient set, sets no_new_privs and then, if on, loads the seccomp filter as the very
 * last step. Each returns 0 or -errno of the failing syscall; the caller reports the
 * step ("capabilities before setuid"/"capabilities after setuid"). */
int security_child_before_setuid(const struct security_plan *p);
int security_child_after_setuid(const struct security_plan *p);

/* Builds the default seccomp profile with libseccomp (call once at start-up, not in the
 * child): allow by default; EPERM for the syscalls Docker's default profile blocks;
 * ENOSYS for clone3 (libc falls back to clone); EPERM for clone with any CLONE_NEW*
 * flag; personality only for the personas Docker allows. On x86_64 the i386 and x32
 * ABIs are filtered with the same rules, any other ABI kills the process (see
 * security.c). RET->filter is malloc'd; free it with security_seccomp_free(), which is
 * safe after a failed build too. Returns 0 or -errno. */
int security_seccomp_build(struct sock_fprog *ret);
void security_seccomp_free(struct sock_fprog *p);
