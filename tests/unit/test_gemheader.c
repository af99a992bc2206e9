/* test_gemheader: gemheader_check over whole, partial and malformed answer headers (src/gemheader.c). */
#include <string.h>

#include "gemheader.h"
#include "tap.h"

static enum gemheader_verdict
check(const char *s, size_t *hlen, int *status)
{
	const char	*why = NULL;

	return gemheader_check(s, strlen(s), hlen, status, &why);
}

int
main(void)
{
	char		 big[GEMHEADER_MAX + 16];
	const char	*why = NULL;
	size_t		 hlen = 0, i;
	int		 status = 0, prefixes_more = 1;
	const char	*page = "20 text/gemini\r\n# Title\n";

	is_int(check(page, &hlen, &status), GEMHEADER_OK, "a header and a body");
	is_int((long long)hlen, 16, "its length, CRLF included");
	is_int(status, 20, "its status");
	for (i = 0; i < 16; i++)
		if (gemheader_check(page, i, &hlen, &status, &why) !=
		    GEMHEADER_MORE)
			prefixes_more = 0;
	ok(prefixes_more, "every prefix of it wants more");
	is_int(check("51 not found\r\n", &hlen, &status), GEMHEADER_OK, "a 51");
	is_int(status, 51, "its status");
	is_int(check("20\r\n", &hlen, &status), GEMHEADER_OK,
	    "no space before an empty META");
	is_int((long long)hlen, 4, "its length");
	is_int(check("20 \r\n", &hlen, &status), GEMHEADER_OK, "an empty META");
	is_int(check("2 x\r\n", &hlen, &status), GEMHEADER_BAD, "one digit");
	is_int(check("70 x\r\n", &hlen, &status), GEMHEADER_BAD, "status 7x");
	is_int(check("x0 x\r\n", &hlen, &status), GEMHEADER_BAD, "a letter");
	is_int(check("20x\r\n", &hlen, &status), GEMHEADER_BAD, "no space");
	is_int(check("20 a\rb\n", &hlen, &status), GEMHEADER_BAD, "CR alone");
	is_int(check("20 a\nb\r\n", &hlen, &status), GEMHEADER_BAD, "LF alone");
	is_int(check("20 a\tb\r\n", &hlen, &status), GEMHEADER_BAD, "a tab");
	memcpy(big, "20 ", 3);
	memset(big + 3, 'm', GEMHEADER_META_MAX);
	memcpy(big + 3 + GEMHEADER_META_MAX, "\r\n", 3);
	is_int(check(big, &hlen, &status), GEMHEADER_OK, "META of 1024 bytes");
	is_int((long long)hlen, GEMHEADER_MAX, "the longest header");
	memset(big + 3, 'm', GEMHEADER_META_MAX + 1);
	memcpy(big + 4 + GEMHEADER_META_MAX, "\r\n", 3);
	is_int(check(big, &hlen, &status), GEMHEADER_BAD, "META of 1025 bytes");
	why = NULL;
	(void)gemheader_check(big, GEMHEADER_META_MAX + 4, &hlen, &status,
	    &why);
	ok(why != NULL && strstr(why, "1024") != NULL, "the reason says so");
	return done_testing();
}
