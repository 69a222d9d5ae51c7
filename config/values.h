/* values: parsing of sizes, durations and signal names from unit files, and checks of
 * the names they hold (pure). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* "64M", "1G", "512" (bytes), "4K": powers of 1024. Returns 0 or -EINVAL/-ERANGE. */
int parse_size(const char *s, uint64_t *ret);
/* "250ms", "10s", "2min" (or "2m"), "1h", "1min30s", "1min 30s", "5" (a bare number
 * alone means seconds), "0". Integers only; components in any order are summed.
 * Surrounding whitespace is ignored. -EINVAL for garbage or a sign, -ERANGE on overflow. */
int parse_duration(const char *s, usec_t *ret);
/* "SIGTERM", "TERM", "sigterm" is rejected (names are upper case). Also "RTMIN",
 * "RTMIN+N", "RTMAX-N" (with or without "SIG") and the aliases IO, IOT, CLD.
 * Numbers are rejected. -EINVAL. */
int parse_signal(const char *s, int *ret);
/* "TERM" for SIGTERM, "RTMIN+3" for SIGRTMIN+3; NULL when unknown. Static storage. */
const char *signal_to_string(int sig);
/* Formats a duration as "1min 30s", "250ms", "0" into buf and returns buf.
 * DURATION_STR_MAX bytes always suffice (any usec_t); a shorter buf truncates. */
#define DURATION_STR_MAX 48
char *format_duration(char *buf, size_t len, usec_t u);

#define UNIT_NAME_MAX 63
#define USER_NAME_MAX 32
#define HOSTNAME_MAX 64 /* the kernel's HOST_NAME_MAX */

/* [a-z0-9][a-z0-9_.-]{0,62} */
bool unit_name_is_valid(const char *s);
/* [a-z_][a-z0-9_-]*, at most 32 characters, as useradd accepts by default. */
bool user_name_is_valid(const char *s);
/* A uid or gid of n characters: decimal, 0..4294967294 ((uid_t)-1 means "unchanged" to
 * the kernel). */
bool id_is_valid(const char *s, size_t n);
/* "uid", "uid:gid" or a user name. */
bool user_is_valid(const char *s);
/* "KEY=VALUE" with KEY [A-Za-z_][A-Za-z0-9_]*. */
bool env_entry_is_valid(const char *s);
/* Labels of [A-Za-z0-9-] (1..63 characters, no '-' at either end) joined by '.', at
 * most HOSTNAME_MAX characters in all. */
bool hostname_is_valid(const char *s);
