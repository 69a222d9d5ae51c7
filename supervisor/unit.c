#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "journal.h"
#include "logsink.h"
#include "manager.h"
#include "notify.h"
#include "container.h"
#include "control.h"
#include "security.h"
#include "spawn.h"
#include "values.h"

static void dispatch(struct unit *u, enum unit_event ev, struct unit_event_data *d);

static usec_t realtime_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

static void set_message(struct unit *u, char *msg) {
        free(u->message);
        u->message = msg;
}

/* Per-unit log_rate, as a token bucket holding at most one second's worth. */
static bool log_rate_ok(struct unit *u, usec_t now) {
        unsigned rate = u->config->log_rate;
        if (rate == 0)
                return true;
        if (u->log_refill == 0)
                u->log_tokens = rate;
        else if (now > u->log_refill)
                u->log_tokens += (double)(now - u->log_refill) * rate / USEC_PER_SEC;
        if (u->log_tokens > rate)
                u->log_tokens = rate;
        u->log_refill = now;
        if (u->log_tokens < 1)
                return false;
        u->log_tokens -= 1;
        return true;
}

static void report_drops(struct unit *u, usec_t now, bool force) {
        if (!u->log_dropped_unreported || (!force && now - u->log_reported < USEC_PER_SEC))
                return;
        u->log_report_timer = sd_event_source_disable_unref(u->log_report_timer);
        log_unit(LOG_WARNING, u->name, NULL, 0, "%llu line(s) dropped over log_rate (%u/s); %llu in total",
                    (unsigned long long)u->log_dropped_unreported, u->config->log_rate,
                    (unsigned long long)u->log_dropped);
        u->log_dropped_unreported = 0;
        u->log_reported = now;
}

static int on_log_report(sd_event_source *s, uint64_t usec, void *userdata) {
        struct unit *u = userdata;
        (void)s;
        (void)usec;
        report_drops(u, manager_now(u->manager), true);
        return 0;
}

static void on_output_line(void *userdata, int stream, const char *line, size_t len) {
        struct unit *u = userdata;
        struct manager *m = u->manager;
        usec_t now = manager_now(m);
        if (!log_rate_ok(u, now)) {
                u->log_dropped++;
                if (u->log_dropped_unreported++ == 0) {
                        /* One summary a second at most, even if no further line comes. */
                        u->log_report_timer = sd_event_source_disable_unref(u->log_report_timer);
                        (void)sd_event_add_time_relative(m->event, &u->log_report_timer, CLOCK_MONOTONIC, USEC_PER_SEC,
                                                         USEC_PER_MSEC * 10, on_log_report, u);
                }
                return;
        }
        report_drops(u, now, false);
        usec_t ts = realtime_now();
        (void)logring_push(&u->ring, ts, stream, line, len);
        control_follow_line(m->control, u->name, ts, stream, line, len);
        if (m->sink)
                logsink_container_line(m->sink, u->name, u->pid > 0 ? u->pid : u->last_pid, stream, line, len);
        else
                fprintf(stderr, "%s: %.*s\n", u->name, (int)len, line);
        if (logsink_congested(m->sink))
                manager_pause_outputs(m, true);
}

/* A unit with nothing open yet: every fd -1, so unit_free() works at any point. */
static struct unit *unit_alloc(struct manager *m, const char *name) {
        struct unit *u = calloc(1, sizeof *u);
        if (!u)
                return NULL;
        u->manager = m;
        u->pidfd = u->status_fd = -1;
        u->output.read_fd[0] = u->output.read_fd[1] = -1;
        u->output.write_fd[0] = u->output.write_fd[1] = -1;
        u->cg.v2_fd = -1;
        u->notify_fd = -1;
        health_init(&u->health);
        u->since = realtime_now();
        u->sm = (struct unit_sm){ .state = UNIT_INACTIVE, .result = RESULT_NONE, .exit_status = -1 };
        u->name = strdup(name);
        if (!u->name) {
                free(u);
                return NULL;
        }
        return u;
}

