/* test_proxyhdr: PROXY protocol headers, versions 1 and 2, whole, fed a byte at a time, and refused on the first byte that cannot belong (src/proxyhdr.c). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyhdr.h"
#include "tap.h"

#define SIG		"\r\n\r\n\0\r\nQUIT\n"
#define TAIL		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
#define TAIL_LEN	(sizeof(TAIL) - 1)

#define PP2_TYPE_ALPN		0x01
#define PP2_TYPE_AUTHORITY	0x02
#define PP2_TYPE_CRC32C		0x03
#define PP2_TYPE_NOOP		0x04
#define PP2_TYPE_UNIQUE_ID	0x05
#define PP2_TYPE_SSL		0x20
#define PP2_SUBTYPE_SSL_VERSION	0x21
#define PP2_SUBTYPE_SSL_CN	0x22
#define PP2_SUBTYPE_SSL_CIPHER	0x23
#define PP2_SUBTYPE_SSL_SIG_ALG	0x24
#define PP2_SUBTYPE_SSL_KEY_ALG	0x25
#define PP2_TYPE_NETNS		0x30

/* A version 2 header being built: the tests' own encoder. */
struct v2 {
	unsigned char	 b[2 * PROXYHDR_V2_MAX];
	size_t		 n;
};

static uint32_t	 crc_table[256];

