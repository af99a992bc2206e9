/* test_fastcgi: FastCGI records byte for byte, the decoder fed in every split, the Gemini header check, the parameter set and the fastcgi options (src/fastcgi.c, src/options.c, src/location.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "conffile.h"
#include "config.h"
#include "fastcgi.h"
#include "location.h"
#include "tap.h"

#define BEGIN	"\x01\x01\x00\x01\x00\x08\x00\x00" "\x00\x01\x00\x00\x00\x00\x00\x00"
#define TAIL	"\x01\x04\x00\x01\x00\x00\x00\x00" "\x01\x05\x00\x01\x00\x00\x00\x00"

/* ---- a record builder and a PARAMS reader of the tests' own ---- */

static void
rec(struct buf *b, int type, int id, const void *content, size_t len,
    size_t pad)
{
	unsigned char	 h[8] = { 1, (unsigned char)type, (unsigned char)(id >> 8),
	    (unsigned char)id, (unsigned char)(len >> 8), (unsigned char)len,
	    (unsigned char)pad, 0 };
	static const char	 junk[256] = "padding bytes are anything";

	buf_append(b, h, 8);
	buf_append(b, content, len);
	buf_append(b, junk, pad);
}

static void
end_rec(struct buf *b, uint32_t app, int proto, size_t pad)
{
	unsigned char	 e[8] = { (unsigned char)(app >> 24),
	    (unsigned char)(app >> 16), (unsigned char)(app >> 8),
	    (unsigned char)app, (unsigned char)proto, 0, 0, 0 };

	rec(b, 3, 1, e, 8, pad);
}

static size_t
get_len(const unsigned char *p, size_t *at)
{
	size_t	 n = p[*at];

	if (n < 128) {
		*at += 1;
		return n;
	}
	n = (size_t)(p[*at] & 0x7f) << 24 | (size_t)p[*at + 1] << 16 |
	    (size_t)p[*at + 2] << 8 | p[*at + 3];
	*at += 4;
	return n;
}

/*
 * Checks b as one request (BEGIN, PARAMS..., empty PARAMS, empty STDIN,
 * every record padded to 8 and at most 65535 long) and puts the PARAMS
 * stream in out: 0, or -1.
 */
static int
read_request(const struct buf *b, struct buf *out)
{
	const unsigned char	*p = (const unsigned char *)b->data;
	size_t			 at = 16, len, pad;

	if (b->len < 32 || memcmp(p, BEGIN, 16) != 0)
		return -1;
	for (;;) {
		if (at + 8 > b->len || p[at] != 1 || p[at + 2] != 0 ||
		    p[at + 3] != 1)
			return -1;
		len = (size_t)p[at + 4] << 8 | p[at + 5];
		pad = p[at + 6];
		if ((len + pad) % 8 != 0 || pad > 7 ||
		    at + 8 + len + pad > b->len)
			return -1;
		if (p[at + 1] != 4)
			break;
		if (len == 0) {
			at += 8;
			break;
		}
		buf_append(out, p + at + 8, len);
		at += 8 + len + pad;
	}
	return at + 8 == b->len && memcmp(p + at, &TAIL[8], 8) == 0 ? 0 : -1;
}

/* The value of name in a PARAMS stream, into val (NUL-terminated), or -1. */
static long
stream_value(const struct buf *s, const char *name, char *val, size_t valsz)
{
	const unsigned char	*p = (const unsigned char *)s->data;
	size_t			 at = 0, nl, vl;

	while (at < s->len) {
		nl = get_len(p, &at);
		vl = get_len(p, &at);
		if (nl == strlen(name) && memcmp(p + at, name, nl) == 0) {
			if (vl >= valsz)
				return -1;
			memcpy(val, p + at + nl, vl);
			val[vl] = '\0';
			return (long)vl;
		}
		at += nl + vl;
	}
	return -1;
}

/* ---- encoder ---- */

