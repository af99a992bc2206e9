/* fuzz_allowlist: libFuzzer harness for access_list_parse, access_parse_fingerprint and, on inputs that decode as a DER certificate, access_identity_of (src/access.c). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "access.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define ERRSZ		256
#define NAME		"fuzz.allow"
#define NOW		((time_t)1750000000)
#define MAXFP		4096	/* fingerprints a fuzzed text can hold */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_allowlist.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

/*
 * The documented grammar, written again without the module's code:
 * blanks, an optional "SHA256:" in any case, blanks, then 64 hex digits
 * or 32 pairs joined by single colons, then blanks.
 */
static int
model_fingerprint(const uint8_t *s, size_t len, unsigned char out[32])
{
	size_t	 a = 0, b = len, i, k;
	char	 pair[3] = { 0, 0, 0 };

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b - a >= 7 && tolower(s[a]) == 's' && tolower(s[a + 1]) == 'h' &&
	    tolower(s[a + 2]) == 'a' && s[a + 3] == '2' && s[a + 4] == '5' &&
	    s[a + 5] == '6' && s[a + 6] == ':')
		for (a += 7; a < b && (s[a] == ' ' || s[a] == '\t'); a++)
			;
	if (b - a != 64 && b - a != 95)
		return -1;
	for (i = a, k = 0; i < b; i++) {
		if (b - a == 95 && (i - a) % 3 == 2) {
			if (s[i] != ':')
				return -1;
			continue;
		}
		if (!isxdigit(s[i]))
			return -1;
		pair[k++ % 2] = (char)s[i];
		if (k % 2 == 0)
			out[k / 2 - 1] = (unsigned char)strtoul(pair, NULL, 16);
	}
	return 0;
}

static int
by_bytes(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

struct model {
	unsigned char	 (*fp)[32];
	size_t		   n;
	int		   error_line;	/* 0: the text parses */
	int		   lines;
};

/* What access_list_parse must do with the text, line by line. */
static int
blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* What access_list_parse must do with the text, line by line. */
static void
model_list(const uint8_t *s, size_t len, struct model *m)
{
	const uint8_t	*hash;
	size_t		 i = 0, end, a, b;

	m->n = 0;
	m->error_line = 0;
	m->lines = 0;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len && m->error_line == 0; i = end + 1) {
		m->lines++;
		for (end = i; end < len && s[end] != '\n'; end++)
			;
		if (end - i > ACCESS_LINE_MAX) {
			m->error_line = m->lines;
			break;
		}
		b = end;
		if (b > i && s[b - 1] == '\r')
			b--;
		if ((hash = memchr(s + i, '#', b - i)) != NULL)
			b = (size_t)(hash - s);
		for (a = i; a < b && blank(s[a]); a++)
			;
		while (b > a && blank(s[b - 1]))
			b--;
		if (a == b)
			continue;
		CHECK(m->n < MAXFP);
		if (model_fingerprint(s + a, b - a, m->fp[m->n]) == -1)
			m->error_line = m->lines;
		else
			m->n++;
	}
}

static void
check_fingerprint(const uint8_t *data, size_t size)
{
	unsigned char	 got[32], want[32], back[32];
	char		 hex[ACCESS_FP_HEX_SIZE], col[ACCESS_FP_COLON_SIZE];
	int		 rc;

	memset(got, 0xa5, sizeof(got));
	rc = access_parse_fingerprint((const char *)data, size, got);
	CHECK(rc == model_fingerprint(data, size, want));
	if (rc == -1) {
		memset(back, 0xa5, sizeof(back));
		CHECK(memcmp(got, back, 32) == 0);
		return;
	}
	CHECK(memcmp(got, want, 32) == 0);
	access_format_fingerprint(got, hex, sizeof(hex));
	access_format_fingerprint_colons(got, col, sizeof(col));
	CHECK(strlen(hex) == 64 && strlen(col) == 95);
	CHECK(access_parse_fingerprint(hex, 64, back) == 0 &&
	    memcmp(back, got, 32) == 0);
	CHECK(access_parse_fingerprint(col, 95, back) == 0 &&
	    memcmp(back, got, 32) == 0);
}

