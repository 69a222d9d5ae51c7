/* Unit tests for supervisor/protocol.c: the control socket's wire format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol.h"

/* Finishes m, checks the header against the payload, and parses the payload into out. */
static void round_trip(struct proto_msg *m, size_t max, struct proto_msg *out) {
        assert_int_equal(proto_finish(m, max), 0);
        assert_true(m->len >= 4);
        int64_t n = proto_frame_length((const uint8_t *)m->buf, max);
        assert_int_equal(n, (int64_t)(m->len - 4));
        assert_int_equal(proto_parse(out, m->buf + 4, (size_t)n), 0);
}

/* Parses a payload given as a literal (sizeof includes the literal's final NUL). */
#define PARSE(out, lit) proto_parse((out), (lit), sizeof(lit) - 1)

static void test_request_round_trip(void **state) {
        (void)state;
        struct proto_msg m = {}, r = {};

        assert_int_equal(proto_begin(&m), 0);
        assert_int_equal(proto_add(&m, "cmd", "exec"), 0);
        assert_int_equal(proto_add(&m, "name", "web"), 0);
        assert_int_equal(proto_add(&m, "arg", "/bin/sh"), 0);
        assert_int_equal(proto_add(&m, "arg", "-c"), 0);
        assert_int_equal(proto_add(&m, "arg", ""), 0);
        round_trip(&m, PROTO_MAX_REQUEST, &r);

        static const char wire[] = "sup=1\0cmd=exec\0name=web\0arg=/bin/sh\0arg=-c\0arg=";
        assert_int_equal(m.len, 4 + sizeof(wire));
        assert_memory_equal(m.buf + 4, wire, sizeof(wire));
        assert_memory_equal(m.buf, "\0\0\0\x30", 4); /* 48, big-endian */

        assert_int_equal(r.n_fields, 6);
        assert_string_equal(r.fields[0].key, "sup");
        assert_string_equal(r.fields[0].value, "1");
        assert_string_equal(proto_get(&r, "sup"), PROTO_VERSION);
        assert_string_equal(proto_get(&r, "cmd"), "exec");
        assert_string_equal(proto_get(&r, "name"), "web");
        /* Repeated keys stay in order. */
        assert_string_equal(r.fields[3].key, "arg");
        assert_string_equal(r.fields[3].value, "/bin/sh");
        assert_string_equal(r.fields[4].value, "-c");
        assert_string_equal(r.fields[5].value, "");
        assert_int_equal(r.fields[5].value_len, 0);
        assert_null(proto_get(&r, "missing"));

        proto_msg_done(&m);
        proto_msg_done(&r);
        assert_null(r.buf);
        assert_null(r.fields);
        assert_int_equal(r.n_fields, 0);
        proto_msg_done(&r); /* twice is fine */
        proto_msg_done(NULL);
}

