/* render: generated gemtext and Atom pages from the catalog (pure: data in, text out). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "path.h"
#include "render.h"

/* "/chapters/x.gmi", percent-encoded, for a link line. */
static void
put_link_target(struct buf *b, const char *path)
{
	char	 enc[3 * PATH_MAX_LEN + 2];

	path_encode(path, enc, sizeof(enc));
	buf_putc(b, '/');
	buf_puts(b, enc);
}

/* A label: 'ascii' turns every byte past ASCII into '?', for a page in another charset. */
static void
put_label(struct buf *b, const char *s, int ascii)
{
	if (!ascii) {
		buf_puts(b, s);
		return;
	}
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x80)
			buf_putc(b, *s);
		else if (((unsigned char)*s & 0xc0) != 0x80)
			buf_putc(b, '?');
	}
}

/* "DATE - Title", the way every generated page names a page. */
static void
put_dated_title(struct buf *b, const struct page *p, int ascii)
{
	char	 date[16];

	meta_format_date(&p->date, date, sizeof(date));
	buf_printf(b, "%s - ", date);
	put_label(b, p->title, ascii);
}

void
render_page_line(struct buf *b, const struct page *p)
{
	buf_puts(b, "=> ");
	put_link_target(b, p->path);
	buf_putc(b, ' ');
	put_dated_title(b, p, 0);
	buf_putc(b, '\n');
}

static void
put_line(struct buf *b, const struct page *p)
{
	if (p->line != NULL)
		buf_append(b, p->line, p->line_len);
	else
		render_page_line(b, p);
}

/* "* DATE - Title": the index line without its link, for the timeline. */
static void
put_item(struct buf *b, const struct page *p)
{
	const char	*label;

	if (p->line != NULL && (label = memchr(p->line + 3, ' ',
	    p->line_len - 3)) != NULL) {
		buf_puts(b, "* ");
		buf_append(b, label + 1, p->line_len - (size_t)(label + 1 -
		    p->line));
		return;
	}
	buf_puts(b, "* ");
	put_dated_title(b, p, 0);
	buf_putc(b, '\n');
}

size_t
render_year_spans(struct page *const *chron, size_t n, struct year_span *out)
{
	size_t	 i, nspans = 0;

	for (i = 0; i < n; i++) {
		if (nspans > 0 && out[nspans - 1].year == chron[i]->date.year) {
			out[nspans - 1].count++;
			continue;
		}
		out[nspans].year = chron[i]->date.year;
		out[nspans].first = i;
		out[nspans].count = 1;
		nspans++;
	}
	return nspans;
}

/*
 * intro.gmi's byte order mark is left out: in the middle of the index it
 * would be a character, and it would hide the intro's own heading.
 */
static void
put_intro(struct buf *b, const struct render_site *s)
{
	const char	*intro = s->intro;
	size_t		 len = s->intro_len, bom;

	if (intro != NULL && (bom = meta_bom_length(intro, len)) > 0) {
		intro += bom;
		len -= bom;
	}
	if (intro == NULL || len == 0 || intro[0] != '#' ||
	    (len > 1 && intro[1] == '#'))
		buf_printf(b, "# %s\n\n", s->title);
	if (intro == NULL)
		return;
	buf_append(b, intro, len);
	if (len > 0 && intro[len - 1] != '\n')
		buf_putc(b, '\n');
	buf_putc(b, '\n');
}

/*
 * Every generated page ends with the same kind of block, set apart from
 * what comes before it by a heading, so that the page's own links and the
 * navigation never run together.
 */
static void
put_nav_heading(struct buf *b, const char *nl)
{
	buf_printf(b, "%s## Navigation%s%s", nl, nl, nl);
}

static void
put_index_nav(struct buf *b)
{
	put_nav_heading(b, "\n");
	buf_puts(b, "=> / Index\n");
}

/*
 * The index: the intro, then what a reader browses by (the timeline, the
 * feeds, every year), then the pages.  The entries keep the gemfeed form,
 * so that the index can be subscribed to; only they start with a date.
 * A year is always written with four digits, as a link and as a label:
 * the year pages are at "/0999/" (the catalog reads exactly four digits,
 * as in the file names), so "/999/" would answer 51.
 */
