/* spawn-driver: the C half of tests/bench/spawn (run that script, not this).
 *
 * Measures per-container start latency of sup's real spawn path -- the functions supd's
 * do_spawn() calls (supervisor/unit.c), with the same unit defaults -- beside two
 * references timed identically in the same process and interleaved run by run:
 *   floor:  unshare -fpmuin /bin/true            (clone3 .. execve .. waitpid)
 *   bwrap:  bwrap with an equivalent set-up       (clone3 .. execve .. waitpid)
 *   sup:    container_plan_build .. waitpid       (clone3 + overlay + pivot_root + caps
 *                                                  + seccomp + no_new_privs, /bin/true)
 * and prints median, p95 and mean, the ratios, the targets of issue 3 and sup's phases.
 *
 * Usage: spawn-driver --rootfs DIR --dir DIR --unshare PATH --bwrap PATH
 *                     [--bwrap-overlay] [-n N] [--warmup W]
 * DIR is a scratch directory (the run dir and the unit file go there); it must exist.
 * Exit status: 0 when the measurement ran (whatever the verdicts), 1 on an error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <linux/sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/filter.h>

#include "cleanup.h"
#include "config.h"
#include "container.h"
#include "fsutil.h"
#include "security.h"
#include "spawn.h"

extern char **environ;

#define UNIT_NAME "bench"
#define RUN_TIMEOUT_MS 10000 /* per run: a hung container fails the benchmark, not make */

enum { REF_SUP, REF_FLOOR, REF_BWRAP, _REF_MAX };
enum { PH_PLAN, PH_CLONE, PH_EXEC, PH_EXIT, PH_CLEANUP, _PH_MAX };

static const char *const ph_names[_PH_MAX] = {
        [PH_PLAN] = "plan build (container+spawn+security)",
        [PH_CLONE] = "spawn_process() returns (clone3 in parent)",
        [PH_EXEC] = "  .. to exec (status pipe EOF)",
        [PH_EXIT] = "exec .. reaped exit",
        [PH_CLEANUP] = "cleanup (plan_done + container_cleanup)",
};

struct bench {
        const char *rootfs, *dir, *unshare, *bwrap;
        bool bwrap_overlay;
        size_t n, warmup;
        char *run_dir, *state_dir;
        struct unit_config *unit;
        struct sup_config *cfg;
        struct sock_fprog seccomp;
        bool have_seccomp;
        int devnull;
        char **argv[_REF_MAX]; /* the references' command lines */
        double *ms[_REF_MAX];  /* per-run totals */
        double *phase[_PH_MAX];
};

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Waits at most timeout_ms for fd to be readable (or hung up). 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;
        do
                r = poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

/* Reaps pid within RUN_TIMEOUT_MS (killing it past that). Returns its wait status or
 * -errno. */
static int reap(pid_t pid, int pidfd) {
        int status, r = wait_fd(pidfd, RUN_TIMEOUT_MS);
        if (r == -ETIMEDOUT) {
                fprintf(stderr, "spawn-driver: pid %d did not exit within %d ms, killing it\n", (int)pid,
                        RUN_TIMEOUT_MS);
                (void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        } else if (r < 0)
                return r;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return r == -ETIMEDOUT ? r : status;
}

static void describe_status(int status, char *buf, size_t len) {
        if (status < 0)
                snprintf(buf, len, "%s", strerror(-status));
        else if (WIFEXITED(status))
                snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
        else
                snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
}

/* One reference run: clone3(CLONE_PIDFD), exactly as spawn_process() starts sup's child
 * (so the fork cost is the same for all three), then execve .. waitpid. stdio on
 * /dev/null (stderr kept when loud, to show why a failing run failed). (<spawn.h> is
 * shadowed by supervisor/spawn.h on the include path, hence no posix_spawn.)
 * Returns ms, or < 0 on failure. */
static double run_reference(struct bench *b, char **argv, bool loud) {
        int pidfd = -1;
        char what[64];
        struct clone_args args = {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
        };

        double t0 = now_ms();
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0) {
                fprintf(stderr, "spawn-driver: clone3: %m\n");
                return -1;
        }
        if (pid == 0) {
                if (dup2(b->devnull, 0) < 0 || dup2(b->devnull, 1) < 0 || (!loud && dup2(b->devnull, 2) < 0))
                        _exit(125);
                execve(argv[0], argv, environ);
                _exit(127);
        }
        int r = reap((pid_t)pid, pidfd);
        double t1 = now_ms();
        close(pidfd);
        if (r != 0) {
                describe_status(r, what, sizeof what);
                if (loud)
                        fprintf(stderr, "spawn-driver: %s failed: %s\n", argv[0], what);
                return -1;
        }
        return t1 - t0;
}

