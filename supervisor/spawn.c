#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "cgroup.h"
#include "container.h"
#include "fsutil.h"
#include "reaper.h"
#include "security.h"
#include "users.h"

static const char *const step_names[_SPAWN_STEP_MAX] = {
        [SPAWN_STEP_NONE] = "spawn",           [SPAWN_STEP_SIGNALS] = "reset signals",
        [SPAWN_STEP_WAIT] = "wait for uid maps", [SPAWN_STEP_SETSID] = "setsid",
        [SPAWN_STEP_SETNS] = "join the container's namespaces",
        [SPAWN_STEP_STDIO] = "set up stdio",   [SPAWN_STEP_MOUNT] = "mount",
        [SPAWN_STEP_PIVOT] = "pivot_root",     [SPAWN_STEP_HOSTNAME] = "sethostname",
        [SPAWN_STEP_NOTIFY] = "bind /run/sup/notify", [SPAWN_STEP_NETWORK] = "bring up lo",  [SPAWN_STEP_CHDIR] = "chdir",
        [SPAWN_STEP_CAPS] = "drop capabilities", [SPAWN_STEP_SETGROUPS] = "setgroups",
        [SPAWN_STEP_SETGID] = "setgid",        [SPAWN_STEP_SETUID] = "setuid",
        [SPAWN_STEP_SECURITY] = "apply capabilities, no_new_privs and seccomp",
        [SPAWN_STEP_INIT] = "fork the app under the init reaper", [SPAWN_STEP_EXEC] = "exec",
};

const char *spawn_step_to_string(int step) {
        return step >= 0 && step < _SPAWN_STEP_MAX ? step_names[step] : "spawn";
}

static char **strv_new_n(size_t n) {
        return calloc(n + 1, sizeof(char *));
}

static size_t strv_len(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

static const char *strv_env_get(char *const *env, const char *key) {
        size_t k = strlen(key);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], key, k) == 0 && env[i][k] == '=')
                        return env[i] + k + 1;
        return NULL;
}

/* The unit's environment: its own env entries over a few defaults. Nothing of supd's
 * environment is inherited (NOTIFY_SOCKET, WATCHDOG_* and the like are supd's). */
