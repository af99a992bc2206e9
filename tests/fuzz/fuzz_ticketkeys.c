/* fuzz_ticketkeys: libFuzzer harness for ticketkeys_parse against a model built on OpenSSL's base64, and for files built from the input's bytes (src/ticketkeys.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ticketkeys.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define NAME		"fuzz.keys"
#define ERRSZ		256
#define B64_LEN		108	/* base64 of 80 bytes */
#define LINE_LIMIT	1024

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct model {
	int			 error_line;	/* 0: the text parses */
	struct ticketkeys	 keys;
};

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_ticketkeys.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

static int
blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/*
 * A key line is exactly what OpenSSL's encoder makes of 80 bytes: that
 * settles the alphabet, the padding and the unused bits at once.
 */
static int
model_key(const uint8_t *s, size_t len, unsigned char raw[TICKETKEY_LEN])
{
	unsigned char	 in[B64_LEN + 1], dec[B64_LEN], enc[B64_LEN + 1];

	if (len != B64_LEN)
		return -1;
	memcpy(in, s, len);
	in[len] = '\0';
	if (memchr(in, '\0', len) != NULL ||
	    EVP_DecodeBlock(dec, in, (int)len) != TICKETKEY_LEN + 1 ||
	    EVP_EncodeBlock(enc, dec, TICKETKEY_LEN) != B64_LEN ||
	    memcmp(enc, in, B64_LEN) != 0)
		return -1;
	memcpy(raw, dec, TICKETKEY_LEN);
	return 0;
}

static int
model_add(struct model *m, const unsigned char *raw)
{
	struct ticketkey	*k;
	size_t			 i;

	if (m->keys.n == TICKETKEYS_MAX)
		return -1;
	k = &m->keys.key[m->keys.n];
	memcpy(k->name, raw, 16);
	memcpy(k->hmac, raw + 16, 32);
	memcpy(k->aes, raw + 48, 32);
	for (i = 0; i < m->keys.n; i++)
		if (memcmp(m->keys.key[i].name, k->name, 16) == 0)
			return -1;
	m->keys.n++;
	return 0;
}

/* What ticketkeys_parse must do with the text, line by line. */
static void
model_file(const uint8_t *s, size_t len, struct model *m)
{
	unsigned char	 raw[TICKETKEY_LEN];
	size_t		 i = 0, end, a, b;
	int		 line = 0;

	memset(m, 0, sizeof(*m));
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i = end + 1) {
		line++;
		for (end = i; end < len && s[end] != '\n'; end++)
			;
		if (end - i > LINE_LIMIT) {
			m->error_line = line;
			return;
		}
		b = end;
		if (b > i && s[b - 1] == '\r')
			b--;
		while (b > i && blank(s[b - 1]))
			b--;
		for (a = i; a < b && blank(s[a]); a++)
			;
		if (a == b || s[a] == '#')
			continue;
		if (model_key(s + a, b - a, raw) == -1 ||
		    model_add(m, raw) == -1) {
			m->error_line = line;
			return;
		}
	}
	if (m->keys.n == 0)
		m->error_line = line > 0 ? line : 1;
}

static void
check_error(const char *err, size_t errsz, int line)
{
	char	 prefix[64];

	CHECK(memchr(err, '\0', errsz) != NULL);
	if (errsz < 64)
		return;
	snprintf(prefix, sizeof(prefix), NAME ":%d: ", line);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(err[strlen(prefix)] != '\0');
}

static void
check_keys(const struct ticketkeys *got, const struct ticketkeys *want)
{
	const struct ticketkey	*k;
	size_t			 i, at;

	CHECK(got->n == want->n && got->n >= 1 && got->n <= TICKETKEYS_MAX);
	CHECK(memcmp(got->key, want->key, got->n * sizeof(got->key[0])) == 0);
	for (i = 0; i < got->n; i++) {
		at = TICKETKEYS_MAX;
		k = ticketkeys_find(got, got->key[i].name, &at);
		CHECK(k == &got->key[i] && at == i);
	}
}

static void
check_text(const uint8_t *data, size_t size)
{
	static struct model	 m;
	struct ticketkeys	 held, before;
	char			 err[ERRSZ], *small;
	size_t			 smallsz = 1 + size % 8;
	int			 rc;

	model_file(data, size, &m);
	memset(&held, 0x5a, sizeof(held));
	held.n = 2;
	before = held;
	memset(err, 'E', sizeof(err));
	rc = ticketkeys_parse((const char *)data, size, NAME, &held, err,
	    sizeof(err));
	CHECK(rc == (m.error_line ? -1 : 0));
	if (rc == 0) {
		CHECK(err[0] == '\0');
		check_keys(&held, &m.keys);
		return;
	}
	check_error(err, sizeof(err), m.error_line);
	CHECK(memcmp(&held, &before, sizeof(held)) == 0);
	if ((small = malloc(smallsz)) == NULL)
		abort();
	memset(small, 'E', smallsz);
	CHECK(ticketkeys_parse((const char *)data, size, NAME, &held, small,
	    smallsz) == -1);
	check_error(small, smallsz, m.error_line);
	free(small);
	CHECK(memcmp(&held, &before, sizeof(held)) == 0);
}

/*
 * The input's bytes as keys, 80 a line, written as an operator might
 * (comments, blank lines, CRLF, blanks around, per the bits of each
 * key's last byte): they come back, unless a name repeats or there are
 * too many.
 */
static void
check_built(const uint8_t *data, size_t size)
{
	static char		 text[(TICKETKEYS_MAX + 2) * 160];
	struct ticketkeys	 got, want;
	unsigned char		 enc[B64_LEN + 1];
	const uint8_t		*raw;
	char			 err[ERRSZ];
	size_t			 i, n = 0, nkeys = size / TICKETKEY_LEN, j;
	int			 dup = 0;
	uint8_t			 bits;

	if (nkeys == 0 || nkeys > TICKETKEYS_MAX + 1)
		return;
	memset(&want, 0, sizeof(want));
	for (i = 0; i < nkeys; i++) {
		raw = data + i * TICKETKEY_LEN;
		bits = raw[TICKETKEY_LEN - 1];
		EVP_EncodeBlock(enc, raw, TICKETKEY_LEN);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s%s%s%s",
		    bits & 1 ? "# key\n" : "", bits & 2 ? "\n" : "",
		    bits & 4 ? " \t" : "", enc, bits & 8 ? "\r\n" : "\n");
		for (j = 0; j < i; j++)
			if (memcmp(data + j * TICKETKEY_LEN, raw, 16) == 0)
				dup = 1;
		if (i < TICKETKEYS_MAX) {
			memcpy(want.key[i].name, raw, 16);
			memcpy(want.key[i].hmac, raw + 16, 32);
			memcpy(want.key[i].aes, raw + 48, 32);
		}
	}
	want.n = nkeys;
	memset(&got, 0, sizeof(got));
	if (dup || nkeys > TICKETKEYS_MAX) {
		CHECK(ticketkeys_parse(text, n, NAME, &got, err,
		    sizeof(err)) == -1);
		return;
	}
	CHECK(ticketkeys_parse(text, n, NAME, &got, err, sizeof(err)) == 0);
	check_keys(&got, &want);
	ticketkeys_clear(&got);
	CHECK(got.n == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	check_built(data, size);
	return 0;
}
