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

/* Where an option may stand: a set of these. */
#define GLOBAL		1
#define IN_SERVER	2
#define IN_LOCATION	4

#define WORDS_MAX	8	/* tokens in one statement */

/*
 * An option is named by one or more words ("auto index", "block
 * return") and takes from nmin to nmax values, each a word or a string.
 */
struct option_def {
	const char	*name;
	int		 scope;
	size_t		 nmin, nmax;
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
	free(p->rules->lang);
	p->rules->lang = config_strdup(s);
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

/* on or off */
static int
on_off(struct parser *p, const struct token *t, int *out)
{
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	if (strcmp(s, "on") == 0)
		*out = 1;
	else if (strcmp(s, "off") == 0)
		*out = 0;
	else
		return fail(p, t->line, "'%s' is on or off, not '%s'",
		    p->option, s);
	return 0;
}

/* A media type as it goes into META: type/subtype[; parameters], no controls. */
static int
set_default_type(struct parser *p, const struct token *t)
{
	const char	*s, *slash;
	size_t		 i;

	if ((s = value(p, t)) == NULL)
		return -1;
	slash = strchr(s, '/');
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (slash == NULL || slash == s || slash[1] == '\0' ||
	    s[i] != '\0' || strlen(s) > 200)
		return fail(p, t->line, "'default type' is a media type such "
		    "as text/gemini or text/plain; charset=utf-8, not '%s'", s);
	return set_string(p, t, &p->rules->default_type);
}

static int
set_auto_index(struct parser *p, const struct token *t)
{
	return on_off(p, t, &p->rules->auto_index);
}

/* A file name in the directory: no slash, no dot file. */
static int
set_index(struct parser *p, const struct token *t)
{
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	if (strchr(s, '/') != NULL || s[0] == '.')
		return fail(p, t->line, "'index' is a file name such as "
		    "index.gmi, without '/', not '%s'", s);
	return set_string(p, t, &p->rules->index);
}

/* block: "block return 51 \"not found\"" */
static int
block_with(struct parser *p, int line, int code, const char *meta)
{
	size_t	 i;

	if (code != 30 && code != 31 && (code < 40 || code > 59))
		return fail(p, line, "'block return' takes a status of 30, 31 "
		    "or 40 to 59, not %d", code);
	if (strlen(meta) > 1024)
		return fail(p, line, "'block return': META longer than 1024 "
		    "bytes");
	for (i = 0; meta[i] != '\0'; i++)
		if ((unsigned char)meta[i] < 0x20 || meta[i] == 0x7f)
			return fail(p, line, "'block return': control "
			    "character in META");
	p->rules->block_code = code;
	free(p->rules->block_meta);
	p->rules->block_meta = config_strdup(meta);
	return 0;
}

static int
set_block(struct parser *p, const struct token *t)
{
	return block_with(p, t->line, 51, "not found");
}

static int
set_block_return(struct parser *p, const struct token *t)
{
	char	 meta[1100];
	long	 code;

	if (number(p, &t[0], 10, 99, &code) == -1)
		return -1;
	if (t[1].kind == T_EOL)
		return block_with(p, t->line, (int)code, code / 10 == 3 ?
		    "/" : "blocked");
	if (decode(p, &t[1]) == NULL)
		return -1;
	snprintf(meta, sizeof(meta), "%s", p->scratch);
	return block_with(p, t->line, (int)code, meta);
}

static int
set_require_cert(struct parser *p, const struct token *t)
{
	(void)t;
	p->rules->require_cert = 1;
	return 0;
}

/* Checked for form here; compared as fingerprints by the access rules. */
static int
add_allow(struct parser *p, const struct token *t, char **v, size_t *n)
{
	const char	*s;

	if ((s = value(p, t)) == NULL)
		return -1;
	if (*n == MAX_ALLOW)
		return fail(p, t->line, "more than %d '%s' in one block",
		    MAX_ALLOW, p->option);
	v[(*n)++] = config_strdup(s);
	return 0;
}

static int
add_allow_client(struct parser *p, const struct token *t)
{
	return add_allow(p, t, p->rules->allow, &p->rules->nallow);
}

static int
add_allow_clients(struct parser *p, const struct token *t)
{
	return add_allow(p, t, p->rules->allow_files,
	    &p->rules->nallow_files);
}

static const struct option_def options[] = {
	{ "listen",		GLOBAL,		1, 1, add_listen },
	{ "workers",		GLOBAL,		1, 1, set_workers },
	{ "user",		GLOBAL,		1, 1, set_user },
	{ "log",		GLOBAL,		1, 1, set_log },
	{ "syslog",		GLOBAL,		1, 1, set_syslog },
	{ "log-format",		GLOBAL,		1, 1, set_log_format },
	{ "request-timeout",	GLOBAL,		1, 1, set_request_timeout },
	{ "write-timeout",	GLOBAL,		1, 1, set_write_timeout },
	{ "max-lifetime",	GLOBAL,		1, 1, set_max_lifetime },
	{ "max-connections",	GLOBAL,		1, 1, set_max_connections },
	{ "max-per-address",	GLOBAL,		1, 1, set_max_per_address },
	{ "rate-per-address",	GLOBAL,		1, 1, set_rate_per_address },
	{ "alias",		IN_SERVER,	1, 1, add_alias },
	{ "root",		IN_SERVER,	1, 1, set_root },
	{ "certs",		IN_SERVER,	1, 1, set_certs },
	{ "cert",		IN_SERVER,	1, 1, set_cert },
	{ "key",		IN_SERVER,	1, 1, set_key },
	{ "feed-entries",	IN_SERVER,	1, 1, set_feed_entries },
	{ "lang",		IN_SERVER | IN_LOCATION, 1, 1, set_lang },
	{ "default type",	IN_SERVER | IN_LOCATION, 1, 1, set_default_type },
	{ "auto index",		IN_SERVER | IN_LOCATION, 1, 1, set_auto_index },
	{ "index",		IN_SERVER | IN_LOCATION, 1, 1, set_index },
	{ "block",		IN_SERVER | IN_LOCATION, 0, 0, set_block },
	{ "block return",	IN_SERVER | IN_LOCATION, 1, 2,
	    set_block_return },
	{ "require client certificate", IN_SERVER | IN_LOCATION, 0, 0,
	    set_require_cert },
	{ "allow client",	IN_SERVER | IN_LOCATION, 1, 1, add_allow_client },
	{ "allow clients",	IN_SERVER | IN_LOCATION, 1, 1,
	    add_allow_clients },
};

/* How many of the statement's first words spell 'name', or 0. */
static size_t
words_match(const char *name, const struct token *t, size_t n)
{
	const char	*w = name, *e;
	size_t		 k = 0;

	for (;;) {
		e = strchr(w, ' ');
		if (e == NULL)
			e = w + strlen(w);
		if (k == n || t[k].kind != T_WORD ||
		    t[k].len != (size_t)(e - w) ||
		    memcmp(t[k].s, w, t[k].len) != 0)
			return 0;
		k++;
		if (*e == '\0')
			return k;
		w = e + 1;
	}
}

/* The option the statement names, with the most words; '*k' of them. */
static const struct option_def *
find_option(const struct token *t, size_t n, size_t *k)
{
	const struct option_def	*best = NULL;
	size_t			 i, m;

	*k = 0;
	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if ((m = words_match(options[i].name, t, n)) > *k) {
			*k = m;
			best = &options[i];
		}
	return best;
}

static const char *
block_name(const struct parser *p)
{
	return p->loc != NULL ? "a location block" : p->host != NULL ?
	    "a server block" : "the global part";
}

static int
check_scope(struct parser *p, const struct option_def *o, int line)
{
	int	 here = p->loc != NULL ? IN_LOCATION : p->host != NULL ?
	    IN_SERVER : GLOBAL;

	if (o->scope & here)
		return 0;
	if (o->scope == GLOBAL)
		return fail(p, line, "'%s' is a global option: put it outside "
		    "server blocks", o->name);
	if (here == GLOBAL)
		return fail(p, line, "'%s' belongs inside a server block",
		    o->name);
	return fail(p, line, "'%s' does not belong in %s", o->name,
	    block_name(p));
}

/* "option value...", one to a line; t[n] is the token that ended it. */
static int
option(struct parser *p, struct token *t, size_t n)
{
	const struct option_def	*o;
	struct token		 args[3];
	size_t			 k, nargs, i;

	if ((o = find_option(t, n, &k)) == NULL)
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
		    o->nmax == 1 ? "one value" : "at most two values");
	if (nargs < o->nmin)
		return fail(p, t[0].line, "'%s' needs a value", o->name);
	p->option = o->name;
	for (i = 0; i < 3; i++) {
		args[i].kind = T_EOL;
		args[i].line = t[0].line;
		args[i].s = "";
		args[i].len = 0;
	}
	for (i = 0; i < nargs && i < 3; i++)
		args[i] = t[k + i];
	return o->set(p, args);
}

static const char *
block_value(struct parser *p, const struct token *name)
{
	if ((name->kind != T_WORD && name->kind != T_STRING) || name->len == 0)
		return NULL;
	return decode(p, name);
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
	p->option = "server";
	if ((s = host_name(p, &t[1], "server name")) == NULL)
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
	if (p->host->nlocations == MAX_LOCATIONS)
		return fail(p, t[0].line, "more than %d locations in server "
		    "'%s'", MAX_LOCATIONS, p->host->name);
	l = &p->host->locations[p->host->nlocations++];
	l->pattern = config_strdup(s);
	l->line = t[0].line;
	config_rules_unset(&l->r);
	p->loc = l;
	p->rules = &l->r;
	p->loc_line = t[0].line;
	return 0;
}

static int
close_block(struct parser *p, const struct token *t)
{
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
