/* Unit tests for supervisor/security.c. The name/plan tests are pure; the apply and
 * seccomp tests need root and run every privileged step in a forked child, so the test
 * process itself keeps its capabilities and stays unfiltered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "security.h"

#define BIT(c) (UINT64_C(1) << (c))
#define DEFAULT_CAPS UINT64_C(0x800405fb) /* podman's CapEff, as /proc shows it */
#define USER_UID 1000
#define ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static int kernel_last_cap(void) {
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        int v = -1;

        assert_non_null(f);
        assert_int_equal(fscanf(f, "%d", &v), 1);
        fclose(f);
        return v;
}

static void test_cap_from_name(void **state) {
        int cap = -1;
        (void)state;

        assert_int_equal(security_cap_from_name("CAP_NET_BIND_SERVICE", &cap), 0);
        assert_int_equal(cap, CAP_NET_BIND_SERVICE);
        cap = -1;
        assert_int_equal(security_cap_from_name("NET_BIND_SERVICE", &cap), 0);
        assert_int_equal(cap, CAP_NET_BIND_SERVICE);
        assert_int_equal(security_cap_from_name("cap_sys_admin", &cap), 0);
        assert_int_equal(cap, CAP_SYS_ADMIN);
        assert_int_equal(security_cap_from_name("chown", &cap), 0);
        assert_int_equal(cap, CAP_CHOWN);
        assert_int_equal(security_cap_from_name("CAP_SETFCAP", &cap), 0);
        assert_int_equal(cap, CAP_SETFCAP);

        cap = 77;
        assert_int_equal(security_cap_from_name("CAP_BOGUS", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name("BOGUS", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name("", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name("CAP_", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name("CAP_CAP_CHOWN", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name("12", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name(" CHOWN", &cap), -EINVAL);
        assert_int_equal(security_cap_from_name(NULL, &cap), -EINVAL);
        assert_int_equal(cap, 77); /* untouched on error */
}

static void test_cap_to_name(void **state) {
        (void)state;

        assert_string_equal(security_cap_to_name(CAP_NET_BIND_SERVICE), "net_bind_service");
        assert_string_equal(security_cap_to_name(CAP_CHOWN), "chown");
        assert_null(security_cap_to_name(-1));
        assert_null(security_cap_to_name(64));

        /* Every name we print parses back to the same number. */
        for (int c = 0; c <= CAP_LAST_CAP; c++) {
                const char *n = security_cap_to_name(c);
                int back = -1;
                assert_non_null(n);
                assert_int_equal(security_cap_from_name(n, &back), 0);
                assert_int_equal(back, c);
        }
}

static void test_default_caps(void **state) {
        (void)state;
        uint64_t expect = BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) |
                          BIT(CAP_FSETID) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) |
                          BIT(CAP_SETFCAP) | BIT(CAP_SETGID) | BIT(CAP_SETPCAP) |
                          BIT(CAP_SETUID) | BIT(CAP_SYS_CHROOT);

        assert_int_equal(security_default_caps(), expect);
        assert_int_equal(security_default_caps(), DEFAULT_CAPS);
        assert_false(security_default_caps() & BIT(CAP_SYS_ADMIN));
        assert_false(security_default_caps() & BIT(CAP_NET_RAW));
}

static void test_plan_root(void **state) {
        (void)state;
        struct sock_fprog dummy = {0};
        struct security_plan p;
        uint64_t want = DEFAULT_CAPS | BIT(CAP_NET_RAW);

        assert_int_equal(security_plan_build(&p, BIT(CAP_NET_RAW), true, true, &dummy), 0);
        assert_int_equal(p.bounding, want);
        assert_int_equal(p.effective, want);
        assert_int_equal(p.permitted, want);
        assert_int_equal(p.inheritable, want);
        assert_int_equal(p.ambient, 0);
        assert_true(p.no_new_privs);
        assert_false(p.keep_caps_across_setuid);
        assert_ptr_equal(p.seccomp, &dummy);
        assert_int_equal(p.last_cap, kernel_last_cap());

        /* An extra cap already in the default set changes nothing. */
        assert_int_equal(security_plan_build(&p, BIT(CAP_KILL), true, false, NULL), 0);
        assert_int_equal(p.bounding, DEFAULT_CAPS);
        assert_int_equal(p.effective, DEFAULT_CAPS);
        assert_false(p.no_new_privs);
        assert_null(p.seccomp);
}

static void test_plan_user(void **state) {
        (void)state;
        struct security_plan p;
        uint64_t extra = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW);

        assert_int_equal(security_plan_build(&p, extra, false, true, NULL), 0);
        assert_int_equal(p.bounding, DEFAULT_CAPS | BIT(CAP_NET_RAW));
        assert_int_equal(p.effective, extra);
        assert_int_equal(p.permitted, extra);
        assert_int_equal(p.inheritable, extra);
        assert_int_equal(p.ambient, extra);
        assert_true(p.keep_caps_across_setuid);

        assert_int_equal(security_plan_build(&p, 0, false, true, NULL), 0);
        assert_int_equal(p.bounding, DEFAULT_CAPS);
        assert_int_equal(p.effective, 0);
        assert_int_equal(p.permitted, 0);
        assert_int_equal(p.inheritable, 0);
        assert_int_equal(p.ambient, 0);
        assert_false(p.keep_caps_across_setuid);
}

static void test_plan_unknown_to_kernel(void **state) {
        (void)state;
        struct security_plan p;
        int last = kernel_last_cap();

        if (last >= 63)
                skip();
        assert_int_equal(security_plan_build(&p, BIT(last + 1), true, true, NULL), -EOPNOTSUPP);
        assert_int_equal(security_plan_build(&p, BIT(63), false, true, NULL), -EOPNOTSUPP);
        assert_int_equal(security_plan_build(&p, BIT(last), false, true, NULL), 0);
}

/* ---- forked children ---------------------------------------------------------------- */

/* What a child reports over its pipe: a line "ERR <where> <errno>" on failure, otherwise
 * whatever the child function wrote. */
static void child_fail(int fd, const char *where, int err) {
        dprintf(fd, "ERR %s %d\n", where, err);
        _exit(1);
}

/* Runs fn(arg, fd) in a child with its stdout on the pipe too; collects up to size-1
 * bytes of output and returns the wait status. */
static int run_child(void (*fn)(const void *arg, int fd), const void *arg, char *out,
                     size_t size) {
        int pfd[2], status;
        size_t got = 0;
        pid_t pid;

        assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pfd[0]);
                if (dup2(pfd[1], STDOUT_FILENO) < 0)
                        _exit(2);
                fn(arg, pfd[1]);
                _exit(0);
        }
        close(pfd[1]);
        for (;;) {
                ssize_t n = read(pfd[0], out + got, size - 1 - got);
                if (n < 0 && errno == EINTR)
                        continue;
                assert_true(n >= 0);
                if (n == 0)
                        break;
                got += n;
                assert_true(got < size - 1); /* output fits */
        }
        out[got] = '\0';
        close(pfd[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static void assert_child_ok(int status, const char *out) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("child failed (status 0x%x): %s", status, out);
}

static uint64_t status_field(const char *status, const char *key) {
        char k[32];
        const char *s;

        snprintf(k, sizeof(k), "\n%s:", key);
        s = strstr(status, k);
        if (!s)
                fail_msg("no %s in child's status:\n%s", key, status);
        return strtoull(s + strlen(k), NULL, key[0] == 'C' ? 16 : 10);
}

struct apply_case {
        struct security_plan plan;
        bool setuid;   /* become USER_UID between the two halves */
        bool exec_cat; /* report /proc/self/status as seen after execve */
};

static void apply_child(const void *arg, int fd) {
        const struct apply_case *c = arg;
        char buf[8192];
        ssize_t n;
        int r, sfd;

        r = security_child_before_setuid(&c->plan);
        if (r < 0)
                child_fail(fd, "before_setuid", -r);
        if (c->setuid) {
                if (setgroups(0, NULL) < 0)
                        child_fail(fd, "setgroups", errno);
                if (setresgid(USER_UID, USER_UID, USER_UID) < 0)
                        child_fail(fd, "setresgid", errno);
                if (setresuid(USER_UID, USER_UID, USER_UID) < 0)
                        child_fail(fd, "setresuid", errno);
        }
        r = security_child_after_setuid(&c->plan);
        if (r < 0)
                child_fail(fd, "after_setuid", -r);

        if (c->exec_cat) {
                execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
                child_fail(fd, "exec", errno);
        }
        sfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (sfd < 0)
                child_fail(fd, "open", errno);
        n = read(sfd, buf, sizeof(buf));
        if (n <= 0)
                child_fail(fd, "read", n < 0 ? errno : EIO);
        if (write(fd, buf, n) != n)
                child_fail(fd, "write", errno);
}

struct caps_seen {
        uint64_t eff, prm, inh, bnd, amb;
        unsigned nnp, seccomp;
};

static struct caps_seen run_apply(const struct apply_case *c) {
        char out[16384];
        int status;

        out[0] = '\n';
        status = run_child(apply_child, c, out + 1, sizeof(out) - 1);
        assert_child_ok(status, out);
        return (struct caps_seen){
                .eff = status_field(out, "CapEff"),
                .prm = status_field(out, "CapPrm"),
                .inh = status_field(out, "CapInh"),
                .bnd = status_field(out, "CapBnd"),
                .amb = status_field(out, "CapAmb"),
                .nnp = status_field(out, "NoNewPrivs"),
                .seccomp = status_field(out, "Seccomp"),
        };
}

/* The extra caps include one above bit 31 so both halves of capset's data matter. */
#define EXTRA_ROOT (BIT(CAP_NET_RAW) | BIT(CAP_SYSLOG))
#define EXTRA_USER (BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) | BIT(CAP_SYSLOG))

static void test_apply_root(void **state) {
        (void)state;
        uint64_t want = DEFAULT_CAPS | EXTRA_ROOT;

        for (int e = 0; e <= 1; e++) {
                struct apply_case c = {.exec_cat = e};
                assert_int_equal(security_plan_build(&c.plan, EXTRA_ROOT, true, true, NULL), 0);
                struct caps_seen s = run_apply(&c);
                assert_int_equal(s.eff, want);
                assert_int_equal(s.prm, want);
                assert_int_equal(s.inh, want);
                assert_int_equal(s.bnd, want);
                assert_int_equal(s.amb, 0);
                assert_int_equal(s.nnp, 1);
                assert_int_equal(s.seccomp, 0);
        }
}

static void test_apply_user_with_caps(void **state) {
        (void)state;
        uint64_t extra = EXTRA_USER;

        /* Before and after exec: ambient caps are what carries them across execve. */
        for (int e = 0; e <= 1; e++) {
                struct apply_case c = {.setuid = true, .exec_cat = e};
                assert_int_equal(security_plan_build(&c.plan, extra, false, true, NULL), 0);
                struct caps_seen s = run_apply(&c);
                assert_int_equal(s.eff, extra);
                assert_int_equal(s.prm, extra);
                assert_int_equal(s.inh, extra);
                assert_int_equal(s.amb, extra);
                assert_int_equal(s.bnd, DEFAULT_CAPS | EXTRA_USER);
                assert_int_equal(s.nnp, 1);
        }
}

static void test_apply_user_without_caps(void **state) {
        (void)state;

        for (int e = 0; e <= 1; e++) {
                struct apply_case c = {.setuid = true, .exec_cat = e};
                assert_int_equal(security_plan_build(&c.plan, 0, false, false, NULL), 0);
                struct caps_seen s = run_apply(&c);
                assert_int_equal(s.eff, 0);
                assert_int_equal(s.prm, 0);
                assert_int_equal(s.inh, 0);
                assert_int_equal(s.amb, 0);
                assert_int_equal(s.bnd, DEFAULT_CAPS);
                assert_int_equal(s.nnp, 0);
        }
}

/* ---- seccomp ------------------------------------------------------------------------ */

static struct sock_fprog default_filter;

static int build_filter(void **state) {
        (void)state;
        return security_seccomp_build(&default_filter) < 0 ? -1 : 0;
}

static int free_filter(void **state) {
        (void)state;
        security_seccomp_free(&default_filter);
        security_seccomp_free(&default_filter); /* idempotent */
        return 0;
}

/* The test process's own permitted set: a plan that keeps all of it leaves the child
 * with CAP_SYS_ADMIN, so an EPERM below can only come from the filter. */
static uint64_t own_permitted(void) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];

        assert_int_equal(syscall(SYS_capget, &h, d), 0);
        return d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static int child_clone_fn(void *arg) {
        (void)arg;
        return 0;
}

/* errno of a clone(2) with FLAGS, 0 if it worked (the child is reaped). */
static int try_clone(int flags) {
        static char stack[64 * 1024] __attribute__((aligned(16)));
        int st;
        pid_t pid = clone(child_clone_fn, stack + sizeof(stack), flags | SIGCHLD, NULL);

        if (pid < 0)
                return errno;
        return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int errno_of(long r) {
        return r < 0 ? errno : 0;
}

#if defined(__x86_64__)
/* A raw i386 syscall through int 0x80 from a 64-bit process: the classic way around a
 * filter that only knows the native ABI. Returns the kernel's raw result. */
static long int80_syscall(long nr, long a1) {
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1) : "memory", "r8", "r9",
                         "r10", "r11");
        return ret;
}
#define I386_NR_unshare 310
#define X32_SYSCALL_BIT 0x40000000L
#define X32_NR_unshare 272
#endif

/* Reports one line per probe: "name errno". */
static void probe_child(const void *arg, int fd) {
        const struct apply_case *c = arg;
        pid_t pid;
        int r, st;

        r = security_child_before_setuid(&c->plan);
        if (r < 0)
                child_fail(fd, "before_setuid", -r);
        r = security_child_after_setuid(&c->plan);
        if (r < 0)
                child_fail(fd, "after_setuid", -r);

        /* Unfiltered with CAP_SYS_ADMIN this is ENOENT, never a mount. */
        dprintf(fd, "mount %d\n",
                errno_of(mount("none", "/nonexistent-sup-test", "tmpfs", 0, NULL)));
        dprintf(fd, "umount2 %d\n", errno_of(umount2("/nonexistent-sup-test", 0)));
        dprintf(fd, "unshare %d\n", errno_of(unshare(CLONE_NEWNET)));
        dprintf(fd, "keyctl %d\n",
                errno_of(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)));
        /* Unfiltered: EINVAL (size 0). */
        dprintf(fd, "clone3 %d\n", errno_of(syscall(SYS_clone3, NULL, 0)));
        dprintf(fd, "clone_newuts %d\n", try_clone(CLONE_NEWUTS));
        dprintf(fd, "clone_newpid %d\n", try_clone(CLONE_NEWPID));
        dprintf(fd, "clone_plain %d\n", try_clone(0));
        /* Each allowed persona, then back to PER_LINUX; the denied ones are refused
         * before they take effect. */
        dprintf(fd, "personality_query %d\n", errno_of(syscall(SYS_personality, 0xffffffffUL)));
        dprintf(fd, "personality_linux32 %d\n", errno_of(syscall(SYS_personality, 0x8UL)));
        dprintf(fd, "personality_uname26 %d\n", errno_of(syscall(SYS_personality, 0x20000UL)));
        dprintf(fd, "personality_both %d\n", errno_of(syscall(SYS_personality, 0x20008UL)));
        dprintf(fd, "personality_linux %d\n", errno_of(syscall(SYS_personality, 0x0UL)));
        dprintf(fd, "personality_norandom %d\n",
                errno_of(syscall(SYS_personality, 0x0040000UL /* ADDR_NO_RANDOMIZE */)));
        dprintf(fd, "personality_rie %d\n",
                errno_of(syscall(SYS_personality, 0x0400000UL /* READ_IMPLIES_EXEC */)));
        dprintf(fd, "personality_nearly_all %d\n",
                errno_of(syscall(SYS_personality, 0xfffffff7UL)));
        dprintf(fd, "personality_high %d\n", errno_of(syscall(SYS_personality, 0x80000000UL)));
        (void)syscall(SYS_personality, 0x0UL); /* the control run changed it */

        pid = fork();
        if (pid == 0)
                _exit(0);
        dprintf(fd, "fork %d\n",
                pid < 0 ? errno : (waitpid(pid, &st, 0) == pid && st == 0 ? 0 : -1));

        pid = fork();
        if (pid == 0) {
                execl("/bin/true", "true", (char *)NULL);
                _exit(127);
        }
        dprintf(fd, "exec_true %d\n",
                pid < 0 ? errno : (waitpid(pid, &st, 0) == pid && st == 0 ? 0 : -1));

        /* system() is glibc's posix_spawn underneath, which tries clone3 first and must
         * fall back on ENOSYS. (<spawn.h> itself is shadowed by supervisor/spawn.h.) */
        st = system("/bin/true");
        dprintf(fd, "posix_spawn %d\n", st == 0 ? 0 : -1);

#if defined(__x86_64__)
        {
                long ret = syscall(X32_SYSCALL_BIT | X32_NR_unshare, CLONE_NEWNET);
                dprintf(fd, "x32_unshare %d\n", ret < 0 ? errno : 0);
        }
        /* Last: if the kernel lacks ia32 emulation this may kill us with SIGSEGV. */
        {
                long ret = int80_syscall(I386_NR_unshare, CLONE_NEWNET);
                dprintf(fd, "i386_unshare %ld\n", ret < 0 ? -ret : 0);
        }
#endif
}

