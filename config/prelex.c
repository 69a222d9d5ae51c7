/* prelex: the pre-lexer; see prelex.h for why it exists. */
#include "prelex.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

struct sbuf {
        char *s;
        size_t len, cap;
};

static int sbuf_putc(struct sbuf *b, char c) {
        if (b->len + 2 > b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 64;
                char *s = realloc(b->s, cap);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->cap = cap;
        }
        b->s[b->len++] = c;
        b->s[b->len] = '\0';
        return 0;
}

static int sbuf_puts(struct sbuf *b, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (sbuf_putc(b, s[i]) < 0)
                        return -ENOMEM;
        return 0;
}

struct lexer {
        const char *in;
        size_t len, pos;
        unsigned line;
        struct sbuf out;
        size_t tok_start; /* out.len when the current token began */
        struct token *toks;
        size_t n_toks, cap_toks;
};

static void lexer_done(struct lexer *lx) {
        for (size_t i = 0; i < lx->n_toks; i++)
                free(lx->toks[i].text);
        free(lx->toks);
        free(lx->out.s);
        *lx = (struct lexer){};
}

static int lexer_push(struct lexer *lx, int type, unsigned line, struct sbuf *text) {
        if (lx->n_toks + 1 > lx->cap_toks) {
                size_t cap = lx->cap_toks ? lx->cap_toks * 2 : 64;
                struct token *t = reallocarray(lx->toks, cap, sizeof(*t));
                if (!t)
                        return -ENOMEM;
                lx->toks = t;
                lx->cap_toks = cap;
        }
        lx->toks[lx->n_toks++] = (struct token){
                .type = type,
                .line = line,
                .out_start = lx->tok_start,
                .out_end = lx->out.len,
        };
        if (text) {
                if (!text->s && sbuf_putc(text, '\0') < 0) /* "" */
                        return -ENOMEM;
                lx->toks[lx->n_toks - 1].text = TAKE_PTR(text->s);
        }
        return 0;
}

/* Characters of an unquoted string: flex's [^ #"'\t\n\r={}()+,*] (its '/' special case
 * is subsumed by this class; see lex_file). */