static void
test_encode_small(void)
{
	struct fastcgi_pair	 pr[] = { { "A", "b", 1 },
				    { "GATEWAY_INTERFACE", "CGI/1.1", 7 } };
	struct buf		 b;

	buf_init(&b);
	ok(fastcgi_encode_request(&b, pr, 1) == 0, "encode one pair");
	is_int(b.len, 48, "BEGIN 16 + PARAMS 8+4+4 + empty PARAMS + STDIN");
	ok(b.len == 48 && memcmp(b.data, BEGIN
	    "\x01\x04\x00\x01\x00\x04\x04\x00" "\x01\x01" "Ab" "\0\0\0\0"
	    TAIL, 48) == 0, "one pair, byte for byte");
	buf_reset(&b);
	ok(fastcgi_encode_request(&b, pr, 0) == 0 && b.len == 32 &&
	    memcmp(b.data, BEGIN TAIL, 32) == 0, "no pairs: BEGIN, end of "
	    "PARAMS, STDIN");
	buf_reset(&b);
	ok(fastcgi_encode_request(&b, pr, 2) == 0 && b.len == 72 &&
	    memcmp(b.data + 16, "\x01\x04\x00\x01\x00\x1e\x02\x00"
	    "\x01\x01" "Ab" "\x11\x07" "GATEWAY_INTERFACE" "CGI/1.1"
	    "\0\0", 40) == 0, "two pairs share a record");
	buf_free(&b);
}

static void
test_encode_long(void)
{
	char			 name[200], *val;
	struct fastcgi_pair	 pr[2];
	struct buf		 b, s;
	const unsigned char	*p;
	char			 got[256];

	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	val = malloc(70000);
	memset(val, 'v', 70000);
	buf_init(&b);
	buf_init(&s);
	pr[0] = (struct fastcgi_pair){ "N", val, 200 };
	ok(fastcgi_encode_request(&b, pr, 1) == 0, "a 200-byte value");
	p = (const unsigned char *)b.data;
	/* 1 + 4 + 1 + 200 = 206 bytes: padded with 2 */
	ok(b.len == 16 + 8 + 208 + 16 && memcmp(p + 16,
	    "\x01\x04\x00\x01\x00\xce\x02\x00" "\x01\x80\x00\x00\xc8" "N",
	    14) == 0 && p[16 + 8 + 6] == 'v' && p[16 + 8 + 205] == 'v' &&
	    p[16 + 8 + 206] == 0 && p[16 + 8 + 207] == 0,
	    "a value over 127 bytes has a 4-byte length, high bit set");
	buf_reset(&b);
	pr[0] = (struct fastcgi_pair){ name, "x", 1 };
	ok(fastcgi_encode_request(&b, pr, 1) == 0 && memcmp(b.data + 24,
	    "\x80\x00\x00\xc7\x01", 5) == 0, "so has a name of 199 bytes");
	buf_reset(&b);
	pr[0] = (struct fastcgi_pair){ "BIG", val, 70000 };
	pr[1] = (struct fastcgi_pair){ "AFTER", "yes", 3 };
	ok(fastcgi_encode_request(&b, pr, 2) == 0, "a 70000-byte value");
	p = (const unsigned char *)b.data;
	/* stream: 1+4+3+70000 + 1+1+5+3 = 70018 = 65535 + 4483 */
	ok(memcmp(p + 16, "\x01\x04\x00\x01\xff\xff\x01\x00", 8) == 0,
	    "first PARAMS record: 65535 bytes, padding 1");
	ok(memcmp(p + 16 + 8 + 65536, "\x01\x04\x00\x01\x11\x83\x05\x00",
	    8) == 0, "second: the other 4483, padding 5");
	ok(read_request(&b, &s) == 0 && s.len == 70018,
	    "records well formed, the stream whole");
	ok(stream_value(&s, "AFTER", got, sizeof(got)) == 3 &&
	    strcmp(got, "yes") == 0, "the pair after the long one survives "
	    "the cut");
	buf_free(&b);
	buf_free(&s);
	free(val);
}

/* ---- decoder ---- */

struct decoded {
	struct buf	 out, err;
	int		 events[8];	/* how many of each */
	uint32_t	 app;
	int		 proto;
	const char	*why;
	int		 outside;	/* a slice not inside the input */
};