/* A table-driven CRC32C, unlike the module's bitwise one. */
static void
crc_init(void)
{
	uint32_t	 c;
	int		 i, k;

	for (i = 0; i < 256; i++) {
		for (c = (uint32_t)i, k = 0; k < 8; k++)
			c = c & 1 ? 0x82f63b78u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t
crc32c(const unsigned char *p, size_t len)
{
	uint32_t	 c = 0xffffffffu;

	while (len-- > 0)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static void
v2_put(struct v2 *h, const void *p, size_t len)
{
	if (h->n + len > sizeof(h->b))
		abort();
	memcpy(h->b + h->n, p, len);
	h->n += len;
}

static void
v2_u16(struct v2 *h, unsigned v)
{
	unsigned char	 b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	v2_put(h, b, 2);
}

/* The signature, version/command, family; the length is v2_end's. */
static void
v2_start(struct v2 *h, unsigned char vercmd, unsigned char fam)
{
	h->n = 0;
	v2_put(h, SIG, 12);
	v2_put(h, (unsigned char[]){ vercmd, fam, 0, 0 }, 4);
}

static void
v2_tcp4(struct v2 *h, const char *src, const char *dst, unsigned sport,
    unsigned dport)
{
	unsigned char	 a[4];

	if (inet_pton(AF_INET, src, a) != 1)
		abort();
	v2_put(h, a, 4);
	if (inet_pton(AF_INET, dst, a) != 1)
		abort();
	v2_put(h, a, 4);
	v2_u16(h, sport);
	v2_u16(h, dport);
}

static void
v2_tcp6(struct v2 *h, const char *src, const char *dst, unsigned sport,
    unsigned dport)
{
	unsigned char	 a[16];

	if (inet_pton(AF_INET6, src, a) != 1)
		abort();
	v2_put(h, a, 16);
	if (inet_pton(AF_INET6, dst, a) != 1)
		abort();
	v2_put(h, a, 16);
	v2_u16(h, sport);
	v2_u16(h, dport);
}

static void
v2_tlv(struct v2 *h, unsigned char type, const void *value, size_t len)
{
	v2_put(h, &type, 1);
	v2_u16(h, (unsigned)len);
	v2_put(h, value, len);
}

static void
v2_tlv_str(struct v2 *h, unsigned char type, const char *s)
{
	v2_tlv(h, type, s, strlen(s));
}

/* The length field: every byte after the 16 fixed ones. */
static void
v2_end(struct v2 *h)
{
	h->b[14] = (unsigned char)((h->n - 16) >> 8);
	h->b[15] = (unsigned char)(h->n - 16);
}

/* A CRC32C TLV, last, as HAProxy's proxy-v2-options crc32c adds it. */
static void
v2_end_crc(struct v2 *h)
{
	uint32_t	 c;
	size_t		 at;

	v2_tlv(h, PP2_TYPE_CRC32C, "\0\0\0\0", 4);
	at = h->n - 4;
	v2_end(h);
	c = crc32c(h->b, h->n);
	h->b[at] = (unsigned char)(c >> 24);
	h->b[at + 1] = (unsigned char)(c >> 16);
	h->b[at + 2] = (unsigned char)(c >> 8);
	h->b[at + 3] = (unsigned char)c;
}

/* What HAProxy's send-proxy-v2 with proxy-v2-options ssl,... carries. */
static void
v2_haproxy_tlvs(struct v2 *h)
{
	struct v2	 ssl;

	v2_tlv_str(h, PP2_TYPE_ALPN, "gemini");
	v2_tlv_str(h, PP2_TYPE_AUTHORITY, "capsule.example.org");
	v2_tlv(h, PP2_TYPE_UNIQUE_ID, "\x01\x23\x45\x67\x89\xab\xcd\xef"
	    "\x10\x32\x54\x76\x98\xba\xdc\xfe", 16);
	ssl.n = 0;
	v2_put(&ssl, "\x07\0\0\0\0", 5);	/* SSL, both certs; verify 0 */
	v2_tlv_str(&ssl, PP2_SUBTYPE_SSL_VERSION, "TLSv1.3");
	v2_tlv_str(&ssl, PP2_SUBTYPE_SSL_CN, "a client");
	v2_tlv_str(&ssl, PP2_SUBTYPE_SSL_CIPHER, "TLS_AES_128_GCM_SHA256");
	v2_tlv_str(&ssl, PP2_SUBTYPE_SSL_SIG_ALG, "ECDSA-SHA256");
	v2_tlv_str(&ssl, PP2_SUBTYPE_SSL_KEY_ALG, "EC256");
	v2_tlv(h, PP2_TYPE_SSL, ssl.b, ssl.n);
	v2_tlv_str(h, PP2_TYPE_NETNS, "blue");
	v2_tlv(h, PP2_TYPE_NOOP, "", 0);
}

static const char *
ntop(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(out, outsz, "%s:%u", a, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(out, outsz, "[%s]:%u", a, ntohs(sin6->sin6_port));
	} else
		snprintf(out, outsz, "family %d", ss->ss_family);
	return out;
}

static int
all_zero(const void *p, size_t len)
{
	const unsigned char	*c = p;

	while (len-- > 0)
		if (*c++ != 0)
			return 0;
	return 1;
}

static void
diag_at(const unsigned char *b, size_t k, const char *why)
{
	(void)b;
	fprintf(stderr, "#   answer unexpected at %zu bytes (%s)\n", k,
	    why != NULL ? why : "no reason");
}

/*
 * b[0..len) is a whole header: every shorter prefix wants more and leaves
 * out alone, the whole and the whole with a ClientHello after it are OK
 * with len, and the two answers agree.
 */
static int
whole(const void *p, size_t len, struct proxyhdr *out)
{
	unsigned char		*b;
	struct proxyhdr		 h, h2, before;
	const char		*why;
	size_t			 k;

	if ((b = malloc(len + TAIL_LEN)) == NULL)
		abort();
	memcpy(b, p, len);
	memcpy(b + len, TAIL, TAIL_LEN);
	memset(&before, 0x5a, sizeof(before));
	for (k = 0; k < len; k++) {
		h = before;
		if (proxyhdr_parse(b, k, &h, &why) != PROXYHDR_NEED_MORE ||
		    why != NULL || memcmp(&h, &before, sizeof(h)) != 0) {
			diag_at(b, k, why);
			free(b);
			return 0;
		}
	}
	if (proxyhdr_parse(b, len, &h, &why) != PROXYHDR_OK || why != NULL ||
	    h.len != len ||
	    proxyhdr_parse(b, len + TAIL_LEN, &h2, &why) != PROXYHDR_OK ||
	    memcmp(&h, &h2, sizeof(h)) != 0) {
		diag_at(b, len, why);
		free(b);
		return 0;
	}
	free(b);
	*out = h;
	return 1;
}

/*
 * The first k bytes may start a header, k + 1 cannot (nor can any longer
 * prefix up to n), and out is never written.
 */
static int
refused_at(const void *p, size_t n, size_t k)
{
	const unsigned char	*b = p;
	struct proxyhdr		 h, before;
	const char		*why;
	size_t			 j;
	enum proxyhdr_result	 want, got;

	memset(&before, 0x5a, sizeof(before));
	for (j = 0; j <= n; j++) {
		h = before;
		want = j <= k ? PROXYHDR_NEED_MORE : PROXYHDR_BAD;
		got = proxyhdr_parse(b, j, &h, &why);
		if (got != want || (why == NULL) != (want != PROXYHDR_BAD) ||
		    memcmp(&h, &before, sizeof(h)) != 0) {
			diag_at(b, j, why);
			return 0;
		}
	}
	return 1;
}

/* The reason the whole of s[0..n) is refused with. */
static const char *
reason(const void *s, size_t n)
{
	struct proxyhdr	 h;
	const char	*why;

	if (proxyhdr_parse(s, n, &h, &why) != PROXYHDR_BAD)
		return "(not refused)";
	return why;
}

static int
is_addr(const struct sockaddr_storage *ss, const char *want)
{
	char	 got[80];

	ntop(ss, got, sizeof(got));
	if (want != NULL && strcmp(got, want) == 0)
		return 1;
	fprintf(stderr, "#   address %s, not %s\n", got, want ? want : "none");
	return 0;
}

static int
v1_tcp(const char *line, const char *src, const char *dst)
{
	struct proxyhdr	 h;

	return whole(line, strlen(line), &h) && h.version == 1 && !h.local &&
	    is_addr(&h.src, src) && is_addr(&h.dst, dst);
}

static int
v1_local(const char *line)
{
	struct proxyhdr	 h;

	return whole(line, strlen(line), &h) && h.version == 1 && h.local &&
	    all_zero(&h.src, sizeof(h.src)) && all_zero(&h.dst, sizeof(h.dst));
}

/* line is refused once its first k bytes are in, not before. */
static int
v1_refused(const char *line, size_t k)
{
	return refused_at(line, strlen(line), k);
}

static void
test_v1(void)
{
	char	 line[256];
	size_t	 n;

	ok(v1_tcp("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
	    "192.168.0.1:56324", "192.168.0.11:443"), "v1 TCP4 (the spec's "
	    "example), byte after byte");
	ok(v1_tcp("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n",
	    "255.255.255.255:65535", "255.255.255.255:65535"),
	    "v1 TCP4, longest (56 bytes)");
	ok(v1_tcp("PROXY TCP4 0.0.0.0 10.0.0.1 0 1965\r\n", "0.0.0.0:0",
	    "10.0.0.1:1965"), "v1 TCP4, zeros and port 0");
	ok(v1_tcp("PROXY TCP6 2001:db8::1 2001:db8::2 40000 1965\r\n",
	    "[2001:db8::1]:40000", "[2001:db8::2]:1965"), "v1 TCP6");
	ok(v1_tcp("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF 65535 65535\r\n",
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"),
	    "v1 TCP6, longest (104 bytes), either case");
	ok(v1_tcp("PROXY TCP6 ::ffff:192.0.2.1 :: 1 2\r\n",
	    "[::ffff:192.0.2.1]:1", "[::]:2"), "v1 TCP6, v4-mapped and ::");
	ok(v1_local("PROXY UNKNOWN\r\n"), "v1 UNKNOWN, short form");
	ok(v1_local("PROXY UNKNOWN ffff:f::f ffff:f::f 65535 65535\r\n"),
	    "v1 UNKNOWN, addresses ignored");
	ok(v1_local("PROXY UNKNOWN anything\x01\xff at all \r\n"),
	    "v1 UNKNOWN, anything up to CRLF ignored");
	n = (size_t)snprintf(line, sizeof(line), "PROXY UNKNOWN %0*d\r\n",
	    PROXYHDR_V1_MAX - 16, 0);
	ok(n == PROXYHDR_V1_MAX && v1_local(line), "v1 of 107 bytes taken");
	snprintf(line, sizeof(line), "PROXY UNKNOWN %0*d\r\n",
	    PROXYHDR_V1_MAX - 15, 0);
	ok(v1_refused(line, PROXYHDR_V1_MAX - 1), "v1 of 108 bytes: refused "
	    "on its 107th, CR without LF");
	is_str(reason(line, PROXYHDR_V1_MAX), "PROXY line without CRLF in its "
	    "first 107 bytes", "... saying so");
	memset(line, 'x', sizeof(line));
	n = (size_t)snprintf(line, sizeof(line), "PROXY UNKNOWN ");
	line[n] = 'x';
	ok(refused_at(line, sizeof(line), PROXYHDR_V1_MAX - 1), "v1 without "
	    "CRLF: refused on its 107th byte");
	ok(refused_at(line, PROXYHDR_MAX, PROXYHDR_V1_MAX - 1),
	    "... and at PROXYHDR_MAX");

	ok(v1_refused("PROXY TCP4 256.0.0.1 10.0.0.1 1 2\r\n", 20),
	    "v1 refused: 256 in an IPv4 address, on the space after it");
	is_str(reason("PROXY TCP4 256.0.0.1 ", 21), "PROXY line with a bad "
	    "IPv4 address", "... saying so");
	ok(v1_refused("PROXY TCP4 10.0.0.01 10.0.0.1 1 2\r\n", 20),
	    "v1 refused: a leading zero in an IPv4 address");
	ok(v1_refused("PROXY TCP4 10.0.0 10.0.0.1 1 2\r\n", 17),
	    "v1 refused: three numbers");
	ok(v1_refused("PROXY TCP4 1.2.3.4.5 10.0.0.1 1 2\r\n", 20),
	    "v1 refused: five numbers");
	ok(v1_refused("PROXY TCP4 1.2.3.4 10.0.0.1.1.1.1.1.1 1 2\r\n", 34),
	    "v1 refused: an IPv4 address past 15 bytes, on its 16th");
	ok(v1_refused("PROXY TCP4 ::1 ::1 1 2\r\n", 11),
	    "v1 refused: an IPv6 address for TCP4, on its first colon");
	ok(v1_refused("PROXY TCP4 localhost 10.0.0.1 1 2\r\n", 11),
	    "v1 refused: a name, on its first letter");
	ok(v1_refused("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", 18),
	    "v1 refused: an IPv4 address for TCP6");
	ok(v1_refused("PROXY TCP6 2001:db8::g ::1 1 2\r\n", 21),
	    "v1 refused: a 'g' in an IPv6 address");
	ok(v1_refused("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", 28),
	    "v1 refused: nine groups");
	ok(v1_refused("PROXY TCP6 ::1::2 ::1 1 2\r\n", 17),
	    "v1 refused: two double colons");
	ok(v1_refused("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", 19),
	    "v1 refused: two spaces");
	ok(v1_refused("PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", 10),
	    "v1 refused: a tab");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", 32),
	    "v1 refused: port 65536");
	is_str(reason("PROXY TCP4 1.2.3.4 5.6.7.8 65536 ", 33),
	    "PROXY line with a bad port", "... saying so");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\n", 32),
	    "v1 refused: port 99999");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n", 32),
	    "v1 refused: six digits, on the sixth");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 +443 2\r\n", 27),
	    "v1 refused: port +443, on the '+'");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", 27),
	    "v1 refused: port -1");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 0443 2\r\n", 31),
	    "v1 refused: port 0443 (a leading zero)");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 0x1\r\n", 30),
	    "v1 refused: port 0x1");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", 30),
	    "v1 refused: LF without CR");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", 31),
	    "v1 refused: CR without LF");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", 30),
	    "v1 refused: a space before CRLF");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", 28),
	    "v1 refused: one port");
	ok(v1_refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", 30),
	    "v1 refused: three ports");
	ok(v1_refused("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 6),
	    "v1 refused: two spaces after PROXY");
	ok(v1_refused("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", 9),
	    "v1 refused: TCP5");
	ok(v1_refused("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", 7),
	    "v1 refused: UDP4, on its 'D'");
	ok(v1_refused("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", 6),
	    "v1 refused: lower case");
	ok(v1_refused("PROXY TCP4\r\n", 10), "v1 refused: TCP4 alone");
	ok(v1_refused("PROXY UNKNOWNX\r\n", 13), "v1 refused: UNKNOWNX");
	ok(v1_refused("PROXY UNKNOWN\n", 13), "v1 refused: UNKNOWN, LF");
	ok(v1_refused("PROXY UNKNOWN a\nb\r\n", 15), "v1 refused: UNKNOWN "
	    "with a bare LF inside");
	ok(v1_refused("PROXY UNKNOWN a\rb\r\n", 16), "v1 refused: UNKNOWN "
	    "with a bare CR inside");
	ok(v1_refused("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 0),
	    "refused: 'proxy', on its first byte");
	ok(v1_refused("PROXZ", 4), "refused: 'PROXZ', on its 'Z'");
	ok(v1_refused("gemini://example.org/\r\n", 0),
	    "refused: a Gemini request, on its first byte");
	is_str(reason("g", 1), "not a PROXY protocol header", "... saying so");
}

static int
v2_ok(const struct v2 *h, int local, const char *src, const char *dst)
{
	struct proxyhdr	 out;

	if (!whole(h->b, h->n, &out) || out.version != 2 ||
	    out.local != local)
		return 0;
	if (local)
		return all_zero(&out.src, sizeof(out.src)) &&
		    all_zero(&out.dst, sizeof(out.dst));
	return is_addr(&out.src, src) && is_addr(&out.dst, dst);
}

static void
test_v2_accepted(void)
{
	unsigned char	 unix_addrs[216];
	struct v2	 h;

	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 51234, 1965);
	v2_end(&h);
	ok(h.n == 28 && v2_ok(&h, 0, "198.51.100.7:51234", "10.0.0.2:1965"),
	    "v2 PROXY TCP4, byte after byte");
	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 51234, 1965);
	v2_haproxy_tlvs(&h);
	v2_end(&h);
	ok(v2_ok(&h, 0, "198.51.100.7:51234", "10.0.0.2:1965"),
	    "v2 PROXY TCP4 with ALPN, authority, unique id, SSL, netns, noop");
	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 51234, 1965);
	v2_haproxy_tlvs(&h);
	v2_end_crc(&h);
	ok(v2_ok(&h, 0, "198.51.100.7:51234", "10.0.0.2:1965"),
	    "... and a CRC32C that matches");
	v2_start(&h, 0x21, 0x21);
	v2_tcp6(&h, "2001:db8::7", "2001:db8::1:2", 0, 65535);
	v2_end(&h);
	ok(h.n == 52 && v2_ok(&h, 0, "[2001:db8::7]:0",
	    "[2001:db8::1:2]:65535"), "v2 PROXY TCP6");
	v2_start(&h, 0x21, 0x21);
	v2_tcp6(&h, "2001:db8::7", "2001:db8::1:2", 0, 65535);
	v2_haproxy_tlvs(&h);
	v2_end_crc(&h);
	ok(v2_ok(&h, 0, "[2001:db8::7]:0", "[2001:db8::1:2]:65535"),
	    "v2 PROXY TCP6 with TLVs and a CRC32C");

	v2_start(&h, 0x20, 0x00);
	v2_end(&h);
	ok(h.n == 16 && v2_ok(&h, 1, NULL, NULL), "v2 LOCAL (HAProxy's "
	    "health check): the connection's own addresses");
	v2_start(&h, 0x20, 0x00);
	v2_tlv_str(&h, PP2_TYPE_UNIQUE_ID, "check-1");
	v2_end_crc(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 LOCAL UNSPEC with TLVs");
	v2_start(&h, 0x20, 0x11);
	v2_tcp4(&h, "127.0.0.1", "127.0.0.1", 1, 2);
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 LOCAL with TCP4 addresses: ignored");
	v2_start(&h, 0x20, 0x11);
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 LOCAL TCP4 without addresses");
	v2_start(&h, 0x20, 0xff);
	v2_put(&h, "\xff\xff", 2);
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 LOCAL of an unknown family: its "
	    "block skipped unread");
	v2_start(&h, 0x21, 0x00);
	v2_tlv_str(&h, PP2_TYPE_AUTHORITY, "example.org");
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 PROXY UNSPEC: local");
	v2_start(&h, 0x21, 0x12);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 PROXY UDP over IPv4: local");
	v2_start(&h, 0x21, 0x22);
	v2_tcp6(&h, "::1", "::2", 1, 2);
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 PROXY UDP over IPv6: local");
	memset(unix_addrs, 0, sizeof(unix_addrs));
	snprintf((char *)unix_addrs, sizeof(unix_addrs), "/run/haproxy.sock");
	v2_start(&h, 0x21, 0x31);
	v2_put(&h, unix_addrs, sizeof(unix_addrs));
	v2_tlv_str(&h, PP2_TYPE_NETNS, "blue");
	v2_end(&h);
	ok(h.n == 16 + 216 + 7 && v2_ok(&h, 1, NULL, NULL),
	    "v2 PROXY UNIX stream: local");
	v2_start(&h, 0x21, 0x32);
	v2_put(&h, unix_addrs, sizeof(unix_addrs));
	v2_end(&h);
	ok(v2_ok(&h, 1, NULL, NULL), "v2 PROXY UNIX datagram: local");

	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_tlv(&h, PP2_TYPE_NOOP, (unsigned char[PROXYHDR_V2_MAX]){ 0 },
	    PROXYHDR_V2_MAX - h.n - 3);
	v2_end(&h);
	ok(h.n == PROXYHDR_V2_MAX && v2_ok(&h, 0, "198.51.100.7:1",
	    "10.0.0.2:2"), "v2 of exactly PROXYHDR_V2_MAX bytes");
	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_tlv(&h, 0xe0, "custom", 6);
	v2_tlv(&h, 0xf0, "", 0);
	v2_tlv(&h, 0xff, "future", 6);
	v2_end(&h);
	ok(v2_ok(&h, 0, "198.51.100.7:1", "10.0.0.2:2"),
	    "v2 with custom, experimental and future TLV types");
}

