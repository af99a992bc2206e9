/* proxyhdr: the PROXY protocol header (HAProxy's, versions 1 and 2) a load balancer sends ahead of a connection. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "proxyhdr.h"

#define V1_PREFIX	"PROXY "
#define V1_PREFIX_LEN	(sizeof(V1_PREFIX) - 1)
#define V1_ADDR4_MAX	15	/* "255.255.255.255" */
#define V1_ADDR6_MAX	45	/* "ffff:...:ffff:255.255.255.255" */
#define V1_PORT_MAX	5

#define V2_SIG		"\r\n\r\n\0\r\nQUIT\n"
#define V2_SIG_LEN	12
#define V2_FIXED	16	/* signature, version/command, family, length */
#define V2_VERSION	0x2
#define V2_LOCAL	0x0
#define V2_PROXY	0x1
#define V2_TCP4		0x11
#define V2_TCP6		0x21
#define V2_TLV_HEAD	3	/* type, 16-bit length */
#define V2_TLV_CRC32C	0x03
#define CRC32C_POLY	0x82f63b78u	/* Castagnoli, reflected */

/* Where a version 1 line is read, and why it failed. */
struct v1 {
	const unsigned char	*b;
	size_t			 n;	/* at most PROXYHDR_V1_MAX */
	size_t			 at;
	const char		*why;
};

/* The field kinds of a TCP line, each with its characters and bound. */
enum v1_kind { V1_ADDR4, V1_ADDR6, V1_PORT };

static enum proxyhdr_result
bad(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return PROXYHDR_BAD;
}

static enum proxyhdr_result
v1_fail(struct v1 *v, const char *reason)
{
	v->why = reason;
	return PROXYHDR_BAD;
}

/* OK once s[0..len) is there, NEED_MORE while what is there agrees. */
static enum proxyhdr_result
v1_literal(struct v1 *v, const char *s, size_t len, const char *reason)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (v->at + i == v->n)
			return PROXYHDR_NEED_MORE;
		if (v->b[v->at + i] != (unsigned char)s[i])
			return v1_fail(v, reason);
	}
	v->at += len;
	return PROXYHDR_OK;
}

/* "TCP4 ", "TCP6 ", "UNKNOWN" (its delimiter is left to v1_unknown). */
static enum proxyhdr_result
v1_protocol(struct v1 *v, int *family)
{
	static const struct {
		const char	*word;
		int		 family;
	} protos[] = {
		{ "TCP4 ", AF_INET }, { "TCP6 ", AF_INET6 },
		{ "UNKNOWN", AF_UNSPEC }
	};
	size_t	 i, k, len, have = v->n - v->at;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		len = strlen(protos[i].word);
		for (k = 0; k < len && k < have; k++)
			if (v->b[v->at + k] != (unsigned char)protos[i].word[k])
				break;
		if (k < len && k < have)
			continue;
		if (k < len)
			return PROXYHDR_NEED_MORE;
		v->at += len;
		*family = protos[i].family;
		return PROXYHDR_OK;
	}
	return v1_fail(v, "PROXY line with a protocol other than TCP4, TCP6 "
	    "or UNKNOWN");
}

/*
 * "UNKNOWN" then CRLF at once, or a space and anything but CR or LF up
 * to the CRLF: the spec has the receiver ignore the rest of the line.
 */
static enum proxyhdr_result
v1_unknown(struct v1 *v)
{
	if (v->at == v->n)
		return PROXYHDR_NEED_MORE;
	if (v->b[v->at] == ' ')
		v->at++;
	else if (v->b[v->at] != '\r')
		return v1_fail(v, "PROXY UNKNOWN not followed by a space or "
		    "CRLF");
	for (; v->at < v->n; v->at++) {
		if (v->b[v->at] == '\n')
			return v1_fail(v, "PROXY line ends in LF without CR");
		if (v->b[v->at] == '\r')
			return v1_literal(v, "\r\n", 2,
			    "PROXY line with a CR not followed by LF");
	}
	return PROXYHDR_NEED_MORE;
}

