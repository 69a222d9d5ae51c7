#include "manager.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "cleanup.h"
#include "container.h"
#include "control.h"
#include "fsutil.h"
#include "log.h"
#include "logsink.h"
#include "security.h"
#include "unit.h"

usec_t manager_now(struct manager *m) {
        uint64_t t = 0;
        (void)sd_event_now(m->event, CLOCK_MONOTONIC, &t);
        return t;
}

struct unit *manager_find_unit(struct manager *m, const char *name) {
        for (size_t i = 0; i < m->n_units; i++)
                if (strcmp(m->units[i]->name, name) == 0)
                        return m->units[i];
        return NULL;
}

static int add_unit(struct manager *m, struct unit *u) {
        struct unit **n = reallocarray(m->units, m->n_units + 1, sizeof *n);
        if (!n)
                return -ENOMEM;
        m->units = n;
        m->units[m->n_units++] = u;
        return 0;
}

static void remove_unit_at(struct manager *m, size_t i) {
        unit_free(m->units[i]);
        memmove(m->units + i, m->units + i + 1, (m->n_units - i - 1) * sizeof *m->units);
        m->n_units--;
}

/* ---- reaping ---- */

static void reap_children(struct manager *m) {
        for (;;) {
                siginfo_t si = { 0 };
                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != ECHILD)
                                log_warning_errno(errno, "waitid: %m");
                        break;
                }
                if (si.si_pid == 0)
                        break;
                struct unit *u = NULL;
                bool health = false;
                for (size_t i = 0; i < m->n_units && !u && !health; i++) {
                        if (m->units[i]->pid == si.si_pid)
                                u = m->units[i];
                        else
                                health = health_child_exited(m->units[i], &si);
                }
                if (u)
                        unit_on_exit(u, &si);
                else if (!health && !control_child_exited(m->control, &si))
                        log_debug("reaped orphan %d", (int)si.si_pid);
        }
        /* The last processes of a stopped container are reaped here: its cgroup can go. */
        for (size_t i = 0; i < m->n_units; i++)
                if (m->units[i]->cg_pending)
                        unit_cgroup_gc(m->units[i]);
}

/* ---- shutdown ---- */

static bool unit_has_active_dependents(struct manager *m, struct unit *u) {
        for (size_t i = 0; i < m->n_units; i++)
                if (m->units[i] != u && unit_is_active(m->units[i]) && m->units[i]->sm.spawned &&
                    unit_requires(m->units[i], u->name))
                        return true;
        return false;
}

/* Signals every process that is still our child (orphans that double-forked away from
 * their unit). Returns how many there were. */
static int signal_leftovers(int sig) {
        _cleanup_(closedirp) DIR *d = NULL;
        int n = 0;
        d = opendir("/proc/self/task");
        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *path = NULL, *line = NULL;
                size_t len = 0;
                if (asprintf(&path, "/proc/self/task/%s/children", de->d_name) < 0)
                        continue;
                _cleanup_fclose_ FILE *f = fopen(path, "re");
                if (!f)
                        continue;
                if (getline(&line, &len, f) < 0)
                        continue;
                char *save = NULL;
                for (char *p = strtok_r(line, " \n", &save); p; p = strtok_r(NULL, " \n", &save)) {
                        pid_t pid = (pid_t)atoi(p);
                        if (pid > 0 && kill(pid, sig) >= 0) {
                                if (sig != SIGCONT)
                                        (void)kill(pid, SIGCONT);
                                n++;
                        }
                }
        }
        return n;
}

static int on_shutdown_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        (void)s;
        (void)usec;
        (void)userdata;
        int n = signal_leftovers(SIGKILL);
        if (n > 0)
                log_warning("shutdown: killed %d remaining process(es)", n);
        return 0;
}

