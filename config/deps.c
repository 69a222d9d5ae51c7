/* deps: resolution of "requires", failures that spread, cycles; see deps.h. */
#include "deps.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config-error.h"
#include "config-util.h"
#include "config.h"

struct graph {
        struct sup_config *c;
        struct cand *cands;
        size_t n_cands;
};

static int cand_cmp(const void *a, const void *b, void *arg) {
        const struct cand *c = arg;
        return strcmp(c[*(const size_t *)a].u->name, c[*(const size_t *)b].u->name);
}

struct name_index {
        const struct cand *cands;
        size_t *order; /* indexes sorted by name */
        size_t n;
};

static ssize_t name_index_find(const struct name_index *ix, const char *name) {
        size_t lo = 0, hi = ix->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, ix->cands[ix->order[mid]].u->name);
                if (c == 0)
                        return (ssize_t)ix->order[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -1;
}

/* "FILE:LINE: unit 'NAME': requires: text", LINE that of requires entry j. */
__attribute__((format(printf, 4, 5)))
static int cand_error(struct graph *g, size_t i, size_t j, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        struct cand *c = &g->cands[i];
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        c->dead = true;
        return config_error_add(g->c, c->u->file, c->req_lines[j], c->u->name,
                                "unit '%s': requires: %s", c->u->name, text);
}

/* Kills every unit that requires a dead one, transitively, in breadth-first order.
 * queue holds the newly dead; rdeps[d] lists (unit, entry) pairs that require d. */
struct rdep {
        size_t unit, entry;
};

static int spread_failures(struct graph *g, size_t *queue, size_t qhead, size_t qtail,
                           struct rdep **rdeps, const size_t *n_rdeps) {
        while (qhead < qtail) {
                size_t d = queue[qhead++];
                for (size_t k = 0; k < n_rdeps[d]; k++) {
                        size_t i = rdeps[d][k].unit;
                        int r;

                        if (g->cands[i].dead)
                                continue;
                        r = cand_error(g, i, rdeps[d][k].entry, "unit '%s' failed to load",
                                       g->cands[d].u->name);
                        if (r < 0)
                                return r;
                        queue[qtail++] = i;
                }
        }
        return 0;
}

struct tarjan {
        struct graph *g;
        ssize_t *index, *low;
        bool *on_stack;
        size_t *stack, sp, next;
        ssize_t *scc;   /* scc id of each unit, -1 until known */
        size_t *scc_size;
        size_t n_scc;
};

/* Recursion depth is bounded by CONFIG_MAX_UNITS. */
static void tarjan_visit(struct tarjan *t, size_t v) {
        struct cand *c = &t->g->cands[v];
        size_t n = strv_length(c->u->requires);

        t->index[v] = t->low[v] = (ssize_t)t->next++;
        t->stack[t->sp++] = v;
        t->on_stack[v] = true;
        for (size_t j = 0; j < n; j++) {
                ssize_t w = c->deps[j];
                if (w < 0 || t->g->cands[w].dead)
                        continue;
                if (t->index[w] < 0) {
                        tarjan_visit(t, (size_t)w);
                        if (t->low[w] < t->low[v])
                                t->low[v] = t->low[w];
                } else if (t->on_stack[w] && t->index[w] < t->low[v])
                        t->low[v] = t->index[w];
        }
        if (t->low[v] == t->index[v]) {
                size_t w, size = 0;
                do {
                        w = t->stack[--t->sp];
                        t->on_stack[w] = false;
                        t->scc[w] = (ssize_t)t->n_scc;
                        size++;
                } while (w != v);
                t->scc_size[t->n_scc++] = size;
        }
}

/* The shortest cycle from u back to u inside its component, as "u -> a -> u", and the
 * requires entry of u it leaves by. */
static int cycle_describe(struct graph *g, const ssize_t *scc, size_t u, size_t *queue,
                          ssize_t *parent, char **ret, size_t *ret_entry) {
        _cleanup_free_ char *s = NULL;
        size_t head = 0, tail = 0, n_path = 0, last = u;
        ssize_t *entry_of = NULL;
        bool found = false;

        for (size_t i = 0; i < g->n_cands; i++)
                parent[i] = -1;
        entry_of = calloc(g->n_cands, sizeof(ssize_t));
        if (!entry_of)
                return -ENOMEM;
        queue[tail++] = u;
        while (head < tail && !found) {
                size_t v = queue[head++];
                size_t n = strv_length(g->cands[v].u->requires);
                for (size_t j = 0; j < n && !found; j++) {
                        ssize_t w = g->cands[v].deps[j];
                        if (w < 0 || scc[w] != scc[u] || g->cands[w].dead)
                                continue;
                        if ((size_t)w == u) {
                                found = true;
                                last = v;
                                if (v == u)
                                        entry_of[u] = (ssize_t)j;
                        } else if (parent[w] < 0) {
                                parent[w] = (ssize_t)v;
                                entry_of[w] = v == u ? (ssize_t)j : entry_of[v];
                                queue[tail++] = (size_t)w;
                        }
                }
        }
        if (!found) { /* cannot happen in a component of two or more */
                free(entry_of);
                return -EINVAL;
        }
        *ret_entry = (size_t)(last == u ? entry_of[u] : entry_of[last]);
        free(entry_of);

        /* path u -> ... -> last -> u, collected backwards from last */
        for (ssize_t v = (ssize_t)last; v != (ssize_t)u; v = parent[v])
                queue[n_path++] = (size_t)v;
        if (asprintf(&s, "%s", g->cands[u].u->name) < 0)
                return -ENOMEM;
        for (size_t k = n_path; k > 0; k--) {
                char *t = NULL;
                if (asprintf(&t, "%s -> %s", s, g->cands[queue[k - 1]].u->name) < 0)
                        return -ENOMEM;
                free(s);
                s = t;
        }
        char *t = NULL;
        if (asprintf(&t, "%s -> %s", s, g->cands[u].u->name) < 0)
                return -ENOMEM;
        free(s);
        s = t;
        *ret = TAKE_PTR(s);
        return 0;
}

