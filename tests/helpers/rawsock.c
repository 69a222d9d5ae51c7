/* rawsock: sends raw bytes to a Unix stream socket and prints what comes back.
 * Used by the integration tests to feed supd's control socket malformed requests.
 *
 *   rawsock [--hold SECONDS] [--timeout SECONDS] [--no-shutdown] SOCKET < bytes
 *
 * Writes all of stdin, then (unless --no-shutdown) shuts down the write side, sleeps
 * --hold seconds (keeping the connection open), and reads until EOF or --timeout
 * (default 5 s). The reply is written to stdout with NUL bytes shown as '\n'.
 * Exit status: 0 EOF seen (reply or plain close), 2 timeout (the server neither replied
 * nor closed), 1 connection or I/O error. A reset by the server counts as a close. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(void) {
        fprintf(stderr, "usage: rawsock [--hold S] [--timeout S] [--no-shutdown] SOCKET < bytes\n");
        exit(1);
}

int main(int argc, char **argv) {
        double hold = 0, timeout = 5;
        int shut = 1, i;
        for (i = 1; i < argc && argv[i][0] == '-'; i++) {
                if (!strcmp(argv[i], "--hold") && i + 1 < argc)
                        hold = atof(argv[++i]);
                else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
                        timeout = atof(argv[++i]);
                else if (!strcmp(argv[i], "--no-shutdown"))
                        shut = 0;
                else
                        usage();
        }
        if (i + 1 != argc)
                usage();

        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(argv[i]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "rawsock: socket path too long\n");
                return 1;
        }
        strcpy(sa.sun_path, argv[i]);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                fprintf(stderr, "rawsock: connect %s: %s\n", argv[i], strerror(errno));
                return 1;
        }

        char buf[65536];
        ssize_t n;
        while ((n = read(0, buf, sizeof(buf))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("rawsock: read stdin");
                        return 1;
                }
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
                        if (w < 0) {
                                if (errno == EINTR)
                                        continue;
                                /* The server may close on us mid-request: that is an answer. */
                                if (errno == EPIPE || errno == ECONNRESET) {
                                        fprintf(stderr, "rawsock: server closed while sending\n");
                                        return 0;
                                }
                                perror("rawsock: send");
                                return 1;
                        }
                        off += w;
                }
        }
        if (shut)
                (void)shutdown(fd, SHUT_WR);
        if (hold > 0) {
                struct timespec ts = {(time_t)hold, (long)((hold - (time_t)hold) * 1e9)};
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                        ;
        }

        long long deadline = now_ms() + (long long)(timeout * 1000);
        for (;;) {
                long long left = deadline - now_ms();
                if (left <= 0) {
                        fprintf(stderr, "rawsock: no reply and no close within %gs\n", timeout);
                        return 2;
                }
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, (int)left);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("rawsock: poll");
                        return 1;
                }
                if (r == 0)
                        continue;
                n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ECONNRESET)
                                return 0;
                        perror("rawsock: read");
                        return 1;
                }
                if (n == 0)
                        return 0;
                for (ssize_t k = 0; k < n; k++)
                        if (buf[k] == '\0')
                                buf[k] = '\n';
                fwrite(buf, 1, n, stdout);
                fflush(stdout);
        }
}
