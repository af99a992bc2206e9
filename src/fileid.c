/* fileid: a file's identity from its stat, to tell whether it is still the same file. */
#include <sys/stat.h>

#include "fileid.h"

#define SETTLED_SECONDS	2

void
fileid_of(struct fileid *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

int
fileid_same(const struct fileid *id, const struct stat *st)
{
	return S_ISREG(st->st_mode) && id->dev == st->st_dev &&
	    id->ino == st->st_ino && id->size == st->st_size &&
	    same_time(&id->mtime, &st->st_mtim) &&
	    same_time(&id->ctime, &st->st_ctim);
}

int
fileid_settled(const struct stat *st, time_t now)
{
	/* The change time moves with every write and metadata change. */
	return st->st_ctim.tv_sec <= now - SETTLED_SECONDS;
}
