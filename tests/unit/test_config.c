/* Unit tests for config/: sup.conf and unit files (step-1 keys, errors, requires), in a
 * temporary directory. The step-2 keys are in test_config_container.c. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
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
#include "test_config_fixture.h"

/* ---- valid units ---- */

static void test_full_unit(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "web.conf",
                "# a full unit\n"
                "container web {\n"
                "    description = \"static web server\"\n"
                "    exec        = {\"/bin/httpd\", \"-f\", \"-p\", \"8080\"}\n"
                "    workdir     = \"/www\"\n"
                "    env         = {\"MODE=prod\", \"TZ=UTC\", \"EMPTY=\"}\n"
                "    user        = \"1000:1000\"\n"
                "    autostart   = false\n"
                "    requires    = {\"db\"}\n"
                "    restart     = \"always\"\n"
                "    restart_delay     = 250ms\n"
                "    restart_delay_max = \"1min 30s\"\n"
                "    restart_reset     = 2min\n"
                "    start_limit       = 5\n"
                "    start_limit_interval = 1h\n"
                "    success_exit_status = {0, 3, 255}\n"
                "    stop_signal  = SIGINT\n"
                "    stop_timeout = \"20s\"\n"
                "}\n"
                "container db {\n"
                "    exec = {\"/bin/db\"}\n"
                "    user = \"postgres\"\n"
                "    stop_signal = \"TERM\"\n"
                "}\n");

        assert_int_equal(config_load(f->dir, &c), 0);
        if (c->n_errors)
                dump_errors(c);
        assert_int_equal(c->n_errors, 0);
        assert_false(c->global_error);
        assert_int_equal(c->n_units, 2);

        u = c->units[0];
        assert_string_equal(u->name, "web");
        assert_string_equal(u->file, p);
        assert_int_equal(u->line, 2);
        assert_string_equal(u->description, "static web server");
        assert_strv(u->exec, (const char *[]){ "/bin/httpd", "-f", "-p", "8080" }, 4);
        assert_string_equal(u->workdir, "/www");
        assert_strv(u->env, (const char *[]){ "MODE=prod", "TZ=UTC", "EMPTY=" }, 3);
        assert_string_equal(u->user, "1000:1000");
        assert_false(u->autostart);
        assert_strv(u->requires, (const char *[]){ "db" }, 1);
        assert_int_equal(u->restart, RESTART_ALWAYS);
        assert_int_equal(u->restart_delay, 250 * USEC_PER_MSEC);
        assert_int_equal(u->restart_delay_max, 90 * USEC_PER_SEC);
        assert_int_equal(u->restart_reset, 120 * USEC_PER_SEC);
        assert_int_equal(u->start_limit, 5);
        assert_int_equal(u->start_limit_interval, 3600 * USEC_PER_SEC);
        assert_int_equal(u->n_success_exit_status, 3);
        assert_int_equal(u->success_exit_status[0], 0);
        assert_int_equal(u->success_exit_status[1], 3);
        assert_int_equal(u->success_exit_status[2], 255);
        assert_int_equal(u->stop_signal, SIGINT);
        assert_int_equal(u->stop_timeout, 20 * USEC_PER_SEC);

        u = c->units[1];
        assert_string_equal(u->name, "db");
        assert_int_equal(u->line, 20);
        assert_string_equal(u->user, "postgres");
        assert_int_equal(u->stop_signal, SIGTERM);
        config_free(c);
}

