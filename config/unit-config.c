/* unit-config: defaults, free and equal of struct unit_config. */
#include "unit-config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config-util.h"

struct unit_config *unit_config_new(void) {
        _cleanup_(unit_config_freep) struct unit_config *uc = calloc(1, sizeof(*uc));

        if (!uc)
                return NULL;
        uc->autostart = true;
        uc->restart = RESTART_ON_FAILURE;
        uc->restart_delay = 100 * USEC_PER_MSEC;
        uc->restart_delay_max = 30 * USEC_PER_SEC;
        uc->restart_reset = 60 * USEC_PER_SEC;
        uc->start_limit = 0;
        uc->start_limit_interval = 60 * USEC_PER_SEC;
        uc->stop_signal = SIGTERM;
        uc->stop_timeout = 10 * USEC_PER_SEC;
        uc->writable = WRITABLE_TMPFS;
        uc->network = NETWORK_NONE;
        uc->seccomp = true;
        uc->no_new_privileges = true;
        uc->memory_max = CONFIG_LIMIT_UNSET;
        uc->memory_high = CONFIG_LIMIT_UNSET;
        uc->memory_swap_max = CONFIG_LIMIT_UNSET;
        uc->cpu_max_permille = CONFIG_LIMIT_UNSET;
        uc->pids_max = CONFIG_LIMIT_UNSET;
        uc->notify = false;
        uc->start_timeout = 30 * USEC_PER_SEC;
        uc->watchdog = 0;
        uc->health = NULL;
        uc->log_buffer = 64 * 1024;
        uc->log_rate = 10000;
        uc->description = strdup("");
        uc->env = calloc(1, sizeof(char *));
        uc->requires = calloc(1, sizeof(char *));
        uc->success_exit_status = calloc(1, sizeof(int));
        uc->layers = calloc(1, sizeof(char *));
        if (!uc->description || !uc->env || !uc->requires || !uc->success_exit_status || !uc->layers)
                return NULL;
        uc->n_success_exit_status = 1;
        return TAKE_PTR(uc);
}

struct unit_config *unit_config_free(struct unit_config *uc) {
        if (!uc)
                return NULL;
        free(uc->name);
        free(uc->file);
        free(uc->description);
        strv_free(uc->exec);
        free(uc->workdir);
        strv_free(uc->env);
        free(uc->user);
        strv_free(uc->requires);
        free(uc->success_exit_status);
        strv_free(uc->layers);
        for (size_t i = 0; i < uc->n_volumes; i++) {
                free(uc->volumes[i].path);
                free(uc->volumes[i].source);
        }
        free(uc->volumes);
        for (size_t i = 0; i < uc->n_tmpfs; i++)
                free(uc->tmpfs[i].path);
        free(uc->tmpfs);
        free(uc->hostname);
        if (uc->health) {
                strv_free(uc->health->exec);
                free(uc->health);
        }
        free(uc);
        return NULL;
}

static bool volumes_equal(const struct unit_config *a, const struct unit_config *b) {
        if (a->n_volumes != b->n_volumes)
                return false;
        for (size_t i = 0; i < a->n_volumes; i++)
                if (!streq_ptr(a->volumes[i].path, b->volumes[i].path) ||
                    !streq_ptr(a->volumes[i].source, b->volumes[i].source) ||
                    a->volumes[i].readonly != b->volumes[i].readonly)
                        return false;
        return true;
}

static bool tmpfs_equal(const struct unit_config *a, const struct unit_config *b) {
        if (a->n_tmpfs != b->n_tmpfs)
                return false;
        for (size_t i = 0; i < a->n_tmpfs; i++)
                if (!streq_ptr(a->tmpfs[i].path, b->tmpfs[i].path) || a->tmpfs[i].size != b->tmpfs[i].size)
                        return false;
        return true;
}

static bool health_equal(const struct health_config *a, const struct health_config *b) {
        if (!a || !b)
                return a == b;
        return strv_equal(a->exec, b->exec) &&
               a->interval == b->interval &&
               a->timeout == b->timeout &&
               a->retries == b->retries &&
               a->start_period == b->start_period;
}

bool unit_config_equal(const struct unit_config *a, const struct unit_config *b) {
        if (a == b)
                return true;
        if (!a || !b)
                return false;
        return streq_ptr(a->name, b->name) &&
               streq_ptr(a->description, b->description) &&
               strv_equal(a->exec, b->exec) &&
               streq_ptr(a->workdir, b->workdir) &&
               strv_equal(a->env, b->env) &&
               streq_ptr(a->user, b->user) &&
               a->autostart == b->autostart &&
               strv_equal(a->requires, b->requires) &&
               a->restart == b->restart &&
               a->restart_delay == b->restart_delay &&
               a->restart_delay_max == b->restart_delay_max &&
               a->restart_reset == b->restart_reset &&
               a->start_limit == b->start_limit &&
               a->start_limit_interval == b->start_limit_interval &&
               a->n_success_exit_status == b->n_success_exit_status &&
               (a->n_success_exit_status == 0 ||
                memcmp(a->success_exit_status, b->success_exit_status,
                       a->n_success_exit_status * sizeof(int)) == 0) &&
               a->stop_signal == b->stop_signal &&
               a->stop_timeout == b->stop_timeout &&
               strv_equal(a->layers, b->layers) &&
               a->writable == b->writable &&
               volumes_equal(a, b) &&
               tmpfs_equal(a, b) &&
               streq_ptr(a->hostname, b->hostname) &&
               a->network == b->network &&
               a->userns == b->userns &&
               a->init == b->init &&
               a->capabilities == b->capabilities &&
               a->seccomp == b->seccomp &&
               a->no_new_privileges == b->no_new_privileges &&
               a->memory_max == b->memory_max &&
               a->memory_high == b->memory_high &&
               a->memory_swap_max == b->memory_swap_max &&
               a->cpu_max_permille == b->cpu_max_permille &&
               a->cpu_weight == b->cpu_weight &&
               a->pids_max == b->pids_max &&
               a->io_weight == b->io_weight &&
               a->notify == b->notify &&
               a->start_timeout == b->start_timeout &&
               a->watchdog == b->watchdog &&
               health_equal(a->health, b->health) &&
               a->log_buffer == b->log_buffer &&
               a->log_rate == b->log_rate;
}

const char *restart_mode_to_string(enum restart_mode m) {
        switch (m) {
        case RESTART_NO:
                return "no";
        case RESTART_ON_FAILURE:
                return "on-failure";
        case RESTART_ALWAYS:
                return "always";
        }
        return NULL;
}
