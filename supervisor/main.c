/* supd: the daemon's command line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"

#include "config.h"
#include "init.h"
#include "log.h"
#include "manager.h"

#define DEFAULT_CONFIG_DIR "/etc/sup"
#define DEFAULT_RUN_DIR "/run/sup"

static void usage(FILE *f) {
        fprintf(f,
                "Usage: supd [OPTIONS]\n"
                "Supervise the container units of a config directory.\n\n"
                "  -c, --config DIR    sup.conf and units/ (default " DEFAULT_CONFIG_DIR ")\n"
                "      --run-dir DIR   control socket and runtime state (default " DEFAULT_RUN_DIR ")\n"
                "      --check         validate the config, print every error, exit 0 or 1\n"
                "  -h, --help          this text\n");
}

/* An app's stdio must never land on one of supd's files: make sure 0-2 are taken. */
static void ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
                        int n = open("/dev/null", O_RDWR);
                        if (n >= 0 && n != fd) {
                                dup2(n, fd);
                                close(n);
                        }
                }
}

/* Whatever fds we inherited beyond stdio must never reach a container. */
static void cloexec_inherited_fds(void) {
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) >= 0)
                return;
        for (int fd = 3; fd < 65536; fd++) { /* kernels before 5.11 */
                int f = fcntl(fd, F_GETFD);
                if (f >= 0)
                        (void)fcntl(fd, F_SETFD, f | FD_CLOEXEC);
        }
}

/* Paths end up in mount options and in containers' bind sources: make them absolute. */
static char *absolute(const char *path) {
        if (path[0] == '/')
                return strdup(path);
        _cleanup_free_ char *cwd = get_current_dir_name();
        char *r = NULL;
        if (!cwd || asprintf(&r, "%s/%s", cwd, path) < 0)
                return NULL;
        return r;
}

static int check_config(const char *dir) {
        struct sup_config *c = NULL;
        int r = config_load(dir, &c);
        if (r < 0) {
                fprintf(stderr, "supd: cannot load %s: %s\n", dir, strerror(-r));
                return 1;
        }
        for (size_t i = 0; i < c->n_errors; i++)
                fprintf(stderr, "%s\n", c->errors[i].message);
        printf("%zu unit(s) OK, %zu error(s)\n", c->n_units, c->n_errors);
        r = c->n_errors ? 1 : 0;
        config_free(c);
        return r;
}

int main(int argc, char **argv) {
        enum { OPT_RUN_DIR = 256, OPT_CHECK };
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "run-dir", required_argument, NULL, OPT_RUN_DIR },
                { "check", no_argument, NULL, OPT_CHECK },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_dir = DEFAULT_CONFIG_DIR, *run_dir = DEFAULT_RUN_DIR;
        bool check = false;
        int c;

        while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) >= 0)
                switch (c) {
                case 'c':
                        config_dir = optarg;
                        break;
                case OPT_RUN_DIR:
                        run_dir = optarg;
                        break;
                case OPT_CHECK:
                        check = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "supd: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return 2;
        }

        if (check) {
                ensure_std_fds();
                return check_config(config_dir);
        }
        bool booting = init_is_booting();
        if (booting)
                init_early(); /* /proc, /dev, the console... before anything else */
        ensure_std_fds();
        cloexec_inherited_fds();

        _cleanup_free_ char *cfg = absolute(config_dir), *run = absolute(run_dir);
        if (!cfg || !run) {
                fprintf(stderr, "supd: out of memory\n");
                return 1;
        }
        struct manager *m = NULL;
        bool pid1 = getpid() == 1;
        int r = manager_new(cfg, run, &m);
        if (r >= 0) {
                m->booted = booting;
                r = manager_load(m);
        }
        if (r < 0) {
                manager_free(m);
                if (pid1) /* PID 1 never exits */
                        init_reap_forever();
                return 1;
        }
        if (pid1) {
                init_set_hostname(m->config->hostname);
                init_load_modules(m->config->modules);
                if (m->config->emergency_shell && m->config->n_units == 0)
                        (void)init_emergency_shell();
        }
        manager_start_units(m);
        r = manager_run(m);
        if (pid1) {
                enum init_action action = m->action;
                unsigned long long timeout = m->config->shutdown_timeout;
                bool unmount = m->booted;
                if (r != 0) /* the event loop broke: keep the machine, not the manager */
                        init_reap_forever();
                manager_free(m);
                init_finish(action, timeout, unmount);
        }
        manager_free(m);
        return r;
}
