/* supconf: the global file CONFIG_DIR/sup.conf. */
#pragma once

struct sup_config;

/* Sets c->units_dir (CONFIG_DIR/units unless sup.conf says otherwise) and the global
 * keys from config_dir/sup.conf, which may be missing. A bad value keeps that key's
 * default, a syntax error every default; both are recorded in c with global_error set.
 * 0 or -ENOMEM. */
int supconf_load(struct sup_config *c, const char *config_dir);