/* One sup run, as do_spawn() and the exit path of supervisor/unit.c do it, with the
 * phases timed. Returns the total (plan build .. reaped exit) in ms, or < 0. */
static double run_sup(struct bench *b, double ph[_PH_MAX]) {
        const struct unit_config *c = b->unit;
        struct container_plan cp;
        struct spawn_plan plan;
        struct security_plan sec;
        struct spawn_result res;
        struct spawn_failure f;
        _cleanup_free_ char *err = NULL;
        char what[64];
        double total = -1;
        int r;

        double t0 = now_ms();
        r = container_plan_build(&cp, c, b->run_dir, b->state_dir, &err);
        if (r < 0) {
                fprintf(stderr, "spawn-driver: container plan: %s\n", err ? err : strerror(-r));
                goto out_plan;
        }
        r = spawn_plan_build(&plan, c, container_passwd_root(c), &err);
        if (r < 0) {
                fprintf(stderr, "spawn-driver: spawn plan: %s\n", err ? err : strerror(-r));
                goto out_plan;
        }
        r = security_plan_build(&sec, c->capabilities, plan.uid == 0, c->no_new_privileges,
                                c->seccomp && b->have_seccomp ? &b->seccomp : NULL);
        if (r < 0) {
                fprintf(stderr, "spawn-driver: security plan: %s\n", strerror(-r));
                spawn_plan_done(&plan);
                goto out_plan;
        }
        plan.container = &cp;
        plan.security = &sec;
        plan.init = c->init;
        plan.stdin_fd = plan.stdout_fd = plan.stderr_fd = b->devnull;

        double t1 = now_ms();
        r = spawn_process(&plan, &res);
        double t2 = now_ms();
        spawn_plan_done(&plan);
        if (r < 0) {
                fprintf(stderr, "spawn-driver: clone: %s\n", strerror(-r));
                goto out_plan;
        }

        /* EOF on the status pipe: the child reached exec (what supd's on_status sees). */
        r = wait_fd(res.status_fd, RUN_TIMEOUT_MS);
        if (r >= 0)
                r = spawn_read_failure(res.status_fd, &f);
        double t3 = now_ms();
        if (r != 0) {
                _cleanup_free_ char *op = r > 0 ? container_describe_op(&cp, f.index) : NULL;
                if (r > 0)
                        fprintf(stderr, "spawn-driver: spawn failed: %s: %s\n",
                                op ? op : spawn_step_to_string(f.step), strerror(f.err));
                else
                        fprintf(stderr, "spawn-driver: status pipe: %s\n", strerror(-r));
        }
        int status = reap(res.pid, res.pidfd);
        double t4 = now_ms();
        if (r == 0 && status != 0) {
                describe_status(status, what, sizeof what);
                fprintf(stderr, "spawn-driver: container /bin/true failed: %s\n", what);
        }
        if (r == 0 && status == 0)
                total = t4 - t0;

        /* supd's exit path: close_process(), container_cleanup(), kill the group. */
        container_plan_done(&cp);
        close(res.status_fd);
        close(res.pidfd);
        container_cleanup(b->run_dir, c->name);
        (void)kill(-res.pid, SIGKILL);
        double t5 = now_ms();

        ph[PH_PLAN] = t1 - t0;
        ph[PH_CLONE] = t2 - t1;
        ph[PH_EXEC] = t3 - t1;
        ph[PH_EXIT] = t4 - t3;
        ph[PH_CLEANUP] = t5 - t4;
        return total;

out_plan:
        container_plan_done(&cp);
        container_cleanup(b->run_dir, c->name);
        return -1;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

struct stats {
        double median, p95, mean;
};

static struct stats stats_of(const double *v, size_t n) {
        double *s = malloc(n * sizeof *s), sum = 0;
        if (!s)
                abort();
        memcpy(s, v, n * sizeof *s);
        qsort(s, n, sizeof *s, cmp_double);
        for (size_t i = 0; i < n; i++)
                sum += s[i];
        size_t p = (95 * n + 99) / 100; /* nearest rank */
        struct stats st = {
                .median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2,
                .p95 = s[p > 0 ? p - 1 : 0],
                .mean = sum / (double)n,
        };
        free(s);
        return st;
}

/* Writes the unit file and loads it the way supd does, so every default (caps,
 * seccomp, no_new_privileges, writable, network, hostname) is supd's own. */
static int load_unit(struct bench *b) {
        _cleanup_free_ char *path = NULL;
        if (strpbrk(b->rootfs, "\"\\$\n")) {
                fprintf(stderr, "spawn-driver: rootfs path %s: quote it differently\n", b->rootfs);
                return -EINVAL;
        }
        if (asprintf(&path, "%s/%s.conf", b->dir, UNIT_NAME) < 0)
                return -ENOMEM;
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f) {
                fprintf(stderr, "spawn-driver: %s: %m\n", path);
                return -errno;
        }
        /* Spelled out although they are the defaults: what is measured is visible here. */
        fprintf(f,
                "container " UNIT_NAME " {\n"
                "    rootfs   = \"%s\"\n"
                "    exec     = {\"/bin/true\"}\n"
                "    writable = \"tmpfs\"\n"
                "    network  = \"none\"\n"
                "    seccomp  = \"default\"\n"
                "    no_new_privileges = true\n"
                "    restart  = \"no\"\n"
                "}\n",
                b->rootfs);
        if (fflush(f) != 0) {
                fprintf(stderr, "spawn-driver: %s: %m\n", path);
                return -errno;
        }
        char *paths[] = { path };
        int r = config_load_files(paths, 1, &b->cfg);
        if (r < 0) {
                fprintf(stderr, "spawn-driver: loading %s: %s\n", path, strerror(-r));
                return r;
        }
        for (size_t i = 0; i < b->cfg->n_errors; i++)
                fprintf(stderr, "spawn-driver: %s\n", b->cfg->errors[i].message);
        if (b->cfg->n_errors > 0 || b->cfg->n_units != 1)
                return -EINVAL;
        b->unit = b->cfg->units[0];
        return 0;
}

