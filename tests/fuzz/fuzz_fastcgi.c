/* fuzz_fastcgi: libFuzzer harness for the FastCGI decoder, the Gemini header check and the request encoder, against models and fed in splits (src/fastcgi.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fastcgi.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_fastcgi.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

/* What the decoder made of a stream. */
struct run {
	struct buf		 out, err;
	enum fastcgi_event	 last;
	uint32_t		 app;
	int			 proto;
	const char		*eof;
};

/* Feeds data in pieces whose sizes come from 'steps' (cycled; 0: whole). */
static void
decode(const uint8_t *data, size_t size, const uint8_t *steps, size_t nsteps,
    struct run *r)
{
	struct fastcgi_decoder	 d;
	const char		*slice;
	size_t			 at = 0, n, used, len, k = 0;
	enum fastcgi_event	 ev = FASTCGI_MORE;

	buf_init(&r->out);
	buf_init(&r->err);
	fastcgi_decoder_init(&d);
	while (at < size && ev != FASTCGI_END && ev != FASTCGI_ERROR) {
		n = nsteps == 0 ? size - at : (size_t)steps[k++ % nsteps] % 9 + 1;
		if (n > size - at)
			n = size - at;
		while (n > 0) {
			ev = fastcgi_decode(&d, data + at, n, &used, &slice, &len);
			CHECK(used <= n);
			CHECK(ev == FASTCGI_MORE ? used == n : 1);
			CHECK(ev != FASTCGI_MORE || len == 0);
			if (ev == FASTCGI_STDOUT || ev == FASTCGI_STDERR) {
				CHECK(used > 0 && len > 0);
				CHECK((const uint8_t *)slice >= data + at &&
				    (const uint8_t *)slice + len <= data + at +
				    used);
				buf_append(ev == FASTCGI_STDOUT ? &r->out :
				    &r->err, slice, len);
			}
			if (ev == FASTCGI_END || ev == FASTCGI_ERROR) {
				CHECK(fastcgi_decode(&d, data + at + used,
				    n - used, &used, &slice, &len) == ev &&
				    used == 0);
				break;
			}
			at += used;
			n -= used;
		}
	}
	r->last = ev;
	r->app = d.app_status;
	r->proto = d.protocol_status;
	r->eof = fastcgi_decoder_eof(&d);
	CHECK((r->eof == NULL) == (ev == FASTCGI_END));
	CHECK(r->eof == NULL || r->eof[0] != '\0');
	CHECK(!r->out.failed && !r->err.failed);
}

