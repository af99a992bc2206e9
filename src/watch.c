/* watch: inotify events on the capsule, or what polling it finds, turned into catalog updates. */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "dirpoll.h"
#include "fileid.h"
#include "fstype.h"
#include "log.h"
#include "path.h"
#include "strmap.h"
#include "watch.h"

#define MAX_DEPTH	32
#define DIR_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			 IN_DELETE | IN_CREATE | IN_MODIFY | IN_ATTRIB | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | \
			 IN_DONT_FOLLOW | IN_EXCL_UNLINK)

#define SETTLE_MS	100	/* how often files still being written are looked at */
#define PAIR_MS		10	/* how long the second half of a rename is awaited */
#define STREAM_MS	100	/* longest the pages lag behind a stream of events */

struct watch {
	struct catalog	 *cat;
	char		 *root;
	int		  ifd;
	char		**dirs;		/* by watch descriptor: "" or "a/b/" */
	size_t		  ndirs;
	int		  root_wd;
	int		  root_missing;
	int		  root_unreachable;	/* back, but outside the sandbox */
	/*
	 * Files the catalog could not take in yet: still open for writing,
	 * or out of descriptors or memory.  Keys are owned here.
	 */
	struct strmap	  pending;
	int		  walk_failed;	/* the last walk missed a directory */
	int		  rescan_due;
	uint32_t	  moved_from;	/* a rename whose IN_MOVED_TO is not read yet */
	/*
	 * A polled capsule has no inotify descriptor: every poll_ms its
	 * directories are listed and stat'ed, and compared with 'listings'
	 * ("" or "a/b/" to its struct dirpoll_list, keys owned here).
	 */
	int		  polled;
	int		  poll_ms;
	struct timespec	  next_poll;
	struct strmap	  listings;
};

static void
pending_del(struct watch *w, const char *path)
{
	char	*key;

	if ((key = strmap_del(&w->pending, path)) != NULL)
		free(key);
}

static void
pending_add(struct watch *w, const char *path)
{
	char	*key;

	if (strmap_get(&w->pending, path) != NULL)
		return;
	if ((key = strdup(path)) == NULL ||
	    strmap_put(&w->pending, key, key) == -1) {
		free(key);
		w->rescan_due = 1;	/* out of memory: a rescan finds it */
	}
}

static void
pending_clear(struct watch *w, const char *prefix)
{
	size_t	 i, len = strlen(prefix);

	for (i = 0; i < w->pending.cap; i++) {
		const char *key = w->pending.keys[i];
		if (key != NULL && strncmp(key, prefix, len) == 0) {
			pending_del(w, key);
			i = (size_t)-1;	/* the table moved: start again */
		}
	}
}

/* The catalog takes the file in now, or it waits in 'pending'. */
static void
update(struct watch *w, const char *path)
{
	if (catalog_file_changed(w->cat, path) == CATALOG_DONE)
		pending_del(w, path);
	else
		pending_add(w, path);
}

/* Looks again at every file that was not taken in. */
static void
settle_pending(struct watch *w)
{
	char	**keys;
	size_t	  i, n = 0;

	if (w->pending.len == 0)
		return;
	if ((keys = calloc(w->pending.len, sizeof(*keys))) == NULL)
		return;
	for (i = 0; i < w->pending.cap; i++)
		if (w->pending.keys[i] != NULL)
			keys[n++] = (char *)w->pending.keys[i];
	for (i = 0; i < n; i++) {
		if (catalog_file_changed(w->cat, keys[i]) == CATALOG_DONE)
			pending_del(w, keys[i]);
	}
	free(keys);
}

/* Drops the listings of 'prefix' and every directory under it ("": all). */
static void
listings_forget(struct watch *w, const char *prefix)
{
	char	**keys;
	size_t	  i, n = 0, len = strlen(prefix);

	if (w->listings.len == 0)
		return;
	if ((keys = calloc(w->listings.len, sizeof(*keys))) == NULL) {
		w->rescan_due = 1;	/* a rescan starts from no listing */
		return;
	}
	for (i = 0; i < w->listings.cap; i++) {
		const char *key = w->listings.keys[i];
		if (key != NULL && strncmp(key, prefix, len) == 0)
			keys[n++] = (char *)key;
	}
	for (i = 0; i < n; i++) {
		struct dirpoll_list *l = strmap_del(&w->listings, keys[i]);
		dirpoll_free(l);
		free(l);
		free(keys[i]);
	}
	free(keys);
}

static void
forget_all(struct watch *w)
{
	size_t	 i;

	listings_forget(w, "");
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
		if (errno == ENOMEM)
			w->walk_failed = 1;
		log_syserr("inotify_add_watch %s", full);
		return -1;
	}
	if (remember(w, wd, dir) == -1) {
		log_warn("%s: out of memory, not watched", full);
		w->walk_failed = 1;
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
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			w->walk_failed = 1;	/* try the scan again later */
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
			update(w, path);
	}
	closedir(d);
}