static bool unquoted_char(char c) {
        return c != '\0' && !strchr(" #\"'\t\n\r={}()+,*", c);
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Copies a double-quoted string, escaping '$' so libconfuse takes it literally, and
 * decodes it as libconfuse's dq_str rules do. */
static int lex_dq(struct lexer *lx) {
        struct sbuf text = {};
        unsigned line = lx->line;
        const char *in = lx->in;
        int r = 0;

        r = sbuf_putc(&lx->out, '"');
        lx->pos++;
        while (r >= 0 && lx->pos < lx->len) {
                char c = in[lx->pos];

                if (c == '"') {
                        r = sbuf_putc(&lx->out, '"');
                        lx->pos++;
                        break;
                }
                if (c == '$') {
                        r = sbuf_puts(&lx->out, "\\$", 2);
                        if (r >= 0)
                                r = sbuf_putc(&text, '$');
                        lx->pos++;
                        continue;
                }
                if (c == '\\' && lx->pos + 1 >= lx->len) {
                        /* no lexer rule matches a lone backslash at EOF: flex would
                         * ECHO it to stdout. The string is unterminated either way. */
                        lx->pos++;
                        continue;
                }
                if (c == '\n')
                        lx->line++;
                if (c != '\\') {
                        r = sbuf_putc(&lx->out, c);
                        if (r >= 0)
                                r = sbuf_putc(&text, c);
                        lx->pos++;
                        continue;
                }

                /* An escape: copied as is, decoded for text. */
                char n = in[lx->pos + 1];
                size_t k = 2;
                int v = -1;
                if (n == '\n') {
                        lx->line++;
                } else if (n >= '0' && n <= '7') {
                        v = 0;
                        for (k = 1; k < 4 && in[lx->pos + k] >= '0' && in[lx->pos + k] <= '7'; k++)
                                v = v * 8 + (in[lx->pos + k] - '0');
                } else if (n == 'x' && hexval(in[lx->pos + 2]) >= 0) {
                        v = hexval(in[lx->pos + 2]);
                        k = 3;
                        if (hexval(in[lx->pos + 3]) >= 0) {
                                v = v * 16 + hexval(in[lx->pos + 3]);
                                k = 4;
                        }
                } else {
                        static const char from[] = "nrbfaetv", to[] = "\n\r\b\f\a\033\t\v";
                        const char *m = strchr(from, n);
                        v = m ? to[m - from] : (unsigned char)n;
                }
                r = sbuf_puts(&lx->out, in + lx->pos, k);
                if (r >= 0 && v >= 0)
                        r = sbuf_putc(&text, (char)v);
                lx->pos += k;
        }
        if (r < 0) {
                free(text.s);
                return r;
        }
        return lexer_push(lx, TOK_STR, line, &text);
}

/* Copies a single-quoted string (never expanded by libconfuse) and decodes it. */
static int lex_sq(struct lexer *lx) {
        struct sbuf text = {};
        unsigned line = lx->line;
        const char *in = lx->in;
        int r;

        r = sbuf_putc(&lx->out, '\'');
        lx->pos++;
        while (r >= 0 && lx->pos < lx->len) {
                char c = in[lx->pos];

                if (c == '\'') {
                        r = sbuf_putc(&lx->out, c);
                        lx->pos++;
                        break;
                }
                if (c == '\\' && lx->pos + 1 >= lx->len) {
                        lx->pos++; /* as in lex_dq() */
                        continue;
                }
                if (c == '\\') {
                        char n = in[lx->pos + 1];
                        r = sbuf_puts(&lx->out, in + lx->pos, 2);
                        if (r >= 0 && n == '\n')
                                lx->line++;
                        else if (r >= 0 && (n == '\\' || n == '\''))
                                r = sbuf_putc(&text, n);
                        else if (r >= 0)
                                r = sbuf_puts(&text, in + lx->pos, 2);
                        lx->pos += 2;
                        continue;
                }
                if (c == '\n')
                        lx->line++;
                r = sbuf_putc(&lx->out, c);
                if (r >= 0)
                        r = sbuf_putc(&text, c);
                lx->pos++;
        }
        if (r < 0) {
                free(text.s);
                return r;
        }
        return lexer_push(lx, TOK_STR, line, &text);
}

/* A bare ${...} token, which libconfuse would replace by getenv(): rewritten as a
 * double-quoted string holding the same characters literally. */
static int lex_env_token(struct lexer *lx, size_t end) {
        struct sbuf text = {};
        unsigned line = lx->line;
        int r;

        r = sbuf_puts(&lx->out, "\"\\$", 3);
        if (r >= 0)
                r = sbuf_putc(&text, '$');
        for (size_t i = lx->pos + 1; r >= 0 && i <= end; i++) {
                char c = lx->in[i];
                if (c == '"' || c == '\\')
                        r = sbuf_putc(&lx->out, '\\');
                else if (c == '$')
                        r = sbuf_putc(&lx->out, '\\');
                else if (c == '\n')
                        lx->line++;
                if (r >= 0)
                        r = sbuf_putc(&lx->out, c);
                if (r >= 0)
                        r = sbuf_putc(&text, c);
        }
        if (r >= 0)
                r = sbuf_putc(&lx->out, '"');
        if (r < 0) {
                free(text.s);
                return r;
        }
        lx->pos = end + 1;
        return lexer_push(lx, TOK_STR, line, &text);
}

/* Blanks a comment out of the output, keeping its newlines. until_eol: # and // ones. */
static int lex_comment(struct lexer *lx, bool until_eol) {
        int r = sbuf_putc(&lx->out, ' ');

        if (until_eol) {
                while (lx->pos < lx->len && lx->in[lx->pos] != '\n')
                        lx->pos++;
                return r;
        }
        lx->pos += 2; /* the opening slash-star */
        while (r >= 0 && lx->pos < lx->len) {
                if (lx->in[lx->pos] == '*' && lx->pos + 1 < lx->len && lx->in[lx->pos + 1] == '/') {
                        lx->pos += 2;
                        break;
                }
                if (lx->in[lx->pos] == '\n') {
                        lx->line++;
                        r = sbuf_putc(&lx->out, '\n');
                }
                lx->pos++;
        }
        return r;
}

/* Tokenizes in[0..len) like libconfuse's lexer.l (3.3) and writes the text libconfuse
 * is to parse into lx->out. Flex takes the longest match, so "//x" is a string, not a
 * comment, and a star never belongs to a string. */
static int lex_file(struct lexer *lx, const char *in, size_t len) {
        int r = 0;

        *lx = (struct lexer){ .in = in, .len = len, .line = 1 };
        while (r >= 0 && lx->pos < len) {
                char c = in[lx->pos];
                size_t run, slashes;

                lx->tok_start = lx->out.len;
                if (c == '\n') {
                        lx->line++;
                        r = sbuf_putc(&lx->out, c);
                        lx->pos++;
                } else if (c == '#') {
                        r = lex_comment(lx, true);
                } else if (c == '/' && lx->pos + 1 < len && in[lx->pos + 1] == '*') {
                        r = lex_comment(lx, false);
                } else if (c == '"') {
                        r = lex_dq(lx);
                } else if (c == '\'') {
                        r = lex_sq(lx);
                } else if (c == '$' && lx->pos + 1 < len && in[lx->pos + 1] == '{' &&
                           memchr(in + lx->pos + 2, '}', len - lx->pos - 2)) {
                        size_t end = (size_t)((const char *)memchr(in + lx->pos + 2, '}',
                                                                   len - lx->pos - 2) - in);
                        r = lex_env_token(lx, end);
                } else if (strchr("{}()=,", c)) {
                        r = sbuf_putc(&lx->out, c);
                        if (r >= 0)
                                r = lexer_push(lx, c, lx->line, NULL);
                        lx->pos++;
                } else if (c == '+' && lx->pos + 1 < len && in[lx->pos + 1] == '=') {
                        r = sbuf_puts(&lx->out, "+=", 2);
                        if (r >= 0)
                                r = lexer_push(lx, '+', lx->line, NULL);
                        lx->pos += 2;
                } else if (unquoted_char(c)) {
                        for (run = 0; lx->pos + run < len && unquoted_char(in[lx->pos + run]); run++)
                                ;
                        for (slashes = 0; slashes < run && in[lx->pos + slashes] == '/'; slashes++)
                                ;
                        if (slashes >= 2 && slashes == run) {
                                /* "//" comment: on a tie flex prefers the earlier rule */
                                r = lex_comment(lx, true);
                                continue;
                        }
                        struct sbuf text = {};
                        r = sbuf_puts(&lx->out, in + lx->pos, run);
                        if (r >= 0)
                                r = sbuf_puts(&text, in + lx->pos, run);
                        if (r >= 0)
                                r = lexer_push(lx, TOK_STR, lx->line, &text);
                        else
                                free(text.s);
                        lx->pos += run;
                } else {
                        /* blanks, and what libconfuse's "." rule drops ('*', a lone '+') */
                        r = sbuf_putc(&lx->out, c);
                        lx->pos++;
                }
        }
        lx->tok_start = lx->out.len;
        if (r >= 0)
                r = lexer_push(lx, TOK_EOF, lx->line, NULL);
        return r;
}

int prelex(const char *in, size_t len, struct prelexed *ret) {
        _cleanup_(lexer_done) struct lexer lx = {};
        int r;

        r = lex_file(&lx, in, len);
        if (r < 0)
                return r;
        *ret = (struct prelexed){
                .text = TAKE_PTR(lx.out.s),
                .len = lx.out.len,
                .last_line = lx.line,
                .toks = TAKE_PTR(lx.toks),
                .n_toks = lx.n_toks,
        };
        lx.n_toks = 0;
        return 0;
}

void prelexed_done(struct prelexed *p) {
        for (size_t i = 0; i < p->n_toks; i++)
                free(p->toks[i].text);
        free(p->toks);
        free(p->text);
        *p = (struct prelexed){};
}
