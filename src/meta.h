/* meta: a page's history date and title from its file name and text (no I/O). */
#ifndef ALMANAC_META_H
#define ALMANAC_META_H

#include <stddef.h>
#include <time.h>

#define TITLE_MAX	256

/* month and day are 0 when the file name does not give them. */
struct chron_date {
	int	year;
	int	month;
	int	day;
};

/* A page of the chronicle, as the catalog and the renderers see it. */
struct page {
	char			*path;	/* relative to the root: "chapters/x.gmi" */
	char			*title;
	struct chron_date	 date;
	time_t			 mtime;	/* publication: the file's mtime */
	char			*line;	/* its index line, rendered once, or NULL */
	size_t			 line_len;
	int			 crlf;	/* the file ends its lines with CRLF */
	int			 refs;	/* owned by the catalog's thread */
	unsigned		 seen;	/* the catalog's last scan that found it */
};

enum meta_title_source {
	TITLE_HEADING,		/* from the first '# ' heading */
	TITLE_NO_HEADING,	/* no heading: title from the name */
	TITLE_EMPTY,		/* empty file: title from the name */
	TITLE_NOT_UTF8		/* not UTF-8: title from the name */
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

#endif
