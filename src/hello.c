/* hello: how much of a TLS ClientHello has come, however it is cut into records (pure). */
#include "hello.h"

#define TLS_HANDSHAKE	22	/* record type of a ClientHello */
#define TLS_CLIENT_HELLO	1	/* its handshake message type */
#define TLS_RECORD_MAX	(16384 + 2048)

/*
 * How much of the ClientHello has come: the handshake message may be
 * split over any number of records, each as short as one byte, so the
 * records are walked and their fragments added up until the whole
 * message (its header and the length that header gives) is there.
 */
enum hello
hello_scan(const unsigned char *p, size_t n)
{
	unsigned char	 head[4];
	size_t		 at = 0, got = 0, need = 0, len, take, i;

	if (n > 0 && p[0] != TLS_HANDSHAKE)
		return HELLO_NOT_TLS;
	while (n - at >= 5) {
		/* Nothing may come between the fragments of the message. */
		if (p[at] != TLS_HANDSHAKE)
			return HELLO_MALFORMED;
		len = (size_t)p[at + 3] << 8 | p[at + 4];
		if (len > TLS_RECORD_MAX)
			return HELLO_OVERSIZED;
		at += 5;
		take = len < n - at ? len : n - at;
		for (i = 0; i < take && got + i < sizeof(head); i++)
			head[got + i] = p[at + i];
		got += take;
		at += take;
		if (need == 0 && got >= sizeof(head)) {
			if (head[0] != TLS_CLIENT_HELLO)
				return HELLO_MALFORMED;
			need = sizeof(head) + ((size_t)head[1] << 16 |
			    (size_t)head[2] << 8 | head[3]);
			if (need > HELLO_MAX)
				return HELLO_TOO_LARGE;
		}
		/* OpenSSL takes a record only once it is whole. */
		if (take < len)
			return HELLO_PARTIAL;
		if (need > 0 && got >= need)
			return HELLO_WHOLE;
	}
	return HELLO_PARTIAL;
}

const char *
hello_verdict_str(enum hello v)
{
	switch (v) {
	case HELLO_NOT_TLS:
		return "not TLS";
	case HELLO_OVERSIZED:
		return "oversized TLS record";
	case HELLO_TOO_LARGE:
		return "ClientHello too large";
	case HELLO_MALFORMED:
		return "malformed ClientHello";
	case HELLO_WHOLE:
	case HELLO_PARTIAL:
		break;
	}
	return "ClientHello incomplete";
}
