/* options: the one table of settings, used by the command line and the configuration file alike, each value checked once (no I/O). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "config.h"
#include "options.h"

static int	opt_fail(struct options_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
opt_fail(struct options_ctx *c, const char *fmt, ...)
{
	va_list	 ap;

	if (c->errsz == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static int
opt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
opt_is_alnum(char c)
{
	return opt_is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Bare decimal digits; v stays small, so it cannot overflow. */
static int
opt_number(struct options_ctx *c, const char *s, long min, long max,
    long *out)
{
	size_t	 i;
	long	 v = 0;

	for (i = 0; s[i] != '\0' && v <= max; i++) {
		if (!opt_is_digit(s[i]))
			break;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v < min || v > max)
		return opt_fail(c, "expected a number from %ld to %ld for "
		    "'%s', not '%.64s'", min, max, c->name, s);
	*out = v;
	return 0;
}

static int
opt_count(struct options_ctx *c, const char *s, long min, long max, int *out)
{
	long	 v = 0;	/* clang's analyzer cannot see opt_fail() return -1 */

	if (opt_number(c, s, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
opt_seconds(struct options_ctx *c, const char *s, long max, int *ms)
{
	long	 v;

	if (opt_number(c, s, 1, max, &v) == -1)
		return -1;
	*ms = (int)v * 1000;
	return 0;
}

static void
opt_replace(char **slot, const char *s)
{
	free(*slot);
	*slot = config_strdup(s);
}

int
options_split_listen(const char *spec, char *host, size_t hostsz, char *port,
    size_t portsz)
{
	const char	*colon = strrchr(spec, ':');
	size_t		 hlen, i;
	long		 v = 0;

	if (colon == NULL || colon[1] == '\0')
		return -1;
	for (i = 1; colon[i] != '\0'; i++) {
		if (!opt_is_digit(colon[i]) || i > 5)
			return -1;
		v = v * 10 + (colon[i] - '0');
	}
	if (v > 65535)
		return -1;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
		spec++;
		hlen -= 2;
	} else if (memchr(spec, ':', hlen) != NULL)
		return -1;	/* an IPv6 address needs its brackets */
	if (hlen >= hostsz || strlen(colon + 1) >= portsz)
		return -1;
	for (i = 0; i < hlen; i++)
		if (!opt_is_alnum(spec[i]) && strchr("-._:*", spec[i]) == NULL)
			return -1;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	else if (strchr(host, '*') != NULL)
		return -1;
	snprintf(port, portsz, "%s", colon + 1);
	return 0;
}

int
options_valid_hostname(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!opt_is_alnum(s[i]) && strchr("-._:", s[i]) == NULL)
			return 0;
	return i > 0 && i < 254;
}

/*
 * Names go into certificates ("DNS:a,DNS:b") and URLs: DNS names and IP
 * addresses only.  They must also be unique the way requests are matched
 * to hosts, without case and final dot, hence config_find_host().
 */
static int
opt_host_name(struct options_ctx *c, const char *s, const char *what,
    const struct host *self)
{
	int	 other;

	if (!options_valid_hostname(s))
		return opt_fail(c, "%s '%.64s': only letters, digits, '-', "
		    "'.', '_' and ':' are allowed", what, s);
	other = config_find_host(c->cfg, s, strlen(s));
	if (other != -1 && &c->cfg->hosts[other] != self)
		return opt_fail(c, "%s '%.64s' is already used by server "
		    "'%s'", what, s, c->cfg->hosts[other].name);
	return 0;
}

int
options_new_name(struct options_ctx *c, const char *s, const char *what)
{
	return opt_host_name(c, s, what, NULL);
}

static int
add_listen(struct options_ctx *c, const char *spec, int proxy)
{
	char	 host[256], port[16];

	if (options_split_listen(spec, host, sizeof(host), port,
	    sizeof(port)) == -1)
		return opt_fail(c, "listen '%.64s': expected HOST:PORT, such "
		    "as localhost:1965, [::]:1965 or *:1965", spec);
	if (c->from_cli && !c->cli_listen) {
		c->cli_listen = 1;
		while (c->cfg->nlisten > 0)
			free(c->cfg->listen[--c->cfg->nlisten]);
	}
	if (c->cfg->nlisten == MAX_LISTEN)
		return opt_fail(c, "more than %d listen addresses", MAX_LISTEN);
	c->cfg->listen_proxy[c->cfg->nlisten] = proxy;
	c->cfg->listen[c->cfg->nlisten++] = config_strdup(spec);
	return 0;
}

/* listen "ADDR:PORT" [proxy]: with proxy, a PROXY header must come first. */
static int
set_listen(struct options_ctx *c, const char *const *v, size_t n)
{
	if (n == 2 && strcmp(v[1], "proxy") != 0)
		return opt_fail(c, "listen '%.64s' takes 'proxy' after the "
		    "address, or nothing, not '%.64s'", v[0], v[1]);
	return add_listen(c, v[0], n == 2);
}

/* --listen-proxy ADDR:PORT */
static int
set_listen_proxy(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return add_listen(c, v[0], 1);
}

static int
set_workers(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_count(c, v[0], 0, 64, &c->cfg->workers);
}

static int
set_user(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->cfg->user, v[0]);
	return 0;
}

