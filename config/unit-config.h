/* unit-config: struct unit_config's life cycle (its free and equal are in config.h). */
#pragma once

#include "config.h"

/* A unit_config holding every default (name, file and hostname still NULL); NULL on OOM. */
struct unit_config *unit_config_new(void);

static inline void unit_config_freep(struct unit_config **uc) {
        *uc = unit_config_free(*uc);
}
