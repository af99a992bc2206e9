/* catalog: the capsule's dated pages, kept current, and immutable snapshots of them. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "lease.h"
#include "location.h"
#include "log.h"
#include "meta.h"
#include "path.h"
#include "pubdates.h"
#include "render.h"
#include "search.h"
#include "strmap.h"

#define HEAD_BYTES	(64 * 1024)	/* enough of a page to find its title */
#define SCAN_MAX	((off_t)1024 * 1024)	/* read whole for how it ends, up to this */
#define TAIL_BYTES	(4 * 1024)	/* of a larger file, only its end is read */
#define LOG_EVERY_MS	1000		/* at most one "rebuilt" line a second */

#define MAX_YEAR	9999

/*
 * A year's index lines, then its piece of the timeline, shared by the
 * snapshots that year did not change in.
 */
struct lines {
	char	*data;
	size_t	 len;
	size_t	 index_len;	/* data[0 .. index_len) are the index lines */
	int	 refs;		/* touched by the catalog's thread only */
};

/*
 * The index is segs[0 .. nindex): its head, then each year's lines.  Year
 * page i is the three segments from nindex + 3 * i: heading, lines,
 * navigation.  The timeline is the nyears + 2 segments from 'timeline':
 * its head, each year's piece, its tail.  The small pieces live in
 * 'scaffold'; the lines are shared.
 */
struct snapshot {
	atomic_int		 refs;
	struct snapshot		*next_retired;
	int			 rootfd;
	const struct host	*host;
	struct page		**chron;
	size_t			 npages;
	struct page		**others;	/* by path */
	size_t			 nothers;
	struct year_span	*years;
	size_t			 nyears;
	struct lines		**lines;	/* one per year */
	char			*scaffold;
	struct segment		*segs;
	size_t			 nindex;
	size_t			 timeline;
	struct segment		 feed, atom;
	int			 index_override;
	enum catalog_navigation	 nav;
	struct search_bucket	*search[SEARCH_BUCKETS];	/* shared while unchanged */
};

struct catalog {
	struct catalog_config	 cfg;
	char			 base_url[300];
	int			 rootfd;
	struct strmap		 pages;		/* path -> struct page */
	struct page		**chron;	/* by history date, then path */
	struct page		**recent;	/* newest publication first, then latest in history */
	size_t			 npages, cap;
	struct page		**others;	/* gemtext files outside it, by path */
	size_t			 nothers, others_cap;
	enum catalog_navigation	 nav;
	char			*intro;
	size_t			 intro_len;
	char			 title[TITLE_MAX];
	int			 index_override;
	int			 dirty;
	int			 bulk;		/* appending unsorted: a full scan */
	unsigned char		 changed_years[MAX_YEAR / 8 + 1];
	unsigned		 changed_buckets;	/* of the search index, a bit each */

	unsigned		 scan;		/* the full scan under way, or the last */
	unsigned		 intro_scan;	/* when intro.gmi was last seen */
	int			 publish_failed;
	struct timespec		 logged_at;	/* the last "rebuilt" line */
	unsigned		 unlogged;	/* rebuilds since, not logged yet */
	double			 unlogged_ms;	/* the longest of them */

	pthread_mutex_t		 lock;		/* guards current */
	pthread_mutex_t		 writer;	/* one changer at a time */
	struct snapshot		*current;
	struct snapshot		*retired;

	struct pubdates		*dates;		/* first-seen dates, or NULL: mtimes */
};

static int
chron_cmp(const struct page *a, const struct page *b)
{
	int	 c = meta_date_cmp(&a->date, &b->date);

	return c != 0 ? c : strcmp(a->path, b->path);
}

/*
 * Newest publication first.  Pages published in the same second (a
 * clone, a copy of the whole capsule) are newest first by their place in
 * history.
 */
static int
recent_cmp(const struct page *a, const struct page *b)
{
	if (a->published != b->published)
		return a->published > b->published ? -1 : 1;
	return chron_cmp(b, a);
}

static int
path_cmp(const struct page *a, const struct page *b)
{
	return strcmp(a->path, b->path);
}