static void
poll_due_in(struct watch *w, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, &w->next_poll);
	w->next_poll.tv_sec += ms / 1000;
	w->next_poll.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (w->next_poll.tv_nsec >= 1000000000L) {
		w->next_poll.tv_sec++;
		w->next_poll.tv_nsec -= 1000000000L;
	}
}

/* What one poll found different in a directory, told the catalog. */
struct poll_diff {
	struct watch	*w;
	const char	*dir;
};

static void
poll_changed(void *arg, enum dirpoll_change how, const struct dirpoll_entry *e)
{
	const struct poll_diff	*d = arg;
	struct watch		*w = d->w;
	char			 path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", d->dir, e->name,
	    e->is_dir ? "/" : "") >= sizeof(path))
		return;
	if (e->is_dir) {
		if (how == DIRPOLL_REMOVED) {
			listings_forget(w, path);
			pending_clear(w, path);
			catalog_dir_removed(w->cat, path);
		}
		return;	/* a new one is listed as the poll goes down */
	}
	if (how == DIRPOLL_REMOVED) {
		pending_del(w, path);
		catalog_file_removed(w->cat, path);
	} else
		update(w, path);
}

/*
 * A directory's entries and what stat says of each: no file is read.
 * A file changed in the last seconds is unsettled: file times are coarse,
 * so the next poll reads it again even if stat says the same.
 */
static int
poll_list(struct watch *w, const char *dir, struct dirpoll_list *l)
{
	struct fileid	 id;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	time_t		 now = time(NULL);
	int		 fd, is_dir;

	fd = openat(catalog_root(w->cat), dir[0] ? dir : ".", O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ".", "..", and hidden entries */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;	/* gone since readdir */
		is_dir = S_ISDIR(st.st_mode);
		fileid_of(&id, &st);
		if (dirpoll_add(l, de->d_name, is_dir, !is_dir &&
		    !fileid_settled(&st, now), &id) == -1) {
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
	}
	closedir(d);
	dirpoll_sort(l);
	return 0;
}

/* Keeps the listing just read as the one the next poll compares with. */
static int
poll_keep(struct watch *w, const char *dir, struct dirpoll_list *fresh)
{
	struct dirpoll_list	*old, *l;
	char			*key;

	if ((old = strmap_get(&w->listings, dir)) != NULL) {
		dirpoll_free(old);
		*old = *fresh;
		return 0;
	}
	if ((l = malloc(sizeof(*l))) == NULL || (key = strdup(dir)) == NULL) {
		free(l);
		return -1;
	}
	*l = *fresh;
	if (strmap_put(&w->listings, key, l) == -1) {
		free(key);
		free(l);
		return -1;
	}
	return 0;
}

/*
 * Compares 'dir' ("" or "a/b/") with its last listing, then goes down
 * into its directories.  A directory that cannot be read keeps its last
 * listing: the next poll tries again.
 */
static void
poll_dir(struct watch *w, const char *dir, int depth)
{
	static const struct dirpoll_list	 none;
	struct dirpoll_list			 fresh;
	const struct dirpoll_list		*old;
	struct poll_diff			 d = { w, dir };
	char					 path[PATH_MAX];
	size_t					 i;

	if (depth > MAX_DEPTH)
		return;
	dirpoll_init(&fresh);
	if (poll_list(w, dir, &fresh) == -1) {
		if (errno != ENOENT || dir[0] == '\0')
			w->walk_failed = 1;
		dirpoll_free(&fresh);
		return;
	}
	old = strmap_get(&w->listings, dir);
	dirpoll_diff(old != NULL ? old : &none, &fresh, poll_changed, &d);
	for (i = 0; i < fresh.n; i++)
		if (fresh.v[i].is_dir && (size_t)snprintf(path, sizeof(path),
		    "%s%s/", dir, fresh.v[i].name) < sizeof(path))
			poll_dir(w, path, depth + 1);
	if (poll_keep(w, dir, &fresh) == -1) {
		dirpoll_free(&fresh);
		listings_forget(w, dir);	/* all new to the next poll */
		w->walk_failed = 1;
	}
}

/*
 * Walks the whole root; a walk that missed a directory is done again
 * later (a polled one: by the next poll, which lists it anew).
 */
static void
scan(struct watch *w)
{
	w->walk_failed = 0;
	catalog_scan_begin(w->cat);
	if (w->polled)
		poll_dir(w, "", 0);
	else
		walk(w, "", 0);
	catalog_scan_end(w->cat, !w->walk_failed);
	w->rescan_due = w->walk_failed && !w->polled;
	if (w->polled)
		poll_due_in(w, w->poll_ms);
}

/*
 * Opens the root and scans it: 0, or -1 with errno when it cannot be
 * opened (EACCES: it is a new directory outside the sandbox's rules).
 */
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
	pending_clear(w, "");
	scan(w);
	w->root_missing = 0;
	w->root_unreachable = 0;
	return 0;
}

