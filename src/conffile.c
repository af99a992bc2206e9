/* conffile: read the configuration file into a struct config, with errors as "file:line: why". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileline.h"
#include "conffile.h"
#include "config.h"
#include "options.h"

#define CONF_MAX	((size_t)1024 * 1024)	/* real files: a few hundred bytes */
#define SHOW_MAX	64		/* of a word quoted in an error */
#define UTF8_BOM	"\xef\xbb\xbf"

enum tok_kind { T_EOF, T_EOL, T_WORD, T_STRING, T_OPEN, T_CLOSE };

/* A slice of the text; a string's slice is what is between its quotes. */
struct token {
	const char	*s;
	size_t		 len;
	enum tok_kind	 kind;
	int		 line;
};

struct parser {
	const char	*pos, *end;
	const char	*file;
	int		 line;
	struct config	*cfg;
	struct host	*host;		/* the server block we are in */
	struct location	*loc;		/* the location block in it, or NULL */
	struct rules	*rules;		/* what server-or-location options set */
	int		 block_line;	/* where it opened */
	int		 loc_line;
	int		 cert_line;	/* where it set cert, or 0 */
	int		 key_line;
	const char	*option;	/* the option being set */
	char		*scratch;	/* the value being decoded */
	size_t		 scratch_cap;
	char		*err;
	size_t		 errsz;
};

#define WORDS_MAX	8	/* tokens in one statement */

static int	fail(struct parser *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Writes "file:line: message" into err; returns -1 to pass on. */
static int
fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = fileline_vfail(p->err, p->errsz, p->file, line, fmt, ap);
	va_end(ap);
	return rc;
}

/* How much of a token an error message quotes. */
static int
shown(const struct token *t)
{
	return t->len < SHOW_MAX ? (int)t->len : SHOW_MAX;
}

static int
token_is(const struct token *t, const char *word)
{
	return t->kind == T_WORD && t->len == strlen(word) &&
	    memcmp(t->s, word, t->len) == 0;
}

/* Control bytes and the syntax characters end a bare word. */
static int
is_word_byte(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != '"' && c != '#' && c != '{' &&
	    c != '}';
}

/* Blanks and comments; a CR is a blank, which makes CRLF files work. */
static void
skip_blanks(struct parser *p)
{
	while (p->pos < p->end) {
		if (*p->pos == ' ' || *p->pos == '\t' || *p->pos == '\r')
			p->pos++;
		else if (*p->pos == '#')
			while (p->pos < p->end && *p->pos != '\n')
				p->pos++;
		else
			break;
	}
}

/* A string ends on its line: a newline inside it means a missing quote. */
static int
scan_string(struct parser *p, struct token *t)
{
	unsigned char	 c, next;

	t->kind = T_STRING;
	t->s = ++p->pos;
	for (;;) {
		if (p->pos == p->end || *p->pos == '\n' || *p->pos == '\r')
			return fail(p, t->line, "unterminated string");
		c = (unsigned char)*p->pos;
		if (c == '"')
			break;
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return fail(p, t->line, "control character \\x%02x in "
			    "a string", c);
		if (c == '\\') {
			next = p->pos + 1 < p->end ? (unsigned char)p->pos[1] :
			    '\n';
			if (next == '\n' || next == '\r') {
				p->pos++;
				continue;
			}
			if (next != '"' && next != '\\')
				return fail(p, t->line, "unknown escape in a "
				    "string: only \\\" and \\\\ are allowed");
			p->pos++;
		}
		p->pos++;
	}
	t->len = (size_t)(p->pos - t->s);
	p->pos++;
	return 0;
}

static int
next_token(struct parser *p, struct token *t)
{
	unsigned char	 c;

	skip_blanks(p);
	t->line = p->line;
	t->s = p->pos;
	t->len = 0;
	if (p->pos == p->end) {
		t->kind = T_EOF;
		return 0;
	}
	c = (unsigned char)*p->pos;
	if (c == '"')
		return scan_string(p, t);
	if (is_word_byte(c)) {
		t->kind = T_WORD;
		while (p->pos < p->end && is_word_byte((unsigned char)*p->pos))
			p->pos++;
		t->len = (size_t)(p->pos - t->s);
		return 0;
	}
	if (c == '\n') {
		t->kind = T_EOL;
		p->line++;
	} else if (c == '{')
		t->kind = T_OPEN;
	else if (c == '}')
		t->kind = T_CLOSE;
	else
		return fail(p, t->line, "unexpected byte \\x%02x", c);
	t->len = 1;
	p->pos++;
	return 0;
}

