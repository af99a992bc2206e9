/* dirpoll: what changed in a directory between two listings of its entries, for watching a capsule by polling (pure). */
#include <stdlib.h>
#include <string.h>

#include "dirpoll.h"

void
dirpoll_init(struct dirpoll_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
dirpoll_free(struct dirpoll_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	dirpoll_init(l);
}

int
dirpoll_add(struct dirpoll_list *l, const char *name, int is_dir,
    int unsettled, const struct fileid *id)
{
	struct dirpoll_entry	*v;
	size_t			 cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n].name = strdup(name)) == NULL)
		return -1;
	l->v[l->n].is_dir = is_dir;
	l->v[l->n].unsettled = unsettled;
	l->v[l->n].id = *id;
	l->n++;
	return 0;
}

static int
dirpoll_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dirpoll_entry *)a)->name,
	    ((const struct dirpoll_entry *)b)->name);
}

void
dirpoll_sort(struct dirpoll_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), dirpoll_cmp);
}

static int
dirpoll_same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Whether an entry of the same name and kind needs looking at again. */
static int
dirpoll_changed(const struct dirpoll_entry *was, const struct dirpoll_entry *is)
{
	if (was->id.dev != is->id.dev || was->id.ino != is->id.ino)
		return 1;
	if (is->is_dir)
		return 0;
	return was->unsettled || was->id.size != is->id.size ||
	    !dirpoll_same_time(&was->id.mtime, &is->id.mtime) ||
	    !dirpoll_same_time(&was->id.ctime, &is->id.ctime);
}

/* The same name and kind: changed, or the old one gone and a new one there. */
static void
dirpoll_pair(const struct dirpoll_entry *was, const struct dirpoll_entry *is,
    dirpoll_fn *fn, void *arg)
{
	if (was->is_dir != is->is_dir || (is->is_dir &&
	    dirpoll_changed(was, is))) {
		fn(arg, DIRPOLL_REMOVED, was);
		fn(arg, DIRPOLL_ADDED, is);
	} else if (dirpoll_changed(was, is))
		fn(arg, DIRPOLL_CHANGED, is);
}

void
dirpoll_diff(const struct dirpoll_list *before, const struct dirpoll_list *now,
    dirpoll_fn *fn, void *arg)
{
	size_t	 i = 0, j = 0;
	int	 c;

	while (i < before->n || j < now->n) {
		if (i == before->n)
			c = 1;
		else if (j == now->n)
			c = -1;
		else
			c = strcmp(before->v[i].name, now->v[j].name);
		if (c < 0)
			fn(arg, DIRPOLL_REMOVED, &before->v[i++]);
		else if (c > 0)
			fn(arg, DIRPOLL_ADDED, &now->v[j++]);
		else
			dirpoll_pair(&before->v[i++], &now->v[j++], fn, arg);
	}
}