static void test_defaults(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "min.conf", "container min { exec = \"/bin/true\" }\n");
        _cleanup_free_ char *units = NULL;

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_errors, 0);
        /* sup.conf is optional */
        assert_false(c->global_error);
        assert_true(asprintf(&units, "%s/units", f->dir) > 0);
        assert_string_equal(c->units_dir, units);
        assert_string_equal(c->state_dir, "/var/lib/sup");
        assert_int_equal(c->shutdown_timeout, 30 * USEC_PER_SEC);
        assert_string_equal(c->control_group, "root");

        assert_int_equal(c->n_units, 1);
        u = c->units[0];
        assert_string_equal(u->name, "min");
        assert_int_equal(u->line, 1);
        assert_string_equal(u->description, "");
        assert_strv(u->exec, (const char *[]){ "/bin/true" }, 1); /* a scalar is a list of one */
        assert_null(u->workdir);
        assert_non_null(u->env);
        assert_null(u->env[0]);
        assert_null(u->user);
        assert_true(u->autostart);
        assert_non_null(u->requires);
        assert_null(u->requires[0]);
        assert_int_equal(u->restart, RESTART_ON_FAILURE);
        assert_int_equal(u->restart_delay, 100 * USEC_PER_MSEC);
        assert_int_equal(u->restart_delay_max, 30 * USEC_PER_SEC);
        assert_int_equal(u->restart_reset, 60 * USEC_PER_SEC);
        assert_int_equal(u->start_limit, 0);
        assert_int_equal(u->start_limit_interval, 60 * USEC_PER_SEC);
        assert_int_equal(u->n_success_exit_status, 1);
        assert_int_equal(u->success_exit_status[0], 0);
        assert_int_equal(u->stop_signal, SIGTERM);
        assert_int_equal(u->stop_timeout, 10 * USEC_PER_SEC);
        config_free(c);
}

static void test_multiple_units_and_order(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *b = write_unit(f, "b.conf",
                "container b1 { exec = {\"/b1\"} }\n"
                "container b2 { exec = {\"/b2\"} }\n");
        _cleanup_free_ char *a = write_unit(f, "a.conf",
                "container a2 { exec = {\"/a2\"} }\n"
                "container a1 { exec = {\"/a1\"} }\n");
        _cleanup_free_ char *x = write_unit(f, "ignored.txt", "garbage {\n");
        _cleanup_free_ char *d = write_unit(f, ".hidden.conf", "garbage {\n");
        _cleanup_free_ char *e = write_unit(f, "empty.conf", "");

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 4);
        /* files by name, then sections in file order */
        assert_string_equal(c->units[0]->name, "a2");
        assert_string_equal(c->units[1]->name, "a1");
        assert_string_equal(c->units[2]->name, "b1");
        assert_string_equal(c->units[3]->name, "b2");
        assert_string_equal(c->units[0]->file, a);
        assert_string_equal(c->units[3]->file, b);
        assert_int_equal(c->units[3]->line, 2);
        config_free(c);
}

static void test_list_append(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *p = write_unit(f, "p.conf",
                "container p {\n"
                "    exec = {\"/p\"}\n"
                "    env = {\"A=1\"}\n"
                "    env += {\"B=2\"}\n"
                "    success_exit_status += {1}\n"
                "}\n");
        _cleanup_free_ char *q = write_unit(f, "q.conf",
                "container q {\n"
                "    exec = {\"/q\"}\n"
                "    env = {\"A=1\"}\n"
                "    env += {\"bad\"}\n"
                "}\n");

        c = load_one(p);
        assert_int_equal(c->n_errors, 0);
        assert_strv(c->units[0]->env, (const char *[]){ "A=1", "B=2" }, 2);
        assert_int_equal(c->units[0]->n_success_exit_status, 2);
        assert_int_equal(c->units[0]->success_exit_status[0], 0);
        assert_int_equal(c->units[0]->success_exit_status[1], 1);
        config_free(c);

        assert_file_fails(q, "q", 4, "%s:4: unit 'q': env: invalid entry 'bad' (want KEY=VALUE)", q);
}

/* ---- ${VAR} ---- */

static void test_no_env_expansion(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "e.conf",
                "container e {\n"
                "    exec = {\"/bin/echo\", \"${HOME}\", '${HOME}', \"a$HOME\", \"\\${B}\",\n"
                "            ${HOME}, \"x${B:-dflt}y\"}\n"
                "    env = {\"A=${B}\", \"C=${B:-x}\", \"D=\\\\${B}\"}\n"
                "    description = \"${HOME}\"\n"
                "    restart_delay = nope\n"
                "}\n");

        assert_int_equal(setenv("HOME", "/home/expanded", 1), 0);
        assert_int_equal(setenv("B", "bee", 1), 0);

        c = load_one(p);
        /* lines are right after the rewritten tokens too */
        assert_error(c, "e", 6, "%s:6: unit 'e': restart_delay: invalid duration 'nope'", p);
        config_free(c);

        /* the same without the error, to see the values */
        _cleanup_free_ char *p2 = write_unit(f, "e.conf",
                "container e {\n"
                "    exec = {\"/bin/echo\", \"${HOME}\", '${HOME}', \"a$HOME\", \"\\${B}\",\n"
                "            ${HOME}, \"x${B:-dflt}y\"}\n"
                "    env = {\"A=${B}\", \"C=${B:-x}\", \"D=\\\\${B}\"}\n"
                "    description = \"${HOME}\"\n"
                "}\n");
        c = load_one(p2);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 1);
        u = c->units[0];
        assert_strv(u->exec,
                    (const char *[]){ "/bin/echo", "${HOME}", "${HOME}", "a$HOME", "${B}", "${HOME}",
                                      "x${B:-dflt}y" },
                    7);
        assert_strv(u->env, (const char *[]){ "A=${B}", "C=${B:-x}", "D=\\${B}" }, 3);
        assert_string_equal(u->description, "${HOME}");
        config_free(c);
}

