/* beneath: open a path under a root directory, following symbolic links only while they stay beneath it. */
#ifndef ALMANAC_BENEATH_H
#define ALMANAC_BENEATH_H

struct stat;

/*
 * Opens 'path' ("" for the root itself) relative to the directory 'rootfd'
 * with 'flags'.  Every symbolic link on the way is followed, relative or
 * absolute, as long as where it leads is beneath the root; one that leads
 * out fails with EXDEV.
 */
int	beneath_open(int rootfd, const char *path, int flags);
/*
 * The stat of 'path' found the same way, without following a final
 * symbolic link: 0 or -1.
 */
int	beneath_lstat(int rootfd, const char *path, struct stat *);

#endif
