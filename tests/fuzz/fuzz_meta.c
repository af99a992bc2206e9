/* fuzz_meta: libFuzzer harness for dates, titles and sanitising of names and text (src/meta.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "meta.h"
#include "path.h"
#include "request.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)

/*
 * Input: one control byte (its low 4 bits pick the title buffer size),
 * a file name up to the first '\n', then the page text.
 */
static const size_t	 outsizes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 32,
			    64, 100, 128, 255, TITLE_MAX };

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_meta.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static char *
dup_bytes(const void *p, size_t len, int nul)
{
	char	*s;

	if ((s = malloc(len + (nul ? 1 : 0))) == NULL)
		abort();
	if (len > 0)
		memcpy(s, p, len);
	if (nul)
		s[len] = '\0';
	return s;
}

/* A title as the server puts it on a link line: terminated in its buffer, UTF-8, no controls. */
static void
check_title(const char *out, size_t outsz)
{
	const char	*nul = memchr(out, '\0', outsz);
	size_t		 i;

	CHECK(nul != NULL);
	CHECK(utf8_valid(out, (size_t)(nul - out)));
	for (i = 0; out + i < nul; i++)
		CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
}

static int
digit2(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

static int
real_day(int y, int m, int d)
{
	struct tm	 tm = { .tm_year = y - 1900, .tm_mon = m - 1,
			    .tm_mday = d, .tm_hour = 12 };

	(void)timegm(&tm);	/* normalises an impossible day into the next month */
	return tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d;
}

/* The documented date grammar, written out independently of meta.c. */
static size_t
ref_date(const char *s, struct chron_date *d)
{
	size_t	 len = strlen(s);

	memset(d, 0, sizeof(*d));
	if (len < 5 || !digit2(s) || !digit2(s + 2) || strchr("-.", s[4]) ==
	    NULL || s[4] == '\0' || strncmp(s, "0000", 4) == 0)
		return 0;
	d->year = atoi((char[5]){ s[0], s[1], s[2], s[3], '\0' });
	if (s[4] == '.' || len < 8 || !digit2(s + 5) || (s[7] != '-' &&
	    s[7] != '.'))
		return 5;
	d->month = (s[5] - '0') * 10 + s[6] - '0';
	if (d->month < 1 || d->month > 12)
		goto invalid;
	if (s[7] == '.' || len < 11 || !digit2(s + 8) || (s[10] != '-' &&
	    s[10] != '.'))
		return 8;
	d->day = (s[8] - '0') * 10 + s[9] - '0';
	if (!real_day(d->year, d->month, d->day))
		goto invalid;
	return 11;
invalid:
	memset(d, 0, sizeof(*d));
	return 0;
}

static void
check_date(const char *name, struct chron_date *d)
{
	struct chron_date	 r, again;
	char			 fmt[16], *small;
	size_t			 n, rn, i;

	n = meta_parse_date(name, d);
	rn = ref_date(name, &r);
	if (n != rn || memcmp(d, &r, sizeof(r)) != 0)
		fprintf(stderr, "meta_parse_date: %zu %d-%d-%d, model: %zu "
		    "%d-%d-%d\n", n, d->year, d->month, d->day, rn, r.year,
		    r.month, r.day);
	CHECK(n == rn && memcmp(d, &r, sizeof(r)) == 0);
	if (n == 0)
		return;
	/* Formatting and parsing again gives the same date. */
	meta_format_date(d, fmt, sizeof(fmt));
	CHECK(strlen(fmt) == n - 1);
	strcat(fmt, "-");
	CHECK(meta_parse_date(fmt, &again) == n);
	CHECK(memcmp(d, &again, sizeof(again)) == 0);
	for (i = 1; i <= n; i++) {	/* snprintf bounds, exactly sized */
		small = dup_bytes(fmt, i, 0);
		meta_format_date(d, small, i);
		CHECK(strlen(small) == i - 1 && strncmp(small, fmt, i - 1) == 0);
		free(small);
	}
}

/* Dates compare as their zero-padded forms do, with shorter (coarser) forms first. */
static void
check_cmp(const struct chron_date *a, const struct chron_date *b)
{
	char	 fa[16], fb[16];
	int	 c = meta_date_cmp(a, b), s;

	CHECK(meta_date_cmp(a, a) == 0 && meta_date_cmp(b, b) == 0);
	CHECK(c == -meta_date_cmp(b, a));
	CHECK(c >= -1 && c <= 1);
	if (a->year == 0 || b->year == 0)
		return;
	meta_format_date(a, fa, sizeof(fa));
	meta_format_date(b, fb, sizeof(fb));
	s = strcmp(fa, fb);
	CHECK((s < 0 && c < 0) || (s == 0 && c == 0) || (s > 0 && c > 0));
}

static void
check_sanitize(const char *s, size_t len)
{
	char	*t = dup_bytes(s, len, 1);
	size_t	 i, n = strlen(t);
	int	 utf8 = utf8_valid(t, n);

	meta_sanitize(t);
	CHECK(strlen(t) == n);
	check_title(t, n + 1);
	for (i = 0; i < n; i++) {
		if (utf8 && i + 2 < n && (unsigned char)s[i] == 0xef &&
		    (unsigned char)s[i + 1] == 0xbf &&
		    ((unsigned char)s[i + 2] & 0xfe) == 0xbe) {
			/* U+FFFE and U+FFFF become U+FFFD, for XML */
			CHECK(t[i] == s[i] && t[i + 1] == s[i + 1] &&
			    (unsigned char)t[i + 2] == 0xbd);
			i += 2;
		} else if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f &&
		    ((unsigned char)s[i] < 0x80 || utf8))
			CHECK(t[i] == s[i]);	/* nothing else is touched */
		else
			CHECK(t[i] == '?');
	}
	free(t);
}

