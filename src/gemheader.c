/* gemheader: checks a Gemini answer's header as a backend sends it (no I/O). */
#include <string.h>

#include "gemheader.h"

static int
gemheader_bad(const char **why, const char *reason)
{
	*why = reason;
	return GEMHEADER_BAD;
}

/* The status digits of s[0..len), as far as they go. */
static int
gemheader_status(const char *s, size_t len, const char **why)
{
	if (len > 0 && (s[0] < '1' || s[0] > '6'))
		return gemheader_bad(why, "status not 1x to 6x");
	if (len > 1 && (s[1] < '0' || s[1] > '9'))
		return gemheader_bad(why, "status not two digits");
	if (len > 2 && s[2] != ' ' && s[2] != '\r')
		return gemheader_bad(why, "no space after the status");
	return GEMHEADER_MORE;
}

enum gemheader_verdict
gemheader_check(const char *s, size_t len, size_t *hlen, int *status,
    const char **why)
{
	size_t	 i, meta;

	if (gemheader_status(s, len, why) == GEMHEADER_BAD)
		return GEMHEADER_BAD;
	meta = len > 2 && s[2] == ' ' ? 3 : 2;
	for (i = meta; i < len; i++) {
		if (s[i] == '\r')
			break;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return gemheader_bad(why, "control character in META");
		if (i - meta == GEMHEADER_META_MAX)
			return gemheader_bad(why, "META longer than 1024 "
			    "bytes");
	}
	if (i + 1 >= len)
		return len < GEMHEADER_MAX ? GEMHEADER_MORE :
		    gemheader_bad(why, "header too long");
	if (s[i + 1] != '\n')
		return gemheader_bad(why, "CR without LF");
	*hlen = i + 2;
	*status = (s[0] - '0') * 10 + (s[1] - '0');
	return GEMHEADER_OK;
}
