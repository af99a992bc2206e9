/* fuzz_search: libFuzzer harness for search_parse, search_bucket_build and search_render (src/search.c) against a reference folding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "casefold.h"
#include "meta.h"
#include "request.h"
#include "search.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define MAXPAGES	16
#define RS		'\x1e'	/* separates the records of the input */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_search.c:%d: invariant broken: %s\n", line, what);
	abort();
}

/* An independent decoder: strict UTF-8, an invalid byte is U+FFFD. */
static size_t
ref_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const unsigned char	 lead_max[] = { 0, 0, 0xdf, 0xef, 0xf4 };
	size_t				 n, i;
	uint32_t			 c;

	n = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] <= 0xdf ? 2 :
	    s[0] <= 0xef ? 3 : s[0] <= 0xf4 ? 4 : 0;
	if (n == 1) {
		*cp = s[0];
		return 1;
	}
	if (n == 0 || len < n || s[0] > lead_max[n])
		goto bad;
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static void
ref_put(struct buf *b, uint32_t c)
{
	char	 e[4];

	if (c < 0x80)
		buf_putc(b, (char)c);
	else if (c < 0x800) {
		e[0] = (char)(0xc0 | c >> 6);
		e[1] = (char)(0x80 | (c & 0x3f));
		buf_append(b, e, 2);
	} else if (c < 0x10000) {
		e[0] = (char)(0xe0 | c >> 12);
		e[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		e[2] = (char)(0x80 | (c & 0x3f));
		buf_append(b, e, 3);
	} else {
		e[0] = (char)(0xf0 | c >> 18);
		e[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		e[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		e[3] = (char)(0x80 | (c & 0x3f));
		buf_append(b, e, 4);
	}
}

/* The whole text folded, code point by code point. */
static void
ref_fold(const char *s, size_t len, struct buf *out)
{
	uint32_t	 cp, f[CASEFOLD_MAX];
	size_t		 i = 0, k, n, j;

	buf_reset(out);
	while (i < len) {
		k = ref_decode((const unsigned char *)s + i, len - i, &cp);
		n = casefold(cp, f);
		CHECK(n >= 1 && n <= CASEFOLD_MAX);
		for (j = 0; j < n; j++)
			ref_put(out, f[j]);
		i += k;
	}
	buf_putc(out, '\0');
	out->len--;
}

static void
check_parse(const struct search_query *q, enum search_parse r,
    const char *why)
{
	struct buf	 f;
	size_t		 i, j;

	if (r == SEARCH_BAD) {
		CHECK(why != NULL);
		CHECK(strcmp(why, "the query's percent-encoding is not valid") == 0 ||
		    strcmp(why, "the query is longer than 256 bytes") == 0 ||
		    strcmp(why, "the query is not UTF-8") == 0 ||
		    strcmp(why, "the query has a control character") == 0 ||
		    strcmp(why, "the query has more than 16 words") == 0);
		return;
	}
	CHECK(q->len <= SEARCH_QUERY_MAX && q->text[q->len] == '\0');
	CHECK(utf8_valid(q->text, q->len));
	for (i = 0; i < q->len; i++)
		CHECK((unsigned char)q->text[i] >= 0x20 && q->text[i] != 0x7f);
	CHECK((r == SEARCH_OK) == (q->nwords > 0));
	CHECK(q->nwords <= SEARCH_WORDS_MAX);
	buf_init(&f);
	for (i = 0; i < q->nwords; i++) {
		const char	*w = q->folded + q->word_off[i];

		CHECK(q->word_len[i] > 0 && q->word_len[i] <= SEARCH_WORD_MAX);
		CHECK(memchr(w, '\0', q->word_len[i]) == NULL);
		CHECK(utf8_valid(w, q->word_len[i]));
		/* Folded already: folding again changes nothing. */
		ref_fold(w, q->word_len[i], &f);
		CHECK(f.len == q->word_len[i] && memcmp(f.data, w, f.len) == 0);
		for (j = 0; j < i; j++)
			CHECK(q->word_len[j] != q->word_len[i] || memcmp(w,
			    q->folded + q->word_off[j], q->word_len[i]) != 0);
	}
	buf_free(&f);
}

/* 1 when the folded title or text of p holds every word of q. */
static int
ref_matches(const struct page *p, const struct search_query *q)
{
	struct buf	 t, x;
	size_t		 i;
	int		 all = 1;

	buf_init(&t);
	buf_init(&x);
	ref_fold(p->title, strlen(p->title), &t);
	ref_fold(p->search_text, p->search_len, &x);
	CHECK(!t.failed && !x.failed);
	for (i = 0; i < q->nwords && all; i++)
		all = memmem(t.data, t.len, q->folded + q->word_off[i],
		    q->word_len[i]) != NULL || memmem(x.data, x.len,
		    q->folded + q->word_off[i], q->word_len[i]) != NULL;
	buf_free(&t);
	buf_free(&x);
	return all;
}

/*
 * The page is UTF-8 gemtext without controls but '\n'; every link is to
 * a page that has text and holds every word, at most SEARCH_SHOWN of
 * them, each once; the count said is at least that many.
 */
static char	 want[MAXPAGES][64 + TITLE_MAX];	/* each page's link line */
static size_t	 want_len[MAXPAGES];

static void
check_render(const char *s, size_t len, struct page *pages, size_t n,
    const struct search_query *q)
{
	const char	*line, *nl, *end = s + len;
	size_t		 i, links = 0, said = 0;
	int		 listed[MAXPAGES] = { 0 };

	CHECK(utf8_valid(s, len));
	for (i = 0; i < len; i++)
		CHECK((unsigned char)s[i] >= 0x20 || s[i] == '\n');
	CHECK(len > 0 && s[len - 1] == '\n');
	CHECK(strncmp(s, "# Search: ", 10) == 0);
	for (line = s; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (sscanf(line, "%zu pages match", &said) == 1 ||
		    strncmp(line, "One page matches.", 17) == 0)
			said = said ? said : 1;
		if (strncmp(line, "=> /", 4) != 0 ||
		    strncmp(line, "=> /search ", 11) == 0 ||
		    strncmp(line, "=> / Index", 10) == 0)
			continue;
		for (i = 0; i < n; i++)
			if ((size_t)(nl - line) + 1 == want_len[i] &&
			    memcmp(line, want[i], want_len[i]) == 0)
				break;
		CHECK(i < n);
		CHECK(!listed[i]);
		CHECK(pages[i].search_text != NULL);
		CHECK(ref_matches(&pages[i], q));
		listed[i] = 1;
		links++;
	}
	CHECK(links <= SEARCH_SHOWN);
	CHECK(said >= links);
	CHECK(said <= n);
}

/*
 * Input: the query (percent-encoded) up to '\n', then records separated
 * by RS, one per page: "title\ntext".  A title starting with '!' makes
 * a page without text, as a private one is.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct page	 pages[MAXPAGES];
	static char		 paths[MAXPAGES][32], titles[MAXPAGES][TITLE_MAX];
	struct page		*ptrs[MAXPAGES];
	struct search_query	 q;
	struct search_bucket	*b[2];
	struct buf		 out;
	const char		*in = (const char *)data, *end = in + size;
	const char		*nl, *rs, *why;
	size_t			 n = 0, tl;
	enum search_parse	 r;

	nl = memchr(in, '\n', size);
	r = search_parse(in, nl ? (size_t)(nl - in) : size, &q, &why);
	check_parse(&q, r, why);
	if (nl == NULL || r != SEARCH_OK)
		return 0;
	for (in = nl + 1; in < end && n < MAXPAGES; in = rs + 1, n++) {
		struct page	*p = &pages[n];

		rs = memchr(in, RS, (size_t)(end - in));
		rs = rs ? rs : end;
		nl = memchr(in, '\n', (size_t)(rs - in));
		nl = nl ? nl : rs;
		tl = (size_t)(nl - in) < TITLE_MAX ? (size_t)(nl - in) :
		    TITLE_MAX - 1;
		memset(p, 0, sizeof(*p));
		memcpy(titles[n], in, tl);
		titles[n][tl] = '\0';
		meta_sanitize(titles[n]);
		snprintf(paths[n], sizeof(paths[n]), "p%zu.gmi", n);
		p->path = paths[n];
		p->title = titles[n];
		/* Even pages are dated, with the line the catalog renders. */
		want_len[n] = (size_t)snprintf(want[n], sizeof(want[n]),
		    "=> /%s %s - %s\n", p->path, n % 2 ? "1970-01-01" : "1970",
		    p->title);
		if (n % 2 == 0) {
			p->date.year = 1970;
			p->line = want[n];
			p->line_len = want_len[n];
		}
		if (titles[n][0] != '!') {
			p->search_text = (char *)(nl < rs ? nl + 1 : rs);
			p->search_len = (size_t)(rs - p->search_text);
		}
		ptrs[n] = p;
	}
	b[0] = search_bucket_build(ptrs, n / 2);
	b[1] = search_bucket_build(ptrs + n / 2, n - n / 2);
	CHECK(b[0] != NULL && b[1] != NULL);
	buf_init(&out);
	search_render(&out, &q, b, 2);
	CHECK(!out.failed);
	check_render(out.data, out.len, pages, n, &q);
	buf_free(&out);
	search_bucket_unref(b[0]);
	search_bucket_unref(b[1]);
	return 0;
}