void
render_index_head(struct buf *b, const struct render_site *s, size_t npages,
    const struct year_span *years, size_t nyears)
{
	size_t	 y;

	put_intro(b, s);
	if (npages == 0)
		buf_puts(b, "No dated pages have been published yet.\n\n");
	buf_puts(b, "## Browse and subscribe\n\n");
	buf_puts(b, "=> /timeline.gmi Timeline: every year with its pages\n");
	buf_puts(b, "=> /feed.gmi Gemini feed of new pages (gemfeed)\n");
	buf_puts(b, "=> /atom.xml Atom feed of new pages\n");
	buf_puts(b, "=> /search Search this capsule\n");
	if (nyears > 0)
		buf_puts(b, "\n## Years\n\n");
	for (y = 0; y < nyears; y++)
		buf_printf(b, "=> /%04d/ Year %04d\n", years[y].year,
		    years[y].year);
	if (npages > 0)
		buf_puts(b, "\n## Pages in time order\n\n");
}

void
render_year_lines(struct buf *b, struct page *const *chron,
    const struct year_span *y)
{
	size_t	 i;

	for (i = 0; i < y->count; i++)
		put_line(b, chron[y->first + i]);
}

void
render_year_head(struct buf *b, const struct year_span *y)
{
	buf_printf(b, "# %04d\n\n", y->year);
	if (y->count == 1)
		buf_printf(b, "One page from %04d.\n\n", y->year);
	else
		buf_printf(b, "%zu pages from %04d, oldest first.\n\n",
		    y->count, y->year);
}

void
render_year_nav(struct buf *b, const struct year_span *years, size_t nyears,
    size_t which)
{
	put_nav_heading(b, "\n");
	if (which > 0)
		buf_printf(b, "=> /%04d/ Previous year: %04d\n",
		    years[which - 1].year, years[which - 1].year);
	if (which + 1 < nyears)
		buf_printf(b, "=> /%04d/ Next year: %04d\n",
		    years[which + 1].year, years[which + 1].year);
	buf_puts(b, "=> /timeline.gmi Timeline\n");
	buf_puts(b, "=> / Index\n");
}

void
render_index(struct buf *b, const struct render_site *s,
    struct page *const *chron, size_t n, const struct year_span *years,
    size_t nyears)
{
	size_t	 y;

	render_index_head(b, s, n, years, nyears);
	for (y = 0; y < nyears; y++)
		render_year_lines(b, chron, &years[y]);
}

void
render_year(struct buf *b, struct page *const *chron,
    const struct year_span *years, size_t nyears, size_t which)
{
	render_year_head(b, &years[which]);
	render_year_lines(b, chron, &years[which]);
	render_year_nav(b, years, nyears, which);
}

void
render_timeline_head(struct buf *b, size_t npages,
    const struct year_span *years, size_t nyears)
{
	buf_puts(b, "# Timeline\n\n");
	if (nyears == 0)
		buf_puts(b, "No dated pages have been published yet.\n\n");
	else if (npages == 1)
		buf_printf(b, "One page, from %04d.\n\n", years[0].year);
	else if (nyears == 1)
		buf_printf(b, "%zu pages, all from %04d.\n\n", npages,
		    years[0].year);
	else
		buf_printf(b, "%zu pages from %04d to %04d, year by year.\n\n",
		    npages, years[0].year, years[nyears - 1].year);
}

/* A year's link, then its pages' dates and titles: the year page links them. */
void
render_timeline_year(struct buf *b, struct page *const *chron,
    const struct year_span *y)
{
	size_t	 i;

	buf_printf(b, "=> /%04d/ %04d (%zu page%s)\n", y->year, y->year,
	    y->count, y->count == 1 ? "" : "s");
	for (i = 0; i < y->count; i++)
		put_item(b, chron[y->first + i]);
}

void
render_timeline_tail(struct buf *b)
{
	put_index_nav(b);
}

void
render_timeline(struct buf *b, struct page *const *chron, size_t npages,
    const struct year_span *years, size_t nyears)
{
	size_t	 y;

	render_timeline_head(b, npages, years, nyears);
	for (y = 0; y < nyears; y++)
		render_timeline_year(b, chron, &years[y]);
	render_timeline_tail(b);
}

/*
 * What comes between a page's text and its footer: the line end its last
 * line lacks, and the fence of a preformatted block it leaves open (the
 * footer would be shown as preformatted text), then the heading.
 */
static void
put_page_end(struct buf *b, const struct page *page, const char *nl)
{
	if (page != NULL && page->no_newline)
		buf_puts(b, nl);
	if (page != NULL && page->open_pre)
		buf_printf(b, "```%s", nl);
	put_nav_heading(b, nl);
}

