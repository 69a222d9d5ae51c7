/* Unit tests for config/: the step-2 keys (rootfs/layers, writable, volume, tmpfs,
 * hostname, network, userns, init, capabilities, seccomp, no_new_privileges). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "config.h"
#include "test_config_fixture.h"

#define CAP(n) (UINT64_C(1) << (n))
/* from linux/capability.h, which we do not want to depend on here */
#define CAP_KILL 5
#define CAP_NET_BIND_SERVICE 10
#define CAP_SYS_TIME 25

static void test_container_keys(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "web.conf",
                "container web {\n"
                "    exec = {\"/bin/httpd\"}\n"
                "    rootfs = \"/var/lib/sup/images//busybox/\"\n"
                "    writable = \"persistent\"\n"
                "    volume \"/data\" { source = \"/var/lib/sup/volumes/web\" readonly = false }\n"
                "    volume \"/etc/conf/\" {\n"
                "        source = \"/srv/./conf\"\n"
                "        readonly = true\n"
                "    }\n"
                "    volume /srv { source = /srv }\n"
                "    tmpfs \"/tmp\" { size = 16M }\n"
                "    tmpfs /run { }\n"
                "    hostname = \"Web-1.example\"\n"
                "    network = \"host\"\n"
                "    userns = true\n"
                "    init = yes\n"
                "    capabilities = {\"CAP_NET_BIND_SERVICE\", \"sys_time\", \"Cap_Kill\"}\n"
                "    seccomp = \"unconfined\"\n"
                "    no_new_privileges = false\n"
                "}\n"
                "container multi {\n"
                "    exec = \"/m\"\n"
                "    layers = {\"/top\", \"/mid/\",\n"
                "              \"/\"}\n"
                "    writable = none\n"
                "    seccomp = default\n"
                "    network = none\n"
                "    capabilities = {}\n"
                "}\n");

        c = load_one(p);
        if (c->n_errors)
                dump_errors(c);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 2);

        u = c->units[0];
        assert_strv(u->layers, (const char *[]){ "/var/lib/sup/images/busybox" }, 1);
        assert_int_equal(u->writable, WRITABLE_PERSISTENT);
        assert_int_equal(u->n_volumes, 3);
        assert_string_equal(u->volumes[0].path, "/data");
        assert_string_equal(u->volumes[0].source, "/var/lib/sup/volumes/web");
        assert_false(u->volumes[0].readonly);
        assert_string_equal(u->volumes[1].path, "/etc/conf");
        assert_string_equal(u->volumes[1].source, "/srv/conf");
        assert_true(u->volumes[1].readonly);
        assert_string_equal(u->volumes[2].path, "/srv");
        assert_string_equal(u->volumes[2].source, "/srv");
        assert_false(u->volumes[2].readonly);
        assert_int_equal(u->n_tmpfs, 2);
        assert_string_equal(u->tmpfs[0].path, "/tmp");
        assert_int_equal(u->tmpfs[0].size, 16 * 1024 * 1024);
        assert_string_equal(u->tmpfs[1].path, "/run");
        assert_int_equal(u->tmpfs[1].size, 0);
        assert_string_equal(u->hostname, "Web-1.example");
        assert_int_equal(u->network, NETWORK_HOST);
        assert_true(u->userns);
        assert_true(u->init);
        assert_int_equal(u->capabilities, CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_TIME) | CAP(CAP_KILL));
        assert_false(u->seccomp);
        assert_false(u->no_new_privileges);

        u = c->units[1];
        assert_strv(u->layers, (const char *[]){ "/top", "/mid", "/" }, 3);
        assert_int_equal(u->writable, WRITABLE_NONE);
        assert_true(u->seccomp);
        assert_int_equal(u->network, NETWORK_NONE);
        assert_int_equal(u->capabilities, 0);
        assert_int_equal(u->n_volumes, 0);
        assert_int_equal(u->n_tmpfs, 0);
        config_free(c);
}

