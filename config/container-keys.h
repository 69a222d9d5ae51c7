/* container-keys: parsers of the step-2 keys (the container around the process): rootfs
 * or layers, writable, volume and tmpfs sections, hostname, network, capabilities,
 * seccomp. Each is a unit_key_parser; see unit-schema.h. (userns, init and
 * no_new_privileges are plain booleans: unit_parse_bool.) */
#pragma once

#include "unit-schema.h"

/* The keys of a volume section and of a tmpfs section. */
extern const char *const unit_volume_keys[];
extern const char *const unit_tmpfs_keys[];

int unit_parse_rootfs(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
/* After rootfs: both set is an error. */
int unit_parse_layers(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_writable(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_volumes(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
/* After volumes: a path may not be both. */
int unit_parse_tmpfs(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_hostname(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_network(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
int unit_parse_capabilities(struct unit_ctx *u, struct unit_config *uc, const char *key,
                            size_t offset);
int unit_parse_seccomp(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset);
