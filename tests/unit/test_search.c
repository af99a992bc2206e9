/* test_search: the query parser, Unicode case folding, AND, ranking and matching lines of /search (src/search.c, src/casefold.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "casefold.h"
#include "meta.h"
#include "search.h"
#include "tap.h"

static struct search_query	 q;
static const char		*why;

static enum search_parse
parse(const char *raw)
{
	return search_parse(raw, strlen(raw), &q, &why);
}

/* The query's words joined by '|'. */
static const char *
words(void)
{
	static char	 s[sizeof(q.folded) + SEARCH_WORDS_MAX];
	size_t		 i, n = 0;

	s[0] = '\0';
	for (i = 0; i < q.nwords; i++) {
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%.*s",
		    i ? "|" : "", (int)q.word_len[i], q.folded + q.word_off[i]);
	}
	return s;
}

static void
good(const char *raw, const char *want)
{
	char	 name[512];

	snprintf(name, sizeof(name), "'%.60s' parses", raw);
	if (is_int(parse(raw), SEARCH_OK, name)) {
		snprintf(name, sizeof(name), "'%.60s' has the words %s", raw,
		    want);
		is_str(words(), want, name);
	}
}

static void
bad(const char *raw, const char *reason)
{
	char	 name[512];

	snprintf(name, sizeof(name), "'%.60s' is refused", raw);
	if (is_int(parse(raw), SEARCH_BAD, name))
		is_str(why, reason, "  because of what it is");
}

static void
test_parse(void)
{
	char	 raw[1024];

	is_int(search_parse(NULL, 0, &q, &why), SEARCH_EMPTY, "no query: ask for one");
	is_int(parse(""), SEARCH_EMPTY, "an empty query: ask for one");
	is_int(parse("%20%20"), SEARCH_EMPTY, "only spaces: ask for one");
	is_int(parse("...%21"), SEARCH_EMPTY, "only punctuation: ask for one");
	good("camp", "camp");
	good("Camp%20ASHRAF", "camp|ashraf");
	is_str(q.text, "Camp ASHRAF", "the decoded text is kept as written");
	good("camp+ashraf", "camp|ashraf");
	good("camp%2c%20camp%20CAMP", "camp");
	good("l%27%C3%A9t%C3%A9", "l|été");
	good("%C3%89T%C3%89", "été");
	good("STRASSE", "strasse");
	good("stra%C3%9Fe", "strasse");
	good("%CE%A3%CE%8A%CE%A3%CE%A5%CE%A6%CE%9F%CE%A3", "σίσυφοσ");
	good("%CF%83%CE%AF%CF%83%CF%85%CF%86%CE%BF%CF%82", "σίσυφοσ");
	good("%D0%9C%D0%9E%D0%A1%D0%9A%D0%92%D0%90", "москва");
	good("%E6%9D%B1%E4%BA%AC%E3%80%82%E5%A4%A7%E9%98%AA", "東京|大阪");
	good("%E2%84%AA", "k");
	bad("%", "the query's percent-encoding is not valid");
	bad("ab%2", "the query's percent-encoding is not valid");
	bad("%g1", "the query's percent-encoding is not valid");
	bad("%FF", "the query is not UTF-8");
	bad("caf%C3", "the query is not UTF-8");
	bad("%C0%80", "the query is not UTF-8");
	bad("%ED%A0%80", "the query is not UTF-8");
	bad("%F4%90%80%80", "the query is not UTF-8");
	bad("a%0Ab", "the query has a control character");
	bad("%00", "the query has a control character");
	bad("%C2%85", "the query has a control character");
	bad("a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m%20n%20o%20p%20q",
	    "the query has more than 16 words");
	good("a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m%20n%20o%20p%20a",
	    "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p");
	memset(raw, 'x', 256);
	raw[256] = '\0';
	is_int(parse(raw), SEARCH_OK, "256 bytes: parsed");
	raw[256] = 'x';
	raw[257] = '\0';
	bad(raw, "the query is longer than 256 bytes");
	/* 256 bytes decoded, 768 as sent: the limit is on what it says. */
	for (int i = 0; i < 128; i++)
		memcpy(raw + 6 * i, "%C3%A9", 6);
	raw[768] = '\0';
	is_int(parse(raw), SEARCH_OK, "128 x 'é' percent-encoded (256 bytes): parsed");
	memcpy(raw + 768, "x", 2);
	bad(raw, "the query is longer than 256 bytes");
}

