/* config: sup.conf and unit files through libconfuse, validated into struct sup_config.
 *
 * libconfuse 3.3 does two things we cannot switch off with a flag, so every file goes
 * through a small pre-lexer (lex_file) that mirrors libconfuse's flex rules before
 * cfg_parse_fp() sees it:
 *   - it expands ${VAR} (and ${VAR:-default}) from supd's environment inside double-
 *     quoted strings and as a bare token. A container's $HOME is not ours to expand,
 *     so the pre-lexer writes every '$' in a double-quoted string as "\$" (the lexer's
 *     "\\." rule yields a literal '$') and turns a bare ${...} token into a quoted
 *     string the same way. Single-quoted strings are never expanded.
 *   - it keeps no line numbers per option (and counts a line too many after each
 *     C comment). The pre-lexer blanks comments out (keeping their newlines) and
 *     records the line of every key, list element and section, which we use for
 *     errors about values; libconfuse's own errors get file:line from the cfg_t.
 * cfg_parse_buf() would lose the file name; cfg_parse_fp() on fmemopen() keeps the
 * cfg->filename we set. Every value is a libconfuse string (CFG_STR/CFG_STR_LIST)
 * validated here, so a bad value fails its unit, not its whole file, and unknown keys
 * (CFGF_IGNORE_UNKNOWN) are reported by us with the unit they belong to. */
#include "config.h"

#include <confuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "values.h"

#define UNIT_NAME_MAX 63
#define USER_NAME_MAX 32

/* ---- small helpers ---------------------------------------------------------------- */

static size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

static char **strv_free(char **v) {
        strv_freep(&v);
        return NULL;
}

static bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

static char *path_join(const char *dir, const char *name) {
        char *p = NULL;
        size_t n = strlen(dir);
        if (asprintf(&p, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name) < 0)
                return NULL;
        return p;
}

/* "/etc/sup/units/web.conf" -> "web": how a file that failed as a whole is named. */
static char *file_unit_name(const char *path) {
        const char *b = strrchr(path, '/');
        size_t n;

        b = b ? b + 1 : path;
        n = strlen(b);
        if (n > 5 && strcmp(b + n - 5, ".conf") == 0)
                n -= 5;
        return strndup(b, n);
}