/* ---- comments and lines ---- */

static void test_comments_keep_lines(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *p = write_unit(f, "c.conf",
                "/* a comment\n"
                "   over two lines */\n"
                "# hash\n"
                "// slashes\n"
                "container c { // trailing\n"
                "    exec = {\"/bin/c\", \"#not a comment\", \"/* nor this */\"} # trailing\n"
                "    restart_delay = nope /* inline */\n"
                "}\n");
        _cleanup_free_ char *s = write_unit(f, "s.conf",
                "/* one */ /* two */\n"
                "container s {\n"
                "    exec = = \"x\"\n"
                "}\n");

        c = load_one(p);
        assert_int_equal(c->n_errors, 1);
        assert_error(c, "c", 7, "%s:7: unit 'c': restart_delay: invalid duration 'nope'", p);
        config_free(c);

        /* libconfuse itself counts a line too many after each C comment; not here */
        c = load_one(s);
        assert_int_equal(c->n_errors, 1);
        assert_error(c, "s", 3, "%s:3: unexpected token '='", s);
        config_free(c);
}

/* ---- value errors: each in its own file, line 3 ---- */

static void test_value_errors(void **state) {
        static const struct value_case t[] = {
                { "restart_delay = fast", "restart_delay: invalid duration 'fast'" },
                { "stop_timeout = \"10x\"", "stop_timeout: invalid duration '10x'" },
                { "restart_reset = -1s", "restart_reset: invalid duration '-1s'" },
                { "restart_reset = 25h", "restart_reset: duration '25h' out of range (max 24h)" },
                { "start_limit_interval = 99999999999999999999s",
                  "start_limit_interval: duration '99999999999999999999s' out of range (max 24h)" },
                { "stop_timeout = 0", "stop_timeout: must be more than 0" },
                { "workdir = \"www\"", "workdir: not an absolute path 'www'" },
                { "env = {\"A=1\", \"=x\"}", "env: invalid entry '=x' (want KEY=VALUE)" },
                { "env = {\"1A=x\"}", "env: invalid entry '1A=x' (want KEY=VALUE)" },
                { "env = {\"NOEQUALS\"}", "env: invalid entry 'NOEQUALS' (want KEY=VALUE)" },
                { "env = {\"A-B=1\"}", "env: invalid entry 'A-B=1' (want KEY=VALUE)" },
                { "user = \"Bob\"", "user: invalid user 'Bob' (want a name, uid or uid:gid)" },
                { "user = \"1000:\"", "user: invalid user '1000:' (want a name, uid or uid:gid)" },
                { "user = \"4294967295\"", "user: invalid user '4294967295' (want a name, uid or uid:gid)" },
                { "user = \"\"", "user: invalid user '' (want a name, uid or uid:gid)" },
                { "autostart = maybe", "autostart: invalid boolean 'maybe'" },
                { "restart = sometimes", "restart: invalid value 'sometimes' (want no, on-failure or always)" },
                { "start_limit = 1001", "start_limit: 1001 out of range (0..1000)" },
                { "start_limit = -1", "start_limit: -1 out of range (0..1000)" },
                { "start_limit = x5", "start_limit: invalid number 'x5'" },
                { "start_limit = \" 5\"", "start_limit: invalid number ' 5'" },
                { "success_exit_status = {0, 256}", "success_exit_status: 256 out of range (0..255)" },
                { "success_exit_status = {}", "success_exit_status: empty list" },
                { "stop_signal = sigterm", "stop_signal: invalid signal 'sigterm'" },
                { "stop_signal = 15", "stop_signal: invalid signal '15'" },
                { "requires = {\"Bad Name\"}", "requires: invalid unit name 'Bad Name'" },
                { "requires = {\"x\"}", "requires: unit requires itself" },
                { "exec = {}", "exec: empty list" },
                { "exec = {\"\", \"arg\"}", "exec: empty command" },
                { "foo = 1", "no such option 'foo'" },
                { "healthcheck { interval = 1s }", "no such option 'healthcheck'" },
                { "healthcheck \"x\" { a { b = 1 } }", "no such option 'healthcheck'" },
                { "foo = {1, \"2\"}", "no such option 'foo'" },
                { "foo += {1}", "no such option 'foo'" },
                { "foo(1, 2)", "no such option 'foo'" },
        };
        struct fixture *f = *state;

        assert_value_errors(f, t, sizeof t / sizeof t[0]);
}

