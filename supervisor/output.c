#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

static void emit_line(void *userdata, const char *line, size_t len, bool partial) {
        const struct output *o = userdata;
        (void)partial;
        fprintf(stderr, "%s: %.*s\n", o->name, (int)len, line);
}

static int read_some(struct output *o, int stream) {
        char buf[16384];
        for (int i = 0; i < 16; i++) { /* bounded, so one chatty unit cannot starve others */
                ssize_t n = read(o->read_fd[stream], buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                if (n == 0)
                        return 0;
                linebuf_feed(&o->line[stream], buf, (size_t)n, emit_line, o);
        }
        return 0;
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct output *o = userdata;
        int stream = fd == o->read_fd[OUTPUT_STDOUT] ? OUTPUT_STDOUT : OUTPUT_STDERR;
        (void)s;
        (void)revents;
        int r = read_some(o, stream);
        if (r < 0)
                log_warning_errno(r, "%s: reading output: %m, ignoring", o->name);
        return 0;
}

int output_open(struct output *o, sd_event *e, const char *name) {
        int r;

        *o = (struct output){ .name = name, .read_fd = { -1, -1 }, .write_fd = { -1, -1 } };
        for (int i = 0; i < _OUTPUT_MAX; i++) {
                int p[2];
                /* O_NONBLOCK only on our end: the app's end stays blocking. */
                if (pipe2(p, O_CLOEXEC) < 0) {
                        r = -errno;
                        goto fail;
                }
                o->read_fd[i] = p[0];
                o->write_fd[i] = p[1];
                if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
                        r = -errno;
                        goto fail;
                }
                r = linebuf_init(&o->line[i], LINEBUF_MAX_LINE);
                if (r < 0)
                        goto fail;
                r = sd_event_add_io(e, &o->source[i], p[0], EPOLLIN, on_readable, o);
                if (r < 0)
                        goto fail;
        }
        return 0;
fail:
        output_close(o);
        return r;
}

void output_drain(struct output *o) {
        for (int i = 0; i < _OUTPUT_MAX; i++) {
                if (o->read_fd[i] < 0)
                        continue;
                (void)read_some(o, i);
                linebuf_flush(&o->line[i], emit_line, o);
        }
}

void output_close(struct output *o) {
        for (int i = 0; i < _OUTPUT_MAX; i++) {
                o->source[i] = sd_event_source_disable_unref(o->source[i]);
                closep(&o->read_fd[i]);
                closep(&o->write_fd[i]);
                o->read_fd[i] = o->write_fd[i] = -1;
                linebuf_done(&o->line[i]);
        }
}