static int
set_log(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->cfg->log_file, v[0]);
	return 0;
}

static int
set_ticket_keys(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->cfg->ticket_keys, v[0]);
	return 0;
}

static int
set_state(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->cfg->state_dir, v[0]);
	return 0;
}

static int
set_syslog(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (strcmp(v[0], "yes") == 0)
		c->cfg->log_syslog = 1;
	else if (strcmp(v[0], "no") == 0)
		c->cfg->log_syslog = 0;
	else
		return opt_fail(c, "'syslog' is yes or no, not '%.64s'", v[0]);
	return 0;
}

static int
set_log_format(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (strcmp(v[0], "almanac") == 0)
		c->cfg->log_format = LOG_FORMAT_ALMANAC;
	else if (strcmp(v[0], "common") == 0)
		c->cfg->log_format = LOG_FORMAT_COMMON;
	else
		return opt_fail(c, "'log-format' is almanac or common, not "
		    "'%.64s'", v[0]);
	return 0;
}

static int
set_request_timeout(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_seconds(c, v[0], 3600, &c->cfg->request_timeout_ms);
}

static int
set_write_timeout(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_seconds(c, v[0], 3600, &c->cfg->write_timeout_ms);
}

static int
set_max_lifetime(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_seconds(c, v[0], 86400, &c->cfg->lifetime_ms);
}

static int
set_max_connections(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_count(c, v[0], 1, 1000000, &c->cfg->max_conns);
}

static int
set_max_per_address(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_count(c, v[0], 0, 1000000, &c->cfg->max_per_addr);
}

static int
set_rate_per_address(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return opt_count(c, v[0], 0, 1000000, &c->cfg->rate_per_addr);
}

static int
set_alias(struct options_ctx *c, const char *const *v, size_t n)
{
	struct host	*h = c->host;

	(void)n;
	if (opt_host_name(c, v[0], "alias", NULL) == -1)
		return -1;
	if (h->naliases == MAX_ALIASES)
		return opt_fail(c, "more than %d aliases in server '%s'",
		    MAX_ALIASES, h->name);
	h->aliases[h->naliases++] = config_strdup(v[0]);
	return 0;
}

/* --hostname: the first names the first host, the others are its aliases. */
static int
set_hostname(struct options_ctx *c, const char *const *v, size_t n)
{
	struct host	*h = c->host;

	(void)n;
	if (c->cli_hostname)
		return set_alias(c, v, n);
	if (opt_host_name(c, v[0], "hostname", h) == -1)
		return -1;
	c->cli_hostname = 1;
	opt_replace(&h->name, v[0]);
	while (h->naliases > 0)
		free(h->aliases[--h->naliases]);
	return 0;
}

