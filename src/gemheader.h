/* gemheader: checks a Gemini answer's header as a backend sends it (no I/O). */
#ifndef ALMANAC_GEMHEADER_H
#define ALMANAC_GEMHEADER_H

#include <stddef.h>

#define GEMHEADER_META_MAX	1024
/* Two digits, a space, META and CRLF. */
#define GEMHEADER_MAX		(3 + GEMHEADER_META_MAX + 2)

enum gemheader_verdict {
	GEMHEADER_MORE,		/* no CRLF yet, and it may still come */
	GEMHEADER_OK,
	GEMHEADER_BAD
};

/*
 * Looks at the first 'len' bytes of an answer: OK with the header's
 * length (CRLF included) in *hlen and its status in *status, MORE while
 * it is a valid beginning shorter than GEMHEADER_MAX, else BAD with the
 * reason in *why.  The status is two digits, the first 1 to 6; the space
 * may be left out when META is empty; META holds no control character.
 */
enum gemheader_verdict	gemheader_check(const char *, size_t, size_t *,
			    int *, const char **);

#endif