static void test_unit_errors(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *long_name = NULL, *text = NULL, *p4 = NULL;
        _cleanup_free_ char *p = write_unit(f, "u.conf",
                "container ok { exec = {\"/ok\"} }\n"
                "container noexec {\n"
                "}\n"
                "container Web { exec = {\"/w\"} }\n"
                "container two {\n"
                "    exec = {\"/two\"}\n"
                "    user = \"Bob\"\n"
                "    restart_delay = fast\n"
                "    bogus = 1\n"
                "}\n"
                "container delays {\n"
                "    exec = {\"/d\"}\n"
                "    restart_delay = 10s\n"
                "    restart_delay_max = 5s\n"
                "    start_limit = 3\n"
                "    start_limit_interval = 0\n"
                "}\n");

        c = load_one(p);
        assert_int_equal(c->n_units, 1);
        assert_string_equal(c->units[0]->name, "ok");
        assert_error(c, "noexec", 2, "%s:2: unit 'noexec': exec: not set (required)", p);
        assert_error(c, "Web", 4, "%s:4: unit 'Web': invalid unit name (want [a-z0-9][a-z0-9_.-]{0,62})", p);
        /* every error of a unit is reported, not just the first */
        assert_error(c, "two", 9, "%s:9: unit 'two': no such option 'bogus'", p);
        assert_error(c, "two", 7, "%s:7: unit 'two': user: invalid user 'Bob' (want a name, uid or uid:gid)", p);
        assert_error(c, "two", 8, "%s:8: unit 'two': restart_delay: invalid duration 'fast'", p);
        assert_error(c, "delays", 14, "%s:14: unit 'delays': restart_delay_max: 5s is less than restart_delay 10s", p);
        assert_error(c, "delays", 16,
                     "%s:16: unit 'delays': start_limit_interval: must be more than 0 when start_limit is set", p);
        assert_int_equal(c->n_errors, 7);
        config_free(c);

        /* names: 63 characters are fine, 64 are not */
        long_name = malloc(65);
        memset(long_name, 'a', 64);
        long_name[64] = '\0';
        assert_true(asprintf(&text, "container %s { exec = \"/x\" }\ncontainer %s { exec = \"/x\" }\n"
                             "container 0a_.-z { exec = \"/x\" }\ncontainer _a { exec = \"/x\" }\n",
                             long_name + 1, long_name) > 0);
        p4 = write_unit(f, "names.conf", text);
        c = load_one(p4);
        assert_int_equal(c->n_units, 2);
        assert_string_equal(c->units[0]->name, long_name + 1);
        assert_string_equal(c->units[1]->name, "0a_.-z");
        assert_int_equal(c->n_errors, 2);
        assert_error(c, long_name, 2, "%s:2: unit '%s': invalid unit name (want [a-z0-9][a-z0-9_.-]{0,62})",
                     p4, long_name);
        assert_error(c, "_a", 4, "%s:4: unit '_a': invalid unit name (want [a-z0-9][a-z0-9_.-]{0,62})", p4);
        config_free(c);
}

/* ---- files that fail as a whole ---- */