/* First position in v[0..n) whose page does not sort before p. */
static size_t
lower_bound(struct page **v, size_t n, const struct page *p,
    int (*cmp)(const struct page *, const struct page *))
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp(v[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
array_insert(struct page **v, size_t n, struct page *p,
    int (*cmp)(const struct page *, const struct page *))
{
	size_t	 i = lower_bound(v, n, p, cmp);

	memmove(v + i + 1, v + i, (n - i) * sizeof(*v));
	v[i] = p;
}

static void
array_remove(struct page **v, size_t n, const struct page *p,
    int (*cmp)(const struct page *, const struct page *))
{
	size_t	 i = lower_bound(v, n, p, cmp);

	if (i < n && v[i] == p)
		memmove(v + i, v + i + 1, (n - i - 1) * sizeof(*v));
}

static void
page_unref(struct page *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	free(p->search_text);
	free(p);
}

struct catalog *
catalog_new(const struct catalog_config *cfg)
{
	struct catalog	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cfg = *cfg;
	c->rootfd = -1;
	if (cfg->port == 1965)
		snprintf(c->base_url, sizeof(c->base_url), "gemini://%s/",
		    cfg->hostname);
	else
		snprintf(c->base_url, sizeof(c->base_url), "gemini://%s:%d/",
		    cfg->hostname, cfg->port);
	snprintf(c->title, sizeof(c->title), "%s", cfg->hostname);
	strmap_init(&c->pages);
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	if (pthread_mutex_init(&c->writer, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return NULL;
	}
	c->dirty = 1;
	if (cfg->state_dir != NULL)
		c->dates = pubdates_open(cfg->state_dir, cfg->hostname);
	return c;
}

void
catalog_writer_lock(struct catalog *c)
{
	pthread_mutex_lock(&c->writer);
}

void
catalog_writer_unlock(struct catalog *c)
{
	pthread_mutex_unlock(&c->writer);
}

void
catalog_set_root(struct catalog *c, int fd)
{
	if (c->rootfd != -1)
		close(c->rootfd);
	c->rootfd = fd;
	c->dirty = 1;
}

int
catalog_root(const struct catalog *c)
{
	return c->rootfd;
}

size_t
catalog_count(const struct catalog *c)
{
	return c->npages;
}

static void
mark_year(struct catalog *c, int year)
{
	c->changed_years[year / 8] |= (unsigned char)(1u << (year % 8));
}

static int
year_changed(const struct catalog *c, int year)
{
	return c->changed_years[year / 8] & (1u << (year % 8));
}

/* During a full scan the arrays are not sorted yet: search them linearly. */
static void
array_remove_unsorted(struct page **v, size_t n, const struct page *p)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (v[i] == p) {
			v[i] = v[n - 1];
			return;
		}
}

static void
remove_other(struct catalog *c, struct page *p)
{
	if (c->bulk)
		array_remove_unsorted(c->others, c->nothers, p);
	else
		array_remove(c->others, c->nothers, p, path_cmp);
	c->nothers--;
}

static void
remove_page(struct catalog *c, const char *path)
{
	struct page	*p;

	if ((p = strmap_del(&c->pages, path)) == NULL)
		return;
	c->dirty = 1;
	c->changed_buckets |= 1u << search_bucket_of(path);
	if (!p->in_chronicle) {
		remove_other(c, p);
		page_unref(p);
		return;
	}
	mark_year(c, p->date.year);
	if (c->bulk) {
		array_remove_unsorted(c->chron, c->npages, p);
		array_remove_unsorted(c->recent, c->npages, p);
	} else {
		array_remove(c->chron, c->npages, p, chron_cmp);
		array_remove(c->recent, c->npages, p, recent_cmp);
	}
	c->npages--;
	page_unref(p);
}

/* Room for one more page of its kind, so that adding one cannot fail halfway. */
static int
reserve_page(struct catalog *c, int chronicle)
{
	struct page	**v;
	size_t		  cap;

	if (!chronicle) {
		if (c->nothers < c->others_cap)
			return 0;
		cap = c->others_cap ? c->others_cap * 2 : 64;
		if ((v = realloc(c->others, cap * sizeof(*v))) == NULL)
			return -1;
		c->others = v;
		c->others_cap = cap;
		return 0;
	}
	if (c->npages < c->cap)
		return 0;
	cap = c->cap ? c->cap * 2 : 64;
	if ((v = realloc(c->chron, cap * sizeof(*v))) == NULL)
		return -1;
	c->chron = v;
	if ((v = realloc(c->recent, cap * sizeof(*v))) == NULL)
		return -1;
	c->recent = v;
	c->cap = cap;
	return 0;
}

static int
add_page(struct catalog *c, struct page *p)
{
	if (reserve_page(c, p->in_chronicle) == -1 ||
	    strmap_put(&c->pages, p->path, p) == -1)
		return -1;
	c->dirty = 1;
	c->changed_buckets |= 1u << search_bucket_of(p->path);
	if (!p->in_chronicle) {
		if (c->bulk)
			c->others[c->nothers] = p;
		else
			array_insert(c->others, c->nothers, p, path_cmp);
		c->nothers++;
		return 0;
	}
	mark_year(c, p->date.year);
	if (c->bulk) {
		c->chron[c->npages] = p;
		c->recent[c->npages] = p;
	} else {
		array_insert(c->chron, c->npages, p, chron_cmp);
		array_insert(c->recent, c->npages, p, recent_cmp);
	}
	c->npages++;
	return 0;
}

/* Reads fd from 'off' until EOF or 'max' bytes in all, for how the text ends. */
static int
scan_rest(int fd, off_t off, off_t max, struct meta_end *end)
{
	static char	 chunk[16 * 1024];
	ssize_t		 n;

	while (off < max) {
		n = pread(fd, chunk, sizeof(chunk), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		meta_end_feed(end, chunk, (size_t)n);
		off += n;
	}
	return 0;
}

/*
 * How a file longer than the head ends: read to its end when that is
 * cheap; else from the first line that starts in its last bytes, as if
 * no preformatted block were open there (the only guess made).
 */
static int
scan_end(int fd, const struct stat *st, size_t got, struct meta_end *end)
{
	static char	 tail[TAIL_BYTES];
	const char	*nl;
	ssize_t		 n;

	if (st->st_size <= SCAN_MAX)
		return scan_rest(fd, (off_t)got, SCAN_MAX, end);
	n = pread(fd, tail, sizeof(tail), st->st_size - (off_t)sizeof(tail));
	if (n <= 0)
		return n == 0 ? 0 : -1;
	meta_end_init(end);
	if ((nl = memchr(tail, '\n', (size_t)n)) != NULL)
		meta_end_feed(end, nl + 1, (size_t)(n - (nl + 1 - tail)));
	return 0;
}

/*
 * Reads the start of a regular file without following a final symlink and
 * without blocking on a FIFO, under a read lease so that no writer changes
 * it meanwhile, and, when 'end' is given, how the file ends.  Returns the
 * byte count of the start, or -1 with errno: EBUSY while a process has it
 * open for writing, EINVAL if it is not a regular file.
 */
static ssize_t
read_page(int rootfd, const char *path, char *out, size_t outsz,
    struct stat *st, struct meta_end *end)
{
	enum lease_verdict	 lease;
	ssize_t			 n;
	size_t			 got = 0;
	int			 fd, err = 0;

	fd = openat(rootfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((lease = lease_take(fd)) == LEASE_WRITER) {
		close(fd);
		errno = EBUSY;
		return -1;
	}
	/* The size from fstat spares the read that would only find EOF. */
	if ((size_t)st->st_size < outsz)
		outsz = (size_t)st->st_size;
	while (got < outsz) {
		n = read(fd, out + got, outsz - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err = errno;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (end != NULL && err == 0) {
		meta_end_init(end);
		meta_end_feed(end, out, got);
		if (got == outsz && scan_end(fd, st, got, end) == -1)
			err = errno;
		meta_end_finish(end);
	}
	if (lease == LEASE_HELD)
		lease_drop(fd);
	close(fd);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return (ssize_t)got;
}

/* What a failed read_page means for the catalog. */
static enum catalog_update
head_failure(int err)
{
	if (err == EBUSY)
		return CATALOG_BUSY;
	if (err == EMFILE || err == ENFILE || err == ENOMEM || err == EINTR ||
	    err == EIO)
		return CATALOG_RETRY;
	return CATALOG_DONE;	/* gone, or not a page */
}

static void
drop_intro(struct catalog *c)
{
	free(c->intro);
	c->intro = NULL;
	c->intro_len = 0;
	snprintf(c->title, sizeof(c->title), "%s", c->cfg.hostname);
	c->dirty = 1;
}

/* The old introduction stays while the new one cannot be read. */
static enum catalog_update
load_intro(struct catalog *c)
{
	static char	 head[HEAD_BYTES];
	struct stat	 st;
	ssize_t		 n;
	char		*text;
	int		 crlf;

	c->intro_scan = c->scan;
	if ((n = read_page(c->rootfd, "intro.gmi", head, sizeof(head),
	    &st, NULL)) < 0) {
		if (head_failure(errno) != CATALOG_DONE)
			return head_failure(errno);
		drop_intro(c);
		return CATALOG_DONE;
	}
	if ((text = malloc((size_t)n + 1)) == NULL)
		return CATALOG_RETRY;
	drop_intro(c);
	memcpy(text, head, (size_t)n);
	text[n] = '\0';
	c->intro = text;
	c->intro_len = (size_t)n;
	if (meta_title(head, (size_t)n, (size_t)n == sizeof(head), "intro.gmi",
	    c->title, sizeof(c->title), &crlf) != TITLE_HEADING)
		snprintf(c->title, sizeof(c->title), "%s", c->cfg.hostname);
	return CATALOG_DONE;
}

static void
warn_title(const char *path, enum meta_title_source src, int chronicle)
{
	if (src == TITLE_NOT_UTF8 && chronicle)
		log_warn("%s: not UTF-8, listed under its file name and served "
		    "without charset=utf-8", path);
	else if (src == TITLE_NOT_UTF8)
		log_warn("%s: not UTF-8, served without charset=utf-8", path);
	else if (!chronicle)
		return;
	else if (src == TITLE_EMPTY)
		log_warn("%s: empty page, listed under its file name", path);
	else if (src == TITLE_NO_HEADING)
		log_warn("%s: no '# ' heading, listed under its file name",
		    path);
}

/* A name that starts like a date but says less, or an impossible one. */
static void
warn_date(const char *path, const struct chron_date *d)
{
	const char		*base = strrchr(path, '/');
	char			 date[16];
	size_t			 looked;
	enum meta_date_note	 note;

	base = base ? base + 1 : path;
	if ((note = meta_date_note(base, &looked)) == DATE_AS_WRITTEN)
		return;
	if (note == DATE_IMPOSSIBLE) {
		log_warn("%s: %.*s is not a date, so the page is not in the "
		    "chronicle", path, (int)looked, base);
		return;
	}
	meta_format_date(d, date, sizeof(date));
	log_warn("%s: dated %s, not %.*s: a month or a day is two digits "
	    "followed by '-'", path, date, (int)looked, base);
}

/* One allocation per page: the struct, then its path, title, line and last link. */
static struct page *
page_new(const char *path, const char *title, const struct chron_date *d,
    int chronicle, const char *last_link)
{
	struct page	 tmp;
	struct page	*p;
	struct buf	 line;
	size_t		 plen = strlen(path) + 1, tlen = strlen(title) + 1;
	size_t		 llen = last_link ? strlen(last_link) + 1 : 0;

	memset(&tmp, 0, sizeof(tmp));
	tmp.path = (char *)path;
	tmp.title = (char *)title;
	tmp.date = *d;
	buf_init(&line);
	if (chronicle)
		render_page_line(&line, &tmp);
	if (line.failed || (p = malloc(sizeof(*p) + plen + tlen + line.len +
	    1 + llen)) == NULL) {
		buf_free(&line);
		return NULL;
	}
	*p = tmp;
	p->path = (char *)(p + 1);
	p->title = p->path + plen;
	memcpy(p->path, path, plen);
	memcpy(p->title, title, tlen);
	if (chronicle) {
		p->line = p->title + tlen;
		p->line_len = line.len;
		memcpy(p->line, line.data, line.len + 1);
	}
	if (last_link != NULL) {
		p->last_link = p->title + tlen + line.len + 1;
		memcpy(p->last_link, last_link, llen);
	}
	p->in_chronicle = chronicle != 0;
	p->refs = 1;
	buf_free(&line);
	return p;
}

static enum page_text
text_kind(const char *head, size_t len, enum meta_title_source src)
{
	if (src != TITLE_NOT_UTF8)
		return PAGE_UTF8;
	if (len >= 2 && ((head[0] == '\xff' && head[1] == '\xfe') ||
	    (head[0] == '\xfe' && head[1] == '\xff')))
		return PAGE_UTF16;
	return PAGE_8BIT;
}

static int	is_private(const struct catalog *, const char *);

/*
 * A UTF-8 page any client may read keeps its text for /search: the start
 * read for its title, which is all of most pages.  0, or -1 out of memory.
 */
static int
keep_search_text(const struct catalog *c, struct page *p, const char *head,
    size_t len)
{
	if (p->text != PAGE_UTF8 || is_private(c, p->path))
		return 0;
	if ((p->search_text = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(p->search_text, head, len);
	p->search_len = len;
	return 0;
}

/*
 * The page as the file now says, or *out = NULL when it is not one.  Its
 * end is read too, so that the footer appended at serve time knows how
 * the page's text meets it without reading the file again.
 */
static enum catalog_update
load_page(const struct catalog *c, const char *path,
    const struct chron_date *d, int chronicle, struct page **out)
{
	static char		 head[HEAD_BYTES];
	static struct meta_end	 end;
	char			 title[TITLE_MAX], link[PATH_MAX_LEN + 1];
	struct stat		 st;
	struct page		*p;
	ssize_t			 n;
	enum meta_title_source	 src;
	int			 crlf, linked;

	*out = NULL;
	if ((n = read_page(c->rootfd, path, head, sizeof(head), &st,
	    &end)) < 0)
		return head_failure(errno);
	src = meta_title(head, (size_t)n, (size_t)n == sizeof(head), path,
	    title, sizeof(title), &crlf);
	warn_title(path, src, chronicle);
	warn_date(path, d);
	linked = end.link && end.target_ok && meta_link_path(path,
	    end.target, c->cfg.hostname, c->cfg.port, link);
	if ((p = page_new(path, title, d, chronicle, linked ? link : NULL)) ==
	    NULL)
		return CATALOG_RETRY;
	p->mtime = st.st_mtime;
	p->crlf = crlf;
	p->open_pre = end.pre != 0;
	p->no_newline = !end.newline;
	p->text = text_kind(head, (size_t)n, src);
	if (keep_search_text(c, p, head, (size_t)n) == -1) {
		page_unref(p);
		return CATALOG_RETRY;
	}
	*out = p;
	return CATALOG_DONE;
}

static int
is_root_file(const char *path, const char *name)
{
	return strcmp(path, name) == 0;
}

static int
has_hidden_segment(const char *path)
{
	const char	*p;

	if (path[0] == '.')
		return 1;
	for (p = path; (p = strchr(p, '/')) != NULL; p++)
		if (p[1] == '.')
			return 1;
	return 0;
}

/*
 * Pages a client needs a certificate for (or that are blocked) are not in
 * the chronicle at all: not on the index, year pages, timeline, feeds or
 * anyone's footer.
 */
static int
is_private(const struct catalog *c, const char *path)
{
	char	 slashed[PATH_MAX_LEN + 2];

	if (c->cfg.host == NULL)
		return 0;
	snprintf(slashed, sizeof(slashed), "/%s", path);
	return location_is_private(c->cfg.host, slashed);
}

enum page_kind {
	KIND_NONE,		/* not a gemtext file that can be served */
	KIND_OTHER,		/* served, outside the chronicle */
	KIND_CHRONICLE
};

/* What a file of this name is to the catalog; 'd' gets the date in its name. */
static enum page_kind
page_kind(const struct catalog *c, const char *path, struct chron_date *d)
{
	const char	*base = strrchr(path, '/');
	int		 dated;

	base = base ? base + 1 : path;
	dated = meta_parse_date(base, d) != 0;
	if (!meta_is_gemtext(base) || path_is_leftover(path) ||
	    has_hidden_segment(path))
		return KIND_NONE;
	return dated && !is_private(c, path) ? KIND_CHRONICLE : KIND_OTHER;
}

/* A page of the chronicle is published when first seen, the others never. */
static time_t
first_seen(struct catalog *c, const struct page *p)
{
	if (c->dates == NULL || !p->in_chronicle)
		return p->mtime;
	return pubdates_first_seen(c->dates, p->path, p->mtime, time(NULL));
}

enum catalog_update
catalog_file_changed(struct catalog *c, const char *path)
{
	struct chron_date	 d;
	struct page		*p, *old;
	enum catalog_update	 u;
	enum page_kind		 kind = KIND_NONE;

	if ((old = strmap_get(&c->pages, path)) != NULL)
		old->seen = c->scan;
	if (c->rootfd != -1 && is_root_file(path, "intro.gmi") &&
	    (u = load_intro(c)) != CATALOG_DONE)
		return u;
	if (is_root_file(path, "index.gmi")) {
		c->index_override = faccessat(c->rootfd, path, F_OK,
		    AT_SYMLINK_NOFOLLOW) == 0;
		c->dirty = 1;
	}
	if (c->rootfd == -1 || (kind = page_kind(c, path, &d)) == KIND_NONE) {
		remove_page(c, path);
		return CATALOG_DONE;
	}
	if (path_has_control(path)) {
		if (kind == KIND_CHRONICLE)
			log_warn("not listed: control character in the name %s",
			    path);
		remove_page(c, path);
		return CATALOG_DONE;
	}
	if ((u = load_page(c, path, &d, kind == KIND_CHRONICLE, &p)) !=
	    CATALOG_DONE)
		return u;
	if (p != NULL && reserve_page(c, p->in_chronicle) == -1) {
		page_unref(p);
		return CATALOG_RETRY;
	}
	remove_page(c, path);
	if (p == NULL)
		return CATALOG_DONE;
	p->published = first_seen(c, p);
	p->seen = c->scan;
	if (add_page(c, p) == -1) {
		log_warn("%s: out of memory, page not listed yet", path);
		strmap_del(&c->pages, p->path);
		page_unref(p);
		return CATALOG_RETRY;
	}
	return CATALOG_DONE;
}

void
catalog_file_removed(struct catalog *c, const char *path)
{
	if (is_root_file(path, "intro.gmi"))
		drop_intro(c);
	if (is_root_file(path, "index.gmi")) {
		c->index_override = 0;
		c->dirty = 1;
	}
	remove_page(c, path);
}

static int
chron_qsort(const void *a, const void *b)
{
	return chron_cmp(*(struct page *const *)a, *(struct page *const *)b);
}

static int
recent_qsort(const void *a, const void *b)
{
	return recent_cmp(*(struct page *const *)a, *(struct page *const *)b);
}

static int
path_qsort(const void *a, const void *b)
{
	return path_cmp(*(struct page *const *)a, *(struct page *const *)b);
}

/*
 * A full scan appends pages unsorted and sorts once at the end: inserting
 * each in order would move O(n) pointers per page, O(n^2) in all.
 */
void
catalog_scan_begin(struct catalog *c)
{
	c->bulk = 1;
	c->scan++;
}

void
catalog_scan_end(struct catalog *c, int complete)
{
	size_t	 i;

	if (complete) {
		for (i = c->npages; i > 0; i--)
			if (c->chron[i - 1]->seen != c->scan)
				remove_page(c, c->chron[i - 1]->path);
		for (i = c->nothers; i > 0; i--)
			if (c->others[i - 1]->seen != c->scan)
				remove_page(c, c->others[i - 1]->path);
		if (c->intro != NULL && c->intro_scan != c->scan)
			drop_intro(c);
		pubdates_scan_done(c->dates);
	}
	c->bulk = 0;
	qsort(c->chron, c->npages, sizeof(*c->chron), chron_qsort);
	qsort(c->recent, c->npages, sizeof(*c->recent), recent_qsort);
	qsort(c->others, c->nothers, sizeof(*c->others), path_qsort);
}

void
catalog_dir_removed(struct catalog *c, const char *dir)
{
	size_t	 i, len = strlen(dir);

	for (i = c->npages; i > 0; i--)
		if (strncmp(c->chron[i - 1]->path, dir, len) == 0)
			remove_page(c, c->chron[i - 1]->path);
	for (i = c->nothers; i > 0; i--)
		if (strncmp(c->others[i - 1]->path, dir, len) == 0)
			remove_page(c, c->others[i - 1]->path);
}

void
catalog_clear(struct catalog *c)
{
	while (c->npages > 0)
		remove_page(c, c->chron[c->npages - 1]->path);
	while (c->nothers > 0)
		remove_page(c, c->others[c->nothers - 1]->path);
	drop_intro(c);
	c->index_override = 0;
}

void
catalog_set_navigation(struct catalog *c, enum catalog_navigation nav)
{
	c->nav = nav;
	c->dirty = 1;
}

static void
lines_unref(struct lines *l)
{
	if (l == NULL || --l->refs > 0)
		return;
	free(l->data);
	free(l);
}

static void
snapshot_free(struct snapshot *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->npages; i++)
		page_unref(s->chron[i]);
	for (i = 0; i < s->nothers; i++)
		page_unref(s->others[i]);
	for (i = 0; i < s->nyears && s->lines != NULL; i++)
		lines_unref(s->lines[i]);
	for (i = 0; i < SEARCH_BUCKETS; i++)
		search_bucket_unref(s->search[i]);
	free(s->lines);
	free(s->years);
	free(s->chron);
	free(s->others);
	free(s->scaffold);
	free(s->segs);
	free((char *)s->feed.data);
	free((char *)s->atom.data);
	if (s->rootfd != -1)
		close(s->rootfd);
	free(s);
}

static int
take(struct buf *b, struct segment *out)
{
	out->data = buf_steal(b, &out->len);
	return out->data == NULL ? -1 : 0;
}

/* The previous snapshot's lines for 'year', when none of its pages changed. */
static struct lines *
reuse_lines(const struct catalog *c, int year)
{
	const struct snapshot	*prev = c->current;
	size_t			 lo = 0, hi, mid;

	if (prev == NULL || year_changed(c, year))
		return NULL;
	hi = prev->nyears;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (prev->years[mid].year < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == prev->nyears || prev->years[lo].year != year)
		return NULL;
	prev->lines[lo]->refs++;
	return prev->lines[lo];
}

static struct lines *
year_lines(struct catalog *c, struct snapshot *s, size_t i)
{
	struct lines	*l;
	struct buf	 b;

	if ((l = reuse_lines(c, s->years[i].year)) != NULL)
		return l;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	buf_init(&b);
	render_year_lines(&b, s->chron, &s->years[i]);
	l->index_len = b.len;
	render_timeline_year(&b, s->chron, &s->years[i]);
	if ((l->data = buf_steal(&b, &l->len)) == NULL) {
		free(l);
		return NULL;
	}
	l->refs = 1;
	return l;
}

/* Renders the small pieces into one buffer, noting where each one is. */
static int
render_scaffold(struct snapshot *s, const struct render_site *site,
    size_t *at)
{
	struct buf	 b;
	size_t		 i, k = 0;

	buf_init(&b);
	at[k++] = b.len;
	render_index_head(&b, site, s->npages, s->years, s->nyears);
	for (i = 0; i < s->nyears; i++) {
		at[k++] = b.len;
		render_year_head(&b, &s->years[i]);
		at[k++] = b.len;
		render_year_nav(&b, s->years, s->nyears, i);
	}
	at[k++] = b.len;
	render_timeline_head(&b, s->npages, s->years, s->nyears);
	at[k++] = b.len;
	render_timeline_tail(&b);
	at[k] = b.len;
	return (s->scaffold = buf_steal(&b, NULL)) == NULL ? -1 : 0;
}

static void
piece(struct snapshot *s, const size_t *at, size_t k, struct segment *seg)
{
	seg->data = s->scaffold + at[k];
	seg->len = at[k + 1] - at[k];
}

static void
index_lines(const struct lines *l, struct segment *seg)
{
	seg->data = l->data;
	seg->len = l->index_len;
}

static void
timeline_piece(const struct lines *l, struct segment *seg)
{
	seg->data = l->data + l->index_len;
	seg->len = l->len - l->index_len;
}

/*
 * The index, year pages and timeline as segments: the scaffold's pieces
 * around each year's lines.  'at' holds the offsets of the pieces in the
 * order render_scaffold wrote them.
 */
static void
assemble(struct snapshot *s, const size_t *at)
{
	struct segment	*seg = s->segs;
	size_t		 i, k = 0, n = s->nyears;

	piece(s, at, k++, seg++);
	for (i = 0; i < n; i++)
		index_lines(s->lines[i], seg++);
	s->nindex = (size_t)(seg - s->segs);
	for (i = 0; i < n; i++) {
		piece(s, at, k++, seg++);
		index_lines(s->lines[i], seg++);
		piece(s, at, k++, seg++);
	}
	s->timeline = (size_t)(seg - s->segs);
	piece(s, at, k++, seg++);
	for (i = 0; i < n; i++)
		timeline_piece(s->lines[i], seg++);
	piece(s, at, k++, seg++);
}

static int
render_all(struct catalog *c, struct snapshot *s)
{
	struct render_site	 site = {
		.title = c->title, .base_url = c->base_url, .intro = c->intro,
		.intro_len = c->intro_len, .feed_max = c->cfg.feed_max
	};
	struct buf		 b;
	size_t			*at, i, n = s->nyears;
	int			 rc = -1;

	if ((s->lines = calloc(n + 1, sizeof(*s->lines))) == NULL ||
	    (s->segs = calloc(5 * n + 3, sizeof(*s->segs))) == NULL ||
	    (at = calloc(2 * n + 4, sizeof(*at))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((s->lines[i] = year_lines(c, s, i)) == NULL)
			goto done;
	if (render_scaffold(s, &site, at) == -1)
		goto done;
	assemble(s, at);
	buf_init(&b);
	render_gemfeed(&b, &site, c->recent, c->npages);
	if (take(&b, &s->feed) == -1)
		goto done;
	render_atom(&b, &site, c->recent, c->npages);
	rc = take(&b, &s->atom);
done:
	free(at);
	return rc;
}

/* The snapshot's own references to the catalog's pages. */
static struct page **
share_pages(struct page *const *v, size_t n)
{
	struct page	**copy;
	size_t		  i;

	if ((copy = malloc((n ? n : 1) * sizeof(*copy))) == NULL)
		return NULL;
	memcpy(copy, v, n * sizeof(*copy));
	for (i = 0; i < n; i++)
		copy[i]->refs++;
	return copy;
}

/* The pages of search bucket b, among the snapshot's: a new array, or NULL. */
static struct page **
bucket_pages(const struct snapshot *s, unsigned b, size_t *np)
{
	struct page	**v;
	size_t		  i, n = 0;

	if ((v = malloc((s->npages + s->nothers + 1) * sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < s->npages; i++)
		if (s->chron[i]->search_text != NULL &&
		    search_bucket_of(s->chron[i]->path) == b)
			v[n++] = s->chron[i];
	for (i = 0; i < s->nothers; i++)
		if (s->others[i]->search_text != NULL &&
		    search_bucket_of(s->others[i]->path) == b)
			v[n++] = s->others[i];
	*np = n;
	return v;
}

/*
 * The search index: the previous snapshot's buckets where none of their
 * pages changed (this snapshot holds the same pages), new ones elsewhere.
 */
static int
build_search(const struct catalog *c, struct snapshot *s)
{
	struct page	**v;
	size_t		  n;
	unsigned	  b;

	for (b = 0; b < SEARCH_BUCKETS; b++) {
		if (c->current != NULL && !(c->changed_buckets & (1u << b))) {
			s->search[b] = c->current->search[b];
			search_bucket_ref(s->search[b]);
			continue;
		}
		if ((v = bucket_pages(s, b, &n)) == NULL)
			return -1;
		s->search[b] = search_bucket_build(v, n);
		free(v);
		if (s->search[b] == NULL)
			return -1;
	}
	return 0;
}

static struct snapshot *
snapshot_build(struct catalog *c)
{
	struct snapshot	*s;
	size_t		 n = c->npages;
	size_t		 maxyears = n < MAX_YEAR ? n + 1 : MAX_YEAR + 1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	atomic_init(&s->refs, 1);
	s->rootfd = c->rootfd == -1 ? -1 : fcntl(c->rootfd, F_DUPFD_CLOEXEC, 0);
	s->host = c->cfg.host;
	s->index_override = c->index_override;
	s->nav = c->nav;
	s->years = malloc(maxyears * sizeof(*s->years));
	if (s->years == NULL || (c->rootfd != -1 && s->rootfd == -1) ||
	    (s->chron = share_pages(c->chron, n)) == NULL)
		goto fail;
	s->npages = n;
	if ((s->others = share_pages(c->others, c->nothers)) == NULL)
		goto fail;
	s->nothers = c->nothers;
	s->nyears = render_year_spans(s->chron, n, s->years);
	if (render_all(c, s) == -1 || build_search(c, s) == -1)
		goto fail;
	return s;
fail:
	snapshot_free(s);
	return NULL;
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
 * A rebuild is logged at once when none was in the last second; those
 * that follow (a copy of many files rebuilds once per batch of events)
 * are counted, and catalog_log_rebuilds writes one line for them.
 */
static void
log_rebuild(struct catalog *c, double ms)
{
	if (c->unlogged == 0 && (c->logged_at.tv_sec == 0 ||
	    ms_since(&c->logged_at) >= LOG_EVERY_MS)) {
		log_info("%s: %zu dated pages, generated pages rebuilt in "
		    "%.1f ms", c->cfg.hostname, c->npages, ms);
		clock_gettime(CLOCK_MONOTONIC, &c->logged_at);
		return;
	}
	c->unlogged++;
	if (ms > c->unlogged_ms)
		c->unlogged_ms = ms;
}

void
catalog_log_rebuilds(struct catalog *c)
{
	if (c->unlogged == 0 || ms_since(&c->logged_at) < LOG_EVERY_MS)
		return;
	log_info("%s: %zu dated pages, generated pages rebuilt %u more "
	    "time%s, in %.1f ms at most", c->cfg.hostname, c->npages,
	    c->unlogged, c->unlogged == 1 ? "" : "s", c->unlogged_ms);
	clock_gettime(CLOCK_MONOTONIC, &c->logged_at);
	c->unlogged = 0;
	c->unlogged_ms = 0;
}

static void
log_search_size(const struct catalog *c, const struct snapshot *s)
{
	size_t	 b, bytes = 0;

	for (b = 0; b < SEARCH_BUCKETS; b++)
		bytes += search_bucket_bytes(s->search[b]);
	log_info("%s: search index of %zu KiB built", c->cfg.hostname,
	    (bytes + 1023) / 1024);
}

int
catalog_publish(struct catalog *c)
{
	struct snapshot	*s, *old;
	struct timespec	 t0;

	/*
	 * New dates are written here, in the watching thread, once the
	 * rebuild they came with is published; a write that failed is tried
	 * again on the next call.
	 */
	if (!c->dirty) {
		pubdates_flush(c->dates);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((s = snapshot_build(c)) == NULL) {
		if (!c->publish_failed)
			log_warn("%s: the generated pages cannot be rebuilt "
			    "now (out of memory or descriptors); retrying",
			    c->cfg.hostname);
		c->publish_failed = 1;
		return -1;
	}
	if (c->publish_failed)
		log_info("%s: the generated pages are rebuilt again",
		    c->cfg.hostname);
	c->publish_failed = 0;
	c->dirty = 0;
	memset(c->changed_years, 0, sizeof(c->changed_years));
	c->changed_buckets = 0;
	pthread_mutex_lock(&c->lock);
	old = c->current;
	c->current = s;
	pthread_mutex_unlock(&c->lock);
	if (old != NULL) {
		old->next_retired = c->retired;
		c->retired = old;
		snapshot_release(old);
		log_rebuild(c, ms_since(&t0));
	} else
		log_search_size(c, s);
	catalog_reap(c);
	pubdates_flush(c->dates);
	return 0;
}

int
catalog_dirty(const struct catalog *c)
{
	return c->dirty;
}

void
catalog_reap(struct catalog *c)
{
	struct snapshot	**pp = &c->retired, *s;

	while ((s = *pp) != NULL) {
		if (atomic_load(&s->refs) == 0) {
			*pp = s->next_retired;
			snapshot_free(s);
		} else
			pp = &s->next_retired;
	}
}

struct snapshot *
catalog_acquire(struct catalog *c)
{
	struct snapshot	*s;

	pthread_mutex_lock(&c->lock);
	s = c->current;
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&c->lock);
	return s;
}

/* Only counts down: the watching thread frees it in catalog_reap. */
void
snapshot_release(struct snapshot *s)
{
	if (s != NULL)
		atomic_fetch_sub(&s->refs, 1);
}

void
catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	if (c->current != NULL) {
		snapshot_release(c->current);
		c->current->next_retired = c->retired;
		c->retired = c->current;
		c->current = NULL;
	}
	catalog_reap(c);
	if (c->retired != NULL)
		log_warn("snapshots still in use at exit");
	catalog_clear(c);
	pubdates_flush(c->dates);
	pubdates_free(c->dates);
	strmap_free(&c->pages);
	free(c->chron);
	free(c->recent);
	free(c->others);
	if (c->rootfd != -1)
		close(c->rootfd);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->writer);
	free(c);
}

int
snapshot_rootfd(const struct snapshot *s)
{
	return s->rootfd;
}

/* The index in s->years of the year page at "YYYY/", or -1. */
static long
find_year(const struct snapshot *s, const char *path)
{
	size_t	 i;
	int	 year = 0;

	for (i = 0; i < 4; i++) {
		if (path[i] < '0' || path[i] > '9')
			return -1;
		year = year * 10 + (path[i] - '0');
	}
	if (strcmp(path + 4, "/") != 0)
		return -1;
	for (i = 0; i < s->nyears; i++)
		if (s->years[i].year == year)
			return (long)i;
	return -1;
}

int
snapshot_generated(const struct snapshot *s, const char *path,
    const struct segment **segs, size_t *nsegs)
{
	long	 y;

	*nsegs = 1;
	if ((path[0] == '\0' || strcmp(path, "index.gmi") == 0) &&
	    !s->index_override) {
		*segs = s->segs;
		*nsegs = s->nindex;
	} else if (strcmp(path, "feed.gmi") == 0)
		*segs = &s->feed;
	else if (strcmp(path, "atom.xml") == 0)
		*segs = &s->atom;
	else if (strcmp(path, "timeline.gmi") == 0) {
		*segs = s->segs + s->timeline;
		*nsegs = s->nyears + 2;
	} else if (strlen(path) == 5 && (y = find_year(s, path)) != -1) {
		*segs = s->segs + s->nindex + 3 * (size_t)y;
		*nsegs = 3;
	} else
		return 0;
	return 1;
}

/*
 * A page's place in the chronology is found from its name alone: the date
 * in the name and the path are the sort key, so a binary search finds it
 * and no per-snapshot index is needed.  Returns its index, or -1.
 */
static long
find_dated(const struct snapshot *s, const char *path)
{
	struct page	 key;
	const char	*base = strrchr(path, '/');
	size_t		 i;

	base = base ? base + 1 : path;
	if (meta_parse_date(base, &key.date) == 0)
		return -1;
	key.path = (char *)path;
	i = lower_bound(s->chron, s->npages, &key, chron_cmp);
	if (i == s->npages || strcmp(s->chron[i]->path, path) != 0)
		return -1;
	return (long)i;
}

static const struct page *
find_other(const struct snapshot *s, const char *path)
{
	struct page	 key;
	size_t		 i;

	key.path = (char *)path;
	i = lower_bound(s->others, s->nothers, &key, path_cmp);
	if (i == s->nothers || strcmp(s->others[i]->path, path) != 0)
		return NULL;
	return s->others[i];
}

static const struct page *
find_page(const struct snapshot *s, const char *path)
{
	long	 i;

	if ((i = find_dated(s, path)) != -1)
		return s->chron[i];
	return find_other(s, path);
}

/* 1 for the file a directory request is answered with: it is left as written. */
static int
is_dir_index(const struct snapshot *s, const char *path)
{
	struct path_rules	 pr;
	char			 dir[PATH_MAX_LEN + 2];
	const char		*base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (s->host == NULL)
		return strcmp(base, "index.gmi") == 0;
	snprintf(dir, sizeof(dir), "/%.*s", (int)(base - path), path);
	location_rules(s->host, dir, &pr);
	return strcmp(base, pr.index) == 0;
}

int
snapshot_footer(const struct snapshot *s, const char *path, struct buf *out)
{
	size_t	 before = out->len;
	long	 i;

	if (s->nav == CATALOG_NAV_OFF)
		return 0;
	if ((i = find_dated(s, path)) != -1) {
		render_footer(out, s->chron[i], i > 0 ? s->chron[i - 1] : NULL,
		    (size_t)i + 1 < s->npages ? s->chron[i + 1] : NULL);
		return 1;
	}
	if (s->nav == CATALOG_NAV_DATED || is_dir_index(s, path))
		return 0;
	render_end(out, find_other(s, path));
	return out->len > before;
}

void
snapshot_listing(const struct snapshot *s, const char *dir,
    char *const *names, size_t n, struct buf *out)
{
	struct listing_entry	*entries;
	char			 path[PATH_MAX_LEN + 1];
	size_t			 i;

	if ((entries = calloc(n ? n : 1, sizeof(*entries))) == NULL) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		entries[i].name = names[i];
		if (!meta_is_gemtext(names[i]) || (size_t)snprintf(path,
		    sizeof(path), "%s%s", dir, names[i]) >= sizeof(path))
			continue;
		entries[i].page = find_page(s, path);
	}
	render_listing_pages(out, dir, entries, n);
	free(entries);
}

void
snapshot_search(const struct snapshot *s, const struct search_query *q,
    struct buf *out)
{
	search_render(out, q, s->search, SEARCH_BUCKETS);
}