/* 1 when the page's last line already links where 'path' is. */
static int
ends_with_link_to(const struct page *page, const char *path)
{
	return page != NULL && page->last_link != NULL &&
	    strcmp(page->last_link, path) == 0;
}

/*
 * One entry of a footer.  When the page's own last line links to the same
 * page, the entry is written as text: the reader would otherwise meet the
 * same link twice in a row, and the footer keeps its order.
 */
static void
put_footer_link(struct buf *b, const struct page *page, const char *prefix,
    const struct page *to, int first, const char *nl)
{
	int	 ascii = page->text != PAGE_UTF8;

	if (first && ends_with_link_to(page, to->path)) {
		buf_puts(b, prefix);
		put_dated_title(b, to, ascii);
		buf_printf(b, ", linked above%s", nl);
		return;
	}
	buf_puts(b, "=> ");
	put_link_target(b, to->path);
	buf_printf(b, " %s", prefix);
	put_dated_title(b, to, ascii);
	buf_puts(b, nl);
}

/*
 * It uses the page's own line ending so that a CRLF page does not end
 * with mixed line endings.  A page that starts with a UTF-16 byte order
 * mark gets none: bytes appended to it would not be text in its charset.
 */
void
render_footer(struct buf *b, const struct page *page, const struct page *prev,
    const struct page *next)
{
	const char	*nl = page->crlf ? "\r\n" : "\n";
	char		 year[8];

	if (page->text == PAGE_UTF16)
		return;
	put_page_end(b, page, nl);
	if (prev != NULL)
		put_footer_link(b, page, "Previous: ", prev, 1, nl);
	if (next != NULL)
		put_footer_link(b, page, "Next: ", next, prev == NULL, nl);
	snprintf(year, sizeof(year), "%04d/", page->date.year);
	if (prev == NULL && next == NULL && ends_with_link_to(page, year))
		buf_printf(b, "All pages from %04d, linked above%s",
		    page->date.year, nl);
	else
		buf_printf(b, "=> /%s All pages from %04d%s", year,
		    page->date.year, nl);
	buf_printf(b, "=> / Index%s", nl);
}

/* A page that already ends with a link to the index needs nothing more. */
void
render_end(struct buf *b, const struct page *page)
{
	const char	*nl = page != NULL && page->crlf ? "\r\n" : "\n";

	if (ends_with_link_to(page, "") ||
	    (page != NULL && page->text == PAGE_UTF16))
		return;
	put_page_end(b, page, nl);
	buf_printf(b, "=> / Index%s", nl);
}

static void
put_day(struct buf *b, time_t t)
{
	struct tm	 tm;
	char		 day[16];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0)
		strcpy(day, "1970-01-01");
	buf_puts(b, day);
}

void
render_gemfeed(struct buf *b, const struct render_site *s,
    struct page *const *recent, size_t n)
{
	size_t	 i;

	if (n > s->feed_max)
		n = s->feed_max;
	buf_printf(b, "# %s\n\n", s->title);
	buf_puts(b, "## New pages, newest first\n\n");
	for (i = 0; i < n; i++) {
		buf_puts(b, "=> ");
		put_link_target(b, recent[i]->path);
		buf_putc(b, ' ');
		put_day(b, recent[i]->published);
		buf_printf(b, " - %s\n", recent[i]->title);
	}
	put_index_nav(b);
}

/*
 * XML 1.0 allows no C0 controls but tab, LF and CR: those are dropped;
 * nor U+FFFE and U+FFFF, which become U+FFFD.
 */
static void
put_xml(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == 0xef && (unsigned char)s[1] == 0xbf &&
		    ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf)) {
			buf_puts(b, "\xef\xbf\xbd");
			s += 2;
		} else if (c == '&')
			buf_puts(b, "&amp;");
		else if (c == '<')
			buf_puts(b, "&lt;");
		else if (c == '>')
			buf_puts(b, "&gt;");
		else if (c == '"')
			buf_puts(b, "&quot;");
		else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			buf_putc(b, (char)c);
	}
}