static void usage(FILE *f) {
        fputs("usage: spawn-driver --rootfs DIR --dir DIR --unshare PATH --bwrap PATH [--bwrap-overlay]\n"
              "                    [-n N] [--warmup W]\n",
              f);
}

static int parse_args(struct bench *b, int argc, char **argv) {
        static const struct option opts[] = {
                { "rootfs", required_argument, NULL, 'r' },  { "dir", required_argument, NULL, 'd' },
                { "unshare", required_argument, NULL, 'u' }, { "bwrap", required_argument, NULL, 'b' },
                { "bwrap-overlay", no_argument, NULL, 'o' }, { "warmup", required_argument, NULL, 'w' },
                { "help", no_argument, NULL, 'h' },          { 0 },
        };
        int o;
        long v;
        char *end;
        while ((o = getopt_long(argc, argv, "n:h", opts, NULL)) >= 0) {
                switch (o) {
                case 'r': b->rootfs = optarg; break;
                case 'd': b->dir = optarg; break;
                case 'u': b->unshare = optarg; break;
                case 'b': b->bwrap = optarg; break;
                case 'o': b->bwrap_overlay = true; break;
                case 'n':
                case 'w':
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || v < (o == 'n' ? 1 : 0) || v > 100000) {
                                fprintf(stderr, "spawn-driver: bad number %s\n", optarg);
                                return -EINVAL;
                        }
                        *(o == 'n' ? &b->n : &b->warmup) = (size_t)v;
                        break;
                case 'h': usage(stdout); exit(0);
                default: usage(stderr); return -EINVAL;
                }
        }
        if (!b->rootfs || !b->dir || !b->unshare || !b->bwrap || optind != argc) {
                usage(stderr);
                return -EINVAL;
        }
        return 0;
}