static void
test_v2_refused(void)
{
	struct v2	 h, good;
	size_t		 i;
	int		 all;

	v2_start(&good, 0x21, 0x11);
	v2_tcp4(&good, "198.51.100.7", "10.0.0.2", 51234, 1965);
	v2_end(&good);
	for (i = 0, all = 1; i < 12; i++) {
		h = good;
		h.b[i] ^= 0x20;
		all &= refused_at(h.b, h.n, i);
	}
	ok(all, "v2 signature wrong in any of its 12 bytes: refused on it");
	ok(refused_at(SIG, 11, 11), "v2 signature cut: more wanted");
	is_str(reason("\r\n\r\n\0\r\nQUIT\r", 12), "not a PROXY protocol "
	    "header", "... a wrong one refused, saying so");
	h = good;
	h.b[12] = 0x11;
	ok(refused_at(h.b, h.n, 12), "v2 refused: version 1 in the binary "
	    "form");
	h.b[12] = 0x31;
	ok(refused_at(h.b, h.n, 12), "v2 refused: version 3");
	h.b[12] = 0x22;
	ok(refused_at(h.b, h.n, 12), "v2 refused: command 2");
	is_str(reason(h.b, 13), "PROXY v2 header with an unknown command",
	    "... saying so");
	h.b[12] = 0x2f;
	ok(refused_at(h.b, h.n, 12), "v2 refused: command 15");
	h = good;
	h.b[13] = 0x13;
	ok(refused_at(h.b, h.n, 13), "v2 refused: PROXY over protocol 3");
	h.b[13] = 0x41;
	ok(refused_at(h.b, h.n, 13), "v2 refused: PROXY of family 4");
	h.b[13] = 0x10;
	ok(refused_at(h.b, h.n, 13), "v2 refused: PROXY of IPv4, protocol "
	    "UNSPEC");
	h.b[13] = 0x01;
	ok(refused_at(h.b, h.n, 13), "v2 refused: PROXY of family UNSPEC, "
	    "protocol STREAM");

	h = good;
	h.b[15] = 11;
	ok(refused_at(h.b, h.n, 15), "v2 refused: TCP4 with 11 address "
	    "bytes, once the length is in");
	v2_start(&h, 0x21, 0x21);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_end(&h);
	ok(refused_at(h.b, h.n, 15), "v2 refused: TCP6 with TCP4's 12 "
	    "bytes");
	v2_start(&h, 0x21, 0x31);
	v2_put(&h, (unsigned char[215]){ 0 }, 215);
	v2_end(&h);
	ok(refused_at(h.b, h.n, 15), "v2 refused: UNIX with 215 bytes");
	v2_start(&h, 0x20, 0x00);
	h.b[14] = (PROXYHDR_V2_MAX - 16 + 1) >> 8;
	h.b[15] = (PROXYHDR_V2_MAX - 16 + 1) & 0xff;
	ok(refused_at(h.b, h.n, 15), "v2 refused: a length over the bound "
	    "(4097 bytes in all), once it is in");
	is_str(reason(h.b, 16), "PROXY v2 header longer than 4096 bytes",
	    "... saying so");
	h.b[14] = h.b[15] = 0xff;
	ok(refused_at(h.b, h.n, 15), "v2 refused: length 65535");

	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_tlv_str(&h, PP2_TYPE_ALPN, "gemini");
	v2_tlv_str(&h, PP2_TYPE_AUTHORITY, "example.org");
	v2_end(&h);
	h.n -= 1;
	v2_end(&h);
	ok(refused_at(h.b, h.n, 28 + 9 + 2), "v2 refused: a TLV overrunning "
	    "the length, once its head is in");
	is_str(reason(h.b, h.n), "PROXY v2 header with a TLV past its end",
	    "... saying so");
	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_put(&h, "\x04\0", 2);
	v2_end(&h);
	ok(refused_at(h.b, h.n, 15), "v2 refused: 2 bytes left for a TLV");
	v2_start(&h, 0x20, 0x00);
	v2_put(&h, "\x04", 1);
	v2_end(&h);
	ok(refused_at(h.b, h.n, 15), "v2 refused: LOCAL UNSPEC, 1 byte "
	    "left for a TLV");
	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_haproxy_tlvs(&h);
	v2_end_crc(&h);
	h.b[20] ^= 1;
	ok(refused_at(h.b, h.n, h.n - 1), "v2 refused: an address changed "
	    "under its CRC32C, once it is whole");
	is_str(reason(h.b, h.n), "PROXY v2 header with a wrong CRC32C",
	    "... saying so");
	h.b[20] ^= 1;
	h.b[h.n - 1] ^= 1;
	ok(refused_at(h.b, h.n, h.n - 1), "v2 refused: a wrong CRC32C");
	v2_start(&h, 0x21, 0x11);
	v2_tcp4(&h, "198.51.100.7", "10.0.0.2", 1, 2);
	v2_tlv(&h, PP2_TYPE_CRC32C, "\0\0\0\0\0", 5);
	v2_end(&h);
	ok(refused_at(h.b, h.n, 30), "v2 refused: a CRC32C of 5 bytes");
}

