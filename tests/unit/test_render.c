/* test_render: the generated index, year, timeline, footer, gemfeed, Atom and listing pages (src/render.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "meta.h"
#include "render.h"
#include "tap.h"

/* The chronology, in history-date order, with mixed precisions in 2013. */
static struct page	 p1986 = {
			    .path = "chapters/1986-building-the-camp.gmi", .title = "Building the camp", .date = { 1986, 0, 0 },
			    .mtime = 951782400, .published = 951782400, .crlf = 0, .refs = 1 };
static struct page	 p2013 = {
			    .path = "chapters/2013-arrival.gmi", .title = "Arrival", .date = { 2013, 0, 0 },
			    .mtime = 1378000000, .published = 1378000000, .crlf = 0, .refs = 1 };
static struct page	 p201309 = {
			    .path = "chapters/2013-09-harvest.gmi", .title = "Harvest", .date = { 2013, 9, 0 },
			    .mtime = 946684799, .published = 946684799, .crlf = 0, .refs = 1 };
static struct page	 p20130901 = {
			    .path = "chapters/x.gmi", .title = "First day", .date = { 2013, 9, 1 },
			    .mtime = 1700000000, .published = 1700000000, .crlf = 0, .refs = 1 };
static struct page	 p2014 = {
			    .path = "chapters/2014-05-02-my notes.gmi", .title = "My notes", .date = { 2014, 5, 2 },
			    .mtime = 0, .published = 0, .crlf = 0, .refs = 1 };

static struct page *const	 chron[] = { &p1986, &p2013, &p201309,
				    &p20130901, &p2014 };
#define NCHRON	(sizeof(chron) / sizeof(chron[0]))

static struct render_site	 site = { "Almanac", "gemini://example.org/",
				    NULL, 0, 10 };

static struct buf	 b;

static void
reset(void)
{
	buf_free(&b);
	buf_init(&b);
}

static const char *
text(void)
{
	return b.data != NULL ? b.data : "";
}

static int
has(const char *needle, const char *name)
{
	if (ok(strstr(text(), needle) != NULL, "%s", name))
		return 1;
	fprintf(stderr, "#   looked for: %s\n#   in:\n%s\n", needle, text());
	return 0;
}

static int
hasnt(const char *needle, const char *name)
{
	if (ok(strstr(text(), needle) == NULL, "%s", name))
		return 1;
	fprintf(stderr, "#   found: %s\n", needle);
	return 0;
}

static int
starts(const char *prefix)
{
	if (strncmp(text(), prefix, strlen(prefix)) == 0)
		return 1;
	fprintf(stderr, "#   want prefix: %s\n#   in:\n%s\n", prefix, text());
	return 0;
}

/* Offset of needle in the output, or -1. */
static long
at(const char *needle)
{
	const char	*p = strstr(text(), needle);

	return p ? (long)(p - text()) : -1;
}

