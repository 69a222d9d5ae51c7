/* probe: reports what a process inside a container may do and what it inherited.
 * Used by the integration tests (copied into a volume and run with supctl exec, or as
 * a unit's exec). Static, so it runs in any rootfs.
 *
 *   probe
 *
 * Prints one "key=value" line each:
 *   kexec_load=ERRNO   reboot=ERRNO   mount=ERRNO   unshare=ERRNO
 *       the errno name of each syscall made directly (not through a tool that could
 *       fail for its own reasons), or "ok" if it succeeded. The arguments are chosen
 *       so that a syscall which gets past the permission checks fails harmlessly
 *       (EINVAL/ENODEV) instead of doing anything: kexec_load with invalid flags,
 *       reboot with bad magic numbers, mount of a file system type that does not exist.
 *       unshare(CLONE_NEWNET) only affects the probe itself.
 *   fds=0,1,2          the open file descriptors (the one used to list them excluded)
 *   sigmask=N,N|empty  the blocked signals as sigprocmask reports them
 *   SigBlk=HEX SigIgn=HEX  the lines of /proc/self/status
 * Exit status 0 unless the probe itself could not run. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errname(int e) {
        switch (e) {
        case 0: return "ok";
        case EPERM: return "EPERM";
        case EACCES: return "EACCES";
        case ENOSYS: return "ENOSYS";
        case EINVAL: return "EINVAL";
        case ENODEV: return "ENODEV";
        case ENOENT: return "ENOENT";
        case EBUSY: return "EBUSY";
        case EFAULT: return "EFAULT";
        case EOPNOTSUPP: return "EOPNOTSUPP";
        default: break;
        }
        static char buf[32];
        snprintf(buf, sizeof buf, "errno%d", e);
        return buf;
}

static void report(const char *what, long r) {
        printf("%s=%s\n", what, errname(r < 0 ? errno : 0));
}

static int list_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        if (!d) {
                perror("probe: /proc/self/fd");
                return -1;
        }
        int self = dirfd(d), first = 1;
        struct dirent *e;
        printf("fds=");
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.') continue;
                int fd = atoi(e->d_name);
                if (fd == self) continue;
                printf("%s%d", first ? "" : ",", fd);
                first = 0;
        }
        printf("\n");
        closedir(d);
        return 0;
}

static int sigmask_line(void) {
        sigset_t set;
        if (sigprocmask(SIG_BLOCK, NULL, &set) < 0) {
                perror("probe: sigprocmask");
                return -1;
        }
        int first = 1;
        printf("sigmask=");
        for (int s = 1; s < NSIG; s++) {
                if (sigismember(&set, s) == 1) {
                        printf("%s%d", first ? "" : ",", s);
                        first = 0;
                }
        }
        printf("%s\n", first ? "empty" : "");
        return 0;
}

static int status_lines(void) {
        FILE *f = fopen("/proc/self/status", "re");
        if (!f) {
                perror("probe: /proc/self/status");
                return -1;
        }
        char line[256];
        while (fgets(line, sizeof line, f)) {
                char val[64];
                if (sscanf(line, "SigBlk: %63s", val) == 1) printf("SigBlk=%s\n", val);
                else if (sscanf(line, "SigIgn: %63s", val) == 1) printf("SigIgn=%s\n", val);
        }
        fclose(f);
        return 0;
}

int main(void) {
        int rc = 0;
        /* Before anything else opens a file. */
        if (list_fds() < 0) rc = 1;
        if (sigmask_line() < 0) rc = 1;
        if (status_lines() < 0) rc = 1;

        /* flags with bits no kernel accepts: EINVAL once past the capability check. */
        report("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x7fff0000UL));
        /* Bad magic: EINVAL once past the capability check; never reboots. */
        report("reboot", syscall(SYS_reboot, 0, 0, 0, NULL));
        /* No such file system type: ENODEV once past the capability check. */
        report("mount", mount("none", "/", "sup-probe-no-such-fs", 0, NULL));
        report("unshare", unshare(CLONE_NEWNET));
        fflush(stdout);
        return rc;
}
