/* security: capabilities, no_new_privs and the default seccomp profile.
 *
 * Split in two halves on purpose: everything that allocates or reads files (names,
 * the plan, the BPF program) runs in supd; the child-side functions only call prctl and
 * capset, because they run between clone and exec. */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "security.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

int security_cap_from_name(const char *name, int *ret) {
        int cap;

        if (!name || !ret)
                return -EINVAL;
        if (strncasecmp(name, "CAP_", 4) == 0)
                name += 4;
        if (!*name)
                return -EINVAL;

        /* libcap-ng compares case-insensitively and knows only names, not numbers. */
        cap = capng_name_to_capability(name);
        if (cap < 0 || cap > 63)
                return -EINVAL;
        *ret = cap;
        return 0;
}

const char *security_cap_to_name(int cap) {
        if (cap < 0 || cap > 63)
                return NULL;
        return capng_capability_to_name((unsigned)cap);
}

uint64_t security_default_caps(void) {
        return CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FOWNER) |
               CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_KILL) | CAP_BIT(CAP_NET_BIND_SERVICE) |
               CAP_BIT(CAP_SETFCAP) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETPCAP) |
               CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SYS_CHROOT);
}

/* The running kernel's highest capability, which may be below or above what our
 * headers know. Falls back to the headers' CAP_LAST_CAP. */
static int read_last_cap(void) {
        _cleanup_close_ int fd = -1;
        char buf[16];
        ssize_t n;
        char *end;
        long v;

        fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return CAP_LAST_CAP;
        do
                n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return CAP_LAST_CAP;
        buf[n] = '\0';
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno != 0 || end == buf || (*end && *end != '\n') || v < 0)
                return CAP_LAST_CAP;
        return v > 63 ? 63 : (int)v;
}

int security_plan_build(struct security_plan *p, uint64_t extra_caps, bool root_user,
                        bool no_new_privs, const struct sock_fprog *seccomp_or_null) {
        uint64_t all, base;

        if (!p)
                return -EINVAL;

        *p = (struct security_plan){
                .no_new_privs = no_new_privs,
                .seccomp = seccomp_or_null,
                .last_cap = read_last_cap(),
        };

        /* A capability the kernel does not know cannot be held; say so rather than
         * hand out less than the unit asked for. */
        all = p->last_cap >= 63 ? UINT64_MAX : CAP_BIT(p->last_cap + 1) - 1;
        if (extra_caps & ~all)
                return -EOPNOTSUPP;

        base = security_default_caps() | extra_caps;
        p->bounding = base;
        if (root_user) {
                p->effective = p->permitted = p->inheritable = base;
                p->ambient = 0;
        } else {
                /* Ambient caps survive exec of a non-setuid binary for a non-root user;
                 * they must also be in permitted and inheritable to be raised. */
                p->effective = p->permitted = p->inheritable = p->ambient = extra_caps;
                p->keep_caps_across_setuid = extra_caps != 0;
        }
        return 0;
}

/* Child side: raw syscalls only from here to the seccomp builder. */

static int load_seccomp(const struct sock_fprog *prog) {
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0) < 0)
                return -errno;
        return 0;
}

int security_child_before_setuid(const struct security_plan *p) {
        for (int cap = 0; cap <= p->last_cap && cap < 64; cap++) {
                if (p->bounding & CAP_BIT(cap))
                        continue;
                /* EINVAL: the kernel has no such capability (last_cap came from our
                 * headers, not /proc); nothing to drop. */
                if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        }

        if (p->keep_caps_across_setuid && prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) < 0)
                return -errno;

        /* Without no_new_privs only a CAP_SYS_ADMIN holder may install a filter, and we
         * still are one here; after_setuid we no longer are. */
        if (p->seccomp && !p->no_new_privs)
                return load_seccomp(p->seccomp);
        return 0;
}

