/* health-keys: the health section of a unit (step 5):
 *     health { exec = {...} interval = 10s timeout = 2s retries = 3 start_period = 5s }
 * Untitled, at most one per unit. A unit_key_parser; see unit-schema.h. */
#pragma once

#include "unit-schema.h"

/* The keys of a health section, and those of them that are lists. */
extern const char *const unit_health_keys[];
extern const char *const unit_health_lists[];

/* Sets uc->health when the unit has a health section (NULL otherwise). */
int unit_parse_health(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