static int
set_root(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->host->root, v[0]);
	return 0;
}

static int
set_certs(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->host->certs, v[0]);
	return 0;
}

static int
set_cert(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->host->cert_file, v[0]);
	return 0;
}

static int
set_key(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->host->key_file, v[0]);
	return 0;
}

static int
set_feed_entries(struct options_ctx *c, const char *const *v, size_t n)
{
	long	 e;

	(void)n;
	if (opt_number(c, v[0], 1, 100000, &e) == -1)
		return -1;
	c->host->feed_max = (size_t)e;
	return 0;
}

/* Which served gemtext files end with a way to the index. */
static int
set_navigation(struct options_ctx *c, const char *const *v, size_t n)
{
	static const char *const words[] = { "on", "dated", "off" };
	size_t	 i;

	(void)n;
	for (i = 0; i < 3; i++)
		if (strcmp(v[0], words[i]) == 0) {
			c->host->navigation = (int)i;
			return 0;
		}
	return opt_fail(c, "'navigation' is on, dated or off, not '%.64s'",
	    v[0]);
}

/* It ends up in the meta line "text/gemini; lang=...": no ';' or blanks. */
static int
set_lang(struct options_ctx *c, const char *const *v, size_t n)
{
	size_t	 i;

	(void)n;
	for (i = 0; v[0][i] != '\0'; i++)
		if (!opt_is_alnum(v[0][i]) && v[0][i] != '-' && v[0][i] != ',')
			return opt_fail(c, "'lang' is a language tag such as "
			    "en or fr-CA, not '%.64s'", v[0]);
	if (i == 0 || i > 64)
		return opt_fail(c, "'lang' is a language tag such as en or "
		    "fr-CA, not '%.64s'", v[0]);
	opt_replace(&c->rules->lang, v[0]);
	return 0;
}

/* A media type as it goes into META: type/subtype[; parameters], no controls. */
static int
set_default_type(struct options_ctx *c, const char *const *v, size_t n)
{
	const char	*s = v[0], *slash = strchr(s, '/');
	size_t		 i;

	(void)n;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (slash == NULL || slash == s || slash[1] == '\0' ||
	    s[i] != '\0' || i > 200)
		return opt_fail(c, "'default type' is a media type such as "
		    "text/gemini or text/plain; charset=utf-8, not '%.64s'", s);
	opt_replace(&c->rules->default_type, s);
	return 0;
}

static int
set_auto_index(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (strcmp(v[0], "on") == 0)
		c->rules->auto_index = 1;
	else if (strcmp(v[0], "off") == 0)
		c->rules->auto_index = 0;
	else
		return opt_fail(c, "'auto index' is on or off, not '%.64s'",
		    v[0]);
	return 0;
}

/* A file name in the directory: no slash, no dot file. */
static int
set_index(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (strchr(v[0], '/') != NULL || v[0][0] == '.')
		return opt_fail(c, "'index' is a file name such as index.gmi, "
		    "without '/', not '%.64s'", v[0]);
	opt_replace(&c->rules->index, v[0]);
	return 0;
}

static int
block_with(struct options_ctx *c, int code, const char *meta)
{
	size_t	 i;

	if (code != 30 && code != 31 && (code < 40 || code > 59))
		return opt_fail(c, "'block return' takes a status of 30, 31 or "
		    "40 to 59, not %d", code);
	if (strlen(meta) > 1024)
		return opt_fail(c, "'block return': META longer than 1024 "
		    "bytes");
	for (i = 0; meta[i] != '\0'; i++)
		if ((unsigned char)meta[i] < 0x20 || meta[i] == 0x7f)
			return opt_fail(c, "'block return': control character "
			    "in META");
	c->rules->block_code = code;
	opt_replace(&c->rules->block_meta, meta);
	return 0;
}

