/* test_filecache: small settled files remembered, and forgotten as soon as the file on disk is not the same (src/filecache.c). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filecache.h"
#include "tap.h"

static char	 dir[] = "/tmp/almanac-test-filecache-XXXXXX";
static int	 rootfd = -1;

static void
write_file(const char *name, const char *data, size_t len)
{
	int	 fd = openat(rootfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1 || write(fd, data, len) != (ssize_t)len)
		ok(0, "cannot write %s/%s", dir, name);
	if (fd != -1)
		close(fd);
}

/* filecache_put of the file 'name' as it is now, under the name 'as'. */
static int
put(struct filecache *fc, const char *name, const char *as)
{
	struct stat	 st;
	int		 fd = openat(rootfd, name, O_RDONLY), rc;

	if (fd == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rc = filecache_put(fc, 0, as, fd, &st, "text/gemini; lang=en");
	close(fd);
	return rc;
}

/* The remembered bytes of 'rel', or "(none)". */
static const char *
get(struct filecache *fc, const char *rel)
{
	static char		 out[64];
	struct cached_file	 cf;

	if (!filecache_get(fc, 0, rootfd, rel, &cf))
		return "(none)";
	snprintf(out, sizeof(out), "%.*s|%s", (int)cf.len, cf.data, cf.meta);
	return out;
}

static void
test_cache(struct filecache *fc)
{
	static char		 big[40000];
	struct cached_file	 cf;

	write_file("page.gmi", "# Page\n", 7);
	write_file("same-size.gmi", "# Old\n", 6);
	write_file("renamed.gmi", "# One\n", 6);
	write_file("gone.gmi", "# Gone\n", 7);
	memset(big, 'x', sizeof(big));
	write_file("big.gmi", big, sizeof(big));
	if (symlinkat("page.gmi", rootfd, "link.gmi") == -1)
		ok(0, "symlink");
	/* Only files unchanged for two seconds are remembered. */
	sleep(3);
	write_file("fresh.gmi", "# Fresh\n", 8);

	is_int(put(fc, "page.gmi", "page.gmi"), 1, "settled small file: kept");
	is_str(get(fc, "page.gmi"), "# Page\n|text/gemini; lang=en",
	    "its bytes and META come back");
	is_str(get(fc, "page.gmi"), "# Page\n|text/gemini; lang=en",
	    "and again");
	is_str(get(fc, "other.gmi"), "(none)", "another path: nothing");
	ok(!filecache_get(fc, 1, rootfd, "page.gmi", &cf),
	    "the same path in another capsule: nothing");
	is_int(put(fc, "fresh.gmi", "fresh.gmi"), 0,
	    "a file changed in the last seconds is not kept");
	is_str(get(fc, "fresh.gmi"), "(none)", "so nothing comes back");
	is_int(put(fc, "big.gmi", "big.gmi"), 0, "a 40,000-byte file: not kept");

	/* The same size and a new content: the change time tells. */
	is_int(put(fc, "same-size.gmi", "same-size.gmi"), 1, "kept");
	write_file("same-size.gmi", "# New\n", 6);
	is_str(get(fc, "same-size.gmi"), "(none)",
	    "rewritten in place with the same size: forgotten at once");

	is_int(put(fc, "renamed.gmi", "renamed.gmi"), 1, "kept");
	write_file("replacement", "# Two\n", 6);
	if (renameat(rootfd, "replacement", rootfd, "renamed.gmi") == -1)
		ok(0, "rename");
	is_str(get(fc, "renamed.gmi"), "(none)",
	    "replaced by a rename: forgotten");

	is_int(put(fc, "gone.gmi", "gone.gmi"), 1, "kept");
	if (unlinkat(rootfd, "gone.gmi", 0) == -1)
		ok(0, "unlink");
	is_str(get(fc, "gone.gmi"), "(none)", "deleted: forgotten");

	/* Stored under a link's name (the caller opened through it). */
	is_int(put(fc, "page.gmi", "link.gmi"), 1, "kept under a link's name");
	is_str(get(fc, "link.gmi"), "(none)", "a symbolic link never matches");

	/* A directory where the file was. */
	is_int(put(fc, "page.gmi", "dir"), 1, "kept as 'dir'");
	if (mkdirat(rootfd, "dir", 0755) == -1)
		ok(0, "mkdir");
	is_str(get(fc, "dir"), "(none)", "a directory never matches");

	is_str(get(fc, "page.gmi"), "# Page\n|text/gemini; lang=en",
	    "the untouched file is still there");
}

static void
clean(void)
{
	const char	*names[] = { "page.gmi", "same-size.gmi", "renamed.gmi",
	    "big.gmi", "fresh.gmi", "link.gmi" };
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(rootfd, names[i], 0);
	unlinkat(rootfd, "dir", AT_REMOVEDIR);
	close(rootfd);
}

int
main(void)
{
	struct filecache	*fc;

	if (mkdtemp(dir) == NULL ||
	    (rootfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		ok(0, "temporary directory %s", dir);
		return done_testing();
	}
	fc = filecache_new();
	ok(fc != NULL, "filecache_new");
	if (fc != NULL)
		test_cache(fc);
	filecache_free(fc);
	filecache_free(NULL);
	ok(1, "filecache_free(NULL) is harmless");
	clean();
	ok(rmdir(dir) == 0, "temporary files all removed");
	return done_testing();
}
