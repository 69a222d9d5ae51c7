/* cfgfile: one file through the pre-lexer, keymap and libconfuse; see cfgfile.h. */
#include "cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config-error.h"
#include "config.h"
#include "prelex.h"

/* Reads a whole regular file of at most CONFIG_MAX_FILE_SIZE bytes. -EFBIG when larger,
 * -EBADMSG when it holds a NUL byte (libconfuse would stop there silently), -EBADFD
 * when it is not a regular file (a FIFO would block us). */
static int read_file(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        buf = malloc(CONFIG_MAX_FILE_SIZE + 2);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, CONFIG_MAX_FILE_SIZE + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > CONFIG_MAX_FILE_SIZE)
                        return -EFBIG;
        }
        buf[len] = '\0';
        if (memchr(buf, '\0', len))
                return -EBADMSG;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* libconfuse's error callback has no user pointer; its lexer is global state anyway,
 * so parsing is never concurrent and a per-thread pointer is enough. */
struct cfg_capture {
        char *message; /* the first error, without "file:line: " */
        unsigned line;
        bool oom;
};
static __thread struct cfg_capture *cfg_capture;

static void capture_error(cfg_t *cfg, const char *fmt, va_list ap) {
        char *msg = NULL;

        if (!cfg_capture || cfg_capture->message || cfg_capture->oom)
                return;
        if (vasprintf(&msg, fmt, ap) < 0) {
                cfg_capture->oom = true;
                return;
        }
        cfg_capture->message = msg;
        cfg_capture->line = cfg && cfg->line > 0 ? (unsigned)cfg->line : 0;
}

static void cfg_freep(cfg_t **cfg) {
        if (*cfg)
                (void)cfg_free(*cfg);
}
#define _cleanup_cfg_ _cleanup_(cfg_freep)

void cfgfile_done(struct cfgfile *f) {
        if (f->cfg)
                (void)cfg_free(f->cfg);
        keymap_done(&f->map);
        *f = (struct cfgfile){};
}

/* Records why read_file() failed. Returns 1 (the file failed as a whole) or -ENOMEM. */
static int read_error(struct sup_config *c, const char *path, const char *file_unit, int error) {
        int r;

        if (error == -ENOMEM)
                return error;
        if (error == -EFBIG)
                r = config_error_add(c, path, 0, file_unit, "file too large (limit %d bytes)",
                                     CONFIG_MAX_FILE_SIZE);
        else if (error == -EBADMSG)
                r = config_error_add(c, path, 0, file_unit, "file contains a NUL byte");
        else if (error == -EBADFD)
                r = config_error_add(c, path, 0, file_unit, "not a regular file");
        else
                r = config_error_add(c, path, 0, file_unit, "cannot read: %s", strerror(-error));
        return r < 0 ? r : 1;
}

int cfgfile_parse(struct sup_config *c, const char *path, cfg_opt_t *opts,
                  const struct schema *schema, const char *file_unit, struct cfgfile *ret) {
        _cleanup_free_ char *buf = NULL, *fn = NULL;
        _cleanup_(prelexed_done) struct prelexed lx = {};
        _cleanup_(keymap_done) struct keymap map = {};
        _cleanup_cfg_ cfg_t *cfg = NULL;
        struct cfg_capture cap = {};
        size_t len = 0;
        int r;

        r = read_file(path, &buf, &len);
        if (r < 0)
                return read_error(c, path, file_unit, r);
        r = prelex(buf, len, &lx);
        if (r < 0)
                return r;
        r = keymap_build(lx.toks, schema, &map);
        if (r < 0)
                return r;
        keymap_blank(&map, lx.text);

        cfg = cfg_init(opts, CFGF_IGNORE_UNKNOWN);
        if (!cfg)
                return -ENOMEM;
        (void)cfg_set_error_function(cfg, capture_error);
        fn = strdup(path);
        if (!fn)
                return -ENOMEM;
        free(cfg->filename);
        cfg->filename = TAKE_PTR(fn); /* cfg_parse_fp() keeps it for errors */

        if (lx.len > 0) {
                _cleanup_fclose_ FILE *f = fmemopen(lx.text, lx.len, "r");
                if (!f)
                        return -errno;
                cfg_capture = &cap;
                r = cfg_parse_fp(cfg, f);
                cfg_capture = NULL;
                if (cap.oom) {
                        free(cap.message);
                        return -ENOMEM;
                }
                if (r != CFG_SUCCESS) {
                        r = config_error_add(c, path, cap.line, file_unit, "%s",
                                             cap.message ? cap.message : "parse error");
                        free(cap.message);
                        return r < 0 ? r : 1;
                }
                free(cap.message); /* a warning libconfuse still accepted */
        }
        if (map.unclosed_line > 0) { /* libconfuse 3.3 accepts that silently */
                r = config_error_add(c, path, lx.last_line, file_unit,
                                     "premature end of file: '}' missing for the section at line %u",
                                     map.unclosed_line);
                return r < 0 ? r : 1;
        }

        *ret = (struct cfgfile){ .path = path, .cfg = TAKE_PTR(cfg), .map = map };
        map = (struct keymap){};
        return 0;
}
