/* fileid: a file's identity from its stat, to tell whether it is still the same file. */
#ifndef ALMANAC_FILEID_H
#define ALMANAC_FILEID_H

#include <sys/types.h>

#include <time.h>

struct stat;

/*
 * Device, inode, size, and modification and change times: while they
 * stay the same, so do the file's bytes.  File times are coarse (a few
 * milliseconds), so a write in the same tick as a read could leave them
 * unchanged: only a settled file, unchanged for a few seconds, may be
 * trusted by its identity alone.
 */
struct fileid {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime, ctime;
};

void	fileid_of(struct fileid *, const struct stat *);
/* 1 if st is a regular file with this identity. */
int	fileid_same(const struct fileid *, const struct stat *);
/* 1 if the file has not changed in the last few seconds before 'now'. */
int	fileid_settled(const struct stat *, time_t);

#endif
