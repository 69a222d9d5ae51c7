/* manager: the one daemon struct. Owns the event loop, the units, the control socket
 * and the run dir; reaps every child; loads and reloads the config; shuts down. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "cgroup.h"
#include "config.h"
#include "init.h"

struct unit;
struct control;
struct logsink;

struct manager {
        sd_event *event;
        char *config_dir;
        char *run_dir;
        struct sup_config *config; /* globals; its units[] were handed to the units */
        struct unit **units;
        size_t n_units;
        struct control *control;
        struct logsink *sink;
        int lock_fd;
        int devnull_fd; /* stdin of every app */
        struct sock_fprog seccomp; /* the default profile, built once */
        struct cgroup_root cgroups;
        bool is_pid1;
        bool booted;             /* PID 1 of a machine we booted (not a test namespace) */
        enum init_action action; /* PID 1: what the shutdown ends in */
        bool shutting_down;
        bool shutdown_term_sent;
        bool exiting;
        bool ready_sent;         /* READY=1 told to our manager (systemd) */
        char *status_sent;       /* the last STATUS= we sent */
        sd_event_source *shutdown_timer;
        sd_event_source *gc_source; /* frees removed units outside of their callbacks */
};

/* Takes the run-dir lock (-EBUSY: another supd runs there), sets up signals and the
 * control socket. */
int manager_new(const char *config_dir, const char *run_dir, struct manager **ret);
struct manager *manager_free(struct manager *m);
/* Loads the config and opens the control socket. Load errors become failed units. */
int manager_load(struct manager *m);
/* Starts the autostart units (after PID 1 has loaded modules and set the hostname). */
void manager_start_units(struct manager *m);
/* Returns the exit code for supd. */
int manager_run(struct manager *m);

struct unit *manager_find_unit(struct manager *m, const char *name);
usec_t manager_now(struct manager *m);

/* Re-reads the config. When files have errors nothing changes and *ret_errors gets
 * the messages (NULL-terminated, caller frees). */
int manager_reload(struct manager *m, char ***ret_errors);
void manager_start_shutdown(struct manager *m, enum init_action action);

/* STATUS= (and READY=1 once every autostart unit has settled) to our manager. */
void manager_notify_status(struct manager *m);

/* Pauses (or resumes) reading every unit's output while the log sink is congested. */
void manager_pause_outputs(struct manager *m, bool pause);

/* Called by a unit after its state changed. */
void manager_unit_changed(struct manager *m, struct unit *u);
