/* watch: inotify events on the capsule turned into catalog updates. */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "log.h"
#include "path.h"
#include "watch.h"

#define MAX_DEPTH	32
#define DIR_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			 IN_DELETE | IN_CREATE | IN_MODIFY | IN_ATTRIB | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | \
			 IN_DONT_FOLLOW | IN_EXCL_UNLINK)

struct watch {
	struct catalog	 *cat;
	char		 *root;
	int		  ifd;
	char		**dirs;		/* by watch descriptor: "" or "a/b/" */
	size_t		  ndirs;
	int		  root_wd;
	int		  root_missing;
};

static void
forget_all(struct watch *w)
{
	size_t	 i;

	for (i = 0; i < w->ndirs; i++) {
		if (w->dirs[i] == NULL)
			continue;
		inotify_rm_watch(w->ifd, (int)i);
		free(w->dirs[i]);
		w->dirs[i] = NULL;
	}
	w->root_wd = -1;
}

static void
forget_subtree(struct watch *w, const char *dir)
{
	size_t	 i, len = strlen(dir);

	for (i = 0; i < w->ndirs; i++) {
		if (w->dirs[i] == NULL || strncmp(w->dirs[i], dir, len) != 0)
			continue;
		inotify_rm_watch(w->ifd, (int)i);
		free(w->dirs[i]);
		w->dirs[i] = NULL;
	}
}

static int
remember(struct watch *w, int wd, const char *dir)
{
	char	**v;
	size_t	  n;

	if ((size_t)wd >= w->ndirs) {
		n = (size_t)wd * 2 + 16;
		if ((v = realloc(w->dirs, n * sizeof(*v))) == NULL)
			return -1;
		memset(v + w->ndirs, 0, (n - w->ndirs) * sizeof(*v));
		w->dirs = v;
		w->ndirs = n;
	}
	free(w->dirs[wd]);
	if ((w->dirs[wd] = strdup(dir)) == NULL)
		return -1;
	return 0;
}

static int
add_watch(struct watch *w, const char *dir)
{
	char	 full[PATH_MAX];
	int	 wd;

	if ((size_t)snprintf(full, sizeof(full), "%s/%s", w->root, dir) >=
	    sizeof(full))
		return -1;
	if ((wd = inotify_add_watch(w->ifd, full, DIR_MASK)) == -1) {
		log_syserr("inotify_add_watch %s", full);
		return -1;
	}
	if (remember(w, wd, dir) == -1) {
		log_warn("%s: out of memory, not watched", full);
		return -1;
	}
	return wd;
}

static int
entry_is_dir(int dfd, const struct dirent *de)
{
	struct stat	 st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* Watches 'dir' ("" or "a/b/") and everything under it, and lists its pages. */
static void
walk(struct watch *w, const char *dir, int depth)
{
	char		 path[PATH_MAX];
	struct dirent	*de;
	DIR		*d;
	int		 fd, isdir;

	if (depth > MAX_DEPTH) {
		log_warn("%s: deeper than %d levels, not watched", dir,
		    MAX_DEPTH);
		return;
	}
	if ((fd = add_watch(w, dir)) == -1)
		return;
	if (dir[0] == '\0')
		w->root_wd = fd;
	fd = openat(catalog_root(w->cat), dir[0] ? dir : ".", O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		log_syserr("cannot read directory /%s", dir);
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ".", "..", and hidden entries */
		isdir = entry_is_dir(dirfd(d), de);
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
		    de->d_name, isdir ? "/" : "") >= sizeof(path))
			continue;
		if (isdir)
			walk(w, path, depth + 1);
		else
			catalog_file_changed(w->cat, path);
	}
	closedir(d);
}

