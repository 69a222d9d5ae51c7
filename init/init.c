#include "init.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

const char *init_action_to_string(enum init_action a) {
        switch (a) {
        case INIT_POWEROFF:
                return "poweroff";
        case INIT_REBOOT:
                return "reboot";
        case INIT_HALT:
                return "halt";
        }
        return "?";
}

static bool is_mountpoint(const char *path) {
        struct stat a, b;
        _cleanup_free_ char *parent = NULL;
        if (stat(path, &a) < 0)
                return false;
        if (asprintf(&parent, "%s/..", path) < 0 || stat(parent, &b) < 0)
                return false;
        return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

bool init_is_booting(void) {
        return getpid() == 1 && access("/proc/self/stat", F_OK) < 0;
}

static void mount_if_missing(const char *what, const char *where, const char *type, unsigned long flags,
                             const char *data) {
        if (mkdir(where, 0755) < 0 && errno != EEXIST)
                log_warning_errno(errno, "mkdir %s: %m, ignoring", where);
        if (is_mountpoint(where))
                return;
        if (mount(what, where, type, flags, data) < 0)
                log_error_errno(errno, "mount %s on %s: %m, going on", type, where);
}

/* The initramfs root (rootfs: a ramfs or tmpfs that is not a mount of its own) cannot
 * be pivot_root'ed away from, so no container could start. Make / a real mount: bind
 * it onto itself elsewhere, move that over /, and chroot into it (what switch_root
 * does; the one chroot here is PID 1's, never a container's). */
static void make_root_a_mount(void) {
        struct statfs sf;
        if (statfs("/", &sf) < 0 || (sf.f_type != RAMFS_MAGIC && sf.f_type != TMPFS_MAGIC))
                return;
        if (mkdir("/.sup-root", 0700) < 0 && errno != EEXIST) {
                log_error_errno(errno, "mkdir /.sup-root: %m; containers may fail to pivot_root");
                return;
        }
        if (mount("/", "/.sup-root", NULL, MS_BIND | MS_REC, NULL) < 0 || chdir("/.sup-root") < 0 ||
            mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                log_error_errno(errno, "making / a mount point: %m; containers may fail to pivot_root");
                return;
        }
        (void)rmdir("/.sup-root");
}

void init_early(void) {
        const unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (!init_is_booting())
                return;
        make_root_a_mount();
        mount_if_missing("proc", "/proc", "proc", nse, NULL);
        mount_if_missing("sysfs", "/sys", "sysfs", nse, NULL);
        mount_if_missing("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
        mount_if_missing("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666");
        mount_if_missing("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        mount_if_missing("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
        mount_if_missing("cgroup2", "/sys/fs/cgroup", "cgroup2", nse, NULL);

        /* The kernel starts us with the console on 0-2 only if /dev/console existed in
         * the initramfs; make sure, now that devtmpfs is there. */
        int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0) {
                for (int i = 0; i < 3; i++)
                        (void)dup2(fd, i);
                if (fd > 2)
                        close(fd);
        }
        /* ctrl-alt-del becomes SIGINT for us instead of an immediate reboot. */
        if (reboot(RB_DISABLE_CAD) < 0)
                log_warning_errno(errno, "cannot disable ctrl-alt-del: %m, ignoring");
}

void init_set_hostname(const char *hostname) {
        if (getpid() != 1 || !hostname)
                return;
        if (sethostname(hostname, strlen(hostname)) < 0)
                log_error_errno(errno, "sethostname %s: %m, going on", hostname);
        else
                log_info("hostname set to %s", hostname);
}

void init_load_modules(char *const *modules) {
        if (getpid() != 1 || !modules || !modules[0])
                return;
        struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        if (!ctx) {
                log_error("cannot initialise libkmod, no modules loaded");
                return;
        }
        for (char *const *m = modules; *m; m++) {
                struct kmod_list *list = NULL, *i;
                int r = kmod_module_new_from_lookup(ctx, *m, &list);
                if (r < 0 || !list) {
                        log_error("module %s: not found, going on", *m);
                        continue;
                }
                kmod_list_foreach(i, list) {
                        struct kmod_module *mod = kmod_module_get_module(i);
                        r = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_LOADED, NULL, NULL, NULL, NULL);
                        if (r < 0)
                                log_error_errno(r, "module %s: %m, going on", *m);
                        else
                                log_info("module %s loaded", kmod_module_get_name(mod));
                        kmod_module_unref(mod);
                }
                kmod_module_unref_list(list);
        }
        kmod_unref(ctx);
}

int init_emergency_shell(void) {
        static const char *const shells[] = { "/bin/sh", "/bin/busybox" };
        pid_t pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "emergency shell: fork: %m");
        if (pid > 0) {
                log_warning("no unit can run: emergency shell on the console, pid %d", (int)pid);
                return pid;
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        int fd = open("/dev/console", O_RDWR);
        if (fd >= 0) {
                (void)ioctl(fd, TIOCSCTTY, 1);
                for (int i = 0; i < 3; i++)
                        dup2(fd, i);
        }
        for (size_t i = 0; i < sizeof shells / sizeof *shells; i++)
                execl(shells[i], "sh", i ? "sh" : NULL, NULL);
        _exit(127);
}

/* ---- the end ---- */

/* Reaps what has ended, then tells whether any process but us (and kernel threads,
 * which have no executable) is left: not only our children, a tree may hang below
 * a live parent. */
static bool any_process_left(void) {
        siginfo_t si;
        do
                si.si_pid = 0;
        while (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) >= 0 && si.si_pid != 0);

        _cleanup_(closedirp) DIR *d = opendir("/proc");
        if (!d)
                return false;
        pid_t self = getpid();
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end, path[64], exe[8];
                long pid = strtol(de->d_name, &end, 10);
                if (*end || pid <= 0 || pid == self)
                        continue;
                snprintf(path, sizeof path, "/proc/%ld/exe", pid);
                if (readlink(path, exe, sizeof exe) >= 0 || errno == EACCES)
                        return true;
        }
        return false;
}

