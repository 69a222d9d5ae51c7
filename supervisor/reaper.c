#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

_Noreturn void reaper_run(pid_t app) {
        sigset_t all;
        sigfillset(&all);
        (void)prctl(PR_SET_NAME, "sup-init");
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&all, &si);
                if (sig < 0)
                        continue; /* EINTR */
                if (sig != SIGCHLD) {
                        /* The app is the one that should act on it. */
                        (void)kill(app, sig);
                        continue;
                }
                for (;;) {
                        int status;
                        pid_t pid = waitpid(-1, &status, WNOHANG);
                        if (pid <= 0)
                                break;
                        if (pid != app)
                                continue; /* an orphan: reaped, that is all */
                        /* Exiting ends the PID namespace: the kernel kills what is left. */
                        if (WIFEXITED(status))
                                _exit(WEXITSTATUS(status));
                        _exit(128 + WTERMSIG(status));
                }
        }
}