/* A TLS 1.3 ClientHello's first bytes, as a client without a proxy sends. */
static void
test_not_a_header(void)
{
	static const unsigned char	 hello[] = {
		0x16, 0x03, 0x01, 0x00, 0xf8, 0x01, 0x00, 0x00, 0xf4, 0x03,
		0x03
	};
	struct proxyhdr			 h;
	const char			*why = "x";

	ok(refused_at(hello, sizeof(hello), 0), "a TLS ClientHello: refused "
	    "on its first byte");
	is_str(reason(hello, 1), "not a PROXY protocol header",
	    "... saying so");
	ok(proxyhdr_parse(hello, 0, &h, &why) == PROXYHDR_NEED_MORE &&
	    why == NULL, "no byte yet: more wanted, no reason");
	ok(proxyhdr_parse(hello, 1, &h, NULL) == PROXYHDR_BAD,
	    "why may be NULL");
	ok(refused_at("\0", 1, 0), "a NUL: refused");
	ok(refused_at("\r\n\r\n\r", 5, 4), "CRLF CRLF CR: refused on the "
	    "fifth byte, where the signature has its NUL");
}

int
main(void)
{
	crc_init();
	ok(crc32c((const unsigned char *)"123456789", 9) == 0xe3069283u,
	    "the tests' CRC32C gives RFC 3720's check value");
	test_v1();
	test_v2_accepted();
	test_v2_refused();
	test_not_a_header();
	return done_testing();
}
