/* log-keys: parsers of the step-5 log keys: log_buffer (the per-unit ring `supctl logs`
 * reads) and log_rate (lines per second before lines are dropped). Each is a
 * unit_key_parser; see unit-schema.h. */
#pragma once

#include "unit-schema.h"

int unit_parse_log_buffer(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_log_rate(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
