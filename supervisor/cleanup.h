/* Scope-bound cleanup, in the style of systemd's _cleanup_ attributes.
 * Destructors accept NULL; TAKE_PTR/TAKE_FD hand ownership out of a scope. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno; /* never retry close(), never clobber errno */
                (void)close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f) { if (*f) (void)fclose(*f); }
static inline void closedirp(DIR **d) { if (*d) (void)closedir(*d); }
static inline void strv_freep(char ***v) {
        if (*v) {
                for (char **i = *v; *i; i++)
                        free(*i);
                free(*v);
        }
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
