/* conffile: read the configuration file into a struct config, with errors as "file:line: why". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "config.h"

#define CONF_MAX	((size_t)1024 * 1024)	/* real files: a few hundred bytes */
#define SHOW_MAX	64		/* of a word quoted in an error */
#define UTF8_BOM	"\xef\xbb\xbf"

enum tok_kind { T_EOF, T_EOL, T_WORD, T_STRING, T_OPEN, T_CLOSE };

/* A slice of the text; a string's slice is what is between its quotes. */
struct token {
	enum tok_kind	 kind;
	const char	*s;
	size_t		 len;
	int		 line;
};

struct parser {
	const char	*pos, *end;
	const char	*file;
	int		 line;
	struct config	*cfg;
	struct host	*host;		/* the block we are in */
	int		 block_line;	/* where it opened */
	int		 cert_line;	/* where it set cert, or 0 */
	int		 key_line;
	const char	*option;	/* the option being set */
	char		*scratch;	/* the value being decoded */
	size_t		 scratch_cap;
	char		*err;
	size_t		 errsz;
};

enum scope { GLOBAL, IN_SERVER };

struct option_def {
	const char	*name;
	enum scope	 scope;
	int		(*set)(struct parser *, const struct token *);
};

static int	fail(struct parser *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Writes "file:line: message" into err; returns -1 to pass on. */
static int
fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (p->errsz == 0)
		return -1;
	n = snprintf(p->err, p->errsz, "%s:%d: ", p->file, line);
	if (n >= 0 && (size_t)n < p->errsz) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
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

/* '{' and '}' stand alone at the end of their line. */
static int
expect_end(struct parser *p, const char *after)
{
	struct token	 t;

	if (next_token(p, &t) == -1)
		return -1;
	if (t.kind == T_EOL || t.kind == T_EOF)
		return 0;
	return fail(p, t.line, "nothing may follow %s on its line", after);
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

/* Every option wants something: an empty value is a mistake. */
static const char *
value(struct parser *p, const struct token *t)
{
	const char	*s;

	if ((s = decode(p, t)) != NULL && s[0] == '\0') {
		fail(p, t->line, "'%s' needs a value", p->option);
		return NULL;
	}
	return s;
}

static int
set_string(struct parser *p, const struct token *t, char **slot)
{
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	free(*slot);
	*slot = config_strdup(s);
	return 0;
}

/* Bare decimal digits; v stays small, so it cannot overflow. */
static int
number(struct parser *p, const struct token *t, long min, long max,
    long *out)
{
	size_t	 i;
	long	 v = 0;

	if (t->kind == T_STRING)
		return fail(p, t->line, "expected a number from %ld to %ld "
		    "for '%s', without quotes", min, max, p->option);
	for (i = 0; i < t->len && v <= max; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			break;
		v = v * 10 + (t->s[i] - '0');
	}
	if (i < t->len || v < min || v > max)
		return fail(p, t->line, "expected a number from %ld to %ld "
		    "for '%s', not '%.*s'", min, max, p->option, shown(t),
		    t->s);
	*out = v;
	return 0;
}

static int
set_count(struct parser *p, const struct token *t, long min, long max,
    int *out)
{
	long	 v;

	if (number(p, t, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
set_seconds(struct parser *p, const struct token *t, long max, int *ms)
{
	long	 v;

	if (number(p, t, 1, max, &v) == -1)
		return -1;
	*ms = (int)v * 1000;
	return 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The form the server binds, checked here so that -n catches mistakes. */
static int
valid_listen(const char *s)
{
	const char	*colon = strrchr(s, ':');
	size_t		 i;
	long		 port = 0;

	if (colon == NULL || colon[1] == '\0')
		return 0;
	for (i = 1; colon[i] != '\0'; i++) {
		if (!is_digit(colon[i]) || i > 5)
			return 0;
		port = port * 10 + (colon[i] - '0');
	}
	return port <= 65535;
}

/*
 * Names go into certificates ("DNS:a,DNS:b") and URLs: DNS names and IP
 * addresses only.  They must also be unique the way requests are matched
 * to hosts, without case and final dot, hence config_find_host().
 */
static const char *
host_name(struct parser *p, const struct token *t, const char *what)
{
	const char	*s;
	size_t		 i;
	int		 other;

	if ((s = value(p, t)) == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++) {
		if (!is_alnum(s[i]) && strchr("-._:", s[i]) == NULL) {
			fail(p, t->line, "%s '%s': only letters, digits, '-', "
			    "'.', '_' and ':' are allowed", what, s);
			return NULL;
		}
	}
	if ((other = config_find_host(p->cfg, s, strlen(s))) != -1) {
		fail(p, t->line, "%s '%s' is already used by server '%s'",
		    what, s, p->cfg->hosts[other].name);
		return NULL;
	}
	return s;
}

static int
add_listen(struct parser *p, const struct token *t)
{
	struct config	*cfg = p->cfg;
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	if (!valid_listen(s))
		return fail(p, t->line, "listen '%s': expected HOST:PORT, "
		    "such as localhost:1965, [::]:1965 or *:1965", s);
	if (cfg->nlisten == MAX_LISTEN)
		return fail(p, t->line, "more than %d listen addresses",
		    MAX_LISTEN);
	cfg->listen[cfg->nlisten++] = config_strdup(s);
	return 0;
}

static int
set_workers(struct parser *p, const struct token *t)
{
	return set_count(p, t, 0, 64, &p->cfg->workers);
}

static int
set_user(struct parser *p, const struct token *t)
{
	return set_string(p, t, &p->cfg->user);
}

static int
set_log(struct parser *p, const struct token *t)
{
	return set_string(p, t, &p->cfg->log_file);
}

static int
set_syslog(struct parser *p, const struct token *t)
{
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	if (strcmp(s, "yes") == 0)
		p->cfg->log_syslog = 1;
	else if (strcmp(s, "no") == 0)
		p->cfg->log_syslog = 0;
	else
		return fail(p, t->line, "'syslog' is yes or no, not '%s'", s);
	return 0;
}

static int
set_log_format(struct parser *p, const struct token *t)
{
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	if (strcmp(s, "almanac") == 0)
		p->cfg->log_format = LOG_FORMAT_ALMANAC;
	else if (strcmp(s, "common") == 0)
		p->cfg->log_format = LOG_FORMAT_COMMON;
	else
		return fail(p, t->line, "'log-format' is almanac or common, "
		    "not '%s'", s);
	return 0;
}

static int
set_request_timeout(struct parser *p, const struct token *t)
{
	return set_seconds(p, t, 3600, &p->cfg->request_timeout_ms);
}

static int
set_write_timeout(struct parser *p, const struct token *t)
{
	return set_seconds(p, t, 3600, &p->cfg->write_timeout_ms);
}

static int
set_max_lifetime(struct parser *p, const struct token *t)
{
	return set_seconds(p, t, 86400, &p->cfg->lifetime_ms);
}

static int
set_max_connections(struct parser *p, const struct token *t)
{
	return set_count(p, t, 1, 1000000, &p->cfg->max_conns);
}

static int
set_max_per_address(struct parser *p, const struct token *t)
{
	return set_count(p, t, 0, 1000000, &p->cfg->max_per_addr);
}

static int
set_rate_per_address(struct parser *p, const struct token *t)
{
	return set_count(p, t, 0, 1000000, &p->cfg->rate_per_addr);
}

static int
add_alias(struct parser *p, const struct token *t)
{
	struct host	*h = p->host;
	const char	*s;

	if ((s = host_name(p, t, "alias")) == NULL)
		return -1;
	if (h->naliases == MAX_ALIASES)
		return fail(p, t->line, "more than %d aliases in server '%s'",
		    MAX_ALIASES, h->name);
	h->aliases[h->naliases++] = config_strdup(s);
	return 0;
}

static int
set_root(struct parser *p, const struct token *t)
{
	return set_string(p, t, &p->host->root);
}

static int
set_certs(struct parser *p, const struct token *t)
{
	return set_string(p, t, &p->host->certs);
}

static int
set_cert(struct parser *p, const struct token *t)
{
	p->cert_line = t->line;
	return set_string(p, t, &p->host->cert_file);
}

static int
set_key(struct parser *p, const struct token *t)
{
	p->key_line = t->line;
	return set_string(p, t, &p->host->key_file);
}

/* It ends up in the meta line "text/gemini; lang=...": no ';' or blanks. */
static int
set_lang(struct parser *p, const struct token *t)
{
	const char	*s;
	size_t		 i;

	if ((s = value(p, t)) == NULL)
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != ',')
			return fail(p, t->line, "'lang' is a language tag "
			    "such as en or fr-CA, not '%s'", s);
	free(p->host->lang);
	p->host->lang = config_strdup(s);
	return 0;
}

static int
set_feed_entries(struct parser *p, const struct token *t)
{
	long	 v = 0;

	if (number(p, t, 1, 100000, &v) == -1)
		return -1;
	p->host->feed_max = (size_t)v;
	return 0;
}

static const struct option_def options[] = {
	{ "listen",		GLOBAL,		add_listen },
	{ "workers",		GLOBAL,		set_workers },
	{ "user",		GLOBAL,		set_user },
	{ "log",		GLOBAL,		set_log },
	{ "syslog",		GLOBAL,		set_syslog },
	{ "log-format",		GLOBAL,		set_log_format },
	{ "request-timeout",	GLOBAL,		set_request_timeout },
	{ "write-timeout",	GLOBAL,		set_write_timeout },
	{ "max-lifetime",	GLOBAL,		set_max_lifetime },
	{ "max-connections",	GLOBAL,		set_max_connections },
	{ "max-per-address",	GLOBAL,		set_max_per_address },
	{ "rate-per-address",	GLOBAL,		set_rate_per_address },
	{ "alias",		IN_SERVER,	add_alias },
	{ "root",		IN_SERVER,	set_root },
	{ "certs",		IN_SERVER,	set_certs },
	{ "cert",		IN_SERVER,	set_cert },
	{ "key",		IN_SERVER,	set_key },
	{ "lang",		IN_SERVER,	set_lang },
	{ "feed-entries",	IN_SERVER,	set_feed_entries }
};

static const struct option_def *
find_option(const struct token *t)
{
	size_t	 i;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (token_is(t, options[i].name))
			return &options[i];
	return NULL;
}

/* "option value", one to a line. */
static int
option(struct parser *p, const struct token *kw)
{
	const struct option_def	*o;
	struct token		 t;

	if ((o = find_option(kw)) == NULL)
		return fail(p, kw->line, "unknown option '%.*s'", shown(kw),
		    kw->s);
	if (o->scope == IN_SERVER && p->host == NULL)
		return fail(p, kw->line, "'%s' belongs inside a server block",
		    o->name);
	if (o->scope == GLOBAL && p->host != NULL)
		return fail(p, kw->line, "'%s' is a global option: put it "
		    "outside server blocks", o->name);
	if (next_token(p, &t) == -1)
		return -1;
	if (t.kind != T_WORD && t.kind != T_STRING)
		return fail(p, kw->line, "'%s' needs a value", o->name);
	p->option = o->name;
	if (o->set(p, &t) == -1 || next_token(p, &t) == -1)
		return -1;
	if (t.kind != T_EOL && t.kind != T_EOF)
		return fail(p, t.line, "'%s' takes one value (quote it if it "
		    "contains blanks)", o->name);
	return 0;
}

/* "server NAME {" */
static int
open_block(struct parser *p, const struct token *kw)
{
	struct token	 name, brace;
	const char	*s;

	if (p->host != NULL)
		return fail(p, kw->line, "server blocks do not nest: missing "
		    "'}' for server '%s' of line %d", p->host->name,
		    p->block_line);
	if (next_token(p, &name) == -1)
		return -1;
	if ((name.kind != T_WORD && name.kind != T_STRING) || name.len == 0)
		return fail(p, kw->line, "server block without a name");
	if (next_token(p, &brace) == -1)
		return -1;
	if (brace.kind != T_OPEN)
		return fail(p, kw->line, "expected '{' after the server name, "
		    "on the same line");
	if (expect_end(p, "'{'") == -1)
		return -1;
	p->option = "server";
	if ((s = host_name(p, &name, "server name")) == NULL)
		return -1;
	if ((p->host = config_add_host(p->cfg, s)) == NULL)
		return fail(p, kw->line, "more than %d server blocks",
		    MAX_HOSTS);
	p->block_line = kw->line;
	p->cert_line = p->key_line = 0;
	return 0;
}

static int
close_block(struct parser *p, const struct token *t)
{
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
	return expect_end(p, "'}'");
}

/* One statement and its end of line: 0, 1 at the end of the text, or -1. */
static int
statement(struct parser *p)
{
	struct token	 t;

	if (next_token(p, &t) == -1)
		return -1;
	switch (t.kind) {
	case T_EOF:
		return 1;
	case T_EOL:
		return 0;
	case T_CLOSE:
		return close_block(p, &t);
	case T_OPEN:
		return fail(p, t.line, "'{' without 'server NAME' before it");
	case T_STRING:
		return fail(p, t.line, "expected an option name, not a quoted "
		    "string");
	case T_WORD:
		break;
	}
	if (token_is(&t, "server"))
		return open_block(p, &t);
	return option(p, &t);
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
	if (rc == 1 && p.host != NULL)
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
