/* pubdates: the date each page of a host was first seen, kept in a state file that survives restarts. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileline.h"
#include "log.h"
#include "path.h"
#include "pubdates.h"
#include "strmap.h"

#define PD_STAMP_LEN	20		/* "YYYY-MM-DDTHH:MM:SSZ" */
#define PD_LINE_MAX	(PD_STAMP_LEN + 1 + PATH_MAX_LEN + 1)
#define PD_FILE_MAX	((size_t)64 * 1024 * 1024)	/* far more than a line per page */
#define PD_MODE		0640
#define PD_DIR_MODE	0750
#define PD_NO_SWITCH	255		/* the probe could not become the user */

struct pd_entry {
	time_t	 t;
	char	 path[];
};

struct pubdates {
	struct strmap	  map;		/* path -> struct pd_entry */
	struct pd_entry	**v;		/* every entry, never removed */
	size_t		  n, cap;
	int		  fresh;	/* no file before this process */
	int		  dirty;	/* changed since the last write */
	int		  failed;	/* the last write failed (logged) */
	int		  dirfd;	/* -1: not backed by a file */
	char		 *dir;
	char		  name[PUBDATES_NAME_MAX];
};

struct pubdates *
pubdates_new(void)
{
	struct pubdates	*pd;

	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		return NULL;
	strmap_init(&pd->map);
	pd->dirfd = -1;
	return pd;
}

void
pubdates_free(struct pubdates *pd)
{
	size_t	 i;

	if (pd == NULL)
		return;
	for (i = 0; i < pd->n; i++)
		free(pd->v[i]);
	free(pd->v);
	strmap_free(&pd->map);
	if (pd->dirfd != -1)
		close(pd->dirfd);
	free(pd->dir);
	free(pd);
}

size_t
pubdates_count(const struct pubdates *pd)
{
	return pd->n;
}

int
pubdates_get(const struct pubdates *pd, const char *path, time_t *out)
{
	const struct pd_entry	*e = strmap_get(&pd->map, path);

	if (e == NULL)
		return 0;
	*out = e->t;
	return 1;
}

int
pubdates_put(struct pubdates *pd, const char *path, time_t t)
{
	struct pd_entry	*e, **v;
	size_t		 len = strlen(path) + 1, cap;

	if ((e = strmap_get(&pd->map, path)) != NULL) {
		if (t < e->t) {
			e->t = t;
			pd->dirty = 1;
		}
		return 0;
	}
	if (pd->n == pd->cap) {
		cap = pd->cap ? pd->cap * 2 : 64;
		if ((v = realloc(pd->v, cap * sizeof(*v))) == NULL)
			return -1;
		pd->v = v;
		pd->cap = cap;
	}
	if ((e = malloc(sizeof(*e) + len)) == NULL)
		return -1;
	e->t = t;
	memcpy(e->path, path, len);
	if (strmap_put(&pd->map, e->path, e) == -1) {
		free(e);
		return -1;
	}
	pd->v[pd->n++] = e;
	pd->dirty = 1;
	return 0;
}

time_t
pubdates_first_seen(struct pubdates *pd, const char *path, time_t mtime,
    time_t now)
{
	time_t	 t;

	if (pubdates_get(pd, path, &t))
		return t;
	t = pd->fresh ? mtime : now;
	return pubdates_put(pd, path, t) == 0 ? t : mtime;
}

