/* deps: "requires" between the units that loaded. Every entry must name a loaded unit;
 * a unit that requires a unit that failed fails too, transitively; every member of a
 * dependency cycle fails, naming its cycle. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sup_config;
struct unit_config;

/* A unit that loaded, as a node of the requires graph. */
struct cand {
        struct unit_config *u;
        unsigned *req_lines; /* line of each requires entry */
        ssize_t *deps;       /* index of each requires entry in cands[], -1 unresolved */
        bool dead;           /* failed: an error naming it is recorded in c */
};

/* Resolves every requires entry of cands[0..n) and marks as dead each unit that cannot
 * run, recording why in c ("FILE:LINE: unit 'NAME': requires: ..."). 0 or -ENOMEM. */
int deps_resolve(struct sup_config *c, struct cand *cands, size_t n);