static void test_bad_file_does_not_stop_others(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *a = write_unit(f, "a.conf", "container a { exec = {\"/a\"} }\n");
        _cleanup_free_ char *b = write_unit(f, "broken.conf",
                "container b1 {\n"
                "    exec = {\"/b\"}\n"
                "}\n"
                "container b2 {\n"
                "    exec = = \"1\"\n"
                "}\n");
        _cleanup_free_ char *d = write_unit(f, "dup.conf",
                "container d {\n"
                "    exec = {\"/d\"}\n"
                "}\n"
                "container d {\n"
                "    exec = {\"/d\"}\n"
                "}\n");
        _cleanup_free_ char *t = write_unit(f, "top.conf",
                "contianer t {\n"
                "    exec = {\"/t\"}\n"
                "}\n"
                "container t2 { exec = {\"/t2\"} }\n"
                "stray = 1\n");
        _cleanup_free_ char *q = write_unit(f, "quote.conf", "container q { exec = \"/q }\n");
        _cleanup_free_ char *z = write_unit(f, "z.conf", "container z { exec = {\"/z\"} }\n");

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_units, 2);
        assert_string_equal(c->units[0]->name, "a");
        assert_string_equal(c->units[1]->name, "z");
        assert_error(c, "broken", 5, "%s:5: unexpected token '='", b);
        /* a duplicate within a file: libconfuse refuses the file */
        assert_error(c, "dup", 4, "%s:4: found duplicate title 'd'", d);
        /* unknown top-level keys fail the file, so a typo cannot hide a unit */
        assert_error(c, "top", 1, "%s:1: no such option 'contianer'", t);
        assert_error(c, "top", 5, "%s:5: no such option 'stray'", t);
        assert_error(c, "quote", 2, "%s:2: premature end of file", q);
        assert_int_equal(c->n_errors, 5);
        config_free(c);
}

static void test_duplicate_across_files(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *a = write_unit(f, "a.conf", "\ncontainer web { exec = {\"/a\"} }\n");
        _cleanup_free_ char *b = write_unit(f, "b.conf",
                "container other { exec = {\"/o\"} }\n"
                "\n"
                "container web { exec = {\"/b\"} }\n");

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_units, 2);
        assert_string_equal(c->units[0]->name, "web");
        assert_string_equal(c->units[0]->file, a);
        assert_string_equal(c->units[0]->exec[0], "/a");
        assert_string_equal(c->units[1]->name, "other");
        assert_int_equal(c->n_errors, 1);
        assert_error(c, "web", 3, "%s:3: unit 'web': duplicate unit name, first defined at %s:2", b, a);
        config_free(c);
}

static void test_too_many_units(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        size_t len = 0;
        char *text = NULL;
        FILE *m = open_memstream(&text, &len);
        _cleanup_free_ char *p = NULL;

        assert_non_null(m);
        for (int i = 0; i <= CONFIG_MAX_UNITS; i++)
                fprintf(m, "container u%d { exec = \"/x\" }\n", i);
        assert_int_equal(fclose(m), 0);
        p = write_unit(f, "many.conf", text);
        free(text);

        c = load_one(p);
        assert_int_equal(c->n_units, CONFIG_MAX_UNITS);
        assert_int_equal(c->n_errors, 1);
        assert_error(c, "u1024", 1025, "%s:1025: unit 'u1024': too many units (limit 1024)", p);
        config_free(c);
}

/* ---- requires ---- */

static void test_requires_errors(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *a = write_unit(f, "a.conf",
                "container app {\n"
                "    exec = {\"/bin/app\"}\n"
                "    requires = {\"cache\",\n"
                "                \"db\"}\n"
                "}\n"
                "container db {\n"
                "    exec = {\"/bin/db\"}\n"
                "    requires = {\"missing\"}\n"
                "}\n"
                "container front {\n"
                "    exec = {\"/bin/front\"}\n"
                "    requires = {\"app\"}\n"
                "}\n"
                "container solo {\n"
                "    exec = {\"/bin/solo\"}\n"
                "    requires = {\"broken\"}\n"
                "}\n"
                "container lone {\n"
                "    exec = {\"/bin/lone\"}\n"
                "    requires = {\"bad\"}\n"
                "}\n"
                "container cache {\n"
                "    exec = {\"/bin/cache\"}\n"
                "}\n"
                "container web {\n"
                "    exec = {\"/bin/web\"}\n"
                "    requires = {\"cache\", \"good\"}\n"
                "}\n");
        _cleanup_free_ char *b = write_unit(f, "broken.conf", "container broken {\n");
        _cleanup_free_ char *d = write_unit(f, "c.conf",
                "container bad { exec = {\"/bad\"} restart = sometimes }\n"
                "container good { exec = {\"/good\"} }\n");

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_units, 3);
        assert_string_equal(c->units[0]->name, "cache");
        assert_string_equal(c->units[1]->name, "web");
        assert_string_equal(c->units[2]->name, "good");
        assert_error(c, "db", 8, "%s:8: unit 'db': requires: unknown unit 'missing'", a);
        /* the line of the list element */
        assert_error(c, "app", 4, "%s:4: unit 'app': requires: unit 'db' failed to load", a);
        assert_error(c, "front", 12, "%s:12: unit 'front': requires: unit 'app' failed to load", a);
        assert_error(c, "solo", 16, "%s:16: unit 'solo': requires: unit 'broken' failed to load", a);
        assert_error(c, "lone", 20, "%s:20: unit 'lone': requires: unit 'bad' failed to load", a);
        /* libconfuse 3.3 would take a section cut short by EOF */
        assert_error(c, "broken", 2,
                     "%s:2: premature end of file: '}' missing for the section at line 1", b);
        assert_error(c, "bad", 1,
                     "%s:1: unit 'bad': restart: invalid value 'sometimes' (want no, on-failure or always)", d);
        assert_int_equal(c->n_errors, 7);
        config_free(c);
}