static int build_envp(char ***ret, char *const *unit_env, const char *home) {
        static const char *const defaults[][2] = {
                { "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
                { "HOME", NULL },
                { "TERM", "xterm" },
                { "container", "sup" }, /* what systemd and friends look for, as with docker/podman */
        };
        size_t n = strv_len(unit_env);
        _cleanup_strv_free_ char **env = strv_new_n(n + ELEMENTSOF(defaults));
        if (!env)
                return -ENOMEM;
        size_t j = 0;
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
                if (strv_env_get(unit_env, defaults[i][0]))
                        continue;
                if (asprintf(&env[j], "%s=%s", defaults[i][0], defaults[i][1] ? defaults[i][1] : home) < 0) {
                        env[j] = NULL;
                        return -ENOMEM;
                }
                j++;
        }
        for (size_t i = 0; i < n; i++)
                if (!(env[j++] = strdup(unit_env[i])))
                        return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

/* argv[0] without a slash is looked up in the unit's PATH, as execvp would, but the
 * list is made here: the child may not allocate. */
static int build_exec_paths(char ***ret, const char *arg0, char *const *envp) {
        if (strchr(arg0, '/')) {
                char **v = strv_new_n(1);
                if (!v || !(v[0] = strdup(arg0))) {
                        free(v);
                        return -ENOMEM;
                }
                *ret = v;
                return 0;
        }
        const char *path = strv_env_get(envp, "PATH");
        _cleanup_free_ char *copy = strdup(path ? path : "/usr/bin:/bin");
        if (!copy)
                return -ENOMEM;
        size_t n = 1;
        for (char *p = copy; *p; p++)
                n += *p == ':';
        _cleanup_strv_free_ char **v = strv_new_n(n);
        if (!v)
                return -ENOMEM;
        size_t j = 0;
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                if (*dir != '/')
                        continue; /* relative PATH entries would depend on the workdir */
                if (asprintf(&v[j], "%s/%s", dir, arg0) < 0) {
                        v[j] = NULL;
                        return -ENOMEM;
                }
                j++;
        }
        if (j == 0 && asprintf(&v[j++], "/bin/%s", arg0) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int spawn_plan_build(struct spawn_plan *plan, const struct unit_config *c, const char *root,
                     char **ret_error) {
        struct user_ids ids;
        int r;

        *plan = (struct spawn_plan){ .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .join_pidfd = -1 };
        r = user_resolve(root, c->user, &ids, ret_error);
        if (r < 0)
                return r;
        plan->uid = ids.uid;
        plan->gid = ids.gid;
        plan->argv = c->exec;
        plan->workdir = c->workdir ? c->workdir : "/";
        r = build_envp(&plan->envp, c->env, ids.home);
        user_ids_done(&ids);
        if (r >= 0)
                r = build_exec_paths(&plan->exec_paths, c->exec[0], plan->envp);
        if (r < 0) {
                spawn_plan_done(plan);
                return r;
        }
        return 0;
}

void spawn_plan_done(struct spawn_plan *plan) {
        strv_freep(&plan->envp);
        strv_freep(&plan->exec_paths);
        plan->envp = plan->exec_paths = NULL;
}

/* ---- child side: raw syscalls only from here to exec ---- */

static _Noreturn void child_fail_at(int fd, int step, int err, int index) {
        struct spawn_failure f = { .step = step, .err = err, .index = index };
        ssize_t n;
        do
                n = write(fd, &f, sizeof f); /* < PIPE_BUF: atomic */
        while (n < 0 && errno == EINTR);
        /* Exit codes as shells and tini report them. */
        _exit(step == SPAWN_STEP_EXEC ? (err == ENOENT ? 127 : 126) : 125);
}

static _Noreturn void child_fail(int fd, int step, int err) {
        child_fail_at(fd, step, err, -1);
}

static int move_fd(int from, int to) {
        if (from == to)
                return fcntl(to, F_SETFD, 0); /* dup2 onto itself keeps CLOEXEC */
        return dup2(from, to);
}

static _Noreturn void exec_app(const struct spawn_plan *p, int status_fd) {
        int err = ENOENT;
        for (char **e = p->exec_paths; *e; e++) {
                execve(*e, p->argv, p->envp);
                /* Keep looking on ENOENT like execvp; remember a more telling error. */
                if (errno != ENOENT || err == ENOENT)
                        err = errno;
        }
        child_fail(status_fd, SPAWN_STEP_EXEC, err);
}

static _Noreturn void child_run(const struct spawn_plan *p, int status_fd, int sync_fd) {
        sigset_t none, all;
        int r, step, index;

        /* supd blocks signals for sd-event and may have inherited ignored ones; the app
         * starts with a clean slate. The raw syscall: glibc's signal() refuses 32 and 33. */
        struct {
                void *handler;
                unsigned long flags;
                void *restorer;
                uint64_t mask;
        } dfl = { .handler = SIG_DFL };
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask) < 0)
                        child_fail(status_fd, SPAWN_STEP_SIGNALS, errno);
        sigemptyset(&none);
        sigfillset(&all);

        if (sync_fd >= 0) {
                /* The parent writes our uid/gid maps first; EOF means it gave up. */
                char c;
                ssize_t n;
                do
                        n = read(sync_fd, &c, 1);
                while (n < 0 && errno == EINTR);
                if (n != 1)
                        child_fail(status_fd, SPAWN_STEP_WAIT, n < 0 ? errno : EPIPE);
                close(sync_fd);
                /* Our ids are still the host's until we take the mapped root's. */
                if (p->container && p->container->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                        child_fail(status_fd, SPAWN_STEP_WAIT, errno);
                /* v1: supd has placed us in our groups only now; the cgroup namespace
                 * must be rooted there, so it is made here rather than by clone. */
                if (p->cgroup && p->cgroup->mode == CGROUP_V1 && p->container && p->join_pidfd < 0 &&
                    unshare(CLONE_NEWCGROUP) < 0)
                        child_fail(status_fd, SPAWN_STEP_WAIT, errno);
        }

        if (setsid() < 0)
                child_fail(status_fd, SPAWN_STEP_SETSID, errno);

        /* stdio: status_fd is >= 3 (the parent made sure), so 0-2 can be overwritten. */
        if (move_fd(p->stdin_fd, 0) < 0 || move_fd(p->stdout_fd, 1) < 0 || move_fd(p->stderr_fd, 2) < 0)
                child_fail(status_fd, SPAWN_STEP_STDIO, errno);

        if (p->join_pidfd >= 0) {
                /* Joining the mount namespace also moves our root and cwd into it. */
                if (setns(p->join_pidfd, p->join_flags) < 0)
                        child_fail(status_fd, SPAWN_STEP_SETNS, errno);
        } else if (p->container) {
                r = container_child_setup(p->container, &step, &index);
                if (r < 0)
                        child_fail_at(status_fd, step, -r, index);
        }

        if (chdir(p->workdir) < 0)
                child_fail(status_fd, SPAWN_STEP_CHDIR, errno);

        if (p->security && (r = security_child_before_setuid(p->security)) < 0)
                child_fail(status_fd, SPAWN_STEP_CAPS, -r);
        if (setgroups(0, NULL) < 0)
                child_fail(status_fd, SPAWN_STEP_SETGROUPS, errno);
        if (setresgid(p->gid, p->gid, p->gid) < 0)
                child_fail(status_fd, SPAWN_STEP_SETGID, errno);
        if (setresuid(p->uid, p->uid, p->uid) < 0)
                child_fail(status_fd, SPAWN_STEP_SETUID, errno);
        if (p->security && (r = security_child_after_setuid(p->security)) < 0)
                child_fail(status_fd, SPAWN_STEP_SECURITY, -r);

        /* A joined PID namespace applies to children only: the command is forked, and
         * we stay in front of it as its reaper, passing its exit status on. */
        if (p->init || p->join_pidfd >= 0) {
                /* The reaper never execs, so CLOEXEC does not help: it keeps nothing of
                 * supd's but stdio and the report pipe (which the app needs until exec). */
                if ((status_fd > 3 && syscall(SYS_close_range, 3U, (unsigned)status_fd - 1, 0) < 0) ||
                    syscall(SYS_close_range, (unsigned)status_fd + 1, ~0U, 0) < 0)
                        child_fail(status_fd, SPAWN_STEP_INIT, errno);
                /* Everything blocked before the fork, so no signal slips past the reaper. */
                if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                        child_fail(status_fd, SPAWN_STEP_SIGNALS, errno);
                pid_t app = _Fork();
                if (app < 0)
                        child_fail(status_fd, SPAWN_STEP_INIT, errno);
                if (app > 0) {
                        close(status_fd); /* now EOF on it means the app reached exec */
                        reaper_run(app);
                }
        }
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                child_fail(status_fd, SPAWN_STEP_SIGNALS, errno);
        exec_app(p, status_fd);
}

int spawn_process(const struct spawn_plan *plan, struct spawn_result *ret) {
        int pipefd[2], syncfd[2] = { -1, -1 };
        int pidfd = -1, r;

        /* F_DUPFD_CLOEXEC to >= 3 keeps the report pipe clear of the stdio slots. */
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        _cleanup_close_ int rfd = pipefd[0];
        _cleanup_close_ int wfd = fcntl(pipefd[1], F_DUPFD_CLOEXEC, 3);
        closep(&pipefd[1]); /* one write end only: its closing is what says "exec'd" */
        if (wfd < 0)
                return -errno;
        bool v1 = plan->cgroup && plan->cgroup->mode == CGROUP_V1;
        bool need_sync = (plan->container && plan->container->userns) || v1;
        if (need_sync && pipe2(syncfd, O_CLOEXEC) < 0)
                return -errno;
        _cleanup_close_ int sync_r = syncfd[0], sync_w = syncfd[1];

        struct clone_args args = {
                .flags = CLONE_PIDFD | (plan->container ? (uint64_t)plan->container->clone_flags : 0),
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
        };
        if (v1 && plan->join_pidfd < 0)
                args.flags &= ~(uint64_t)CLONE_NEWCGROUP; /* made after the move, see child_run() */
        if (plan->cgroup && plan->cgroup->mode == CGROUP_V2 && plan->cgroup->v2_fd >= 0) {
                /* Born in its cgroup: no code of the app ever runs outside it. */
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)plan->cgroup->v2_fd;
        }
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (sync_w >= 0)
                        close(sync_w);
                child_run(plan, wfd, sync_r);
        }

        r = 0;
        if (v1)
                r = cgroup_unit_attach(plan->cgroup, (pid_t)pid);
        if (r >= 0 && plan->container && plan->container->userns)
                r = container_write_id_maps(plan->container, (pid_t)pid);
        if (r >= 0 && need_sync)
                r = write_all(sync_w, "1", 1);
        if (r >= 0 && fcntl(rfd, F_SETFL, O_NONBLOCK) < 0)
                r = -errno;
        if (r < 0) {
                (void)kill((pid_t)pid, SIGKILL); /* reaped by the SIGCHLD loop */
                close(pidfd);
                return r;
        }
        *ret = (struct spawn_result){ .pid = (pid_t)pid, .pidfd = pidfd, .status_fd = TAKE_FD(rfd) };
        return 0;
}

int spawn_read_failure(int status_fd, struct spawn_failure *ret) {
        ssize_t n;
        do
                n = read(status_fd, ret, sizeof *ret);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return 0;
        if (n != sizeof *ret)
                *ret = (struct spawn_failure){ .step = SPAWN_STEP_NONE, .err = EIO, .index = -1 };
        return 1;
}