static void
test_fold(void)
{
	uint32_t	 out[CASEFOLD_MAX];

	is_int(casefold('A', out), 1, "A folds to one code point");
	is_int(out[0], 'a', "  a");
	is_int(casefold(0xc9, out), 1, "É folds to one");
	is_int(out[0], 0xe9, "  é");
	is_int(casefold(0xdf, out), 2, "ß folds to two");
	ok(out[0] == 's' && out[1] == 's', "  ss");
	is_int(casefold(0x130, out), 2, "İ folds to two");
	ok(out[0] == 'i' && out[1] == 0x307, "  i and a combining dot");
	is_int(casefold(0x390, out), 3, "ΐ folds to three");
	casefold(0x3a3, out);
	is_int(out[0], 0x3c3, "Σ folds to σ");
	casefold(0x3c2, out);
	is_int(out[0], 0x3c3, "final ς folds to σ");
	casefold(0x101, out);
	is_int(out[0], 0x101, "ā is folded already");
	casefold(0x100, out);
	is_int(out[0], 0x101, "Ā folds to ā (a run of pairs)");
	casefold(0x10400, out);
	is_int(out[0], 0x10428, "Deseret capital folds (past the BMP)");
	casefold(0x1f600, out);
	is_int(out[0], 0x1f600, "an emoji stays itself");
}

static struct page	 pages[8];
static struct page	*ptrs[8] = { &pages[0], &pages[1], &pages[2], &pages[3],
			    &pages[4], &pages[5], &pages[6], &pages[7] };

static void
page(int i, const char *path, const char *title, int year, int month,
    time_t mtime, const char *text)
{
	struct page	*p = &pages[i];

	memset(p, 0, sizeof(*p));
	p->path = (char *)path;
	p->title = (char *)title;
	p->date.year = year;
	p->date.month = month;
	p->mtime = mtime;
	p->search_text = text ? (char *)text : NULL;
	p->search_len = text ? strlen(text) : 0;
}

static char *
render(struct search_bucket *const *b, size_t nb, const char *raw)
{
	struct buf	 out;

	buf_init(&out);
	if (parse(raw) != SEARCH_OK)
		return strdup("(not parsed)");
	search_render(&out, &q, b, nb);
	ok(!out.failed, "'%s' rendered", raw);
	return buf_steal(&out, NULL);
}

/* Where each path's link line is in s, as a string of page numbers in order. */
static const char *
order(const char *s)
{
	static char	 o[16];
	char		 link[64];
	const char	*at[8];
	size_t		 i, j, n = 0;

	for (i = 0; i < 8; i++) {
		at[i] = NULL;
		if (pages[i].path == NULL)
			continue;
		snprintf(link, sizeof(link), "=> /%s ", pages[i].path);
		at[i] = strstr(s, link);
	}
	for (;;) {
		const char	*best = NULL;
		size_t		 k = 0;

		for (j = 0; j < 8; j++)
			if (at[j] != NULL && (best == NULL || at[j] < best)) {
				best = at[j];
				k = j;
			}
		if (best == NULL)
			break;
		o[n++] = (char)('0' + k);
		at[k] = NULL;
	}
	o[n] = '\0';
	return o;
}

