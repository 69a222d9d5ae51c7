/* Shared by the config tests: a temporary config dir, unit files written into it, and
 * assertions on the errors a load collects. */
#pragma once

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "config.h"

struct fixture {
        char *dir;   /* the config dir */
        char *units; /* dir/units */
};

static inline int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        char tmpl[] = "/tmp/sup-test-config-XXXXXX";

        if (!f || !mkdtemp(tmpl))
                return -1;
        f->dir = strdup(tmpl);
        if (!f->dir || asprintf(&f->units, "%s/units", f->dir) < 0 || mkdir(f->units, 0755) < 0)
                return -1;
        *state = f;
        return 0;
}

static inline int rm_entry(const char *path, const struct stat *st, int flag,
                           struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static inline int teardown(void **state) {
        struct fixture *f = *state;
        int r = nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f->dir);
        free(f->units);
        free(f);
        return r;
}

/* Writes dir/name and returns its path (to free). */
static inline char *write_file(const char *dir, const char *name, const char *content) {
        char *p = NULL;
        FILE *fp;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        fp = fopen(p, "we");
        assert_non_null(fp);
        assert_int_equal(fputs(content, fp) >= 0, 1);
        assert_int_equal(fclose(fp), 0);
        return p;
}

static inline char *write_unit(const struct fixture *f, const char *name, const char *content) {
        return write_file(f->units, name, content);
}

static inline const struct unit_config *find_unit(const struct sup_config *c,
                                                  const char *name) {
        for (size_t i = 0; i < c->n_units; i++)
                if (strcmp(c->units[i]->name, name) == 0)
                        return c->units[i];
        return NULL;
}

static inline void dump_errors(const struct sup_config *c) {
        for (size_t i = 0; i < c->n_errors; i++)
                print_message("  error[%zu] unit=%s: %s\n", i,
                              c->errors[i].unit ? c->errors[i].unit : "(null)", c->errors[i].message);
}

/* Asserts that an error with exactly this message exists, for this unit and line. */
__attribute__((format(printf, 4, 5)))
static inline void assert_error(const struct sup_config *c, const char *unit, unsigned line,
                                const char *fmt, ...) {
        _cleanup_free_ char *want = NULL;
        va_list ap;

        va_start(ap, fmt);
        assert_true(vasprintf(&want, fmt, ap) > 0);
        va_end(ap);
        for (size_t i = 0; i < c->n_errors; i++)
                if (strcmp(c->errors[i].message, want) == 0) {
                        if (unit)
                                assert_string_equal(c->errors[i].unit, unit);
                        else
                                assert_null(c->errors[i].unit);
                        assert_int_equal(c->errors[i].line, line);
                        return;
                }
        print_message("missing error: %s\n", want);
        dump_errors(c);
        fail();
}

static inline void assert_strv(char *const *v, const char *const *want, size_t n) {
        for (size_t i = 0; i < n; i++) {
                assert_non_null(v[i]);
                assert_string_equal(v[i], want[i]);
        }
        assert_null(v[n]);
}

static inline struct sup_config *load_one(const char *path) {
        struct sup_config *c = NULL;
        assert_int_equal(config_load_files((char *const[]){ (char *)path }, 1, &c), 0);
        assert_non_null(c);
        return c;
}

/* Loads path alone and asserts that nothing loads, with exactly one error: this
 * message, for this unit and line. */
__attribute__((format(printf, 4, 5)))
static inline void assert_file_fails(const char *path, const char *unit, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *want = NULL;
        struct sup_config *c = load_one(path);
        va_list ap;

        va_start(ap, fmt);
        assert_true(vasprintf(&want, fmt, ap) > 0);
        va_end(ap);
        if (c->n_errors != 1)
                dump_errors(c);
        assert_int_equal(c->n_units, 0);
        assert_int_equal(c->n_errors, 1);
        assert_error(c, unit, line, "%s", want);
        config_free(c);
}

/* A "key = value" line that must fail with exactly one error. */
struct value_case {
        const char *line;
        const char *error; /* after "FILE:3: unit 'x': " */
};

/* Puts each line into a minimal unit x as its third line and checks that the unit
 * fails to load with that one error, naming file and line. */
static inline void assert_value_errors(const struct fixture *f, const struct value_case *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL, *p = NULL;
                struct sup_config *c;

                assert_true(asprintf(&text, "container x {\n    exec = {\"/bin/x\"}\n    %s\n}\n", t[i].line) > 0);
                p = write_unit(f, "x.conf", text);
                c = load_one(p);
                if (c->n_errors != 1) {
                        print_message("for: %s\n", t[i].line);
                        dump_errors(c);
                }
                assert_int_equal(c->n_errors, 1);
                assert_int_equal(c->n_units, 0);
                assert_error(c, "x", 3, "%s:3: unit 'x': %s", p, t[i].error);
                config_free(c);
        }
}
