/* dirpoll: what changed in a directory between two listings of its entries, for watching a capsule by polling (pure). */
#ifndef ALMANAC_DIRPOLL_H
#define ALMANAC_DIRPOLL_H

#include <stddef.h>

#include "fileid.h"

struct dirpoll_entry {
	char		*name;		/* owned by the listing */
	int		 is_dir;
	int		 unsettled;	/* changed too lately to trust its identity */
	struct fileid	 id;		/* what stat said */
};

struct dirpoll_list {
	struct dirpoll_entry	*v;
	size_t			 n, cap;
};

enum dirpoll_change {
	DIRPOLL_ADDED,
	DIRPOLL_CHANGED,
	DIRPOLL_REMOVED
};

typedef void	dirpoll_fn(void *, enum dirpoll_change,
		    const struct dirpoll_entry *);

void	dirpoll_init(struct dirpoll_list *);
void	dirpoll_free(struct dirpoll_list *);
/* Appends an entry, its name copied: 0, or -1 when memory runs out. */
int	dirpoll_add(struct dirpoll_list *, const char *, int, int,
	    const struct fileid *);
/* Sorts the entries by name, as dirpoll_diff wants them. */
void	dirpoll_sort(struct dirpoll_list *);
/*
 * Calls fn for each entry of 'now' that is not in 'before' or whose
 * identity differs (or was unsettled), and for each entry of 'before'
 * that is gone.  A directory is compared by device and inode only: what
 * is in it has listings of its own.  An entry that turned from file to
 * directory, or back, is removed and then added.
 */
void	dirpoll_diff(const struct dirpoll_list *, const struct dirpoll_list *,
	    dirpoll_fn *, void *);

#endif
