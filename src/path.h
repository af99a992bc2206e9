/* path: percent-decoding and normalisation of request paths (no I/O). */
#ifndef ALMANAC_PATH_H
#define ALMANAC_PATH_H

#include <stddef.h>

#define PATH_MAX_LEN	1024

enum path_verdict {
	PATH_OK,
	PATH_BAD_ESCAPE,	/* '%' not followed by two hex digits */
	PATH_FORBIDDEN,		/* %00, %2F or a control byte once decoded */
	PATH_CLIMB,		/* '..' above the root */
	PATH_HIDDEN,		/* a dot segment other than /.well-known */
	PATH_TOO_LONG
};

/*
 * Decodes and normalises the path of a request into 'out', relative to
 * the root and without a leading slash: "" for the root, "a/b.gmi", or
 * "a/" when the request ends in a slash (or in "." or "..").  Empty
 * segments are dropped.  'out' holds at least PATH_MAX_LEN + 1 bytes.
 */
enum path_verdict	 path_normalise(const char *, size_t, char *);
const char		*path_verdict_str(enum path_verdict);
/* Appends the percent-encoded form of a relative path, for link lines. */
size_t			 path_encode(const char *, char *, size_t);
/*
 * 1 when a name holds a control byte: no request can name it (they are
 * refused), so it is never linked.
 */
int			 path_has_control(const char *);
/* 1 for editor and transfer leftovers: *~, *.swp, *.tmp, *.part, .x */
int			 path_is_leftover(const char *);

/* The value of a hexadecimal digit, either case, or -1. */
int	path_hex_value(int);

#endif