int unit_new(struct manager *m, struct unit_config *c, struct unit **ret) {
        struct unit *u = unit_alloc(m, c->name);
        int r;
        if (!u)
                return -ENOMEM;
        r = unit_sm_init(&u->sm, c);
        if (r >= 0)
                r = logring_init(&u->ring, c->log_buffer);
        if (r >= 0)
                r = output_open(&u->output, m->event, u->name, on_output_line, u);
        if (r < 0) {
                unit_sm_done(&u->sm);
                unit_free(u); /* without c: the caller keeps it on failure */
                return r;
        }
        u->config = c;
        *ret = u;
        return 0;
}

int unit_new_load_error(struct manager *m, const char *name, const char *message, struct unit **ret) {
        struct unit *u = unit_alloc(m, name);
        if (!u)
                return -ENOMEM;
        u->sm.state = UNIT_FAILED;
        u->load_error = strdup(message);
        if (!u->load_error) {
                unit_free(u);
                return -ENOMEM;
        }
        *ret = u;
        return 0;
}

static void drop_plan(struct unit *u) {
        if (u->plan) {
                container_plan_done(u->plan);
                free(u->plan);
                u->plan = NULL;
        }
}

static void close_notify(struct unit *u) {
        u->notify_source = sd_event_source_disable_unref(u->notify_source);
        closep(&u->notify_fd);
        u->notify_fd = -1;
        u->watchdog_timer = sd_event_source_disable_unref(u->watchdog_timer);
}

static void close_process(struct unit *u) {
        drop_plan(u);
        close_notify(u);
        u->status_source = sd_event_source_disable_unref(u->status_source);
        closep(&u->status_fd);
        closep(&u->pidfd);
        u->status_fd = u->pidfd = -1;
        u->pid = 0;
}

static void cgroup_release(struct unit *u, int tries) {
        u->oom_source = sd_event_source_disable_unref(u->oom_source);
        if (u->cg.mode == CGROUP_NONE)
                return;
        (void)cgroup_unit_kill(&u->cg);
        if (cgroup_unit_remove(&u->cg, tries) == -EBUSY) {
                u->cg_pending = true; /* retried after the next reaping */
                return;
        }
        u->cg_pending = false;
        cgroup_unit_done(&u->cg);
}

void unit_cgroup_gc(struct unit *u) {
        if (u->pid <= 0)
                cgroup_release(u, 0);
}

struct unit *unit_free(struct unit *u) {
        if (!u)
                return NULL;
        if (u->pid > 0) /* only on supd's own exit paths: never leave an app behind */
                (void)kill(-u->pid, SIGKILL);
        /* Everything in the unit's cgroup goes, then the group (bounded wait). */
        cgroup_release(u, 50);
        if (u->cg_pending)
                log_unit(LOG_WARNING, u->name, NULL, 0, "cgroup still busy, left behind");
        cgroup_unit_done(&u->cg);
        close_process(u);
        u->timer = sd_event_source_disable_unref(u->timer);
        output_close(&u->output);
        logring_done(&u->ring);
        u->log_report_timer = sd_event_source_disable_unref(u->log_report_timer);
        if (u->config)
                unit_sm_done(&u->sm);
        unit_config_free(u->config);
        unit_config_free(u->next_config);
        free(u->name);
        free(u->load_error);
        free(u->message);
        free(u->status_text);
        health_done(&u->health);
        free(u);
        return NULL;
}

bool unit_requires(const struct unit *u, const char *name) {
        if (!u->config)
                return false;
        for (char **r = u->config->requires; *r; r++)
                if (strcmp(*r, name) == 0)
                        return true;
        return false;
}

bool unit_deps_ready(const struct unit *u) {
        if (u->manager->shutting_down)
                return false;
        for (char **r = u->config->requires; *r; r++) {
                struct unit *d = manager_find_unit(u->manager, *r);
                if (!d || d->sm.state != UNIT_RUNNING)
                        return false;
        }
        return true;
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata) {
        struct unit *u = userdata;
        (void)s;
        (void)usec;
        log_unit(LOG_WARNING, u->name, NULL, 0, "watchdog: no WATCHDOG=1 within the watchdog time, ending it");
        dispatch(u, EV_WATCHDOG, NULL);
        return 0;
}

