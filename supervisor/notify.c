#include "notify.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

/* Newer than Debian 12's kernel headers; the values are the kernel's ABI. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
#define PIDFD_INFO_CGROUPID (1ULL << 2)
#define PIDFD_INFO_EXIT (1ULL << 3)
/* The first version of the kernel's struct pidfd_info (64 bytes); newer kernels accept
 * it and fill only what fits. */
struct pidfd_info_v0 {
        uint64_t mask;
        uint64_t cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t exit_code;
};
#define PIDFD_GET_INFO_V0 _IOWR(0xFF, 11, struct pidfd_info_v0)

int notify_parse(char *buf, size_t len, struct notify_msg *ret) {
        *ret = (struct notify_msg){ 0 };
        if (len == 0)
                return -EBADMSG;
        buf[len] = 0;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strcmp(line, "READY=1") == 0)
                        ret->ready = true;
                else if (strcmp(line, "WATCHDOG=1") == 0)
                        ret->watchdog = true;
                else if (strcmp(line, "WATCHDOG=trigger") == 0)
                        ret->watchdog_trigger = true;
                else if (strcmp(line, "STOPPING=1") == 0)
                        ret->stopping = true;
                else if (strncmp(line, "STATUS=", 7) == 0)
                        ret->status = line + 7;
        }
        return 0;
}

int notify_socket_new(void) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* libsystemd does not attach credentials by itself: ask the kernel to. */
        int one = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
                return -errno;
        /* A pidfd names the sender even after it exited; older kernels say EINVAL or
         * ENOPROTOOPT and we do with the pid alone. */
        (void)setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof one);
        return TAKE_FD(fd);
}

int notify_sender_cgroup(const struct notify_sender *s, uint64_t *ret_id) {
        struct pidfd_info_v0 info = { .mask = PIDFD_INFO_CGROUPID | PIDFD_INFO_EXIT };
        if (s->pidfd < 0)
                return -EOPNOTSUPP;
        if (ioctl(s->pidfd, PIDFD_GET_INFO_V0, &info) < 0)
                return errno == ESRCH ? -ESRCH : -EOPNOTSUPP;
        if (!(info.mask & PIDFD_INFO_CGROUPID))
                return -EOPNOTSUPP;
        *ret_id = info.cgroupid;
        return 0;
}

ssize_t notify_recv(int fd, char *buf, struct notify_sender *ret_sender) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = NOTIFY_MAX + 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = sizeof control };
        *ret_sender = (struct notify_sender){ .pidfd = -1 };
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return errno == EAGAIN ? 0 : -errno;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET)
                        continue;
                if (cm->cmsg_type == SCM_CREDENTIALS && cm->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
                        struct ucred cred;
                        memcpy(&cred, CMSG_DATA(cm), sizeof cred);
                        ret_sender->pid = cred.pid;
                } else if (cm->cmsg_type == SCM_PIDFD && cm->cmsg_len == CMSG_LEN(sizeof(int)) &&
                           ret_sender->pidfd < 0)
                        memcpy(&ret_sender->pidfd, CMSG_DATA(cm), sizeof(int));
                else if (cm->cmsg_type == SCM_RIGHTS) {
                        /* Nobody asked for fds: close them (FDSTORE is not ours to keep). */
                        int *fds = (int *)CMSG_DATA(cm);
                        for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                                close(fds[i]);
                }
        }
        if ((size_t)n > NOTIFY_MAX || (mh.msg_flags & MSG_TRUNC))
                return -EMSGSIZE;
        return n;
}
