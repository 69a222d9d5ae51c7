/* cfgfile: reads one file, runs it through the pre-lexer and keymap, and parses it with
 * libconfuse. cfg_parse_buf() would lose the file name; cfg_parse_fp() on fmemopen()
 * keeps the cfg->filename we set, so libconfuse's own errors carry file:line. */
#pragma once

#include <confuse.h>

#include "keymap.h"

struct sup_config;

/* One parsed file: the cfg_t, where its keys are, and its path for errors. */
struct cfgfile {
        const char *path; /* not owned */
        cfg_t *cfg;
        struct keymap map;
};

/* Reads, pre-lexes and parses path against opts (libconfuse) and schema (what the keymap
 * lets libconfuse see). Returns 0 when parsed, 1 when the file failed as a whole (the
 * error is recorded in c with unit = file_unit), -ENOMEM. */
int cfgfile_parse(struct sup_config *c, const char *path, cfg_opt_t *opts,
                  const struct schema *schema, const char *file_unit, struct cfgfile *ret);
void cfgfile_done(struct cfgfile *f);
