/* strmap: an open-addressing hash map from C strings to pointers. */
#ifndef ALMANAC_STRMAP_H
#define ALMANAC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Keys are borrowed: each must stay valid while it is in the map.  The
 * hash of each key is kept beside it so that a probe compares strings
 * only when the hashes agree.
 */
struct strmap {
	const char	**keys;
	void		**vals;
	uint64_t	 *hashes;
	size_t		  cap;	/* a power of two, or 0 */
	size_t		  len;
};

void	 strmap_init(struct strmap *);
void	 strmap_free(struct strmap *);
void	*strmap_get(const struct strmap *, const char *);
/* Inserts or replaces; returns -1 when memory runs out. */
int	 strmap_put(struct strmap *, const char *, void *);
/* Removes the key and returns its value, or NULL. */
void	*strmap_del(struct strmap *, const char *);
/* The hash that places a key: its slot is hash & (cap - 1). */
uint64_t strmap_hash(const char *);

#endif
