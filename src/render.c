/* render: generated gemtext and Atom pages from the catalog (pure: data in, text out). */
#include <stdio.h>
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

static void
put_page_link(struct buf *b, const char *prefix, const struct page *p,
    const char *nl)
{
	char	 date[16];

	meta_format_date(&p->date, date, sizeof(date));
	buf_puts(b, "=> ");
	put_link_target(b, p->path);
	buf_printf(b, " %s%s - %s%s", prefix, date, p->title, nl);
}

void
render_page_line(struct buf *b, const struct page *p)
{
	put_page_link(b, "", p, "\n");
}

static void
put_line(struct buf *b, const struct page *p)
{
	if (p->line != NULL)
		buf_append(b, p->line, p->line_len);
	else
		render_page_line(b, p);
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
 * The index and the year pages are assembled from pieces so that the
 * catalog can keep each year's lines across rebuilds: a change re-renders
 * the years it touches, not the whole capsule.
 */
void
render_index_head(struct buf *b, const struct render_site *s, size_t npages)
{
	put_intro(b, s);
	if (npages == 0)
		buf_puts(b, "No dated pages have been published yet.\n\n");
}

/*
 * A year is always written with four digits, as a link and as a label:
 * the year pages are at "/0999/" (the catalog reads exactly four digits,
 * as in the file names), so "/999/" would answer 51.
 */
void
render_index_year(struct buf *b, int year)
{
	buf_printf(b, "## %04d\n\n", year);
}

void
render_index_tail(struct buf *b)
{
	buf_puts(b, "## Browse and subscribe\n\n");
	buf_puts(b, "=> /timeline.gmi Timeline: every year and its pages\n");
	buf_puts(b, "=> /feed.gmi Gemini feed of new pages (gemfeed)\n");
	buf_puts(b, "=> /atom.xml Atom feed of new pages\n");
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
render_year_head(struct buf *b, const struct render_site *s,
    const struct year_span *y)
{
	buf_printf(b, "# %04d\n\n", y->year);
	buf_printf(b, "%zu page%s from %04d in %s, in time order.\n\n",
	    y->count, y->count == 1 ? "" : "s", y->year, s->title);
}

void
render_year_nav(struct buf *b, const struct year_span *years, size_t nyears,
    size_t which)
{
	buf_putc(b, '\n');
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

	render_index_head(b, s, n);
	for (y = 0; y < nyears; y++) {
		render_index_year(b, years[y].year);
		render_year_lines(b, chron, &years[y]);
		buf_putc(b, '\n');
	}
	render_index_tail(b);
}

void
render_year(struct buf *b, const struct render_site *s,
    struct page *const *chron, const struct year_span *years, size_t nyears,
    size_t which)
{
	render_year_head(b, s, &years[which]);
	render_year_lines(b, chron, &years[which]);
	render_year_nav(b, years, nyears, which);
}

void
render_timeline(struct buf *b, const struct render_site *s,
    const struct year_span *years, size_t nyears)
{
	size_t	 y;

	buf_printf(b, "# Timeline of %s\n\n", s->title);
	if (nyears == 0)
		buf_puts(b, "No dated pages have been published yet.\n");
	for (y = 0; y < nyears; y++)
		buf_printf(b, "=> /%04d/ %04d (%zu page%s)\n", years[y].year,
		    years[y].year, years[y].count,
		    years[y].count == 1 ? "" : "s");
	buf_puts(b, "\n=> / Index\n");
}

/*
 * The navigation appended to a dated page.  It uses the page's own line
 * ending so that a CRLF page does not end with mixed line endings.
 */
void
render_footer(struct buf *b, const struct page *page, const struct page *prev,
    const struct page *next)
{
	const char	*nl = page->crlf ? "\r\n" : "\n";

	buf_puts(b, nl);
	if (prev != NULL)
		put_page_link(b, "Previous: ", prev, nl);
	if (next != NULL)
		put_page_link(b, "Next: ", next, nl);
	buf_printf(b, "=> /%04d/ All pages from %04d%s", page->date.year,
	    page->date.year, nl);
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
		put_day(b, recent[i]->mtime);
		buf_printf(b, " - %s\n", recent[i]->title);
	}
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

void
render_atom(struct buf *b, const struct render_site *s,
    struct page *const *recent, size_t n)
{
	size_t	 i;

	if (n > s->feed_max)
		n = s->feed_max;
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
	put_rfc3339(b, n > 0 ? recent[0]->mtime : 0);
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
		buf_puts(b, "</id>\n    <updated>");
		put_rfc3339(b, recent[i]->mtime);
		buf_puts(b, "</updated>\n  </entry>\n");
	}
	buf_puts(b, "</feed>\n");
}

void
render_listing(struct buf *b, const char *dir, char *const *names, size_t n)
{
	char	 enc[3 * PATH_MAX_LEN + 2], label[PATH_MAX_LEN + 1];
	size_t	 i;

	snprintf(label, sizeof(label), "%s", dir);
	meta_sanitize(label);
	buf_printf(b, "# Index of /%s\n\n", label);
	if (dir[0] != '\0')
		buf_puts(b, "=> ../ Parent directory\n");
	for (i = 0; i < n; i++) {
		/* "./" keeps a name like "a:b" from reading as a scheme. */
		path_encode(names[i], enc, sizeof(enc));
		snprintf(label, sizeof(label), "%s", names[i]);
		meta_sanitize(label);
		buf_printf(b, "=> ./%s %s\n", enc, label);
	}
	if (n == 0)
		buf_puts(b, "This directory is empty.\n");
}