/* "fuzz.allow:LINE: why", from the line the model expects. */
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
check_list(const uint8_t *data, size_t size)
{
	static unsigned char	 fps[MAXFP][32];
	struct model		 m = { fps, 0, 0, 0 };
	struct access_list	 l;
	unsigned char		 sentinel[32];
	char			 err[ERRSZ], *small;
	size_t			 i, uniq, smallsz = 1 + size % 8;
	int			 rc;

	model_list(data, size, &m);
	access_list_init(&l);
	memset(sentinel, 0x42, sizeof(sentinel));
	CHECK(access_list_add(&l, sentinel) == 0);
	memset(err, 'E', sizeof(err));
	rc = access_list_parse((const char *)data, size, NAME, &l, err,
	    sizeof(err));
	CHECK(rc == (m.error_line ? -1 : 0));
	if (rc == -1) {
		check_error(err, sizeof(err), m.error_line);
		CHECK(l.len == 1 && access_list_has(&l, sentinel));
		if ((small = malloc(smallsz)) == NULL)
			abort();
		memset(small, 'E', smallsz);
		CHECK(access_list_parse((const char *)data, size, NAME, &l,
		    small, smallsz) == -1);
		check_error(small, smallsz, m.error_line);
		free(small);
	} else {
		CHECK(err[0] == '\0');
		qsort(fps, m.n, 32, by_bytes);
		for (i = 0, uniq = 0; i < m.n; i++)
			if (i == 0 || memcmp(fps[i - 1], fps[i], 32) != 0)
				uniq++;
		CHECK(l.len == uniq);
		for (i = 1; i < l.len; i++)
			CHECK(memcmp(l.fp[i - 1], l.fp[i], 32) < 0);
		for (i = 0; i < m.n; i++)
			CHECK(access_list_has(&l, fps[i]));
		/* The old list is replaced, not added to. */
		CHECK(access_list_has(&l, sentinel) == (m.n > 0 &&
		    bsearch(sentinel, fps, m.n, 32, by_bytes) != NULL));
	}
	access_list_free(&l);
}

/* UTF-8 without C0, DEL or C1, terminated within its buffer. */
static void
check_string(const char *str, size_t sz)
{
	const unsigned char	*s = (const unsigned char *)str;
	uint32_t		 c, min;
	int			 n, i;

	CHECK(memchr(str, '\0', sz) != NULL);
	while (*s != '\0') {
		if (*s < 0x80) {
			CHECK(*s >= 0x20 && *s != 0x7f);
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0)
			n = 2, c = *s & 0x1f, min = 0x80;
		else if ((*s & 0xf0) == 0xe0)
			n = 3, c = *s & 0x0f, min = 0x800;
		else {
			CHECK((*s & 0xf8) == 0xf0);
			n = 4, c = *s & 0x07, min = 0x10000;
		}
		for (i = 1; i < n; i++) {
			CHECK((s[i] & 0xc0) == 0x80);
			c = c << 6 | (s[i] & 0x3f);
		}
		CHECK(c >= min && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff));
		CHECK(c >= 0xa0);
		s += n;
	}
}

/* "" or "YYYY-MM-DDTHH:MM:SSZ". */
static void
check_date(const char *d)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t			 i;

	if (d[0] == '\0')
		return;
	CHECK(strlen(d) == sizeof(shape) - 1);
	for (i = 0; i < sizeof(shape) - 1; i++)
		CHECK(shape[i] == 'd' ? isdigit((unsigned char)d[i]) :
		    d[i] == shape[i]);
}

static void
check_identity(const uint8_t *data, size_t size)
{
	struct access_identity		 id;
	struct access_list		 l;
	const struct access_list	*lists[1] = { &l };
	const unsigned char		*p = data;
	unsigned char			 md[EVP_MAX_MD_SIZE];
	unsigned int			 n;
	char				 meta[64];
	X509				*x;

	if ((x = d2i_X509(NULL, &p, (long)size)) == NULL) {
		ERR_clear_error();
		return;
	}
	CHECK(access_identity_of(x, NOW, &id) == 0);
	CHECK(ERR_peek_error() == 0);
	CHECK(id.present == 1 && (id.valid_now == 0 || id.valid_now == 1));
	CHECK(X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32 &&
	    memcmp(md, id.cert_sha256, 32) == 0);
	check_string(id.subject_cn, sizeof(id.subject_cn));
	check_string(id.subject, sizeof(id.subject));
	check_string(id.issuer, sizeof(id.issuer));
	check_date(id.not_before);
	check_date(id.not_after);
	CHECK(access_status(&id, 1, NULL, 0, meta, sizeof(meta)) ==
	    (id.valid_now ? 0 : 62));
	access_list_init(&l);
	CHECK(access_list_add(&l, id.spki_sha256) == 0);
	CHECK(access_status(&id, 0, lists, 1, meta, sizeof(meta)) ==
	    (id.valid_now ? 0 : 62));
	access_list_free(&l);
	CHECK(access_list_add(&l, id.cert_sha256) == 0);
	CHECK(access_status(&id, 0, lists, 1, meta, sizeof(meta)) ==
	    (id.valid_now ? 0 : 62));
	access_list_free(&l);
	X509_free(x);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_fingerprint(data, size);
	check_list(data, size);
	check_identity(data, size);
	return 0;
}