/* watchdog = T: WATCHDOG=1 must come within T, from exec on. */
static void arm_watchdog(struct unit *u) {
        usec_t t = u->config->watchdog;
        if (!t || u->pid <= 0)
                return;
        if (u->watchdog_timer) {
                (void)sd_event_source_set_time_relative(u->watchdog_timer, t);
                (void)sd_event_source_set_enabled(u->watchdog_timer, SD_EVENT_ONESHOT);
        } else
                (void)sd_event_add_time_relative(u->manager->event, &u->watchdog_timer, CLOCK_MONOTONIC, t,
                                                 USEC_PER_MSEC, on_watchdog, u);
}

/* An exited process not reaped yet: its /proc entry stays, but its cgroup and
 * namespaces read as the root ones. Its NSpid chain still tells whether it lived in a
 * PID namespace below ours (a container: an outside process of this host has one pid).
 * Returns 1 for such a zombie, 0 for an outside zombie, -1 when pid is no zombie. */
static int zombie_in_child_pidns(pid_t pid) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t len = 0;
        bool zombie = false;
        int levels = 0;
        while (f && getline(&line, &len, f) >= 0) {
                if (strncmp(line, "State:", 6) == 0)
                        zombie = strchr(line, 'Z') != NULL;
                else if (strncmp(line, "NSpid:", 6) == 0)
                        for (char *t = strtok(line + 6, " \t\n"); t; t = strtok(NULL, " \t\n"))
                                levels++;
        }
        if (!zombie)
                return -1;
        return levels >= 2;
}

/* Is the sender one of the container's processes? The kernel's answer first: the
 * cgroup2 group id behind the sender's pidfd, which it keeps for a sender that has
 * exited and been reaped (systemd-notify exits right after sending). Kernels without
 * that (before 6.15) or hosts without a cgroup2 hierarchy fall back to /proc: the
 * cgroup, a zombie's PID namespace chain, or without cgroups the PID namespace; a
 * sender gone from /proc is then believed, since the socket exists only in the
 * container's own /run. */
static bool sender_in_unit(struct unit *u, const struct notify_sender *sender) {
        char path[64];
        pid_t pid = sender->pid;
        uint64_t id;
        if (pid <= 0)
                return false;
        bool kernel_knows = u->cg.id && notify_sender_cgroup(sender, &id) >= 0;
        if (kernel_knows) {
                if (id == u->cg.id)
                        return true;
                /* Another group. Only a live sender can be in a group below the unit's,
                 * which /proc shows; one that is gone was simply elsewhere. */
                if (syscall(SYS_pidfd_send_signal, sender->pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
                        return false;
        }
        int z = zombie_in_child_pidns(pid);
        if (z >= 0)
                return z; /* exited already: its cgroup reads as / now */
        if (u->cg.mode != CGROUP_NONE) {
                _cleanup_free_ char *text = NULL, *needle = NULL;
                snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
                _cleanup_fclose_ FILE *f = fopen(path, "re");
                if (!f)
                        return !kernel_knows;
                size_t len = 0;
                if (getdelim(&text, &len, 0, f) < 0 ||
                    asprintf(&needle, "/%s/%s", u->manager->cgroups.base_name, u->name) < 0)
                        return false;
                for (char *p = text; (p = strstr(p, needle)); p++) {
                        char end = p[strlen(needle)];
                        if (end == '\n' || end == '/' || end == 0)
                                return true;
                }
                return false;
        }
        struct stat a, b;
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
        if (stat(path, &a) < 0)
                return !kernel_knows;
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)u->pid);
        return stat(path, &b) >= 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Reads every waiting message: called on EPOLLIN and before an exit is handled, so a
 * fast-exiting app's last STATUS= still counts. */
static void read_notify(struct unit *u) {
        char buf[NOTIFY_MAX + 1];
        for (int i = 0; i < 64 && u->notify_fd >= 0; i++) {
                struct notify_sender sender;
                ssize_t n = notify_recv(u->notify_fd, buf, &sender);
                _cleanup_close_ int pidfd = sender.pidfd;
                if (n == 0)
                        return;
                if (n == -EMSGSIZE) {
                        log_unit(LOG_WARNING, u->name, NULL, 0, "notify: message over %d bytes dropped", NOTIFY_MAX);
                        continue;
                }
                if (n < 0)
                        return;
                if (!sender_in_unit(u, &sender)) {
                        log_unit(LOG_WARNING, u->name, NULL, 0, "notify: message from pid %d, not of this container, ignored",
                                 (int)sender.pid);
                        continue;
                }
                struct notify_msg msg;
                if (notify_parse(buf, (size_t)n, &msg) < 0)
                        continue;
                if (msg.status) {
                        free(u->status_text);
                        u->status_text = strdup(msg.status);
                }
                if (msg.watchdog)
                        arm_watchdog(u);
                if (msg.ready && !u->sm.ready)
                        log_unit(LOG_INFO, u->name, NULL, 0, "ready");
                if (msg.ready)
                        dispatch(u, EV_READY, NULL);
                if (msg.watchdog_trigger) {
                        log_unit(LOG_WARNING, u->name, NULL, 0, "watchdog: WATCHDOG=trigger, ending it");
                        dispatch(u, EV_WATCHDOG, NULL);
                }
        }
}

static int on_notify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        (void)s;
        (void)fd;
        (void)revents;
        read_notify(userdata);
        return 0;
}