/*
 * The token's text with its escapes resolved, in the parser's scratch
 * buffer: valid until the next call.  NULL after an error.
 */
static const char *
decode(struct parser *p, const struct token *t)
{
	char	*bigger;
	size_t	 i, n = 0;

	if (t->len >= p->scratch_cap) {
		if ((bigger = realloc(p->scratch, t->len + 1)) == NULL) {
			fail(p, t->line, "out of memory");
			return NULL;
		}
		p->scratch = bigger;
		p->scratch_cap = t->len + 1;
	}
	for (i = 0; i < t->len; i++) {
		if (t->kind == T_STRING && t->s[i] == '\\' && i + 1 < t->len)
			i++;
		p->scratch[n++] = t->s[i];
	}
	p->scratch[n] = '\0';
	return p->scratch;
}

static const char *
block_name(const struct parser *p)
{
	return p->loc != NULL ? "a location block" : p->host != NULL ?
	    "a server block" : "the global part";
}

static int
check_scope(struct parser *p, const struct options_spec *o, int line)
{
	int	 here = p->loc != NULL ? OPT_LOCATION : p->host != NULL ?
	    OPT_SERVER : OPT_GLOBAL;

	if (o->scope & here)
		return 0;
	if (o->scope == OPT_GLOBAL)
		return fail(p, line, "'%s' is a global option: put it outside "
		    "server blocks", o->name);
	if (here == OPT_GLOBAL)
		return fail(p, line, "'%s' belongs inside a server block",
		    o->name);
	return fail(p, line, "'%s' does not belong in %s", o->name,
	    block_name(p));
}