void
pubdates_scan_done(struct pubdates *pd)
{
	if (pd != NULL)
		pd->fresh = 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (after H. Hinnant). */
static long long
pd_days_from_civil(long long y, unsigned m, unsigned d)
{
	long long	 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* The inverse: the date of a day count. */
static void
pd_civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long	 era;
	unsigned	 doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

static int
pd_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
pd_month_days(long long y, unsigned m)
{
	static const unsigned char	 days[] = { 31, 28, 31, 30, 31, 30, 31,
	    31, 30, 31, 30, 31 };

	return m == 2 && pd_leap(y) ? 29 : days[m - 1];
}

/* The written years are four digits: what lies outside is clamped. */
static time_t
pd_clamp(time_t t)
{
	const time_t	 lo = (time_t)pd_days_from_civil(0, 1, 1) * 86400;
	const time_t	 hi = (time_t)pd_days_from_civil(9999, 12, 31) * 86400 +
	    86399;

	return t < lo ? lo : t > hi ? hi : t;
}

static void
pd_put_stamp(struct buf *b, time_t t)
{
	long long	 y, days, secs;
	unsigned	 m, d;

	t = pd_clamp(t);
	days = (long long)t / 86400;
	secs = (long long)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	pd_civil_from_days(days, &y, &m, &d);
	buf_printf(b, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d,
	    secs / 3600, secs / 60 % 60, secs % 60);
}

/* A number of 'n' digits at s, or -1. */
static long
pd_digits(const char *s, size_t n)
{
	long	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DDTHH:MM:SSZ", an existing date and time of day, in UTC. */
static int
pd_parse_stamp(const char *s, time_t *out)
{
	long	 y = pd_digits(s, 4), mo = pd_digits(s + 5, 2),
		 d = pd_digits(s + 8, 2), h = pd_digits(s + 11, 2),
		 mi = pd_digits(s + 14, 2), sec = pd_digits(s + 17, 2);

	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z' || y < 0 || mo < 1 || mo > 12 ||
	    d < 1 || d > (long)pd_month_days(y, (unsigned)mo) || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	*out = (time_t)pd_days_from_civil(y, (unsigned)mo, (unsigned)d) *
	    86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

/* What the catalog can hand over: relative, no control characters. */
static int
pd_valid_path(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > PATH_MAX_LEN || s[0] == '/')
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int	pd_fail(char *, size_t, const char *, int, const char *, ...)
		    __attribute__((format(printf, 5, 6)));

static int
pd_fail(char *err, size_t errsz, const char *name, int line,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)fileline_vfail(err, errsz, name, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* One line without its end: an entry, a comment or nothing. */
static int
pd_parse_line(struct pubdates *pd, const char *s, size_t len,
    const char *name, int line, char *err, size_t errsz)
{
	char	 path[PATH_MAX_LEN + 1];
	time_t	 t;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 0 || s[0] == '#')
		return 0;
	if (len < PD_STAMP_LEN + 2 || s[PD_STAMP_LEN] != ' ' ||
	    pd_parse_stamp(s, &t) == -1)
		return pd_fail(err, errsz, name, line, "expected "
		    "YYYY-MM-DDTHH:MM:SSZ, a space and a page's path");
	s += PD_STAMP_LEN + 1;
	len -= PD_STAMP_LEN + 1;
	if (!pd_valid_path(s, len))
		return pd_fail(err, errsz, name, line, "not a page's path "
		    "(relative, at most %d bytes, no control characters)",
		    PATH_MAX_LEN);
	memcpy(path, s, len);
	path[len] = '\0';
	if (pubdates_put(pd, path, t) == -1)
		return pd_fail(err, errsz, name, line, "out of memory");
	return 0;
}

int
pubdates_parse(struct pubdates *pd, const char *text, size_t len,
    const char *name, char *err, size_t errsz)
{
	const char	*end;
	size_t		 i, n;
	int		 line = 0;

	for (i = 0; i < len; i += n + 1) {
		line++;
		end = memchr(text + i, '\n', len - i);
		n = end != NULL ? (size_t)(end - (text + i)) : len - i;
		if (n > PD_LINE_MAX)
			return pd_fail(err, errsz, name, line, "line longer "
			    "than %d bytes", PD_LINE_MAX);
		if (pd_parse_line(pd, text + i, n, name, line, err,
		    errsz) == -1)
			return -1;
	}
	if (errsz > 0)
		err[0] = '\0';
	return 0;
}

static int
pd_entry_cmp(const void *a, const void *b)
{
	return strcmp((*(struct pd_entry *const *)a)->path,
	    (*(struct pd_entry *const *)b)->path);
}

void
pubdates_format(const struct pubdates *pd, struct buf *b)
{
	struct pd_entry	**v;
	size_t		  i;

	buf_puts(b, "# almanac: the date each page was first seen (UTC), "
	    "then its path; see almanac(8)\n");
	if ((v = malloc((pd->n ? pd->n : 1) * sizeof(*v))) == NULL) {
		b->failed = 1;
		return;
	}
	if (pd->n > 0)
		memcpy(v, pd->v, pd->n * sizeof(*v));
	qsort(v, pd->n, sizeof(*v), pd_entry_cmp);
	for (i = 0; i < pd->n; i++) {
		/* Nothing the parser would refuse: such a path is not a page. */
		if (!pd_valid_path(v[i]->path, strlen(v[i]->path)))
			continue;
		pd_put_stamp(b, v[i]->t);
		buf_printf(b, " %s\n", v[i]->path);
	}
	free(v);
}

static int
pd_name_byte_kept(char c, size_t i)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_' || (c == '.' && i > 0);
}

int
pubdates_file_name(const char *host, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i, k = 0, len = strlen(host);
	char			 c;

	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		c = host[i] >= 'A' && host[i] <= 'Z' ?
		    (char)(host[i] - 'A' + 'a') : host[i];
		if (k + 4 > outsz)
			return -1;
		if (pd_name_byte_kept(c, i))
			out[k++] = c;
		else {
			out[k++] = '%';
			out[k++] = hex[(unsigned char)c >> 4];
			out[k++] = hex[(unsigned char)c & 15];
		}
	}
	if (k + sizeof(".dates") > outsz)
		return -1;
	memcpy(out + k, ".dates", sizeof(".dates"));
	return 0;
}

/* The I/O part. */

/* Creates and removes a file in 'dir': 0, or the errno of the failure. */
static int
pd_probe(const char *dir)
{
	char	 path[PATH_MAX];
	int	 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/.almanac-probe.%ld", dir,
	    (long)getpid()) >= sizeof(path))
		return ENAMETOOLONG;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, PD_MODE)) == -1)
		return errno;
	close(fd);
	return unlink(path) == -1 ? errno : 0;
}