static int on_status(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct unit *u = userdata;
        struct spawn_failure f;
        (void)s;
        (void)fd;
        (void)revents;

        int r = spawn_read_failure(u->status_fd, &f);
        if (r == -EAGAIN)
                return 0;
        u->status_source = sd_event_source_disable_unref(u->status_source);
        closep(&u->status_fd);
        u->status_fd = -1;
        if (r == 0) {
                drop_plan(u);
                arm_watchdog(u);
                dispatch(u, EV_EXEC_OK, NULL);
                return 0;
        }
        if (r < 0)
                f = (struct spawn_failure){ .step = SPAWN_STEP_NONE, .err = -r };
        u->spawn_failed = true;
        char *msg = NULL;
        _cleanup_free_ char *what = u->plan ? container_describe_op(u->plan, f.index) : NULL;
        if (what)
                r = asprintf(&msg, "%s: %s", what, strerror(f.err));
        else if (f.step == SPAWN_STEP_EXEC)
                r = asprintf(&msg, "exec %s: %s", u->config->exec[0], strerror(f.err));
        else if (f.step == SPAWN_STEP_CHDIR)
                r = asprintf(&msg, "chdir %s: %s", u->config->workdir ? u->config->workdir : "/", strerror(f.err));
        else
                r = asprintf(&msg, "%s: %s", spawn_step_to_string(f.step), strerror(f.err));
        set_message(u, r < 0 ? NULL : msg);
        drop_plan(u);
        log_unit(LOG_ERR, u->name, NULL, 0, "%s", u->message ? u->message : "spawn failed");
        /* The exit follows and carries the spawn-error result. */
        return 0;
}

/* Logs OOM kills as they happen; the run's result is decided at its exit. */
static void check_oom(struct unit *u) {
        uint64_t n;
        if (cgroup_unit_oom_kills(&u->cg, &n) < 0 || n <= u->oom_seen)
                return;
        log_unit(LOG_WARNING, u->name, NULL, 0, "the OOM killer killed %llu process(es) (memory_max %llu bytes)",
                    (unsigned long long)(n - u->oom_seen), (unsigned long long)u->config->memory_max);
        u->oom_seen = n;
}

static int on_oom_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
        (void)s;
        (void)ev;
        check_oom(userdata);
        return 0;
}

static int on_oom_eventfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        uint64_t v;
        (void)s;
        (void)revents;
        (void)!read(fd, &v, sizeof v);
        check_oom(userdata);
        return 0;
}