static void test_reply_records(void **state) {
        (void)state;
        struct proto_msg m = {}, r = {};
        static const char *const names[] = { "db", "web", "cache" };
        static const char *const states[] = { "running", "backoff", "failed" };

        assert_int_equal(proto_begin(&m), 0);
        assert_int_equal(proto_add(&m, "ok", "1"), 0);
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(proto_add(&m, "unit", names[i]), 0);
                assert_int_equal(proto_add(&m, "state", states[i]), 0);
                if (i != 1) /* a record without pid */
                        assert_int_equal(proto_add_u64(&m, "pid", 100 + i), 0);
                assert_int_equal(proto_addf(&m, "restarts", "%zu", i * 7), 0);
        }
        assert_int_equal(proto_add_u64(&m, "uptime_usec", UINT64_MAX), 0);
        round_trip(&m, PROTO_MAX_REPLY, &r);

        assert_string_equal(proto_get(&r, "ok"), "1");
        assert_null(proto_get(&r, "error"));
        assert_string_equal(proto_get(&r, "unit"), "db"); /* the first match */
        assert_string_equal(proto_get(&r, "uptime_usec"), "18446744073709551615");

        size_t k = 0;
        for (size_t i = proto_next_record(&r, 0, "unit"); i < r.n_fields;
             i = proto_next_record(&r, i + 1, "unit"), k++) {
                assert_true(k < 3);
                assert_string_equal(r.fields[i].value, names[k]);
                assert_string_equal(proto_record_get(&r, i, "unit"), names[k]);
                assert_string_equal(proto_record_get(&r, i, "state"), states[k]);
                char buf[32];
                snprintf(buf, sizeof(buf), "%zu", k * 7);
                assert_string_equal(proto_record_get(&r, i, "restarts"), buf);
                if (k == 1) {
                        /* web has no pid: must not pick up cache's */
                        assert_null(proto_record_get(&r, i, "pid"));
                } else {
                        snprintf(buf, sizeof(buf), "%zu", 100 + k);
                        assert_string_equal(proto_record_get(&r, i, "pid"), buf);
                }
        }
        assert_int_equal(k, 3);
        assert_int_equal(proto_next_record(&r, 0, "nope"), r.n_fields);
        assert_int_equal(proto_next_record(&r, r.n_fields + 5, "unit"), r.n_fields);
        assert_null(proto_record_get(&r, r.n_fields, "unit"));

        proto_msg_done(&m);
        proto_msg_done(&r);
}

static void test_values_any_bytes(void **state) {
        (void)state;
        struct proto_msg m = {}, r = {};
        static const char *const values[] = {
                "a=b=c",
                "=",
                "line one\nline two\r\n",
                "gr\xc3\xbc\xc3\x9f \xe2\x9c\x93 \xf0\x9f\x90\xb3",
                "\xff\xfe\x80 not utf-8 \xc3",
                "\x01\x7f\t",
        };

        assert_int_equal(proto_begin(&m), 0);
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
                assert_int_equal(proto_add(&m, "value", values[i]), 0);
        assert_int_equal(proto_addf(&m, "error", "%s: %s", "web", "exec=\"/bin/x\"\nfailed"), 0);
        round_trip(&m, PROTO_MAX_REPLY, &r);

        assert_int_equal(r.n_fields, 1 + sizeof(values) / sizeof(values[0]) + 1);
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
                assert_string_equal(r.fields[1 + i].key, "value");
                assert_int_equal(r.fields[1 + i].value_len, strlen(values[i]));
                assert_memory_equal(r.fields[1 + i].value, values[i], strlen(values[i]) + 1);
        }
        assert_string_equal(proto_get(&r, "value"), "a=b=c");
        assert_string_equal(proto_get(&r, "error"), "web: exec=\"/bin/x\"\nfailed");

        proto_msg_done(&m);
        proto_msg_done(&r);
}

static void test_large_value_grows(void **state) {
        (void)state;
        struct proto_msg m = {}, r = {};
        size_t big = 1024 * 1024;
        char *v = malloc(big + 1);

        assert_non_null(v);
        memset(v, 'x', big);
        v[big] = '\0';
        assert_int_equal(proto_begin(&m), 0);
        for (int i = 0; i < 3; i++)
                assert_int_equal(proto_add(&m, "data", v), 0);
        round_trip(&m, PROTO_MAX_REPLY, &r);
        assert_int_equal(r.n_fields, 4);
        for (int i = 1; i < 4; i++) {
                assert_int_equal(r.fields[i].value_len, big);
                assert_memory_equal(r.fields[i].value, v, big + 1);
        }
        free(v);
        proto_msg_done(&m);
        proto_msg_done(&r);
}