static int setup(struct bench *b) {
        static char *floor_argv[] = { NULL, "-fpmuin", "/bin/true", NULL };
        static char *bwrap_overlay[] = { NULL,       "--unshare-pid", "--unshare-net", "--unshare-ipc",
                                         "--unshare-uts", "--overlay-src", NULL,    "--tmp-overlay",
                                         "/",          "--proc",        "/proc",   "--dev",
                                         "/dev",       "--hostname",    "x",       "/bin/true",
                                         NULL };
        /* bubblewrap < 0.9 has no overlays: a read-only image with a tmpfs /tmp. */
        static char *bwrap_robind[] = { NULL,        "--unshare-pid", "--unshare-net", "--unshare-ipc",
                                        "--unshare-uts", "--ro-bind",  NULL,        "/",
                                        "--tmpfs",    "/tmp",          "--proc",  "/proc",
                                        "--dev",      "/dev",          "--hostname", "x",
                                        "/bin/true",  NULL };
        int r;

        floor_argv[0] = (char *)b->unshare;
        b->argv[REF_FLOOR] = floor_argv;
        char **bw = b->bwrap_overlay ? bwrap_overlay : bwrap_robind;
        bw[0] = (char *)b->bwrap;
        bw[6] = (char *)b->rootfs;
        b->argv[REF_BWRAP] = bw;

        if (asprintf(&b->run_dir, "%s/run", b->dir) < 0 || asprintf(&b->state_dir, "%s/state", b->dir) < 0)
                return -ENOMEM;
        if ((r = mkdir_p(b->run_dir, 0755)) < 0 || (r = mkdir_p(b->state_dir, 0755)) < 0) {
                fprintf(stderr, "spawn-driver: cannot create %s: %s\n", b->dir, strerror(-r));
                return r;
        }
        b->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (b->devnull < 0)
                return -errno;
        /* Once per supd, as manager_new() does. */
        r = security_seccomp_build(&b->seccomp);
        if (r < 0)
                fprintf(stderr, "spawn-driver: cannot build the seccomp profile (%s): sup runs unconfined\n",
                        strerror(-r));
        b->have_seccomp = r >= 0;
        r = load_unit(b);
        if (r < 0)
                return r;
        for (int i = 0; i < _REF_MAX; i++)
                if (!(b->ms[i] = calloc(b->n, sizeof(double))))
                        return -ENOMEM;
        for (int i = 0; i < _PH_MAX; i++)
                if (!(b->phase[i] = calloc(b->n, sizeof(double))))
                        return -ENOMEM;
        return 0;
}

static void teardown(struct bench *b) {
        container_cleanup_all(b->run_dir ? b->run_dir : "/nonexistent");
        config_free(b->cfg);
        security_seccomp_free(&b->seccomp);
        closep(&b->devnull);
        for (int i = 0; i < _REF_MAX; i++)
                free(b->ms[i]);
        for (int i = 0; i < _PH_MAX; i++)
                free(b->phase[i]);
        free(b->run_dir);
        free(b->state_dir);
}

/* One run of reference k; stores its time when i >= 0 (not a warm-up run). */
static int run_one(struct bench *b, int k, ssize_t i) {
        double ph[_PH_MAX], t;
        if (k == REF_SUP)
                t = run_sup(b, ph);
        else if ((t = run_reference(b, b->argv[k], false)) < 0)
                t = run_reference(b, b->argv[k], true); /* again, to show why */
        if (t < 0)
                return -1;
        if (i >= 0) {
                b->ms[k][i] = t;
                if (k == REF_SUP)
                        for (int p = 0; p < _PH_MAX; p++)
                                b->phase[p][i] = ph[p];
        }
        return 0;
}