static int
v1_char_fits(enum v1_kind kind, unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 1;
	if (kind == V1_ADDR4)
		return c == '.';
	if (kind == V1_ADDR6)
		return c == ':' || c == '.' || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
	return 0;
}

/* inet_pton would take "01.2.3.4" on some systems; the spec does not. */
static int
v1_addr4_leading_zero(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '0' && (i == 0 || s[i - 1] == '.') &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			return 1;
	return 0;
}

/* A whole field, NUL-terminated, into the family's address or a port. */
static int
v1_field_value(enum v1_kind kind, const char *s, void *addr, uint16_t *port)
{
	unsigned long	 p = 0;
	size_t		 i;

	if (kind == V1_ADDR4)
		return !v1_addr4_leading_zero(s) &&
		    inet_pton(AF_INET, s, addr) == 1;
	if (kind == V1_ADDR6)
		return inet_pton(AF_INET6, s, addr) == 1;
	if (s[0] == '0' && s[1] != '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		p = p * 10 + (unsigned long)(s[i] - '0');
	if (p > 65535)
		return 0;
	*port = (uint16_t)p;
	return 1;
}

/*
 * A field of the kind then its delimiter: BAD on the first byte that
 * cannot belong to it, so a wrong line is refused before its CRLF.
 */
static enum proxyhdr_result
v1_field(struct v1 *v, enum v1_kind kind, unsigned char delim, void *addr,
    uint16_t *port)
{
	static const size_t	 max[] = {
		[V1_ADDR4] = V1_ADDR4_MAX, [V1_ADDR6] = V1_ADDR6_MAX,
		[V1_PORT] = V1_PORT_MAX
	};
	static const char	*what[] = {
		[V1_ADDR4] = "PROXY line with a bad IPv4 address",
		[V1_ADDR6] = "PROXY line with a bad IPv6 address",
		[V1_PORT] = "PROXY line with a bad port"
	};
	char			 text[V1_ADDR6_MAX + 1];
	size_t			 len;
	unsigned char		 c;

	for (len = 0; v->at + len < v->n; len++) {
		c = v->b[v->at + len];
		if (c == delim)
			break;
		if (len == max[kind] || !v1_char_fits(kind, c))
			return v1_fail(v, what[kind]);
	}
	if (v->at + len == v->n)
		return PROXYHDR_NEED_MORE;
	if (len == 0)
		return v1_fail(v, what[kind]);
	memcpy(text, v->b + v->at, len);
	text[len] = '\0';
	if (!v1_field_value(kind, text, addr, port))
		return v1_fail(v, what[kind]);
	v->at += len + 1;
	return PROXYHDR_OK;
}

static void
set_addr(struct sockaddr_storage *ss, int family, const void *addr,
    uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		sin->sin_port = htons(port);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		sin6->sin6_port = htons(port);
	}
}

/* "SRC DST SPORT DPORT\r\n" after "PROXY TCP4 " or "PROXY TCP6 ". */
static enum proxyhdr_result
v1_tcp(struct v1 *v, int family, struct proxyhdr *h)
{
	unsigned char		 src[16], dst[16];
	uint16_t		 sport, dport;
	enum v1_kind		 kind = family == AF_INET ? V1_ADDR4 : V1_ADDR6;
	enum proxyhdr_result	 r;

	if ((r = v1_field(v, kind, ' ', src, NULL)) != PROXYHDR_OK ||
	    (r = v1_field(v, kind, ' ', dst, NULL)) != PROXYHDR_OK ||
	    (r = v1_field(v, V1_PORT, ' ', NULL, &sport)) != PROXYHDR_OK ||
	    (r = v1_field(v, V1_PORT, '\r', NULL, &dport)) != PROXYHDR_OK ||
	    (r = v1_literal(v, "\n", 1, "PROXY line with a CR not followed "
	    "by LF")) != PROXYHDR_OK)
		return r;
	set_addr(&h->src, family, src, sport);
	set_addr(&h->dst, family, dst, dport);
	return PROXYHDR_OK;
}