/* Feeds in[0..len) in pieces of 'step' bytes (0: whole). */
static enum fastcgi_event
feed(const char *in, size_t len, size_t step, struct decoded *r)
{
	struct fastcgi_decoder	 d;
	enum fastcgi_event	 ev = FASTCGI_MORE;
	const char		*data, *piece;
	size_t			 at = 0, n, used, dlen;

	memset(r, 0, sizeof(*r));
	buf_init(&r->out);
	buf_init(&r->err);
	fastcgi_decoder_init(&d);
	while (at < len) {
		n = step == 0 || len - at < step ? len - at : step;
		piece = in + at;
		while (n > 0) {
			ev = fastcgi_decode(&d, piece, n, &used, &data, &dlen);
			r->events[ev]++;
			if (used > n || (dlen > 0 && (data < piece ||
			    data + dlen > piece + used)))
				r->outside = 1;
			if (ev == FASTCGI_STDOUT)
				buf_append(&r->out, data, dlen);
			if (ev == FASTCGI_STDERR)
				buf_append(&r->err, data, dlen);
			piece += used;
			n -= used;
			at += used;
			if (ev == FASTCGI_END || ev == FASTCGI_ERROR)
				goto done;
		}
	}
done:
	r->app = d.app_status;
	r->proto = d.protocol_status;
	r->why = ev == FASTCGI_END ? NULL : fastcgi_decoder_eof(&d);
	return ev;
}

static void
decoded_free(struct decoded *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

static void
app_output(struct buf *b)
{
	static const char	 body[] = "20 text/gemini\r\n# Hello\n";

	rec(b, 6, 1, body, 10, 6);
	rec(b, 10, 0, "\x0e\x01" "FCGI_MAX_CONNSx", 17, 7);	/* management */
	rec(b, 7, 1, "warning: x\n", 11, 0);
	rec(b, 11, 1, "\0\0\0\0\0\0\0\0", 8, 0);	/* unknown type */
	rec(b, 6, 1, body + 10, sizeof(body) - 11, 255);
	rec(b, 6, 1, "", 0, 0);	/* the end of STDOUT */
	end_rec(b, 0x01020304, 0, 8);
}

static void
test_decode_splits(void)
{
	static const size_t	 steps[] = { 0, 1, 2, 3, 5, 7, 8, 9, 13, 64 };
	struct buf		 b;
	struct decoded		 r;
	size_t			 i;

	buf_init(&b);
	app_output(&b);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum fastcgi_event ev = feed(b.data, b.len, steps[i], &r);
		int good = ev == FASTCGI_END && r.why == NULL &&
		    r.out.len == 24 && memcmp(r.out.data,
		    "20 text/gemini\r\n# Hello\n", 24) == 0 &&
		    r.err.len == 11 && memcmp(r.err.data, "warning: x\n",
		    11) == 0 && r.app == 0x01020304 && r.proto == 0 &&
		    !r.outside;
		ok(good, "records fed %zu bytes at a time: STDOUT, STDERR, "
		    "END, padding and foreign records skipped", steps[i]);
		if (steps[i] == 0)
			is_int(r.events[FASTCGI_STDOUT], 2, "whole: one STDOUT "
			    "event per record, not per byte");
		decoded_free(&r);
	}
	buf_free(&b);
}

static void
test_decode_final(void)
{
	struct fastcgi_decoder	 d;
	struct buf		 b;
	const char		*data;
	size_t			 used, dlen;

	buf_init(&b);
	end_rec(&b, 7, 2, 0);
	rec(&b, 6, 1, "late", 4, 4);
	fastcgi_decoder_init(&d);
	ok(fastcgi_decode(&d, b.data, b.len, &used, &data, &dlen) ==
	    FASTCGI_END && used == 16 && d.app_status == 7 &&
	    d.protocol_status == 2, "END_REQUEST ends it, app and protocol "
	    "status read");
	ok(fastcgi_decode(&d, b.data + used, b.len - used, &used, &data,
	    &dlen) == FASTCGI_END && used == 0, "and stays: later bytes are "
	    "not taken");
	is_str(fastcgi_protocol_status_str(2), "overloaded", "protocol status "
	    "2 in words");
	ok(fastcgi_decoder_eof(&d) == NULL, "closing after END is fine");
	fastcgi_decoder_init(&d);
	ok(fastcgi_decode(&d, "", 0, &used, &data, &dlen) == FASTCGI_MORE &&
	    used == 0, "nothing given: MORE");
	buf_free(&b);
}

