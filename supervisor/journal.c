#include "journal.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

int journal_encode(const struct journal_field *f, size_t n, char **ret, size_t *ret_len) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
                total += strlen(f[i].key) + 1 + 8 + f[i].len + 1;
        char *buf = malloc(total ? total : 1), *p = buf;
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                size_t k = strlen(f[i].key);
                bool binary = memchr(f[i].value, '\n', f[i].len) || memchr(f[i].value, 0, f[i].len);
                memcpy(p, f[i].key, k);
                p += k;
                if (binary) {
                        uint64_t le = htole64((uint64_t)f[i].len);
                        *p++ = '\n';
                        memcpy(p, &le, sizeof le);
                        p += sizeof le;
                } else
                        *p++ = '=';
                memcpy(p, f[i].value, f[i].len);
                p += f[i].len;
                *p++ = '\n';
        }
        *ret = buf;
        *ret_len = (size_t)(p - buf);
        return 0;
}

int journal_connect(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* Room for bursts; the kernel caps it at wmem_max unless we may force it. */
        int size = 8 * 1024 * 1024;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int journal_send_raw(int fd, const void *buf, size_t len) {
        for (;;) {
                ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n >= 0)
                        return 0;
                if (errno != EINTR)
                        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
}

int journal_send_fields(int fd, const struct journal_field *f, size_t n) {
        struct iovec iov[JOURNAL_MAX_FIELDS * 5]; /* key, '='|'\n'+le64, value, '\n' */
        uint64_t lens[JOURNAL_MAX_FIELDS];
        size_t k = 0;
        if (n > JOURNAL_MAX_FIELDS)
                return -E2BIG;
        for (size_t i = 0; i < n; i++) {
                bool binary = memchr(f[i].value, '\n', f[i].len) || memchr(f[i].value, 0, f[i].len);
                iov[k++] = (struct iovec){ (void *)f[i].key, strlen(f[i].key) };
                if (binary) {
                        lens[i] = htole64((uint64_t)f[i].len);
                        iov[k++] = (struct iovec){ "\n", 1 };
                        iov[k++] = (struct iovec){ &lens[i], sizeof lens[i] };
                } else
                        iov[k++] = (struct iovec){ "=", 1 };
                iov[k++] = (struct iovec){ (void *)f[i].value, f[i].len };
                iov[k++] = (struct iovec){ "\n", 1 };
        }
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = k };
        for (;;) {
                if (sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
                        return 0;
                if (errno != EINTR)
                        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
}