static int
set_block(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)v;
	(void)n;
	return block_with(c, 51, "not found");
}

static int
set_block_return(struct options_ctx *c, const char *const *v, size_t n)
{
	long	 code = 0;

	if (opt_number(c, v[0], 10, 99, &code) == -1)
		return -1;
	if (n == 1)
		return block_with(c, (int)code, code / 10 == 3 ? "/" :
		    "blocked");
	return block_with(c, (int)code, v[1]);
}

static int
set_require_cert(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)v;
	(void)n;
	c->rules->require_cert = 1;
	return 0;
}

static int
add_allow(struct options_ctx *c, const char *s, char **list, size_t *len)
{
	if (*len == MAX_ALLOW)
		return opt_fail(c, "more than %d '%s' in one block", MAX_ALLOW,
		    c->name);
	list[(*len)++] = config_strdup(s);
	return 0;
}

static int
set_allow_client(struct options_ctx *c, const char *const *v, size_t n)
{
	unsigned char	 fp[ACCESS_FP_LEN];

	(void)n;
	if (access_parse_fingerprint(v[0], strlen(v[0]), fp) == -1)
		return opt_fail(c, "'allow client' takes a SHA-256 "
		    "fingerprint (64 hex digits, colons and a SHA256: prefix "
		    "allowed), not '%.100s'", v[0]);
	return add_allow(c, v[0], c->rules->allow, &c->rules->nallow);
}

static int
set_allow_clients(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	return add_allow(c, v[0], c->rules->allow_files,
	    &c->rules->nallow_files);
}

/* titan on|off: uploads accepted where these rules apply. */
static int
set_titan(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (strcmp(v[0], "on") == 0)
		c->rules->titan = 1;
	else if (strcmp(v[0], "off") == 0)
		c->rules->titan = 0;
	else
		return opt_fail(c, "'titan' is on or off, not '%.64s'", v[0]);
	return 0;
}

/* A secret compared byte for byte with the request's, once percent-decoded. */
static int
set_titan_token(struct options_ctx *c, const char *const *v, size_t n)
{
	struct rules	*r = c->rules;
	size_t		 i;

	(void)n;
	for (i = 0; v[0][i] != '\0'; i++)
		if ((unsigned char)v[0][i] < 0x20 || v[0][i] == 0x7f)
			return opt_fail(c, "'titan token': control character "
			    "in the token");
	if (i > 256)
		return opt_fail(c, "'titan token': longer than 256 bytes");
	if (r->ntitan_tokens == MAX_TITAN_TOKENS)
		return opt_fail(c, "more than %d 'titan token' in one block",
		    MAX_TITAN_TOKENS);
	r->titan_tokens[r->ntitan_tokens++] = config_strdup(v[0]);
	return 0;
}

static int
set_titan_max_size(struct options_ctx *c, const char *const *v, size_t n)
{
	long	 bytes = 0;

	(void)n;
	if (opt_number(c, v[0], 1, 2147483647L, &bytes) == -1)
		return -1;
	c->rules->titan_max_size = bytes;
	return 0;
}

/* proxy relay-to "HOST:PORT": a numeric or named host, resolved at start. */
static int
set_proxy_relay_to(struct options_ctx *c, const char *const *v, size_t n)
{
	char	 host[256], port[16];

	(void)n;
	if (options_split_listen(v[0], host, sizeof(host), port,
	    sizeof(port)) == -1 || host[0] == '\0' || strcmp(port, "0") == 0)
		return opt_fail(c, "'proxy relay-to' takes HOST:PORT, such as "
		    "localhost:1965 or [::1]:1965, not '%.64s'", v[0]);
	opt_replace(&c->rules->proxy.relay_to, v[0]);
	return 0;
}