static void watch_oom(struct unit *u) {
        char path[4096];
        int r = 0;
        u->oom_source = sd_event_source_disable_unref(u->oom_source);
        if (u->cg.mode == CGROUP_V2 && cgroup_unit_oom_file(&u->cg, path, sizeof path))
                r = sd_event_add_inotify(u->manager->event, &u->oom_source, path, IN_MODIFY, on_oom_inotify, u);
        else if (u->cg.mode == CGROUP_V1) {
                int efd = cgroup_unit_oom_eventfd(&u->cg);
                if (efd < 0)
                        r = efd;
                else if ((r = sd_event_add_io(u->manager->event, &u->oom_source, efd, EPOLLIN, on_oom_eventfd, u)) >= 0)
                        (void)sd_event_source_set_io_fd_own(u->oom_source, true);
                else
                        close(efd);
        }
        if (r < 0)
                log_debug("%s: cannot watch for OOM kills: %s", u->name, strerror(-r));
}

static int add_notify_env(struct spawn_plan *plan, const struct unit_config *c) {
        size_t n = 0;
        while (plan->envp[n])
                n++;
        char **v = reallocarray(plan->envp, n + 3, sizeof *v);
        if (!v)
                return -ENOMEM;
        plan->envp = v;
        if (!(v[n++] = strdup("NOTIFY_SOCKET=" NOTIFY_PATH_IN_CONTAINER)))
                return -ENOMEM;
        v[n] = NULL;
        if (c->watchdog) {
                if (asprintf(&v[n], "WATCHDOG_USEC=%llu", (unsigned long long)c->watchdog) < 0) {
                        v[n] = NULL;
                        return -ENOMEM;
                }
                n++;
        }
        v[n] = NULL;
        return 0;
}

static int security_for(struct unit *u, uid_t uid, struct security_plan *ret) {
        const struct unit_config *c = u->config;
        struct manager *m = u->manager;
        return security_plan_build(ret, c->capabilities, uid == 0, c->no_new_privileges,
                                   c->seccomp && m->seccomp.filter ? &m->seccomp : NULL);
}

static int do_spawn(struct unit *u) {
        struct manager *m = u->manager;
        const struct unit_config *c = u->config;
        struct spawn_plan plan;
        struct security_plan sec;
        struct spawn_result res;
        char *err = NULL;
        int r;

        u->spawn_failed = false;
        drop_plan(u);
        u->plan = calloc(1, sizeof *u->plan);
        if (!u->plan)
                return log_error_errno(ENOMEM, "%s: out of memory", u->name);
        /* A group left from the last run (its processes were still dying) goes first. */
        if (u->cg_pending)
                cgroup_release(u, 50);
        cgroup_unit_done(&u->cg);
        r = cgroup_unit_create(&m->cgroups, u->name, c, &u->cg, &err);
        if (r >= 0)
                r = container_plan_build(u->plan, c, m->run_dir, m->config->state_dir, &err);
        if (r >= 0)
                r = spawn_plan_build(&plan, c, container_passwd_root(c), &err);
        if (r < 0)
                goto fail;
        /* Made before clone and bound by the child before exec: a message from an app
         * that exits at once is not lost. */
        close_notify(u);
        u->notify_fd = notify_socket_new();
        if (u->notify_fd < 0) {
                r = u->notify_fd;
                spawn_plan_done(&plan);
                if (asprintf(&err, "notify socket: %s", strerror(-r)) < 0)
                        err = NULL;
                goto fail;
        }
        u->plan->notify_fd = u->notify_fd;
        (void)sd_event_add_io(m->event, &u->notify_source, u->notify_fd, EPOLLIN, on_notify, u);
        free(u->status_text);
        u->status_text = NULL;
        r = add_notify_env(&plan, c);
        if (r < 0) {
                spawn_plan_done(&plan);
                goto fail;
        }
        r = security_for(u, plan.uid, &sec);
        if (r < 0) {
                spawn_plan_done(&plan);
                if (asprintf(&err, "capabilities: not supported by this kernel") < 0)
                        err = NULL;
                goto fail;
        }
        plan.container = u->plan;
        plan.security = &sec;
        plan.init = c->init;
        plan.cgroup = &u->cg;
        plan.stdin_fd = m->devnull_fd;
        plan.stdout_fd = u->output.write_fd[OUTPUT_STDOUT];
        plan.stderr_fd = u->output.write_fd[OUTPUT_STDERR];
        r = spawn_process(&plan, &res);
        spawn_plan_done(&plan);
        if (r < 0) {
                if (asprintf(&err, "clone: %s", strerror(-r)) < 0)
                        err = NULL;
                goto fail;
        }
        u->pid = res.pid;
        u->pidfd = res.pidfd;
        u->status_fd = res.status_fd;
        r = sd_event_add_io(m->event, &u->status_source, u->status_fd, EPOLLIN, on_status, u);
        if (r < 0)
                log_warning_errno(r, "%s: cannot watch spawn status: %m, ignoring", u->name);
        set_message(u, NULL);
        u->oom_seen = u->cg.oom_kills;
        watch_oom(u);
        log_unit(LOG_INFO, u->name, NULL, 0, "started, pid %d", (int)u->pid);
        return 0;

fail:
        if (!err && asprintf(&err, "preparing: %s", strerror(-r)) < 0)
                err = NULL;
        set_message(u, err);
        drop_plan(u);
        container_cleanup(m->run_dir, u->name);
        cgroup_release(u, 0);
        return log_error_errno(r, "%s: %s", u->name, err ? err : "spawn failed");
}

