/* beneath: open a path under a root directory, following symbolic links only while they stay beneath it. */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "beneath.h"

#define LINKS_MAX	40	/* as the kernel's own limit */

static long
openat2_beneath(int rootfd, const char *path, int flags, unsigned long long r)
{
	struct open_how	 how = {
		.flags = (unsigned long long)flags,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | r
	};

	return syscall(SYS_openat2, rootfd, path[0] ? path : ".", &how,
	    sizeof(how));
}

/* Where an open descriptor really is, from /proc. */
static int
fd_path(int fd, char *out, size_t outsz)
{
	char	 link[64];
	ssize_t	 n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, out, outsz - 1)) == -1)
		return -1;
	out[n] = '\0';
	return 0;
}

/*
 * Without openat2 (kernels before 5.6, valgrind): open, then check where
 * the descriptor really points.  Checking the opened file, not the name,
 * leaves no window for a swap.
 */
static int
open_checked(int rootfd, const char *path, int flags)
{
	char	 root[PATH_MAX], real[PATH_MAX];
	size_t	 len;
	int	 fd;

	if ((fd = openat(rootfd, path[0] ? path : ".", flags)) == -1)
		return -1;
	if (fd_path(rootfd, root, sizeof(root)) == -1 ||
	    fd_path(fd, real, sizeof(real)) == -1)
		goto refuse;
	len = strlen(root);
	if (strcmp(root, "/") != 0 && (strncmp(real, root, len) != 0 ||
	    (real[len] != '\0' && real[len] != '/')))
		goto refuse;
	return fd;
refuse:
	close(fd);
	errno = EXDEV;
	return -1;
}

/* Puts "text" + "/" + rest into rest (both NUL-terminated): 0 or -1. */
static int
prepend(char *rest, size_t restsz, const char *text)
{
	char	 joined[PATH_MAX];

	if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", text, rest) >=
	    sizeof(joined) || strlen(joined) >= restsz)
		return -1;
	memcpy(rest, joined, strlen(joined) + 1);
	return 0;
}

/*
 * An absolute link target that names the root, or a place beneath it,
 * becomes the same place relative to the root; NULL when it leads out.
 */
static const char *
relative_to_root(const char *target, const char *root)
{
	size_t	 len = strlen(root);

	if (strcmp(root, "/") == 0)
		return target + 1;
	if (strncmp(target, root, len) != 0 ||
	    (target[len] != '\0' && target[len] != '/'))
		return NULL;
	return target + len;
}

/*
 * Resolves 'path' component by component into 'out', a path relative to
 * the root with no symbolic link left in it: absolute links are read as
 * the places they name, and must be beneath the root like relative ones.
 * RESOLVE_BENEATH refuses absolute links outright, so this runs only when
 * it did.  0, or -1 with errno (EXDEV: the path leads out).
 */
static int
resolve(int rootfd, const char *path, char *out, size_t outsz)
{
	char		 rest[PATH_MAX], target[PATH_MAX], root[PATH_MAX];
	char		 cand[PATH_MAX], *c, *slash;
	const char	*rel;
	size_t		 len = 0;
	ssize_t		 n;
	int		 links = 0;

	if ((size_t)snprintf(rest, sizeof(rest), "%s", path) >= sizeof(rest) ||
	    fd_path(rootfd, root, sizeof(root)) == -1)
		return -1;
	out[0] = '\0';
	while (rest[0] != '\0') {
		c = rest;
		if ((slash = strchr(c, '/')) != NULL)
			*slash = '\0';
		if (strcmp(c, "..") == 0) {
			if (len == 0)
				goto out_of_root;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
		} else if (c[0] != '\0' && strcmp(c, ".") != 0) {
			if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s", out,
			    len > 0 ? "/" : "", c) >= sizeof(cand))
				goto too_long;
			n = readlinkat(rootfd, cand, target, sizeof(target) - 1);
			if (n == -1 && errno != EINVAL)
				return -1;
			if (n == -1) {	/* not a link: a step taken */
				if (strlen(cand) >= outsz)
					goto too_long;
				memcpy(out, cand, strlen(cand) + 1);
				len = strlen(out);
			} else {
				if (++links > LINKS_MAX) {
					errno = ELOOP;
					return -1;
				}
				target[n] = '\0';
				memmove(rest, slash ? slash + 1 : "",
				    slash ? strlen(slash + 1) + 1 : 1);
				slash = NULL;
				if (target[0] == '/') {
					if ((rel = relative_to_root(target,
					    root)) == NULL)
						goto out_of_root;
					out[0] = '\0';
					len = 0;
				} else
					rel = target;
				if (prepend(rest, sizeof(rest), rel) == -1)
					goto too_long;
				continue;
			}
		}
		if (slash == NULL)
			break;
		memmove(rest, slash + 1, strlen(slash + 1) + 1);
	}
	return 0;
out_of_root:
	errno = EXDEV;
	return -1;
too_long:
	errno = ENAMETOOLONG;
	return -1;
}

/*
 * The fast way is one openat2 with RESOLVE_BENEATH; only when it refuses a
 * link (EXDEV) is the path resolved by hand, and the result opened with
 * no symbolic link allowed at all, so that a link swapped in meanwhile
 * fails rather than leads out.
 */
static int
open_flags(int rootfd, const char *path, int flags)
{
	char	 resolved[PATH_MAX];
	long	 fd;

	fd = openat2_beneath(rootfd, path, flags, 0);
	if (fd == -1 && errno == ENOSYS)
		return open_checked(rootfd, path, flags);
	if (fd != -1 || errno != EXDEV)
		return (int)fd;
	if (resolve(rootfd, path, resolved, sizeof(resolved)) == -1)
		return -1;
	return (int)openat2_beneath(rootfd, resolved, flags,
	    RESOLVE_NO_SYMLINKS);
}

int
beneath_open(int rootfd, const char *path, int flags)
{
	return open_flags(rootfd, path, flags);
}

int
beneath_lstat(int rootfd, const char *path, struct stat *st)
{
	int	 fd, rc;

	if ((fd = open_flags(rootfd, path, O_PATH | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	rc = fstat(fd, st);
	close(fd);
	return rc;
}
