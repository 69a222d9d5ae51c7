/* fsutil: small file helpers shared by the daemon and supctl. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes all of buf, retrying on EINTR and short writes. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Reads exactly len bytes; -ECONNRESET on EOF before that. 0 or -errno. */
int read_all(int fd, void *buf, size_t len);
/* mkdir -p; existing directories are fine. 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);
/* rm -rf that never follows symlinks and never crosses into another filesystem
 * (a mount point left below path makes it fail with -EBUSY instead). A missing path
 * is fine. 0 or -errno. */
int rm_rf(const char *path);
