#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

struct emit_ctx {
        struct output *o;
        int stream;
};

static void emit_line(void *userdata, const char *line, size_t len, bool partial) {
        const struct emit_ctx *c = userdata;
        (void)partial;
        c->o->on_line(c->o->userdata, c->stream, line, len);
}

static int read_some(struct output *o, int stream) {
        struct emit_ctx ctx = { o, stream };
        char buf[16384];
        for (int i = 0; i < 16 && !o->paused; i++) { /* bounded, so one chatty unit cannot starve others */
                ssize_t n = read(o->read_fd[stream], buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                if (n == 0)
                        return 0;
                linebuf_feed(&o->line[stream], buf, (size_t)n, emit_line, &ctx);
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

void output_pause(struct output *o, bool pause) {
        if (o->paused == pause)
                return;
        o->paused = pause;
        for (int i = 0; i < _OUTPUT_MAX; i++)
                if (o->source[i])
                        (void)sd_event_source_set_enabled(o->source[i], pause ? SD_EVENT_OFF : SD_EVENT_ON);
}

int output_open(struct output *o, sd_event *e, const char *name, output_line_t on_line, void *userdata) {
        int r;

        *o = (struct output){ .name = name, .on_line = on_line, .userdata = userdata, .read_fd = { -1, -1 },
                              .write_fd = { -1, -1 } };
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
                struct emit_ctx ctx = { o, i };
                (void)read_some(o, i);
                linebuf_flush(&o->line[i], emit_line, &ctx);
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
