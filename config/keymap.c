/* keymap: where each key, value and section of a file is; see keymap.h. */
#include "keymap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config-util.h"
#include "prelex.h"

static void keylist_done(struct keylist *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->keys[i].name);
                free(l->keys[i].vlines);
        }
        free(l->keys);
}

static void secrec_done(struct secrec *s) {
        free(s->name);
        free(s->title);
        keylist_done(&s->keys);
        for (size_t i = 0; i < s->n_subs; i++)
                secrec_done(&s->subs[i]);
        free(s->subs);
}

void keymap_done(struct keymap *m) {
        secrec_done(&m->root);
        free(m->blank);
        *m = (struct keymap){};
}

const struct keyrec *keylist_find(const struct keylist *l, const char *name) {
        for (size_t i = l ? l->n : 0; i > 0; i--)
                if (strcmp(l->keys[i - 1].name, name) == 0)
                        return &l->keys[i - 1];
        return NULL;
}

/* Records one assignment. "=" starts a new record (the lookup takes the last one); "+="
 * carries the value lines of the previous assignment over. */
static int keylist_add(struct keylist *l, const char *name, unsigned line, const unsigned *vlines,
                       size_t n_vlines, bool append) {
        const struct keyrec *prev = append ? keylist_find(l, name) : NULL;
        size_t n_prev = prev ? prev->n_vlines : 0;
        _cleanup_free_ unsigned *v = NULL;
        _cleanup_free_ char *nm = NULL;

        nm = strdup(name);
        if (!nm)
                return -ENOMEM;
        if (n_prev + n_vlines > 0) {
                v = reallocarray(NULL, n_prev + n_vlines, sizeof(*v));
                if (!v)
                        return -ENOMEM;
                if (n_prev)
                        memcpy(v, prev->vlines, n_prev * sizeof(*v));
                if (n_vlines)
                        memcpy(v + n_prev, vlines, n_vlines * sizeof(*v));
        }
        if (l->n + 1 > l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                struct keyrec *k = reallocarray(l->keys, cap, sizeof(*k));
                if (!k)
                        return -ENOMEM;
                l->keys = k;
                l->cap = cap;
        }
        l->keys[l->n++] = (struct keyrec){
                .name = TAKE_PTR(nm),
                .line = line,
                .vlines = TAKE_PTR(v),
                .n_vlines = n_prev + n_vlines,
        };
        return 0;
}

/* Skips to just past the '}' closing the block we are in (or to EOF); returns the
 * end of the last token skipped in libconfuse's text. */
static size_t skip_block(const struct token *t, size_t *i) {
        unsigned depth = 1;
        for (; t[*i].type != TOK_EOF; (*i)++) {
                if (t[*i].type == '{')
                        depth++;
                else if (t[*i].type == '}' && --depth == 0)
                        return t[(*i)++].out_end;
        }
        return t[*i].out_start;
}

