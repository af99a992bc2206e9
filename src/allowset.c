/* allowset: a block's allow lists as the server uses them: the fingerprints of the configuration, and files read again when they change. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "allowset.h"
#include "config.h"
#include "fileid.h"
#include "log.h"

#define LIST_FILE_MAX	((size_t)16 * 1024 * 1024)

struct allow_file {
	char			*path;
	struct access_list	 list;		/* the last good one */
	struct fileid		 id;		/* of the file it came from */
	int			 have_id;
	int			 failing;	/* how the last read failed: logged */
};

enum { ALLOW_FILE_OK, ALLOW_FILE_UNREADABLE, ALLOW_FILE_MALFORMED };

struct allowset {
	pthread_rwlock_t	 lock;		/* guards the files' lists */
	struct access_list	 inline_list;	/* allow client "..." */
	int			 has_inline;
	struct allow_file	*files;
	size_t			 nfiles;
};

/* The file's text, at most LIST_FILE_MAX bytes: 0, or -1 with errno. */
static int
read_text(const char *path, char **text, size_t *len, struct stat *st)
{
	char	*buf;
	size_t	 got = 0;
	ssize_t	 n;
	int	 fd, err = 0;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, st) == -1)
		err = errno;
	else if (!S_ISREG(st->st_mode))
		err = EINVAL;
	else if ((size_t)st->st_size > LIST_FILE_MAX)
		err = EFBIG;
	if (err != 0 || (buf = malloc((size_t)st->st_size + 1)) == NULL) {
		err = err != 0 ? err : ENOMEM;
		close(fd);
		errno = err;
		return -1;
	}
	while (got < (size_t)st->st_size) {
		n = read(fd, buf + got, (size_t)st->st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*text = buf;
	*len = got;
	return 0;
}

/* Reads f again if it changed: the new list replaces the old one only whole. */
static void
reload(struct allowset *set, struct allow_file *f)
{
	struct access_list	 fresh;
	struct stat		 st;
	char			 err[512], *text;
	size_t			 len;

	if (stat(f->path, &st) == 0 && f->have_id && fileid_same(&f->id, &st))
		return;
	if (read_text(f->path, &text, &len, &st) == -1) {
		if (f->failing != ALLOW_FILE_UNREADABLE)
			log_syserr("allow list %s cannot be read; keeping the "
			    "last good list", f->path);
		f->failing = ALLOW_FILE_UNREADABLE;
		return;
	}
	access_list_init(&fresh);
	if (access_list_parse(text, len, f->path, &fresh, err,
	    sizeof(err)) == -1) {
		if (f->failing != ALLOW_FILE_MALFORMED || !f->have_id ||
		    !fileid_same(&f->id, &st))
			log_warn("%s; keeping the last good list", err);
		f->failing = ALLOW_FILE_MALFORMED;
		fileid_of(&f->id, &st);
		f->have_id = 1;
		free(text);
		return;
	}
	free(text);
	pthread_rwlock_wrlock(&set->lock);
	access_list_free(&f->list);
	f->list = fresh;
	pthread_rwlock_unlock(&set->lock);
	if (f->have_id)
		log_info("allow list %s read again: %zu fingerprints", f->path,
		    fresh.len);
	fileid_of(&f->id, &st);
	f->have_id = 1;
	f->failing = ALLOW_FILE_OK;
}

struct allowset *
allowset_new(const struct rules *r)
{
	struct allowset	*set;
	unsigned char	 fp[ACCESS_FP_LEN];
	size_t		 i;

	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (r->nallow_files > 0 && (set->files = calloc(r->nallow_files,
	    sizeof(*set->files))) == NULL)) {
		free(set);
		return NULL;
	}
	pthread_rwlock_init(&set->lock, NULL);
	access_list_init(&set->inline_list);
	set->has_inline = r->nallow > 0;
	for (i = 0; i < r->nallow; i++)
		if (access_parse_fingerprint(r->allow[i], strlen(r->allow[i]),
		    fp) == 0)
			(void)access_list_add(&set->inline_list, fp);
	for (i = 0; i < r->nallow_files; i++) {
		set->files[i].path = r->allow_files[i];
		access_list_init(&set->files[i].list);
		reload(set, &set->files[i]);
	}
	set->nfiles = r->nallow_files;
	return set;
}

void
allowset_free(struct allowset *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nfiles; i++)
		access_list_free(&set->files[i].list);
	free(set->files);
	access_list_free(&set->inline_list);
	pthread_rwlock_destroy(&set->lock);
	free(set);
}

int
allowset_status(struct allowset *set, const struct access_identity *id,
    int require, char *meta, size_t metasz)
{
	const struct access_list	*lists[MAX_ALLOW + 1];
	size_t				 n = 0, i;
	int				 status;

	if (set == NULL)
		return access_status(id, require, NULL, 0, meta, metasz);
	pthread_rwlock_rdlock(&set->lock);
	if (set->has_inline)
		lists[n++] = &set->inline_list;
	for (i = 0; i < set->nfiles && n < MAX_ALLOW + 1; i++)
		lists[n++] = &set->files[i].list;
	status = access_status(id, require, lists, n, meta, metasz);
	pthread_rwlock_unlock(&set->lock);
	return status;
}

void
allowset_refresh(struct allowset *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nfiles; i++)
		reload(set, &set->files[i]);
}
