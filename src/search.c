/* search: the /search query parser, and matching and ranking over the text of a capsule's pages (no I/O). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meta.h"
#include "path.h"
#include "search.h"

#define POST_COUNT_MAX	127	/* occurrences counted per page and word */
#define POST_TITLE	0x80u	/* the word is in the page's title */
#define POST_PAGE_SHIFT	8
#define COUNT_CAP	16	/* more occurrences than this rank no higher */
#define LINES_SHOWN	2	/* matching lines per page */
#define CONTEXT_BEFORE	60	/* bytes of a line shown before its match */
#define CONTEXT_BYTES	200	/* bytes of a line shown in all */
#define FOLD_GROWTH	3	/* folding makes UTF-8 at most this many times longer */

/*
 * vocab is "\0word\0word...\0": a query word (word characters only, so
 * never a NUL) is looked for in all of it with one memmem.  Word i
 * starts at starts[i]; starts[nwords] is one past the last NUL.  Its
 * postings are posts[post_at[i] .. post_at[i + 1]), by page.
 */
struct search_bucket {
	int		 refs;
	struct page	**pages;
	size_t		 npages;
	char		*vocab;
	size_t		 vocab_len;
	uint32_t	*starts;
	uint32_t	*post_at;
	uint32_t	*posts;	/* page << POST_PAGE_SHIFT | POST_TITLE | count */
	size_t		 nwords;
	size_t		 nposts;
};

/* UTF-8 */

/* One code point from s[0..len): its length; an invalid sequence is one byte, *cp = U+FFFD. */
static size_t
search_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t		 n, i;
	uint32_t	 c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		goto bad;
	if (len < n)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static size_t
search_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Letters, digits and marks, roughly: all but ASCII punctuation and the
 * blocks of punctuation, symbols and emoji, so that any script's words
 * are words without a table of every letter.
 */
static int
search_is_word(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z');
	if (c <= 0xbf)
		return c == 0xaa || c == 0xb5 || c == 0xba;
	return c != 0xd7 && c != 0xf7 && !(c >= 0x2000 && c <= 0x206f) &&
	    !(c >= 0x2190 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f) &&
	    !(c >= 0xfe10 && c <= 0xfe1f) && !(c >= 0xfe30 && c <= 0xfe6f) &&
	    !(c >= 0xff01 && c <= 0xff0f) && !(c >= 0xff1a && c <= 0xff20) &&
	    !(c >= 0xff3b && c <= 0xff40) && !(c >= 0xff5b && c <= 0xff65) &&
	    c != 0xfeff && c != 0xfffd && !(c >= 0x1f000 && c <= 0x1faff);
}

/*
 * The next word of s[*pos..len), case-folded into out[SEARCH_WORD_MAX]:
 * its length, 0 at the end.  A longer run of word characters goes on
 * as the next word.
 */
static size_t
search_next_word(const char *s, size_t len, size_t *pos, char *out)
{
	uint32_t	 cp, f[CASEFOLD_MAX];
	char		 enc[CASEFOLD_MAX * 4];
	size_t		 n = 0, k, nf, i, e;
	unsigned char	 c;

	while (*pos < len) {
		/* ASCII, most of most pages, without decoding or tables. */
		c = (unsigned char)s[*pos];
		if (c < 0x80 && search_is_word(c)) {
			if (n == SEARCH_WORD_MAX)
				return n;
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
			(*pos)++;
			continue;
		}
		k = search_decode((const unsigned char *)s + *pos, len - *pos,
		    &cp);
		if (!search_is_word(cp)) {
			*pos += k;
			if (n > 0)
				return n;
			continue;
		}
		nf = casefold(cp, f);
		for (i = 0, e = 0; i < nf; i++)
			e += search_encode(f[i], enc + e);
		if (n + e > SEARCH_WORD_MAX)
			return n;
		memcpy(out + n, enc, e);
		n += e;
		*pos += k;
	}
	return n;
}

/* The query */