static void shutdown_step(struct manager *m) {
        bool any = false;
        /* Reverse dependency order: stop a unit once nothing running requires it. */
        for (size_t i = m->n_units; i-- > 0;) {
                struct unit *u = m->units[i];
                if (!unit_is_active(u))
                        continue;
                any = true;
                if (!unit_has_active_dependents(m, u))
                        (void)unit_stop(u);
        }
        if (any)
                for (size_t i = 0; i < m->n_units; i++)
                        if (unit_is_active(m->units[i]))
                                return;

        /* Every unit is down. PID 1 hands over to init_finish(), which ends every
         * process there is; a plain supd deals with its own strays. */
        if (m->is_pid1) {
                if (!m->exiting) {
                        m->exiting = true;
                        log_info("all units stopped");
                        (void)sd_event_exit(m->event, 0);
                }
                return;
        }
        if (!m->shutdown_term_sent) {
                m->shutdown_term_sent = true;
                int n = signal_leftovers(SIGTERM);
                if (n > 0) {
                        log_info("shutdown: %d stray process(es) left, sent SIGTERM", n);
                        (void)sd_event_add_time_relative(m->event, &m->shutdown_timer, CLOCK_MONOTONIC,
                                                         m->config ? m->config->shutdown_timeout : 30 * USEC_PER_SEC, USEC_PER_MSEC,
                                                         on_shutdown_timeout, m);
                }
        }
        if (!m->exiting && waitid(P_ALL, 0, &(siginfo_t){ 0 }, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD) {
                m->exiting = true;
                log_info("all units stopped, exiting");
                (void)sd_event_exit(m->event, 0);
        }
}

void manager_start_shutdown(struct manager *m, enum init_action action) {
        if (!m->shutting_down) {
                log_info("shutting down%s%s", m->is_pid1 ? " for " : "", m->is_pid1 ? init_action_to_string(action) : "");
                m->action = action;
        }
        if (!m->shutting_down)
                (void)sd_notify(false, "STOPPING=1\nSTATUS=stopping");
        m->shutting_down = true;
        shutdown_step(m);
}

/* ---- state changes ---- */

static int on_gc(sd_event_source *s, void *userdata) {
        struct manager *m = userdata;
        (void)s;
        for (size_t i = m->n_units; i-- > 0;)
                if (m->units[i]->removed && !unit_is_active(m->units[i])) {
                        log_info("%s: removed", m->units[i]->name);
                        remove_unit_at(m, i);
                }
        return 0;
}

/* Has the unit got as far as it will get on its own for now? READY=1 waits for this. */
static bool unit_settled(struct manager *m, const struct unit *u) {
        if (!u->config)
                return true;
        switch (u->sm.state) {
        case UNIT_STARTING:
                if (u->sm.spawned)
                        return false; /* exec or READY=1 to come */
                /* Waiting for requires: settled if one of them cannot run now. */
                for (char **r = u->config->requires; *r; r++) {
                        const struct unit *d = manager_find_unit(m, *r);
                        if (!d || (d->sm.state != UNIT_RUNNING && unit_settled(m, d)))
                                return true;
                }
                return false;
        case UNIT_INACTIVE:
        case UNIT_RUNNING:
        case UNIT_STOPPING:
        case UNIT_EXITED:
        case UNIT_BACKOFF:
        case UNIT_FAILED:
        case _UNIT_STATE_MAX:
                break;
        }
        return true;
}

/* Tells our manager (systemd, when NOTIFY_SOCKET is set) how things stand. */
void manager_notify_status(struct manager *m) {
        unsigned n[_UNIT_STATE_MAX] = { 0 }, bad = 0;
        bool settled = true;
        for (size_t i = 0; i < m->n_units; i++) {
                struct unit *u = m->units[i];
                if (!u->config)
                        bad++;
                else
                        n[u->sm.state]++;
                if (u->config && u->config->autostart && !unit_settled(m, u))
                        settled = false;
        }
        _cleanup_free_ char *status = NULL;
        char extra[48] = "";
        if (bad)
                snprintf(extra, sizeof extra, " (%u failed to load)", bad);
        if (asprintf(&status, "%u running, %u starting, %u failed, %u exited, %u in backoff%s", n[UNIT_RUNNING],
                     n[UNIT_STARTING] + n[UNIT_STOPPING], n[UNIT_FAILED] + bad, n[UNIT_EXITED] + n[UNIT_INACTIVE],
                     n[UNIT_BACKOFF], extra) < 0)
                return;
        bool send_ready = settled && !m->ready_sent && !m->shutting_down;
        if (!send_ready && m->status_sent && strcmp(m->status_sent, status) == 0)
                return;
        (void)sd_notifyf(false, "%sSTATUS=%s", send_ready ? "READY=1\n" : "", status);
        if (send_ready) {
                m->ready_sent = true;
                log_info("ready: %s", status);
        }
        free(m->status_sent);
        m->status_sent = TAKE_PTR(status);
}

void manager_pause_outputs(struct manager *m, bool pause) {
        for (size_t i = 0; i < m->n_units; i++)
                output_pause(&m->units[i]->output, pause);
}

static void on_sink_drained(void *userdata) {
        manager_pause_outputs(userdata, false);
}

void manager_unit_changed(struct manager *m, struct unit *u) {
        if (u->sm.state == UNIT_RUNNING)
                for (size_t i = 0; i < m->n_units; i++)
                        if (unit_requires(m->units[i], u->name))
                                unit_deps_changed(m->units[i]);

        if (!unit_is_active(u)) {
                if (u->removed)
                        (void)sd_event_source_set_enabled(m->gc_source, SD_EVENT_ONESHOT);
                else if (u->next_config && !m->shutting_down) {
                        struct unit_config *c = u->next_config;
                        u->next_config = NULL;
                        if (unit_replace_config(u, c) < 0) {
                                unit_config_free(c);
                                log_error("%s: cannot apply new config, keeping the old one", u->name);
                        }
                        if (u->config->autostart)
                                (void)unit_start(u);
                }
        }
        if (m->shutting_down)
                shutdown_step(m);
        else
                manager_notify_status(m);
}

/* ---- signals ---- */

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct manager *m = userdata;
        (void)s;
        switch (si->ssi_signo) {
        case SIGCHLD:
                reap_children(m);
                if (m->shutting_down)
                        shutdown_step(m);
                break;
        case SIGTERM:
        case SIGUSR2:
        case SIGPWR:
                manager_start_shutdown(m, INIT_POWEROFF);
                break;
        case SIGINT: /* ctrl-alt-del for PID 1 */
                manager_start_shutdown(m, INIT_REBOOT);
                break;
        case SIGUSR1:
                manager_start_shutdown(m, INIT_HALT);
                break;
        case SIGHUP: {
                _cleanup_strv_free_ char **errors = NULL;
                (void)manager_reload(m, &errors);
                break;
        }
        default:
                break;
        }
        return 0;
}

