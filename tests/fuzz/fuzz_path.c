/* fuzz_path: libFuzzer harness for path_normalise and path_encode (src/path.c) against a reference model. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define ENC_MAX		(3 * PATH_MAX_LEN + 2)	/* as render.c sizes it */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_path.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static int
ref_hex(unsigned char c)
{
	static const char	 digits[] = "0123456789abcdef0123456789ABCDEF";
	const char		*p;

	if (c == '\0' || (p = strchr(digits, c)) == NULL)
		return -1;
	return (int)((p - digits) % 16);
}

static int
ref_keep(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("/-._~!$&'()*+,;=:@", c) != NULL);
}

/* Decodes raw[0..len) into seg; a verdict as path_normalise would give. */
static enum path_verdict
ref_decode(const char *raw, size_t len, char *seg, size_t *seglen)
{
	size_t		 i, n = 0;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)raw[i];
		if (c == '%') {
			if (len - i < 3 || ref_hex((unsigned char)raw[i + 1]) < 0 ||
			    ref_hex((unsigned char)raw[i + 2]) < 0)
				return PATH_BAD_ESCAPE;
			c = (unsigned char)(ref_hex((unsigned char)raw[i + 1]) *
			    16 + ref_hex((unsigned char)raw[i + 2]));
			i += 2;
			if (c == '/')
				return PATH_FORBIDDEN;
		}
		if (c < 0x20 || c == 0x7f)
			return PATH_FORBIDDEN;
		seg[n++] = (char)c;
	}
	*seglen = n;
	return PATH_OK;
}

/*
 * The model: split on '/', decode each piece, keep a stack of segments,
 * "." and "" do nothing, ".." pops; first error wins, hidden checked last.
 */
static enum path_verdict
ref_normalise(const char *raw, size_t len, char *out)
{
	static char		 seg[PATH_MAX_LEN + 1];
	static size_t		 ends[PATH_MAX_LEN + 1];
	size_t			 depth = 0, olen = 0, seglen, i, start;
	int			 dots = 0;
	enum path_verdict	 v;

	if (len > PATH_MAX_LEN)
		return PATH_TOO_LONG;
	for (start = 0; start <= len; start = i + 1) {
		for (i = start; i < len && raw[i] != '/'; i++)
			;
		if ((v = ref_decode(raw + start, i - start, seg, &seglen)) !=
		    PATH_OK)
			return v;
		dots = (seglen == 1 && seg[0] == '.') ||
		    (seglen == 2 && seg[0] == '.' && seg[1] == '.');
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
			if (depth == 0)
				return PATH_CLIMB;
			olen = --depth == 0 ? 0 : ends[depth - 1];
		} else if (seglen > 0 && !dots) {
			if (depth > 0)
				out[olen++] = '/';
			memcpy(out + olen, seg, seglen);
			olen += seglen;
			ends[depth++] = olen;
		}
	}
	/* The last piece is empty after a final '/'; it, "." and ".." keep a slash. */
	if (depth > 0 && (dots || seglen == 0))
		out[olen++] = '/';
	out[olen] = '\0';
	for (i = 0; i < olen; i++)
		if (out[i] == '.' && (i == 0 || out[i - 1] == '/') &&
		    !(i == 0 && strncmp(out, ".well-known", 11) == 0 &&
		    (out[11] == '/' || out[11] == '\0')))
			return PATH_HIDDEN;
	return PATH_OK;
}

/* The invariants the server relies on when it opens the result under the root. */
static void
check_normalised(const char *out)
{
	const char	*s, *e;
	size_t		 len = strlen(out);

	CHECK(len <= PATH_MAX_LEN);
	CHECK(out[0] != '/');
	for (s = out; *s != '\0'; s++)
		CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
	for (s = out; *s != '\0'; s = *e == '/' ? e + 1 : e) {
		e = strchrnul(s, '/');
		CHECK(e > s);				/* no empty segment */
		CHECK(!(e - s == 2 && s[0] == '.' && s[1] == '.'));
		CHECK(s[0] != '.' || (s == out && e - s == 11 &&
		    strncmp(s, ".well-known", 11) == 0));
	}
}

static int
encoded_ok(const char *enc, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (enc[i] == '%') {
			if (n - i < 3 || strchr(hex, enc[i + 1]) == NULL ||
			    strchr(hex, enc[i + 2]) == NULL || enc[i + 1] == '\0' ||
			    enc[i + 2] == '\0')
				return 0;
			i += 2;
		} else if (!ref_keep((unsigned char)enc[i]))
			return 0;
	}
	return 1;
}