static int
set_proxy_sni(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (!options_valid_hostname(v[0]))
		return opt_fail(c, "'proxy sni' takes a host name, not "
		    "'%.64s'", v[0]);
	opt_replace(&c->rules->proxy.sni, v[0]);
	return 0;
}

static int
set_proxy_verifyname(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	if (strcmp(v[0], "on") == 0)
		c->rules->proxy.noverifyname = 0;
	else if (strcmp(v[0], "off") == 0)
		c->rules->proxy.noverifyname = 1;
	else
		return opt_fail(c, "'proxy verifyname' is on or off, not "
		    "'%.64s'", v[0]);
	return 0;
}

static int
set_proxy_cert(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->rules->proxy.cert, v[0]);
	return 0;
}

static int
set_proxy_key(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)n;
	opt_replace(&c->rules->proxy.key, v[0]);
	return 0;
}

/* The words of 'watch' (or --watch's value, where poll:N is poll N). */
static int
watch_words(struct options_ctx *c, const char *const *v, size_t n,
    enum config_watch *how, int *seconds)
{
	*how = CONFIG_WATCH_AUTO;
	*seconds = CONFIG_POLL_SECONDS;
	if (n == 1 && strcmp(v[0], "inotify") == 0)
		*how = CONFIG_WATCH_INOTIFY;
	else if (n == 1 && strcmp(v[0], "auto") == 0)
		*how = CONFIG_WATCH_AUTO;
	else if (strcmp(v[0], "poll") == 0) {
		*how = CONFIG_WATCH_POLL;
		if (n == 2)
			return opt_count(c, v[1], 1, 3600, seconds);
	} else if (n == 1 && c->from_cli && strncmp(v[0], "poll:", 5) == 0) {
		*how = CONFIG_WATCH_POLL;
		return opt_count(c, v[0] + 5, 1, 3600, seconds);
	} else
		return opt_fail(c, "'watch' is inotify, poll, poll SECONDS or "
		    "auto, not '%.64s%s%.64s'", v[0], n == 2 ? " " : "",
		    n == 2 ? v[1] : "");
	return 0;
}

/*
 * watch inotify | poll [SECONDS] | auto: in the global part for every
 * capsule, in a server block for its own; the command line's for all.
 */
static int
set_watch(struct options_ctx *c, const char *const *v, size_t n)
{
	enum config_watch	 how;
	int			 seconds;
	size_t			 i;

	if (watch_words(c, v, n, &how, &seconds) == -1)
		return -1;
	if (c->host != NULL && !c->from_cli) {
		c->host->watch = how;
		c->host->watch_poll_s = seconds;
		return 0;
	}
	c->cfg->watch = how;
	c->cfg->watch_poll_s = seconds;
	for (i = 0; c->from_cli && i < c->cfg->nhosts; i++)
		c->cfg->hosts[i].watch = CONFIG_WATCH_UNSET;
	return 0;
}

/* An absolute path that fits in a sockaddr_un's sun_path. */
static int
set_fastcgi_socket(struct options_ctx *c, const char *const *v, size_t n)
{
	struct fastcgi_app	*a;

	(void)n;
	if (v[0][0] != '/' || strlen(v[0]) >= FASTCGI_PATH_MAX)
		return opt_fail(c, "'fastcgi socket' takes the absolute path of "
		    "a Unix socket (shorter than %d bytes), or tcp \"HOST\" "
		    "\"PORT\", not '%.64s'", FASTCGI_PATH_MAX, v[0]);
	if (c->rules->fastcgi_off)
		return opt_fail(c, "'fastcgi socket' and 'fastcgi off' in one "
		    "block");
	a = config_fastcgi(c->rules);
	opt_replace(&a->socket_path, v[0]);
	free(a->tcp_host);
	free(a->tcp_port);
	a->tcp_host = a->tcp_port = NULL;
	return 0;
}

/*
 * fastcgi socket tcp "HOST" ["PORT"], and gmid's fastcgi socket tcp
 * "HOST" port PORT; the port is 9000 when not given, as in gmid.
 */
