/* resource-keys: parsers of the step-4 keys (the unit's cgroup limits): memory_max,
 * memory_high, memory_swap_max, cpu_max, cpu_weight, pids_max, io_weight. Each is a
 * unit_key_parser; see unit-schema.h. "max" and "infinity" mean no limit
 * (CONFIG_LIMIT_UNSET), like an absent key. */
#pragma once

#include "unit-schema.h"

int unit_parse_memory_max(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
/* After memory_max: more than it is an error. */
int unit_parse_memory_high(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_memory_swap_max(struct unit_ctx *u, struct unit_config *uc, const char *key,
                               size_t offset);
int unit_parse_cpu_max(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_pids_max(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
/* Generic: the unsigned weight (1..CONFIG_MAX_WEIGHT) at offset; unset leaves 0. */
int unit_parse_weight(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
