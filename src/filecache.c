/* filecache: small settled files kept in memory per worker, checked against the file on every use. */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "beneath.h"
#include "filecache.h"
#include "fileid.h"

/*
 * Serving a small page from memory costs one fstatat instead of openat2,
 * fstat, pread and close: a few microseconds, about 2% of a request
 * dominated by its TLS handshake.  The stat on every use keeps it exact:
 * only settled files are kept, and only while their identity holds.
 */
#define SLOTS		512
#define FILE_MAX	((off_t)32 * 1024)	/* bytes: larger files are streamed */
#define BUDGET		((size_t)4 * 1024 * 1024)

struct entry {
	int		 capsule;
	char		*rel;
	struct fileid	 id;
	char		*meta;
	char		*data;
};

struct filecache {
	struct entry	*slot[SLOTS];
	size_t		 bytes;		/* of file data held */
};

struct filecache *
filecache_new(void)
{
	return calloc(1, sizeof(struct filecache));
}

static void
entry_free(struct filecache *fc, struct entry *e)
{
	if (e == NULL)
		return;
	fc->bytes -= (size_t)e->id.size;
	free(e->rel);
	free(e->meta);
	free(e->data);
	free(e);
}

void
filecache_free(struct filecache *fc)
{
	size_t	 i;

	if (fc == NULL)
		return;
	for (i = 0; i < SLOTS; i++)
		entry_free(fc, fc->slot[i]);
	free(fc);
}

static size_t
slot_of(int capsule, const char *rel)
{
	uint64_t	 h = 14695981039346656037ULL ^ (uint64_t)capsule;

	for (; *rel != '\0'; rel++)
		h = (h ^ (unsigned char)*rel) * 1099511628211ULL;
	return (size_t)(h % SLOTS);
}

int
filecache_get(struct filecache *fc, int capsule, int rootfd, const char *rel,
    struct cached_file *out)
{
	struct entry	**sp = &fc->slot[slot_of(capsule, rel)];
	struct stat	  st;

	if (*sp == NULL || (*sp)->capsule != capsule ||
	    strcmp((*sp)->rel, rel) != 0)
		return 0;
	/*
	 * Found the way the uncached open finds it (a link that leads out
	 * of the root on the way fails), but not following a final symbolic
	 * link: a link never matches.
	 */
	if (beneath_lstat(rootfd, rel, &st) == -1 ||
	    !fileid_same(&(*sp)->id, &st)) {
		entry_free(fc, *sp);
		*sp = NULL;
		return 0;
	}
	out->data = (*sp)->data;
	out->len = (size_t)(*sp)->id.size;
	out->meta = (*sp)->meta;
	return 1;
}

/* The whole file, read between two stats of the same identity, or NULL. */
static char *
read_whole(int fd, const struct fileid *id)
{
	struct stat	 again;
	char		*data;
	size_t		 size = (size_t)id->size;

	if ((data = malloc(size > 0 ? size : 1)) == NULL)
		return NULL;
	if (pread(fd, data, size, 0) != (ssize_t)size ||
	    fstat(fd, &again) == -1 || !fileid_same(id, &again)) {
		free(data);
		return NULL;
	}
	return data;
}

int
filecache_put(struct filecache *fc, int capsule, const char *rel, int fd,
    const struct stat *st, const char *meta)
{
	struct entry	**sp = &fc->slot[slot_of(capsule, rel)];
	struct entry	 *e;
	size_t		  held = *sp != NULL ? (size_t)(*sp)->id.size : 0;

	if (!S_ISREG(st->st_mode) || st->st_size > FILE_MAX ||
	    !fileid_settled(st, time(NULL)) ||
	    fc->bytes - held + (size_t)st->st_size > BUDGET)
		return 0;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return 0;
	fileid_of(&e->id, st);
	e->rel = strdup(rel);
	e->meta = strdup(meta);
	e->data = read_whole(fd, &e->id);
	if (e->rel == NULL || e->meta == NULL || e->data == NULL) {
		free(e->rel);
		free(e->meta);
		free(e->data);
		free(e);
		return 0;
	}
	e->capsule = capsule;
	entry_free(fc, *sp);
	*sp = e;
	fc->bytes += (size_t)e->id.size;
	return 1;
}
