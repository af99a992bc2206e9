/* fuzz_titan: libFuzzer harness for titan_parse, titan_redact and titan_pattern_dir (src/titan.c) with invariant checks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "titan.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_titan.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static void
check_parse(const char *s, size_t size)
{
	struct titan_params	 p;
	const char		*why = titan_parse(s, size, &p);
	const char		*semi = memchr(s, ';', size);

	CHECK(p.path_len == (semi != NULL ? (size_t)(semi - s) : size));
	if (why != NULL) {
		CHECK(why[0] != '\0');
		return;
	}
	CHECK(p.size >= -1 && p.size <= TITAN_SIZE_MAX);
	CHECK(!(p.edit && p.size != -1));
	CHECK(p.mime == NULL || (p.mime > s && p.mime + p.mime_len <= s +
	    size));
	CHECK(p.token_len <= TITAN_TOKEN_MAX);
	CHECK(!p.has_token || (p.token[p.token_len] == '\0' &&
	    strlen(p.token) == p.token_len));
	CHECK(p.has_token || p.token_len == 0);
}

/* The redacted line is no longer, and holds none of the token's bytes beyond stars. */
static void
check_redact(const uint8_t *data, size_t size)
{
	char	*line = malloc(size + 1);
	size_t	 n;

	if (line == NULL)
		return;
	memcpy(line, data, size);
	n = titan_redact(line, size);
	CHECK(n <= size);
	if (size < 6 || strncasecmp((const char *)data, "titan:", 6) != 0)
		CHECK(n == size && memcmp(line, data, size) == 0);
	else
		CHECK(titan_redact(line, n) == n);	/* stars stay stars */
	free(line);
}

static void
check_pattern(const char *s)
{
	char	 out[64];
	size_t	 i;

	if (titan_pattern_dir(s, out, sizeof(out)) == -1)
		return;
	CHECK(strlen(out) < sizeof(out));
	CHECK(out[0] != '/');
	CHECK(strpbrk(out, "*?[\\") == NULL);
	CHECK(strncmp(out, "../", 3) != 0 && strcmp(out, "..") != 0);
	for (i = 0; out[i] != '\0'; i++)
		CHECK(strncmp(out + i, "/../", 4) != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	check_parse((const char *)data, size);
	check_redact(data, size);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_pattern(s);
	free(s);
	return 0;
}