static int send_signal(struct unit *u, int sig) {
        if (u->pidfd >= 0 && syscall(SYS_pidfd_send_signal, u->pidfd, sig, NULL, 0) >= 0)
                return 0;
        return -errno;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct unit *u = userdata;
        (void)s;
        (void)usec;
        if (u->sm.state == UNIT_STOPPING) {
                dispatch(u, EV_STOP_TIMEOUT, NULL);
        } else if (u->sm.state == UNIT_STARTING && u->sm.spawned) {
                log_unit(LOG_WARNING, u->name, NULL, 0, "no READY=1 within start_timeout, ending it");
                dispatch(u, EV_START_TIMEOUT, NULL);
        } else {
                struct unit_event_data d = { .deps_ready = unit_deps_ready(u) };
                dispatch(u, EV_TIMER, &d);
        }
        return 0;
}

static void arm_timer(struct unit *u, usec_t delay) {
        usec_t when = manager_now(u->manager) + delay;
        int r;
        if (u->timer) {
                r = sd_event_source_set_time(u->timer, when);
                if (r >= 0)
                        r = sd_event_source_set_enabled(u->timer, SD_EVENT_ONESHOT);
        } else
                /* 1ms accuracy: sd-event's default slack (250ms) would stretch a 100ms backoff. */
                r = sd_event_add_time(u->manager->event, &u->timer, CLOCK_MONOTONIC, when, USEC_PER_MSEC, on_timer, u);
        if (r < 0)
                log_error_errno(r, "%s: cannot arm timer: %m", u->name);
}

/* RESULT=, EXIT_CODE= and EXIT_STATUS= as systemd writes them for a unit's end. */
static size_t result_fields(struct unit *u, struct journal_field f[3], char status[16]) {
        const char *r = unit_result_to_string(u->sm.result);
        size_t n = 0;
        f[n++] = (struct journal_field){ "RESULT", r, strlen(r) };
        if (u->sm.exit_status >= 0) {
                bool sig = u->last_code != CLD_EXITED;
                const char *code = u->last_code == CLD_DUMPED ? "dumped" : sig ? "killed" : "exited";
                if (sig && signal_to_string(u->sm.exit_status - 128))
                        snprintf(status, 16, "%s", signal_to_string(u->sm.exit_status - 128));
                else
                        snprintf(status, 16, "%d", u->sm.exit_status);
                f[n++] = (struct journal_field){ "EXIT_CODE", code, strlen(code) };
                f[n++] = (struct journal_field){ "EXIT_STATUS", status, strlen(status) };
        }
        return n;
}

