/* fuzz_proxyhdr: libFuzzer harness for proxyhdr_parse: every prefix, longer inputs and an independent model of whole headers (src/proxyhdr.c). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyhdr.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define EXTRA		64	/* bytes appended to test longer inputs */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What the model says of a whole input. */
enum verdict { UNDECIDED, ACCEPT, REFUSE };

struct model {
	enum verdict	 v;
	size_t		 len;
	int		 version, local, family;
	unsigned char	 src[16], dst[16];
	unsigned	 sport, dport;
};

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_proxyhdr.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

static uint32_t
crc32c(const uint8_t *p, size_t len, size_t zero_at)
{
	static uint32_t	 table[256];
	uint32_t	 c;
	size_t		 i;
	int		 k;

	if (table[1] == 0)
		for (i = 0; i < 256; i++) {
			for (c = (uint32_t)i, k = 0; k < 8; k++)
				c = c & 1 ? 0x82f63b78u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	for (c = 0xffffffffu, i = 0; i < len; i++)
		c = table[(c ^ (i - zero_at < 4 ? 0 : p[i])) & 0xff] ^ (c >> 8);
	return ~c;
}

/* A port as the spec writes it: 1-5 digits, no leading zero, <= 65535. */
static int
model_port(const char *s, unsigned *port)
{
	size_t	 len = strlen(s), i;

	if (len == 0 || len > 5 || (s[0] == '0' && len > 1))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	*port = (unsigned)strtoul(s, NULL, 10);
	return *port <= 65535;
}

static int
model_addr(int family, const char *s, unsigned char *out)
{
	const char	*p;

	if (family == AF_INET)
		for (p = s; *p != '\0'; p++)
			if (*p == '0' && (p == s || p[-1] == '.') &&
			    p[1] >= '0' && p[1] <= '9')
				return 0;
	return inet_pton(family, s, out) == 1;
}

/* Splits the line on single spaces into exactly 6 non-empty fields. */
static int
split6(char *line, char *f[6])
{
	char	*p = line;
	int	 i;

	for (i = 0; i < 6; i++) {
		f[i] = p;
		p = strchr(p, ' ');
		if (i < 5) {
			if (p == NULL)
				return 0;
			*p++ = '\0';
		} else if (p != NULL)
			return 0;
		if (f[i][0] == '\0')
			return 0;
	}
	return 1;
}

/* Version 1, once its line (up to the first CR or LF) is in. */
static void
model_v1(const uint8_t *b, size_t n, struct model *m)
{
	char	 line[PROXYHDR_V1_MAX + 1], *f[6];
	size_t	 i, lim = n < PROXYHDR_V1_MAX ? n : PROXYHDR_V1_MAX;

	for (i = 0; i < lim && b[i] != '\r' && b[i] != '\n'; i++)
		;
	if (i == lim) {
		m->v = n >= PROXYHDR_V1_MAX ? REFUSE : UNDECIDED;
		return;
	}
	m->v = REFUSE;
	if (b[i] == '\n' || i + 1 >= PROXYHDR_V1_MAX)
		return;
	if (i + 1 == n) {
		m->v = UNDECIDED;
		return;
	}
	if (b[i + 1] != '\n')
		return;
	m->len = i + 2;
	m->version = 1;
	/* Raw bytes: what follows UNKNOWN, NULs included, is ignored. */
	if (i >= 13 && memcmp(b, "PROXY UNKNOWN", 13) == 0 &&
	    (i == 13 || b[13] == ' ')) {
		m->v = ACCEPT;
		m->local = 1;
		return;
	}
	if (memchr(b, '\0', i) != NULL)
		return;
	memcpy(line, b, i);
	line[i] = '\0';
	if (!split6(line, f) || strcmp(f[0], "PROXY") != 0)
		return;
	if (strcmp(f[1], "TCP4") == 0)
		m->family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		m->family = AF_INET6;
	else
		return;
	if (model_addr(m->family, f[2], m->src) &&
	    model_addr(m->family, f[3], m->dst) &&
	    model_port(f[4], &m->sport) && model_port(f[5], &m->dport))
		m->v = ACCEPT;
}

static int
v2_alen(uint8_t fam)
{
	switch (fam) {
	case 0x00:
		return 0;
	case 0x11: case 0x12:
		return 12;
	case 0x21: case 0x22:
		return 36;
	case 0x31: case 0x32:
		return 216;
	}
	return -1;
}

/* Version 2, once the whole header is in. */
static void
model_v2(const uint8_t *b, size_t n, struct model *m)
{
	size_t	 total, at, len;
	int	 cmd, alen;

	m->v = REFUSE;
	if (n < 16 || memcmp(b, "\r\n\r\n\0\r\nQUIT\n", 12) != 0) {
		if (n < 16)
			m->v = UNDECIDED;
		return;
	}
	total = 16 + ((size_t)b[14] << 8 | b[15]);
	cmd = b[12] & 0xf;
	alen = v2_alen(b[13]);
	if (b[12] >> 4 != 2 || cmd > 1 || (cmd == 1 && alen == -1) ||
	    total > PROXYHDR_V2_MAX)
		return;
	if (n < total) {
		m->v = UNDECIDED;
		return;
	}
	if (cmd == 0 && b[13] != 0)
		at = total;
	else if ((size_t)alen > total - 16)
		return;
	else
		at = 16 + (size_t)alen;
	while (at < total) {
		if (at + 3 > total)
			return;
		len = (size_t)b[at + 1] << 8 | b[at + 2];
		if (at + 3 + len > total)
			return;
		if (b[at] == 0x03 && (len != 4 || crc32c(b, total, at + 3) !=
		    ((uint32_t)b[at + 3] << 24 | (uint32_t)b[at + 4] << 16 |
		    (uint32_t)b[at + 5] << 8 | b[at + 6])))
			return;
		at += 3 + len;
	}
	m->v = ACCEPT;
	m->len = total;
	m->version = 2;
	m->local = !(cmd == 1 && (b[13] == 0x11 || b[13] == 0x21));
	if (m->local)
		return;
	m->family = b[13] == 0x11 ? AF_INET : AF_INET6;
	alen = m->family == AF_INET ? 4 : 16;
	memcpy(m->src, b + 16, (size_t)alen);
	memcpy(m->dst, b + 16 + alen, (size_t)alen);
	m->sport = (unsigned)b[16 + 2 * alen] << 8 | b[17 + 2 * alen];
	m->dport = (unsigned)b[18 + 2 * alen] << 8 | b[19 + 2 * alen];
}

static void
check_addr(const struct sockaddr_storage *ss, int family,
    const unsigned char *addr, unsigned port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	CHECK(ss->ss_family == family);
	if (family == AF_INET) {
		CHECK(memcmp(&sin->sin_addr, addr, 4) == 0);
		CHECK(ntohs(sin->sin_port) == port);
	} else {
		CHECK(memcmp(&sin6->sin6_addr, addr, 16) == 0);
		CHECK(ntohs(sin6->sin6_port) == port);
	}
}

static int
zero(const void *p, size_t len)
{
	const unsigned char	*c = p;

	while (len-- > 0)
		if (*c++ != 0)
			return 0;
	return 1;
}

/* The answer for b[0..n), checked on its own terms. */
static enum proxyhdr_result
parse(const uint8_t *b, size_t n, struct proxyhdr *h)
{
	struct proxyhdr		 before;
	enum proxyhdr_result	 r;
	const char		*why = "unset";

	memset(h, 0xa5, sizeof(*h));
	before = *h;
	r = proxyhdr_parse(b, n, h, &why);
	CHECK(r == PROXYHDR_NEED_MORE || r == PROXYHDR_OK ||
	    r == PROXYHDR_BAD);
	CHECK((why != NULL) == (r == PROXYHDR_BAD));
	CHECK(why == NULL || why[0] != '\0');
	CHECK(r == PROXYHDR_OK || memcmp(h, &before, sizeof(*h)) == 0);
	CHECK(r != PROXYHDR_NEED_MORE || n < PROXYHDR_MAX);
	if (r == PROXYHDR_NEED_MORE && n > 0 && b[0] == 'P')
		CHECK(n < PROXYHDR_V1_MAX);
	if (r == PROXYHDR_NEED_MORE && n >= 16 && b[0] == '\r')
		CHECK(n < 16 + ((size_t)b[14] << 8 | b[15]));
	if (r != PROXYHDR_OK)
		return r;
	CHECK(h->len <= n && h->len >= 15 && h->len <= PROXYHDR_MAX);
	CHECK(h->version == 1 || h->version == 2);
	CHECK(h->local == 0 || h->local == 1);
	if (h->version == 1)
		CHECK(b[0] == 'P' && h->len <= PROXYHDR_V1_MAX &&
		    b[h->len - 2] == '\r' && b[h->len - 1] == '\n');
	else
		CHECK(b[0] == '\r' && h->len >= 16 &&
		    h->len == 16 + ((size_t)b[14] << 8 | b[15]));
	if (h->local)
		CHECK(zero(&h->src, sizeof(h->src)) &&
		    zero(&h->dst, sizeof(h->dst)));
	else
		CHECK(h->src.ss_family == h->dst.ss_family &&
		    (h->src.ss_family == AF_INET ||
		    h->src.ss_family == AF_INET6));
	return r;
}

static void
check_model(const uint8_t *b, size_t n, enum proxyhdr_result r,
    const struct proxyhdr *h)
{
	struct model	 m;

	memset(&m, 0, sizeof(m));
	if (n == 0)
		m.v = UNDECIDED;
	else if (b[0] == 'P')
		model_v1(b, n, &m);
	else if (b[0] == '\r')
		model_v2(b, n, &m);
	else
		m.v = REFUSE;
	if (m.v == UNDECIDED) {
		CHECK(r != PROXYHDR_OK);
		return;
	}
	CHECK(r == (m.v == ACCEPT ? PROXYHDR_OK : PROXYHDR_BAD));
	if (r != PROXYHDR_OK)
		return;
	CHECK(h->len == m.len && h->version == m.version &&
	    h->local == m.local);
	if (!m.local) {
		check_addr(&h->src, m.family, m.src, m.sport);
		check_addr(&h->dst, m.family, m.dst, m.dport);
	}
}

/*
 * Fed a byte at a time: NEED_MORE, then from some prefix on either BAD
 * for good or the same OK, which a longer input does not change.
 */
static void
check_prefixes(const uint8_t *data, size_t size, enum proxyhdr_result r,
    const struct proxyhdr *whole)
{
	struct proxyhdr		 h;
	enum proxyhdr_result	 p, last = PROXYHDR_NEED_MORE;
	uint8_t			*longer;
	size_t			 k, i;

	for (k = 0; k <= size; k++) {
		p = parse(data, k, &h);
		if (last != PROXYHDR_NEED_MORE)
			CHECK(p == last);
		if (p == PROXYHDR_OK)
			CHECK(memcmp(&h, whole, sizeof(h)) == 0 &&
			    k >= whole->len);
		if (r == PROXYHDR_OK)
			CHECK(p == (k < whole->len ? PROXYHDR_NEED_MORE :
			    PROXYHDR_OK));
		last = p;
	}
	CHECK(last == r);
	if ((longer = malloc(size + EXTRA)) == NULL)
		abort();
	memcpy(longer, data, size);
	for (i = 0; i < EXTRA; i++)
		longer[size + i] = size > 0 ? data[i % size] ^ (uint8_t)i :
		    (uint8_t)i;
	p = parse(longer, size + EXTRA, &h);
	if (r != PROXYHDR_NEED_MORE)
		CHECK(p == r);
	if (r == PROXYHDR_OK)
		CHECK(memcmp(&h, whole, sizeof(h)) == 0);
	free(longer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyhdr		 h;
	enum proxyhdr_result	 r;

	r = parse(data, size, &h);
	check_model(data, size, r, &h);
	check_prefixes(data, size, r, &h);
	return 0;
}
