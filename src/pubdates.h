/* pubdates: the date each page of a host was first seen, kept in a state file that survives restarts. */
#ifndef ALMANAC_PUBDATES_H
#define ALMANAC_PUBDATES_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define PUBDATES_NAME_MAX	256	/* a state file's name, NUL included */

struct pubdates;

/*
 * The pure part: a map from page paths to first-seen times, its text
 * form, and the name of a host's file.  No I/O.
 */
struct pubdates	*pubdates_new(void);
void		 pubdates_free(struct pubdates *);
size_t		 pubdates_count(const struct pubdates *);
/* 1 and *out when the path was seen before, else 0. */
int		 pubdates_get(const struct pubdates *, const char *, time_t *);
/*
 * Records that the path was first seen at 't', unless it was seen
 * earlier: the earlier date stays.  -1 when memory runs out.
 */
int		 pubdates_put(struct pubdates *, const char *, time_t);
/*
 * Parses the text of a state file: lines "YYYY-MM-DDTHH:MM:SSZ PATH"
 * (UTC), blank lines and lines starting with '#' ignored, a path at most
 * once (the earlier date wins otherwise).  PATH is relative, without
 * control characters.  On success 0, every entry added to the map;
 * else -1 and "name:line: why" in err (the map may hold what came
 * before the error: the caller drops it).
 */
int		 pubdates_parse(struct pubdates *, const char *, size_t,
		    const char *, char *, size_t);
/* The text pubdates_parse reads back, entries sorted by path. */
void		 pubdates_format(const struct pubdates *, struct buf *);
/*
 * The file name of a host's state: its name in lower case without a
 * final dot, every byte but letters, digits, '-', '_' and an inner '.'
 * written %XX, then ".dates".  -1 when it does not fit.
 */
int		 pubdates_file_name(const char *, char *, size_t);
/*
 * The date a page of the chronicle is published at: the one recorded,
 * or else, recorded now, its modification time while the state is fresh
 * (created by this process, before its first complete scan) and 'now'
 * after.  Out of memory, the modification time, not recorded.
 */
time_t		 pubdates_first_seen(struct pubdates *, const char *, time_t,
		    time_t);
/* The first complete scan is over: pages seen from now on are new. */
void		 pubdates_scan_done(struct pubdates *);

/*
 * The I/O part.  pubdates_prepare_dir, at start, before the sandbox:
 * makes the directory when it is missing (owned by 'user' when started
 * as root) and tries writing in it as 'user' (or as this process when
 * 'user' is NULL or not in force).  0 when it can, else -1 and why.
 * With create 0 (almanac -n) nothing is made: a missing directory is
 * checked by its parent.
 */
int		 pubdates_prepare_dir(const char *, const char *, int, char *,
		    size_t);
/*
 * A host's dates, read from its file in 'dir' (which
 * pubdates_prepare_dir accepted); a missing file is a fresh state.
 * NULL, logged, when the file cannot be read or does not parse: the
 * host then goes without (and its file is left for a person to mend).
 */
struct pubdates	*pubdates_open(const char *, const char *);
/*
 * Writes the file when the dates changed since the last write, as a
 * temporary file fsynced and renamed over it; a failure is logged once
 * and the write tried again on the next call.
 */
void		 pubdates_flush(struct pubdates *);

#endif
