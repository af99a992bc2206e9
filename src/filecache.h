/* filecache: small settled files kept in memory per worker, checked against the file on every use. */
#ifndef ALMANAC_FILECACHE_H
#define ALMANAC_FILECACHE_H

#include <stddef.h>

struct stat;
struct filecache;	/* one per thread: no locking */

/* A remembered file: its bytes and the META of its 20 answer. */
struct cached_file {
	const char	*data;
	size_t		 len;
	const char	*meta;
};

struct filecache	*filecache_new(void);
void			 filecache_free(struct filecache *);
/*
 * Files are named by a capsule number (a host's index) and a path in it.
 * filecache_get: 1 and the file 'rel' of capsule 'capsule' when it is
 * remembered and a stat of 'rel' under the directory 'rootfd' still finds
 * the same file (device, inode, size, modification and change times; a
 * symbolic link never matches).  0 otherwise, and a stale entry is
 * forgotten.  The view is valid until the next call on the cache.
 */
int	filecache_get(struct filecache *, int, int, const char *,
	    struct cached_file *);
/*
 * Remembers the regular file open on 'fd' (its fstat is 'st') as 'rel'
 * of capsule 'capsule' with its META, if it is small and has not changed
 * for a few seconds.  Returns 1 if it was remembered.
 */
int	filecache_put(struct filecache *, int, const char *, int,
	    const struct stat *, const char *);

#endif