static void
check_name_title(const char *name, size_t outsz)
{
	char	*out;

	if ((out = malloc(outsz)) == NULL)
		abort();
	memset(out, 'Q', outsz);
	meta_title_from_name(name, out, outsz);
	check_title(out, outsz);
	free(out);
}

/* meta_title with both 'truncated' flags; the answers must agree where they should. */
static void
check_text_title(const char *text, size_t len, const char *name, size_t outsz)
{
	enum meta_title_source	 src[2];
	const char		*nl = memchr(text, '\n', len);
	char			*out[2];
	int			 crlf, t;

	for (t = 0; t < 2; t++) {
		if ((out[t] = malloc(outsz)) == NULL)
			abort();
		memset(out[t], 'Q', outsz);
		crlf = -1;
		src[t] = meta_title(text, len, t, name, out[t], outsz, &crlf);
		CHECK(src[t] == TITLE_HEADING || src[t] == TITLE_NO_HEADING ||
		    src[t] == TITLE_EMPTY || src[t] == TITLE_NOT_UTF8);
		CHECK(crlf == (nl != NULL && nl > text && nl[-1] == '\r'));
		check_title(out[t], outsz);
	}
	CHECK((src[0] == TITLE_EMPTY) == (len == 0));
	CHECK((src[0] == TITLE_NOT_UTF8) == (len > 0 && !utf8_valid(text, len)));
	if (src[1] == TITLE_NOT_UTF8)
		CHECK(src[0] == TITLE_NOT_UTF8);
	if (src[0] != TITLE_NOT_UTF8) {	/* a whole text cut nowhere */
		CHECK(src[1] == src[0]);
		CHECK(strcmp(out[0], out[1]) == 0);
	}
	free(out[0]);
	free(out[1]);
}

/*
 * A byte order mark in front of a whole text changes nothing: not the
 * title, its source (but that an empty text is no longer empty) or crlf.
 */
static void
check_bom(const char *text, size_t len, const char *name, size_t outsz)
{
	enum meta_title_source	 src, bsrc;
	char			*out, *bout, *bommed;
	int			 crlf, bcrlf;

	if (meta_bom_length(text, len) > 0)
		return;		/* a second BOM is a character of the first line */
	if ((out = malloc(outsz)) == NULL || (bout = malloc(outsz)) == NULL ||
	    (bommed = malloc(len + 3)) == NULL)
		abort();
	memcpy(bommed, "\xef\xbb\xbf", 3);
	memcpy(bommed + 3, text, len);
	CHECK(meta_bom_length(bommed, len + 3) == 3);
	src = meta_title(text, len, 0, name, out, outsz, &crlf);
	bsrc = meta_title(bommed, len + 3, 0, name, bout, outsz, &bcrlf);
	CHECK(bsrc == (src == TITLE_EMPTY ? TITLE_NO_HEADING : src));
	CHECK(strcmp(out, bout) == 0);
	CHECK(crlf == bcrlf);
	free(bommed);
	free(bout);
	free(out);
}

