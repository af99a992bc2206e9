/* fuzz_pubdates: libFuzzer harness for the state file of publication dates against a line-by-line model, its round trip, and state file names (src/pubdates.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pubdates.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define NAME		"fuzz.dates"
#define ERRSZ		256
#define PATH_LIMIT	1024
#define LINE_LIMIT	(20 + 1 + PATH_LIMIT + 1)
#define MAX_ENTRIES	4096

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct model {
	int		 error_line;	/* 0: the text parses */
	size_t		 n;
	char		*path[MAX_ENTRIES];
	time_t		 t[MAX_ENTRIES];
};

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_pubdates.c:%d: invariant broken: %s\n", line,
	    what);
	abort();
}

static int
digits(const uint8_t *s, size_t n, int *out)
{
	size_t	 i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

/* The stamp, checked by the C library's calendar: timegm and back. */
static int
model_stamp(const uint8_t *s, time_t *out)
{
	struct tm	 tm, back;
	int		 y, mo, d, h, mi, sec;
	time_t		 t;

	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec) || s[19] != 'Z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (gmtime_r(&t, &back) == NULL || back.tm_year != y - 1900 ||
	    back.tm_mon != mo - 1 || back.tm_mday != d || back.tm_hour != h ||
	    back.tm_min != mi || back.tm_sec != sec)
		return -1;
	*out = t;
	return 0;
}

static int
model_path(const uint8_t *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > PATH_LIMIT || s[0] == '/')
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	return 0;
}

static void
model_put(struct model *m, const uint8_t *s, size_t n, time_t t)
{
	size_t	 i;

	for (i = 0; i < m->n; i++)
		if (strlen(m->path[i]) == n && memcmp(m->path[i], s, n) == 0) {
			if (t < m->t[i])
				m->t[i] = t;
			return;
		}
	CHECK(m->n < MAX_ENTRIES);
	if ((m->path[m->n] = malloc(n + 1)) == NULL)
		abort();
	memcpy(m->path[m->n], s, n);
	m->path[m->n][n] = '\0';
	m->t[m->n++] = t;
}

/* 0, or -1 when the line is refused. */
static int
model_line(struct model *m, const uint8_t *s, size_t n)
{
	time_t	 t;

	if (n > LINE_LIMIT)
		return -1;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n == 0 || s[0] == '#')
		return 0;
	if (n < 22 || s[20] != ' ' || model_stamp(s, &t) == -1 ||
	    model_path(s + 21, n - 21) == -1)
		return -1;
	model_put(m, s + 21, n - 21, t);
	return 0;
}

static void
model_file(const uint8_t *s, size_t len, struct model *m)
{
	size_t	 i, end;
	int	 line = 0;

	for (i = 0; i < len; i = end + 1) {
		line++;
		for (end = i; end < len && s[end] != '\n'; end++)
			;
		if (model_line(m, s + i, end - i) == -1) {
			m->error_line = line;
			return;
		}
	}
}