static int probe(const char *out, const char *name) {
        char k[64];
        const char *s;

        snprintf(k, sizeof(k), "\n%s ", name);
        s = strstr(out, k);
        if (!s)
                fail_msg("no probe %s in:\n%s", name, out);
        return atoi(s + strlen(k));
}

static void run_probes(const struct security_plan *plan, char *out, size_t size) {
        struct apply_case c = {.plan = *plan};
        int status;

        out[0] = '\n';
        status = run_child(probe_child, &c, out + 1, size - 1);
        /* The int 0x80 probe is last and may SIGSEGV on kernels without ia32 support. */
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV && strstr(out, "x32_unshare")))
                assert_child_ok(status, out);
}

static void test_seccomp_default(void **state) {
        (void)state;
        struct security_plan p;
        char out[4096];

        assert_non_null(default_filter.filter);
        assert_true(default_filter.len > 0);

        assert_int_equal(security_plan_build(&p, own_permitted(), true, true, &default_filter), 0);
        run_probes(&p, out, sizeof(out));
        if (getenv("SUP_TEST_DEBUG"))
                print_message("%s", out);

        assert_int_equal(probe(out, "mount"), EPERM);
        assert_int_equal(probe(out, "umount2"), EPERM);
        assert_int_equal(probe(out, "unshare"), EPERM);
        assert_int_equal(probe(out, "keyctl"), EPERM);
        assert_int_equal(probe(out, "clone3"), ENOSYS);
        assert_int_equal(probe(out, "clone_newuts"), EPERM);
        assert_int_equal(probe(out, "clone_newpid"), EPERM);
        assert_int_equal(probe(out, "clone_plain"), 0);
        assert_int_equal(probe(out, "personality_query"), 0);
        assert_int_equal(probe(out, "personality_linux32"), 0);
        assert_int_equal(probe(out, "personality_uname26"), 0);
        assert_int_equal(probe(out, "personality_both"), 0);
        assert_int_equal(probe(out, "personality_linux"), 0);
        assert_int_equal(probe(out, "personality_norandom"), EPERM);
        assert_int_equal(probe(out, "personality_rie"), EPERM);
        assert_int_equal(probe(out, "personality_nearly_all"), EPERM);
        assert_int_equal(probe(out, "personality_high"), EPERM);
        assert_int_equal(probe(out, "fork"), 0);
        assert_int_equal(probe(out, "exec_true"), 0);
        assert_int_equal(probe(out, "posix_spawn"), 0);
#if defined(__x86_64__)
        assert_int_equal(probe(out, "x32_unshare"), EPERM);
        if (strstr(out, "i386_unshare"))
                assert_int_equal(probe(out, "i386_unshare"), EPERM);
        else
                print_message("no ia32 emulation: int 0x80 probe skipped\n");
#endif
}