static int
set_fastcgi_tcp(struct options_ctx *c, const char *const *v, size_t n)
{
	struct fastcgi_app	*a;
	const char		*port = "9000";
	long			 p;

	if (n == 3 && strcmp(v[1], "port") != 0)
		return opt_fail(c, "'fastcgi socket tcp' takes \"HOST\" "
		    "\"PORT\" or \"HOST\" port PORT, not '%.64s' before the "
		    "port", v[1]);
	if (n >= 2)
		port = v[n - 1];
	if (!options_valid_hostname(v[0]))
		return opt_fail(c, "'fastcgi socket tcp': '%.64s' is not a "
		    "host name or an address", v[0]);
	if (opt_number(c, port, 1, 65535, &p) == -1)
		return -1;
	if (c->rules->fastcgi_off)
		return opt_fail(c, "'fastcgi socket' and 'fastcgi off' in one "
		    "block");
	a = config_fastcgi(c->rules);
	free(a->socket_path);
	a->socket_path = NULL;
	opt_replace(&a->tcp_host, v[0]);
	opt_replace(&a->tcp_port, port);
	return 0;
}

/* A name an application can read as an environment variable. */
static int
opt_param_name(const char *s)
{
	size_t	 i;

	if (opt_is_digit(s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!opt_is_alnum(s[i]) && s[i] != '_')
			return 0;
	return i > 0 && i <= 64;
}

/* fastcgi param NAME "VALUE", and gmid's fastcgi param NAME = "VALUE". */
static int
set_fastcgi_param(struct options_ctx *c, const char *const *v, size_t n)
{
	struct fastcgi_app	*a;
	size_t			 i;

	if (n == 1 || (n == 3 && strcmp(v[1], "=") != 0))
		return opt_fail(c, "'fastcgi param' takes NAME \"VALUE\"");
	if (!opt_param_name(v[0]))
		return opt_fail(c, "'fastcgi param': '%.64s' is not a parameter "
		    "name (letters, digits and '_', not first a digit)", v[0]);
	a = config_fastcgi(c->rules);
	for (i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i].name, v[0]) == 0) {
			opt_replace(&a->params[i].value, v[n - 1]);
			return 0;
		}
	if (a->nparams == MAX_FASTCGI_PARAMS)
		return opt_fail(c, "more than %d 'fastcgi param' in one block",
		    MAX_FASTCGI_PARAMS);
	a->params[a->nparams].name = config_strdup(v[0]);
	a->params[a->nparams++].value = config_strdup(v[n - 1]);
	return 0;
}

static int
set_fastcgi_max_conns(struct options_ctx *c, const char *const *v, size_t n)
{
	long	 m = 0;

	(void)n;
	if (opt_number(c, v[0], 1, 10000, &m) == -1)
		return -1;
	config_fastcgi(c->rules)->max_conns = (int)m;
	return 0;
}

/* In a location: its paths are served as files, whatever the server block says. */
static int
set_fastcgi_off(struct options_ctx *c, const char *const *v, size_t n)
{
	(void)v;
	(void)n;
	if (c->rules->fastcgi != NULL)
		return opt_fail(c, "'fastcgi off' and other 'fastcgi' options "
		    "in one block");
	c->rules->fastcgi_off = 1;
	return 0;
}
#define G	OPT_GLOBAL
#define S	OPT_SERVER
#define SL	(OPT_SERVER | OPT_LOCATION)