static void
model_free(struct model *m)
{
	size_t	 i;

	for (i = 0; i < m->n; i++)
		free(m->path[i]);
	m->n = 0;
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

/* What was parsed is written, and that text reads back to itself. */
static void
check_round_trip(const struct pubdates *pd, const struct model *m)
{
	struct pubdates	*back;
	struct buf	 b1, b2;
	char		 err[ERRSZ];
	size_t		 i;
	time_t		 t;

	buf_init(&b1);
	buf_init(&b2);
	pubdates_format(pd, &b1);
	CHECK(!b1.failed);
	if ((back = pubdates_new()) == NULL)
		abort();
	CHECK(pubdates_parse(back, b1.data, b1.len, NAME, err,
	    sizeof(err)) == 0);
	CHECK(pubdates_count(back) == m->n);
	for (i = 0; i < m->n; i++)
		CHECK(pubdates_get(back, m->path[i], &t) && t == m->t[i]);
	pubdates_format(back, &b2);
	CHECK(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
	pubdates_free(back);
	buf_free(&b1);
	buf_free(&b2);
}

static void
check_text(const uint8_t *data, size_t size)
{
	static struct model	 m;
	struct pubdates		*pd;
	char			 err[ERRSZ], small[8];
	size_t			 i, smallsz = 1 + size % sizeof(small);
	time_t			 t;
	int			 rc;

	memset(&m, 0, sizeof(m));
	model_file(data, size, &m);
	if ((pd = pubdates_new()) == NULL)
		abort();
	memset(err, 'E', sizeof(err));
	rc = pubdates_parse(pd, (const char *)data, size, NAME, err,
	    sizeof(err));
	CHECK(rc == (m.error_line ? -1 : 0));
	if (rc == 0) {
		CHECK(err[0] == '\0');
		CHECK(pubdates_count(pd) == m.n);
		for (i = 0; i < m.n; i++)
			CHECK(pubdates_get(pd, m.path[i], &t) && t == m.t[i]);
		check_round_trip(pd, &m);
	} else {
		check_error(err, sizeof(err), m.error_line);
		pubdates_free(pd);
		if ((pd = pubdates_new()) == NULL)
			abort();
		memset(small, 'E', sizeof(small));
		CHECK(pubdates_parse(pd, (const char *)data, size, NAME, small,
		    smallsz) == -1);
		check_error(small, smallsz, m.error_line);
	}
	pubdates_free(pd);
	model_free(&m);
}

static int
kept_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_' || c == '.';
}

static int
hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

/*
 * The input's first line as a host name: a name that fits is one file
 * in the directory (no '/', not hidden, not "." or ".."), of safe bytes
 * only, that decodes to the name without case and final dot.
 */
static void
check_file_name(const uint8_t *data, size_t size)
{
	char	 host[300], out[PUBDATES_NAME_MAX], want[300];
	size_t	 i, n = 0, k = 0, hlen;
	int	 hi, lo;

	while (n < size && n < sizeof(host) - 1 && data[n] != '\n' &&
	    data[n] != '\0') {
		host[n] = (char)data[n];
		n++;
	}
	host[n] = '\0';
	hlen = n > 0 && host[n - 1] == '.' ? n - 1 : n;
	for (i = 0; i < hlen; i++) {
		char c = host[i] >= 'A' && host[i] <= 'Z' ?
		    (char)(host[i] - 'A' + 'a') : host[i];
		k += kept_byte(c) && (c != '.' || i > 0) ? 1 : 3;
	}
	if (pubdates_file_name(host, out, sizeof(out)) == -1) {
		CHECK(hlen == 0 || k + sizeof(".dates") > sizeof(out));
		return;
	}
	CHECK(k + sizeof(".dates") <= sizeof(out));
	k = 0;
	CHECK(hlen > 0);
	n = strlen(out);
	CHECK(n > 6 && strcmp(out + n - 6, ".dates") == 0);
	CHECK(out[0] != '.' && strchr(out, '/') == NULL);
	for (i = 0; i < n - 6; i++) {
		if (out[i] == '%') {
			hi = hex_value(out[i + 1]);
			lo = hex_value(out[i + 2]);
			CHECK(hi >= 0 && lo >= 0);
			want[k++] = (char)(hi * 16 + lo);
			CHECK(!kept_byte(want[k - 1]) ||
			    (k == 1 && want[0] == '.'));
			i += 2;
		} else {
			CHECK(kept_byte(out[i]));
			want[k++] = out[i];
		}
	}
	CHECK(k == hlen);
	for (i = 0; i < hlen; i++) {
		char c = host[i] >= 'A' && host[i] <= 'Z' ?
		    (char)(host[i] - 'A' + 'a') : host[i];
		CHECK(want[i] == c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	check_file_name(data, size);
	return 0;
}