static void test_container_defaults(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "d.conf",
                "container my_app.1 { exec = \"/bin/true\" }\n");

        c = load_one(p);
        assert_int_equal(c->n_errors, 0);
        assert_int_equal(c->n_units, 1);
        u = c->units[0];
        assert_non_null(u->layers); /* empty: the host's / is the lower layer */
        assert_null(u->layers[0]);
        assert_int_equal(u->writable, WRITABLE_TMPFS);
        assert_int_equal(u->n_volumes, 0);
        assert_null(u->volumes);
        assert_int_equal(u->n_tmpfs, 0);
        assert_null(u->tmpfs);
        /* the unit's name, as it is (the kernel takes any 64 bytes) */
        assert_string_equal(u->hostname, "my_app.1");
        assert_int_equal(u->network, NETWORK_NONE);
        assert_false(u->userns);
        assert_false(u->init);
        assert_int_equal(u->capabilities, 0);
        assert_true(u->seccomp);
        assert_true(u->no_new_privileges);
        config_free(c);
}

/* Each in its own file, on line 3; the error after "FILE:3: unit 'x': ". */
static void test_container_value_errors(void **state) {
        static const struct value_case t[] = {
                { "rootfs = \"images/busybox\"", "rootfs: not an absolute path 'images/busybox'" },
                { "rootfs = \"\"", "rootfs: not an absolute path ''" },
                { "rootfs = \"/a/../b\"", "rootfs: path '/a/../b' contains '..'" },
                { "rootfs = \"/img:x\"", "rootfs: layer path '/img:x' contains ':' (overlayfs option syntax)" },
                { "rootfs = \"/img,x\"", "rootfs: layer path '/img,x' contains ',' (overlayfs option syntax)" },
                { "rootfs = \"/img\\\\x\"", "rootfs: layer path '/img\\x' contains '\\' (overlayfs option syntax)" },
                { "layers = {\"/top\", \"rel\"}", "layers: not an absolute path 'rel'" },
                { "layers = {\"/top\", \"/..\"}", "layers: path '/..' contains '..'" },
                { "layers = {\"/a:b\"}", "layers: layer path '/a:b' contains ':' (overlayfs option syntax)" },
                { "layers = {}", "layers: empty list" },
                { "rootfs = \"/a\" layers = {\"/b\"}", "layers: cannot be combined with rootfs" },
                { "writable = \"rw\"", "writable: invalid value 'rw' (want tmpfs, persistent or none)" },
                { "writable = \"TMPFS\"", "writable: invalid value 'TMPFS' (want tmpfs, persistent or none)" },
                { "hostname = \"web_1\"",
                  "hostname: invalid hostname 'web_1' (want dot-separated labels of letters, digits and "
                  "'-', at most 64 characters)" },
                { "hostname = \"-web\"",
                  "hostname: invalid hostname '-web' (want dot-separated labels of letters, digits and "
                  "'-', at most 64 characters)" },
                { "hostname = \"web.\"",
                  "hostname: invalid hostname 'web.' (want dot-separated labels of letters, digits and "
                  "'-', at most 64 characters)" },
                { "hostname = \"\"",
                  "hostname: invalid hostname '' (want dot-separated labels of letters, digits and "
                  "'-', at most 64 characters)" },
                { "hostname = \"${HOSTNAME}\"",
                  "hostname: invalid hostname '${HOSTNAME}' (want dot-separated labels of letters, "
                  "digits and '-', at most 64 characters)" },
                { "network = \"bridge\"", "network: 'bridge' is not supported yet" },
                { "network = nat", "network: invalid value 'nat' (want none or host)" },
                { "userns = maybe", "userns: invalid boolean 'maybe'" },
                { "init = 2", "init: invalid boolean '2'" },
                { "no_new_privileges = \"\"", "no_new_privileges: invalid boolean ''" },
                { "capabilities = {\"CAP_FOO\"}", "capabilities: unknown capability 'CAP_FOO'" },
                { "capabilities = {\"CAP_\"}", "capabilities: unknown capability 'CAP_'" },
                { "capabilities = {\"\"}", "capabilities: unknown capability ''" },
                { "capabilities = {\"12\"}", "capabilities: unknown capability '12'" },
                { "capabilities = {\"CAP_CAP_KILL\"}", "capabilities: unknown capability 'CAP_CAP_KILL'" },
                { "seccomp = strict", "seccomp: invalid value 'strict' (want default or unconfined)" },
                { "volume \"data\" { source = \"/x\" }", "volume 'data': not an absolute path 'data'" },
                { "volume \"\" { source = \"/x\" }", "volume '': not an absolute path ''" },
                { "volume \"/\" { source = \"/x\" }", "volume '/': cannot mount over /" },
                { "volume \"//.\" { source = \"/x\" }", "volume '//.': cannot mount over /" },
                { "volume \"/a/../b\" { source = \"/x\" }", "volume '/a/../b': path '/a/../b' contains '..'" },
                { "volume \"/d\" { }", "volume '/d': source: not set (required)" },
                { "volume \"/d\" { source = \"rel\" }", "volume '/d': source: not an absolute path 'rel'" },
                { "volume \"/d\" { source = \"/v/..\" }", "volume '/d': source: path '/v/..' contains '..'" },
                { "volume \"/d\" { source = \"/x\" readonly = maybe }", "volume '/d': readonly: invalid boolean 'maybe'" },
                { "volume \"/d\" { source = \"/x\" size = 1M }", "volume '/d': no such option 'size'" },
                { "volume \"/d\" { source = \"/x\" opts { a = 1 } }", "volume '/d': no such option 'opts'" },
                { "volume \"/d\" { source = \"/x\" f(1) }", "volume '/d': no such option 'f'" },
                { "tmpfs \"/\" { }", "tmpfs '/': cannot mount over /" },
                { "tmpfs \"tmp\" { }", "tmpfs 'tmp': not an absolute path 'tmp'" },
                { "tmpfs \"/tmp\" { size = big }", "tmpfs '/tmp': size: invalid size 'big'" },
                { "tmpfs \"/tmp\" { size = -1 }", "tmpfs '/tmp': size: invalid size '-1'" },
                { "tmpfs \"/tmp\" { size = 99999999999G }", "tmpfs '/tmp': size: size '99999999999G' out of range" },
                { "tmpfs \"/tmp\" { source = \"/x\" }", "tmpfs '/tmp': no such option 'source'" },
                /* later steps' keys are not accepted before they do something */
                { "bridge = \"br0\"", "no such option 'bridge'" },
                { "address = \"192.0.2.10/24\"", "no such option 'address'" },
                { "gateway = \"192.0.2.1\"", "no such option 'gateway'" },
        };
        struct fixture *f = *state;

        assert_value_errors(f, t, sizeof t / sizeof t[0]);
}