static enum proxyhdr_result
v1_parse(const unsigned char *b, size_t n, struct proxyhdr *out,
    const char **why)
{
	struct v1		 v = { b, n, 0, NULL };
	struct proxyhdr		 h;
	enum proxyhdr_result	 r;
	int			 family = AF_UNSPEC;

	if (v.n > PROXYHDR_V1_MAX)
		v.n = PROXYHDR_V1_MAX;
	memset(&h, 0, sizeof(h));
	if ((r = v1_literal(&v, V1_PREFIX, V1_PREFIX_LEN,
	    "not a PROXY protocol header")) == PROXYHDR_OK &&
	    (r = v1_protocol(&v, &family)) == PROXYHDR_OK)
		r = family == AF_UNSPEC ? v1_unknown(&v) :
		    v1_tcp(&v, family, &h);
	if (r == PROXYHDR_NEED_MORE && n >= PROXYHDR_V1_MAX)
		return bad(why, "PROXY line without CRLF in its first 107 "
		    "bytes");
	if (r == PROXYHDR_BAD)
		return bad(why, v.why);
	if (r == PROXYHDR_OK) {
		h.len = v.at;
		h.version = 1;
		h.local = family == AF_UNSPEC;
		*out = h;
	}
	return r;
}

/* The address block a version 2 family and protocol have; -1: undefined. */
static int
v2_addr_len(unsigned char fam)
{
	switch (fam) {
	case 0x00:		/* UNSPEC */
		return 0;
	case 0x11:		/* TCP over IPv4 */
	case 0x12:		/* UDP over IPv4 */
		return 12;
	case 0x21:		/* TCP over IPv6 */
	case 0x22:		/* UDP over IPv6 */
		return 36;
	case 0x31:		/* UNIX stream */
	case 0x32:		/* UNIX datagram */
		return 216;
	default:
		return -1;
	}
}

/* RFC 3720's CRC32C (iSCSI, SCTP), as HAProxy's PP2_TYPE_CRC32C holds it. */
static uint32_t
crc32c_update(uint32_t crc, const unsigned char *p, size_t len)
{
	size_t	 i;
	int	 k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (CRC32C_POLY & (0u - (crc & 1)));
	}
	return crc;
}

/* The header's CRC32C with the 4 bytes at value taken as zero. */
static uint32_t
v2_crc32c(const unsigned char *b, size_t total, size_t value)
{
	static const unsigned char	 zero[4];
	uint32_t			 crc = 0xffffffffu;

	crc = crc32c_update(crc, b, value);
	crc = crc32c_update(crc, zero, sizeof(zero));
	crc = crc32c_update(crc, b + value + 4, total - value - 4);
	return ~crc;
}

/*
 * The TLVs in b[from..total), those whose heads have come: each must end
 * by total, and a CRC32C, once all is there, must match.
 */
static enum proxyhdr_result
v2_tlvs(const unsigned char *b, size_t n, size_t from, size_t total,
    const char **why)
{
	uint32_t	 want;
	size_t		 at, len;

	for (at = from; at < total; at += V2_TLV_HEAD + len) {
		if (total - at < V2_TLV_HEAD)
			return bad(why, "PROXY v2 header with a TLV cut short");
		if (n < at + V2_TLV_HEAD)
			return PROXYHDR_NEED_MORE;
		len = (size_t)b[at + 1] << 8 | b[at + 2];
		if (len > total - at - V2_TLV_HEAD)
			return bad(why, "PROXY v2 header with a TLV past its "
			    "end");
		if (b[at] != V2_TLV_CRC32C)
			continue;
		if (len != 4)
			return bad(why, "PROXY v2 CRC32C TLV not 4 bytes");
		if (n < total)
			continue;
		want = (uint32_t)b[at + 3] << 24 | (uint32_t)b[at + 4] << 16 |
		    (uint32_t)b[at + 5] << 8 | b[at + 6];
		if (v2_crc32c(b, total, at + V2_TLV_HEAD) != want)
			return bad(why, "PROXY v2 header with a wrong CRC32C");
	}
	return n < total ? PROXYHDR_NEED_MORE : PROXYHDR_OK;
}

