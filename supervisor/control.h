/* control: the control socket. Accepts many clients at once, checks each peer with
 * SO_PEERCRED, reads framed requests (protocol.h), answers them from the manager's
 * state. A malformed or oversized request gets an error reply and the connection is
 * closed; it never blocks or crashes supd. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct manager;
struct control;

/* Binds path (mode 0600, or 0660 with group when control_group is not "root"). */
int control_open(struct manager *m, const char *path, const char *group, struct control **ret);
struct control *control_free(struct control *c);

/* Routes the exit of a `supctl exec` command to its client. False if pid is not one. */
bool control_child_exited(struct control *c, const siginfo_t *si);

/* A new line of a unit's output, for `supctl logs -f` clients. */
void control_follow_line(struct control *c, const char *unit, uint64_t ts, int stream, const char *line, size_t len);
