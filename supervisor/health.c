#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "log.h"
#include "manager.h"
#include "spawn.h"
#include "unit.h"

#define OUTPUT_MAX 4096

const char *health_state_to_string(enum health_state s) {
        switch (s) {
        case HEALTH_STARTING:
                return "starting";
        case HEALTH_HEALTHY:
                return "healthy";
        case HEALTH_UNHEALTHY:
                return "unhealthy";
        case HEALTH_NONE:
                break;
        }
        return "none";
}

void health_init(struct health *h) {
        *h = (struct health){ .pidfd = -1, .status_fd = -1, .out_fd = -1 };
}

static void kill_check(struct health *h) {
        if (h->pidfd >= 0)
                (void)syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
}

static void close_check(struct health *h) {
        closep(&h->pidfd);
        closep(&h->status_fd);
        closep(&h->out_fd);
        h->pidfd = h->status_fd = h->out_fd = -1;
        h->pid = 0;
}

void health_done(struct health *h) {
        kill_check(h);
        close_check(h);
        h->timer = sd_event_source_disable_unref(h->timer);
        free(h->output);
        h->output = NULL;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void arm(struct unit *u, uint64_t delay) {
        struct health *h = &u->health;
        if (h->timer) {
                (void)sd_event_source_set_time_relative(h->timer, delay);
                (void)sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
        } else
                (void)sd_event_add_time_relative(u->manager->event, &h->timer, CLOCK_MONOTONIC, delay, USEC_PER_MSEC,
                                                 on_timer, u);
}

static void run_check(struct unit *u) {
        struct health *h = &u->health;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                log_unit(LOG_WARNING, u->name, NULL, 0, "health: pipe: %m");
                arm(u, u->config->health->interval);
                return;
        }
        (void)fcntl(p[0], F_SETFL, O_NONBLOCK);
        int fds[3] = { u->manager->devnull_fd, p[1], p[1] };
        struct spawn_result res;
        _cleanup_free_ char *err = NULL;
        int r = unit_exec(u, u->config->health->exec, fds, &res, &err);
        close(p[1]);
        if (r < 0) {
                close(p[0]);
                log_unit(LOG_WARNING, u->name, NULL, 0, "health: cannot run the check: %s", err ? err : strerror(-r));
                arm(u, u->config->health->interval);
                return;
        }
        h->pid = res.pid;
        h->pidfd = res.pidfd;
        h->status_fd = res.status_fd;
        h->out_fd = p[0];
        h->timed_out = false;
        arm(u, u->config->health->timeout);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct unit *u = userdata;
        struct health *h = &u->health;
        (void)s;
        (void)usec;
        if (h->pid > 0) { /* the check overran its timeout */
                h->timed_out = true;
                kill_check(h);
                return 0; /* its exit carries on */
        }
        if (u->sm.state == UNIT_RUNNING)
                run_check(u);
        return 0;
}

/* The last non-empty line of what the check printed (at most OUTPUT_MAX bytes read). */
static char *last_line(int fd) {
        char buf[OUTPUT_MAX + 1];
        size_t len = 0;
        ssize_t n;
        while (len < OUTPUT_MAX && (n = read(fd, buf + len, OUTPUT_MAX - len)) > 0)
                len += (size_t)n;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        buf[len] = 0;
        char *nl = strrchr(buf, '\n');
        return strdup(nl ? nl + 1 : buf);
}

bool health_child_exited(struct unit *u, const siginfo_t *si) {
        struct health *h = &u->health;
        if (h->pid <= 0 || si->si_pid != h->pid)
                return false;
        struct spawn_failure f;
        bool setup_failed = h->status_fd >= 0 && spawn_read_failure(h->status_fd, &f) == 1;
        free(h->output);
        h->output = h->out_fd >= 0 ? last_line(h->out_fd) : NULL;
        close_check(h);
        if (u->sm.state != UNIT_RUNNING || !u->config || !u->config->health)
                return true; /* the run is ending anyway */

        const struct health_config *hc = u->config->health;
        bool ok = !setup_failed && !h->timed_out && si->si_code == CLD_EXITED && si->si_status == 0;
        if (setup_failed) {
                free(h->output);
                if (asprintf(&h->output, "%s: %s", spawn_step_to_string(f.step), strerror(f.err)) < 0)
                        h->output = NULL;
        } else if (h->timed_out) {
                free(h->output);
                h->output = strdup("timed out");
        }
        if (ok) {
                if (h->state != HEALTH_HEALTHY)
                        log_unit(LOG_INFO, u->name, NULL, 0, "health: healthy");
                h->state = HEALTH_HEALTHY;
                h->failures = 0;
        } else if (h->state == HEALTH_STARTING && manager_now(u->manager) - h->started_at < hc->start_period) {
                /* Still in its start period: failures do not count yet. */
        } else if (++h->failures >= hc->retries) {
                h->state = HEALTH_UNHEALTHY;
                log_unit(LOG_WARNING, u->name, NULL, 0, "health: unhealthy after %u failed check(s): %s", h->failures,
                         h->output ? h->output : "");
                unit_health_failed(u);
                return true;
        } else
                log_unit(LOG_INFO, u->name, NULL, 0, "health: check failed (%u of %u): %s", h->failures, hc->retries,
                         h->output ? h->output : "");
        arm(u, hc->interval);
        return true;
}

void health_start(struct unit *u) {
        struct health *h = &u->health;
        if (!u->config->health)
                return;
        health_done(h);
        health_init(h);
        h->state = HEALTH_STARTING;
        h->started_at = manager_now(u->manager);
        arm(u, u->config->health->interval);
}

void health_stop(struct unit *u) {
        struct health *h = &u->health;
        kill_check(h);
        h->timer = sd_event_source_disable_unref(h->timer);
}