int security_child_after_setuid(const struct security_plan *p) {
        struct __user_cap_header_struct hdr = {
                .version = _LINUX_CAPABILITY_VERSION_3,
                .pid = 0,
        };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
                {
                        .effective = (uint32_t)p->effective,
                        .permitted = (uint32_t)p->permitted,
                        .inheritable = (uint32_t)p->inheritable,
                },
                {
                        .effective = (uint32_t)(p->effective >> 32),
                        .permitted = (uint32_t)(p->permitted >> 32),
                        .inheritable = (uint32_t)(p->inheritable >> 32),
                },
        };

        if (syscall(SYS_capset, &hdr, data) < 0)
                return -errno;

        /* Kernels before 4.3 have no ambient set: fine as long as we need none. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
            (errno != EINVAL || p->ambient != 0))
                return -errno;
        for (int cap = 0; cap <= p->last_cap && cap < 64; cap++)
                if ((p->ambient & CAP_BIT(cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
                        return -errno;

        if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0, 0, 0) < 0)
                return -errno;

        if (p->seccomp && p->no_new_privs)
                return load_seccomp(p->seccomp);
        return 0;
}

/* Parent side: the default seccomp profile. */

/* What Docker's default profile (moby profiles/seccomp/default.json) leaves out of its
 * allowlist for a container with the default capabilities. Docker re-allows some of
 * them when a container is given e.g. SYS_ADMIN, SYS_PTRACE or SYS_TIME; this profile
 * does not (one filter for all units): such a unit needs seccomp = unconfined. Names
 * libseccomp does not know at all are skipped; names it knows but this arch lacks
 * ("vm86" on x86_64) still apply to the compat arches added below. */
static const char *const denied_syscalls[] = {
        "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
        "delete_module", "finit_module", "get_kernel_syms", "get_mempolicy", "init_module",
        "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl",
        "lookup_dcookie", "mbind", "mount", "mount_setattr", "move_mount", "move_pages",
        "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree", "fsopen",
        "fsconfig", "fsmount", "fspick", "perf_event_open", "pivot_root",
        "process_vm_readv", "process_vm_writev", "ptrace", "query_module", "quotactl",
        "reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "stime",
        "swapon", "swapoff", "sysfs", "_sysctl", "umount", "umount2", "unshare", "uselib",
        "userfaultfd", "ustat", "vm86", "vm86old",
};

/* Flags that create namespaces through clone(2). CLONE_NEWTIME (0x80) is left out: in
 * clone(2) that bit belongs to the exit signal (CSIGNAL), it only means NEWTIME for
 * clone3 and unshare, which are refused anyway. */
static const uint64_t clone_ns_flags[] = {
        CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
        CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

/* personality(2): Docker allows only PER_LINUX (0), PER_LINUX32 (0x8), UNAME26
 * (0x20000), UNAME26|PER_LINUX32 and 0xffffffff (query); everything else
 * (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...) gets EPERM. libseccomp 2.5 takes one
 * comparison per argument in a rule and ORs rules, so "not one of these" is built from
 * masked compares: with the free bits F = all bits but 3 and 17 in a cycle, a value
 * whose F-bits are neither all clear nor all set has some F-bit set followed by one
 * clear, caught by "(v & (b|next)) == b"; of the values with all F-bits set only
 * 0xffffffff is allowed, the other three are denied one by one. The kernel takes an
 * unsigned int, so only the low 32 bits are compared. */
#define PERSONA_FREE_BITS (UINT32_C(0xffffffff) & ~UINT32_C(0x20008))
static const uint64_t personality_all_free_denied[] = {0xfffffff7, 0xfffdffff, 0xfffdfff7};

static int add_personality_rules(scmp_filter_ctx ctx) {
        int free_bits[32], n = 0, r;

        for (int b = 0; b < 32; b++)
                if (PERSONA_FREE_BITS & (UINT32_C(1) << b))
                        free_bits[n++] = b;

        for (int i = 0; i < n; i++) {
                uint64_t set = UINT64_C(1) << free_bits[i];
                uint64_t next = UINT64_C(1) << free_bits[(i + 1) % n];
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, set | next, set));
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(personality_all_free_denied); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, UINT64_C(0xffffffff),
                                             personality_all_free_denied[i]));
                if (r < 0)
                        return r;
        }
        return 0;
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* Which extra ABIs the filter must cover. A 64-bit process can still make 32-bit
 * syscalls (int 0x80 on x86_64, the x32 bit); without these the filter would be
 * bypassed through them. Filtering them with the same rules (as Docker does) rather
 * than killing them keeps 32-bit binaries in a container working. Any other ABI hits
 * the bad-arch action, which kills the process. */
