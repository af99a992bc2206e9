/* fuzz_request: libFuzzer harness for request_parse and utf8_valid (src/request.c) with invariant checks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "request.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_request.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

/* Second byte ranges of well-formed UTF-8 (Unicode 15, table 3-7). */
static int
ref_utf8_lead(unsigned char c, int *n, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		*n = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		*n = 2;
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		*n = 3;
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
	} else
		return 0;
	return 1;
}

/* An independent strict UTF-8 check to compare utf8_valid against. */
static int
ref_utf8(const unsigned char *s, size_t len)
{
	size_t		 i = 0;
	int		 n, k;
	unsigned char	 lo, hi;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (!ref_utf8_lead(s[i], &n, &lo, &hi) || len - i <= (size_t)n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += (size_t)n + 1;
	}
	return 1;
}

static int
within(const uint8_t *data, size_t size, const char *p, size_t len)
{
	uintptr_t	 b = (uintptr_t)data, q = (uintptr_t)p;

	return p != NULL && q >= b && q <= b + size && len <= b + size - q;
}

static int
has_any(const char *s, size_t len, const char *set)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (strchr(set, s[i]) != NULL || s[i] == '\0')
			return 1;
	return 0;
}

/* What lies between the host (or its ']') and the path: "", ":" or ":digits" naming r->port. */
static void
check_port_text(const char *s, size_t len, int port)
{
	size_t	 i;
	long	 v = 0;

	if (len == 0) {
		CHECK(port == -1);
		return;
	}
	CHECK(s[0] == ':');
	for (i = 1; i < len; i++) {
		CHECK(s[i] >= '0' && s[i] <= '9');
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			v = 65536;	/* any number of leading zeros, no overflow */
	}
	CHECK(port == (len == 1 ? -1 : (int)v));
}

static int
ref_hex(char c)
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*p;

	if (c >= 'A' && c <= 'F')
		c = (char)(c - 'A' + 'a');
	p = c != '\0' ? strchr(digits, c) : NULL;
	return p != NULL ? (int)(p - digits) : -1;
}

/*
 * A host with '%' in the line: r->host is the decoding, in host_buf, of
 * the text from line + 9 up to the port or the path.  Returns that text's end.
 */
static const char *
check_decoded_host(const char *line, const struct request *r)
{
	const char	*raw = line + 9, *rawend;
	char		 want[sizeof(r->host_buf)];
	size_t		 i, n = 0;

	CHECK(r->host == r->host_buf && r->host_len < sizeof(r->host_buf));
	CHECK(r->host_buf[r->host_len] == '\0');
	CHECK(raw[0] != '[');
	for (rawend = raw; rawend < r->path && *rawend != ':'; rawend++)
		;
	CHECK(memchr(raw, '%', (size_t)(rawend - raw)) != NULL);
	for (i = 0; raw + i < rawend; i++) {
		CHECK(n < sizeof(want));
		if (raw[i] != '%') {
			want[n++] = raw[i];
			continue;
		}
		CHECK(raw + i + 2 < rawend && ref_hex(raw[i + 1]) != -1 &&
		    ref_hex(raw[i + 2]) != -1);
		want[n++] = (char)(ref_hex(raw[i + 1]) << 4 | ref_hex(raw[i + 2]));
		i += 2;
	}
	CHECK(n == r->host_len && memcmp(want, r->host, n) == 0);
	CHECK(!has_any(r->host, r->host_len, "%:/?#@[]<>\"\\^`{|} "));
	for (i = 0; i < n; i++)
		CHECK((unsigned char)r->host[i] > 0x20 &&
		    (unsigned char)r->host[i] != 0x7f);
	CHECK(ref_utf8((const unsigned char *)r->host, n));
	return rawend;
}

static void
check_ok(const uint8_t *data, size_t size, const struct request *r)
{
	const char	*line = (const char *)data, *end = line + size;
	const char	*hostend;

	CHECK(size > 0 && size <= REQUEST_MAX);
	CHECK(ref_utf8(data, size));
	CHECK(!has_any(line, size, " \\#\x7f\x01\x02\x03\x04\x05\x06\x07"
	    "\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
	    "\x1a\x1b\x1c\x1d\x1e\x1f"));
	CHECK(r->scheme == line && r->scheme_len == 6);
	CHECK(strncasecmp(line, "gemini://", 9) == 0);
	CHECK(r->host_len > 0);
	CHECK(!has_any(r->host, r->host_len, "/?#@[]"));
	CHECK(r->port == -1 || (r->port >= 1 && r->port <= 65535));
	CHECK(within(data, size, r->path, r->path_len));
	CHECK(r->path_len == 0 || r->path[0] == '/');
	CHECK(memchr(r->path, '?', r->path_len) == NULL);
	if (r->host == r->host_buf)
		hostend = check_decoded_host(line, r);
	else {
		CHECK(within(data, size, r->host, r->host_len));
		CHECK(memchr(r->host, '%', r->host_len) == NULL);
		CHECK(r->host >= line + 9 && r->host + r->host_len <= r->path);
		hostend = r->host + r->host_len;
		if (r->host == line + 10) {	/* an IP literal */
			CHECK(line[9] == '[' && *hostend == ']');
			hostend++;
		} else
			CHECK(r->host == line + 9);
	}
	check_port_text(hostend, (size_t)(r->path - hostend), r->port);
	if (r->query == NULL) {
		CHECK(r->query_len == 0);
		CHECK(r->path + r->path_len == end);
	} else {
		CHECK(within(data, size, r->query, r->query_len));
		CHECK(r->query == r->path + r->path_len + 1);
		CHECK(r->query[-1] == '?');
		CHECK(r->query + r->query_len == end);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request		 r;
	enum request_verdict	 v;
	const char		*why = "unset";

	CHECK(utf8_valid((const char *)data, size) == ref_utf8(data, size));
	v = request_parse((const char *)data, size, &r, &why);
	switch (v) {
	case REQ_OK:
		CHECK(why == NULL);
		check_ok(data, size, &r);
		break;
	case REQ_PROXY:
		CHECK(why != NULL && why[0] != '\0');
		CHECK(r.scheme == (const char *)data && r.scheme_len > 0);
		CHECK(r.scheme_len < size && data[r.scheme_len] == ':');
		CHECK(r.scheme_len != 6 ||
		    strncasecmp(r.scheme, "gemini", 6) != 0);
		CHECK(r.scheme_len != 5 ||
		    strncasecmp(r.scheme, "titan", 5) != 0);
		CHECK(size <= REQUEST_MAX && ref_utf8(data, size));
		break;
	case REQ_TITAN:
		CHECK(why == NULL);
		CHECK(size <= REQUEST_MAX && ref_utf8(data, size));
		CHECK(r.scheme_len == 5 && strncasecmp(r.scheme, "titan", 5) ==
		    0 && r.host_len > 0);
		CHECK(within(data, size, r.path, r.path_len));
		break;
	case REQ_BAD:
		CHECK(why != NULL && why[0] != '\0');
		break;
	default:
		CHECK(!"verdict out of range");
	}
	return 0;
}
