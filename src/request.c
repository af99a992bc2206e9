/* request: parse and validate a Gemini request line into URL parts (no I/O). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "path.h"
#include "request.h"

/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * A request is text, and a byte sequence that is not UTF-8 is not a URL.
 */
int
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	unsigned int		 cp;
	int			 n, i;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		if (end - p <= n)
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int
has_forbidden_byte(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\')
			return 1;
	}
	return 0;
}

/* RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static size_t
scheme_length(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] == ':')
			return i;
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	}
	return 0;
}

static int
valid_reg_name(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || isalnum(c))
			continue;
		if (strchr("-._~!$&'()*+,;=", c) == NULL || c == '\0')
			return 0;
	}
	return 1;
}

/*
 * RFC 3986 allows pct-encoded bytes in a reg-name, and the WHATWG URL
 * standard decodes them before it looks at the host: "%6cocalhost" is
 * localhost.  The decoded name goes to host_buf, so that route.c compares
 * names and not spellings; it must still be a reg-name (no '%', '/', ':',
 * '@' or control byte came out of an escape) and UTF-8.
 */
static const char *
decode_host(const char *s, size_t len, struct request *r)
{
	size_t	 i, n = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (n == sizeof(r->host_buf) - 1)
			return "host longer than 255 bytes";
		if (s[i] != '%') {
			r->host_buf[n++] = s[i];
			continue;
		}
		if (len - i < 3 || (hi = path_hex_value(s[i + 1])) == -1 ||
		    (lo = path_hex_value(s[i + 2])) == -1)
			return "invalid host";
		r->host_buf[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	r->host_buf[n] = '\0';
	r->host = r->host_buf;
	r->host_len = n;
	if (!valid_reg_name(r->host, n) || !utf8_valid(r->host, n))
		return "invalid host";
	return NULL;
}

static int
valid_ip_literal(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' &&
		    s[i] != '.')
			return 0;
	return len > 0;
}

/*
 * RFC 3986: port = *DIGIT, so "019940" is port 19940, however many zeros
 * lead.  The value stops growing once past 65535: no run of digits can
 * overflow it.
 */
static int
parse_port(const char *s, size_t len, int *port)
{
	size_t	 i;
	long	 v = 0;

	if (len == 0) {		/* "host:" means the default port */
		*port = -1;
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (v <= 65535)
			v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* authority = host [ ":" port ], with userinfo refused. */
static const char *
parse_authority(const char *s, size_t len, struct request *r)
{
	const char	*colon, *why;
	size_t		 hostlen;

	if (memchr(s, '@', len) != NULL)
		return "userinfo is not allowed in a request";
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close == NULL)
			return "unterminated IPv6 literal";
		r->host = s + 1;
		r->host_len = (size_t)(close - s) - 1;
		if (!valid_ip_literal(r->host, r->host_len))
			return "invalid IPv6 literal";
		colon = close + 1;
		if (colon < s + len && *colon != ':')
			return "invalid authority";
	} else {
		if ((colon = memchr(s, ':', len)) == NULL)
			colon = s + len;
		hostlen = (size_t)(colon - s);
		r->host = s;
		r->host_len = hostlen;
		if (memchr(s, '%', hostlen) != NULL) {
			if ((why = decode_host(s, hostlen, r)) != NULL)
				return why;
		} else if (!valid_reg_name(r->host, r->host_len))
			return "invalid host";
	}
	if (r->host_len == 0)
		return "missing host";
	r->port = -1;
	if (colon < s + len && parse_port(colon + 1,
	    (size_t)(s + len - colon - 1), &r->port) == -1)
		return "invalid port";
	return NULL;
}

enum request_verdict
request_parse(const char *line, size_t len, struct request *r,
    const char **why)
{
	const char	*p, *end, *auth, *q;
	size_t		 n = 0;
	int		 titan;

	memset(r, 0, sizeof(*r));
	r->port = -1;
	*why = NULL;
	if (len == 0)
		*why = "empty request";
	else if (len > REQUEST_MAX)
		*why = "request longer than 1024 bytes";
	else if (!utf8_valid(line, len))
		*why = "request is not valid UTF-8";
	else if (has_forbidden_byte(line, len))
		*why = "control character, space or backslash in request";
	else if ((n = scheme_length(line, len)) == 0)
		*why = "not an absolute URL";
	if (*why != NULL)
		return REQ_BAD;

	r->scheme = line;
	r->scheme_len = n;
	titan = n == 5 && strncasecmp(line, "titan", 5) == 0;
	if (!titan && (n != 6 || strncasecmp(line, "gemini", 6) != 0)) {
		*why = "proxy requests are refused";
		return REQ_PROXY;
	}
	p = line + n + 1;
	end = line + len;
	if (memchr(p, '#', (size_t)(end - p)) != NULL) {
		*why = "fragment is not allowed in a request";
		return REQ_BAD;
	}
	if (end - p < 2 || p[0] != '/' || p[1] != '/') {
		*why = titan ? "titan URL without a host" :
		    "gemini URL without a host";
		return REQ_BAD;
	}
	auth = p + 2;
	for (q = auth; q < end && *q != '/' && *q != '?'; q++)
		;
	if ((*why = parse_authority(auth, (size_t)(q - auth), r)) != NULL)
		return REQ_BAD;
	r->path = q;
	while (q < end && *q != '?')
		q++;
	r->path_len = (size_t)(q - r->path);
	if (q < end) {
		r->query = q + 1;
		r->query_len = (size_t)(end - q - 1);
	}
	return titan ? REQ_TITAN : REQ_OK;
}
