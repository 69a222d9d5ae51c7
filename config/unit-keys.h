/* unit-keys: parsers of the step-1 keys (the process and its life cycle). Each is a
 * unit_key_parser; see unit-schema.h. */
#pragma once

#include "unit-schema.h"

int unit_parse_description(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_exec(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_workdir(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_env(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_user(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_requires(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_restart(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_start_limit(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_success_exit_status(struct unit_ctx *u, struct unit_config *uc, const char *key,
                                   size_t offset);
int unit_parse_stop_signal(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
/* Generic: the bool / usec_t field at offset. */
int unit_parse_bool(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_duration(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);

/* Checks between the life-cycle keys, once each is valid on its own. */
int unit_config_check_lifecycle(struct unit_ctx *u, struct unit_config *uc);