/* Reaps until nothing is left or the time is up. Blocking waits, bounded by the
 * deadline: the event loop is already gone. */
static void reap_until(unsigned long long timeout_usec) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        while (any_process_left()) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                unsigned long long spent = (unsigned long long)(now.tv_sec - start.tv_sec) * 1000000ULL +
                                           (unsigned long long)(now.tv_nsec - start.tv_nsec) / 1000;
                if (spent >= timeout_usec)
                        return;
                /* SIGCHLD is blocked and fed to a signalfd nobody reads any more: poll
                 * at 10ms, bounded by the deadline. */
                struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
}

static void unmount_all(void) {
        /* Read every mount point, then unmount in reverse order (latest, overlays, first). */
        char **points = NULL;
        size_t n = 0;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t len = 0;
        while (f && getline(&line, &len, f) >= 0) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                char **nv = realloc(points, (n + 1) * sizeof *nv);
                if (!nv)
                        break;
                points = nv;
                points[n] = strdup(mp);
                if (points[n])
                        n++;
        }
        free(line);
        while (n-- > 0) {
                if (strcmp(points[n], "/") != 0 && strcmp(points[n], "/proc") != 0 &&
                    umount2(points[n], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        log_debug("umount %s: %m", points[n]);
                free(points[n]);
        }
        free(points);
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 && errno != EROFS)
                log_debug("remount / read-only: %m");
}

_Noreturn void init_reap_forever(void) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        log_error("supd cannot supervise anything; PID 1 stays up, reaping orphans");
        for (;;) {
                int sig = sigwaitinfo(&all, NULL);
                if (sig == SIGCHLD)
                        while (waitpid(-1, NULL, WNOHANG) > 0)
                                ;
        }
}

_Noreturn void init_finish(enum init_action action, unsigned long long timeout_usec, bool unmount) {
        static const int cmd[] = { [INIT_POWEROFF] = RB_POWER_OFF, [INIT_REBOOT] = RB_AUTOBOOT,
                                   [INIT_HALT] = RB_HALT_SYSTEM };
        log_info("sending SIGTERM to all processes");
        (void)kill(-1, SIGTERM);
        (void)kill(-1, SIGCONT);
        reap_until(timeout_usec);
        if (any_process_left()) {
                log_warning("sending SIGKILL to the processes still there");
                (void)kill(-1, SIGKILL);
                reap_until(5 * 1000000ULL);
        }
        sync();
        if (unmount) {
                log_info("unmounting file systems");
                unmount_all();
        }
        log_info("syncing, then %s", init_action_to_string(action));
        sync();
        /* In a PID namespace this ends the namespace, as the kernel defines. */
        (void)reboot(cmd[action]);
        /* reboot(2) failed (not permitted?): PID 1 must not exit. Wait forever. */
        log_error_errno(errno, "reboot(2): %m; halting here");
        for (;;)
                pause();
}