/* A setter of src/options.c on the statement's values. */
static int
apply(struct parser *p, const struct options_spec *o, const struct token *t,
    size_t n)
{
	struct options_ctx	 ctx;
	char			*values[3] = { NULL, NULL, NULL };
	char			 why[512];
	size_t			 i;
	int			 rc = -1;

	for (i = 0; i < n; i++) {
		if (o->number && t[i].kind == T_STRING) {
			fail(p, t[i].line, "expected a number for '%s', "
			    "without quotes", o->name);
			goto done;
		}
		if (decode(p, &t[i]) == NULL)
			goto done;
		values[i] = config_strdup(p->scratch);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = p->cfg;
	ctx.host = p->host;
	ctx.rules = p->rules;
	ctx.err = why;
	ctx.errsz = sizeof(why);
	if ((rc = options_set(&ctx, o, (const char *const *)values, n)) == -1)
		fail(p, t[0].line, "%s", why);
done:
	for (i = 0; i < 3; i++)
		free(values[i]);
	return rc;
}

/* "option value...", one to a line; t[n] is the token that ended it. */
static int
option(struct parser *p, struct token *t, size_t n)
{
	const struct options_spec	*o;
	char				 words[WORDS_MAX][64];
	const char			*w[WORDS_MAX];
	size_t				 k, nargs, i, nw;

	for (nw = 0; nw < n && t[nw].kind == T_WORD; nw++) {
		snprintf(words[nw], sizeof(words[nw]), "%.*s",
		    (int)t[nw].len, t[nw].s);
		w[nw] = words[nw];
	}
	if ((o = options_find(w, nw, &k)) == NULL)
		return fail(p, t[0].line, "unknown option '%.*s'",
		    shown(&t[0]), t[0].s);
	if (check_scope(p, o, t[0].line) == -1)
		return -1;
	nargs = n - k;
	for (i = 0; i < nargs; i++)
		if (t[k + i].kind != T_WORD && t[k + i].kind != T_STRING)
			break;
	if (i < nargs && i < o->nmin)
		return fail(p, t[0].line, "'%s' needs a value", o->name);
	if (i < nargs || nargs > o->nmax)
		return fail(p, t[0].line, "'%s' takes %s (quote it if it "
		    "contains blanks)", o->name, o->nmax == 0 ? "no value" :
		    o->nmax == 1 ? "one value" : o->nmax == 2 ?
		    "at most two values" : "at most three values");
	if (nargs < o->nmin)
		return fail(p, t[0].line, "'%s' needs a value", o->name);
	if (o->set == NULL)
		return 0;
	p->option = o->name;
	if (strcmp(o->name, "cert") == 0)
		p->cert_line = t[0].line;
	if (strcmp(o->name, "key") == 0)
		p->key_line = t[0].line;
	return apply(p, o, t + k, nargs);
}

static const char *
block_value(struct parser *p, const struct token *name)
{
	if ((name->kind != T_WORD && name->kind != T_STRING) || name->len == 0)
		return NULL;
	return decode(p, name);
}

static const char *
server_name(struct parser *p, const struct token *t)
{
	struct options_ctx	 ctx;
	char			 why[512];

	if (decode(p, t) == NULL)
		return NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = p->cfg;
	ctx.err = why;
	ctx.errsz = sizeof(why);
	if (options_new_name(&ctx, p->scratch, "server name") == -1) {
		fail(p, t->line, "%s", why);
		return NULL;
	}
	return p->scratch;
}

/* "server NAME {" */
static int
open_server(struct parser *p, const struct token *t, size_t n)
{
	const char	*s;

	if (p->host != NULL)
		return fail(p, t[0].line, "server blocks do not nest: missing "
		    "'}' for server '%s' of line %d", p->host->name,
		    p->block_line);
	if (n < 2 || t[1].kind == T_OPEN || t[1].len == 0)
		return fail(p, t[0].line, "server block without a name");
	if (n > 3 && t[2].kind == T_OPEN)
		return fail(p, t[0].line, "nothing may follow '{' on its line");
	if (n != 3 || t[2].kind != T_OPEN)
		return fail(p, t[0].line, "expected '{' after the server name, "
		    "on the same line");
	if ((s = server_name(p, &t[1])) == NULL)
		return -1;
	if ((p->host = config_add_host(p->cfg, s)) == NULL)
		return fail(p, t[0].line, "more than %d server blocks",
		    MAX_HOSTS);
	p->rules = &p->host->r;
	p->block_line = t[0].line;
	p->cert_line = p->key_line = 0;
	return 0;
}

/* "location PATTERN {" inside a server block */
static int
open_location(struct parser *p, const struct token *t, size_t n)
{
	struct location	*l;
	const char	*s;

	if (p->host == NULL)
		return fail(p, t[0].line, "a location block belongs inside a "
		    "server block");
	if (p->loc != NULL)
		return fail(p, t[0].line, "location blocks do not nest: "
		    "missing '}' for the location of line %d", p->loc_line);
	if (n > 3 && t[2].kind == T_OPEN)
		return fail(p, t[0].line, "nothing may follow '{' on its line");
	if (n != 3 || t[2].kind != T_OPEN ||
	    (s = block_value(p, &t[1])) == NULL || s[0] == '\0')
		return fail(p, t[0].line, "expected location \"PATTERN\" {");
	if ((l = config_add_location(p->host, s)) == NULL)
		return fail(p, t[0].line, "more than %d locations in server "
		    "'%s'", MAX_LOCATIONS, p->host->name);
	l->line = t[0].line;
	p->loc = l;
	p->rules = &l->r;
	p->loc_line = t[0].line;
	return 0;
}

/* 'fastcgi param' and 'fastcgi max connections' need a 'fastcgi socket'. */
static int
check_fastcgi(struct parser *p, const struct rules *r, int line)
{
	const struct fastcgi_app	*a = r->fastcgi;

	if (a == NULL || a->socket_path != NULL || a->tcp_host != NULL)
		return 0;
	return fail(p, line, "'fastcgi param' or 'fastcgi max connections' "
	    "without a 'fastcgi socket' in %s", block_name(p));
}

static int
close_block(struct parser *p, const struct token *t)
{
	if (p->rules != NULL && check_fastcgi(p, p->rules, p->loc != NULL ?
	    p->loc_line : p->block_line) == -1)
		return -1;
	if (p->loc != NULL) {
		p->loc = NULL;
		p->rules = &p->host->r;
		return 0;
	}
	if (p->host == NULL)
		return fail(p, t->line, "'}' without a server block to close");
	if (p->cert_line != 0 && p->key_line == 0)
		return fail(p, p->cert_line, "'cert' without 'key' in server "
		    "'%s': give both, or neither and use 'certs'",
		    p->host->name);
	if (p->key_line != 0 && p->cert_line == 0)
		return fail(p, p->key_line, "'key' without 'cert' in server "
		    "'%s': give both, or neither and use 'certs'",
		    p->host->name);
	p->host = NULL;
	p->rules = NULL;
	return 0;
}

/*
 * The tokens of one statement, up to its end of line: '{' and '}' are
 * kept, so that a block opener ends with '{' and a stray brace counts as
 * a value too many.  0, 1 at the end of the text, or -1.
 */
static int
read_statement(struct parser *p, struct token *t, size_t *n)
{
	struct token	 tok;

	*n = 0;
	for (;;) {
		memset(&tok, 0, sizeof(tok));
		if (next_token(p, &tok) == -1)
			return -1;
		if (tok.kind == T_EOL || tok.kind == T_EOF) {
			t[*n] = tok;
			return *n == 0 && tok.kind == T_EOF ? 1 : 0;
		}
		if (*n == WORDS_MAX)
			return fail(p, tok.line, "too many values on one line");
		t[(*n)++] = tok;
	}
}

/* One statement and its end of line: 0, 1 at the end of the text, or -1. */
static int
statement(struct parser *p)
{
	struct token	 t[WORDS_MAX + 1];
	size_t		 n;
	int		 rc;

	if ((rc = read_statement(p, t, &n)) != 0)
		return rc;
	if (n == 0)
		return 0;
	switch (t[0].kind) {
	case T_CLOSE:
		if (n > 1)
			return fail(p, t[1].line, "nothing may follow '}' on "
			    "its line");
		return close_block(p, &t[0]);
	case T_OPEN:
		return fail(p, t[0].line, "'{' without 'server NAME' before "
		    "it");
	case T_STRING:
		return fail(p, t[0].line, "expected an option name, not a "
		    "quoted string");
	default:
		break;
	}
	if (token_is(&t[0], "server"))
		return open_server(p, t, n);
	if (token_is(&t[0], "location"))
		return open_location(p, t, n);
	return option(p, t, n);
}

int
conffile_parse(const char *text, size_t len, const char *name,
    struct config *cfg, char *err, size_t errsz)
{
	struct parser	 p;
	int		 rc;

	memset(&p, 0, sizeof(p));
	if (text == NULL)
		text = "";
	p.pos = text;
	/* cppcheck-suppress pointerOutOfBoundsCond ; text[0..len) is the input */
	p.end = text + len;
	p.file = name;
	p.line = 1;
	p.cfg = cfg;
	p.err = err;
	p.errsz = errsz;
	/* Some Windows editors start UTF-8 files with a byte order mark. */
	if (len >= 3 && memcmp(text, UTF8_BOM, 3) == 0)
		p.pos += 3;
	while ((rc = statement(&p)) == 0)
		;
	if (rc == 1 && p.loc != NULL)
		rc = fail(&p, p.loc_line, "missing '}' for the location of "
		    "this line");
	else if (rc == 1 && p.host != NULL)
		rc = fail(&p, p.block_line, "missing '}' for server '%s'",
		    p.host->name);
	free(p.scratch);
	return rc == 1 ? 0 : -1;
}

/* The file, or its first CONF_MAX + 1 bytes: enough to tell it is too large. */
static int
read_whole(int fd, char **textp, size_t *lenp)
{
	char	*text = NULL, *bigger;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	while (len <= CONF_MAX) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > CONF_MAX + 1)
				cap = CONF_MAX + 1;
			if ((bigger = realloc(text, cap)) == NULL)
				goto fail;
			text = bigger;
		}
		n = read(fd, text + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*textp = text;
	*lenp = len;
	return 0;
fail:
	free(text);
	return -1;
}

int
conffile_load(const char *path, struct config *cfg, char *err, size_t errsz)
{
	char	*text;
	size_t	 len;
	int	 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = read_whole(fd, &text, &len);
	if (rc == -1)
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	close(fd);
	if (rc == -1)
		return -1;
	if (len > CONF_MAX) {
		snprintf(err, errsz, "%s: larger than %zu bytes: not a "
		    "configuration file", path, CONF_MAX);
		free(text);
		return -1;
	}
	rc = conffile_parse(text, len, path, cfg, err, errsz);
	free(text);
	return rc;
}
