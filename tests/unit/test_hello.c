/* test_hello: hello_scan over ClientHellos whole, cut into records and malformed (src/hello.c). */
#include <stdlib.h>
#include <string.h>

#include "hello.h"
#include "tap.h"

/* A handshake message of 'len' body bytes, cut into records of 'chunk'. */
static size_t
make_hello(unsigned char *out, size_t len, size_t chunk)
{
	unsigned char	 msg[HELLO_MAX + 8];
	size_t		 total = 4 + len, at = 0, n = 0, take;

	msg[0] = 1;
	msg[1] = (unsigned char)(len >> 16);
	msg[2] = (unsigned char)(len >> 8);
	msg[3] = (unsigned char)len;
	memset(msg + 4, 0x42, len);
	while (at < total) {
		take = total - at < chunk ? total - at : chunk;
		out[n++] = 22;
		out[n++] = 3;
		out[n++] = 1;
		out[n++] = (unsigned char)(take >> 8);
		out[n++] = (unsigned char)take;
		memcpy(out + n, msg + at, take);
		n += take;
		at += take;
	}
	return n;
}

int
main(void)
{
	static unsigned char	 b[HELLO_PEEK * 6];
	size_t			 n, k;
	int			 partial_ok = 1;

	n = make_hello(b, 300, 16384);
	is_int(hello_scan(b, n), HELLO_WHOLE, "one record");
	is_int(hello_scan(b, 0), HELLO_PARTIAL, "nothing yet");
	is_int(hello_scan(b, 3), HELLO_PARTIAL, "a record header begun");
	is_int(hello_scan(b, n - 1), HELLO_PARTIAL, "all but a byte");

	n = make_hello(b, 300, 1);
	is_int(hello_scan(b, n), HELLO_WHOLE, "a byte per record");
	for (k = 0; k < n; k++)
		if (hello_scan(b, k) != HELLO_PARTIAL)
			partial_ok = 0;
	ok(partial_ok, "every prefix of it is partial");

	n = make_hello(b, 300, 7);
	b[n] = 23;	/* what follows the message is not looked at */
	is_int(hello_scan(b, n + 1), HELLO_WHOLE, "odd records, then more");

	n = make_hello(b, 300, 16384);
	b[0] = 'G';
	is_int(hello_scan(b, n), HELLO_NOT_TLS, "a Gemini request in clear");
	n = make_hello(b, 300, 100);
	b[105] = 21;
	is_int(hello_scan(b, n), HELLO_MALFORMED, "an alert between fragments");
	n = make_hello(b, 300, 16384);
	b[5] = 2;
	is_int(hello_scan(b, n), HELLO_MALFORMED, "not a ClientHello");
	n = make_hello(b, 300, 16384);
	b[3] = 0x50;
	is_int(hello_scan(b, n), HELLO_OVERSIZED, "a record over 18 KiB");
	n = make_hello(b, HELLO_MAX, 16384);
	is_int(hello_scan(b, n), HELLO_TOO_LARGE, "a message over the limit");
	n = make_hello(b, HELLO_MAX - 4, 16384);
	is_int(hello_scan(b, n), HELLO_WHOLE, "a message at the limit");
	ok(strcmp(hello_verdict_str(HELLO_NOT_TLS), "not TLS") == 0,
	    "verdicts have words");
	return done_testing();
}