/* Percent-decodes raw into q->text: 0, or -1 with why. */
static int
search_unescape(const char *raw, size_t len, struct search_query *q,
    const char **why)
{
	size_t	 i;
	int	 hi, lo;
	char	 c;

	q->len = 0;
	for (i = 0; i < len; i++) {
		c = raw[i];
		if (c == '%') {
			if (len - i < 3 ||
			    (hi = path_hex_value(raw[i + 1])) < 0 ||
			    (lo = path_hex_value(raw[i + 2])) < 0) {
				*why = "the query's percent-encoding is not valid";
				return -1;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (q->len == SEARCH_QUERY_MAX) {
			*why = "the query is longer than 256 bytes";
			return -1;
		}
		q->text[q->len++] = c;
	}
	q->text[q->len] = '\0';
	return 0;
}

/* UTF-8 without control characters, which could break the page's lines. */
static int
search_check_text(const struct search_query *q, const char **why)
{
	const unsigned char	*s = (const unsigned char *)q->text;
	uint32_t		 cp;
	size_t			 i = 0, k;

	while (i < q->len) {
		k = search_decode(s + i, q->len - i, &cp);
		if (cp == 0xfffd && k == 1) {
			*why = "the query is not UTF-8";
			return -1;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			*why = "the query has a control character";
			return -1;
		}
		i += k;
	}
	return 0;
}

static int
search_has_word(const struct search_query *q, const char *w, size_t n)
{
	size_t	 i;

	for (i = 0; i < q->nwords; i++)
		if (q->word_len[i] == n &&
		    memcmp(q->folded + q->word_off[i], w, n) == 0)
			return 1;
	return 0;
}

enum search_parse
search_parse(const char *raw, size_t len, struct search_query *q,
    const char **why)
{
	char	 w[SEARCH_WORD_MAX];
	size_t	 pos = 0, n, used = 0;

	memset(q, 0, sizeof(*q));
	*why = NULL;
	if (search_unescape(raw, len, q, why) == -1 ||
	    search_check_text(q, why) == -1)
		return SEARCH_BAD;
	while ((n = search_next_word(q->text, q->len, &pos, w)) > 0) {
		if (search_has_word(q, w, n))
			continue;
		if (q->nwords == SEARCH_WORDS_MAX) {
			*why = "the query has more than 16 words";
			return SEARCH_BAD;
		}
		memcpy(q->folded + used, w, n);
		q->word_off[q->nwords] = used;
		q->word_len[q->nwords++] = n;
		used += n;
		q->folded[used++] = '\0';
	}
	return q->nwords > 0 ? SEARCH_OK : SEARCH_EMPTY;
}

/* Building a bucket */

unsigned
search_bucket_of(const char *path)
{
	uint32_t	 h = 2166136261u;

	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return h % SEARCH_BUCKETS;
}

/* Room for n more elements of size sz in *v (of *cap): 0 or -1. */
static int
search_grow(void **v, size_t *cap, size_t len, size_t n, size_t sz)
{
	size_t	 want = *cap ? *cap : 64;
	void	*nv;

	if (len + n <= *cap)
		return 0;
	while (want < len + n)
		want *= 2;
	if ((nv = realloc(*v, want * sz)) == NULL)
		return -1;
	*v = nv;
	*cap = want;
	return 0;
}

/* A word in the page being added. */
struct search_seen {
	uint32_t	 page;		/* + 1: the last page it was seen in */
	uint32_t	 count;
	int		 title;
};

/* What a build needs while it runs; freed at its end. */
struct search_build {
	struct search_bucket	*b;
	struct buf		 vocab;
	uint32_t		*slots;		/* word id + 1, 0 empty */
	size_t			 nslots;
	size_t			 starts_cap;
	struct search_seen	*seen;		/* per word, in the current page */
	size_t			 seen_cap;
	uint32_t		*touched;	/* the words of the current page */
	size_t			 ntouched, touched_cap;
	uint64_t		*pairs;		/* word << 32 | posting */
	size_t			 npairs, pairs_cap;
};

static uint32_t
search_hash(const char *w, size_t n)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h;
}

static size_t
search_word_len(const struct search_bucket *b, size_t id)
{
	return b->starts[id + 1] - b->starts[id] - 1;
}

static int
search_rehash(struct search_build *sb)
{
	size_t		 n = sb->nslots ? sb->nslots * 2 : 1024, i, j;
	uint32_t	*slots;
	const struct search_bucket *b = sb->b;

	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return -1;
	for (i = 0; i < b->nwords; i++) {
		j = search_hash(sb->vocab.data + b->starts[i],
		    search_word_len(b, i)) & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(sb->slots);
	sb->slots = slots;
	sb->nslots = n;
	return 0;
}

/* The id of word w, added when new: 0 or -1. */
static int
search_intern(struct search_build *sb, const char *w, size_t n, uint32_t *id)
{
	struct search_bucket	*b = sb->b;
	size_t			 j;
	uint32_t		 s;

	if (2 * (b->nwords + 1) > sb->nslots && search_rehash(sb) == -1)
		return -1;
	j = search_hash(w, n) & (sb->nslots - 1);
	while ((s = sb->slots[j]) != 0) {
		if (search_word_len(b, s - 1) == n &&
		    memcmp(sb->vocab.data + b->starts[s - 1], w, n) == 0) {
			*id = s - 1;
			return 0;
		}
		j = (j + 1) & (sb->nslots - 1);
	}
	if (search_grow((void **)&b->starts, &sb->starts_cap, b->nwords, 2,
	    sizeof(*b->starts)) == -1 ||
	    search_grow((void **)&sb->seen, &sb->seen_cap, b->nwords, 1,
	    sizeof(*sb->seen)) == -1)
		return -1;
	buf_append(&sb->vocab, w, n);
	buf_putc(&sb->vocab, '\0');
	if (sb->vocab.failed || sb->vocab.len > UINT32_MAX)
		return -1;
	*id = (uint32_t)b->nwords++;
	sb->seen[*id].page = 0;
	b->starts[b->nwords] = (uint32_t)sb->vocab.len;
	sb->slots[j] = *id + 1;
	return 0;
}

static int
search_add_words(struct search_build *sb, uint32_t page, const char *s,
    size_t len, int in_title)
{
	struct search_seen	*seen;
	char			 w[SEARCH_WORD_MAX];
	size_t			 pos = 0, n;
	uint32_t		 id;

	while ((n = search_next_word(s, len, &pos, w)) > 0) {
		if (search_intern(sb, w, n, &id) == -1)
			return -1;
		seen = &sb->seen[id];
		if (seen->page != page + 1) {
			if (search_grow((void **)&sb->touched,
			    &sb->touched_cap, sb->ntouched, 1,
			    sizeof(*sb->touched)) == -1)
				return -1;
			sb->touched[sb->ntouched++] = id;
			seen->page = page + 1;
			seen->count = 0;
			seen->title = 0;
		}
		if (in_title)
			seen->title = 1;
		else if (seen->count < POST_COUNT_MAX)
			seen->count++;
	}
	return 0;
}

static int
search_add_page(struct search_build *sb, uint32_t page, const struct page *p)
{
	size_t		 i;
	uint32_t	 id, post;

	sb->ntouched = 0;
	if (search_add_words(sb, page, p->title, strlen(p->title), 1) == -1 ||
	    search_add_words(sb, page, p->search_text, p->search_len, 0) == -1)
		return -1;
	if (search_grow((void **)&sb->pairs, &sb->pairs_cap, sb->npairs,
	    sb->ntouched, sizeof(*sb->pairs)) == -1)
		return -1;
	for (i = 0; i < sb->ntouched; i++) {
		id = sb->touched[i];
		post = page << POST_PAGE_SHIFT | sb->seen[id].count |
		    (sb->seen[id].title ? POST_TITLE : 0);
		sb->pairs[sb->npairs++] = (uint64_t)id << 32 | post;
	}
	return 0;
}

/* The pairs, emitted page by page, sorted by word with a stable counting sort. */
static int
search_postings(struct search_build *sb)
{
	struct search_bucket	*b = sb->b;
	size_t			 i;
	uint32_t		 id;

	if ((b->post_at = calloc(b->nwords + 1, sizeof(*b->post_at))) ==
	    NULL || (b->posts = malloc((sb->npairs ? sb->npairs : 1) *
	    sizeof(*b->posts))) == NULL)
		return -1;
	for (i = 0; i < sb->npairs; i++)
		b->post_at[(sb->pairs[i] >> 32) + 1]++;
	for (i = 0; i < b->nwords; i++)
		b->post_at[i + 1] += b->post_at[i];
	/* post_at[id] is used as the cursor, then moved back. */
	for (i = 0; i < sb->npairs; i++) {
		id = (uint32_t)(sb->pairs[i] >> 32);
		b->posts[b->post_at[id]++] = (uint32_t)sb->pairs[i];
	}
	for (i = b->nwords; i > 0; i--)
		b->post_at[i] = b->post_at[i - 1];
	b->post_at[0] = 0;
	b->nposts = sb->npairs;
	return 0;
}

static void
search_build_free(struct search_build *sb)
{
	buf_free(&sb->vocab);
	free(sb->slots);
	free(sb->seen);
	free(sb->touched);
	free(sb->pairs);
}

static void
search_bucket_free(struct search_bucket *b)
{
	if (b == NULL)
		return;
	free(b->pages);
	free(b->vocab);
	free(b->starts);
	free(b->post_at);
	free(b->posts);
	free(b);
}

struct search_bucket *
search_bucket_build(struct page *const *pages, size_t n)
{
	struct search_build	 sb;
	struct search_bucket	*b;
	size_t			 i;

	memset(&sb, 0, sizeof(sb));
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->pages = malloc((n ? n : 1) * sizeof(*b->pages))) == NULL)
		goto fail;
	b->refs = 1;
	sb.b = b;
	buf_init(&sb.vocab);
	buf_putc(&sb.vocab, '\0');
	if (search_grow((void **)&b->starts, &sb.starts_cap, 0, 1,
	    sizeof(*b->starts)) == -1)
		goto fail;
	b->starts[0] = 1;
	for (i = 0; i < n; i++) {
		if (pages[i]->search_text == NULL)
			continue;
		if (b->npages >= (UINT32_MAX >> POST_PAGE_SHIFT) ||
		    search_add_page(&sb, (uint32_t)b->npages, pages[i]) == -1)
			goto fail;
		b->pages[b->npages++] = pages[i];
	}
	if (search_postings(&sb) == -1)
		goto fail;
	b->vocab = buf_steal(&sb.vocab, &b->vocab_len);
	if (b->vocab == NULL)
		goto fail;
	search_build_free(&sb);
	return b;
fail:
	search_build_free(&sb);
	search_bucket_free(b);
	return NULL;
}