static void
bad_stream(const char *in, size_t len, const char *why, const char *name)
{
	struct decoded	 r, r1;
	enum fastcgi_event ev = feed(in, len, 0, &r);
	enum fastcgi_event ev1 = feed(in, len, 1, &r1);

	ok(ev == FASTCGI_ERROR && ev1 == FASTCGI_ERROR && r.why != NULL &&
	    strstr(r.why, why) != NULL && r1.why != NULL &&
	    strcmp(r.why, r1.why) == 0, "%s: %s", name, why);
	decoded_free(&r);
	decoded_free(&r1);
}

static void
test_decode_malformed(void)
{
	struct decoded	 r;
	struct buf	 b;

	bad_stream("\x02\x06\x00\x01\x00\x00\x00\x00", 8, "version",
	    "version 2");
	bad_stream("\x01\x06\x00\x02\x00\x01\x00\x00x", 9, "another request",
	    "request id 2");
	bad_stream("\x01\x03\x00\x01\x00\x04\x00\x00\0\0\0\0", 12,
	    "wrong length", "END_REQUEST of 4 bytes");
	bad_stream("HTTP/1.1 200 OK\r\n", 17, "version", "HTTP, not FastCGI");
	ok(feed("\x01\x06\x00\x01\x00\x10\x00\x00" "20 x\r\n", 14, 0, &r) ==
	    FASTCGI_STDOUT && r.why != NULL && strstr(r.why, "middle") != NULL &&
	    r.out.len == 6, "a record cut short: its bytes so far, then EOF "
	    "says 'in the middle of a record'");
	decoded_free(&r);
	ok(feed("\x01\x06\x00\x01", 4, 1, &r) == FASTCGI_MORE &&
	    strstr(r.why, "middle") != NULL, "so does half a header");
	decoded_free(&r);
	buf_init(&b);
	rec(&b, 6, 1, "20 x\r\n", 6, 2);
	ok(feed(b.data, b.len, 3, &r) == FASTCGI_MORE && r.why != NULL &&
	    strstr(r.why, "without END_REQUEST") != NULL, "whole records, "
	    "then EOF: 'closed without END_REQUEST'");
	decoded_free(&r);
	buf_free(&b);
}

/* ---- Gemini header ---- */

struct head_case {
	const char	*in;
	enum fastcgi_header_verdict v;
	int		 status;
	const char	*meta;
	size_t		 used;
};

/* The first bytes of s for a test's name, CR and LF as \r and \n. */
static void
printable(const char *s, char *out, size_t outsz)
{
	size_t	 n = 0;

	for (; *s != '\0' && n + 3 < outsz; s++) {
		if (*s == '\r' || *s == '\n') {
			out[n++] = '\\';
			out[n++] = *s == '\r' ? 'r' : 'n';
		} else
			out[n++] = (unsigned char)*s < 0x20 ||
			    (unsigned char)*s >= 0x7f ? '?' : *s;
	}
	out[n] = '\0';
}

static void
head_whole_and_bytes(const char *in, size_t len,
    const struct head_case *c)
{
	struct fastcgi_head		 h, h1;
	enum fastcgi_header_verdict	 v, v1 = FASTCGI_HEADER_MORE;
	size_t				 used, u, total = 0;
	char				 name[48];

	fastcgi_head_init(&h);
	v = fastcgi_head_feed(&h, in, len, &used);
	fastcgi_head_init(&h1);
	while (total < len && v1 == FASTCGI_HEADER_MORE) {
		v1 = fastcgi_head_feed(&h1, in + total, 1, &u);
		total += u;
	}
	printable(c->in, name, sizeof(name));
	ok(v == c->v && v1 == v && (v != FASTCGI_HEADER_OK ||
	    (h.status == c->status && used == c->used && total == used &&
	    h.meta_len == strlen(c->meta) &&
	    memcmp(h.buf + 3, c->meta, h.meta_len) == 0 && h.len == used &&
	    memcmp(h.buf, in, used) == 0)) && (v != FASTCGI_HEADER_BAD ||
	    (h.why != NULL && h1.why != NULL)),
	    "header '%s': %s", name, v == FASTCGI_HEADER_OK ? "ok" :
	    v == FASTCGI_HEADER_BAD ? h.why : "more");
}