/* ---- config ---- */

static int add_load_errors(struct manager *m, const struct sup_config *c) {
        for (size_t i = 0; i < c->n_errors; i++) {
                const struct config_error *e = &c->errors[i];
                log_error("%s", e->message);
                if (!e->unit)
                        continue; /* sup.conf: defaults are used */
                struct unit *u = manager_find_unit(m, e->unit);
                if (u && u->load_error) {
                        char *joined = NULL;
                        if (asprintf(&joined, "%s; %s", u->load_error, e->message) >= 0) {
                                free(u->load_error);
                                u->load_error = joined;
                        }
                        continue;
                }
                if (u)
                        continue;
                int r = unit_new_load_error(m, e->unit, e->message, &u);
                if (r < 0 || (r = add_unit(m, u)) < 0) {
                        unit_free(u);
                        return log_error_errno(r, "cannot record load error: %m");
                }
        }
        return 0;
}

int manager_load(struct manager *m) {
        struct sup_config *c = NULL;
        int r = config_load(m->config_dir, &c);
        if (r < 0)
                return log_error_errno(r, "loading config from %s: %m", m->config_dir);
        m->config = c;

        /* From here on supd's own messages go where sup.conf says. */
        r = logsink_new(m->event, c->log_target, NULL, on_sink_drained, m, &m->sink);
        if (r < 0)
                return log_error_errno(r, "cannot set up logging: %m");
        log_set_sink(m->sink);
        log_info("logging to %s", logsink_target_name(m->sink));

        _cleanup_free_ char *sock = NULL;
        if (asprintf(&sock, "%s/control.sock", m->run_dir) < 0)
                return -ENOMEM;
        r = control_open(m, sock, c->control_group, &m->control);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_units; i++) {
                struct unit *u;
                r = unit_new(m, c->units[i], &u);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot set up: %m", c->units[i]->name);
                c->units[i] = NULL;
                r = add_unit(m, u);
                if (r < 0) {
                        unit_free(u);
                        return log_error_errno(ENOMEM, "out of memory");
                }
        }
        r = add_load_errors(m, c);
        if (r < 0)
                return r;
        log_info("loaded %zu unit(s), %zu error(s)", c->n_units, c->n_errors);
        return 0;
}