/* The probe as that user, in a child that becomes it: this process stays root. */
static int
pd_probe_as(const char *dir, const struct passwd *pw)
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return errno;
	if (pid == 0) {
		if (setgroups(1, &pw->pw_gid) == -1 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
			_exit(PD_NO_SWITCH);
		_exit(pd_probe(dir) & 0xff);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == PD_NO_SWITCH)
		return EPERM;
	return WEXITSTATUS(status);
}

/* mkdir -p, the last directory owned by pw when given. */
static int
pd_make_dir(const char *dir, const struct passwd *pw)
{
	char	 copy[PATH_MAX];
	size_t	 i;

	if ((size_t)snprintf(copy, sizeof(copy), "%s", dir) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; copy[i] != '\0'; i++) {
		if (copy[i] != '/')
			continue;
		copy[i] = '\0';
		if (mkdir(copy, 0755) == -1 && errno != EEXIST)
			return -1;
		copy[i] = '/';
	}
	if (mkdir(copy, PD_DIR_MODE) == -1)
		return -1;
	if (pw != NULL && chown(copy, pw->pw_uid, pw->pw_gid) == -1)
		return -1;
	return 0;
}

static int	pd_why(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
pd_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whether mkdir -p could make 'dir': its nearest existing ancestor is writable. */
static int
pd_can_make(const char *dir, char *why, size_t whysz)
{
	char	 up[PATH_MAX], scratch[PATH_MAX];

	snprintf(up, sizeof(up), "%s", dir);
	do {
		memcpy(scratch, up, sizeof(up));
		snprintf(up, sizeof(up), "%s", dirname(scratch));
	} while (access(up, F_OK) == -1 && strcmp(up, "/") != 0 &&
	    strcmp(up, ".") != 0);
	if (access(up, W_OK | X_OK) == -1)
		return pd_why(why, whysz, "missing, and %s cannot be written: "
		    "%s", up, strerror(errno));
	return 0;
}

int
pubdates_prepare_dir(const char *dir, const char *user, int create,
    char *why, size_t whysz)
{
	const struct passwd	*pw = NULL;
	struct stat		 st;
	int			 err;

	if (user != NULL && geteuid() == 0)
		pw = getpwnam(user);
	if (stat(dir, &st) == -1) {
		if (errno != ENOENT)
			return pd_why(why, whysz, "%s", strerror(errno));
		if (!create)
			return pd_can_make(dir, why, whysz);
		if (pd_make_dir(dir, pw) == -1)
			return pd_why(why, whysz, "cannot be made: %s",
			    strerror(errno));
	} else if (!S_ISDIR(st.st_mode))
		return pd_why(why, whysz, "%s", "not a directory");
	err = pw != NULL ? pd_probe_as(dir, pw) : pd_probe(dir);
	if (err != 0 && pw != NULL)
		return pd_why(why, whysz, "not writable by the user %s",
		    user);
	if (err != 0)
		return pd_why(why, whysz, "not writable: %s", strerror(err));
	return 0;
}

/* The whole file, NUL-terminated, in *text; -1 with errno. */
static int
pd_read_all(int fd, char **text, size_t *len)
{
	struct stat	 st;
	char		*t;
	size_t		 got = 0;
	ssize_t		 n;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > PD_FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	if ((t = malloc((size_t)st.st_size + 1)) == NULL)
		return -1;
	while (got < (size_t)st.st_size) {
		n = read(fd, t + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				break;
			free(t);
			return -1;
		}
		got += (size_t)n;
	}
	t[got] = '\0';
	*text = t;
	*len = got;
	return 0;
}

/* Reads the host's file: 0 (a missing one makes the state fresh), or -1, logged. */
static int
pd_load(struct pubdates *pd)
{
	char	*text, err[512];
	size_t	 len;
	int	 fd, rc;

	fd = openat(pd->dirfd, pd->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd == -1 && errno == ENOENT) {
		pd->fresh = 1;
		pd->dirty = 1;
		log_info("publication dates: %s/%s is new: the pages there now "
		    "are dated by their modification time, those added later "
		    "when they are first seen", pd->dir, pd->name);
		return 0;
	}
	if (fd == -1 || pd_read_all(fd, &text, &len) == -1) {
		log_syserr("publication dates: %s/%s", pd->dir, pd->name);
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	rc = pubdates_parse(pd, text, len, pd->name, err, sizeof(err));
	free(text);
	if (rc == -1) {
		log_warn("publication dates: %s/%s; the file is left as it is",
		    pd->dir, err);
		return -1;
	}
	pd->dirty = 0;
	return 0;
}

struct pubdates *
pubdates_open(const char *dir, const char *host)
{
	struct pubdates	*pd;

	if ((pd = pubdates_new()) == NULL)
		return NULL;
	if (pubdates_file_name(host, pd->name, sizeof(pd->name)) == -1 ||
	    (pd->dir = strdup(dir)) == NULL) {
		log_warn("publication dates of %s: no state file for that "
		    "name", host);
		goto fail;
	}
	if ((pd->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_syserr("publication dates: %s", dir);
		goto fail;
	}
	if (pd_load(pd) == -1)
		goto fail;
	return pd;
fail:
	log_warn("%s: the feeds date pages by their modification time",
	    host);
	pubdates_free(pd);
	return NULL;
}

static int
pd_write_all(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A temporary file of this process beside the state file, synced, then
 * renamed over it and the directory synced: a reader, or a crash, finds
 * the old file or the new one, never a part.
 */
static int
pd_write_file(const struct pubdates *pd, const char *data, size_t len)
{
	char	 tmp[PUBDATES_NAME_MAX + 32];
	int	 fd, err;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", pd->name, (long)getpid());
	fd = openat(pd->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, PD_MODE);
	if (fd == -1 && errno == EEXIST && unlinkat(pd->dirfd, tmp, 0) == 0)
		fd = openat(pd->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, PD_MODE);
	if (fd == -1)
		return -1;
	if (pd_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || renameat(pd->dirfd, tmp, pd->dirfd,
	    pd->name) == -1) {
		err = errno;
		goto fail;
	}
	return fsync(pd->dirfd);
fail:
	(void)unlinkat(pd->dirfd, tmp, 0);
	errno = err;
	return -1;
}

void
pubdates_flush(struct pubdates *pd)
{
	struct buf	 b;
	int		 rc = -1, err;

	if (pd == NULL || pd->dirfd == -1 || !pd->dirty)
		return;
	buf_init(&b);
	pubdates_format(pd, &b);
	if (b.failed)
		errno = ENOMEM;
	else
		rc = pd_write_file(pd, b.data, b.len);
	err = errno;
	buf_free(&b);
	if (rc == -1) {
		errno = err;
		if (!pd->failed)
			log_syserr("publication dates: cannot write %s/%s "
			    "(trying again)", pd->dir,
			    pd->name);
		pd->failed = 1;
		return;
	}
	if (pd->failed)
		log_info("publication dates: %s/%s written again", pd->dir,
		    pd->name);
	pd->failed = 0;
	pd->dirty = 0;
}