static size_t
count(const char *needle)
{
	const char	*p = text();
	size_t		 n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static struct year_span	 years[NCHRON];
static size_t		 nyears;

static void
test_year_spans(void)
{
	struct year_span	 one[1];

	nyears = render_year_spans(chron, NCHRON, years);
	is_int(nyears, 3, "three years");
	ok(years[0].year == 1986 && years[0].first == 0 && years[0].count == 1,
	    "1986: first 0, count 1");
	ok(years[1].year == 2013 && years[1].first == 1 && years[1].count == 3,
	    "2013: first 1, count 3 (year, month and day precision)");
	ok(years[2].year == 2014 && years[2].first == 4 && years[2].count == 1,
	    "2014: first 4, count 1");
	is_int(render_year_spans(chron, 0, one), 0, "no pages, no spans");
	is_int(render_year_spans(chron + 1, 3, one), 1, "one year, one span");
	is_int(one[0].count, 3, "one year span count");
}

static void
test_index(void)
{
	static const char	 intro[] = "# Welcome to Almanac\n\nA chronicle.\n";
	static const char	 want[] =
	    "# Welcome to Almanac\n\nA chronicle.\n\n"
	    "## Browse and subscribe\n\n"
	    "=> /timeline.gmi Timeline: every year with its pages\n"
	    "=> /feed.gmi Gemini feed of new pages (gemfeed)\n"
	    "=> /atom.xml Atom feed of new pages\n"
	    "=> /search Search this capsule\n"
	    "\n## Years\n\n"
	    "=> /1986/ Year 1986\n"
	    "=> /2013/ Year 2013\n"
	    "=> /2014/ Year 2014\n"
	    "\n## Pages in time order\n\n"
	    "=> /chapters/1986-building-the-camp.gmi 1986 - Building the camp\n"
	    "=> /chapters/2013-arrival.gmi 2013 - Arrival\n"
	    "=> /chapters/2013-09-harvest.gmi 2013-09 - Harvest\n"
	    "=> /chapters/x.gmi 2013-09-01 - First day\n"
	    "=> /chapters/2014-05-02-my%20notes.gmi 2014-05-02 - My notes\n";
	struct render_site	 s = site;

	s.intro = intro;
	s.intro_len = strlen(intro);
	reset();
	render_index(&b, &s, chron, NCHRON, years, nyears);
	is_str(text(), want, "index with an intro, exact text");
	ok(strncmp(text(), intro, strlen(intro)) == 0,
	    "index starts with the intro");
	hasnt("\n## 1986", "no heading that repeats a year its entries show");
	ok(at("=> /timeline.gmi") < at("=> /chapters/"),
	    "the timeline is linked before the pages");
	ok(at("=> /atom.xml") < at("=> /chapters/"),
	    "the feeds are linked before the pages");
	ok(at("=> /1986/ Year 1986") < at("=> /chapters/"),
	    "the year pages are linked before the pages");
	is_int(count("\n=> /1986/ 1986"), 0,
	    "a year link's label does not start with a date");
	has("\n=> /chapters/x.gmi 2013-09-01 - First day\n",
	    "exact day link line");
	is_int(count("# Welcome"), 1, "intro heading not doubled");
	ok(!b.failed, "buffer did not fail");

	reset();
	render_index(&b, &site, chron, NCHRON, years, nyears);
	ok(starts("# Almanac\n\n## Browse"),
	    "NULL intro: starts with '# <title>'");
	has("=> /1986/ Year 1986\n", "NULL intro: still lists years");

	s.intro = "Just words, no heading.";
	s.intro_len = strlen(s.intro);
	reset();
	render_index(&b, &s, chron, NCHRON, years, nyears);
	ok(starts("# Almanac\n\nJust words, no heading.\n\n## Browse"),
	    "intro without heading: title first, newline added");

	s.intro = "## Sub first\n";
	s.intro_len = strlen(s.intro);
	reset();
	render_index(&b, &s, chron, NCHRON, years, nyears);
	ok(starts("# Almanac\n\n## Sub first\n\n"),
	    "intro starting with '##': title line added");

	s.intro = "\xef\xbb\xbf# Bommed intro\n";
	s.intro_len = strlen(s.intro);
	reset();
	render_index(&b, &s, chron, NCHRON, years, nyears);
	ok(starts("# Bommed intro\n\n## Browse"),
	    "intro with a BOM: its heading is the title, the BOM is dropped");
	hasnt("\xef\xbb\xbf", "intro with a BOM: no BOM in the index");

	s.intro = "";
	s.intro_len = 0;
	reset();
	render_index(&b, &s, chron, NCHRON, years, nyears);
	ok(starts("# Almanac\n\n\n## Browse"),
	    "empty intro: title line");

	reset();
	render_index(&b, &site, chron, 0, years, 0);
	has("No dated pages have been published yet.", "no pages: a message");
	hasnt("## Years", "no pages: no year list");
	hasnt("## Pages", "no pages: no page list");
	has("=> /atom.xml ", "no pages: feed links still there");
}

static void
test_year(void)
{
	reset();
	render_year(&b, chron, years, nyears, 1);
	ok(starts("# 2013\n\n3 pages from 2013, oldest first.\n\n"),
	    "2013: heading and count");
	has("\n=> /chapters/2013-arrival.gmi 2013 - Arrival\n"
	    "=> /chapters/2013-09-harvest.gmi 2013-09 - Harvest\n"
	    "=> /chapters/x.gmi 2013-09-01 - First day\n", "2013: links in order");
	hasnt("Building the camp", "2013: no page from another year");
	has("\n\n## Navigation\n\n=> /1986/ Previous year: 1986\n",
	    "2013: navigation set apart, previous year first");
	has("\n=> /2014/ Next year: 2014\n", "2013: next year link");
	ok(at("Previous year") < at("Next year"), "previous before next");
	has("\n=> /timeline.gmi Timeline\n", "2013: timeline link");
	ok(b.len > 11 && strcmp(text() + b.len - 11, "=> / Index\n") == 0,
	    "2013: ends with the index link");

	reset();
	render_year(&b, chron, years, nyears, 0);
	ok(starts("# 1986\n\nOne page from 1986.\n\n"), "1986: one page");
	hasnt("Previous year", "first year: no previous link");
	has("\n=> /2013/ Next year: 2013\n", "first year: next link");

	reset();
	render_year(&b, chron, years, nyears, 2);
	has("\n=> /2013/ Previous year: 2013\n", "last year: previous link");
	hasnt("Next year", "last year: no next link");

	reset();
	render_year(&b, chron, years, 1, 0);
	hasnt("Previous year", "only year: no previous link");
	hasnt("Next year", "only year: no next link");
}

static void
test_timeline(void)
{
	static const struct year_span	 spans[] = {
		{ 1986, 0, 1 }, { 2013, 1, 3 }, { 2014, 4, 1 },
	};

	reset();
	render_timeline(&b, chron, NCHRON, spans, 3);
	is_str(text(), "# Timeline\n\n"
	    "5 pages from 1986 to 2014, year by year.\n\n"
	    "=> /1986/ 1986 (1 page)\n"
	    "* 1986 - Building the camp\n"
	    "=> /2013/ 2013 (3 pages)\n"
	    "* 2013 - Arrival\n"
	    "* 2013-09 - Harvest\n"
	    "* 2013-09-01 - First day\n"
	    "=> /2014/ 2014 (1 page)\n"
	    "* 2014-05-02 - My notes\n"
	    "\n## Navigation\n\n=> / Index\n", "timeline, exact text");

	reset();
	render_timeline(&b, chron + 1, 3, spans + 1, 1);
	has("3 pages, all from 2013.\n", "one year: all from it");
	reset();
	render_timeline(&b, chron, 1, spans, 1);
	has("One page, from 1986.\n", "one page");

	reset();
	render_timeline(&b, chron, 0, years, 0);
	has("No dated pages have been published yet.", "empty timeline");
	has("=> / Index\n", "empty timeline: index link");
}

/* 1 when every '\n' follows a '\r' and the text ends with CRLF. */
static int
all_crlf(const char *s, size_t len)
{
	size_t	 i;

	if (len < 2 || s[len - 2] != '\r' || s[len - 1] != '\n')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
	return 1;
}

static void
test_footer(void)
{
	struct page	 crlf = p20130901, p = p20130901;

	reset();
	render_footer(&b, &p20130901, &p201309, &p2014);
	is_str(text(), "\n## Navigation\n\n"
	    "=> /chapters/2013-09-harvest.gmi Previous: 2013-09 - Harvest\n"
	    "=> /chapters/2014-05-02-my%20notes.gmi Next: 2014-05-02 - My notes\n"
	    "=> /2013/ All pages from 2013\n"
	    "=> / Index\n", "footer with both, exact text");

	reset();
	render_footer(&b, &p1986, NULL, &p2013);
	hasnt("Previous:", "first page: no previous");
	has("\n\n=> /chapters/2013-arrival.gmi Next: 2013 - Arrival\n",
	    "first page: next link first");
	has("=> /1986/ All pages from 1986\n", "first page: year link");

	reset();
	render_footer(&b, &p2014, &p20130901, NULL);
	has("=> /chapters/x.gmi Previous: 2013-09-01 - First day\n",
	    "last page: previous link");
	hasnt("Next:", "last page: no next");

	reset();
	render_footer(&b, &p2014, NULL, NULL);
	is_str(text(), "\n## Navigation\n\n=> /2014/ All pages from 2014\n"
	    "=> / Index\n", "only page: neither link");

	/* The page's own last line links to its previous page. */
	p.last_link = "chapters/2013-09-harvest.gmi";
	reset();
	render_footer(&b, &p, &p201309, &p2014);
	is_str(text(), "\n## Navigation\n\n"
	    "Previous: 2013-09 - Harvest, linked above\n"
	    "=> /chapters/2014-05-02-my%20notes.gmi Next: 2014-05-02 - My notes\n"
	    "=> /2013/ All pages from 2013\n"
	    "=> / Index\n", "last link is the previous page: not linked twice");
	p.last_link = "chapters/2014-05-02-my notes.gmi";
	reset();
	render_footer(&b, &p, NULL, &p2014);
	has("\nNext: 2014-05-02 - My notes, linked above\n",
	    "first page whose last link is the next page");
	reset();
	render_footer(&b, &p, &p201309, &p2014);
	has("=> /chapters/2014-05-02-my%20notes.gmi Next: ",
	    "a link further down the footer stays a link");
	p.last_link = NULL;

	p.no_newline = 1;
	reset();
	render_footer(&b, &p, NULL, NULL);
	ok(starts("\n\n## Navigation\n\n"), "a last line without its end");
	p.no_newline = 0;
	p.open_pre = 1;
	reset();
	render_footer(&b, &p, NULL, NULL);
	ok(starts("```\n\n## Navigation\n\n"),
	    "a preformatted block left open is closed first");
	p.open_pre = 0;

	p.text = PAGE_8BIT;
	p.title = "Caf\xc3\xa9";
	reset();
	render_footer(&b, &p, &p, NULL);
	has("Previous: 2013-09-01 - Caf?\n", "a page in another charset: "
	    "an ASCII footer");
	p.text = PAGE_UTF16;
	reset();
	render_footer(&b, &p, &p201309, NULL);
	is_int(b.len, 0, "a UTF-16 page: no footer");

	crlf.crlf = 1;
	reset();
	render_footer(&b, &crlf, &p201309, &p2014);
	is_str(text(), "\r\n## Navigation\r\n\r\n"
	    "=> /chapters/2013-09-harvest.gmi Previous: 2013-09 - Harvest\r\n"
	    "=> /chapters/2014-05-02-my%20notes.gmi Next: 2014-05-02 - My notes"
	    "\r\n=> /2013/ All pages from 2013\r\n"
	    "=> / Index\r\n", "CRLF footer, exact text");
	ok(all_crlf(text(), b.len), "CRLF footer: no bare LF");
	reset();
	render_footer(&b, &crlf, NULL, NULL);
	ok(all_crlf(text(), b.len), "CRLF footer without links: no bare LF");
	crlf.open_pre = crlf.no_newline = 1;
	reset();
	render_footer(&b, &crlf, NULL, NULL);
	ok(all_crlf(text(), b.len), "CRLF footer closing a block: no bare LF");
}

static void
test_end(void)
{
	struct page	 other = { .path = "about.gmi", .title = "About",
			    .refs = 1 };

	reset();
	render_end(&b, &other);
	is_str(text(), "\n## Navigation\n\n=> / Index\n",
	    "a page outside the chronicle: a link to the index");
	reset();
	render_end(&b, NULL);
	is_str(text(), "\n## Navigation\n\n=> / Index\n",
	    "a file the catalog does not know: the same");
	other.last_link = "";
	reset();
	render_end(&b, &other);
	is_int(b.len, 0, "a page that ends with a link to the index: nothing");
	other.last_link = "chapters/";
	other.crlf = 1;
	reset();
	render_end(&b, &other);
	ok(all_crlf(text(), b.len), "CRLF: no bare LF");
	other.text = PAGE_UTF16;
	reset();
	render_end(&b, &other);
	is_int(b.len, 0, "UTF-16: nothing");
}

/* Years before 1000 are served at "/0999/": links and labels say so. */
static void
test_early_years(void)
{
	static struct page	 y1 = { .path = "0001-y.gmi", .title = "Y",
				    .date = { 1, 0, 0 }, .refs = 1 };
	static struct page	 y999 = { .path = "chapters/0999-x.gmi",
				    .title = "Old", .date = { 999, 0, 0 },
				    .refs = 1 };
	struct page *const	 early[] = { &y1, &y999, &p1986 };
	struct year_span	 spans[3];
	size_t			 n;

	n = render_year_spans(early, 3, spans);
	is_int(n, 3, "early years: three spans");
	reset();
	render_index(&b, &site, early, 3, spans, n);
	has("\n=> /0001/ Year 0001\n", "index: year 1 is linked as 0001");
	has("\n=> /0999/ Year 0999\n", "index: year 999 is linked as 0999");
	has("=> /chapters/0999-x.gmi 0999 - Old\n", "index: page line 0999");
	hasnt("=> /999/", "index: no unpadded year");

	reset();
	render_timeline(&b, early, 3, spans, n);
	has("=> /0001/ 0001 (1 page)\n", "timeline: /0001/");
	has("=> /0999/ 0999 (1 page)\n* 0999 - Old\n", "timeline: /0999/");
	has("3 pages from 0001 to 1986", "timeline: four-digit years");
	hasnt("=> /1/", "timeline: no /1/");
	hasnt("=> /999/", "timeline: no /999/");

	reset();
	render_year(&b, early, spans, n, 1);
	ok(starts("# 0999\n\nOne page from 0999."),
	    "year page 0999: heading and count");
	has("\n=> /0001/ Previous year: 0001\n", "year nav: previous /0001/");
	has("\n=> /1986/ Next year: 1986\n", "year nav: next /1986/");
	reset();
	render_year(&b, early, spans, n, 2);
	has("\n=> /0999/ Previous year: 0999\n", "year nav: previous /0999/");

	reset();
	render_footer(&b, &y999, &y1, &p1986);
	has("=> /0999/ All pages from 0999\n", "footer: /0999/");
	reset();
	render_footer(&b, &y1, NULL, &y999);
	has("=> /0001/ All pages from 0001\n", "footer: /0001/");
}

static void
test_gemfeed(void)
{
	/* Newest publication first, as the catalog orders them. */
	struct page *const	 recent[] = { &p20130901, &p2013, &p1986,
				    &p201309, &p2014 };
	struct render_site	 s = site;

	reset();
	render_gemfeed(&b, &s, recent, 5);
	is_str(text(), "# Almanac\n\n## New pages, newest first\n\n"
	    "=> /chapters/x.gmi 2023-11-14 - First day\n"
	    "=> /chapters/2013-arrival.gmi 2013-09-01 - Arrival\n"
	    "=> /chapters/1986-building-the-camp.gmi 2000-02-29 - "
	    "Building the camp\n"
	    "=> /chapters/2013-09-harvest.gmi 1999-12-31 - Harvest\n"
	    "=> /chapters/2014-05-02-my%20notes.gmi 1970-01-01 - My notes\n"
	    "\n## Navigation\n\n=> / Index\n",
	    "gemfeed, exact text (given order, UTC dates of publication)");

	s.feed_max = 2;
	reset();
	render_gemfeed(&b, &s, recent, 5);
	is_int(count("\n=> /chapters/"), 2, "feed_max 2: two entries");
	has("First day", "feed_max 2: newest kept");
	hasnt("Building the camp", "feed_max 2: third dropped");

	s.feed_max = 0;
	reset();
	render_gemfeed(&b, &s, recent, 5);
	is_int(count("=> /chapters/"), 0, "feed_max 0: no entries");
	has("# Almanac\n", "feed_max 0: still a heading");
	has("=> / Index\n", "feed_max 0: still a way back");
}

/* Runs xmllint --noout on the text; -1 when it cannot be run. */
static int
xmllint(const char *s, size_t len)
{
	char	 path[] = "/tmp/almanac-test-atom-XXXXXX";
	char	 cmd[128];
	int	 fd, rc;
	FILE	*f;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fwrite(s, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s", path);
	rc = system(cmd);
	unlink(path);
	return rc;
}

static void
test_atom(void)
{
	struct page		 nasty = { .path = "chapters/a&b c.gmi",
				    .title = "Fish & chips <b>\"quoted\"</b>\x01 end",
				    .date = { 2013, 0, 0 }, .mtime = 1378036800,
				    .published = 1378036800, .refs = 1 };
	struct page *const	 recent[] = { &nasty, &p20130901, &p1986 };
	struct render_site	 s = site;
	int			 rc;

	s.title = "Ben & Jerry's <almanac>";
	reset();
	render_atom(&b, &s, recent, 3);
	ok(starts("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"),
	    "XML declaration and feed element");
	has("</feed>\n", "feed closed");
	ok(b.len > 8 && strcmp(text() + b.len - 8, "</feed>\n") == 0,
	    "ends with </feed>");
	has("<title>Ben &amp; Jerry's &lt;almanac&gt;</title>",
	    "feed title escaped");
	has("<name>Ben &amp; Jerry's &lt;almanac&gt;</name>",
	    "author name escaped");
	has("<title>Fish &amp; chips &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; "
	    "end</title>", "entry title: &, <, >, \" escaped, control dropped");
	hasnt("\x01", "no control character left");
	hasnt("<b>", "no raw markup from the title");
	has("  <id>gemini://example.org/</id>\n", "feed id is the base URL");
	has("<link rel=\"self\" href=\"gemini://example.org/atom.xml\"/>",
	    "self link");
	has("<updated>2023-11-14T22:13:20Z</updated>\n  <author>",
	    "feed updated: the latest change of its entries, RFC 3339 Z");
	has("<id>gemini://example.org/chapters/a&amp;b%20c.gmi</id>",
	    "entry id: base_url + encoded, escaped path");
	has("<link href=\"gemini://example.org/chapters/a&amp;b%20c.gmi\"/>",
	    "entry link: base_url + path");
	has("<id>gemini://example.org/chapters/x.gmi</id>\n"
	    "    <published>2023-11-14T22:13:20Z</published>\n"
	    "    <updated>2023-11-14T22:13:20Z</updated>",
	    "second entry id, published and updated");
	is_int(count("<published>"), 3, "three entry published elements");
	has("<updated>2000-02-29T00:00:00Z</updated>", "third entry updated");
	is_int(count("<entry>"), 3, "three entries");
	is_int(count("</entry>"), 3, "three entries closed");
	is_int(count("<updated>"), 4, "feed + three entry updated elements");
	ok(at("Fish") < at("First day") && at("First day") < at("Building"),
	    "entries in the given order");

	if (access("/usr/bin/xmllint", X_OK) == 0) {
		rc = xmllint(b.data, b.len);
		is_int(rc, 0, "xmllint --noout accepts the Atom feed");
	} else
		ok(1, "xmllint --noout accepts the Atom feed # SKIP no xmllint");

	s.feed_max = 1;
	reset();
	render_atom(&b, &s, recent, 3);
	is_int(count("<entry>"), 1, "feed_max 1: one entry");

	reset();
	render_atom(&b, &site, recent, 0);
	is_int(count("<entry>"), 0, "no pages: no entries");
	has("<updated>1970-01-01T00:00:00Z</updated>",
	    "no pages: epoch updated");
	if (access("/usr/bin/xmllint", X_OK) == 0)
		is_int(xmllint(b.data, b.len), 0, "xmllint: empty feed");
	else
		ok(1, "xmllint: empty feed # SKIP no xmllint");
}

static void
test_listing(void)
{
	char	*names[] = { "a b.gmi", "sub dir/", "x:y", "caf\xc3\xa9.txt",
		    "bad\nname" };
	struct page		 undated = { .path = "d/notes.gmi",
				    .title = "My notes", .refs = 1 };
	struct listing_entry	 entries[] = {
		{ "1986-building-the-camp.gmi", &p1986 },
		{ "notes.gmi", &undated },
		{ "robots.txt", NULL },
		{ "unknown.gmi", NULL },
		{ "sub/", NULL },
	};

	reset();
	render_listing(&b, "", names, 5);
	is_str(text(), "# Index of /\n\n"
	    "=> ./sub%20dir/ sub dir/\n"
	    "\n=> ./a%20b.gmi a b.gmi\n"
	    "\n=> ./x:y x:y\n"
	    "=> ./caf%C3%A9.txt caf\xc3\xa9.txt\n"
	    "=> ./bad%0Aname bad?name\n", "root listing, exact text");
	hasnt("Parent directory", "root: no parent link");
	hasnt("=> / Index", "root: no index link, it is the index");

	reset();
	render_listing(&b, "a/b c/", names, 1);
	is_str(text(), "# Index of /a/b c/\n\n"
	    "=> ../ Parent directory\n"
	    "\n=> ./a%20b.gmi a b.gmi\n"
	    "\n## Navigation\n\n=> / Index\n",
	    "subdirectory listing, exact text");

	reset();
	render_listing_pages(&b, "d/", entries, 5);
	is_str(text(), "# Index of /d/\n\n"
	    "=> ../ Parent directory\n"
	    "=> ./sub/ sub/\n"
	    "\n=> ./1986-building-the-camp.gmi 1986 - Building the camp\n"
	    "=> ./notes.gmi My notes\n"
	    "=> ./unknown.gmi unknown.gmi\n"
	    "\n=> ./robots.txt robots.txt\n"
	    "\n## Navigation\n\n=> / Index\n",
	    "pages by date and title, then other files, exact text");

	reset();
	render_listing(&b, "empty/", names, 0);
	has("=> ../ Parent directory\n", "empty subdirectory: parent link");
	has("This directory is empty.\n", "empty subdirectory: message");

	reset();
	render_listing(&b, "", names, 0);
	is_str(text(), "# Index of /\n\nThis directory is empty.\n",
	    "empty root");

	reset();
	render_listing(&b, "d\x01/", names, 0);
	has("# Index of /d?/\n", "control byte in directory label sanitised");
}

/* A page edited after its publication, and one copied in with an old time. */
static void
test_feed_dates(void)
{
	struct page		 edited = { .path = "chapters/2013-edited.gmi",
				    .title = "Edited", .date = { 2013, 0, 0 },
				    .mtime = 1700000000, .published = 1378036800,
				    .refs = 1 };
	struct page		 copied = { .path = "chapters/1999-copied.gmi",
				    .title = "Copied", .date = { 1999, 0, 0 },
				    .mtime = 946684799, .published = 1378000000,
				    .refs = 1 };
	struct page *const	 recent[] = { &edited, &copied };

	reset();
	render_gemfeed(&b, &site, recent, 2);
	has("=> /chapters/2013-edited.gmi 2013-09-01 - Edited\n",
	    "gemfeed: an edited page keeps its publication date");
	has("=> /chapters/1999-copied.gmi 2013-09-01 - Copied\n",
	    "gemfeed: a copy with an old time is dated by its publication");
	reset();
	render_atom(&b, &site, recent, 2);
	has("<published>2013-09-01T12:00:00Z</published>\n"
	    "    <updated>2023-11-14T22:13:20Z</updated>",
	    "atom: published stays, updated is the last change");
	has("<published>2013-09-01T01:46:40Z</published>\n"
	    "    <updated>2013-09-01T01:46:40Z</updated>",
	    "atom: updated is never before published");
	has("<updated>2023-11-14T22:13:20Z</updated>\n  <author>",
	    "atom: the feed's updated is its latest change");
}

int
main(void)
{
	/* Dates must come out in UTC whatever the local zone is. */
	setenv("TZ", "XXX-14", 1);
	tzset();
	buf_init(&b);
	test_year_spans();
	test_index();
	test_year();
	test_timeline();
	test_footer();
	test_end();
	test_early_years();
	test_gemfeed();
	test_atom();
	test_feed_dates();
	test_listing();
	buf_free(&b);
	return done_testing();
}
