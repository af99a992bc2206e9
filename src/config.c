/* config: the settings the server runs with, from the command line and the configuration file. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

char *
config_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		fprintf(stderr, "almanac: out of memory\n");
		exit(1);
	}
	return p;
}

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->request_timeout_ms = 10000;
	cfg->write_timeout_ms = 10000;
	cfg->lifetime_ms = 600000;
	cfg->max_conns = 10000;
	cfg->max_per_addr = 64;
	cfg->rate_per_addr = 0;
	cfg->log_format = LOG_FORMAT_ALMANAC;
	cfg->watch = CONFIG_WATCH_AUTO;
	cfg->watch_poll_s = CONFIG_POLL_SECONDS;
}

struct host *
config_add_host(struct config *cfg, const char *name)
{
	struct host	*h;

	if (cfg->nhosts == MAX_HOSTS)
		return NULL;
	h = &cfg->hosts[cfg->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = config_strdup(name);
	h->root = config_strdup("capsule");
	h->certs = config_strdup("certs");
	h->r.lang = config_strdup("en");
	h->r.auto_index = 1;
	h->r.index = config_strdup("index.gmi");
	h->r.require_cert = 0;
	h->r.titan = 0;
	h->r.titan_max_size = TITAN_MAX_SIZE;
	h->feed_max = 100;
	return h;
}

struct location *
config_add_location(struct host *h, const char *pattern)
{
	struct location	*v, *l;

	if (h->nlocations == MAX_LOCATIONS)
		return NULL;
	if ((v = realloc(h->locations, (h->nlocations + 1) * sizeof(*v))) ==
	    NULL) {
		fprintf(stderr, "almanac: out of memory\n");
		exit(1);
	}
	h->locations = v;
	l = &v[h->nlocations++];
	memset(l, 0, sizeof(*l));
	l->pattern = config_strdup(pattern);
	l->r.auto_index = -1;
	l->r.require_cert = -1;
	l->r.titan = -1;
	l->r.titan_max_size = -1;
	return l;
}

static void
app_free(struct fastcgi_app *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	free(a->socket_path);
	free(a->tcp_host);
	free(a->tcp_port);
	for (i = 0; i < a->nparams; i++) {
		free(a->params[i].name);
		free(a->params[i].value);
	}
	free(a);
}

struct fastcgi_app *
config_fastcgi(struct rules *r)
{
	if (r->fastcgi != NULL)
		return r->fastcgi;
	if ((r->fastcgi = calloc(1, sizeof(*r->fastcgi))) == NULL) {
		fprintf(stderr, "almanac: out of memory\n");
		exit(1);
	}
	r->fastcgi->max_conns = -1;
	return r->fastcgi;
}

static void
rules_free(struct rules *r)
{
	size_t	 i;

	app_free(r->fastcgi);

	free(r->lang);
	free(r->default_type);
	free(r->index);
	free(r->block_meta);
	for (i = 0; i < r->nallow; i++)
		free(r->allow[i]);
	for (i = 0; i < r->nallow_files; i++)
		free(r->allow_files[i]);
	free(r->proxy.relay_to);
	free(r->proxy.sni);
	free(r->proxy.cert);
	free(r->proxy.key);
	for (i = 0; i < r->ntitan_tokens; i++)
		free(r->titan_tokens[i]);
}

static void
host_free(struct host *h)
{
	size_t	 i;

	free(h->name);
	for (i = 0; i < h->naliases; i++)
		free(h->aliases[i]);
	free(h->root);
	free(h->document_root);
	free(h->certs);
	free(h->cert_file);
	free(h->key_file);
	rules_free(&h->r);
	for (i = 0; i < h->nlocations; i++) {
		free(h->locations[i].pattern);
		rules_free(&h->locations[i].r);
	}
	free(h->locations);
}

void
config_free(struct config *cfg)
{
	size_t	 i;

	for (i = 0; i < cfg->nhosts; i++)
		host_free(&cfg->hosts[i]);
	for (i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i]);
	free(cfg->user);
	free(cfg->log_file);
	free(cfg->ticket_keys);
	free(cfg->state_dir);
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * FastCGI applications run in another directory: they are told the root
 * as an absolute path, the working directory's when it is relative.
 */
static void
config_document_root(struct host *h)
{
	char	 cwd[PATH_MAX];

	free(h->document_root);
	if (h->root[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL) {
		h->document_root = config_strdup(h->root);
		return;
	}
	if (asprintf(&h->document_root, "%s/%s", cwd, h->root) == -1) {
		fprintf(stderr, "almanac: out of memory\n");
		exit(1);
	}
}

int
config_finish(struct config *cfg, char *err, size_t errsz)
{
	size_t	 i;

	if (cfg->nhosts == 0)
		config_add_host(cfg, "localhost");
	if (cfg->nlisten == 0)
		cfg->listen[cfg->nlisten++] = config_strdup("localhost:1965");
	if (cfg->state_dir == NULL)
		cfg->state_dir = config_strdup("state");
	for (i = 0; i < cfg->nhosts; i++) {
		struct host *h = &cfg->hosts[i];
		config_document_root(h);
		if ((h->cert_file == NULL) != (h->key_file == NULL)) {
			snprintf(err, errsz, "host %s: cert and key go together",
			    h->name);
			return -1;
		}
	}
	return 0;
}

/* Host names compare without case and without a final dot. */
int
config_same_name(const char *a, size_t alen, const char *b)
{
	size_t	 blen = strlen(b);

	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

int
config_find_host(const struct config *cfg, const char *name, size_t len)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		if (config_same_name(name, len, h->name))
			return (int)i;
		for (j = 0; j < h->naliases; j++)
			if (config_same_name(name, len, h->aliases[j]))
				return (int)i;
	}
	return -1;
}


enum config_watch
config_watch_of(const struct config *cfg, const struct host *h, int *seconds)
{
	if (h->watch != CONFIG_WATCH_UNSET) {
		*seconds = h->watch_poll_s;
		return h->watch;
	}
	*seconds = cfg->watch_poll_s;
	return cfg->watch;
}
