/* keymap: where each key, value and section of a file is, from the pre-lexer's tokens.
 * libconfuse keeps no line per option, so errors about values take their lines from
 * here. It also marks what libconfuse must not see: libconfuse 3.3's
 * CFGF_IGNORE_UNKNOWN cannot skip an unknown section ("premature end of file"), a
 * function call or a "+=" (it waits for a '=' token that never comes), so everything the
 * schema does not know is blanked out of libconfuse's text and reported by us as an
 * unknown option, with the unit it belongs to. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct token;

struct keyrec {
        char *name;
        unsigned line;    /* of the key in its last assignment */
        unsigned *vlines; /* of each value, in order (accumulated over "+=") */
        size_t n_vlines;
};

struct keylist {
        struct keyrec *keys;
        size_t n, cap;
};

struct secrec {
        char *name;  /* "container" */
        char *title; /* NULL when it has none */
        unsigned line;
        struct keylist keys;  /* keys, and sections the schema does not know below the top */
        struct secrec *subs;  /* sections: at the top level all of them, below only known ones */
        size_t n_subs, cap_subs;
};

struct range {
        size_t start, end;
};

struct keymap {
        struct secrec root;     /* the file: its keys and top-level sections */
        struct range *blank;    /* what libconfuse must not see */
        size_t n_blank;
        unsigned unclosed_line; /* a top-level section that EOF ends, else 0 */
};

/* What a file may hold. A section's schema says what it may hold in turn. */
struct schema_section;
struct schema {
        const char *const *keys;                /* NULL-terminated; NULL: none */
        const struct schema_section *sections;  /* ended by a NULL name; NULL: none */
};
struct schema_section {
        const char *name;
        const struct schema *schema;
};

/* Mirrors libconfuse's grammar over toks (ending with TOK_EOF): name = value |
 * name = {v, ...} | name += ... | name [title] { ... } | name(args). Diagnoses nothing:
 * a syntax error is libconfuse's to report. 0 or -ENOMEM. */
int keymap_build(const struct token *toks, const struct schema *schema, struct keymap *ret);
/* Blanks (to spaces, newlines kept) every range libconfuse must not see in text, the
 * pre-lexer's output the tokens point into. */
void keymap_blank(const struct keymap *m, char *text);
void keymap_done(struct keymap *m);

/* The last assignment of name, or NULL. l may be NULL. */
const struct keyrec *keylist_find(const struct keylist *l, const char *name);
/* The first section name "title" below s, or NULL. s may be NULL. */
const struct secrec *secrec_find_sub(const struct secrec *s, const char *name, const char *title);