/* Errors name the line of the value, of the key in a section, or of the section. */
static void test_container_error_lines(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        _cleanup_free_ char *p = write_unit(f, "l.conf",
                "container v {\n"                      /* 1 */
                "    exec = \"/v\"\n"
                "    volume \"/data\" {\n"
                "        source = \"rel\"\n"
                "        readonly = maybe\n"           /* 5 */
                "        bogus = 1\n"
                "    }\n"
                "    capabilities = {\"kill\",\n"
                "                    \"nope\"}\n"
                "    layers = {\"/a\",\n"              /* 10 */
                "              \"b\",\n"
                "              \"/c,d\"}\n"
                "}\n"
                "container d {\n"
                "    exec = \"/d\"\n"                  /* 15 */
                "    volume \"/data\" { source = \"/a\" }\n"
                "    volume \"//data/./\" { source = \"/b\" }\n"
                "    tmpfs \"/data\" { }\n"
                "    tmpfs \"/tmp\" { }\n"
                "    tmpfs \"/tmp/\" { size = 1K }\n"  /* 20 */
                "}\n"
                "container both {\n"
                "    exec = \"/b\"\n"
                "    layers = {\"/a\",\n"
                "              \"/b:c\"}\n"            /* 25 */
                "    rootfs = \"/img\"\n"
                "}\n");

        c = load_one(p);
        assert_int_equal(c->n_units, 0);
        assert_error(c, "v", 4, "%s:4: unit 'v': volume '/data': source: not an absolute path 'rel'", p);
        assert_error(c, "v", 5, "%s:5: unit 'v': volume '/data': readonly: invalid boolean 'maybe'", p);
        assert_error(c, "v", 6, "%s:6: unit 'v': volume '/data': no such option 'bogus'", p);
        assert_error(c, "v", 9, "%s:9: unit 'v': capabilities: unknown capability 'nope'", p);
        assert_error(c, "v", 11, "%s:11: unit 'v': layers: not an absolute path 'b'", p);
        assert_error(c, "v", 12,
                     "%s:12: unit 'v': layers: layer path '/c,d' contains ',' (overlayfs option syntax)", p);
        /* a path is mounted on once, whatever its spelling */
        assert_error(c, "d", 17, "%s:17: unit 'd': volume '//data/./': path '/data' is already a volume", p);
        assert_error(c, "d", 18, "%s:18: unit 'd': tmpfs '/data': path '/data' is already a volume", p);
        assert_error(c, "d", 20, "%s:20: unit 'd': tmpfs '/tmp/': path '/tmp' is already a tmpfs", p);
        assert_error(c, "both", 24, "%s:24: unit 'both': layers: cannot be combined with rootfs", p);
        assert_int_equal(c->n_errors, 10);
        config_free(c);
}