void manager_start_units(struct manager *m) {
        for (size_t i = 0; i < m->n_units; i++)
                if (m->units[i]->config && m->units[i]->config->autostart)
                        (void)unit_start(m->units[i]);
        manager_notify_status(m); /* READY=1 now if nothing is left to wait for */
}

static char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

int manager_reload(struct manager *m, char ***ret_errors) {
        struct sup_config *c = NULL;
        int r;

        *ret_errors = NULL;
        if (m->shutting_down)
                return -ESHUTDOWN;
        log_info("reloading");
        (void)sd_notify(false, "RELOADING=1\nSTATUS=reloading");
        r = config_load(m->config_dir, &c);
        if (r < 0)
                return log_error_errno(r, "reload: loading config from %s: %m", m->config_dir);
        if (c->n_errors > 0) {
                char **errs = calloc(c->n_errors + 1, sizeof *errs);
                for (size_t i = 0; errs && i < c->n_errors; i++) {
                        log_error("reload: %s", c->errors[i].message);
                        errs[i] = strdup_or_null(c->errors[i].message);
                }
                log_error("reload refused: %zu error(s), keeping the running config", c->n_errors);
                config_free(c);
                *ret_errors = errs;
                (void)sd_notify(false, "READY=1");
                return -EINVAL;
        }

        /* Units that are gone, or failed to load before. */
        for (size_t i = m->n_units; i-- > 0;) {
                struct unit *u = m->units[i];
                bool found = false;
                for (size_t j = 0; j < c->n_units && !found; j++)
                        found = strcmp(c->units[j]->name, u->name) == 0;
                if (found && u->config)
                        continue;
                if (!u->config) {
                        remove_unit_at(m, i);
                        continue;
                }
                u->removed = true;
                log_info("%s: removed from the config", u->name);
                if (unit_is_active(u))
                        (void)unit_stop(u);
                else
                        (void)sd_event_source_set_enabled(m->gc_source, SD_EVENT_ONESHOT);
        }

        size_t first_new = m->n_units;
        for (size_t j = 0; j < c->n_units; j++) {
                struct unit_config *nc = c->units[j];
                struct unit *u = manager_find_unit(m, nc->name);
                if (u && !u->removed) {
                        if (unit_config_equal(u->config, nc))
                                continue; /* unchanged: left alone */
                        c->units[j] = NULL;
                        log_info("%s: config changed", u->name);
                        unit_config_free(u->next_config);
                        u->next_config = nc;
                        if (unit_is_active(u))
                                (void)unit_stop(u); /* applied once it has stopped */
                        else
                                manager_unit_changed(m, u);
                        continue;
                }
                r = unit_new(m, nc, &u);
                if (r < 0) {
                        log_error_errno(r, "%s: cannot set up: %m", nc->name);
                        continue;
                }
                c->units[j] = NULL;
                if (add_unit(m, u) < 0) {
                        unit_free(u);
                        continue;
                }
                log_info("%s: added", u->name);
        }

        /* Keep the new globals. */
        config_free(m->config);
        m->config = c;
        for (size_t i = first_new; i < m->n_units; i++)
                if (m->units[i]->config->autostart)
                        (void)unit_start(m->units[i]);
        log_info("reload done");
        (void)sd_notify(false, "READY=1");
        manager_notify_status(m);
        return 0;
}

/* ---- setup ---- */