/* The control: the same probes without the filter, so the test above cannot pass by
 * accident (e.g. because the child lacked a capability). */
static void test_seccomp_control(void **state) {
        (void)state;
        struct security_plan p;
        char out[4096];

        assert_int_equal(security_plan_build(&p, own_permitted(), true, true, NULL), 0);
        run_probes(&p, out, sizeof(out));
        if (getenv("SUP_TEST_DEBUG"))
                print_message("%s", out);

        assert_int_equal(probe(out, "mount"), ENOENT);
        assert_int_equal(probe(out, "umount2"), ENOENT);
        assert_int_equal(probe(out, "unshare"), 0);
        assert_int_not_equal(probe(out, "keyctl"), EPERM);
        assert_int_equal(probe(out, "clone3"), EINVAL);
        assert_int_equal(probe(out, "clone_newuts"), 0);
        assert_int_equal(probe(out, "clone_newpid"), 0);
        assert_int_equal(probe(out, "clone_plain"), 0);
        assert_int_equal(probe(out, "personality_norandom"), 0);
        assert_int_equal(probe(out, "personality_rie"), 0);
        assert_int_equal(probe(out, "fork"), 0);
        assert_int_equal(probe(out, "exec_true"), 0);
        assert_int_equal(probe(out, "posix_spawn"), 0);
#if defined(__x86_64__)
        assert_int_not_equal(probe(out, "x32_unshare"), EPERM);
#endif
}