void
search_bucket_ref(struct search_bucket *b)
{
	if (b != NULL)
		b->refs++;
}

void
search_bucket_unref(struct search_bucket *b)
{
	if (b != NULL && --b->refs == 0)
		search_bucket_free(b);
}

size_t
search_bucket_bytes(const struct search_bucket *b)
{
	if (b == NULL)
		return 0;
	return sizeof(*b) + b->npages * sizeof(*b->pages) + b->vocab_len +
	    (b->nwords + 1) * (sizeof(*b->starts) + sizeof(*b->post_at)) +
	    b->nposts * sizeof(*b->posts);
}

/* Matching */

/* A page that has every word, as ranked. */
struct search_hit {
	const struct page	*page;
	unsigned		 in_title;	/* how many words are in its title */
	uint32_t		 score;
	time_t			 when;
};

/* Per page of the bucket being matched. */
struct search_scratch {
	uint16_t	*mask;		/* the words found */
	uint16_t	*tmask;		/* the words found in the title */
	uint32_t	*score;
	size_t		 cap;
};

/*
 * When a page says it happened, in seconds since 1970: its date, else
 * its publication.  Days from the civil date by arithmetic (H. Hinnant's
 * days_from_civil), since timegm for every match would cost more than
 * the matching.
 */
static time_t
search_when(const struct page *p)
{
	long	 y = p->date.year, m = p->date.month ? p->date.month : 1;
	long	 d = p->date.day ? p->date.day : 1, era, yoe, doy, doe;

	if (p->date.year == 0)
		return p->mtime;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (time_t)(era * 146097 + doe - 719468) * 86400;
}

