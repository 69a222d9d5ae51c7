/* spawn: creates a unit's process. The parent prepares everything (argv, envp,
 * candidate exec paths, ids, fds); the child makes raw syscalls only, and any failure
 * between clone and exec comes back as (step, errno) on a CLOEXEC pipe: EOF on that
 * pipe means exec succeeded. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum spawn_step {
        SPAWN_STEP_NONE,
        SPAWN_STEP_SIGNALS,
        SPAWN_STEP_WAIT,     /* waiting for the parent (uid maps) */
        SPAWN_STEP_SETSID,
        SPAWN_STEP_SETNS,    /* joining a running container */
        SPAWN_STEP_STDIO,
        SPAWN_STEP_MOUNT,    /* with the failing operation's index */
        SPAWN_STEP_PIVOT,
        SPAWN_STEP_HOSTNAME,
        SPAWN_STEP_NOTIFY,   /* binding the notify socket at /run/sup/notify */
        SPAWN_STEP_NETWORK,
        SPAWN_STEP_CHDIR,
        SPAWN_STEP_CAPS,     /* bounding set, keep-caps */
        SPAWN_STEP_SETGROUPS,
        SPAWN_STEP_SETGID,
        SPAWN_STEP_SETUID,
        SPAWN_STEP_SECURITY, /* capabilities, no_new_privs, seccomp */
        SPAWN_STEP_INIT,     /* forking the app under the reaper */
        SPAWN_STEP_EXEC,
        _SPAWN_STEP_MAX,
};

/* What the child reports. */
struct spawn_failure {
        int step;  /* enum spawn_step */
        int err;   /* errno */
        int index; /* SPAWN_STEP_MOUNT: the container plan's operation, else -1 */
};

struct container_plan;
struct security_plan;
struct unit_cgroup;

struct spawn_plan {
        const struct container_plan *container; /* NULL: no namespaces, the host's root */
        const struct security_plan *security;   /* NULL: keep supd's privileges */
        bool init;         /* a minimal reaper is PID 1, the app its child */
        int join_pidfd;    /* >= 0: join this process's namespaces (supctl exec) instead of
                            * creating a container; the command runs under a reaper */
        int join_flags;    /* CLONE_NEW* namespaces to join */
        const struct unit_cgroup *cgroup; /* NULL: stay in supd's cgroup */
        char **argv;       /* argv[0] as the user wrote it */
        char **exec_paths; /* NULL-terminated candidates for argv[0] (PATH resolved) */
        char **envp;
        const char *workdir;
        uid_t uid;
        gid_t gid;
        int stdin_fd, stdout_fd, stderr_fd;
};

struct spawn_result {
        pid_t pid;
        int pidfd;     /* for signalling: never signals a recycled pid */
        int status_fd; /* read end of the (step, errno) pipe, O_NONBLOCK */
};

/* Fills *plan from the unit's config: envp, exec candidates, uid/gid from `user`
 * (names are looked up in ROOT/etc/passwd and /etc/group, never through NSS).
 * container, security and init are the caller's to set.
 * On error returns -errno and sets *ret_error to a message naming the problem. */
struct unit_config;
int spawn_plan_build(struct spawn_plan *plan, const struct unit_config *c, const char *root,
                     char **ret_error);
void spawn_plan_done(struct spawn_plan *plan);

int spawn_process(const struct spawn_plan *plan, struct spawn_result *ret);

/* Reads the child's report: 1 and *ret filled when it failed, 0 on EOF (exec done),
 * -EAGAIN when nothing is there yet. */
int spawn_read_failure(int status_fd, struct spawn_failure *ret);

/* "exec", "chdir", ... for messages such as "web: exec /bin/httpd: No such file". */
const char *spawn_step_to_string(int step);
