/* allowset: a block's allow lists as the server uses them: the fingerprints of the configuration, and files read again when they change. */
#ifndef ALMANAC_ALLOWSET_H
#define ALMANAC_ALLOWSET_H

#include <stddef.h>

struct access_identity;
struct allowset;
struct rules;

/*
 * The lists of 'allow client' and 'allow clients' in r, the files read
 * now; a file that cannot be read is logged and allows nobody until it
 * can be.  NULL when out of memory.
 */
struct allowset	*allowset_new(const struct rules *);
void		 allowset_free(struct allowset *);
/*
 * Thread-safe: the status the identity earns (0, 60, 61 or 62, see
 * access_status), a certificate being required when 'require' is set or
 * the set has any list.  'set' may be NULL: no lists.
 */
int		 allowset_status(struct allowset *, const struct access_identity *,
		    int, char *, size_t);
/*
 * Reads again each file that changed (edited in place or replaced by a
 * rename) since it was last read; one that cannot be read or parsed
 * keeps the last good list, and the log says why.  Called by one thread.
 */
void		 allowset_refresh(struct allowset *);

#endif