static void
test_header(void)
{
	static const struct head_case cases[] = {
		{ "20 text/gemini\r\n# body", FASTCGI_HEADER_OK, 20,
		    "text/gemini", 16 },
		{ "20 text/gemini; lang=fr\r\n", FASTCGI_HEADER_OK, 20,
		    "text/gemini; lang=fr", 25 },
		{ "10 Your name?\r\n", FASTCGI_HEADER_OK, 10, "Your name?",
		    15 },
		{ "31 /elsewhere\r\n", FASTCGI_HEADER_OK, 31, "/elsewhere", 15 },
		{ "20\r\n", FASTCGI_HEADER_OK, 20, "", 4 },
		{ "20 \r\n", FASTCGI_HEADER_OK, 20, "", 5 },
		{ "51\r\nno body", FASTCGI_HEADER_OK, 51, "", 4 },
		{ "69 x\r\n", FASTCGI_HEADER_OK, 69, "x", 6 },
		{ "42 caf\xc3\xa9\r\n", FASTCGI_HEADER_OK, 42, "caf\xc3\xa9", 10 },
		{ "30\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "30 \r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "09 x\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "70 x\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "2 x\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "200 OK\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "20 x\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "20 x\rx\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "20 a\tb\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "20 \xff\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "20 \xc3\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "Status: 500 Internal Server Error\r\n", FASTCGI_HEADER_BAD,
		    0, "", 0 },
		{ "\r\n", FASTCGI_HEADER_BAD, 0, "", 0 },
		{ "", FASTCGI_HEADER_MORE, 0, "", 0 },
		{ "2", FASTCGI_HEADER_MORE, 0, "", 0 },
		{ "20 text/gem", FASTCGI_HEADER_MORE, 0, "", 0 },
		{ "20 text/gemini\r", FASTCGI_HEADER_MORE, 0, "", 0 },
	};
	struct fastcgi_head	 h;
	char			 big[3 + 1025 + 3];
	size_t			 i, used;
	struct head_case	 c = { "20 <1024 bytes>", FASTCGI_HEADER_OK, 20,
				    NULL, 1029 };

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		head_whole_and_bytes(cases[i].in, strlen(cases[i].in),
		    &cases[i]);
	memcpy(big, "20 ", 3);
	memset(big + 3, 'm', 1024);
	memcpy(big + 1027, "\r\nX", 4);
	big[1027] = '\0';
	c.meta = strdup(big + 3);
	big[1027] = '\r';
	head_whole_and_bytes(big, 1030, &c);
	free((char *)c.meta);
	memset(big + 3, 'm', 1025);
	memcpy(big + 1028, "\r\n", 3);
	c = (struct head_case){ "20 <1025 bytes>", FASTCGI_HEADER_BAD, 0, "",
	    0 };
	head_whole_and_bytes(big, 1030, &c);
	fastcgi_head_init(&h);
	ok(fastcgi_head_feed(&h, "Status: 403", 11, &used) ==
	    FASTCGI_HEADER_BAD && used == 0, "BAD on the first byte that "
	    "cannot begin a header, none taken");
	ok(fastcgi_head_feed(&h, "20 x\r\n", 6, &used) == FASTCGI_HEADER_BAD &&
	    used == 0, "BAD is final");
	fastcgi_head_init(&h);
	ok(fastcgi_head_feed(&h, "20 x\r\nbody", 10, &used) ==
	    FASTCGI_HEADER_OK && used == 6 && fastcgi_head_feed(&h, "more", 4,
	    &used) == FASTCGI_HEADER_OK && used == 0, "OK is final, the body "
	    "is not taken");
}

/* ---- parameters ---- */

