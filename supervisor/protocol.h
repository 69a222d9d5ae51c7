/* protocol: the control socket's wire format (pure; no sockets here).
 *
 * A frame is a 4-byte big-endian payload length, then the payload: a sequence of
 * NUL-terminated "key=value" fields. The first field is always "sup=1" (the protocol
 * version). Keys are [a-z_]+; values are any bytes except NUL. A request carries
 * "cmd=VERB" and its arguments ("name=...", "arg=..." repeated in order). A reply
 * carries "ok=1" or "error=MESSAGE", then zero or more records, each starting with a
 * "unit=NAME" field (status) or other data fields. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION "1"
#define PROTO_MAX_REQUEST (64 * 1024)
#define PROTO_MAX_REPLY (16 * 1024 * 1024)

struct proto_field {
        const char *key;   /* points into the message buffer; NUL-terminated */
        const char *value; /* NUL-terminated; may contain any other byte */
        size_t value_len;
};

struct proto_msg {
        char *buf; /* 4-byte header + payload while building; when parsed, a copy of the
                    * payload with each field's first '=' replaced by NUL */
        size_t len, alloc;
        struct proto_field *fields;
        size_t n_fields;
};

/* All functions taking a struct proto_msg expect it zeroed ({}) or left by an earlier
 * call; proto_begin() and proto_parse() free what it held first.
 *
 * Building. proto_begin() writes the header and "sup=1". proto_add*() return -EINVAL
 * for a key that is not [a-z_]+ (or a NULL value, or proto_begin() not called, or a
 * formatted value that contains a NUL), -EMSGSIZE past 4 GiB, -ENOMEM. A failed add
 * leaves the message as it was. */
int proto_begin(struct proto_msg *m);
int proto_add(struct proto_msg *m, const char *key, const char *value);
int proto_addf(struct proto_msg *m, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int proto_add_u64(struct proto_msg *m, const char *key, uint64_t v);
/* Fills in the length header; the frame is then m->buf, m->len bytes. Returns 0, or
 * -EMSGSIZE if the payload is longer than max (PROTO_MAX_REQUEST/PROTO_MAX_REPLY). */
int proto_finish(struct proto_msg *m, size_t max);

/* Parsing. Given a full payload (without the header), splits it into fields.
 * Takes a copy. Returns -EBADMSG for a malformed payload (empty, a field without '='
 * or without its NUL, a key not [a-z_]+) or a first field other than exactly "sup=1";
 * -ENOMEM. fields[0] is the version field. */
int proto_parse(struct proto_msg *m, const void *payload, size_t len);
/* Reads the big-endian header: returns the payload length or -EMSGSIZE if > max. */
int64_t proto_frame_length(const uint8_t hdr[4], size_t max);

/* The value of the first field with key in a parsed message; NULL if none. */
const char *proto_get(const struct proto_msg *m, const char *key);
/* Record iteration: the index of the first field at or after index from whose key is
 * key, or m->n_fields if none. For a status reply:
 *   for (size_t i = proto_next_record(m, 0, "unit"); i < m->n_fields;
 *        i = proto_next_record(m, i + 1, "unit"))
 *           ... m->fields[i].value, proto_record_get(m, i, "state") ... */
size_t proto_next_record(const struct proto_msg *m, size_t from, const char *key);
/* The value of the first field with key in the record that starts at field index
 * record (it ends before the next field with the same key as fields[record]); NULL if
 * none. */
const char *proto_record_get(const struct proto_msg *m, size_t record, const char *key);
/* Frees and zeroes m; NULL-safe. */
void proto_msg_done(struct proto_msg *m);
