/* meta: a page's history date and title from its file name and text (no I/O). */
#ifndef ALMANAC_META_H
#define ALMANAC_META_H

#include <stddef.h>
#include <time.h>

#define TITLE_MAX	256
#define LINK_MAX	1024	/* longest link target a page's end is read for */

/* month and day are 0 when the file name does not give them. */
struct chron_date {
	int	year;
	int	month;
	int	day;
};

/* How a page's text is encoded, as far as a footer appended to it cares. */
enum page_text {
	PAGE_UTF8,		/* UTF-8 (or empty) */
	PAGE_8BIT,		/* another ASCII-compatible charset */
	PAGE_UTF16		/* starts with a UTF-16 byte order mark */
};

/*
 * A gemtext file, as the catalog and the renderers see it: a page of the
 * chronicle, or a file outside it (undated, or private) that is known
 * for its title and for how a footer meets its end.
 */
struct page {
	char			*path;	/* relative to the root: "chapters/x.gmi" */
	char			*title;
	struct chron_date	 date;	/* all 0 when undated */
	time_t			 mtime;	/* the file's last change */
	time_t			 published; /* first seen (src/pubdates.c), or the mtime */
	char			*line;	/* its index line, rendered once, or NULL */
	size_t			 line_len;
	/* Where its last line links to, when that is a page of this capsule. */
	char			*last_link;
	/* Its UTF-8 text (the first bytes read) for /search, or NULL: not searchable. */
	char			*search_text;
	size_t			 search_len;
	int			 crlf;	/* the file ends its lines with CRLF */
	int			 refs;	/* owned by the catalog's thread */
	unsigned		 seen;	/* the catalog's last scan that found it */
	unsigned		 in_chronicle : 1;
	unsigned		 open_pre : 1;	/* ends inside a ``` block */
	unsigned		 no_newline : 1; /* the last line has no end */
	unsigned		 text : 2;	/* enum page_text */
};

enum meta_title_source {
	TITLE_HEADING,		/* from the first '# ' heading */
	TITLE_NO_HEADING,	/* no heading: title from the name */
	TITLE_EMPTY,		/* empty file: title from the name */
	TITLE_NOT_UTF8		/* not UTF-8: title from the name */
};

/* What meta_date_note found in a name that starts like a date. */
enum meta_date_note {
	DATE_AS_WRITTEN,	/* a date prefix as documented, or none at all */
	DATE_CUT,		/* a month or day not as two digits and '-': the date stops before it */
	DATE_IMPOSSIBLE		/* a year, month or day that does not exist: undated */
};

/*
 * What the end of a page says about a footer appended to it, read line by
 * line as the file is: meta_end_init, meta_end_feed for each piece of the
 * text in order, then meta_end_finish.
 */
struct meta_end {
	int	 pre;		/* inside a preformatted block */
	int	 newline;	/* the text is empty or ends with a line end */
	int	 link;		/* its last line that is not blank is a link */
	int	 target_ok;	/* and 'target' holds all of that link's URL */
	char	 target[LINK_MAX + 1];
	/* The line being read. */
	char	 head[3];	/* its first bytes, for ``` and => */
	size_t	 len;
	int	 blank;
	int	 in_target;	/* reading the URL of a link line */
	size_t	 tlen;
	char	 cur[LINK_MAX + 1];
};

/* 1 for .gmi and .gemini names. */
int	meta_is_gemtext(const char *);
/*
 * Reads a YYYY-MM-DD-, YYYY-MM- or YYYY- prefix of a base name (a '.'
 * may stand for the last '-', as in "2013-09-01.gmi").  Returns the
 * length of the prefix, or 0 when the name is undated or the date is not
 * a real one.
 */
size_t	meta_parse_date(const char *, struct chron_date *);
/*
 * Whether a name that starts with a year says its date as documented:
 * '*looked' is then the length of what reads like a date, so that a
 * warning can quote it ("2010-1", "2014-02", "2013-02-30").
 */
enum meta_date_note	meta_date_note(const char *, size_t *);
/* "2013", "2013-09" or "2013-09-01". */
void	meta_format_date(const struct chron_date *, char *, size_t);
/* Orders by date; a year alone sorts before its months, a month before its days. */
int	meta_date_cmp(const struct chron_date *, const struct chron_date *);
/* Makes a name fit for a link label: controls and non-UTF-8 bytes become '?'. */
void	meta_sanitize(char *);
/* "building-the-camp" from "1986-building-the-camp.gmi", as "Building the camp". */
void	meta_title_from_name(const char *, char *, size_t);
/*
 * 3 when text[0..len) starts with a UTF-8 byte order mark, which editors
 * on Windows write: it belongs to no line, so the first is still read.
 */
size_t	meta_bom_length(const char *, size_t);
/*
 * The title of a page whose first bytes are text[0..len): the first level-1
 * heading outside preformatted blocks (after a byte order mark), else the
 * name.  '*crlf' tells whether the first line ends in CRLF.
 */
enum meta_title_source	meta_title(const char *, size_t, int truncated,
			    const char *, char *, size_t, int *);

/*
 * 1 when text[0..len) is UTF-8; 'truncated' says it is only the start of
 * a file, whose last sequence may be cut.
 */
int	meta_is_utf8(const char *, size_t, int truncated);

void	meta_end_init(struct meta_end *);
void	meta_end_feed(struct meta_end *, const char *, size_t);
void	meta_end_finish(struct meta_end *);
/*
 * Where a link on the page at 'page' ("a/b.gmi") leads in this capsule,
 * served as gemini://host[:port]/: 1 with the path as a request for it
 * names it ("a/c.gmi", "" for the index, "2013/"), or 0 when it leads
 * elsewhere (another host or scheme, a query, a path no request reaches).
 */
int	meta_link_path(const char *page, const char *target, const char *host,
	    int port, char *out);

#endif
