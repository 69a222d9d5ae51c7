/* protocol: the control socket's wire format. See protocol.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

#define HDR_LEN 4
#define VERSION_FIELD "sup=" PROTO_VERSION

static bool key_valid_n(const char *k, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_'))
                        return false;
        return true;
}

/* Makes room for extra more bytes. The payload can never outgrow the 32-bit header. */
static int grow(struct proto_msg *m, size_t extra) {
        if (extra > SIZE_MAX - m->len)
                return -EMSGSIZE;
        size_t need = m->len + extra;
        if (need > HDR_LEN && (uint64_t)(need - HDR_LEN) > UINT32_MAX)
                return -EMSGSIZE;
        if (need <= m->alloc)
                return 0;

        size_t a = m->alloc ? m->alloc : 256;
        while (a < need)
                a = a > SIZE_MAX / 2 ? need : a * 2;
        char *b = realloc(m->buf, a);
        if (!b)
                return -ENOMEM;
        m->buf = b;
        m->alloc = a;
        return 0;
}

int proto_begin(struct proto_msg *m) {
        proto_msg_done(m);
        int r = grow(m, HDR_LEN + sizeof(VERSION_FIELD));
        if (r < 0)
                return r;
        memset(m->buf, 0, HDR_LEN);
        memcpy(m->buf + HDR_LEN, VERSION_FIELD, sizeof(VERSION_FIELD));
        m->len = HDR_LEN + sizeof(VERSION_FIELD);
        return 0;
}

/* Appends "key=" and reserves value_len + 1 bytes; returns where the value goes. */
static int add_field(struct proto_msg *m, const char *key, size_t value_len, char **ret_value) {
        if (!m->buf || m->fields || !key) /* not begun, or a parsed message */
                return -EINVAL;
        size_t klen = strlen(key);
        if (!key_valid_n(key, klen))
                return -EINVAL;
        if (value_len > SIZE_MAX - klen - 2)
                return -EMSGSIZE;
        int r = grow(m, klen + 1 + value_len + 1);
        if (r < 0)
                return r;
        char *p = m->buf + m->len;
        memcpy(p, key, klen);
        p[klen] = '=';
        *ret_value = p + klen + 1;
        return 0;
}

int proto_add(struct proto_msg *m, const char *key, const char *value) {
        if (!value)
                return -EINVAL;
        size_t vlen = strlen(value);
        char *v;
        int r = add_field(m, key, vlen, &v);
        if (r < 0)
                return r;
        memcpy(v, value, vlen + 1);
        m->len = (size_t)(v - m->buf) + vlen + 1;
        return 0;
}

int proto_addf(struct proto_msg *m, const char *key, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;

        char *v;
        int r = add_field(m, key, (size_t)n, &v);
        if (r < 0)
                return r;
        va_start(ap, fmt);
        int n2 = vsnprintf(v, (size_t)n + 1, fmt, ap);
        va_end(ap);
        if (n2 != n)
                return -EINVAL; /* nothing committed: m->len is unchanged */
        /* A "%c" of 0 would embed a NUL and shift every later field: refuse it. */
        if (memchr(v, 0, (size_t)n))
                return -EINVAL;
        m->len = (size_t)(v - m->buf) + (size_t)n + 1;
        return 0;
}

int proto_add_u64(struct proto_msg *m, const char *key, uint64_t v) {
        return proto_addf(m, key, "%" PRIu64, v);
}

int proto_finish(struct proto_msg *m, size_t max) {
        if (!m->buf || m->len < HDR_LEN)
                return -EINVAL;
        size_t n = m->len - HDR_LEN;
        if (n > max || n > UINT32_MAX)
                return -EMSGSIZE;
        uint8_t *h = (uint8_t *)m->buf;
        h[0] = (uint8_t)(n >> 24);
        h[1] = (uint8_t)(n >> 16);
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        return 0;
}

int proto_parse(struct proto_msg *m, const void *payload, size_t len) {
        const char *p = payload;
        size_t n = 0;

        proto_msg_done(m);

        /* Validate before allocating: every field terminated, has '=', a valid key. */
        if (len < sizeof(VERSION_FIELD) || memcmp(p, VERSION_FIELD, sizeof(VERSION_FIELD)) != 0)
                return -EBADMSG;
        if (p[len - 1] != '\0')
                return -EBADMSG;
        for (size_t off = 0; off < len; n++) {
                const char *f = p + off;
                size_t flen = strlen(f); /* terminated: p[len - 1] == 0 */
                const char *eq = memchr(f, '=', flen);
                if (!eq || !key_valid_n(f, (size_t)(eq - f)))
                        return -EBADMSG;
                off += flen + 1;
        }

        char *buf = malloc(len);
        struct proto_field *fields = calloc(n, sizeof(*fields));
        if (!buf || !fields) {
                free(buf);
                free(fields);
                return -ENOMEM;
        }
        memcpy(buf, p, len);

        /* The first '=' of each field becomes a NUL so that key is a C string. */
        size_t off = 0;
        for (size_t i = 0; i < n; i++) {
                char *f = buf + off;
                size_t flen = strlen(f);
                char *eq = strchr(f, '=');
                *eq = '\0';
                fields[i] = (struct proto_field){
                        .key = f,
                        .value = eq + 1,
                        .value_len = flen - (size_t)(eq + 1 - f),
                };
                off += flen + 1;
        }

        *m = (struct proto_msg){ .buf = buf, .len = len, .alloc = len, .fields = fields, .n_fields = n };
        return 0;
}

int64_t proto_frame_length(const uint8_t hdr[4], size_t max) {
        uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        if (n > max)
                return -EMSGSIZE;
        return n;
}

const char *proto_get(const struct proto_msg *m, const char *key) {
        size_t i = proto_next_record(m, 0, key);
        return i < m->n_fields ? m->fields[i].value : NULL;
}

size_t proto_next_record(const struct proto_msg *m, size_t from, const char *key) {
        for (size_t i = from; i < m->n_fields; i++)
                if (strcmp(m->fields[i].key, key) == 0)
                        return i;
        return m->n_fields;
}

const char *proto_record_get(const struct proto_msg *m, size_t record, const char *key) {
        if (record >= m->n_fields)
                return NULL;
        const char *rkey = m->fields[record].key;
        for (size_t i = record; i < m->n_fields; i++) {
                if (i > record && strcmp(m->fields[i].key, rkey) == 0)
                        break; /* the next record begins */
                if (strcmp(m->fields[i].key, key) == 0)
                        return m->fields[i].value;
        }
        return NULL;
}

void proto_msg_done(struct proto_msg *m) {
        if (!m)
                return;
        free(m->buf);
        free(m->fields);
        *m = (struct proto_msg){};
}