static void test_container_file_errors(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *text = NULL, *many = NULL;
        size_t len = 0;
        FILE *m;
        /* the same title twice: libconfuse would keep only the last, so it refuses the file */
        _cleanup_free_ char *p = write_unit(f, "dup.conf",
                "container x {\n"
                "    exec = \"/x\"\n"
                "    volume \"/d\" { source = \"/a\" }\n"
                "    volume \"/d\" { source = \"/b\" }\n"
                "}\n");
        _cleanup_free_ char *q = write_unit(f, "notitle.conf",
                "container y {\n"
                "    exec = \"/y\"\n"
                "    tmpfs { size = 1M }\n"
                "}\n");
        _cleanup_free_ char *r = write_unit(f, "open.conf",
                "container z {\n"
                "    exec = \"/z\"\n"
                "    tmpfs \"/t\" {\n"
                "}\n");

        assert_file_fails(p, "dup", 4, "%s:4: found duplicate title '/d'", p);

        assert_file_fails(q, "notitle", 3, "%s:3: missing title for section 'tmpfs'", q);

        assert_file_fails(r, "open", 5, "%s:5: premature end of file: '}' missing for the section at line 1", r);

        /* a limit on sections */
        m = open_memstream(&text, &len);
        assert_non_null(m);
        fprintf(m, "container many {\n    exec = \"/m\"\n");
        for (int i = 0; i <= CONFIG_MAX_MOUNTS; i++)
                fprintf(m, "    volume \"/v%d\" { source = \"/s\" }\n", i);
        fprintf(m, "}\n");
        assert_int_equal(fclose(m), 0);
        many = write_unit(f, "many.conf", text);
        assert_file_fails(many, "many", 1, "%s:1: unit 'many': volume: too many sections (257, limit 256)", many);
}

static void test_container_no_env_expansion(void **state) {
        struct fixture *f = *state;
        struct sup_config *c;
        const struct unit_config *u;
        _cleanup_free_ char *p = write_unit(f, "e.conf",
                "container e {\n"
                "    exec = \"/e\"\n"
                "    rootfs = \"/img/${HOME}\"\n"
                "    volume \"/v/${HOME}\" { source = \"/s/${B:-x}\" }\n"
                "    tmpfs \"/t/$HOME\" { size = \"1M\" }\n"
                "    hostname = \"web\"\n"
                "}\n");

        assert_int_equal(setenv("HOME", "/home/expanded", 1), 0);
        assert_int_equal(setenv("B", "bee", 1), 0);
        c = load_one(p);
        if (c->n_errors)
                dump_errors(c);
        assert_int_equal(c->n_errors, 0);
        u = c->units[0];
        assert_strv(u->layers, (const char *[]){ "/img/${HOME}" }, 1);
        assert_string_equal(u->volumes[0].path, "/v/${HOME}");
        assert_string_equal(u->volumes[0].source, "/s/${B:-x}");
        assert_string_equal(u->tmpfs[0].path, "/t/$HOME");
        assert_string_equal(u->hostname, "web");
        config_free(c);
}

