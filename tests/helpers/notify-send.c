/* notify-send — a tiny static sd_notify sender for the notify tests (works in any rootfs).
 *
 *   notify-send [-s SOCKET] [-l SECONDS] ASSIGNMENT...
 *
 * Sends one datagram, the ASSIGNMENTs joined by newlines (e.g. READY=1 STATUS=up), to
 * SOCKET or else $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace), as
 * sd_notify(3) does. -l: stay alive SECONDS after sending (so the receiver can still look
 * the sender up in /proc, as it does to tell whose message it is). Exit status: 0 sent, 1 send failed, 2 usage or no socket. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        const char *path = getenv("NOTIFY_SOCKET");
        int i = 1;
        unsigned linger = 0;

        for (;;) {
                if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
                        path = argv[i + 1];
                        i += 2;
                } else if (i + 1 < argc && strcmp(argv[i], "-l") == 0) {
                        linger = (unsigned)strtoul(argv[i + 1], NULL, 10);
                        i += 2;
                } else
                        break;
        }
        if (i >= argc) {
                fprintf(stderr, "usage: notify-send [-s SOCKET] [-l SECONDS] ASSIGNMENT...\n");
                return 2;
        }
        if (!path || !*path) {
                fprintf(stderr, "notify-send: NOTIFY_SOCKET is not set\n");
                return 2;
        }

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t plen = strlen(path);
        if (plen >= sizeof sa.sun_path) {
                fprintf(stderr, "notify-send: socket path too long\n");
                return 2;
        }
        memcpy(sa.sun_path, path, plen);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);

        char msg[4096];
        size_t len = 0;
        for (; i < argc; i++) {
                size_t l = strlen(argv[i]);
                if (len + l + 1 > sizeof msg) {
                        fprintf(stderr, "notify-send: message too long\n");
                        return 2;
                }
                if (len)
                        msg[len++] = '\n';
                memcpy(msg + len, argv[i], l);
                len += l;
        }

        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                perror("notify-send: socket");
                return 1;
        }
        if (sendto(fd, msg, len, 0, (struct sockaddr *)&sa, salen) < 0) {
                fprintf(stderr, "notify-send: sendto %s: %s\n", path, strerror(errno));
                close(fd);
                return 1;
        }
        close(fd);
        if (linger)
                sleep(linger);
        return 0;
}