/* A note agrees with the date read: a cut date is shorter, an impossible one none. */
static void
check_note(const char *name)
{
	struct chron_date	 d;
	size_t			 looked, got = meta_parse_date(name, &d);
	enum meta_date_note	 note = meta_date_note(name, &looked);

	CHECK(looked <= strlen(name));
	if (note == DATE_IMPOSSIBLE)
		CHECK(got == 0 && looked >= 4);
	if (note == DATE_CUT)
		CHECK(got > 0 && looked >= got);
	if (got == 0 && strlen(name) >= 5 && name[4] == '-' &&
	    strspn(name, "0123456789") == 4)
		CHECK(note == DATE_IMPOSSIBLE);
}

/*
 * The end of a text read in two pieces is the end read whole, and a last
 * link that leads into the capsule is a path a request could name.
 */
static void
check_end(const char *text, size_t len, const char *name)
{
	struct meta_end	 whole, split;
	char		 out[PATH_MAX_LEN + 1];
	size_t		 cut = len / 3;

	meta_end_init(&whole);
	meta_end_feed(&whole, text, len);
	meta_end_finish(&whole);
	meta_end_init(&split);
	meta_end_feed(&split, text, cut);
	meta_end_feed(&split, text + cut, len - cut);
	meta_end_finish(&split);
	CHECK(whole.pre == split.pre && whole.link == split.link &&
	    whole.newline == split.newline &&
	    whole.target_ok == split.target_ok);
	CHECK(whole.newline == (len == 0 || text[len - 1] == '\n'));
	if (!whole.target_ok)
		return;
	CHECK(strcmp(whole.target, split.target) == 0);
	CHECK(strlen(whole.target) > 0 && strpbrk(whole.target, " \t\n") ==
	    NULL);
	if (memchr(name, '\0', strlen(name)) == NULL &&
	    meta_link_path(name, whole.target, "example.org", 1965, out)) {
		CHECK(strlen(out) <= PATH_MAX_LEN && out[0] != '/');
		CHECK(strstr(out, "//") == NULL && strncmp(out, "../", 3) != 0);
	}
}

static int
ref_gemtext(const char *name)
{
	size_t	 n = strlen(name);

	return (n > 4 && strcasecmp(name + n - 4, ".gmi") == 0) ||
	    (n > 7 && strcasecmp(name + n - 7, ".gemini") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chron_date	 d1, d2, d3;
	const char		*p = (const char *)data + 1, *nl, *base;
	char			*name, *text, *textstr;
	size_t			 outsz, namelen, textlen;

	if (size == 0)
		return 0;
	outsz = outsizes[data[0] & 15];
	nl = memchr(p, '\n', size - 1);
	namelen = nl != NULL ? (size_t)(nl - p) : size - 1;
	textlen = nl != NULL ? size - 2 - namelen : 0;
	name = dup_bytes(p, namelen, 1);
	text = dup_bytes(nl != NULL ? nl + 1 : "", textlen, 0);
	textstr = dup_bytes(text, textlen, 1);
	base = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 : name;

	CHECK(meta_is_gemtext(name) == ref_gemtext(name));
	check_date(name, &d1);
	check_date(base, &d2);
	check_date(textstr, &d3);
	check_cmp(&d2, &d3);
	check_cmp(&d1, &d2);
	check_sanitize((const char *)data, size);
	check_name_title(name, outsz);
	check_name_title(name, TITLE_MAX);
	check_text_title(text, textlen, name, outsz);
	if (outsz != TITLE_MAX)
		check_text_title(text, textlen, name, TITLE_MAX);
	check_bom(text, textlen, name, outsz);
	check_note(base);
	check_end(text, textlen, name);
	free(textstr);
	free(text);
	free(name);
	return 0;
}