static struct fastcgi_request
request(const char *url, const char *path, const char *query)
{
	struct fastcgi_request	 q;

	memset(&q, 0, sizeof(q));
	q.url = url;
	q.url_len = strlen(url);
	q.path = path;
	q.query = query;
	q.query_len = query != NULL ? strlen(query) : 0;
	q.server_name = "example.org";
	q.server_name_len = 11;
	q.server_port = 1965;
	q.document_root = "/srv/capsule/";
	q.remote_addr = "192.0.2.7";
	q.software = "almanac/0.1.0";
	q.tls_version = "TLSv1.3";
	q.tls_cipher = "TLS_AES_128_GCM_SHA256";
	return q;
}

/* "NAME=value\n" for each pair, in order. */
static void
listing(const struct fastcgi_params *p, struct buf *b)
{
	size_t	 i;

	buf_reset(b);
	for (i = 0; i < p->n; i++)
		buf_printf(b, "%s=%.*s\n", p->pairs[i].name,
		    (int)p->pairs[i].value_len, p->pairs[i].value);
	buf_putc(b, '\0');
}

static void
test_params_plain(void)
{
	static struct fastcgi_params	 p;
	struct fastcgi_request		 q = request(
	    "gemini://example.org/app/search?caf%C3%A9%20au%20lait",
	    "/app/search", "caf%C3%A9%20au%20lait");
	const struct fastcgi_pair	*v;
	struct buf			 b, enc, s;
	char				 got[256];

	buf_init(&b);
	ok(fastcgi_params(&q, &p) == 0, "parameters without a certificate");
	listing(&p, &b);
	is_str(b.data,
	    "GATEWAY_INTERFACE=CGI/1.1\n"
	    "GEMINI_URL=gemini://example.org/app/search?caf%C3%A9%20au%20lait\n"
	    "GEMINI_URL_PATH=/app/search\n"
	    "GEMINI_SEARCH_STRING=caf\xc3\xa9 au lait\n"
	    "QUERY_STRING=caf%C3%A9%20au%20lait\n"
	    "PATH_INFO=/app/search\n"
	    "SCRIPT_NAME=\n"
	    "SCRIPT_FILENAME=/srv/capsule/app/search\n"
	    "DOCUMENT_ROOT=/srv/capsule/\n"
	    "REQUEST_METHOD=GET\n"
	    "REMOTE_ADDR=192.0.2.7\n"
	    "REMOTE_HOST=192.0.2.7\n"
	    "SERVER_NAME=example.org\n"
	    "SERVER_PORT=1965\n"
	    "SERVER_PROTOCOL=GEMINI\n"
	    "SERVER_SOFTWARE=almanac/0.1.0\n"
	    "TLS_VERSION=TLSv1.3\n"
	    "TLS_CIPHER=TLS_AES_128_GCM_SHA256\n",
	    "the built-in parameters, in order, without certificate ones");
	buf_init(&enc);
	buf_init(&s);
	ok(fastcgi_encode_request(&enc, p.pairs, p.n) == 0 &&
	    read_request(&enc, &s) == 0 && stream_value(&s,
	    "GEMINI_SEARCH_STRING", got, sizeof(got)) == 13 &&
	    strcmp(got, "caf\xc3\xa9 au lait") == 0, "encoded and read back");
	q = request("gemini://example.org/f?name=x%20y", "/f", "name=x%20y");
	(void)fastcgi_params(&q, &p);
	ok(fastcgi_param_find(&p, "GEMINI_SEARCH_STRING") == NULL &&
	    (v = fastcgi_param_find(&p, "QUERY_STRING")) != NULL &&
	    v->value_len == 10, "a query with '=' has no GEMINI_SEARCH_STRING "
	    "(as gmid)");
	q = request("gemini://example.org/f?a%00b", "/f", "a%00b");
	(void)fastcgi_params(&q, &p);
	ok(fastcgi_param_find(&p, "GEMINI_SEARCH_STRING") == NULL,
	    "nor one that decodes to a NUL");
	q = request("gemini://example.org/f?100%", "/f", "100%zz%4");
	(void)fastcgi_params(&q, &p);
	ok((v = fastcgi_param_find(&p, "GEMINI_SEARCH_STRING")) != NULL &&
	    v->value_len == 8 && memcmp(v->value, "100%zz%4", 8) == 0,
	    "a '%%' without two hex digits is kept");
	q = request("gemini://example.org/", "/", NULL);
	(void)fastcgi_params(&q, &p);
	ok((v = fastcgi_param_find(&p, "QUERY_STRING")) != NULL &&
	    v->value_len == 0 && fastcgi_param_find(&p,
	    "GEMINI_SEARCH_STRING") == NULL, "no query: QUERY_STRING empty");
	buf_free(&b);
	buf_free(&enc);
	buf_free(&s);
}

