/* fuzz_conffile: libFuzzer harness for conffile_parse (src/conffile.c) on a fresh config each run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Only what config.h promises: bounded arrays, owned strings, a known log format. */
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
		CHECK(h->naliases <= MAX_ALIASES);
		for (j = 0; j < h->naliases; j++)
			check_str(h->aliases[j], 0);
		check_str(h->root, 1);
		check_str(h->certs, 1);
		check_str(h->cert_file, 1);
		check_str(h->key_file, 1);
		check_str(h->lang, 1);
	}
	for (i = 0; i < cfg->nlisten; i++)
		check_str(cfg->listen[i], 0);
	check_str(cfg->user, 1);
	check_str(cfg->log_file, 1);
	CHECK(cfg->log_format == LOG_FORMAT_ALMANAC ||
	    cfg->log_format == LOG_FORMAT_COMMON);
}

/* An error message fits its buffer, is terminated and, from the parser, names the file. */
static void
check_error(const char *err, size_t errsz, int named)
{
	CHECK(memchr(err, '\0', errsz) != NULL);
	if (named && errsz > sizeof(NAME))
		CHECK(strncmp(err, NAME, sizeof(NAME) - 1) == 0);
}

/* The same text again with a tiny error buffer: same answer, no overrun. */
static void
parse_small(const uint8_t *data, size_t size, size_t errsz, int want)
{
	struct config	 cfg;
	char		*err;

	if ((err = malloc(errsz)) == NULL)
		abort();
	memset(err, 'E', errsz);
	config_init(&cfg);
	CHECK(conffile_parse((const char *)data, size, NAME, &cfg, err,
	    errsz) == want);
	check_error(err, errsz, 1);
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
		check_error(err, ERRSZ, 1);
		parse_small(data, size, 1 + size % 8, rc);
	} else {
		check_config(&cfg);
		memset(err, 'E', ERRSZ);
		if (config_finish(&cfg, err, ERRSZ) == -1)
			check_error(err, ERRSZ, 0);
		else
			CHECK(cfg.nhosts > 0 && cfg.nlisten > 0);
		check_config(&cfg);
	}
	config_free(&cfg);
	free(err);
	return 0;
}