static const struct options_spec specs[] = {
	{ "listen", "listen", 'l', G, 1, 2, 0, NULL, set_listen,
	    "ADDR:PORT  listen there, repeatable (localhost:1965)" },
	{ NULL, "listen-proxy", 0, G, 1, 1, 0, NULL, set_listen_proxy,
	    "ADDR:PORT  the same, behind a PROXY protocol balancer" },
	{ "watch", "watch", 0, G | S, 1, 2, 0, NULL, set_watch,
	    "HOW  inotify, poll[:SECONDS] or auto (poll network file systems)" },
	{ "workers", "workers", 'w', G, 1, 1, 1, NULL, set_workers,
	    "N  event loops (0: one per core)" },
	{ "user", "user", 'u', G, 1, 1, 0, NULL, set_user,
	    "NAME  when started as root, run as this user" },
	{ "log", "log", 0, G, 1, 1, 0, NULL, set_log,
	    "FILE  log there, not to stderr (SIGUSR1 reopens)" },
	{ "ticket keys", "ticket-keys", 0, G, 1, 1, 0, NULL, set_ticket_keys,
	    "FILE  session-ticket keys shared with other instances" },
	{ "state", "state", 0, G, 1, 1, 0, NULL, set_state,
	    "DIR  each host's publication dates (state)" },
	{ "syslog", "syslog", 0, G, 1, 1, 0, "yes", set_syslog,
	    "  log to syslog as well" },
	{ "log-format", "log-format", 0, G, 1, 1, 0, NULL, set_log_format,
	    "FORMAT  almanac (default) or common" },
	{ "request-timeout", "request-timeout", 0, G, 1, 1, 1, NULL,
	    set_request_timeout, "S  seconds for a request to arrive (10)" },
	{ "write-timeout", "write-timeout", 0, G, 1, 1, 1, NULL,
	    set_write_timeout, "S  seconds a client may stop reading (10)" },
	{ "max-lifetime", "max-lifetime", 0, G, 1, 1, 1, NULL,
	    set_max_lifetime, "S  seconds a connection may last (600)" },
	{ "max-connections", "max-connections", 0, G, 1, 1, 1, NULL,
	    set_max_connections, "N  open connections at most (10000)" },
	{ "max-per-address", "max-per-address", 0, G, 1, 1, 1, NULL,
	    set_max_per_address, "N  connections per client address (64; 0: none)" },
	{ "rate-per-address", "rate-per-address", 0, G, 1, 1, 1, NULL,
	    set_rate_per_address,
	    "N  requests a second per address (0: none)" },
	{ NULL, "hostname", 'H', S, 1, 1, 0, NULL, set_hostname,
	    "NAME  a name served, repeatable (localhost)" },
	{ "alias", NULL, 0, S, 1, 1, 0, NULL, set_alias, NULL },
	{ "root", "root", 'r', S, 1, 1, 0, NULL, set_root,
	    "DIR  the capsule directory (capsule)" },
	{ "certs", "certs", 'c', S, 1, 1, 0, NULL, set_certs,
	    "DIR  cert.pem and key.pem, made if absent (certs)" },
	{ "cert", NULL, 0, S, 1, 1, 0, NULL, set_cert, NULL },
	{ "key", NULL, 0, S, 1, 1, 0, NULL, set_key, NULL },
	{ "navigation", NULL, 0, S, 1, 1, 0, NULL, set_navigation, NULL },
	{ "feed-entries", "feed-entries", 0, S, 1, 1, 1, NULL,
	    set_feed_entries, "N  entries in /feed.gmi and /atom.xml (100)" },
	{ "lang", "lang", 0, SL, 1, 1, 0, NULL, set_lang,
	    "TAG  lang of text/gemini answers (en)" },
	{ "default type", NULL, 0, SL, 1, 1, 0, NULL, set_default_type, NULL },
	{ "auto index", NULL, 0, SL, 1, 1, 0, NULL, set_auto_index, NULL },
	{ "index", NULL, 0, SL, 1, 1, 0, NULL, set_index, NULL },
	{ "block", NULL, 0, SL, 0, 0, 0, NULL, set_block, NULL },
	{ "block return", NULL, 0, SL, 1, 2, 0, NULL, set_block_return, NULL },
	{ "require client certificate", NULL, 0, SL, 0, 0, 0, NULL,
	    set_require_cert, NULL },
	{ "allow client", NULL, 0, SL, 1, 1, 0, NULL, set_allow_client, NULL },
	{ "allow clients", NULL, 0, SL, 1, 1, 0, NULL, set_allow_clients,
	    NULL },
	{ "fastcgi socket", NULL, 0, SL, 1, 1, 0, NULL, set_fastcgi_socket,
	    NULL },
	{ "fastcgi socket tcp", NULL, 0, SL, 1, 3, 0, NULL, set_fastcgi_tcp,
	    NULL },
	{ "fastcgi param", NULL, 0, SL, 1, 3, 0, NULL, set_fastcgi_param,
	    NULL },
	{ "fastcgi max connections", NULL, 0, SL, 1, 1, 1, NULL,
	    set_fastcgi_max_conns, NULL },
	{ "fastcgi off", NULL, 0, OPT_LOCATION, 0, 0, 0, NULL, set_fastcgi_off,
	    NULL },
	{ "proxy relay-to", NULL, 0, SL, 1, 1, 0, NULL, set_proxy_relay_to,
	    NULL },
	{ "proxy sni", NULL, 0, SL, 1, 1, 0, NULL, set_proxy_sni, NULL },
	{ "proxy verifyname", NULL, 0, SL, 1, 1, 0, NULL,
	    set_proxy_verifyname, NULL },
	{ "proxy cert", NULL, 0, SL, 1, 1, 0, NULL, set_proxy_cert, NULL },
	{ "proxy key", NULL, 0, SL, 1, 1, 0, NULL, set_proxy_key, NULL },
	{ "titan", NULL, 0, SL, 1, 1, 0, NULL, set_titan, NULL },
	{ "titan token", NULL, 0, SL, 1, 1, 0, NULL, set_titan_token, NULL },
	{ "titan max size", NULL, 0, SL, 1, 1, 1, NULL, set_titan_max_size,
	    NULL },
};