static void
v2_addresses(const unsigned char *b, unsigned char fam, struct proxyhdr *h)
{
	const unsigned char	*p = b + V2_FIXED;
	size_t			 alen = fam == V2_TCP4 ? 4 : 16;
	int			 family = fam == V2_TCP4 ? AF_INET : AF_INET6;

	set_addr(&h->src, family, p, (uint16_t)(p[2 * alen] << 8 |
	    p[2 * alen + 1]));
	set_addr(&h->dst, family, p + alen, (uint16_t)(p[2 * alen + 2] << 8 |
	    p[2 * alen + 3]));
}

static enum proxyhdr_result
v2_parse(const unsigned char *b, size_t n, struct proxyhdr *out,
    const char **why)
{
	struct proxyhdr		 h;
	enum proxyhdr_result	 r;
	size_t			 i, total, from;
	int			 cmd, alen;

	for (i = 0; i < V2_SIG_LEN; i++) {
		if (i == n)
			return PROXYHDR_NEED_MORE;
		if (b[i] != (unsigned char)V2_SIG[i])
			return bad(why, "not a PROXY protocol header");
	}
	if (n == V2_SIG_LEN)
		return PROXYHDR_NEED_MORE;
	if (b[12] >> 4 != V2_VERSION)
		return bad(why, "PROXY v2 header of another version");
	if ((cmd = b[12] & 0xf) != V2_LOCAL && cmd != V2_PROXY)
		return bad(why, "PROXY v2 header with an unknown command");
	if (n == 13)
		return PROXYHDR_NEED_MORE;
	alen = v2_addr_len(b[13]);
	if (cmd == V2_PROXY && alen == -1)
		return bad(why, "PROXY v2 header with an unknown family or "
		    "protocol");
	if (n < V2_FIXED)
		return PROXYHDR_NEED_MORE;
	total = V2_FIXED + ((size_t)b[14] << 8 | b[15]);
	if (total > PROXYHDR_V2_MAX)
		return bad(why, "PROXY v2 header longer than 4096 bytes");
	/* The spec ignores a LOCAL's family: only UNSPEC's TLVs are sure. */
	if (cmd == V2_LOCAL && b[13] != 0x00)
		from = total;
	else if (total - V2_FIXED < (size_t)alen)
		return bad(why, "PROXY v2 header too short for its addresses");
	else
		from = V2_FIXED + (size_t)alen;
	if ((r = v2_tlvs(b, n, from, total, why)) != PROXYHDR_OK)
		return r;
	memset(&h, 0, sizeof(h));
	h.len = total;
	h.version = 2;
	if (cmd == V2_PROXY && (b[13] == V2_TCP4 || b[13] == V2_TCP6))
		v2_addresses(b, b[13], &h);
	else
		h.local = 1;
	*out = h;
	return PROXYHDR_OK;
}

enum proxyhdr_result
proxyhdr_parse(const unsigned char *b, size_t n, struct proxyhdr *out,
    const char **why)
{
	if (why != NULL)
		*why = NULL;
	if (n == 0)
		return PROXYHDR_NEED_MORE;
	if (b[0] == (unsigned char)V1_PREFIX[0])
		return v1_parse(b, n, out, why);
	if (b[0] == (unsigned char)V2_SIG[0])
		return v2_parse(b, n, out, why);
	return bad(why, "not a PROXY protocol header");
}