static bool persona_allowed(uint32_t v) {
        return v == 0 || v == 0x8 || v == 0x20000 || v == 0x20008 || v == 0xffffffff;
}

/* Many personality values through the filter: every single bit, every value with one
 * bit clear, some patterns and pseudo-random ones. Reports "persona_bad N first". */
static void persona_child(const void *arg, int fd) {
        const struct security_plan *plan = arg;
        uint32_t values[2 * 32 + 8 + 3 + 512], x = 12345, alt[3] = {0};
        unsigned n = 0, bad = 0, k = 0;
        uint32_t first = 0;
        int r;

        /* Every other / every third bit of those the filter treats alike (all but 3, 17). */
        for (int b = 0; b < 32; b++)
                if (b != 3 && b != 17) {
                        alt[k % 2 ? 1 : 0] |= UINT32_C(1) << b;
                        if (k % 3 == 0)
                                alt[2] |= UINT32_C(1) << b;
                        k++;
                }
        for (int i = 0; i < 3; i++)
                values[n++] = alt[i];

        for (int b = 0; b < 32; b++) {
                values[n++] = UINT32_C(1) << b;
                values[n++] = ~(UINT32_C(1) << b);
        }
        values[n++] = 0x55555555;
        values[n++] = 0xaaaaaaaa;
        values[n++] = 0x55555555 | 0x20008;
        values[n++] = 0xaaaaaaaa & ~UINT32_C(0x20008);
        values[n++] = 0xfffdfff7;
        values[n++] = 0x20009;
        values[n++] = 0x20008;
        values[n++] = 0;
        while (n < ELEMENTS(values)) {
                x = x * 1103515245 + 12345;
                values[n++] = x ^ (x << 7);
        }

        r = security_child_before_setuid(plan);
        if (r < 0)
                child_fail(fd, "before_setuid", -r);
        r = security_child_after_setuid(plan);
        if (r < 0)
                child_fail(fd, "after_setuid", -r);

        for (unsigned i = 0; i < n; i++) {
                long ret = syscall(SYS_personality, (unsigned long)values[i]);
                bool passed = ret >= 0 || errno != EPERM;
                if (passed != persona_allowed(values[i]) && bad++ == 0)
                        first = values[i];
                (void)syscall(SYS_personality, 0UL);
        }
        dprintf(fd, "persona_bad %u 0x%x\n", bad, first);
}