static int take_lock(const char *run_dir, int *ret_fd) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/supd.lock", run_dir) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return log_error_errno(errno, "cannot open %s: %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return log_error_errno(EBUSY, "another supd is already running on %s", run_dir);
                return log_error_errno(errno, "cannot lock %s: %m", path);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int manager_new(const char *config_dir, const char *run_dir, struct manager **ret) {
        struct manager *m = calloc(1, sizeof *m);
        sigset_t mask;
        int r;

        if (!m)
                return -ENOMEM;
        m->lock_fd = m->devnull_fd = -1;
        m->is_pid1 = getpid() == 1;
        m->config_dir = strdup(config_dir);
        m->run_dir = strdup(run_dir);
        if (!m->config_dir || !m->run_dir) {
                manager_free(m);
                return -ENOMEM;
        }

        r = mkdir_p(run_dir, 0755);
        if (r < 0) {
                log_error_errno(r, "cannot create run dir %s: %m", run_dir);
                manager_free(m);
                return r;
        }
        r = take_lock(run_dir, &m->lock_fd);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        m->devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (m->devnull_fd < 0) {
                r = log_error_errno(errno, "cannot open /dev/null: %m");
                manager_free(m);
                return r;
        }

        r = security_seccomp_build(&m->seccomp);
        if (r < 0)
                log_warning_errno(r, "cannot build the seccomp profile: %m; containers run unconfined");

        /* A crashed predecessor's container directories (its mounts died with it) and
         * cgroups (whatever still runs in them is killed). */
        container_cleanup_all(run_dir);
        (void)cgroup_root_init(&m->cgroups, run_dir);

        /* Orphans of our apps come to us, not to the real init, so we can reap them and
         * account for them at shutdown. */
        if (!m->is_pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                log_warning_errno(errno, "cannot become a subreaper: %m, ignoring");

        r = sd_event_new(&m->event);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "sd_event_new: %m");
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGUSR2);
        sigaddset(&mask, SIGPWR);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        (void)signal(SIGPIPE, SIG_IGN);
        /* USR1/USR2/PWR mean halt/poweroff only to PID 1 (as for finit and systemd). */
        static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPWR };
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                if (!m->is_pid1 && (sigs[i] == SIGUSR1 || sigs[i] == SIGUSR2 || sigs[i] == SIGPWR))
                        continue;
                r = sd_event_add_signal(m->event, NULL, sigs[i], on_signal, m);
                if (r < 0) {
                        manager_free(m);
                        return log_error_errno(r, "cannot watch signal %d: %m", sigs[i]);
                }
        }
        /* WATCHDOG=1 to systemd at half WatchdogSec, from the loop itself: a stuck
         * loop stops petting it. A no-op without WATCHDOG_USEC. */
        r = sd_event_set_watchdog(m->event, true);
        if (r < 0)
                log_warning_errno(r, "cannot set up the watchdog: %m, ignoring");
        r = sd_event_add_defer(m->event, &m->gc_source, on_gc, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->gc_source, SD_EVENT_OFF);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "cannot set up: %m");
        }

        *ret = m;
        return 0;
}

int manager_run(struct manager *m) {
        log_info("supd running%s, control socket %s/control.sock", m->is_pid1 ? " as PID 1" : "", m->run_dir);
        int r = sd_event_loop(m->event);
        if (r < 0)
                {
                log_error_errno(r, "event loop: %m");
                return 1;
        }
        return r;
}

struct manager *manager_free(struct manager *m) {
        if (!m)
                return NULL;
        m->control = control_free(m->control);
        for (size_t i = 0; i < m->n_units; i++)
                unit_free(m->units[i]);
        free(m->units);
        log_set_sink(NULL);
        m->sink = logsink_free(m->sink);
        m->shutdown_timer = sd_event_source_disable_unref(m->shutdown_timer);
        m->gc_source = sd_event_source_disable_unref(m->gc_source);
        config_free(m->config);
        sd_event_unref(m->event);
        closep(&m->devnull_fd);
        security_seccomp_free(&m->seccomp);
        cgroup_root_done(&m->cgroups);
        if (m->run_dir && m->lock_fd >= 0)
                container_cleanup_all(m->run_dir);
        closep(&m->lock_fd);
        free(m->config_dir);
        free(m->run_dir);
        free(m->status_sent);
        free(m);
        return NULL;
}