const struct options_spec *
options_all(size_t *n)
{
	*n = sizeof(specs) / sizeof(specs[0]);
	return specs;
}

/* How many of words[0..n) spell 'name' (words split by one space), or 0. */
static size_t
opt_words_match(const char *name, const char *const *words, size_t n)
{
	const char	*w = name, *e;
	size_t		 k = 0;

	for (;;) {
		e = strchr(w, ' ');
		if (e == NULL)
			e = w + strlen(w);
		if (k == n || strlen(words[k]) != (size_t)(e - w) ||
		    memcmp(words[k], w, (size_t)(e - w)) != 0)
			return 0;
		k++;
		if (*e == '\0')
			return k;
		w = e + 1;
	}
}

const struct options_spec *
options_find(const char *const *words, size_t n, size_t *used)
{
	const struct options_spec	*best = NULL;
	size_t				 i, m;

	*used = 0;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (specs[i].name == NULL)
			continue;
		if ((m = opt_words_match(specs[i].name, words, n)) > *used) {
			*used = m;
			best = &specs[i];
		}
	}
	return best;
}

/* Every option wants something: an empty value is a mistake. */
int
options_set(struct options_ctx *c, const struct options_spec *o,
    const char *const *v, size_t n)
{
	size_t	 i;

	c->name = o->name != NULL ? o->name : o->cli;
	if (n < o->nmin)
		return opt_fail(c, "'%s' needs a value", c->name);
	if (n > o->nmax)
		return opt_fail(c, "'%s' takes %s (quote it if it contains "
		    "blanks)", c->name, o->nmax == 0 ? "no value" :
		    o->nmax == 1 ? "one value" : o->nmax == 2 ?
		    "at most two values" : "at most three values");
	for (i = 0; i < n; i++)
		if (v[i][0] == '\0')
			return opt_fail(c, "'%s' needs a value", c->name);
	return o->set(c, v, n);
}
