/* output: a unit's stdout and stderr. The pipes belong to supd and live as long as
 * the unit, so a restart of the app loses nothing; lines are written to supd's log
 * target prefixed with the unit name. */
#pragma once

#include <systemd/sd-event.h>

#include "linebuf.h"

enum { OUTPUT_STDOUT, OUTPUT_STDERR, _OUTPUT_MAX };

struct output {
        const char *name; /* the unit's, borrowed */
        int read_fd[_OUTPUT_MAX];
        int write_fd[_OUTPUT_MAX]; /* handed to each new process */
        sd_event_source *source[_OUTPUT_MAX];
        struct linebuf line[_OUTPUT_MAX];
};

int output_open(struct output *o, sd_event *e, const char *name);
/* Reads whatever the pipes hold now and flushes partial lines (the app has ended). */
void output_drain(struct output *o);
void output_close(struct output *o);