static void
put_rfc3339(struct buf *b, time_t t)
{
	struct tm	 tm;
	char		 s[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(s, "1970-01-01T00:00:00Z");
	buf_puts(b, s);
}

static void
put_page_url(struct buf *b, const struct render_site *s, const char *path)
{
	char	 enc[3 * PATH_MAX_LEN + 2];

	path_encode(path, enc, sizeof(enc));
	put_xml(b, s->base_url);
	put_xml(b, enc);
}

/*
 * An entry's last change: its file's, unless the file claims to be older
 * than its publication (a copy that kept an old time).
 */
static time_t
last_change(const struct page *p)
{
	return p->mtime > p->published ? p->mtime : p->published;
}

void
render_atom(struct buf *b, const struct render_site *s,
    struct page *const *recent, size_t n)
{
	time_t	 updated = 0;
	size_t	 i;

	if (n > s->feed_max)
		n = s->feed_max;
	for (i = 0; i < n; i++)
		if (last_change(recent[i]) > updated)
			updated = last_change(recent[i]);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>");
	put_xml(b, s->title);
	buf_puts(b, "</title>\n  <id>");
	put_xml(b, s->base_url);
	buf_puts(b, "</id>\n  <link href=\"");
	put_xml(b, s->base_url);
	buf_puts(b, "\"/>\n  <link rel=\"self\" href=\"");
	put_xml(b, s->base_url);
	buf_puts(b, "atom.xml\"/>\n  <updated>");
	put_rfc3339(b, updated);
	buf_puts(b, "</updated>\n  <author><name>");
	put_xml(b, s->title);
	buf_puts(b, "</name></author>\n");
	for (i = 0; i < n; i++) {
		buf_puts(b, "  <entry>\n    <title>");
		put_xml(b, recent[i]->title);
		buf_puts(b, "</title>\n    <link href=\"");
		put_page_url(b, s, recent[i]->path);
		buf_puts(b, "\"/>\n    <id>");
		put_page_url(b, s, recent[i]->path);
		buf_puts(b, "</id>\n    <published>");
		put_rfc3339(b, recent[i]->published);
		buf_puts(b, "</published>\n    <updated>");
		put_rfc3339(b, last_change(recent[i]));
		buf_puts(b, "</updated>\n  </entry>\n");
	}
	buf_puts(b, "</feed>\n");
}

enum listing_group {
	GROUP_DIRS,
	GROUP_PAGES,
	GROUP_FILES
};

static enum listing_group
group_of(const char *name)
{
	size_t	 len = strlen(name);

	if (len > 0 && name[len - 1] == '/')
		return GROUP_DIRS;
	return meta_is_gemtext(name) ? GROUP_PAGES : GROUP_FILES;
}

static void
put_entry(struct buf *b, const struct listing_entry *e)
{
	char	 enc[3 * PATH_MAX_LEN + 2], label[PATH_MAX_LEN + 1];

	/* "./" keeps a name like "a:b" from reading as a scheme. */
	path_encode(e->name, enc, sizeof(enc));
	buf_printf(b, "=> ./%s ", enc);
	if (e->page != NULL && e->page->date.year != 0)
		put_dated_title(b, e->page, 0);
	else if (e->page != NULL)
		buf_puts(b, e->page->title);
	else {
		snprintf(label, sizeof(label), "%s", e->name);
		meta_sanitize(label);
		buf_puts(b, label);
	}
	buf_putc(b, '\n');
}

/* Each group in turn, a blank line between groups. */
void
render_listing_pages(struct buf *b, const char *dir,
    const struct listing_entry *entries, size_t n)
{
	char	 label[PATH_MAX_LEN + 1];
	size_t	 i;
	int	 g, shown = 0, in_group;

	snprintf(label, sizeof(label), "%s", dir);
	meta_sanitize(label);
	buf_printf(b, "# Index of /%s\n\n", label);
	if (dir[0] != '\0') {
		buf_puts(b, "=> ../ Parent directory\n");
		shown = 1;
	}
	for (g = GROUP_DIRS; g <= GROUP_FILES; g++) {
		in_group = g == GROUP_DIRS && shown;
		for (i = 0; i < n; i++) {
			if ((int)group_of(entries[i].name) != g)
				continue;
			if (shown && !in_group)
				buf_putc(b, '\n');
			in_group = shown = 1;
			put_entry(b, &entries[i]);
		}
	}
	if (n == 0)
		buf_puts(b, "This directory is empty.\n");
	if (dir[0] != '\0')
		put_index_nav(b);
}

void
render_listing(struct buf *b, const char *dir, char *const *names, size_t n)
{
	struct listing_entry	*entries;
	size_t			 i;

	if ((entries = calloc(n ? n : 1, sizeof(*entries))) == NULL) {
		b->failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		entries[i].name = names[i];
	render_listing_pages(b, dir, entries, n);
	free(entries);
}
