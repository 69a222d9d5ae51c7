/* errmsg: the deep-context half of "log once, where the context is": helpers that
 * know what failed (a path, a mount) hand a message up through a ret_error
 * out-parameter; the caller that knows the unit logs it. */
#pragma once

/* Sets *ret (malloc'd, NULL if out of memory) from fmt ("%m" is errno's text) and
 * returns r, so helpers can `return errmsg_set(ret_error, -errno, "mkdir %s: %m", p)`. */
int errmsg_set(char **ret, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
