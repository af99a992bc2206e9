/* test_dirpoll: what one poll of a directory reports against the last (src/dirpoll.c). */
#include <stdio.h>
#include <string.h>

#include "dirpoll.h"
#include "tap.h"

static char	 seen[1024];

static void
record(void *arg, enum dirpoll_change how, const struct dirpoll_entry *e)
{
	size_t	 len = strlen(seen);

	(void)arg;
	snprintf(seen + len, sizeof(seen) - len, "%s%c%s ",
	    how == DIRPOLL_ADDED ? "+" : how == DIRPOLL_REMOVED ? "-" : "~",
	    e->is_dir ? 'd' : 'f', e->name);
}

static struct fileid
id(long ino, long size, long mtime, long ctime)
{
	struct fileid	 f;

	memset(&f, 0, sizeof(f));
	f.dev = 1;
	f.ino = (ino_t)ino;
	f.size = (off_t)size;
	f.mtime.tv_sec = mtime;
	f.ctime.tv_sec = ctime;
	return f;
}

static void
add(struct dirpoll_list *l, const char *name, int dir, int unsettled,
    struct fileid f)
{
	if (dirpoll_add(l, name, dir, unsettled, &f) == -1)
		ok(0, "out of memory adding %s", name);
}

static void
diff_is(struct dirpoll_list *a, struct dirpoll_list *b, const char *want,
    const char *name)
{
	seen[0] = '\0';
	dirpoll_sort(a);
	dirpoll_sort(b);
	dirpoll_diff(a, b, record, NULL);
	is_str(seen, want, name);
	dirpoll_free(a);
	dirpoll_free(b);
}

static void
test_diff(void)
{
	struct dirpoll_list	 a, b;

	dirpoll_init(&a);
	dirpoll_init(&b);
	add(&b, "b.gmi", 0, 0, id(2, 10, 5, 5));
	add(&b, "a.gmi", 0, 0, id(1, 10, 5, 5));
	add(&b, "sub", 1, 0, id(3, 0, 5, 5));
	diff_is(&a, &b, "+fa.gmi +fb.gmi +dsub ", "from nothing: all added, in order");

	add(&a, "a.gmi", 0, 0, id(1, 10, 5, 5));
	add(&a, "sub", 1, 0, id(3, 0, 5, 5));
	add(&b, "a.gmi", 0, 0, id(1, 10, 5, 5));
	add(&b, "sub", 1, 0, id(3, 4096, 9, 9));
	diff_is(&a, &b, "", "nothing changed (a directory's times do not count)");

	add(&a, "a.gmi", 0, 0, id(1, 10, 5, 5));
	add(&a, "b.gmi", 0, 0, id(2, 10, 5, 5));
	add(&a, "c.gmi", 0, 0, id(3, 10, 5, 5));
	add(&a, "d.gmi", 0, 0, id(4, 10, 5, 5));
	add(&b, "a.gmi", 0, 0, id(1, 11, 5, 6));	/* cp -p: size */
	add(&b, "b.gmi", 0, 0, id(2, 10, 5, 6));	/* same size and mtime */
	add(&b, "c.gmi", 0, 0, id(9, 10, 5, 5));	/* renamed over */
	add(&b, "d.gmi", 0, 0, id(4, 10, 7, 7));
	diff_is(&a, &b, "~fa.gmi ~fb.gmi ~fc.gmi ~fd.gmi ",
	    "size, change time, inode, modification time: each is a change");

	add(&a, "old.gmi", 0, 0, id(1, 10, 5, 5));
	add(&b, "new.gmi", 0, 0, id(1, 10, 5, 6));
	diff_is(&a, &b, "+fnew.gmi -fold.gmi ", "a rename: the new added, the old removed");

	add(&a, "x", 0, 0, id(1, 10, 5, 5));
	add(&a, "y", 1, 0, id(2, 0, 5, 5));
	add(&a, "z", 1, 0, id(3, 0, 5, 5));
	add(&b, "x", 1, 0, id(4, 0, 5, 5));
	add(&b, "y", 0, 0, id(5, 10, 5, 5));
	add(&b, "z", 1, 0, id(6, 0, 5, 5));
	diff_is(&a, &b, "-fx +dx -dy +fy -dz +dz ",
	    "file to directory, back, and a directory replaced: removed then added");

	add(&a, "settling.gmi", 0, 1, id(1, 10, 5, 5));
	add(&b, "settling.gmi", 0, 0, id(1, 10, 5, 5));
	diff_is(&a, &b, "~fsettling.gmi ",
	    "a file unsettled when last seen is read again, stat unchanged");
	add(&a, "gone.gmi", 0, 0, id(1, 10, 5, 5));
	add(&a, "sub", 1, 0, id(2, 0, 5, 5));
	diff_is(&a, &b, "-fgone.gmi -dsub ", "to nothing: all removed");
}

int
main(void)
{
	test_diff();
	return done_testing();
}
