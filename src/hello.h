/* hello: how much of a TLS ClientHello has come, however it is cut into records (pure). */
#ifndef ALMANAC_HELLO_H
#define ALMANAC_HELLO_H

#include <stddef.h>

#define HELLO_MAX	16384	/* the largest ClientHello taken, in bytes */
#define HELLO_PEEK	32768	/* bound on the records that carry it */

enum hello {
	HELLO_WHOLE,		/* every record of the message has come */
	HELLO_PARTIAL,		/* more is needed */
	HELLO_NOT_TLS,
	HELLO_OVERSIZED,	/* a record longer than TLS allows */
	HELLO_TOO_LARGE,	/* a message over HELLO_MAX */
	HELLO_MALFORMED
};

enum hello	 hello_scan(const unsigned char *, size_t);
/* What a verdict other than whole or partial means, for the log. */
const char	*hello_verdict_str(enum hello);

#endif