static void report(const struct bench *b) {
        static const char *const names[_REF_MAX] = {
                [REF_SUP] = "sup (spawn path)",
                [REF_FLOOR] = "unshare -fpmuin",
                [REF_BWRAP] = "bwrap",
        };
        struct stats st[_REF_MAX];
        for (int k = 0; k < _REF_MAX; k++)
                st[k] = stats_of(b->ms[k], b->n);

        printf("spawn latency: %zu runs each (+%zu warm-up), interleaved; start .. reaped exit of /bin/true\n",
               b->n, b->warmup);
        printf("  sup:     clone3 pid,mnt,uts,ipc,net,cgroup ns; overlay(%s)+tmpfs upper; pivot_root;\n"
               "           /proc /sys /dev; default caps, seccomp %s, no_new_privs; busybox /bin/true\n",
               b->rootfs, b->have_seccomp ? "default" : "OFF (build failed)");
        printf("  floor:   %s -fpmuin /bin/true (the host's /bin/true)\n", b->unshare);
        printf("  bwrap:   ");
        for (char **a = b->argv[REF_BWRAP]; *a; a++)
                printf("%s%s", *a, a[1] ? " " : "\n");
        if (!b->bwrap_overlay)
                printf("           (this bwrap has no --overlay-src/--tmp-overlay: --ro-bind + tmpfs /tmp instead)\n");
        printf("\n  %-18s %9s %9s %9s %12s %12s\n", "ms", "median", "p95", "mean", "sup/x median", "sup/x p95");
        for (int k = 0; k < _REF_MAX; k++) {
                printf("  %-18s %9.3f %9.3f %9.3f", names[k], st[k].median, st[k].p95, st[k].mean);
                if (k == REF_SUP)
                        printf(" %12s %12s\n", "", "");
                else
                        printf(" %11.2fx %11.2fx\n", st[REF_SUP].median / st[k].median, st[REF_SUP].p95 / st[k].p95);
        }
        double rf = st[REF_SUP].median / st[REF_FLOOR].median;
        double rb = st[REF_SUP].median / st[REF_BWRAP].median;
        printf("\n  within 1.5x of unshare floor: %s (median %.2fx)\n", rf <= 1.5 ? "yes" : "no", rf);
        printf("  faster than bwrap: %s (median %.2fx)\n", rb < 1.0 ? "yes" : "no", rb);

        printf("\n  sup phases (ms)                              median       p95      mean\n");
        for (int p = 0; p < _PH_MAX; p++) {
                struct stats s = stats_of(b->phase[p], b->n);
                printf("  %-42s %8.3f  %8.3f  %8.3f\n", ph_names[p], s.median, s.p95, s.mean);
        }
}

int main(int argc, char **argv) {
        struct bench b = { .n = 200, .warmup = 5, .devnull = -1 };
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (parse_args(&b, argc, argv) < 0)
                return 1;
        r = setup(&b);
        if (r < 0) {
                if (r == -ENOMEM)
                        fprintf(stderr, "spawn-driver: out of memory\n");
                teardown(&b);
                return 1;
        }
        for (size_t i = 0; i < b.warmup && r >= 0; i++)
                for (int k = 0; k < _REF_MAX && r >= 0; k++)
                        r = run_one(&b, k, -1);
        /* Interleaved, starting with a different one each round, so drift and ordering
         * effects (page cache, dentry cache, a busy neighbour) hit all three alike. */
        for (size_t i = 0; i < b.n && r >= 0; i++)
                for (int j = 0; j < _REF_MAX && r >= 0; j++)
                        r = run_one(&b, (int)((i + j) % _REF_MAX), (ssize_t)i);
        if (r >= 0)
                report(&b);
        teardown(&b);
        return r < 0 ? 1 : 0;
}
