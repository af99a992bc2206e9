/* titan: Titan upload parameters (pure), and the upload itself: a temporary file renamed into place, and delete. */
#ifndef ALMANAC_TITAN_H
#define ALMANAC_TITAN_H

#include <stddef.h>

#define TITAN_TOKEN_MAX	256		/* bytes of a token, decoded */
#define TITAN_SIZE_MAX	((long long)1 << 40)	/* the largest size= parsed */

/*
 * The parameters after a Titan URL's path: ";size=N;mime=TYPE;token=T"
 * in any order, or ";edit".  'mime' points into the parsed text.
 */
struct titan_params {
	size_t		 path_len;	/* of the path before the first ';' */
	long long	 size;		/* -1: no size= */
	int		 edit;		/* ";edit": fetch the raw page */
	const char	*mime;		/* NULL: no mime= */
	size_t		 mime_len;
	int		 has_token;
	char		 token[TITAN_TOKEN_MAX + 1];	/* percent-decoded */
	size_t		 token_len;
};

/*
 * Splits the path of a titan:// URL ("/a/b.gmi;size=5;token=x") into its
 * path (path_len, set even on failure) and parameters.  NULL, or why the
 * parameters are malformed (a number that is not one, a bad escape, a
 * parameter given twice, an empty one); unknown parameters are ignored.
 * A missing size is not an error here: params->size stays -1.
 */
const char	*titan_parse(const char *, size_t, struct titan_params *);
/*
 * A Titan request line as it may be logged: every token value replaced by
 * "***", in place.  Returns the new length; other lines are unchanged.
 */
size_t		 titan_redact(char *, size_t);

/*
 * The deepest directory every path a location pattern matches lies in,
 * relative to the root ("" for the root, "notes/2024"): where uploads
 * there are written, for the sandbox to allow.  -1 when it does not fit.
 */
int		 titan_pattern_dir(const char *, char *, size_t);

struct titan_upload;

/*
 * Starts an upload of 'size' bytes to 'rel' (relative to rootfd, not a
 * directory's path): the missing directories on the way are made, and a
 * temporary dotfile is opened beside the target.  0, or -1 with errno.
 */
int		 titan_begin(int, const char *, long long, struct titan_upload **);
/* Appends to the temporary file: 0, or -1 with errno (the upload stays). */
int		 titan_write(struct titan_upload *, const void *, size_t);
/* Bytes still expected. */
long long	 titan_left(const struct titan_upload *);
/*
 * Once every byte has come: drops a final copy of 'strip' (the navigation
 * a served page ends with, which an editor sends back; NULL: none), syncs
 * the file and renames it over the target.  Frees the upload either way:
 * 0, or -1 with errno and the target as it was.
 */
int		 titan_commit(struct titan_upload *, const char *, size_t);
/* Removes the temporary file and frees the upload; NULL is fine. */
void		 titan_abort(struct titan_upload *);
/* Removes a page: 0, or -1 with errno (ENOENT: none, EISDIR: a directory). */
int		 titan_delete(int, const char *);

#endif