static void test_cycles(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *p = write_unit(f, "cyc.conf",
                "container a {\n"
                "    exec = {\"/a\"}\n"
                "    requires = {\"b\"}\n"
                "}\n"
                "container b {\n"
                "    exec = {\"/b\"}\n"
                "    requires = {\"c\",\n"
                "                \"a\"}\n"
                "}\n"
                "container c {\n"
                "    exec = {\"/c\"}\n"
                "}\n"
                "container d {\n"
                "    exec = {\"/d\"}\n"
                "    requires = {\"a\"}\n"
                "}\n"
                "container x { exec = {\"/x\"} requires = {\"y\"} }\n"
                "container y { exec = {\"/y\"} requires = {\"z\"} }\n"
                "container z { exec = {\"/z\"} requires = {\"x\", \"c\"} }\n");

        c = load_one(p);
        assert_int_equal(c->n_units, 1);
        assert_string_equal(c->units[0]->name, "c");
        assert_null(find_unit(c, "a"));
        assert_non_null(find_unit(c, "c"));
        assert_error(c, "a", 3, "%s:3: unit 'a': requires: dependency cycle a -> b -> a", p);
        assert_error(c, "b", 8, "%s:8: unit 'b': requires: dependency cycle b -> a -> b", p);
        assert_error(c, "x", 17, "%s:17: unit 'x': requires: dependency cycle x -> y -> z -> x", p);
        assert_error(c, "y", 18, "%s:18: unit 'y': requires: dependency cycle y -> z -> x -> y", p);
        assert_error(c, "z", 19, "%s:19: unit 'z': requires: dependency cycle z -> x -> y -> z", p);
        assert_error(c, "d", 15, "%s:15: unit 'd': requires: unit 'a' failed to load", p);
        assert_int_equal(c->n_errors, 6);
        config_free(c);
}

/* ---- sup.conf ---- */

static void test_global_config(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *units = NULL, *sub = NULL;
        _cleanup_free_ char *g = write_file(f->dir, "sup.conf",
                "units_dir = \"myunits\"\n"
                "state_dir = \"/srv/sup\"\n"
                "shutdown_timeout = 1min\n"
                "control_group = wheel\n");
        _cleanup_free_ char *u = write_unit(f, "ignored.conf", "container ignored { exec = \"/x\" }\n");

        assert_true(asprintf(&sub, "%s/myunits", f->dir) > 0);
        assert_int_equal(mkdir(sub, 0755), 0);
        _cleanup_free_ char *m = write_file(sub, "m.conf", "container m { exec = \"/m\" }\n");

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_errors, 0);
        assert_false(c->global_error);
        assert_string_equal(c->units_dir, sub);
        assert_string_equal(c->state_dir, "/srv/sup");
        assert_int_equal(c->shutdown_timeout, 60 * USEC_PER_SEC);
        assert_string_equal(c->control_group, "wheel");
        assert_int_equal(c->n_units, 1);
        assert_string_equal(c->units[0]->name, "m");
        config_free(c);

        /* an absolute units_dir is taken as is */
        _cleanup_free_ char *g2 = NULL;
        assert_true(asprintf(&units, "units_dir = \"%s\"\n", f->units) > 0);
        g2 = write_file(f->dir, "sup.conf", units);
        assert_int_equal(config_load(f->dir, &c), 0);
        assert_string_equal(c->units_dir, f->units);
        assert_int_equal(c->n_units, 1);
        assert_string_equal(c->units[0]->name, "ignored");
        config_free(c);
}