static int add_compat_arches(scmp_filter_ctx ctx) {
        static const uint32_t x86_64_compat[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
        static const uint32_t aarch64_compat[] = {SCMP_ARCH_ARM};
        const uint32_t *compat = NULL;
        size_t n = 0;
        int r;

        switch (seccomp_arch_native()) {
        case SCMP_ARCH_X86_64:
                compat = x86_64_compat;
                n = ELEMENTSOF(x86_64_compat);
                break;
        case SCMP_ARCH_AARCH64:
                compat = aarch64_compat;
                n = ELEMENTSOF(aarch64_compat);
                break;
        default:
                break;
        }

        for (size_t i = 0; i < n; i++) {
                r = seccomp_arch_add(ctx, compat[i]);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

static int add_rules(scmp_filter_ctx ctx) {
        /* clone's flags are its first argument everywhere but s390, where the first
         * two arguments are swapped. */
#if defined(__s390__) || defined(__s390x__)
        const unsigned clone_flags_arg = 1;
#else
        const unsigned clone_flags_arg = 0;
#endif
        int r, nr;

        for (size_t i = 0; i < ELEMENTSOF(denied_syscalls); i++) {
                nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0)
                        return r;
        }

        /* ENOSYS, not EPERM, so glibc's posix_spawn and friends fall back to clone(2),
         * where the flags can be inspected (clone3 passes them in memory). */
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r < 0)
                return r;

        /* libseccomp can only test (arg & mask) == datum, so "any of these bits" is one
         * rule per bit; rules for the same syscall are OR'ed. */
        for (size_t i = 0; i < ELEMENTSOF(clone_ns_flags); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                     SCMP_CMP(clone_flags_arg, SCMP_CMP_MASKED_EQ,
                                              clone_ns_flags[i], clone_ns_flags[i]));
                if (r < 0)
                        return r;
        }

        return add_personality_rules(ctx);
}

/* libseccomp 2.5 can only export to an fd (seccomp_export_bpf_mem came in 2.6). */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ struct sock_filter *filter = NULL;
        struct stat st;
        size_t done = 0;
        int r;

        fd = memfd_create("sup-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
            st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -EBADMSG;

        filter = malloc(st.st_size);
        if (!filter)
                return -ENOMEM;
        while (done < (size_t)st.st_size) {
                ssize_t n = pread(fd, (char *)filter + done, st.st_size - done, done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EBADMSG;
                done += n;
        }

        ret->len = st.st_size / sizeof(struct sock_filter);
        ret->filter = TAKE_PTR(filter);
        return 0;
}

int security_seccomp_build(struct sock_fprog *ret) {
        __attribute__((cleanup(seccomp_releasep))) scmp_filter_ctx ctx = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        *ret = (struct sock_fprog){0}; /* security_seccomp_free() is safe even on failure */

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* A syscall from an ABI we did not add must not run unfiltered; kill the whole
         * process, not one thread. libseccomp refuses KILL_PROCESS on kernels before
         * 4.14 (it asks the kernel); keep its default, KILL_THREAD, there. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        r = add_compat_arches(ctx);
        if (r < 0)
                return r;
        r = add_rules(ctx);
        if (r < 0)
                return r;
        return export_bpf(ctx, ret);
}

void security_seccomp_free(struct sock_fprog *p) {
        if (!p)
                return;
        free(p->filter);
        p->filter = NULL;
        p->len = 0;
}