/* Opens the root and scans it: 0, or -1 when the root is not there. */
static int
attach_root(struct watch *w)
{
	int	 fd;

	fd = open(w->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	catalog_clear(w->cat);
	catalog_set_root(w->cat, fd);
	forget_all(w);
	catalog_bulk_begin(w->cat);
	walk(w, "", 0);
	catalog_bulk_end(w->cat);
	w->root_missing = 0;
	return 0;
}

struct watch *
watch_open(struct catalog *cat, const char *root)
{
	struct watch	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->cat = cat;
	w->root_wd = -1;
	if ((w->root = strdup(root)) == NULL)
		goto fail;
	if ((w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_syserr("inotify_init1");
		goto fail;
	}
	if (attach_root(w) == -1) {
		log_syserr("capsule root %s", root);
		close(w->ifd);
		goto fail;
	}
	catalog_publish(cat);
	return w;
fail:
	free(w->root);
	free(w);
	return NULL;
}

void
watch_close(struct watch *w)
{
	if (w == NULL)
		return;
	forget_all(w);
	free(w->dirs);
	close(w->ifd);
	free(w->root);
	free(w);
}

int
watch_fd(const struct watch *w)
{
	return w->ifd;
}

static void
root_lost(struct watch *w)
{
	log_warn("capsule root %s is gone; waiting for it to come back",
	    w->root);
	forget_all(w);
	catalog_clear(w->cat);
	catalog_set_root(w->cat, -1);
	w->root_missing = 1;
}

static void
rescan(struct watch *w)
{
	log_warn("inotify queue overflowed: rescanning %s", w->root);
	if (attach_root(w) == -1)
		root_lost(w);
}

static void
dir_event(struct watch *w, const struct inotify_event *ev, const char *path)
{
	char	 dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/", path) >= sizeof(dir))
		return;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO))
		walk(w, dir, 1);
	else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		forget_subtree(w, dir);
		catalog_dir_removed(w->cat, dir);
	}
}

/*
 * A file is 'busy' from its creation or first write until the writer
 * closes it: requests for it wait for the finished file (answer 40).  A
 * new hard link (more than one link at creation) is complete at once.
 */
static void
file_event(struct watch *w, const struct inotify_event *ev, const char *path)
{
	struct catalog	*c = w->cat;
	struct stat	 st;

	if (ev->mask & IN_CREATE) {
		if (fstatat(catalog_root(c), path, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_nlink == 1)
			catalog_set_busy(c, path, 1);
		else
			catalog_file_changed(c, path);
	}
	if (ev->mask & IN_MODIFY)
		catalog_set_busy(c, path, 1);
	if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
		catalog_set_busy(c, path, 0);
		catalog_file_changed(c, path);
	}
	if ((ev->mask & IN_ATTRIB) && !catalog_is_busy(c, path))
		catalog_file_changed(c, path);
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		catalog_set_busy(c, path, 0);
		catalog_file_removed(c, path);
	}
}

static void
handle_event(struct watch *w, const struct inotify_event *ev)
{
	char		 path[PATH_MAX];
	const char	*dir;

	if (ev->mask & IN_Q_OVERFLOW) {
		rescan(w);
		return;
	}
	if (ev->wd < 0 || (size_t)ev->wd >= w->ndirs ||
	    (dir = w->dirs[ev->wd]) == NULL)
		return;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		if (ev->wd == w->root_wd)
			root_lost(w);
		return;
	}
	if (ev->mask & IN_IGNORED) {
		free(w->dirs[ev->wd]);
		w->dirs[ev->wd] = NULL;
		return;
	}
	if (ev->len == 0 || ev->name[0] == '.' ||
	    (size_t)snprintf(path, sizeof(path), "%s%s", dir, ev->name) >=
	    sizeof(path))
		return;
	if (ev->mask & IN_ISDIR)
		dir_event(w, ev, path);
	else
		file_event(w, ev, path);
}

void
watch_process(struct watch *w)
{
	char				 evbuf[64 * 1024]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	ssize_t				 n;
	char				*p;

	for (;;) {
		n = read(w->ifd, evbuf, sizeof(evbuf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = evbuf; p < evbuf + n;
		    p += sizeof(struct inotify_event) + ev->len) {
			ev = (const struct inotify_event *)p;
			handle_event(w, ev);
		}
	}
	if (n == -1 && errno != EAGAIN)
		log_syserr("inotify read");
	catalog_publish(w->cat);
}

void
watch_tick(struct watch *w)
{
	if (w->root_missing && attach_root(w) == 0) {
		log_info("capsule root %s is back: %zu dated pages", w->root,
		    catalog_count(w->cat));
		catalog_publish(w->cat);
	}
	catalog_reap(w->cat);
}
