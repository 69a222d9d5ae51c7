/* config-util: string-vector and path helpers shared by the config modules. Header-only
 * (static inline) so that they never clash with a helper of the same name elsewhere in
 * libsup.a. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

static inline size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

static inline char **strv_free(char **v) {
        strv_freep(&v);
        return NULL;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

/* True when name is in the NULL-terminated list (which may be NULL). */
static inline bool name_in(const char *name, const char *const *list) {
        for (; list && *list; list++)
                if (strcmp(*list, name) == 0)
                        return true;
        return false;
}

/* "dir" + "/" + "name" (no doubled slash); NULL on OOM. */
static inline char *path_join(const char *dir, const char *name) {
        char *p = NULL;
        size_t n = strlen(dir);
        if (asprintf(&p, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name) < 0)
                return NULL;
        return p;
}