static int resolve(struct graph *g) {
        size_t n = g->n_cands;
        _cleanup_free_ size_t *order = NULL, *queue = NULL, *n_rdeps = NULL, *stack = NULL,
                              *scc_size = NULL;
        _cleanup_free_ ssize_t *index = NULL, *low = NULL, *scc = NULL, *parent = NULL;
        _cleanup_free_ bool *on_stack = NULL;
        _cleanup_free_ struct rdep **rdeps = NULL;
        _cleanup_free_ size_t *newly = NULL, *entries = NULL;
        char **cycles = NULL;
        size_t qtail = 0, n_newly = 0;
        int r = 0;

        if (n == 0)
                return 0;
        order = calloc(n, sizeof(size_t));
        queue = calloc(n, sizeof(size_t));
        newly = calloc(n, sizeof(size_t));
        entries = calloc(n, sizeof(size_t));
        cycles = calloc(n, sizeof(char *));
        n_rdeps = calloc(n, sizeof(size_t));
        rdeps = calloc(n, sizeof(struct rdep *));
        if (!order || !queue || !newly || !entries || !cycles || !n_rdeps || !rdeps) {
                free(cycles);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        qsort_r(order, n, sizeof(size_t), cand_cmp, g->cands);
        struct name_index ix = { .cands = g->cands, .order = order, .n = n };

        /* 1. every entry names a loaded unit */
        for (size_t i = 0; i < n; i++) {
                struct cand *c = &g->cands[i];
                size_t m = strv_length(c->u->requires);
                for (size_t j = 0; j < m; j++) {
                        const char *dep = c->u->requires[j];
                        c->deps[j] = name_index_find(&ix, dep);
                        if (c->deps[j] >= 0)
                                continue;
                        if (config_has_unit_error(g->c, dep))
                                r = cand_error(g, i, j, "unit '%s' failed to load", dep);
                        else
                                r = cand_error(g, i, j, "unknown unit '%s'", dep);
                        if (r < 0)
                                goto out;
                }
                if (c->dead)
                        queue[qtail++] = i;
        }

        /* reverse edges */
        for (size_t i = 0; i < n; i++) {
                size_t m = strv_length(g->cands[i].u->requires);
                for (size_t j = 0; j < m; j++) {
                        ssize_t d = g->cands[i].deps[j];
                        struct rdep *x;
                        if (d < 0)
                                continue;
                        x = reallocarray(rdeps[d], n_rdeps[d] + 1, sizeof(*x));
                        if (!x) {
                                r = -ENOMEM;
                                goto out;
                        }
                        rdeps[d] = x;
                        rdeps[d][n_rdeps[d]++] = (struct rdep){ i, j };
                }
        }

        /* 2. units that require a dead unit die too */
        r = spread_failures(g, queue, 0, qtail, rdeps, n_rdeps);
        if (r < 0)
                goto out;

        /* 3. cycles among the living: every member fails, naming its cycle */
        index = calloc(n, sizeof(ssize_t));
        low = calloc(n, sizeof(ssize_t));
        scc = calloc(n, sizeof(ssize_t));
        parent = calloc(n, sizeof(ssize_t));
        on_stack = calloc(n, sizeof(bool));
        stack = calloc(n, sizeof(size_t));
        scc_size = calloc(n, sizeof(size_t));
        if (!index || !low || !scc || !parent || !on_stack || !stack || !scc_size) {
                r = -ENOMEM;
                goto out;
        }
        struct tarjan t = { .g = g, .index = index, .low = low, .on_stack = on_stack, .stack = stack,
                            .scc = scc, .scc_size = scc_size };
        for (size_t i = 0; i < n; i++)
                index[i] = scc[i] = -1;
        for (size_t i = 0; i < n; i++)
                if (!g->cands[i].dead && index[i] < 0)
                        tarjan_visit(&t, i);
        /* describe every cycle before any member is marked dead: a description only
         * follows living units */
        for (size_t i = 0; i < n; i++) {
                if (g->cands[i].dead || scc[i] < 0 || scc_size[scc[i]] < 2)
                        continue;
                r = cycle_describe(g, scc, i, queue, parent, &cycles[n_newly], &entries[n_newly]);
                if (r < 0)
                        goto out;
                newly[n_newly++] = i;
        }
        for (size_t k = 0; k < n_newly; k++) {
                r = cand_error(g, newly[k], entries[k], "dependency cycle %s", cycles[k]);
                if (r < 0)
                        goto out;
        }
        for (size_t k = 0; k < n_newly; k++)
                queue[k] = newly[k];
        r = spread_failures(g, queue, 0, n_newly, rdeps, n_rdeps);
out:
        for (size_t i = 0; i < n; i++) {
                free(rdeps[i]);
                free(cycles[i]);
        }
        free(cycles);
        return r;
}

int deps_resolve(struct sup_config *c, struct cand *cands, size_t n) {
        struct graph g = { .c = c, .cands = cands, .n_cands = n };
        return resolve(&g);
}
