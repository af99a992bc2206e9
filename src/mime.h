/* mime: the media type of a file, from a small extension table or libmagic. */
#ifndef ALMANAC_MIME_H
#define ALMANAC_MIME_H

#include <stddef.h>

struct stat;

struct mime;	/* one per thread: a libmagic cookie is not thread-safe */

struct mime	*mime_open(void);
void		 mime_close(struct mime *);
/*
 * Writes the META of a 20 answer for the file 'name' open on 'fd', whose
 * fstat is 'st', into out: text/gemini with 'lang' for .gmi and .gemini,
 * the table's type where libmagic is known to guess wrong, else
 * libmagic's type and charset (remembered while the file is unchanged).
 * Returns 0, or -1 when even libmagic has no answer.
 */
int		 mime_for_file(struct mime *, const char *, int,
		    const struct stat *, const char *, char *, size_t);
/* The table alone (NULL when the extension is not in it); no I/O. */
const char	*mime_from_extension(const char *);

#endif
