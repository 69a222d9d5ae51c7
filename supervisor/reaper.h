/* reaper: the minimal init that runs as PID 1 of a container with `init = true` (and
 * in front of a `supctl exec` command): it forwards every signal it gets to the app,
 * reaps every zombie, and exits with the app's status (128+N for a death by signal N),
 * like tini and docker --init. It is supd's own code in the forked child: no exec,
 * no extra binary in the image, raw syscalls only. */
#pragma once

#include <sys/types.h>

/* Call with every signal blocked (sigfillset), after forking the app. Never returns. */
_Noreturn void reaper_run(pid_t app);
