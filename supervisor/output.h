/* output: a unit's stdout and stderr. The pipes belong to supd and live as long as
 * the unit, so a restart of the app loses nothing. Each line goes to a callback (the
 * unit: rate limit, ring, journal, followers). Reading can be paused while the log
 * sink is congested: the app then blocks on a full pipe, supd never does. */
#pragma once

#include <systemd/sd-event.h>

#include "linebuf.h"

enum { OUTPUT_STDOUT, OUTPUT_STDERR, _OUTPUT_MAX };

typedef void (*output_line_t)(void *userdata, int stream, const char *line, size_t len);

struct output {
        const char *name; /* the unit's, borrowed */
        output_line_t on_line;
        void *userdata;
        bool paused;
        int read_fd[_OUTPUT_MAX];
        int write_fd[_OUTPUT_MAX]; /* handed to each new process */
        sd_event_source *source[_OUTPUT_MAX];
        struct linebuf line[_OUTPUT_MAX];
};

int output_open(struct output *o, sd_event *e, const char *name, output_line_t on_line, void *userdata);
void output_pause(struct output *o, bool pause);
/* Reads whatever the pipes hold now and flushes partial lines (the app has ended). */
void output_drain(struct output *o);
void output_close(struct output *o);