static void test_seccomp_personality(void **state) {
        (void)state;
        struct security_plan p;
        char out[256];
        int status;

        assert_int_equal(security_plan_build(&p, own_permitted(), true, true, &default_filter), 0);
        out[0] = '\n';
        status = run_child(persona_child, &p, out + 1, sizeof(out) - 1);
        assert_child_ok(status, out);
        if (probe(out, "persona_bad") != 0)
                fail_msg("personality filter wrong: %s", out);
}

/* Without no_new_privs the filter must go in while the child still has CAP_SYS_ADMIN;
 * both a root and a non-root container end up filtered. */
static void test_seccomp_without_nnp(void **state) {
        (void)state;

        for (int user = 0; user <= 1; user++) {
                struct apply_case c = {.setuid = user, .exec_cat = true};
                assert_int_equal(security_plan_build(&c.plan, user ? BIT(CAP_NET_RAW) : 0, !user,
                                                     false, &default_filter),
                                 0);
                struct caps_seen s = run_apply(&c);
                assert_int_equal(s.nnp, 0);
                assert_int_equal(s.seccomp, 2);
                assert_int_equal(s.eff, user ? BIT(CAP_NET_RAW) : DEFAULT_CAPS);
                assert_int_equal(s.amb, user ? BIT(CAP_NET_RAW) : 0);
        }
}

