/* logsink: where supd's messages and its containers' lines go: the journal (with
 * structured fields), the console, /dev/kmsg or supd's stderr (log_target). Never
 * blocks: when journald is slow, entries wait in a bounded queue and the producers
 * (the containers' pipes) are paused; when it is gone, lines go to the console and
 * the journal is tried again a few seconds later. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "journal.h"

struct logsink;

typedef void (*logsink_drained_t)(void *userdata);

/* journal_path: NULL for JOURNAL_SOCKET. on_drained: called when a congestion ends. */
int logsink_new(sd_event *e, enum log_target target, const char *journal_path, logsink_drained_t on_drained,
                void *userdata, struct logsink **ret);
struct logsink *logsink_free(struct logsink *s);

/* A line of a container's stdout (stream 0) or stderr (1); a leading "<N>" sets the
 * priority, as systemd does. */
void logsink_container_line(struct logsink *s, const char *unit, pid_t pid, int stream, const char *line,
                            size_t len);
/* One of supd's own messages, with optional extra fields (may be NULL/0). */
void logsink_message(struct logsink *s, int level, const char *unit, const struct journal_field *extra,
                     size_t n_extra, const char *msg);
/* True while the journal queue is over its high-water mark: producers should pause. */
bool logsink_congested(const struct logsink *s);
/* "journal", "console"... what is used now. */
const char *logsink_target_name(const struct logsink *s);
