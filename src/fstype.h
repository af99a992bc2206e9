/* fstype: which kind of file system holds a directory, and whether inotify sees every change made to it. */
#ifndef ALMANAC_FSTYPE_H
#define ALMANAC_FSTYPE_H

struct fstype {
	const char	*name;		/* "nfs", "ext4", or NULL: unknown */
	int		 remote;	/* changed by others than this kernel */
	unsigned long	 magic;		/* statfs(2)'s f_type */
};

/*
 * Classifies statfs(2)'s f_type (pure).  Remote: network, cluster and
 * user-space (FUSE) file systems, whose changes made elsewhere send no
 * inotify event.
 */
void	fstype_classify(unsigned long, struct fstype *);
/* statfs(2) of a path, classified: 0, or -1 with errno. */
int	fstype_of(const char *, struct fstype *);

#endif
