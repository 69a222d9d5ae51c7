/* notify: the sd_notify protocol, both ways. Containers send datagrams of
 * "KEY=VALUE\n" lines to their own socket; supd reads them with the sender's
 * credentials, drops anything over 4 KiB and closes fds that come along. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NOTIFY_MAX 4096
#define NOTIFY_PATH_IN_CONTAINER "/run/sup/notify"

struct notify_msg {
        bool ready;            /* READY=1 */
        bool watchdog;         /* WATCHDOG=1 */
        bool watchdog_trigger; /* WATCHDOG=trigger */
        bool stopping;         /* STOPPING=1 */
        const char *status;    /* STATUS=..., points into the buffer (NUL-terminated there) */
};

/* Parses one datagram in place (newlines become NULs). Unknown keys (MAINPID=,
 * RELOADING=...) are ignored. Returns 0, or -EBADMSG for an empty message. */
int notify_parse(char *buf, size_t len, struct notify_msg *ret);

/* An unbound datagram socket with SO_PASSCRED (and SO_PASSPIDFD where the kernel has
 * it, 6.5+), CLOEXEC, non-blocking; the container's child binds it inside (see
 * container_child_setup). */
int notify_socket_new(void);

/* Who sent a message: the pid as the kernel saw it, and a pidfd for the sender that
 * stays valid after it exits (-1 on kernels without SCM_PIDFD). */
struct notify_sender {
        pid_t pid;
        int pidfd;
};

/* Receives one message into buf (NOTIFY_MAX + 1 bytes): returns its length, 0 when
 * nothing waits, -EMSGSIZE for a message over NOTIFY_MAX (dropped), or -errno. The
 * sender goes to *ret_sender (pid 0 when no credentials came); the caller closes
 * its pidfd. */
ssize_t notify_recv(int fd, char *buf, struct notify_sender *ret_sender);

/* The id of the cgroup2 group the sender was in, read from its pidfd: where it is now,
 * or where it was when it exited, even if already reaped (PIDFD_GET_INFO, 6.15+).
 * -EOPNOTSUPP when the kernel cannot tell. */
int notify_sender_cgroup(const struct notify_sender *s, uint64_t *ret_id);