/* 1 when a ranks before b. */
static int
search_better(const struct search_hit *a, const struct search_hit *b)
{
	if (a->in_title != b->in_title)
		return a->in_title > b->in_title;
	if (a->score != b->score)
		return a->score > b->score;
	if (a->when != b->when)
		return a->when > b->when;
	return strcmp(a->page->path, b->page->path) < 0;
}

/* Keeps the SEARCH_SHOWN best in top[0..*ntop), best first. */
static void
search_keep(struct search_hit *top, size_t *ntop, const struct search_hit *h)
{
	size_t	 i = *ntop;

	if (i == SEARCH_SHOWN) {
		if (!search_better(h, &top[i - 1]))
			return;
		i--;
	} else
		(*ntop)++;
	while (i > 0 && search_better(h, &top[i - 1])) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *h;
}

/*
 * The word that holds vocab[off], 'from' or after it: hits come in order,
 * often close together, so the search gallops from the last one.
 */
static size_t
search_word_at(const struct search_bucket *b, size_t from, size_t off)
{
	size_t	 lo = from, hi, mid, step = 1;

	while (lo + step < b->nwords && b->starts[lo + step] <= off) {
		lo += step;
		step *= 2;
	}
	hi = lo + step < b->nwords ? lo + step : b->nwords;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (b->starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Credits the pages of vocabulary word id, which holds query word k at off. */
static void
search_credit(const struct search_bucket *b, struct search_scratch *sc,
    size_t id, size_t off, size_t k, size_t wlen)
{
	uint32_t	 weight, count, page, post;
	uint16_t	 need = (uint16_t)((1u << k) - 1), bit = (uint16_t)(1u << k);
	size_t		 i;

	if (off != b->starts[id])
		weight = 1;		/* inside a word */
	else if (search_word_len(b, id) != wlen)
		weight = 2;		/* its beginning */
	else
		weight = 4;		/* the word itself */
	for (i = b->post_at[id]; i < b->post_at[id + 1]; i++) {
		post = b->posts[i];
		page = post >> POST_PAGE_SHIFT;
		/* A page that lacks an earlier word is out already. */
		if ((sc->mask[page] & need) != need)
			continue;
		count = post & POST_COUNT_MAX;
		sc->mask[page] |= bit;
		if (post & POST_TITLE)
			sc->tmask[page] |= bit;
		sc->score[page] += weight * (count < COUNT_CAP ? count : COUNT_CAP);
	}
}

static void
search_word(const struct search_bucket *b, struct search_scratch *sc,
    const char *w, size_t wlen, size_t k)
{
	const char	*v = b->vocab, *end = b->vocab + b->vocab_len, *hit;
	size_t		 id = 0;

	while ((hit = memmem(v, (size_t)(end - v), w, wlen)) != NULL) {
		id = search_word_at(b, id, (size_t)(hit - b->vocab));
		search_credit(b, sc, id, (size_t)(hit - b->vocab), k, wlen);
		v = b->vocab + b->starts[id + 1];
		if (v >= end)
			break;
	}
}

static unsigned
search_popcount(uint16_t m)
{
	unsigned	 n = 0;

	for (; m != 0; m &= (uint16_t)(m - 1))
		n++;
	return n;
}

/* Matches one bucket: returns how many pages have every word. */
static size_t
search_bucket(const struct search_bucket *b, const struct search_query *q,
    struct search_scratch *sc, struct search_hit *top, size_t *ntop)
{
	struct search_hit	 h;
	uint16_t		 all = (uint16_t)((1u << q->nwords) - 1);
	size_t			 i, k, found = 0;

	memset(sc->mask, 0, b->npages * sizeof(*sc->mask));
	memset(sc->tmask, 0, b->npages * sizeof(*sc->tmask));
	memset(sc->score, 0, b->npages * sizeof(*sc->score));
	for (k = 0; k < q->nwords; k++)
		search_word(b, sc, q->folded + q->word_off[k], q->word_len[k],
		    k);
	for (i = 0; i < b->npages; i++) {
		if (sc->mask[i] != all)
			continue;
		found++;
		h.page = b->pages[i];
		h.in_title = search_popcount(sc->tmask[i]);
		h.score = sc->score[i];
		h.when = search_when(b->pages[i]);
		search_keep(top, ntop, &h);
	}
	return found;
}

static int
search_scratch_fit(struct search_scratch *sc, size_t n)
{
	if (n <= sc->cap)
		return 0;
	free(sc->mask);
	free(sc->tmask);
	free(sc->score);
	sc->mask = malloc(n * sizeof(*sc->mask));
	sc->tmask = malloc(n * sizeof(*sc->tmask));
	sc->score = malloc(n * sizeof(*sc->score));
	sc->cap = n;
	if (sc->mask == NULL || sc->tmask == NULL || sc->score == NULL) {
		sc->cap = 0;
		return -1;
	}
	return 0;
}

/* Snippets */

/* A line's text folded, with where each folded byte comes from. */
struct search_folded {
	char		*f;
	uint32_t	*from;
	size_t		 len, cap;
};

static int
search_fold_line(struct search_folded *fl, const char *s, size_t len)
{
	uint32_t	 cp, f[CASEFOLD_MAX];
	size_t		 i = 0, k, nf, j, e;
	char		*nf_buf;
	uint32_t	*nfrom;

	if (fl->f == NULL || (len + 1) * FOLD_GROWTH > fl->cap) {
		if ((nf_buf = realloc(fl->f, (len + 1) * FOLD_GROWTH)) == NULL)
			return -1;
		fl->f = nf_buf;
		if ((nfrom = realloc(fl->from, (len + 1) * FOLD_GROWTH *
		    sizeof(*nfrom))) == NULL)
			return -1;
		fl->from = nfrom;
		fl->cap = (len + 1) * FOLD_GROWTH;
	}
	fl->len = 0;
	while (i < len) {
		k = search_decode((const unsigned char *)s + i, len - i, &cp);
		nf = casefold(cp, f);
		for (j = 0; j < nf; j++) {
			e = search_encode(f[j], fl->f + fl->len);
			while (e-- > 0)
				fl->from[fl->len++] = (uint32_t)i;
		}
		i += k;
	}
	return 0;
}

/* The text a reader sees of a gemtext line: no markup, no link target. */
static void
search_line_text(const char *s, size_t len, int pre, const char **out,
    size_t *outlen)
{
	size_t	 i = 0;

	if (!pre && len >= 2 && s[0] == '=' && s[1] == '>') {
		for (i = 2; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
	} else if (!pre && len >= 1 && (s[0] == '#' || s[0] == '>'))
		while (i < len && (s[i] == '#' || s[i] == '>'))
			i++;
	else if (!pre && len >= 2 && s[0] == '*' && s[1] == ' ')
		i = 1;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*out = s + i;
	*outlen = len - i;
}

/* A line worth showing: where it is, how many words it has, the first match. */
struct search_line {
	const char	*text;
	size_t		 len;
	size_t		 words;
	size_t		 at;		/* in text, where the first match begins */
};

static int
search_line_words(const struct search_folded *fl, const struct search_query *q,
    size_t *at)
{
	const char	*hit;
	size_t		 k, n = 0, first = SIZE_MAX;

	for (k = 0; k < q->nwords; k++) {
		hit = memmem(fl->f, fl->len, q->folded + q->word_off[k],
		    q->word_len[k]);
		if (hit == NULL)
			continue;
		n++;
		if ((size_t)(hit - fl->f) < first)
			first = (size_t)(hit - fl->f);
	}
	if (first < fl->len)
		*at = fl->from[first];
	return (int)n;
}

/* The best LINES_SHOWN lines of p in lines[], in the page's order: their count, -1 out of memory. */
static int
search_pick_lines(const struct page *p, const struct search_query *q,
    struct search_folded *fl, struct search_line *lines)
{
	const char	*s = p->search_text, *nl, *t;
	const char	*end = p->search_text + p->search_len;
	size_t		 n = 0, tlen, len, i, weak, at = 0;
	int		 pre = 0, words;

	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		nl = nl != NULL ? nl : end;
		len = (size_t)(nl - s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len >= 3 && memcmp(s, "```", 3) == 0) {
			pre = !pre;
			continue;
		}
		search_line_text(s, len, pre, &t, &tlen);
		/* The title heading is the result's link already. */
		if (!pre && s[0] == '#' && (len < 2 || s[1] != '#') &&
		    tlen == strlen(p->title) && memcmp(t, p->title, tlen) == 0)
			continue;
		if (tlen == 0)
			continue;
		if (search_fold_line(fl, t, tlen) == -1)
			return -1;
		if ((words = search_line_words(fl, q, &at)) == 0)
			continue;
		/* Replaces the weakest kept line, the later one on a tie. */
		if (n == LINES_SHOWN) {
			for (i = 0, weak = 0; i < n; i++)
				if (lines[i].words <= lines[weak].words)
					weak = i;
			if ((size_t)words <= lines[weak].words)
				continue;
			i = weak;
			memmove(&lines[i], &lines[i + 1],
			    (n - i - 1) * sizeof(*lines));
			n--;
		}
		lines[n].text = t;
		lines[n].len = tlen;
		lines[n].words = (size_t)words;
		lines[n++].at = at;
	}
	return (int)n;
}

/* Back from i to the start of a code point. */
static size_t
search_cp_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* s[0..len) as a line's text: controls become spaces, broken UTF-8 U+FFFD. */
static void
search_put_clean(struct buf *out, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i = 0, k;

	while (i < len) {
		k = search_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			buf_putc(out, ' ');
		else if (cp == 0xfffd && k == 1)
			buf_puts(out, "\xef\xbf\xbd");
		else
			buf_append(out, s + i, k);
		i += k;
	}
}

/* "> …context…": the line around its first match, cut at spaces when it can be. */
static void
search_put_line(struct buf *out, const struct search_line *l)
{
	size_t	 from = 0, to = l->len, i;

	if (l->at > CONTEXT_BEFORE) {
		from = search_cp_start(l->text, l->at - CONTEXT_BEFORE);
		for (i = from; i < l->at; i++)
			if (l->text[i] == ' ') {
				from = i + 1;
				break;
			}
	}
	if (to - from > CONTEXT_BYTES) {
		to = search_cp_start(l->text, from + CONTEXT_BYTES);
		for (i = to; i > from + CONTEXT_BYTES / 2; i--)
			if (l->text[i] == ' ') {
				to = i;
				break;
			}
	}
	buf_puts(out, "> ");
	if (from > 0)
		buf_puts(out, "…");
	search_put_clean(out, l->text + from, to - from);
	if (to < l->len)
		buf_puts(out, "…");
	buf_putc(out, '\n');
}

/* Rendering */

static void
search_put_link(struct buf *out, const struct page *p)
{
	char		 enc[3 * PATH_MAX_LEN + 2], date[16];
	struct tm	 tm;

	if (p->line != NULL) {
		buf_append(out, p->line, p->line_len);
		return;
	}
	path_encode(p->path, enc, sizeof(enc));
	if (p->date.year != 0)
		meta_format_date(&p->date, date, sizeof(date));
	else if (gmtime_r(&p->mtime, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
		snprintf(date, sizeof(date), "undated");
	buf_printf(out, "=> /%s %s - %s\n", enc, date, p->title);
}

static void
search_put_hit(struct buf *out, const struct search_hit *h,
    const struct search_query *q, struct search_folded *fl)
{
	struct search_line	 lines[LINES_SHOWN];
	int			 n, i;

	buf_putc(out, '\n');
	search_put_link(out, h->page);
	if ((n = search_pick_lines(h->page, q, fl, lines)) == -1) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		search_put_line(out, &lines[i]);
}

static void
search_put_head(struct buf *out, const struct search_query *q, size_t found,
    size_t shown)
{
	buf_printf(out, "# Search: %s\n\n", q->text);
	if (found == 0)
		buf_printf(out, "No page matches “%s”.\n", q->text);
	else if (found == 1)
		buf_puts(out, "One page matches.\n");
	else if (found == shown)
		buf_printf(out, "%zu pages match, best first.\n", found);
	else
		buf_printf(out, "%zu pages match; the best %zu are listed.\n",
		    found, shown);
}

void
search_render(struct buf *out, const struct search_query *q,
    struct search_bucket *const *buckets, size_t nbuckets)
{
	struct search_scratch	 sc;
	struct search_folded	 fl;
	struct search_hit	 top[SEARCH_SHOWN];
	size_t			 i, ntop = 0, found = 0;

	memset(&sc, 0, sizeof(sc));
	memset(&fl, 0, sizeof(fl));
	for (i = 0; i < nbuckets; i++) {
		if (buckets[i] == NULL || buckets[i]->npages == 0)
			continue;
		if (search_scratch_fit(&sc, buckets[i]->npages) == -1) {
			out->failed = 1;
			goto done;
		}
		found += search_bucket(buckets[i], q, &sc, top, &ntop);
	}
	search_put_head(out, q, found, ntop);
	for (i = 0; i < ntop; i++)
		search_put_hit(out, &top[i], q, &fl);
	buf_puts(out, "\n=> /search Search again\n=> / Index\n");
done:
	free(sc.mask);
	free(sc.tmask);
	free(sc.score);
	free(fl.f);
	free(fl.from);
}
