/* fuzz_gemheader: libFuzzer harness for gemheader_check: a header accepted is well formed, and a verdict once given stays, however much more arrives (src/gemheader.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemheader.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_gemheader.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data, *why = NULL;
	enum gemheader_verdict	 v, w;
	size_t			 hlen = 0, h2 = 0, i;
	int			 status = 0, st2 = 0;

	v = gemheader_check(s, size, &hlen, &status, &why);
	CHECK(v == GEMHEADER_MORE || v == GEMHEADER_OK || v == GEMHEADER_BAD);
	if (v == GEMHEADER_MORE)
		CHECK(size < GEMHEADER_MAX);
	if (v == GEMHEADER_BAD)
		CHECK(why != NULL);
	if (v == GEMHEADER_OK) {
		CHECK(hlen >= 4 && hlen <= size && hlen <= GEMHEADER_MAX);
		CHECK(memcmp(s + hlen - 2, "\r\n", 2) == 0);
		CHECK(status >= 10 && status <= 69);
		CHECK(memchr(s, '\n', hlen - 1) == NULL);
	}
	/* Prefixes: MORE until the verdict, which then holds. */
	for (i = 0; i <= size; i++) {
		w = gemheader_check(s, i, &h2, &st2, &why);
		if (w == GEMHEADER_MORE)
			continue;
		CHECK(w == v);
		if (w == GEMHEADER_OK)
			CHECK(h2 == hlen && st2 == status);
		break;
	}
	return 0;
}