static void
test_match(void)
{
	struct search_bucket	*b[2];
	char			*s;

	page(0, "chapters/2011-harvest.gmi", "The harvest", 2011, 0, 100,
	    "# The harvest\n\nApples and pears were picked in the autumn.\n");
	page(1, "chapters/2013-09-orchard.gmi", "Orchard", 2013, 9, 100,
	    "# Orchard\n\nThe harvest of apples was late.\nA harvest festival followed the harvest, with apples.\n");
	page(2, "chapters/2012-letters.gmi", "Letters", 2012, 0, 100,
	    "# Letters\n\n=> gemini://example.org/harvest A link\nNothing here but the word harvesting.\n");
	page(3, "about.gmi", "About", 0, 0, 1700000000,
	    "# About\n\nL'été à Montréal. Die Straße. Σίσυφος.\n");
	page(4, "notes/2010-pears.gmi", "Pears", 2010, 0, 100,
	    "# Pears\n\nPears, pears and more PEARS, and one apple.\n");
	page(5, "private/secret.gmi", "Secret harvest", 0, 0, 100, NULL);
	/* Two buckets: ranking is across them. */
	b[0] = search_bucket_build(ptrs, 3);
	b[1] = search_bucket_build(ptrs + 3, 3);
	ok(b[0] != NULL && b[1] != NULL, "buckets built");
	ok(search_bucket_bytes(b[0]) > 0, "a bucket knows its size");

	s = render(b, 2, "harvest");
	is_str(order(s), "012", "the title match first, then more matches, then a mere part of a word");
	ok(strstr(s, "# Search: harvest\n\n3 pages match, best first.\n") != NULL,
	    "a heading and how many match");
	ok(strstr(s, "=> /chapters/2013-09-orchard.gmi 2013-09 - Orchard\n"
	    "> The harvest of apples was late.\n"
	    "> A harvest festival followed the harvest, with apples.\n") != NULL,
	    "a link with date and title, then its matching lines");
	ok(strstr(s, "> The harvest\n") == NULL, "the title heading is not repeated as a line");
	ok(strstr(s, "> Nothing here but the word harvesting.\n") != NULL,
	    "a line that has the word inside another");
	ok(strstr(s, "secret") == NULL, "a page without text (private) is never listed");
	free(s);

	s = render(b, 2, "APPLES%20harvest");
	is_str(order(s), "01", "words are AND-ed, case-insensitive");
	free(s);

	s = render(b, 2, "pears");
	is_str(order(s), "40", "the title first, then by occurrences");
	free(s);

	s = render(b, 2, "apple");
	is_str(order(s), "140", "beginnings of words count less than whole words");
	free(s);

	s = render(b, 2, "%C3%89T%C3%89%20STRASSE%20%CE%A3%CE%8A%CE%A3%CE%A5%CE%A6%CE%9F%CE%A3");
	is_str(order(s), "3", "Unicode case folding: ÉTÉ, STRASSE and ΣΊΣΥΦΟΣ find été, Straße, Σίσυφος");
	ok(strstr(s, "=> /about.gmi 2023-11-14 - About\n> L'été à Montréal. Die Straße. Σίσυφος.\n") != NULL,
	    "an undated page shows its publication date, and its line as written");
	free(s);

	s = render(b, 2, "apples%20zebra");
	is_str(order(s), "", "a word no page has: nothing");
	ok(strstr(s, "No page matches “apples zebra”.\n") != NULL, "it says so");
	free(s);

	s = render(b, 2, "example");
	is_str(order(s), "2", "a link's target is searched");
	ok(strstr(s, "> A link") == NULL && strstr(s, "example.org") == NULL,
	    "  but not shown as a line (its label does not match)");
	free(s);

	search_bucket_unref(b[0]);
	search_bucket_unref(b[1]);
}

static void
test_newest(void)
{
	struct search_bucket	*b;
	char			*s;

	memset(pages, 0, sizeof(pages));
	page(0, "a/1999-x.gmi", "X", 1999, 0, 5, "# X\n\nsame words\n");
	page(1, "a/2020-06-x.gmi", "X", 2020, 6, 5, "# X\n\nsame words\n");
	page(2, "a/2020-x.gmi", "X", 2020, 0, 5, "# X\n\nsame words\n");
	b = search_bucket_build(ptrs, 3);
	s = render(&b, 1, "same");
	is_str(order(s), "120", "equal matches: newest first");
	free(s);
	search_bucket_unref(b);
}

/* A long line is shown around its match, cut at spaces, with ellipses. */
static void
test_context(void)
{
	struct search_bucket	*b;
	struct buf		 text;
	char			*s, *line, *end;
	int			 i;

	memset(pages, 0, sizeof(pages));
	buf_init(&text);
	buf_puts(&text, "# Long\n\n");
	for (i = 0; i < 40; i++)
		buf_puts(&text, "filler words ");
	buf_puts(&text, "needle ");
	for (i = 0; i < 40; i++)
		buf_puts(&text, "more words ");
	buf_puts(&text, "\n");
	page(0, "long.gmi", "Long", 0, 0, 5, text.data);
	b = search_bucket_build(ptrs, 1);
	s = render(&b, 1, "needle");
	line = strstr(s, "\n> ");
	ok(line != NULL, "a line is shown");
	if (line != NULL) {
		line += 3;
		end = strchr(line, '\n');
		ok(strncmp(line, "…", 3) == 0, "  it starts with an ellipsis");
		ok(end - line < 220 && end - line > 100, "  about 200 bytes of it");
		ok(strncmp(end - 3, "…", 3) == 0, "  it ends with an ellipsis");
		ok(strstr(line, "needle") != NULL && strstr(line, "needle") < end,
		    "  the match is in it");
	}
	free(s);
	search_bucket_unref(b);
	buf_free(&text);
}

int
main(void)
{
	test_parse();
	test_fold();
	test_match();
	test_newest();
	test_context();
	return done_testing();
}