static void log_state(struct unit *u) {
        char buf[64], status[16];
        struct journal_field f[3];
        size_t nf = result_fields(u, f, status);
        switch (u->sm.state) {
        case UNIT_BACKOFF: {
                usec_t next = 0;
                if (u->timer)
                        (void)sd_event_source_get_time(u->timer, &next);
                usec_t now = manager_now(u->manager);
                log_unit(LOG_INFO, u->name, f, nf, "%s (%s, status %d), restarting in %s", unit_state_to_string(u->sm.state),
                         unit_result_to_string(u->sm.result), u->sm.exit_status,
                         format_duration(buf, sizeof buf, next > now ? next - now : 0));
                break;
        }
        case UNIT_EXITED:
        case UNIT_FAILED:
                log_unit(u->sm.state == UNIT_FAILED ? LOG_ERR : LOG_INFO, u->name, f, nf, "%s (%s, status %d)%s",
                         unit_state_to_string(u->sm.state),
                         unit_result_to_string(u->sm.result), u->sm.exit_status,
                         u->sm.state == UNIT_FAILED ? ": start limit hit, not restarting" : "");
                break;
        case UNIT_STARTING:
                if (!u->sm.spawned) {
                        log_unit(LOG_INFO, u->name, NULL, 0, "waiting for its requires");
                        break;
                }
                __attribute__((fallthrough));
        case UNIT_INACTIVE:
        case UNIT_RUNNING:
        case UNIT_STOPPING:
        case _UNIT_STATE_MAX:
                log_unit(LOG_DEBUG, u->name, NULL, 0, "%s", unit_state_to_string(u->sm.state));
                break;
        }
}

static void dispatch(struct unit *u, enum unit_event ev, struct unit_event_data *d) {
        struct unit_event_data none = { .deps_ready = false };
        struct unit_step st = unit_sm_event(&u->sm, ev, d ? d : &none, manager_now(u->manager));

        if (st.actions & ACT_DISARM_TIMER && u->timer)
                (void)sd_event_source_set_enabled(u->timer, SD_EVENT_OFF);
        if (st.actions & ACT_ARM_TIMER)
                arm_timer(u, st.timer);
        if (st.actions & ACT_SEND_STOP) {
                int sig = u->config->stop_signal;
                log_unit(LOG_INFO, u->name, NULL, 0, "stopping (SIG%s)", signal_to_string(sig) ? signal_to_string(sig) : "?");
                /* A stopped process cannot act on the signal: wake it as well. */
                if (send_signal(u, sig) < 0 || send_signal(u, SIGCONT) < 0)
                        log_debug("%s: signal: %m", u->name);
        }
        if (st.actions & ACT_KILL) {
                log_unit(LOG_WARNING, u->name, NULL, 0, "did not stop within its stop_timeout, killing");
                /* Everything in the unit's cgroup, so double-forked daemons go too. */
                if (cgroup_unit_kill(&u->cg) < 0 && u->pid > 0)
                        (void)kill(-u->pid, SIGKILL);
                (void)send_signal(u, SIGKILL);
        }
        if (st.actions & ACT_STATE_CHANGED)
                u->since = realtime_now();

        if (st.actions & ACT_SPAWN) {
                if (do_spawn(u) < 0) {
                        /* No process came to be: that run ended in a spawn error. */
                        struct unit_event_data x = { .code = CLD_EXITED, .status = 125, .spawn_failed = true,
                                                     .deps_ready = false };
                        if (st.actions & ACT_STATE_CHANGED)
                                log_state(u);
                        dispatch(u, EV_EXITED, &x);
                        return;
                }
        }
        if (st.actions & ACT_STATE_CHANGED) {
                if (u->sm.state == UNIT_RUNNING)
                        health_start(u);
                else
                        health_stop(u);
                log_state(u);
                manager_unit_changed(u->manager, u);
        }
}

void unit_health_failed(struct unit *u) {
        dispatch(u, EV_UNHEALTHY, NULL);
}

int unit_start(struct unit *u) {
        if (!u->config)
                return -ENOEXEC;
        struct unit_event_data d = { .deps_ready = unit_deps_ready(u) };
        dispatch(u, EV_START, &d);
        return 0;
}

int unit_stop(struct unit *u) {
        if (!u->config)
                return -ENOEXEC;
        dispatch(u, EV_STOP, NULL);
        return 0;
}

int unit_restart(struct unit *u) {
        if (!u->config)
                return -ENOEXEC;
        struct unit_event_data d = { .deps_ready = unit_deps_ready(u) };
        dispatch(u, EV_RESTART, &d);
        return 0;
}