static void
test_params_cert(void)
{
	static struct fastcgi_params	 p;
	struct access_identity		 id;
	struct fastcgi_request		 q = request(
	    "gemini://example.org/a?x", "/a", "x");
	const struct fastcgi_pair	*v;
	struct buf			 b;
	const char			*tail;
	size_t				 i;

	memset(&id, 0, sizeof(id));
	id.present = 1;
	for (i = 0; i < ACCESS_FP_LEN; i++)
		id.spki_sha256[i] = (unsigned char)(0xa0 + i);
	snprintf(id.subject_cn, sizeof(id.subject_cn), "alice");
	snprintf(id.subject, sizeof(id.subject), "CN=alice,O=Readers");
	snprintf(id.issuer, sizeof(id.issuer), "CN=alice");
	snprintf(id.not_before, sizeof(id.not_before), "2024-01-31T12:00:00Z");
	snprintf(id.not_after, sizeof(id.not_after), "2034-01-31T12:00:00Z");
	q.id = &id;
	buf_init(&b);
	ok(fastcgi_params(&q, &p) == 0, "parameters with a certificate");
	listing(&p, &b);
	tail = strstr(b.data, "AUTH_TYPE=");
	is_str(tail,
	    "AUTH_TYPE=CERTIFICATE\n"
	    "REMOTE_USER=alice\n"
	    "TLS_CLIENT_HASH=SHA256:a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"
	    "b4b5b6b7b8b9babbbcbdbebf\n"
	    "TLS_CLIENT_ISSUER=CN=alice\n"
	    "TLS_CLIENT_SUBJECT=CN=alice,O=Readers\n"
	    "TLS_CLIENT_NOT_BEFORE=2024-01-31T12:00:00Z\n"
	    "TLS_CLIENT_NOT_AFTER=2034-01-31T12:00:00Z\n",
	    "the certificate's parameters come last: the public key's "
	    "SHA-256 as an allow list takes it");
	is_int(p.n, FASTCGI_BUILTIN, "every built-in parameter is there");
	id.present = 0;
	(void)fastcgi_params(&q, &p);
	ok((v = fastcgi_param_find(&p, "AUTH_TYPE")) == NULL &&
	    fastcgi_param_find(&p, "TLS_CLIENT_HASH") == NULL,
	    "none of them without a certificate");
	buf_free(&b);
}