static void test_global_errors(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *units = NULL;
        _cleanup_free_ char *u = write_unit(f, "a.conf", "container a { exec = \"/a\" }\n");
        _cleanup_free_ char *g = write_file(f->dir, "sup.conf",
                "# global\n"
                "shutdown_timeout = soon\n"
                "foo = 1\n"
                "state_dir = \"relative\"\n"
                "control_group = \"Bad Group\"\n"
                "units_dir = \"units\"\n"
                "bridge br0 { address = \"x\" }\n");

        assert_int_equal(config_load(f->dir, &c), 0);
        assert_true(c->global_error);
        assert_error(c, NULL, 2, "%s:2: shutdown_timeout: invalid duration 'soon'", g);
        assert_error(c, NULL, 3, "%s:3: no such option 'foo'", g);
        assert_error(c, NULL, 4, "%s:4: state_dir: not an absolute path 'relative'", g);
        assert_error(c, NULL, 5, "%s:5: control_group: invalid group 'Bad Group' (want a name or gid)", g);
        assert_error(c, NULL, 7, "%s:7: no such option 'bridge'", g);
        assert_int_equal(c->n_errors, 5);
        /* bad keys keep their defaults, good ones apply, units still load */
        assert_int_equal(c->shutdown_timeout, 30 * USEC_PER_SEC);
        assert_string_equal(c->state_dir, "/var/lib/sup");
        assert_string_equal(c->control_group, "root");
        assert_string_equal(c->units_dir, f->units);
        assert_int_equal(c->n_units, 1);
        config_free(c);

        /* a syntax error: every default, units from the default dir */
        _cleanup_free_ char *g2 = write_file(f->dir, "sup.conf",
                "state_dir = \"/srv\"\n"
                "units_dir = = \"x\"\n");
        assert_int_equal(config_load(f->dir, &c), 0);
        assert_true(c->global_error);
        assert_int_equal(c->n_errors, 1);
        assert_error(c, NULL, 2, "%s:2: unexpected token '='", g2);
        assert_string_equal(c->state_dir, "/var/lib/sup");
        assert_string_equal(c->units_dir, f->units);
        assert_int_equal(c->n_units, 1);
        config_free(c);

        /* a units_dir that does not exist (yet) holds no units */
        _cleanup_free_ char *g3 = write_file(f->dir, "sup.conf", "units_dir = \"nonexistent\"\n");
        assert_int_equal(config_load(f->dir, &c), 0);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 0);
        config_free(c);

        /* an unreadable units_dir is the one hard failure */
        _cleanup_free_ char *g4 = write_file(f->dir, "sup.conf", "units_dir = \"sup.conf\"\n");
        c = NULL;
        assert_int_equal(config_load(f->dir, &c), -ENOTDIR);
        assert_null(c);
        (void)units;
}

/* ---- config_load_files ---- */

static void test_load_files(void **state) {
        struct fixture *f = *state;
        struct sup_config *c = NULL;
        _cleanup_free_ char *sub = NULL, *missing = NULL;
        _cleanup_free_ char *one = write_file(f->dir, "one.unit", "container one { exec = \"/1\" }\n");
        _cleanup_free_ char *a = write_unit(f, "a.conf", "container a { exec = \"/a\" requires = {\"one\"} }\n");
        _cleanup_free_ char *b = write_unit(f, "b.conf", "container b { exec = \"/b\" requires = {\"gone\"} }\n");

        assert_true(asprintf(&missing, "%s/missing.conf", f->dir) > 0);
        char *paths[] = { one, f->units, missing };
        assert_int_equal(config_load_files(paths, 3, &c), 0);
        assert_null(c->units_dir);
        assert_false(c->global_error);
        assert_int_equal(c->n_units, 2);
        assert_string_equal(c->units[0]->name, "one");
        assert_string_equal(c->units[1]->name, "a");
        assert_error(c, "b", 1, "%s:1: unit 'b': requires: unknown unit 'gone'", b);
        assert_error(c, "missing", 0, "%s: cannot read: No such file or directory", missing);
        assert_int_equal(c->n_errors, 2);
        config_free(c);

        /* nothing at all is fine */
        assert_int_equal(config_load_files(NULL, 0, &c), 0);
        assert_int_equal(c->n_units, 0);
        assert_int_equal(c->n_errors, 0);
        config_free(c);
        (void)sub;
}