void unit_deps_changed(struct unit *u) {
        if (!u->config || u->sm.state != UNIT_STARTING || u->sm.spawned || !unit_deps_ready(u))
                return;
        dispatch(u, EV_DEPS_READY, NULL);
}

void unit_on_exit(struct unit *u, const siginfo_t *si) {
        /* Read the child's report before its exit, so a setup failure is never lost, and
         * what it told us last (its final STATUS=). */
        if (u->status_fd >= 0)
                (void)on_status(NULL, u->status_fd, 0, u);
        read_notify(u);
        pid_t pid = u->pid;
        u->last_pid = pid;
        close_process(u);
        /* The mounts died with the container's mount namespace; its run-dir entries go now. */
        container_cleanup(u->manager->run_dir, u->name);
        /* Did the OOM killer end this run? Counted before the group goes. */
        uint64_t oom = 0;
        bool oom_killed = cgroup_unit_oom_kills(&u->cg, &oom) >= 0 && oom > u->cg.oom_kills;
        if (oom_killed)
                check_oom(u);
        /* Whatever the app left in its cgroup (or process group) goes with it. */
        if (u->cg.mode == CGROUP_NONE)
                (void)kill(-pid, SIGKILL);
        cgroup_release(u, 0);
        output_drain(&u->output);
        report_drops(u, manager_now(u->manager), true);

        u->last_code = si->si_code;
        struct unit_event_data d = {
                .code = si->si_code,
                .status = si->si_status,
                .spawn_failed = u->spawn_failed,
                .oom_killed = oom_killed,
                .deps_ready = unit_deps_ready(u),
        };
        if (si->si_code == CLD_EXITED)
                log_unit(u->sm.stop_requested || si->si_status == 0 ? LOG_INFO : LOG_WARNING, u->name, NULL, 0, "process %d exited with status %d", (int)pid, si->si_status);
        else
                log_unit(u->sm.stop_requested ? LOG_INFO : LOG_WARNING, u->name, NULL, 0, "process %d killed by SIG%s", (int)pid, signal_to_string(si->si_status) ? signal_to_string(si->si_status) : "?");
        dispatch(u, EV_EXITED, &d);
}

int unit_replace_config(struct unit *u, struct unit_config *c) {
        struct unit_sm sm;
        int r = unit_sm_init(&sm, c);
        if (r < 0)
                return r;
        unit_sm_done(&u->sm);
        sm.state = u->sm.state;
        sm.result = u->sm.result;
        sm.exit_status = u->sm.exit_status;
        sm.restarts = u->sm.restarts;
        u->sm = sm;
        unit_config_free(u->config);
        u->config = c;
        return 0;
}

int unit_exec(struct unit *u, char **argv, const int fds[3], struct spawn_result *ret, char **ret_error) {
        struct spawn_plan plan;
        struct security_plan sec;
        int r;

        *ret_error = NULL;
        if (!u->config || u->pid <= 0 || u->pidfd < 0 || u->sm.state != UNIT_RUNNING)
                return asprintf(ret_error, "unit '%s' is not running", u->name) < 0 ? -ENOMEM : -ESRCH;
        /* The unit's own env, user and workdir, with the command in place of exec. */
        struct unit_config c = *u->config;
        c.exec = argv;
        r = spawn_plan_build(&plan, &c, container_passwd_root(u->config), ret_error);
        if (r < 0)
                return r;
        r = security_for(u, plan.uid, &sec);
        if (r < 0) {
                spawn_plan_done(&plan);
                return r;
        }
        plan.security = &sec;
        plan.join_pidfd = u->pidfd;
        plan.cgroup = &u->cg;
        plan.join_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
                          (c.network == NETWORK_NONE ? CLONE_NEWNET : 0) | (c.userns ? CLONE_NEWUSER : 0);
        plan.stdin_fd = fds[0];
        plan.stdout_fd = fds[1];
        plan.stderr_fd = fds[2];
        r = spawn_process(&plan, ret);
        spawn_plan_done(&plan);
        if (r < 0 && asprintf(ret_error, "clone: %s", strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}
