/* fuzz_conffile: libFuzzer harness for conffile_parse (src/conffile.c) on a fresh config each run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conffile.h"
#include "config.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define ERRSZ		256
#define NAME		"fuzz.conf"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_conffile.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

/* Reading every string end to end lets ASan catch one that is not terminated. */
static void
check_str(const char *s, int may_be_null)
{
	CHECK(s != NULL || may_be_null);
	if (s != NULL)
		(void)strlen(s);
}

/* As route_find_host matches them: without case and without a final dot. */
static int
same_name(const char *a, const char *b)
{
	size_t	 alen = strlen(a), blen = strlen(b);

	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* Every server name and alias once: otherwise SNI and URLs could not choose. */
static void
check_unique(const struct config *cfg)
{
	const char	*names[MAX_HOSTS * (MAX_ALIASES + 1)];
	size_t		 n = 0, i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		names[n++] = cfg->hosts[i].name;
		for (j = 0; j < cfg->hosts[i].naliases; j++)
			names[n++] = cfg->hosts[i].aliases[j];
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CHECK(!same_name(names[i], names[j]));
}

/* What config.h promises: bounded arrays, owned strings, a known log format. */
/* Whatever a server block or location sets is a well-formed string or unset. */
static void
check_rules(const struct rules *r)
{
	size_t	 i;

	check_str(r->lang, 1);
	check_str(r->default_type, 1);
	check_str(r->index, 1);
	check_str(r->block_meta, 1);
	CHECK(r->block_code == 0 || r->block_code == 30 || r->block_code == 31 ||
	    (r->block_code >= 40 && r->block_code <= 59));
	CHECK(r->block_code == 0 || r->block_meta != NULL);
	CHECK(r->auto_index >= -1 && r->auto_index <= 1);
	CHECK(r->nallow <= MAX_ALLOW && r->nallow_files <= MAX_ALLOW);
	for (i = 0; i < r->nallow; i++)
		check_str(r->allow[i], 0);
	for (i = 0; i < r->nallow_files; i++)
		check_str(r->allow_files[i], 0);
}

static void
check_config(const struct config *cfg)
{
	const struct host	*h;
	size_t			 i, j;

	CHECK(cfg->nhosts <= MAX_HOSTS);
	CHECK(cfg->nlisten <= MAX_LISTEN);
	for (i = 0; i < cfg->nhosts; i++) {
		h = &cfg->hosts[i];
		check_str(h->name, 0);
		CHECK(h->name[0] != '\0');
		CHECK(h->naliases <= MAX_ALIASES);
		for (j = 0; j < h->naliases; j++)
			check_str(h->aliases[j], 0);
		CHECK(h->feed_max > 0);
		check_str(h->root, 1);
		check_str(h->certs, 1);
		check_str(h->cert_file, 1);
		check_str(h->key_file, 1);
		check_rules(&h->r);
		CHECK(h->nlocations <= MAX_LOCATIONS);
		for (j = 0; j < h->nlocations; j++) {
			check_str(h->locations[j].pattern, 0);
			check_rules(&h->locations[j].r);
		}
	}
	for (i = 0; i < cfg->nlisten; i++)
		check_str(cfg->listen[i], 0);
	check_str(cfg->user, 1);
	check_str(cfg->log_file, 1);
	CHECK(cfg->log_format == LOG_FORMAT_ALMANAC ||
	    cfg->log_format == LOG_FORMAT_COMMON);
	CHECK(cfg->workers >= 0 && cfg->max_conns > 0);
	CHECK(cfg->request_timeout_ms > 0 && cfg->write_timeout_ms > 0 &&
	    cfg->lifetime_ms > 0);
	CHECK(cfg->max_per_addr >= 0 && cfg->rate_per_addr >= 0);
}

/* Lines in text[0..len), as an error may name them. */
static long
count_lines(const uint8_t *text, size_t len)
{
	size_t	 i;
	long	 n = 1;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/*
 * An error message fits its buffer and is terminated; from the parser,
 * given room, it reads "file:line: why" with a line of the text.
 */
static void
check_error(const char *err, size_t errsz, long maxline)
{
	char	*end;
	long	 line;

	CHECK(memchr(err, '\0', errsz) != NULL);
	if (maxline == 0 || errsz < 64)
		return;
	CHECK(strncmp(err, NAME ":", sizeof(NAME)) == 0);
	line = strtol(err + sizeof(NAME), &end, 10);
	CHECK(end > err + sizeof(NAME) && strncmp(end, ": ", 2) == 0);
	CHECK(line >= 1 && line <= maxline);
	CHECK(end[2] != '\0');
}

/* The same text again with a tiny error buffer: same answer, no overrun. */
static void
parse_small(const uint8_t *data, size_t size, size_t errsz, long maxline)
{
	struct config	 cfg;
	char		*err;

	if ((err = malloc(errsz)) == NULL)
		abort();
	memset(err, 'E', errsz);
	config_init(&cfg);
	CHECK(conffile_parse((const char *)data, size, NAME, &cfg, err,
	    errsz) == -1);
	check_error(err, errsz, maxline);
	config_free(&cfg);
	free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg;
	char		*err;
	int		 rc;

	if ((err = malloc(ERRSZ)) == NULL)
		abort();
	memset(err, 'E', ERRSZ);
	config_init(&cfg);
	rc = conffile_parse((const char *)data, size, NAME, &cfg, err, ERRSZ);
	CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		check_error(err, ERRSZ, count_lines(data, size));
		parse_small(data, size, 1 + size % 8, count_lines(data, size));
	} else {
		check_config(&cfg);
		check_unique(&cfg);
		/* The parser refuses cert without key, so finishing cannot fail. */
		CHECK(config_finish(&cfg, err, ERRSZ) == 0);
		CHECK(cfg.nhosts > 0 && cfg.nlisten > 0);
		check_config(&cfg);
	}
	config_free(&cfg);
	free(err);
	return 0;
}