/* The file system in words: its name, or its magic number. */
static void
plan_fs(const char *root, struct fstype *t, char *fs, size_t sz)
{
	if (fstype_of(root, t) == -1) {
		snprintf(fs, sz, "a file system statfs cannot tell (%s)",
		    strerror(errno));
		t->remote = 0;
	} else if (t->name != NULL)
		snprintf(fs, sz, "%s", t->name);
	else
		snprintf(fs, sz, "a file system of type 0x%lx", t->magic);
}

int
watch_plan(const char *root, enum config_watch asked, int poll_s, char *how,
    size_t sz)
{
	struct fstype	 t;
	char		 fs[128];

	plan_fs(root, &t, fs, sizeof(fs));
	if (asked == CONFIG_WATCH_POLL) {
		snprintf(how, sz, "on %s: watched by polling every %d s (watch "
		    "poll)", fs, poll_s);
		return 1;
	}
	if (asked == CONFIG_WATCH_INOTIFY && t.remote) {
		snprintf(how, sz, "on %s: watched by inotify (watch inotify): "
		    "changes made by other machines are not seen", fs);
		return 0;
	}
	if (t.remote) {
		snprintf(how, sz, "on %s: watched by polling every %d s", fs,
		    poll_s);
		return 1;
	}
	snprintf(how, sz, "on %s: watched by inotify", fs);
	return 0;
}

struct watch *
watch_open(struct catalog *cat, const char *root, enum config_watch asked,
    int poll_s)
{
	struct watch	*w;
	char		 how[256];

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->cat = cat;
	w->root_wd = -1;
	w->ifd = -1;
	strmap_init(&w->pending);
	strmap_init(&w->listings);
	w->polled = watch_plan(root, asked, poll_s, how, sizeof(how));
	w->poll_ms = poll_s * 1000;
	log_info("capsule %s %s", root, how);
	if ((w->root = strdup(root)) == NULL)
		goto fail;
	if (!w->polled &&
	    (w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_syserr("inotify_init1");
		goto fail;
	}
	if (attach_root(w) == -1) {
		log_syserr("capsule root %s", root);
		goto fail;
	}
	catalog_publish(cat);
	return w;
fail:
	if (w->ifd != -1)
		close(w->ifd);
	strmap_free(&w->pending);
	strmap_free(&w->listings);
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
	pending_clear(w, "");
	strmap_free(&w->pending);
	strmap_free(&w->listings);
	free(w->dirs);
	if (w->ifd != -1)
		close(w->ifd);
	free(w->root);
	free(w);
}

int
watch_fd(const struct watch *w)
{
	return w->ifd;
}

/* Requests answer 41 until the root is back. */
static void
root_lost(struct watch *w, const char *how)
{
	log_warn("capsule root %s %s; answering 41 until it is back",
	    w->root, how);
	forget_all(w);
	pending_clear(w, "");
	catalog_clear(w->cat);
	catalog_set_root(w->cat, -1);
	w->root_missing = 1;
}

/* The root's events were lost: look at everything again, keeping what is there. */
static void
rescan(struct watch *w)
{
	forget_all(w);
	scan(w);
}

static void
dir_event(struct watch *w, const struct inotify_event *ev, const char *path)
{
	char	 dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/", path) >= sizeof(dir))
		return;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		walk(w, dir, 1);
		if (w->walk_failed)
			w->rescan_due = 1;
	} else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		forget_subtree(w, dir);
		pending_clear(w, dir);
		catalog_dir_removed(w->cat, dir);
	}
}

/*
 * Whatever the event, the catalog reads the file again, unless a process
 * still has it open for writing: then it waits in 'pending' and is looked
 * at again until no writer has it (a close, a rename, a hard link,
 * O_TMPFILE and linkat, or a truncate without open: all end the same way).
 */
static void
file_event(struct watch *w, const struct inotify_event *ev, const char *path)
{
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		pending_del(w, path);
		catalog_file_removed(w->cat, path);
		return;
	}
	update(w, path);
}

