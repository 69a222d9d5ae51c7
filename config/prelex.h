/* prelex: a pre-lexer that runs before libconfuse 3.3 sees a file, for two things we
 * cannot switch off with a flag:
 *   - libconfuse expands ${VAR} (and ${VAR:-default}) from supd's environment inside
 *     double-quoted strings and as a bare token. A container's $HOME is not ours to
 *     expand, so every '$' in a double-quoted string is written as "\$" (the lexer's
 *     "\\." rule yields a literal '$') and a bare ${...} token becomes a quoted string
 *     the same way. Single-quoted strings are never expanded.
 *   - libconfuse keeps no line numbers per option (and counts a line too many after
 *     each C comment). Comments are blanked out here (keeping their newlines) and every
 *     token keeps its line, so keymap can record where each key and value is.
 * It mirrors libconfuse's flex rules (lexer.l, 3.3) and diagnoses nothing itself: a
 * syntax error is libconfuse's to report. */
#pragma once

#include <stddef.h>

enum { TOK_EOF = 0, TOK_STR = 256 }; /* else the character itself; '+' stands for "+=" */

struct token {
        int type;
        unsigned line;
        char *text; /* TOK_STR only: the value as libconfuse sees it */
        size_t out_start, out_end; /* where it is in the text given to libconfuse */
};

struct prelexed {
        char *text;         /* what libconfuse is to parse, NUL-terminated; NULL when empty */
        size_t len;
        unsigned last_line; /* the line at EOF */
        struct token *toks; /* n_toks of them, the last one TOK_EOF */
        size_t n_toks;
};

/* Pre-lexes in[0..len) into *ret (owned by the caller: prelexed_done()). 0 or -ENOMEM;
 * on error *ret holds nothing. */
int prelex(const char *in, size_t len, struct prelexed *ret);
void prelexed_done(struct prelexed *p);