static bool unit_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > UNIT_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          (i > 0 && (c == '_' || c == '.' || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

/* [a-z_][a-z0-9_-]*, as useradd accepts by default. */
static bool user_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > USER_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || c == '_' ||
                          (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

/* A uid or gid: decimal, 0..4294967294 ((uid_t)-1 means "unchanged" to the kernel). */
static bool id_valid(const char *s, size_t n) {
        unsigned long long v = 0;
        if (n == 0 || n > 10)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        return v < UINT32_MAX;
}

static bool user_valid(const char *s) {
        const char *colon = strchr(s, ':');
        if (colon)
                return id_valid(s, (size_t)(colon - s)) && id_valid(colon + 1, strlen(colon + 1));
        return id_valid(s, strlen(s)) || user_name_valid(s);
}

static bool env_entry_valid(const char *s) {
        const char *eq = strchr(s, '=');
        if (!eq || eq == s)
                return false;
        for (const char *p = s; p < eq; p++) {
                char c = *p;
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                          (p > s && c >= '0' && c <= '9');
                if (!ok)
                        return false;
        }
        return true;
}

/* ---- errors ----------------------------------------------------------------------- */

static int add_error_va(struct sup_config *c, const char *file, unsigned line, const char *unit,
                        const char *fmt, va_list ap) {
        _cleanup_free_ char *text = NULL, *msg = NULL, *f = NULL, *u = NULL;
        struct config_error *e;
        int r;

        if (vasprintf(&text, fmt, ap) < 0)
                return -ENOMEM;
        if (line > 0)
                r = asprintf(&msg, "%s:%u: %s", file, line, text);
        else
                r = asprintf(&msg, "%s: %s", file, text);
        if (r < 0)
                return -ENOMEM;
        f = strdup(file);
        if (!f)
                return -ENOMEM;
        if (unit) {
                u = strdup(unit);
                if (!u)
                        return -ENOMEM;
        }
        e = reallocarray(c->errors, c->n_errors + 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        c->errors = e;
        c->errors[c->n_errors++] = (struct config_error){
                .file = TAKE_PTR(f),
                .line = line,
                .unit = TAKE_PTR(u),
                .message = TAKE_PTR(msg),
        };
        return 0;
}

__attribute__((format(printf, 5, 6)))
static int add_error(struct sup_config *c, const char *file, unsigned line, const char *unit,
                     const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = add_error_va(c, file, line, unit, fmt, ap);
        va_end(ap);
        return r;
}

static bool unit_has_error(const struct sup_config *c, const char *name) {
        for (size_t i = 0; i < c->n_errors; i++)
                if (streq_ptr(c->errors[i].unit, name))
                        return true;
        return false;
}

/* ---- reading a file --------------------------------------------------------------- */

/* Reads a whole regular file of at most CONFIG_MAX_FILE_SIZE bytes. -EFBIG when larger,
 * -EBADMSG when it holds a NUL byte (libconfuse would stop there silently), -EBADFD
 * when it is not a regular file (a FIFO would block us). */
static int read_file(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        buf = malloc(CONFIG_MAX_FILE_SIZE + 2);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, CONFIG_MAX_FILE_SIZE + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > CONFIG_MAX_FILE_SIZE)
                        return -EFBIG;
        }
        buf[len] = '\0';
        if (memchr(buf, '\0', len))
                return -EBADMSG;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* ---- the pre-lexer ---------------------------------------------------------------- */

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

enum { TOK_EOF = 0, TOK_STR = 256 }; /* else the character itself; '+' stands for "+=" */

struct token {
        int type;
        unsigned line;
        char *text; /* TOK_STR only: the value as libconfuse sees it */
        size_t out_start, out_end; /* where it is in the text given to libconfuse */
};

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

/* ---- where each key is: a walk over the tokens ----------------------------------- */

struct keyrec {
        char *name;
        unsigned line;   /* of the key in its last assignment */
        unsigned *vlines; /* of each value, in order (accumulated over "+=") */
        size_t n_vlines;
};

struct keylist {
        struct keyrec *keys;
        size_t n, cap;
};

struct secrec {
        char *name; /* "container" */
        unsigned line;
        struct keylist keys;
};

struct range {
        size_t start, end;
};

struct filemap {
        struct keylist root;
        struct secrec *secs; /* top-level sections in file order */
        size_t n_secs, cap_secs;
        struct range *blank; /* what libconfuse must not see, see walk() */
        size_t n_blank;
        unsigned unclosed_line; /* a top-level section that EOF ends, else 0 */
};

static void keylist_done(struct keylist *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->keys[i].name);
                free(l->keys[i].vlines);
        }
        free(l->keys);
}

static void filemap_done(struct filemap *m) {
        keylist_done(&m->root);
        for (size_t i = 0; i < m->n_secs; i++) {
                free(m->secs[i].name);
                keylist_done(&m->secs[i].keys);
        }
        free(m->secs);
        free(m->blank);
        *m = (struct filemap){};
}

static const struct keyrec *keylist_find(const struct keylist *l, const char *name) {
        for (size_t i = l->n; i > 0; i--)
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

static int filemap_blank(struct filemap *m, size_t start, size_t end) {
        struct range *b = reallocarray(m->blank, m->n_blank + 1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        m->blank = b;
        m->blank[m->n_blank++] = (struct range){ start, end };
        return 0;
}

static bool name_in(const char *name, const char *const *list) {
        for (; list && *list; list++)
                if (strcmp(*list, name) == 0)
                        return true;
        return false;
}

/* What a file may hold: keys at the top level, sections there, keys in sections. */
struct schema {
        const char *const *root_keys;
        const char *const *sections;
        const char *const *section_keys;
};

/* Mirrors libconfuse's grammar: name = value | name = {v, ...} | name += ... |
 * name [title] { ... } | name(args). It runs before libconfuse and diagnoses nothing
 * itself: a syntax error is libconfuse's to report. Sections below the top level are
 * recorded as keys of their parent (no key of ours is a section yet), top-level ones
 * as sections. Everything the schema does not know is also put in m->blank:
 * libconfuse 3.3's CFGF_IGNORE_UNKNOWN cannot skip a section ("premature end of
 * file"), a function call or a "+=" (it waits for a '=' token that never comes), so
 * libconfuse must not see them; we report them as unknown options.
 * Returns 1 when a '}' ended the block, 0 at EOF, -ENOMEM. */
static int walk(const struct token *t, size_t *i, struct filemap *m, struct keylist *keys,
                bool top, const struct schema *schema) {
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
                bool known = name_in(name->text, top ? schema->root_keys : schema->section_keys);
                if (op->type == '=' || op->type == '+') {
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
                        r = keylist_add(keys, name->text, name->line, vl, n_vl, op->type == '+');
                        if (r >= 0 && !known)
                                r = filemap_blank(m, name->out_start, t[*i - 1].out_end);
                        if (r < 0)
                                return r;
                } else if (op->type == '{' || (op->type == TOK_STR && t[*i + 1].type == '{')) {
                        *i += op->type == '{' ? 1 : 2;
                        if (!top) {
                                r = keylist_add(keys, name->text, name->line, NULL, 0, false);
                                if (r >= 0)
                                        r = filemap_blank(m, name->out_start, skip_block(t, i));
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        if (m->n_secs + 1 > m->cap_secs) {
                                size_t cap = m->cap_secs ? m->cap_secs * 2 : 16;
                                struct secrec *s = reallocarray(m->secs, cap, sizeof(*s));
                                if (!s)
                                        return -ENOMEM;
                                m->secs = s;
                                m->cap_secs = cap;
                        }
                        struct secrec *s = &m->secs[m->n_secs];
                        *s = (struct secrec){ .name = strdup(name->text), .line = name->line };
                        if (!s->name)
                                return -ENOMEM;
                        m->n_secs++;
                        if (!name_in(name->text, schema->sections)) {
                                r = filemap_blank(m, name->out_start, skip_block(t, i));
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = walk(t, i, m, &s->keys, false, schema);
                        if (r < 0)
                                return r;
                        if (r == 0 && m->unclosed_line == 0)
                                m->unclosed_line = name->line;
                } else {
                        /* name(args), or a syntax error libconfuse already reported */
                        r = keylist_add(keys, name->text, name->line, NULL, 0, false);
                        if (r < 0)
                                return r;
                        if (op->type == '(') {
                                size_t end = t[*i].out_start;
                                while (t[*i].type != TOK_EOF) {
                                        end = t[*i].out_end;
                                        if (t[(*i)++].type == ')')
                                                break;
                                }
                                r = filemap_blank(m, name->out_start, end);
                                if (r < 0)
                                        return r;
                        }
                }
        }
}

/* ---- libconfuse ------------------------------------------------------------------- */

/* libconfuse's error callback has no user pointer; its lexer is global state anyway,
 * so parsing is never concurrent and a per-thread pointer is enough. */
struct cfg_capture {
        char *message; /* the first error, without "file:line: " */
        unsigned line;
        bool oom;
};
static __thread struct cfg_capture *cfg_capture;

static void capture_error(cfg_t *cfg, const char *fmt, va_list ap) {
        char *msg = NULL;

        if (!cfg_capture || cfg_capture->message || cfg_capture->oom)
                return;
        if (vasprintf(&msg, fmt, ap) < 0) {
                cfg_capture->oom = true;
                return;
        }
        cfg_capture->message = msg;
        cfg_capture->line = cfg && cfg->line > 0 ? (unsigned)cfg->line : 0;
}

static void cfg_freep(cfg_t **cfg) {
        if (*cfg)
                (void)cfg_free(*cfg);
}
#define _cleanup_cfg_ _cleanup_(cfg_freep)

/* One parsed file: the cfg_t, where its keys are, and its name for file errors. */
struct parsed {
        const char *path;
        cfg_t *cfg;
        struct filemap map;
};

static void parsed_done(struct parsed *p) {
        if (p->cfg)
                (void)cfg_free(p->cfg);
        filemap_done(&p->map);
        *p = (struct parsed){};
}

/* Records why read_file() failed. Returns 1 (the file failed as a whole) or -ENOMEM. */
static int read_error(struct sup_config *c, const char *path, const char *file_unit, int error) {
        int r;

        if (error == -ENOMEM)
                return error;
        if (error == -EFBIG)
                r = add_error(c, path, 0, file_unit, "file too large (limit %d bytes)",
                              CONFIG_MAX_FILE_SIZE);
        else if (error == -EBADMSG)
                r = add_error(c, path, 0, file_unit, "file contains a NUL byte");
        else if (error == -EBADFD)
                r = add_error(c, path, 0, file_unit, "not a regular file");
        else
                r = add_error(c, path, 0, file_unit, "cannot read: %s", strerror(-error));
        return r < 0 ? r : 1;
}

/* Reads, pre-lexes and parses path. Returns 0 when parsed, 1 when the file failed as a
 * whole (the error is recorded with unit = file_unit), -ENOMEM. */
static int parse_file(struct sup_config *c, const char *path, cfg_opt_t *opts,
                      const struct schema *schema, const char *file_unit, struct parsed *ret) {
        _cleanup_free_ char *buf = NULL, *fn = NULL;
        _cleanup_(lexer_done) struct lexer lx = {};
        _cleanup_(filemap_done) struct filemap map = {};
        _cleanup_cfg_ cfg_t *cfg = NULL;
        struct cfg_capture cap = {};
        size_t len = 0, i = 0;
        int r;

        r = read_file(path, &buf, &len);
        if (r < 0)
                return read_error(c, path, file_unit, r);
        r = lex_file(&lx, buf, len);
        if (r < 0)
                return r;
        r = walk(lx.toks, &i, &map, &map.root, true, schema);
        if (r < 0)
                return r;
        for (size_t k = 0; k < map.n_blank; k++)
                for (size_t j = map.blank[k].start; j < map.blank[k].end; j++)
                        if (lx.out.s[j] != '\n')
                                lx.out.s[j] = ' ';

        cfg = cfg_init(opts, CFGF_IGNORE_UNKNOWN);
        if (!cfg)
                return -ENOMEM;
        (void)cfg_set_error_function(cfg, capture_error);
        fn = strdup(path);
        if (!fn)
                return -ENOMEM;
        free(cfg->filename);
        cfg->filename = TAKE_PTR(fn); /* cfg_parse_fp() keeps it for errors */

        if (lx.out.len > 0) {
                _cleanup_fclose_ FILE *f = fmemopen(lx.out.s, lx.out.len, "r");
                if (!f)
                        return -errno;
                cfg_capture = &cap;
                r = cfg_parse_fp(cfg, f);
                cfg_capture = NULL;
                if (cap.oom) {
                        free(cap.message);
                        return -ENOMEM;
                }
                if (r != CFG_SUCCESS) {
                        r = add_error(c, path, cap.line, file_unit, "%s",
                                      cap.message ? cap.message : "parse error");
                        free(cap.message);
                        return r < 0 ? r : 1;
                }
                free(cap.message); /* a warning libconfuse still accepted */
        }
        if (map.unclosed_line > 0) { /* libconfuse 3.3 accepts that silently */
                r = add_error(c, path, lx.line, file_unit,
                              "premature end of file: '}' missing for the section at line %u",
                              map.unclosed_line);
                return r < 0 ? r : 1;
        }

        *ret = (struct parsed){ .path = path, .cfg = TAKE_PTR(cfg), .map = map };
        map = (struct filemap){};
        return 0;
}

/* ---- units ------------------------------------------------------------------------ */

struct unit_ctx {
        struct sup_config *c;
        const char *file;
        const char *name;
        unsigned line;
        const struct keylist *keys;
        cfg_t *sec;
        bool failed;
};

/* The line of value idx of key (of n values in all), else of the key, else the unit's. */
static unsigned key_line(const struct unit_ctx *u, const char *key, size_t idx, size_t n) {
        const struct keyrec *k = u->keys ? keylist_find(u->keys, key) : NULL;
        if (!k)
                return u->line;
        if (idx < k->n_vlines && k->n_vlines == n)
                return k->vlines[idx];
        return k->line;
}

/* "FILE:LINE: unit 'NAME': KEY: text". Returns -EINVAL (the unit failed) or -ENOMEM. */
__attribute__((format(printf, 5, 6)))
static int unit_error(struct unit_ctx *u, const char *key, size_t idx, size_t n, const char *fmt,
                      ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        u->failed = true;
        if (key)
                r = add_error(u->c, u->file, key_line(u, key, idx, n), u->name,
                              "unit '%s': %s: %s", u->name, key, text);
        else
                r = add_error(u->c, u->file, u->line, u->name, "unit '%s': %s", u->name, text);
        return r < 0 ? r : -EINVAL;
}

static int get_duration(struct unit_ctx *u, const char *key, usec_t *ret) {
        const char *s = cfg_getstr(u->sec, key);
        char a[DURATION_STR_MAX];
        usec_t v;
        int r;

        if (!s)
                return 0; /* unset: keep the default */
        r = parse_duration(s, &v);
        if (r == -ERANGE || (r >= 0 && v > CONFIG_MAX_DURATION))
                return unit_error(u, key, 0, 1, "duration '%s' out of range (max %s)", s,
                                  format_duration(a, sizeof(a), CONFIG_MAX_DURATION));
        if (r < 0)
                return unit_error(u, key, 0, 1, "invalid duration '%s'", s);
        *ret = v;
        return 0;
}

/* A whole decimal number in [min, max]; -EINVAL (error recorded) otherwise. */
static int get_number(struct unit_ctx *u, const char *key, const char *s, size_t idx, size_t n,
                      long min, long max, long *ret) {
        char *end = NULL;
        long v;

        /* strtol() would also take blanks and a '+' */
        if (!((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && s[1] >= '0' && s[1] <= '9')))
                return unit_error(u, key, idx, n, "invalid number '%s'", s);
        errno = 0;
        v = strtol(s, &end, 10);
        if (*end)
                return unit_error(u, key, idx, n, "invalid number '%s'", s);
        if (errno == ERANGE || v < min || v > max)
                return unit_error(u, key, idx, n, "%s out of range (%ld..%ld)", s, min, max);
        *ret = v;
        return 0;
}

/* Copies a list key into a NULL-terminated strv, checking CONFIG_MAX_ARGS and
 * CONFIG_MAX_ARG_LEN. */
static int get_strv(struct unit_ctx *u, const char *key, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        size_t n = cfg_size(u->sec, key);

        if (n > CONFIG_MAX_ARGS)
                return unit_error(u, key, 0, 0, "too many entries (%zu, limit %d)", n,
                                  CONFIG_MAX_ARGS);
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s = cfg_getnstr(u->sec, key, (unsigned)i);
                if (!s)
                        s = "";
                if (strlen(s) > CONFIG_MAX_ARG_LEN)
                        return unit_error(u, key, i, n, "entry %zu too long (limit %d bytes)",
                                          i + 1, CONFIG_MAX_ARG_LEN);
                v[i] = strdup(s);
                if (!v[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

typedef int (*unit_key_parser)(struct unit_ctx *u, struct unit_config *uc, const char *key,
                               size_t offset);

struct unit_key {
        const char *name;
        bool list;
        const char *list_default; /* libconfuse syntax, so "+=" appends to it */
        unit_key_parser parse;
        size_t offset; /* for the generic parsers */
};

static int parse_description(struct unit_ctx *u, struct unit_config *uc, const char *key,
                             size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        (void)offset;
        free(uc->description);
        uc->description = strdup(s ? s : "");
        return uc->description ? 0 : -ENOMEM;
}

static int parse_exec(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        char **v = NULL;
        int r;

        (void)offset;
        if (cfg_size(u->sec, key) == 0)
                return keylist_find(u->keys, key)
                               ? unit_error(u, key, 0, 0, "empty list")
                               : unit_error(u, NULL, 0, 0, "%s: not set (required)", key);
        r = get_strv(u, key, &v);
        if (r < 0)
                return r;
        uc->exec = v;
        if (!v[0][0])
                return unit_error(u, key, 0, strv_length(v), "empty command");
        return 0;
}

static int parse_env(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        char **v = NULL;
        size_t n;
        int r;

        (void)offset;
        r = get_strv(u, key, &v);
        if (r < 0)
                return r;
        strv_free(uc->env);
        uc->env = v;
        n = strv_length(v);
        for (size_t i = 0; i < n; i++)
                if (!env_entry_valid(v[i])) {
                        r = unit_error(u, key, i, n, "invalid entry '%s' (want KEY=VALUE)", v[i]);
                        if (r == -ENOMEM)
                                return r;
                }
        return u->failed ? -EINVAL : 0;
}

static int parse_requires(struct unit_ctx *u, struct unit_config *uc, const char *key,
                          size_t offset) {
        char **v = NULL;
        size_t n;
        int r;

        (void)offset;
        r = get_strv(u, key, &v);
        if (r < 0)
                return r;
        strv_free(uc->requires);
        uc->requires = v;
        n = strv_length(v);
        for (size_t i = 0; i < n; i++) {
                r = 0;
                if (!unit_name_valid(v[i]))
                        r = unit_error(u, key, i, n, "invalid unit name '%s'", v[i]);
                else if (strcmp(v[i], u->name) == 0)
                        r = unit_error(u, key, i, n, "unit requires itself");
                if (r == -ENOMEM)
                        return r;
        }
        return u->failed ? -EINVAL : 0;
}

static int parse_workdir(struct unit_ctx *u, struct unit_config *uc, const char *key,
                         size_t offset) {
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        if (s[0] != '/')
                return unit_error(u, key, 0, 1, "not an absolute path '%s'", s);
        uc->workdir = strdup(s);
        return uc->workdir ? 0 : -ENOMEM;
}

static int parse_user(struct unit_ctx *u, struct unit_config *uc, const char *key, size_t offset) {
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        if (!user_valid(s))
                return unit_error(u, key, 0, 1, "invalid user '%s' (want a name, uid or uid:gid)", s);
        uc->user = strdup(s);
        return uc->user ? 0 : -ENOMEM;
}

static int parse_autostart(struct unit_ctx *u, struct unit_config *uc, const char *key,
                           size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        int b;

        (void)offset;
        if (!s)
                return 0;
        b = cfg_parse_boolean(s);
        if (b < 0)
                return unit_error(u, key, 0, 1, "invalid boolean '%s'", s);
        uc->autostart = b;
        return 0;
}

static int parse_restart(struct unit_ctx *u, struct unit_config *uc, const char *key,
                         size_t offset) {
        static const enum restart_mode modes[] = { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(modes); i++)
                if (strcmp(s, restart_mode_to_string(modes[i])) == 0) {
                        uc->restart = modes[i];
                        return 0;
                }
        return unit_error(u, key, 0, 1, "invalid value '%s' (want no, on-failure or always)", s);
}

static int parse_duration_key(struct unit_ctx *u, struct unit_config *uc, const char *key,
                              size_t offset) {
        return get_duration(u, key, (usec_t *)((char *)uc + offset));
}

static int parse_start_limit(struct unit_ctx *u, struct unit_config *uc, const char *key,
                             size_t offset) {
        const char *s = cfg_getstr(u->sec, key);
        long v;
        int r;

        (void)offset;
        if (!s)
                return 0;
        r = get_number(u, key, s, 0, 1, 0, CONFIG_MAX_START_LIMIT, &v);
        if (r < 0)
                return r;
        uc->start_limit = (unsigned)v;
        return 0;
}

static int parse_success_exit_status(struct unit_ctx *u, struct unit_config *uc, const char *key,
                                     size_t offset) {
        size_t n = cfg_size(u->sec, key);
        int *v;

        (void)offset;
        if (n == 0)
                return unit_error(u, key, 0, 0, "empty list");
        if (n > 256)
                return unit_error(u, key, 0, 0, "too many entries (%zu, limit 256)", n);
        v = calloc(n, sizeof(int));
        if (!v)
                return -ENOMEM;
        free(uc->success_exit_status);
        uc->success_exit_status = v;
        uc->n_success_exit_status = n;
        for (size_t i = 0; i < n; i++) {
                const char *s = cfg_getnstr(u->sec, key, (unsigned)i);
                long x = 0;
                int r = get_number(u, key, s ? s : "", i, n, 0, 255, &x);
                if (r == -ENOMEM)
                        return r;
                v[i] = (int)x;
        }
        return u->failed ? -EINVAL : 0;
}

static int parse_stop_signal(struct unit_ctx *u, struct unit_config *uc, const char *key,
                             size_t offset) {
        const char *s = cfg_getstr(u->sec, key);

        (void)offset;
        if (!s)
                return 0;
        if (parse_signal(s, &uc->stop_signal) < 0)
                return unit_error(u, key, 0, 1, "invalid signal '%s'", s);
        return 0;
}

static const struct unit_key unit_keys[] = {
        { "description", false, NULL, parse_description, 0 },
        { "exec", true, NULL, parse_exec, 0 },
        { "workdir", false, NULL, parse_workdir, 0 },
        { "env", true, NULL, parse_env, 0 },
        { "user", false, NULL, parse_user, 0 },
        { "autostart", false, NULL, parse_autostart, 0 },
        { "requires", true, NULL, parse_requires, 0 },
        { "restart", false, NULL, parse_restart, 0 },
        { "restart_delay", false, NULL, parse_duration_key, offsetof(struct unit_config, restart_delay) },
        { "restart_delay_max", false, NULL, parse_duration_key, offsetof(struct unit_config, restart_delay_max) },
        { "restart_reset", false, NULL, parse_duration_key, offsetof(struct unit_config, restart_reset) },
        { "start_limit", false, NULL, parse_start_limit, 0 },
        { "start_limit_interval", false, NULL, parse_duration_key, offsetof(struct unit_config, start_limit_interval) },
        { "success_exit_status", true, "{0}", parse_success_exit_status, 0 },
        { "stop_signal", false, NULL, parse_stop_signal, 0 },
        { "stop_timeout", false, NULL, parse_duration_key, offsetof(struct unit_config, stop_timeout) },
};

struct unit_config *unit_config_free(struct unit_config *uc) {
        if (!uc)
                return NULL;
        free(uc->name);
        free(uc->file);
        free(uc->description);
        strv_free(uc->exec);
        free(uc->workdir);
        strv_free(uc->env);
        free(uc->user);
        strv_free(uc->requires);
        free(uc->success_exit_status);
        free(uc);
        return NULL;
}

static void unit_config_freep(struct unit_config **uc) {
        *uc = unit_config_free(*uc);
}

static struct unit_config *unit_config_new(void) {
        _cleanup_(unit_config_freep) struct unit_config *uc = calloc(1, sizeof(*uc));

        if (!uc)
                return NULL;
        uc->autostart = true;
        uc->restart = RESTART_ON_FAILURE;
        uc->restart_delay = 100 * USEC_PER_MSEC;
        uc->restart_delay_max = 30 * USEC_PER_SEC;
        uc->restart_reset = 60 * USEC_PER_SEC;
        uc->start_limit = 0;
        uc->start_limit_interval = 60 * USEC_PER_SEC;
        uc->stop_signal = SIGTERM;
        uc->stop_timeout = 10 * USEC_PER_SEC;
        uc->description = strdup("");
        uc->env = calloc(1, sizeof(char *));
        uc->requires = calloc(1, sizeof(char *));
        uc->success_exit_status = calloc(1, sizeof(int));
        if (!uc->description || !uc->env || !uc->requires || !uc->success_exit_status)
                return NULL;
        uc->n_success_exit_status = 1;
        return TAKE_PTR(uc);
}

/* Checks between keys, once each key is valid on its own. */
static int unit_check(struct unit_ctx *u, struct unit_config *uc) {
        char a[DURATION_STR_MAX], b[DURATION_STR_MAX];
        int r;

        if (uc->restart_delay_max < uc->restart_delay) {
                r = unit_error(u, "restart_delay_max", 0, 1, "%s is less than restart_delay %s",
                               format_duration(a, sizeof(a), uc->restart_delay_max),
                               format_duration(b, sizeof(b), uc->restart_delay));
                if (r == -ENOMEM)
                        return r;
        }
        if (uc->stop_timeout == 0) {
                r = unit_error(u, "stop_timeout", 0, 1, "must be more than 0");
                if (r == -ENOMEM)
                        return r;
        }
        if (uc->start_limit > 0 && uc->start_limit_interval == 0) {
                r = unit_error(u, "start_limit_interval", 0, 1, "must be more than 0 when start_limit is set");
                if (r == -ENOMEM)
                        return r;
        }
        return u->failed ? -EINVAL : 0;
}

static bool unit_key_known(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(unit_keys); i++)
                if (strcmp(unit_keys[i].name, name) == 0)
                        return true;
        return false;
}

/* Builds one unit from its section; every error of the unit is recorded, not just the
 * first. Returns 0 with *ret set, -EINVAL (errors recorded), or -ENOMEM. */
static int unit_build(struct unit_ctx *u, struct unit_config **ret) {
        _cleanup_(unit_config_freep) struct unit_config *uc = NULL;
        int r;

        if (!unit_name_valid(u->name))
                return unit_error(u, NULL, 0, 0,
                                  "invalid unit name (want [a-z0-9][a-z0-9_.-]{0,62})");
        for (size_t i = 0; u->keys && i < u->keys->n; i++)
                if (!unit_key_known(u->keys->keys[i].name)) {
                        const struct keyrec *k = &u->keys->keys[i];
                        r = add_error(u->c, u->file, k->line, u->name,
                                      "unit '%s': no such option '%s'", u->name, k->name);
                        if (r < 0)
                                return r;
                        u->failed = true;
                }

        uc = unit_config_new();
        if (!uc)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(unit_keys); i++) {
                r = unit_keys[i].parse(u, uc, unit_keys[i].name, unit_keys[i].offset);
                if (r == -ENOMEM)
                        return r;
        }
        if (u->failed)
                return -EINVAL;
        r = unit_check(u, uc);
        if (r < 0)
                return r;

        uc->name = strdup(u->name);
        uc->file = strdup(u->file);
        if (!uc->name || !uc->file)
                return -ENOMEM;
        uc->line = u->line;
        *ret = TAKE_PTR(uc);
        return 0;
}

/* ---- loading ---------------------------------------------------------------------- */

struct cand {
        struct unit_config *u;
        unsigned *req_lines; /* line of each requires entry */
        ssize_t *deps;       /* index of each requires entry in cands[], -1 unresolved */
        bool dead;
};

struct seen {
        const char *name; /* owned by the error list or the candidate; see loader_seen */
        char *owned;
        const char *file;
        unsigned line;
};

struct loader {
        struct sup_config *c;
        struct cand *cands;
        size_t n_cands, cap_cands;
        struct seen *seen; /* every container section, for duplicate names */
        size_t n_seen, cap_seen;
        char **files;      /* paths of parsed files; seen[].file points into them */
        size_t n_files;
};

static void loader_done(struct loader *l) {
        for (size_t i = 0; i < l->n_cands; i++) {
                unit_config_free(l->cands[i].u);
                free(l->cands[i].req_lines);
                free(l->cands[i].deps);
        }
        free(l->cands);
        for (size_t i = 0; i < l->n_seen; i++)
                free(l->seen[i].owned);
        free(l->seen);
        for (size_t i = 0; i < l->n_files; i++)
                free(l->files[i]);
        free(l->files);
        *l = (struct loader){};
}

static int root_opts_new(cfg_opt_t **ret) {
        size_t n = ELEMENTSOF(unit_keys);
        cfg_opt_t *sub = calloc(n + 1, sizeof(cfg_opt_t));
        cfg_opt_t *root = calloc(2, sizeof(cfg_opt_t));

        if (!sub || !root) {
                free(sub);
                free(root);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                if (unit_keys[i].list)
                        sub[i] = (cfg_opt_t)CFG_STR_LIST(unit_keys[i].name,
                                                         (char *)unit_keys[i].list_default, CFGF_NONE);
                else
                        sub[i] = (cfg_opt_t)CFG_STR(unit_keys[i].name, NULL, CFGF_NONE);
        sub[n] = (cfg_opt_t)CFG_END();
        root[0] = (cfg_opt_t)CFG_SEC("container", sub,
                                     CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES);
        root[1] = (cfg_opt_t)CFG_END();
        *ret = root;
        return 0;
}

static void root_opts_free(cfg_opt_t *root) {
        if (root) {
                free(root[0].subopts);
                free(root);
        }
}

static const struct seen *loader_find_seen(const struct loader *l, const char *name) {
        for (size_t i = 0; i < l->n_seen; i++)
                if (strcmp(l->seen[i].name, name) == 0)
                        return &l->seen[i];
        return NULL;
}

static int loader_add_seen(struct loader *l, const char *name, const char *file, unsigned line) {
        char *owned;

        if (l->n_seen + 1 > l->cap_seen) {
                size_t cap = l->cap_seen ? l->cap_seen * 2 : 32;
                struct seen *s = reallocarray(l->seen, cap, sizeof(*s));
                if (!s)
                        return -ENOMEM;
                l->seen = s;
                l->cap_seen = cap;
        }
        owned = strdup(name);
        if (!owned)
                return -ENOMEM;
        l->seen[l->n_seen++] = (struct seen){ .name = owned, .owned = owned, .file = file, .line = line };
        return 0;
}

static int loader_add_cand(struct loader *l, struct unit_config *uc, const struct keylist *keys) {
        const struct keyrec *k = keylist_find(keys, "requires");
        size_t n = strv_length(uc->requires);
        struct cand *c;

        if (l->n_cands + 1 > l->cap_cands) {
                size_t cap = l->cap_cands ? l->cap_cands * 2 : 32;
                c = reallocarray(l->cands, cap, sizeof(*c));
                if (!c)
                        return -ENOMEM;
                l->cands = c;
                l->cap_cands = cap;
        }
        c = &l->cands[l->n_cands];
        *c = (struct cand){};
        c->req_lines = calloc(n + 1, sizeof(unsigned));
        c->deps = calloc(n + 1, sizeof(ssize_t));
        if (!c->req_lines || !c->deps) {
                free(c->req_lines);
                free(c->deps);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                c->req_lines[i] = !k ? uc->line : k->n_vlines == n ? k->vlines[i] : k->line;
        c->u = uc;
        l->n_cands++;
        return 0;
}

static int load_unit_file(struct loader *l, const char *path, cfg_opt_t *opts) {
        _cleanup_free_ char *file_unit = NULL, *p = NULL;
        struct parsed parsed = {};
        size_t n, n_sec = 0;
        char **files;
        int r;

        file_unit = file_unit_name(path);
        p = strdup(path);
        if (!file_unit || !p)
                return -ENOMEM;
        files = reallocarray(l->files, l->n_files + 1, sizeof(char *));
        if (!files)
                return -ENOMEM;
        l->files = files;
        l->files[l->n_files++] = TAKE_PTR(p);
        path = l->files[l->n_files - 1];

        const char *keys[ELEMENTSOF(unit_keys) + 1] = {};
        for (size_t k = 0; k < ELEMENTSOF(unit_keys); k++)
                keys[k] = unit_keys[k].name;
        const struct schema schema = {
                .sections = (const char *const[]){ "container", NULL },
                .section_keys = keys,
        };
        r = parse_file(l->c, path, opts, &schema, file_unit, &parsed);
        if (r != 0)
                return r < 0 ? r : 0;

        /* Anything at the top level but container sections fails the file: a mistyped
         * "contianer web {" must not make a unit silently disappear. */
        bool bad = false;
        for (size_t i = 0; i < parsed.map.root.n; i++) {
                bad = true;
                r = add_error(l->c, path, parsed.map.root.keys[i].line, file_unit,
                              "no such option '%s'", parsed.map.root.keys[i].name);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < parsed.map.n_secs; i++)
                if (strcmp(parsed.map.secs[i].name, "container") != 0) {
                        bad = true;
                        r = add_error(l->c, path, parsed.map.secs[i].line, file_unit,
                                      "no such option '%s'", parsed.map.secs[i].name);
                        if (r < 0)
                                goto out;
                }
        if (bad) {
                r = 0;
                goto out;
        }

        n = cfg_size(parsed.cfg, "container");
        for (size_t i = 0; i < n; i++) {
                cfg_t *sec = cfg_getnsec(parsed.cfg, "container", (unsigned)i);
                const struct secrec *sr = NULL;
                struct unit_config *uc = NULL;
                const struct seen *first;

                /* the i-th container section the walk saw is libconfuse's i-th */
                for (; n_sec < parsed.map.n_secs; n_sec++)
                        if (strcmp(parsed.map.secs[n_sec].name, "container") == 0) {
                                sr = &parsed.map.secs[n_sec++];
                                break;
                        }
                struct unit_ctx u = {
                        .c = l->c,
                        .file = path,
                        .name = cfg_title(sec) ? cfg_title(sec) : "",
                        .line = sr ? sr->line : 0,
                        .keys = sr ? &sr->keys : NULL,
                        .sec = sec,
                };

                if (l->n_seen >= CONFIG_MAX_UNITS) {
                        r = unit_error(&u, NULL, 0, 0, "too many units (limit %d)", CONFIG_MAX_UNITS);
                        if (r == -ENOMEM)
                                goto out;
                        continue;
                }
                first = loader_find_seen(l, u.name);
                if (first) {
                        r = unit_error(&u, NULL, 0, 0, "duplicate unit name, first defined at %s:%u",
                                       first->file, first->line);
                        if (r == -ENOMEM)
                                goto out;
                        continue;
                }
                r = loader_add_seen(l, u.name, path, u.line);
                if (r < 0)
                        goto out;
                r = unit_build(&u, &uc);
                if (r == -ENOMEM)
                        goto out;
                if (r < 0)
                        continue;
                r = loader_add_cand(l, uc, u.keys ? u.keys : &(struct keylist){});
                if (r < 0) {
                        unit_config_free(uc);
                        goto out;
                }
        }
        r = 0;
out:
        parsed_done(&parsed);
        return r;
}

/* ---- requires: resolution, failures that spread, cycles --------------------------- */

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
static int cand_error(struct loader *l, size_t i, size_t j, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        struct cand *c = &l->cands[i];
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        c->dead = true;
        return add_error(l->c, c->u->file, c->req_lines[j], c->u->name, "unit '%s': requires: %s",
                         c->u->name, text);
}

/* Kills every unit that requires a dead one, transitively, in breadth-first order.
 * queue holds the newly dead; rdeps[d] lists (unit, entry) pairs that require d. */
struct rdep {
        size_t unit, entry;
};

static int spread_failures(struct loader *l, size_t *queue, size_t qhead, size_t qtail,
                           struct rdep **rdeps, const size_t *n_rdeps) {
        while (qhead < qtail) {
                size_t d = queue[qhead++];
                for (size_t k = 0; k < n_rdeps[d]; k++) {
                        size_t i = rdeps[d][k].unit;
                        int r;

                        if (l->cands[i].dead)
                                continue;
                        r = cand_error(l, i, rdeps[d][k].entry, "unit '%s' failed to load",
                                       l->cands[d].u->name);
                        if (r < 0)
                                return r;
                        queue[qtail++] = i;
                }
        }
        return 0;
}

struct tarjan {
        struct loader *l;
        ssize_t *index, *low;
        bool *on_stack;
        size_t *stack, sp, next;
        ssize_t *scc;   /* scc id of each unit, -1 until known */
        size_t *scc_size;
        size_t n_scc;
};

/* Recursion depth is bounded by CONFIG_MAX_UNITS. */
static void tarjan_visit(struct tarjan *t, size_t v) {
        struct cand *c = &t->l->cands[v];
        size_t n = strv_length(c->u->requires);

        t->index[v] = t->low[v] = (ssize_t)t->next++;
        t->stack[t->sp++] = v;
        t->on_stack[v] = true;
        for (size_t j = 0; j < n; j++) {
                ssize_t w = c->deps[j];
                if (w < 0 || t->l->cands[w].dead)
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
static int cycle_describe(struct loader *l, const ssize_t *scc, size_t u, size_t *queue,
                          ssize_t *parent, char **ret, size_t *ret_entry) {
        _cleanup_free_ char *s = NULL;
        size_t head = 0, tail = 0, n_path = 0, last = u;
        ssize_t *entry_of = NULL;
        bool found = false;

        for (size_t i = 0; i < l->n_cands; i++)
                parent[i] = -1;
        entry_of = calloc(l->n_cands, sizeof(ssize_t));
        if (!entry_of)
                return -ENOMEM;
        queue[tail++] = u;
        while (head < tail && !found) {
                size_t v = queue[head++];
                size_t n = strv_length(l->cands[v].u->requires);
                for (size_t j = 0; j < n && !found; j++) {
                        ssize_t w = l->cands[v].deps[j];
                        if (w < 0 || scc[w] != scc[u] || l->cands[w].dead)
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
        if (asprintf(&s, "%s", l->cands[u].u->name) < 0)
                return -ENOMEM;
        for (size_t k = n_path; k > 0; k--) {
                char *t = NULL;
                if (asprintf(&t, "%s -> %s", s, l->cands[queue[k - 1]].u->name) < 0)
                        return -ENOMEM;
                free(s);
                s = t;
        }
        char *t = NULL;
        if (asprintf(&t, "%s -> %s", s, l->cands[u].u->name) < 0)
                return -ENOMEM;
        free(s);
        s = t;
        *ret = TAKE_PTR(s);
        return 0;
}

static int resolve_requires(struct loader *l) {
        size_t n = l->n_cands;
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
        qsort_r(order, n, sizeof(size_t), cand_cmp, l->cands);
        struct name_index ix = { .cands = l->cands, .order = order, .n = n };

        /* 1. every entry names a loaded unit */
        for (size_t i = 0; i < n; i++) {
                struct cand *c = &l->cands[i];
                size_t m = strv_length(c->u->requires);
                for (size_t j = 0; j < m; j++) {
                        const char *dep = c->u->requires[j];
                        c->deps[j] = name_index_find(&ix, dep);
                        if (c->deps[j] >= 0)
                                continue;
                        if (unit_has_error(l->c, dep))
                                r = cand_error(l, i, j, "unit '%s' failed to load", dep);
                        else
                                r = cand_error(l, i, j, "unknown unit '%s'", dep);
                        if (r < 0)
                                goto out;
                }
                if (c->dead)
                        queue[qtail++] = i;
        }

        /* reverse edges */
        for (size_t i = 0; i < n; i++) {
                size_t m = strv_length(l->cands[i].u->requires);
                for (size_t j = 0; j < m; j++) {
                        ssize_t d = l->cands[i].deps[j];
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
        r = spread_failures(l, queue, 0, qtail, rdeps, n_rdeps);
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
        struct tarjan t = { .l = l, .index = index, .low = low, .on_stack = on_stack, .stack = stack,
                            .scc = scc, .scc_size = scc_size };
        for (size_t i = 0; i < n; i++)
                index[i] = scc[i] = -1;
        for (size_t i = 0; i < n; i++)
                if (!l->cands[i].dead && index[i] < 0)
                        tarjan_visit(&t, i);
        /* describe every cycle before any member is marked dead: a description only
         * follows living units */
        for (size_t i = 0; i < n; i++) {
                if (l->cands[i].dead || scc[i] < 0 || scc_size[scc[i]] < 2)
                        continue;
                r = cycle_describe(l, scc, i, queue, parent, &cycles[n_newly], &entries[n_newly]);
                if (r < 0)
                        goto out;
                newly[n_newly++] = i;
        }
        for (size_t k = 0; k < n_newly; k++) {
                r = cand_error(l, newly[k], entries[k], "dependency cycle %s", cycles[k]);
                if (r < 0)
                        goto out;
        }
        for (size_t k = 0; k < n_newly; k++)
                queue[k] = newly[k];
        r = spread_failures(l, queue, 0, n_newly, rdeps, n_rdeps);
out:
        for (size_t i = 0; i < n; i++) {
                free(rdeps[i]);
                free(cycles[i]);
        }
        free(cycles);
        return r;
}

static int loader_finish(struct loader *l) {
        struct sup_config *c = l->c;
        size_t n = 0;
        int r;

        r = resolve_requires(l);
        if (r < 0)
                return r;
        c->units = calloc(l->n_cands + 1, sizeof(struct unit_config *));
        if (!c->units)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_cands; i++)
                if (!l->cands[i].dead)
                        c->units[n++] = TAKE_PTR(l->cands[i].u);
        c->n_units = n;
        return 0;
}

static int conf_file_filter(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
}

static int conf_file_cmp(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

/* Loads every *.conf in dir, sorted. -errno when dir cannot be read. */
static int load_unit_dir(struct loader *l, const char *dir, cfg_opt_t *opts) {
        struct dirent **list = NULL;
        int n, r = 0;

        n = scandir(dir, &list, conf_file_filter, conf_file_cmp);
        if (n < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                if (r >= 0) {
                        _cleanup_free_ char *p = path_join(dir, list[i]->d_name);
                        r = p ? load_unit_file(l, p, opts) : -ENOMEM;
                }
                free(list[i]);
        }
        free(list);
        return r;
}

static struct sup_config *sup_config_new(void) {
        struct sup_config *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->state_dir = strdup("/var/lib/sup");
        c->control_group = strdup("root");
        c->shutdown_timeout = 30 * USEC_PER_SEC;
        if (!c->state_dir || !c->control_group)
                return config_free(c);
        return c;
}

/* ---- sup.conf --------------------------------------------------------------------- */

static const char *const global_keys[] = { "units_dir", "state_dir", "shutdown_timeout",
                                           "control_group", NULL };

/* "FILE:LINE: KEY: text" for sup.conf; marks global_error. */
__attribute__((format(printf, 4, 5)))
static int global_error(struct sup_config *c, const struct parsed *p, const char *key,
                        const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        const struct keyrec *k = keylist_find(&p->map.root, key);
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        c->global_error = true;
        return add_error(c, p->path, k ? k->line : 0, NULL, "%s: %s", key, text);
}

static int set_string(char **field, const char *value) {
        char *s = strdup(value);
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

static int load_global(struct sup_config *c, const char *config_dir) {
        cfg_opt_t opts[] = {
                CFG_STR("units_dir", NULL, CFGF_NONE),
                CFG_STR("state_dir", NULL, CFGF_NONE),
                CFG_STR("shutdown_timeout", NULL, CFGF_NONE),
                CFG_STR("control_group", NULL, CFGF_NONE),
                CFG_END(),
        };
        _cleanup_free_ char *path = NULL;
        struct parsed p = {};
        const char *s;
        size_t before = c->n_errors;
        int r;

        path = path_join(config_dir, "sup.conf");
        c->units_dir = path_join(config_dir, "units");
        if (!path || !c->units_dir)
                return -ENOMEM;
        if (access(path, F_OK) < 0 && errno == ENOENT)
                return 0;

        r = parse_file(c, path, opts, &(const struct schema){ .root_keys = global_keys }, NULL, &p);
        if (r != 0) {
                if (c->n_errors > before)
                        c->global_error = true;
                return r < 0 ? r : 0;
        }
        for (size_t i = 0; i < p.map.root.n; i++) {
                bool known = false;
                for (size_t k = 0; global_keys[k]; k++)
                        known = known || strcmp(global_keys[k], p.map.root.keys[i].name) == 0;
                if (!known) {
                        c->global_error = true;
                        r = add_error(c, path, p.map.root.keys[i].line, NULL, "no such option '%s'",
                                      p.map.root.keys[i].name);
                        if (r < 0)
                                goto out;
                }
        }
        for (size_t i = 0; i < p.map.n_secs; i++) {
                c->global_error = true;
                r = add_error(c, path, p.map.secs[i].line, NULL, "no such option '%s'",
                              p.map.secs[i].name);
                if (r < 0)
                        goto out;
        }

        r = 0;
        s = cfg_getstr(p.cfg, "units_dir");
        if (s && !*s)
                r = global_error(c, &p, "units_dir", "empty path");
        else if (s && s[0] == '/')
                r = set_string(&c->units_dir, s);
        else if (s) {
                char *j = path_join(config_dir, s);
                if (!j)
                        r = -ENOMEM;
                else {
                        free(c->units_dir);
                        c->units_dir = j;
                }
        }
        if (r < 0)
                goto out;

        s = cfg_getstr(p.cfg, "state_dir");
        if (s && s[0] != '/')
                r = global_error(c, &p, "state_dir", "not an absolute path '%s'", s);
        else if (s)
                r = set_string(&c->state_dir, s);
        if (r < 0)
                goto out;

        s = cfg_getstr(p.cfg, "shutdown_timeout");
        if (s) {
                char a[DURATION_STR_MAX];
                usec_t v;
                r = parse_duration(s, &v);
                if (r == -ERANGE || (r >= 0 && v > CONFIG_MAX_DURATION))
                        r = global_error(c, &p, "shutdown_timeout", "duration '%s' out of range (max %s)",
                                         s, format_duration(a, sizeof(a), CONFIG_MAX_DURATION));
                else if (r < 0)
                        r = global_error(c, &p, "shutdown_timeout", "invalid duration '%s'", s);
                else if (v == 0)
                        r = global_error(c, &p, "shutdown_timeout", "must be more than 0");
                else
                        c->shutdown_timeout = v;
                if (r < 0)
                        goto out;
        }

        s = cfg_getstr(p.cfg, "control_group");
        if (s && !user_name_valid(s) && !id_valid(s, strlen(s)))
                r = global_error(c, &p, "control_group", "invalid group '%s' (want a name or gid)", s);
        else if (s)
                r = set_string(&c->control_group, s);
out:
        parsed_done(&p);
        return r < 0 ? r : 0;
}

/* ---- public ----------------------------------------------------------------------- */

static void sup_config_freep(struct sup_config **c) {
        *c = config_free(*c);
}

int config_load(const char *config_dir, struct sup_config **ret) {
        _cleanup_(sup_config_freep) struct sup_config *c = NULL;
        _cleanup_(loader_done) struct loader l = {};
        cfg_opt_t *opts = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        if (!config_dir)
                config_dir = CONFIG_DIR_DEFAULT;
        c = sup_config_new();
        if (!c)
                return -ENOMEM;
        r = load_global(c, config_dir);
        if (r < 0)
                return r;

        r = root_opts_new(&opts);
        if (r < 0)
                return r;
        l.c = c;
        r = load_unit_dir(&l, c->units_dir, opts);
        root_opts_free(opts);
        if (r < 0)
                return r;
        r = loader_finish(&l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int config_load_files(char *const *paths, size_t n_paths, struct sup_config **ret) {
        _cleanup_(sup_config_freep) struct sup_config *c = NULL;
        _cleanup_(loader_done) struct loader l = {};
        cfg_opt_t *opts = NULL;
        int r = 0;

        if (!ret || (n_paths > 0 && !paths))
                return -EINVAL;
        c = sup_config_new();
        if (!c)
                return -ENOMEM;
        r = root_opts_new(&opts);
        if (r < 0)
                return r;
        l.c = c;
        for (size_t i = 0; i < n_paths && r >= 0; i++) {
                struct stat st;
                if (stat(paths[i], &st) >= 0 && S_ISDIR(st.st_mode)) {
                        r = load_unit_dir(&l, paths[i], opts);
                        if (r < 0 && r != -ENOMEM)
                                r = add_error(c, paths[i], 0, NULL, "cannot read directory: %s",
                                              strerror(-r));
                } else
                        r = load_unit_file(&l, paths[i], opts);
        }
        root_opts_free(opts);
        if (r < 0)
                return r;
        r = loader_finish(&l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

struct sup_config *config_free(struct sup_config *c) {
        if (!c)
                return NULL;
        free(c->units_dir);
        free(c->state_dir);
        free(c->control_group);
        for (size_t i = 0; i < c->n_units; i++)
                unit_config_free(c->units[i]);
        free(c->units);
        for (size_t i = 0; i < c->n_errors; i++) {
                free(c->errors[i].file);
                free(c->errors[i].unit);
                free(c->errors[i].message);
        }
        free(c->errors);
        free(c);
        return NULL;
}

bool unit_config_equal(const struct unit_config *a, const struct unit_config *b) {
        if (a == b)
                return true;
        if (!a || !b)
                return false;
        return streq_ptr(a->name, b->name) &&
               streq_ptr(a->description, b->description) &&
               strv_equal(a->exec, b->exec) &&
               streq_ptr(a->workdir, b->workdir) &&
               strv_equal(a->env, b->env) &&
               streq_ptr(a->user, b->user) &&
               a->autostart == b->autostart &&
               strv_equal(a->requires, b->requires) &&
               a->restart == b->restart &&
               a->restart_delay == b->restart_delay &&
               a->restart_delay_max == b->restart_delay_max &&
               a->restart_reset == b->restart_reset &&
               a->start_limit == b->start_limit &&
               a->start_limit_interval == b->start_limit_interval &&
               a->n_success_exit_status == b->n_success_exit_status &&
               (a->n_success_exit_status == 0 ||
                memcmp(a->success_exit_status, b->success_exit_status,
                       a->n_success_exit_status * sizeof(int)) == 0) &&
               a->stop_signal == b->stop_signal &&
               a->stop_timeout == b->stop_timeout;
}

const char *restart_mode_to_string(enum restart_mode m) {
        switch (m) {
        case RESTART_NO:
                return "no";
        case RESTART_ON_FAILURE:
                return "on-failure";
        case RESTART_ALWAYS:
                return "always";
        }
        return NULL;
}