static void
handle_event(struct watch *w, const struct inotify_event *ev)
{
	char		 path[PATH_MAX];
	const char	*dir;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_warn("inotify queue overflowed: rescanning %s", w->root);
		rescan(w);
		return;
	}
	if (ev->mask & IN_MOVED_FROM)
		w->moved_from = ev->cookie;
	else if ((ev->mask & IN_MOVED_TO) && ev->cookie == w->moved_from)
		w->moved_from = 0;
	if (ev->wd < 0 || (size_t)ev->wd >= w->ndirs ||
	    (dir = w->dirs[ev->wd]) == NULL)
		return;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		if (ev->wd == w->root_wd)
			root_lost(w, "is gone");
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

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * The kernel queues a rename's IN_MOVED_FROM and IN_MOVED_TO one after
 * the other, and a read can come between them.  Published then, the
 * snapshot would lack what was renamed: a renamed folder's pages would be
 * off the index and without footers until the next batch of events.  So
 * when the last event read is the first half of a rename, the second is
 * awaited a moment (it never comes when the file left the capsule).
 */
static int
rest_of_rename(const struct watch *w)
{
	struct pollfd	 pfd;

	if (w->moved_from == 0)
		return 0;
	pfd.fd = w->ifd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, PAIR_MS) == 1;
}

/*
 * Events keep coming while files are copied in: the pages are published
 * every STREAM_MS meanwhile, each time no rename is half read.
 */
void
watch_process(struct watch *w)
{
	char				 evbuf[64 * 1024]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	struct timespec			 since;
	ssize_t				 n;
	char				*p;
	int				 awaited = 0, err = 0;

	clock_gettime(CLOCK_MONOTONIC, &since);
	for (;;) {
		n = read(w->ifd, evbuf, sizeof(evbuf));
		err = n == -1 ? errno : 0;
		if (err == EINTR)
			continue;
		if (n <= 0 && !awaited && rest_of_rename(w)) {
			awaited = 1;
			continue;
		}
		if (n <= 0)
			break;
		for (p = evbuf; p < evbuf + n;
		    p += sizeof(struct inotify_event) + ev->len) {
			ev = (const struct inotify_event *)p;
			handle_event(w, ev);
		}
		if (w->moved_from == 0 && ms_since(&since) >= STREAM_MS) {
			catalog_publish(w->cat);
			clock_gettime(CLOCK_MONOTONIC, &since);
		}
	}
	if (err != 0 && err != EAGAIN) {
		errno = err;
		log_syserr("inotify read");
	}
	w->moved_from = 0;
	catalog_publish(w->cat);
}

/*
 * The root is checked by its name, not by its watch: a removed directory
 * that some descriptor still holds (the catalog's own) sends no event.
 */
static void
check_root(struct watch *w)
{
	struct stat	 named, held;
	int		 unreachable;

	if (stat(w->root, &named) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			root_lost(w, "is gone");
		return;
	}
	if (fstat(catalog_root(w->cat), &held) == -1)
		return;
	if (named.st_dev == held.st_dev && named.st_ino == held.st_ino &&
	    held.st_nlink > 0)
		return;
	if (attach_root(w) == 0) {
		log_info("capsule root %s was replaced: now serving the new "
		    "one, %zu dated pages", w->root, catalog_count(w->cat));
		return;
	}
	unreachable = errno == EACCES;
	root_lost(w, "was replaced by one that cannot be opened");
	w->root_unreachable = unreachable;
}

static void
look_for_root(struct watch *w)
{
	if (attach_root(w) == 0) {
		log_info("capsule root %s is back: %zu dated pages", w->root,
		    catalog_count(w->cat));
		return;
	}
	if (errno == EACCES && !w->root_unreachable) {
		log_warn("capsule root %s is back as a new directory, outside "
		    "what the sandbox was given", w->root);
		w->root_unreachable = 1;
	}
}

static int
poll_left_ms(const struct watch *w)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)((w->next_poll.tv_sec - now.tv_sec) * 1000 +
	    (w->next_poll.tv_nsec - now.tv_nsec) / 1000000);
}

void
watch_tick(struct watch *w)
{
	if (w->root_missing)
		look_for_root(w);
	else
		check_root(w);
	if (w->polled && !w->root_missing && poll_left_ms(w) <= 0) {
		w->walk_failed = 0;
		poll_dir(w, "", 0);
		poll_due_in(w, w->poll_ms);
	}
	if (!w->root_missing && w->rescan_due)
		rescan(w);
	settle_pending(w);
	catalog_publish(w->cat);
	catalog_reap(w->cat);
	catalog_log_rebuilds(w->cat);
}

int
watch_wait_ms(const struct watch *w)
{
	int	 ms = w->pending.len > 0 || w->rescan_due ||
	    catalog_dirty(w->cat) ? SETTLE_MS : 1000, left;

	if (w->polled && !w->root_missing && (left = poll_left_ms(w)) < ms)
		ms = left > 0 ? left : 0;
	return ms;
}

int
watch_root_unreachable(const struct watch *w)
{
	return w->root_unreachable;
}
