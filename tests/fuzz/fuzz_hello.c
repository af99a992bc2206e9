/* fuzz_hello: libFuzzer harness for hello_scan: verdicts in range, and settled once given, however much more arrives (src/hello.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hello.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_hello.c:%d: invariant broken: %s\n", line, what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum hello	 v, settled = HELLO_PARTIAL;
	size_t		 k;

	for (k = 0; k <= size; k++) {
		v = hello_scan(data, k);
		CHECK(v >= HELLO_WHOLE && v <= HELLO_MALFORMED);
		CHECK(hello_verdict_str(v) != NULL);
		if (settled != HELLO_PARTIAL)
			CHECK(v == settled);
		settled = v;
		if (v == HELLO_WHOLE)
			CHECK(k >= 9 && data[0] == 22 && data[5] == 1);
	}
	return 0;
}