static void
test_params_override(void)
{
	static struct fastcgi_params	 p;
	static struct fastcgi_app	 a;
	struct fastcgi_request		 q = request(
	    "gemini://example.org/cgi/app.sh/extra/x", "/cgi/app.sh/extra/x",
	    NULL);
	const struct fastcgi_pair	*v;
	char				 longroot[8200];

	a.params[0] = (struct fastcgi_param){ "SCRIPT_NAME", "/cgi/app.sh/" };
	a.params[1] = (struct fastcgi_param){ "APP_MODE", "test" };
	a.params[2] = (struct fastcgi_param){ "SERVER_SOFTWARE", "hidden" };
	a.nparams = 3;
	q.app = &a;
	ok(fastcgi_params(&q, &p) == 0, "parameters with 'fastcgi param'");
	ok((v = fastcgi_param_find(&p, "SCRIPT_NAME")) != NULL &&
	    strcmp(v->value, "/cgi/app.sh/") == 0, "SCRIPT_NAME replaced");
	ok((v = fastcgi_param_find(&p, "PATH_INFO")) != NULL &&
	    strcmp(v->value, "/extra/x") == 0, "PATH_INFO is what follows it");
	ok((v = fastcgi_param_find(&p, "SCRIPT_FILENAME")) != NULL &&
	    strcmp(v->value, "/srv/capsule/cgi/app.sh/") == 0,
	    "SCRIPT_FILENAME is the root and SCRIPT_NAME");
	ok((v = fastcgi_param_find(&p, "SERVER_SOFTWARE")) != NULL &&
	    strcmp(v->value, "hidden") == 0 &&
	    v == &p.pairs[14], "a built-in one replaced in place");
	ok(p.n == 18 && strcmp(p.pairs[17].name, "APP_MODE") == 0 &&
	    strcmp(p.pairs[17].value, "test") == 0, "a new one comes after "
	    "the built-in ones, once");
	a.params[0].value = "/cgi/app";
	(void)fastcgi_params(&q, &p);
	ok((v = fastcgi_param_find(&p, "PATH_INFO")) != NULL &&
	    strcmp(v->value, "/cgi/app.sh/extra/x") == 0, "SCRIPT_NAME that "
	    "is not a whole segment of the path: PATH_INFO is all of it");
	a.params[0] = (struct fastcgi_param){ "SCRIPT_FILENAME",
	    "/usr/lib/cgi-bin/app.sh" };
	(void)fastcgi_params(&q, &p);
	ok((v = fastcgi_param_find(&p, "SCRIPT_FILENAME")) != NULL &&
	    strcmp(v->value, "/usr/lib/cgi-bin/app.sh") == 0 &&
	    (v = fastcgi_param_find(&p, "SCRIPT_NAME")) != NULL &&
	    v->value_len == 0, "SCRIPT_FILENAME pointing fcgiwrap at one "
	    "script");
	memset(longroot, 'r', sizeof(longroot) - 1);
	longroot[0] = '/';
	longroot[sizeof(longroot) - 1] = '\0';
	q.document_root = longroot;
	ok(fastcgi_params(&q, &p) == -1, "values past the store: -1");
}

/* ---- configuration ---- */

static void
test_config(void)
{
	static const char	 text[] =
	    "server \"localhost\" {\n"
	    "  fastcgi socket tcp \"127.0.0.1\"\n"
	    "  location \"/app/*\" {\n"
	    "    fastcgi param SCRIPT_NAME \"/app\"\n"
	    "    fastcgi socket \"/run/app.sock\"\n"
	    "    fastcgi param MODE = \"x\"\n"
	    "    fastcgi param MODE \"y\"\n"
	    "    fastcgi max connections 4\n"
	    "  }\n"
	    "  location \"/files/*\" {\n"
	    "    fastcgi off\n"
	    "  }\n"
	    "}\n";
	struct config		 cfg;
	struct path_rules	 pr;
	const struct fastcgi_app *a;
	char			 err[256] = "";

	config_init(&cfg);
	if (!ok(conffile_parse(text, strlen(text), "t.conf", &cfg, err,
	    sizeof(err)) == 0, "fastcgi options parse"))
		fprintf(stderr, "#   %s\n", err);
	location_rules(&cfg.hosts[0], "/app/x", &pr);
	a = pr.fastcgi;
	ok(a != NULL && a->socket_path != NULL &&
	    strcmp(a->socket_path, "/run/app.sock") == 0 && a->nparams == 2 &&
	    strcmp(a->params[1].value, "y") == 0 && a->max_conns == 4,
	    "a location's application: socket, params (the last value "
	    "wins), limit");
	location_rules(&cfg.hosts[0], "/other", &pr);
	ok(pr.fastcgi != NULL && pr.fastcgi->tcp_host != NULL &&
	    strcmp(pr.fastcgi->tcp_port, "9000") == 0 &&
	    pr.fastcgi->max_conns == -1, "the server block's, tcp, port 9000 "
	    "by default");
	location_rules(&cfg.hosts[0], "/files/a.gmi", &pr);
	ok(pr.fastcgi == NULL, "fastcgi off: files again");
	ok(location_is_private(&cfg.hosts[0], "/app/page.gmi") &&
	    !location_is_private(&cfg.hosts[0], "/files/a.gmi"),
	    "a page under an application is kept out of the chronicle");
	config_free(&cfg);
}

int
main(void)
{
	test_encode_small();
	test_encode_long();
	test_decode_splits();
	test_decode_final();
	test_decode_malformed();
	test_header();
	test_params_plain();
	test_params_cert();
	test_params_override();
	test_config();
	return done_testing();
}
