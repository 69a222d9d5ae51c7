#include "notify.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

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
        return TAKE_FD(fd);
}

ssize_t notify_recv(int fd, char *buf, struct ucred *ret_cred) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = NOTIFY_MAX + 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = sizeof control };
        *ret_cred = (struct ucred){ 0 };
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return errno == EAGAIN ? 0 : -errno;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                if (cm->cmsg_level != SOL_SOCKET)
                        continue;
                if (cm->cmsg_type == SCM_CREDENTIALS && cm->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        memcpy(ret_cred, CMSG_DATA(cm), sizeof *ret_cred);
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