static void test_container_equal(void **state) {
        struct fixture *f = *state;
        struct sup_config *c1, *c2;
        struct unit_config *u1, *u2;
        const char *body =
                "container web {\n"
                "    exec = \"/w\"\n"
                "    layers = {\"/top\", \"/base\"}\n"
                "    volume \"/a\" { source = \"/sa\" }\n"
                "    volume \"/b\" { source = \"/sb\" readonly = true }\n"
                "    tmpfs \"/t1\" { size = 1M }\n"
                "    tmpfs \"/t2\" { }\n"
                "    capabilities = {\"kill\"}\n"
                "}\n";
        _cleanup_free_ char *p1 = write_unit(f, "one.conf", body);
        _cleanup_free_ char *p2 = write_unit(f, "two.conf", body);
        struct volume_config v;
        struct tmpfs_config t;
        char *s;

        c1 = load_one(p1);
        c2 = load_one(p2);
        assert_int_equal(c1->n_units, 1);
        assert_int_equal(c2->n_units, 1);
        u1 = c1->units[0];
        u2 = c2->units[0];
        assert_true(unit_config_equal(u1, u2));

#define FLIP(expr)                                        \
        do {                                              \
                expr;                                     \
                assert_false(unit_config_equal(u1, u2));  \
                expr;                                     \
                assert_true(unit_config_equal(u1, u2));   \
        } while (0)
        FLIP(u2->writable = u2->writable == WRITABLE_TMPFS ? WRITABLE_NONE : WRITABLE_TMPFS);
        FLIP(u2->network = u2->network == NETWORK_NONE ? NETWORK_HOST : NETWORK_NONE);
        FLIP(u2->userns = !u2->userns);
        FLIP(u2->init = !u2->init);
        FLIP(u2->seccomp = !u2->seccomp);
        FLIP(u2->no_new_privileges = !u2->no_new_privileges);
        FLIP(u2->capabilities ^= CAP(CAP_SYS_TIME));
        FLIP(u2->volumes[1].readonly = !u2->volumes[1].readonly);
        FLIP(u2->volumes[0].source[1] ^= 1);
        FLIP(u2->volumes[0].path[1] ^= 1);
        FLIP(u2->tmpfs[0].size ^= 1);
        FLIP(u2->tmpfs[1].path[1] ^= 1);
        FLIP(u2->layers[1][1] ^= 1);
        FLIP(u2->hostname[0] ^= 1);
        /* order counts: volumes and tmpfs mount in order, and layers stack in order */
        FLIP(v = u2->volumes[0]; u2->volumes[0] = u2->volumes[1]; u2->volumes[1] = v);
        FLIP(t = u2->tmpfs[0]; u2->tmpfs[0] = u2->tmpfs[1]; u2->tmpfs[1] = t);
        FLIP(s = u2->layers[0]; u2->layers[0] = u2->layers[1]; u2->layers[1] = s);
        /* and count */
        FLIP(u2->n_volumes ^= 1);
        FLIP(u2->n_tmpfs ^= 1);
#undef FLIP
        s = u2->layers[1];
        u2->layers[1] = NULL;
        assert_false(unit_config_equal(u1, u2));
        u2->layers[1] = s;
        assert_true(unit_config_equal(u1, u2));
        config_free(c1);
        config_free(c2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_container_keys),
                T(test_container_defaults),
                T(test_container_value_errors),
                T(test_container_error_lines),
                T(test_container_file_errors),
                T(test_container_no_env_expansion),
                T(test_container_equal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