/* ---- helpers ---- */

static void test_unit_config_equal(void **state) {
        struct fixture *f = *state;
        struct sup_config *c1, *c2;
        struct unit_config *u1, *u2;
        const char *body =
                "container web {\n"
                "    exec = {\"/bin/httpd\", \"-f\"}\n"
                "    env = {\"A=1\"}\n"
                "    requires = {\"db\"}\n"
                "    user = \"www\"\n"
                "    success_exit_status = {0, 1}\n"
                "}\n"
                "container db { exec = \"/db\" }\n";
        _cleanup_free_ char *shifted = NULL;
        _cleanup_free_ char *p1 = write_unit(f, "one.conf", body);

        assert_true(asprintf(&shifted, "\n\n# moved\n%s", body) > 0);
        _cleanup_free_ char *p2 = write_unit(f, "two.conf", shifted);
        c1 = load_one(p1);
        c2 = load_one(p2);
        assert_int_equal(c1->n_units, 2);
        assert_int_equal(c2->n_units, 2);
        u1 = c1->units[0];
        u2 = c2->units[0];
        assert_int_not_equal(u1->line, u2->line);
        assert_true(unit_config_equal(u1, u2)); /* file and line do not count */
        assert_true(unit_config_equal(u1, u1));
        assert_false(unit_config_equal(u1, c1->units[1]));
        assert_false(unit_config_equal(u1, NULL));
        assert_true(unit_config_equal(NULL, NULL));

        u2->stop_timeout++;
        assert_false(unit_config_equal(u1, u2));
        u2->stop_timeout--;
        u2->autostart = false;
        assert_false(unit_config_equal(u1, u2));
        u2->autostart = true;
        u2->success_exit_status[1] = 2;
        assert_false(unit_config_equal(u1, u2));
        u2->success_exit_status[1] = 1;
        u2->n_success_exit_status = 1;
        assert_false(unit_config_equal(u1, u2));
        u2->n_success_exit_status = 2;
        u2->exec[1][1] = 'g';
        assert_false(unit_config_equal(u1, u2));
        u2->exec[1][1] = 'f';
        free(u2->exec[1]);
        u2->exec[1] = NULL; /* shorter argv */
        assert_false(unit_config_equal(u1, u2));
        u2->exec[1] = strdup("-f");
        u2->env[0][2] = '2';
        assert_false(unit_config_equal(u1, u2));
        u2->env[0][2] = '1';
        free(u2->user);
        u2->user = NULL;
        assert_false(unit_config_equal(u1, u2));
        u2->user = strdup("www");
        u2->restart = RESTART_NO;
        assert_false(unit_config_equal(u1, u2));
        u2->restart = RESTART_ON_FAILURE;
        assert_true(unit_config_equal(u1, u2));

        /* a unit handed out of units[] may leave a NULL behind */
        u2 = TAKE_PTR(c2->units[0]);
        assert_null(unit_config_free(u2));
        config_free(c1);
        assert_null(config_free(c2));
        assert_null(config_free(NULL));
}

static void test_restart_mode_to_string(void **state) {
        (void)state;
        assert_string_equal(restart_mode_to_string(RESTART_NO), "no");
        assert_string_equal(restart_mode_to_string(RESTART_ON_FAILURE), "on-failure");
        assert_string_equal(restart_mode_to_string(RESTART_ALWAYS), "always");
        assert_null(restart_mode_to_string((enum restart_mode)42));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_full_unit),
                T(test_defaults),
                T(test_multiple_units_and_order),
                T(test_list_append),
                T(test_no_env_expansion),
                T(test_comments_keep_lines),
                T(test_value_errors),
                T(test_unit_errors),
                T(test_bad_file_does_not_stop_others),
                T(test_duplicate_across_files),
                T(test_too_many_units),
                T(test_requires_errors),
                T(test_cycles),
                T(test_global_config),
                T(test_global_errors),
                T(test_load_files),
                T(test_unit_config_equal),
                cmocka_unit_test(test_restart_mode_to_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