static int keymap_blank_add(struct keymap *m, size_t start, size_t end) {
        struct range *b = reallocarray(m->blank, m->n_blank + 1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        m->blank = b;
        m->blank[m->n_blank++] = (struct range){ start, end };
        return 0;
}

const struct secrec *secrec_find_sub(const struct secrec *s, const char *name, const char *title) {
        for (size_t i = 0; s && i < s->n_subs; i++)
                if (strcmp(s->subs[i].name, name) == 0 && s->subs[i].title &&
                    strcmp(s->subs[i].title, title) == 0)
                        return &s->subs[i];
        return NULL;
}

/* Appends a section to s; the pointer stays valid until s gets another section. */
static struct secrec *secrec_add_sub(struct secrec *s, const char *name, const char *title,
                                     unsigned line) {
        _cleanup_free_ char *n = strdup(name), *t = title ? strdup(title) : NULL;

        if (!n || (title && !t))
                return NULL;
        if (s->n_subs + 1 > s->cap_subs) {
                size_t cap = s->cap_subs ? s->cap_subs * 2 : 16;
                struct secrec *x = reallocarray(s->subs, cap, sizeof(*x));
                if (!x)
                        return NULL;
                s->subs = x;
                s->cap_subs = cap;
        }
        s->subs[s->n_subs] = (struct secrec){ .name = TAKE_PTR(n), .title = TAKE_PTR(t), .line = line };
        return &s->subs[s->n_subs++];
}

static const struct schema *schema_find_section(const struct schema *schema, const char *name) {
        for (const struct schema_section *s = schema->sections; s && s->name; s++)
                if (strcmp(s->name, name) == 0)
                        return s->schema;
        return NULL;
}

/* Records the keys and sections of the block we are in (the file when top) into here.
 * Sections below the top level that the schema does not know are recorded as keys of
 * their parent, top-level ones as sections; either way they are blanked out.
 * Returns 1 when a '}' ended the block, 0 at EOF, -ENOMEM. */
static int walk(const struct token *t, size_t *i, struct keymap *m, struct secrec *here, bool top,
                const struct schema *schema) {
        _cleanup_free_ unsigned *vl = NULL;
        size_t n_vl = 0, cap_vl = 0;
        int r;

        for (;;) {
                const struct token *name = &t[*i];

                if (name->type == TOK_EOF)
                        return 0;
                (*i)++;
                if (name->type == '}') {
                        if (!top)
                                return 1;
                        continue;
                }
                if (name->type != TOK_STR)
                        continue;

                const struct token *op = &t[*i];
                const struct schema *sub = schema_find_section(schema, name->text);
                if (op->type == '=' || op->type == '+') {
                        /* a known section written as a key is libconfuse's error */
                        bool known = sub || name_in(name->text, schema->keys);
                        (*i)++;
                        n_vl = 0;
                        bool list = t[*i].type == '{';
                        if (list)
                                (*i)++;
                        for (; t[*i].type != TOK_EOF; (*i)++) {
                                if (list && t[*i].type == '}') {
                                        (*i)++;
                                        break;
                                }
                                if (t[*i].type == TOK_STR) {
                                        if (n_vl + 1 > cap_vl) {
                                                size_t cap = cap_vl ? cap_vl * 2 : 16;
                                                unsigned *v = reallocarray(vl, cap, sizeof(*v));
                                                if (!v)
                                                        return -ENOMEM;
                                                vl = v;
                                                cap_vl = cap;
                                        }
                                        vl[n_vl++] = t[*i].line;
                                }
                                if (!list) {
                                        (*i)++;
                                        break;
                                }
                        }
                        r = keylist_add(&here->keys, name->text, name->line, vl, n_vl, op->type == '+');
                        if (r >= 0 && !known)
                                r = keymap_blank_add(m, name->out_start, t[*i - 1].out_end);
                        if (r < 0)
                                return r;
                } else if (op->type == '{' || (op->type == TOK_STR && t[*i + 1].type == '{')) {
                        const char *title = op->type == TOK_STR ? op->text : NULL;
                        struct secrec *s;

                        *i += op->type == '{' ? 1 : 2;
                        if (!top && !sub) {
                                r = keylist_add(&here->keys, name->text, name->line, NULL, 0, false);
                                if (r >= 0)
                                        r = keymap_blank_add(m, name->out_start, skip_block(t, i));
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        s = secrec_add_sub(here, name->text, title, name->line);
                        if (!s)
                                return -ENOMEM;
                        if (!sub) {
                                r = keymap_blank_add(m, name->out_start, skip_block(t, i));
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = walk(t, i, m, s, false, sub);
                        if (r < 0)
                                return r;
                        if (r == 0 && !top)
                                return 0; /* EOF: the enclosing top-level section is unclosed */
                        if (r == 0 && m->unclosed_line == 0)
                                m->unclosed_line = name->line;
                } else {
                        /* name(args), or a syntax error libconfuse already reported */
                        r = keylist_add(&here->keys, name->text, name->line, NULL, 0, false);
                        if (r < 0)
                                return r;
                        if (op->type == '(') {
                                size_t end = t[*i].out_start;
                                while (t[*i].type != TOK_EOF) {
                                        end = t[*i].out_end;
                                        if (t[(*i)++].type == ')')
                                                break;
                                }
                                r = keymap_blank_add(m, name->out_start, end);
                                if (r < 0)
                                        return r;
                        }
                }
        }
}

int keymap_build(const struct token *toks, const struct schema *schema, struct keymap *ret) {
        _cleanup_(keymap_done) struct keymap m = {};
        size_t i = 0;
        int r;

        r = walk(toks, &i, &m, &m.root, true, schema);
        if (r < 0)
                return r;
        *ret = m;
        m = (struct keymap){};
        return 0;
}

void keymap_blank(const struct keymap *m, char *text) {
        for (size_t k = 0; k < m->n_blank; k++)
                for (size_t j = m->blank[k].start; j < m->blank[k].end; j++)
                        if (text[j] != '\n')
                                text[j] = ' ';
}