/* Undoes path_encode: the encoding of a whole string decodes to it. */
static int
decodes_to(const char *enc, size_t n, const char *s)
{
	size_t	 i, j = 0;
	int	 c;

	for (i = 0; i < n; i++, j++) {
		c = (unsigned char)enc[i];
		if (c == '%') {
			c = ref_hex((unsigned char)enc[i + 1]) * 16 +
			    ref_hex((unsigned char)enc[i + 2]);
			i += 2;
		}
		if ((unsigned char)s[j] != c)
			return 0;
	}
	return s[j] == '\0';
}

/* path_encode into an exactly sized heap buffer: a whole-token prefix of 'full', never more. */
static void
check_encode_size(const char *s, const char *full, size_t fulllen, size_t outsz)
{
	char	*out;
	size_t	 n, tok;

	if ((out = malloc(outsz)) == NULL && outsz > 0)
		abort();
	memset(out, 'Z', outsz);
	n = path_encode(s, out, outsz);
	if (outsz == 0)
		CHECK(n == 0);
	else {
		CHECK(n < outsz && out[n] == '\0');
		CHECK(n <= fulllen && memcmp(out, full, n) == 0);
		if (n < fulllen) {
			tok = full[n] == '%' ? 3 : 1;
			CHECK(n + tok >= outsz);	/* the next token did not fit */
		}
	}
	free(out);
}

/* path_has_control: no request reaches a name with a control byte, so it is never linked. */
static void
check_control(const char *s, const char *enc, size_t n, int whole)
{
	static char	 out[PATH_MAX_LEN + 1];
	const char	*p;
	int		 ctl = 0;

	for (p = s; *p != '\0'; p++)
		ctl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	CHECK(path_has_control(s) == ctl);
	if (ctl && whole && n <= PATH_MAX_LEN)
		CHECK(path_normalise(enc, n, out) != PATH_OK);
}

static void
check_encode(const char *s, const char *normalised)
{
	static char		 full[ENC_MAX], again[PATH_MAX_LEN + 1];
	size_t			 n, want = 0;
	const char		*p;
	enum path_verdict	 v;

	for (p = s; *p != '\0'; p++)
		want += ref_keep((unsigned char)*p) ? 1 : 3;
	n = path_encode(s, full, sizeof(full));
	CHECK(n < sizeof(full) && strlen(full) == n && encoded_ok(full, n));
	if (want < sizeof(full)) {
		CHECK(n == want);
		CHECK(decodes_to(full, n, s));
	} else
		CHECK(n + 3 >= sizeof(full));
	check_encode_size(s, full, n, 0);
	check_encode_size(s, full, n, 1);
	check_encode_size(s, full, n, 3);
	check_encode_size(s, full, n, n);
	check_encode_size(s, full, n, n + 1);
	check_encode_size(s, full, n, (strlen(s) * 7) % (n + 2));
	if (normalised == NULL) {
		check_control(s, full, n, want < sizeof(full));
		return;
	}
	if (n > PATH_MAX_LEN)
		return;
	/* Encoding a normalised path and normalising it again gives it back. */
	v = path_normalise(full, n, again);
	CHECK(v == PATH_OK);
	CHECK(strcmp(again, normalised) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 ref[2 * PATH_MAX_LEN + 2];
	char			*out, *str;
	enum path_verdict	 v, rv;

	/* Exactly PATH_MAX_LEN + 1 bytes on the heap, so ASan sees any overrun. */
	if ((out = malloc(PATH_MAX_LEN + 1)) == NULL ||
	    (str = malloc(size + 1)) == NULL)
		abort();
	memset(out, 'X', PATH_MAX_LEN + 1);
	v = path_normalise((const char *)data, size, out);
	rv = ref_normalise((const char *)data, size, ref);
	if (v != rv)
		fprintf(stderr, "path_normalise: %s, model: %s\n",
		    path_verdict_str(v), path_verdict_str(rv));
	CHECK(v == rv);
	CHECK(path_verdict_str(v) != NULL);
	if (v == PATH_OK) {
		if (strcmp(out, ref) != 0)
			fprintf(stderr, "path_normalise: '%s'\nmodel:          "
			    "'%s'\n", out, ref);
		CHECK(strcmp(out, ref) == 0);
		check_normalised(out);
		check_encode(out, out);
	}
	memcpy(str, data, size);
	str[size] = '\0';
	check_encode(str, NULL);
	CHECK(path_is_leftover(str) == 0 || path_is_leftover(str) == 1);
	free(str);
	free(out);
	return 0;
}