static void test_bad_keys(void **state) {
        (void)state;
        struct proto_msg m = {};
        static const char *const bad[] = { "", "Cmd", "a-b", "a=b", "a b", "k1", "\xc3\xa9", "ok\n" };

        assert_int_equal(proto_add(&m, "cmd", "x"), -EINVAL); /* not begun */
        assert_int_equal(proto_begin(&m), 0);
        size_t len = m.len;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(proto_add(&m, bad[i], "v"), -EINVAL);
                assert_int_equal(proto_addf(&m, bad[i], "%d", 1), -EINVAL);
                assert_int_equal(proto_add_u64(&m, bad[i], 1), -EINVAL);
        }
        assert_int_equal(proto_add(&m, NULL, "v"), -EINVAL);
        assert_int_equal(proto_add(&m, "cmd", NULL), -EINVAL);
        /* A formatted NUL would split the field. */
        assert_int_equal(proto_addf(&m, "cmd", "a%cb", 0), -EINVAL);
        assert_int_equal(m.len, len); /* failed adds leave the message as it was */
        assert_int_equal(proto_add(&m, "snake_case_", "ok"), 0);
        assert_int_equal(proto_add(&m, "_", "ok"), 0);
        proto_msg_done(&m);
}

static void test_parse_errors(void **state) {
        (void)state;
        struct proto_msg r = {};

        /* empty payload */
        assert_int_equal(proto_parse(&r, "", 0), -EBADMSG);
        assert_int_equal(proto_parse(&r, NULL, 0), -EBADMSG);
        /* a lone NUL: an empty field */
        assert_int_equal(proto_parse(&r, "", 1), -EBADMSG);
        /* missing version */
        assert_int_equal(PARSE(&r, "cmd=status\0"), -EBADMSG);
        /* version not first */
        assert_int_equal(PARSE(&r, "cmd=status\0sup=1\0"), -EBADMSG);
        /* wrong versions */
        assert_int_equal(PARSE(&r, "sup=2\0cmd=status\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=10\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1 \0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup\0"), -EBADMSG);
        /* field without '=' */
        assert_int_equal(PARSE(&r, "sup=1\0cmd\0"), -EBADMSG);
        /* empty field in the middle */
        assert_int_equal(PARSE(&r, "sup=1\0\0cmd=x\0"), -EBADMSG);
        /* unterminated last field (and unterminated version) */
        assert_int_equal(PARSE(&r, "sup=1\0cmd=status"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1"), -EBADMSG);
        /* bad key characters, an empty key */
        assert_int_equal(PARSE(&r, "sup=1\0Cmd=x\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1\0c-d=x\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1\0c d=x\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1\0c1=x\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1\0\xff=x\0"), -EBADMSG);
        assert_int_equal(PARSE(&r, "sup=1\0=x\0"), -EBADMSG);
        /* nothing was kept from the failures */
        assert_null(r.buf);
        assert_null(r.fields);
        assert_int_equal(r.n_fields, 0);

        /* The smallest valid message, and a value that is just "=". */
        assert_int_equal(PARSE(&r, "sup=1\0"), 0);
        assert_int_equal(r.n_fields, 1);
        assert_int_equal(PARSE(&r, "sup=1\0k==\0"), 0); /* reuse: frees the previous */
        assert_int_equal(r.n_fields, 2);
        assert_string_equal(proto_get(&r, "k"), "=");
        proto_msg_done(&r);
}

static void test_parse_takes_copy(void **state) {
        (void)state;
        struct proto_msg r = {};
        char payload[] = "sup=1\0cmd=stop\0name=web";

        assert_int_equal(proto_parse(&r, payload, sizeof(payload)), 0);
        memset(payload, 'z', sizeof(payload));
        assert_string_equal(proto_get(&r, "cmd"), "stop");
        assert_string_equal(proto_get(&r, "name"), "web");
        proto_msg_done(&r);
}

static void test_get_first_match(void **state) {
        (void)state;
        struct proto_msg r = {};

        assert_int_equal(PARSE(&r, "sup=1\0arg=one\0name=x\0arg=two\0arg=three\0"), 0);
        assert_string_equal(proto_get(&r, "arg"), "one");
        assert_int_equal(proto_next_record(&r, 0, "arg"), 1);
        assert_int_equal(proto_next_record(&r, 1, "arg"), 1);
        assert_int_equal(proto_next_record(&r, 2, "arg"), 3);
        assert_int_equal(proto_next_record(&r, 4, "arg"), 4);
        assert_int_equal(proto_next_record(&r, 5, "arg"), 5);
        /* keys match whole: "ar" is not "arg" */
        assert_null(proto_get(&r, "ar"));
        assert_null(proto_get(&r, "args"));
        proto_msg_done(&r);
}

static void test_oversized(void **state) {
        (void)state;
        struct proto_msg m = {};

        /* payload "sup=1\0" is 6 bytes; "k=1234\0" is 7 more */
        assert_int_equal(proto_begin(&m), 0);
        assert_int_equal(proto_add(&m, "k", "1234"), 0);
        assert_int_equal(proto_finish(&m, 12), -EMSGSIZE);
        assert_int_equal(proto_finish(&m, 13), 0);
        assert_int_equal(proto_frame_length((const uint8_t *)m.buf, 13), 13);
        assert_int_equal(proto_frame_length((const uint8_t *)m.buf, 12), -EMSGSIZE);
        proto_msg_done(&m);

        /* A request larger than PROTO_MAX_REQUEST. */
        size_t big = PROTO_MAX_REQUEST;
        char *v = malloc(big + 1);
        assert_non_null(v);
        memset(v, 'a', big);
        v[big] = '\0';
        assert_int_equal(proto_begin(&m), 0);
        assert_int_equal(proto_add(&m, "arg", v), 0);
        assert_int_equal(proto_finish(&m, PROTO_MAX_REQUEST), -EMSGSIZE);
        assert_int_equal(proto_finish(&m, PROTO_MAX_REPLY), 0);
        free(v);
        proto_msg_done(&m);

        /* Headers as read off the wire. */
        static const uint8_t h_max[4] = { 0x00, 0x01, 0x00, 0x00 };      /* 64 KiB */
        static const uint8_t h_over[4] = { 0x00, 0x01, 0x00, 0x01 };     /* 64 KiB + 1 */
        static const uint8_t h_huge[4] = { 0xff, 0xff, 0xff, 0xff };
        static const uint8_t h_zero[4] = { 0, 0, 0, 0 };
        assert_int_equal(proto_frame_length(h_max, PROTO_MAX_REQUEST), PROTO_MAX_REQUEST);
        assert_int_equal(proto_frame_length(h_over, PROTO_MAX_REQUEST), -EMSGSIZE);
        assert_int_equal(proto_frame_length(h_huge, PROTO_MAX_REPLY), -EMSGSIZE);
        assert_int_equal(proto_frame_length(h_huge, SIZE_MAX), (int64_t)UINT32_MAX);
        assert_int_equal(proto_frame_length(h_zero, PROTO_MAX_REQUEST), 0);
}

static void test_begin_reuses(void **state) {
        (void)state;
        struct proto_msg m = {}, r = {};

        assert_int_equal(proto_begin(&m), 0);
        assert_int_equal(proto_add(&m, "cmd", "status"), 0);
        assert_int_equal(proto_begin(&m), 0); /* starts over, frees nothing twice */
        assert_int_equal(proto_add(&m, "cmd", "stop"), 0);
        round_trip(&m, PROTO_MAX_REQUEST, &r);
        assert_int_equal(r.n_fields, 2);
        assert_string_equal(proto_get(&r, "cmd"), "stop");
        /* A parsed message is not for appending to. */
        assert_int_equal(proto_add(&r, "cmd", "x"), -EINVAL);
        /* ... but may be rebuilt from scratch. */
        assert_int_equal(proto_begin(&r), 0);
        assert_int_equal(proto_add(&r, "ok", "1"), 0);
        assert_int_equal(proto_finish(&r, PROTO_MAX_REPLY), 0);
        proto_msg_done(&m);
        proto_msg_done(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request_round_trip),
                cmocka_unit_test(test_reply_records),
                cmocka_unit_test(test_values_any_bytes),
                cmocka_unit_test(test_large_value_grows),
                cmocka_unit_test(test_bad_keys),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_parse_takes_copy),
                cmocka_unit_test(test_get_first_match),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_begin_reuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