static void test_seccomp_with_reduced_caps(void **state) {
        (void)state;
        struct apply_case c = {.setuid = true, .exec_cat = true};

        assert_int_equal(security_plan_build(&c.plan, 0, false, true, &default_filter), 0);
        struct caps_seen s = run_apply(&c);
        assert_int_equal(s.nnp, 1);
        assert_int_equal(s.seccomp, 2);
        assert_int_equal(s.eff, 0);
}

int main(void) {
        const struct CMUnitTest pure[] = {
                cmocka_unit_test(test_cap_from_name),
                cmocka_unit_test(test_cap_to_name),
                cmocka_unit_test(test_default_caps),
                cmocka_unit_test(test_plan_root),
                cmocka_unit_test(test_plan_user),
                cmocka_unit_test(test_plan_unknown_to_kernel),
        };
        const struct CMUnitTest apply[] = {
                cmocka_unit_test(test_apply_root),
                cmocka_unit_test(test_apply_user_with_caps),
                cmocka_unit_test(test_apply_user_without_caps),
        };
        const struct CMUnitTest seccomp[] = {
                cmocka_unit_test(test_seccomp_default),
                cmocka_unit_test(test_seccomp_control),
                cmocka_unit_test(test_seccomp_personality),
                cmocka_unit_test(test_seccomp_without_nnp),
                cmocka_unit_test(test_seccomp_with_reduced_caps),
        };
        int failed = cmocka_run_group_tests_name("security", pure, NULL, NULL);

        /* Applying needs root (setuid, capset, bounding set); the checks above do not. */
        if (geteuid() != 0) {
                print_message("not root: skipping the apply and seccomp tests\n");
                return failed;
        }
        failed += cmocka_run_group_tests_name("security_apply", apply, NULL, NULL);
        failed += cmocka_run_group_tests_name("security_seccomp", seccomp, build_filter,
                                              free_filter);
        return failed;
}
