/* render: generated gemtext and Atom pages from the catalog (pure: data in, text out). */
#ifndef ALMANAC_RENDER_H
#define ALMANAC_RENDER_H

#include <stddef.h>

#include "buf.h"
#include "meta.h"

struct render_site {
	const char	*title;		/* the capsule's name */
	const char	*base_url;	/* "gemini://host/" or "gemini://host:port/" */
	const char	*intro;		/* the author's intro.gmi, or NULL */
	size_t		 intro_len;
	size_t		 feed_max;	/* entries in the feeds */
};

/* The pages of one year: pages[first .. first + count) of the chronology. */
struct year_span {
	int	year;
	size_t	first;
	size_t	count;
};

/* An entry of a directory listing: its name, and the page when it is one. */
struct listing_entry {
	const char		*name;	/* "x.gmi", or "sub/" for a directory */
	const struct page	*page;	/* NULL: not a gemtext file the catalog knows */
};

/* 'chron' is sorted by history date, 'recent' newest publication first. */
void	render_index(struct buf *, const struct render_site *,
	    struct page *const *, size_t, const struct year_span *, size_t);
void	render_year(struct buf *, struct page *const *,
	    const struct year_span *, size_t, size_t);
void	render_timeline(struct buf *, struct page *const *, size_t,
	    const struct year_span *, size_t);
/*
 * The pieces the three above are made of, for the catalog to assemble:
 * the index is its head and every year's lines; a year page its head,
 * its lines and its navigation; the timeline its head, every year's
 * piece and its tail.
 */
void	render_index_head(struct buf *, const struct render_site *, size_t,
	    const struct year_span *, size_t);
void	render_year_lines(struct buf *, struct page *const *,
	    const struct year_span *);
void	render_year_head(struct buf *, const struct year_span *);
void	render_year_nav(struct buf *, const struct year_span *, size_t, size_t);
void	render_timeline_head(struct buf *, size_t, const struct year_span *,
	    size_t);
void	render_timeline_year(struct buf *, struct page *const *,
	    const struct year_span *);
void	render_timeline_tail(struct buf *);
/*
 * The navigation appended to a page of the chronicle: previous, next, its
 * year and the index, always in that order.
 */
void	render_footer(struct buf *, const struct page *, const struct page *,
	    const struct page *);
/*
 * The navigation appended to any other gemtext file: a link to the index.
 * 'page' is NULL for a file the catalog does not know (yet).
 */
void	render_end(struct buf *, const struct page *);
/*
 * The feeds of 'recent': the gemfeed dates a page by its publication
 * (page->published), Atom gives that as <published> and its last change
 * (page->mtime, never before the publication) as <updated>.
 */
void	render_gemfeed(struct buf *, const struct render_site *,
	    struct page *const *, size_t);
void	render_atom(struct buf *, const struct render_site *,
	    struct page *const *, size_t);
/*
 * A listing of directory 'dir' ("" or "a/b/"): subdirectories, then
 * gemtext pages by title and date, then other files, each group in the
 * order given.  The first form knows only the names.
 */
void	render_listing(struct buf *, const char *, char *const *, size_t);
void	render_listing_pages(struct buf *, const char *,
	    const struct listing_entry *, size_t);
/*
 * A page's line on the index and year pages, "=> /path DATE - Title\n".
 * The catalog keeps it in page->line so that a rebuild copies it.
 */
void	render_page_line(struct buf *, const struct page *);
/* Groups a chronology into years; returns how many spans were written. */
size_t	render_year_spans(struct page *const *, size_t, struct year_span *);

#endif