static void
run_free(struct run *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

static void
check_decoder(const uint8_t *data, size_t size)
{
	struct run	 whole, split, bytes;
	static const uint8_t one = 0;

	decode(data, size, NULL, 0, &whole);
	decode(data, size, data, size, &split);
	decode(data, size, &one, 1, &bytes);
	CHECK(whole.last == split.last && whole.last == bytes.last);
	CHECK(whole.out.len == split.out.len && whole.out.len ==
	    bytes.out.len);
	CHECK(whole.out.len == 0 || (memcmp(whole.out.data, split.out.data,
	    whole.out.len) == 0 && memcmp(whole.out.data, bytes.out.data,
	    whole.out.len) == 0));
	CHECK(whole.err.len == split.err.len && whole.err.len ==
	    bytes.err.len);
	CHECK(whole.out.len + whole.err.len <= size);
	if (whole.last == FASTCGI_END)
		CHECK(whole.app == split.app && whole.proto == split.proto &&
		    whole.app == bytes.app);
	else
		CHECK(strcmp(whole.eof, split.eof) == 0 &&
		    strcmp(whole.eof, bytes.eof) == 0);
	run_free(&whole);
	run_free(&split);
	run_free(&bytes);
}

/* An independent reading of the header rules of fastcgi.h on a whole input. */
static enum fastcgi_header_verdict
model_header(const uint8_t *b, size_t n, size_t *hlen, int *status)
{
	size_t	 i;

	if (n >= 1 && (b[0] < '1' || b[0] > '6'))
		return FASTCGI_HEADER_BAD;
	if (n >= 2 && (b[1] < '0' || b[1] > '9'))
		return FASTCGI_HEADER_BAD;
	if (n >= 3 && b[2] != ' ' && b[2] != '\r')
		return FASTCGI_HEADER_BAD;
	for (i = 2; i < n; i++) {
		if (b[i] == '\r') {
			if (i + 1 == n)
				return FASTCGI_HEADER_MORE;
			if (b[i + 1] != '\n')
				return FASTCGI_HEADER_BAD;
			*hlen = i + 2;
			*status = (b[0] - '0') * 10 + (b[1] - '0');
			if (*status / 10 == 3 && i <= 3)
				return FASTCGI_HEADER_BAD;
			return FASTCGI_HEADER_OK;	/* UTF-8 checked apart */
		}
		if (i >= 3 && (b[i] < 0x20 || b[i] == 0x7f))
			return FASTCGI_HEADER_BAD;
		if (i >= 3 + FASTCGI_META_MAX)
			return FASTCGI_HEADER_BAD;
	}
	return FASTCGI_HEADER_MORE;
}

static void
check_header(const uint8_t *data, size_t size)
{
	struct fastcgi_head		 h, h1;
	enum fastcgi_header_verdict	 v, v1 = FASTCGI_HEADER_MORE, m;
	size_t				 used, u, total = 0, mlen = 0;
	int				 mstatus = 0;

	fastcgi_head_init(&h);
	v = fastcgi_head_feed(&h, (const char *)data, size, &used);
	fastcgi_head_init(&h1);
	while (total < size && v1 == FASTCGI_HEADER_MORE) {
		v1 = fastcgi_head_feed(&h1, (const char *)data + total, 1, &u);
		CHECK(u <= 1);
		total += u;
	}
	CHECK(v == v1);
	CHECK(h.len <= FASTCGI_HEADER_MAX && used <= size);
	CHECK(v != FASTCGI_HEADER_MORE || used == size);
	CHECK((v == FASTCGI_HEADER_BAD) == (h.why != NULL));
	m = model_header(data, size, &mlen, &mstatus);
	if (m == FASTCGI_HEADER_OK && v == FASTCGI_HEADER_BAD)
		CHECK(strcmp(h.why, "META is not UTF-8") == 0);
	else
		CHECK(v == m);
	if (v != FASTCGI_HEADER_OK)
		return;
	CHECK(used == mlen && h.len == used && total == used);
	CHECK(h.status == mstatus && h.status >= 10 && h.status <= 69);
	CHECK(memcmp(h.buf, data, used) == 0);
	CHECK(h.meta_len + (h.buf[2] == ' ' ? 5 : 4) == h.len);
	CHECK(fastcgi_head_feed(&h, "x", 1, &u) == FASTCGI_HEADER_OK &&
	    u == 0);
}

/* Pairs from the input (name NUL value NUL ...), encoded and read back. */
static void
check_encoder(const uint8_t *data, size_t size)
{
	struct fastcgi_pair	 pairs[16];
	char			*copy, *p, *end;
	struct buf		 b, s;
	const uint8_t		*r;
	size_t			 n = 0, at, len, pad, i, want = 0;

	if ((copy = malloc(size + 2)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = '\0';
	for (p = copy, end = copy + size; p < end && n < 16; n++) {
		pairs[n].name = p;
		p += strlen(p) + 1;
		pairs[n].value = p;
		pairs[n].value_len = p < end ? strlen(p) : 0;
		p += pairs[n].value_len + 1;
		want += strlen(pairs[n].name) + pairs[n].value_len +
		    (strlen(pairs[n].name) < 128 ? 1 : 4) +
		    (pairs[n].value_len < 128 ? 1 : 4);
	}
	buf_init(&b);
	buf_init(&s);
	CHECK(fastcgi_encode_request(&b, pairs, n) == 0);
	r = (const uint8_t *)b.data;
	CHECK(b.len >= 32 && r[0] == 1 && r[1] == 1 && r[9] == 1);
	for (at = 16;; at += 8 + len + pad) {
		CHECK(at + 8 <= b.len && r[at] == 1 && r[at + 3] == 1);
		len = (size_t)r[at + 4] << 8 | r[at + 5];
		pad = r[at + 6];
		CHECK((len + pad) % 8 == 0 && pad < 8);
		if (r[at + 1] != 4 || len == 0)
			break;
		buf_append(&s, r + at + 8, len);
	}
	CHECK(r[at + 1] == 4 && len == 0 && at + 16 == b.len &&
	    r[at + 9] == 5 && r[at + 12] == 0 && r[at + 13] == 0);
	CHECK(s.len == want);
	for (i = 0, at = 0; i < n; i++) {
		size_t nl = strlen(pairs[i].name), vl = pairs[i].value_len;
		at += nl < 128 ? 1 : 4;
		at += vl < 128 ? 1 : 4;
		CHECK(memcmp(s.data + at, pairs[i].name, nl) == 0 &&
		    memcmp(s.data + at + nl, pairs[i].value, vl) == 0);
		at += nl + vl;
	}
	buf_free(&b);
	buf_free(&s);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decoder(data, size);
	check_header(data, size);
	check_encoder(data, size);
	return 0;
}
