/* titan: Titan upload parameters (pure), and the upload itself: a temporary file renamed into place, and delete. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "beneath.h"
#include "path.h"
#include "titan.h"

#define TITAN_DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#define TITAN_TMP_TRIES	8

/* Bare decimal digits up to TITAN_SIZE_MAX: no sign, no blank, no overflow. */
static const char *
titan_size(const char *s, size_t len, long long *out)
{
	long long	 v = 0;
	size_t		 i;

	if (len == 0)
		return "size is not a number";
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return "size is not a number";
		v = v * 10 + (s[i] - '0');
		if (v > TITAN_SIZE_MAX)
			return "size is too large";
	}
	*out = v;
	return NULL;
}

static const char *
titan_token(const char *s, size_t len, struct titan_params *p)
{
	size_t	 i, n = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (n == TITAN_TOKEN_MAX)
			return "token longer than 256 bytes";
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "control byte in the token";
		if (s[i] != '%') {
			p->token[n++] = s[i];
			continue;
		}
		if (len - i < 3 || (hi = path_hex_value(s[i + 1])) == -1 ||
		    (lo = path_hex_value(s[i + 2])) == -1)
			return "invalid escape in the token";
		if ((p->token[n++] = (char)(hi << 4 | lo)) == '\0')
			return "NUL in the token";
		i += 2;
	}
	p->token[n] = '\0';
	p->token_len = n;
	p->has_token = 1;
	return NULL;
}

/* 1 when s[0..len) is "name=" followed by the value, which *value gets. */
static int
titan_named(const char *s, size_t len, const char *name, const char **value,
    size_t *vlen)
{
	size_t	 n = strlen(name);

	if (len <= n || strncasecmp(s, name, n) != 0 || s[n] != '=')
		return 0;
	*value = s + n + 1;
	*vlen = len - n - 1;
	return 1;
}

static const char *
titan_param(const char *s, size_t len, struct titan_params *p)
{
	const char	*v;
	size_t		 vlen;

	if (len == 0)
		return "empty Titan parameter";
	if (len == 4 && strncasecmp(s, "edit", 4) == 0) {
		if (p->edit)
			return "edit given twice";
		p->edit = 1;
	} else if (titan_named(s, len, "size", &v, &vlen)) {
		if (p->size != -1)
			return "size given twice";
		return titan_size(v, vlen, &p->size);
	} else if (titan_named(s, len, "mime", &v, &vlen)) {
		if (p->mime != NULL)
			return "mime given twice";
		p->mime = v;
		p->mime_len = vlen;
	} else if (titan_named(s, len, "token", &v, &vlen)) {
		if (p->has_token)
			return "token given twice";
		return titan_token(v, vlen, p);
	} else if (len >= 5 && (strncasecmp(s, "size=", 5) == 0 ||
	    strncasecmp(s, "mime=", 5) == 0))
		return "empty Titan parameter";
	return NULL;
}

const char *
titan_parse(const char *path, size_t len, struct titan_params *p)
{
	const char	*semi, *end = path + len, *q, *why;

	memset(p, 0, sizeof(*p));
	p->size = -1;
	semi = memchr(path, ';', len);
	p->path_len = semi != NULL ? (size_t)(semi - path) : len;
	while (semi != NULL) {
		q = semi + 1;
		semi = memchr(q, ';', (size_t)(end - q));
		if ((why = titan_param(q, (size_t)((semi ? semi : end) - q),
		    p)) != NULL)
			return why;
	}
	if (p->edit && p->size != -1)
		return "edit takes no size";
	return NULL;
}

size_t
titan_redact(char *line, size_t len)
{
	static const char	 key[] = ";token=", stars[] = "***";
	size_t			 i = 0, j, k = sizeof(key) - 1;

	if (len < 6 || strncasecmp(line, "titan:", 6) != 0)
		return len;
	while (i + k <= len) {
		if (strncasecmp(line + i, key, k) != 0) {
			i++;
			continue;
		}
		i += k;
		for (j = i; j < len && line[j] != ';' && line[j] != '?'; j++)
			;
		if (j - i < sizeof(stars) - 1) {
			/* Shorter than the stars: starred in place. */
			memset(line + i, '*', j - i);
			i = j;
			continue;
		}
		memcpy(line + i, stars, sizeof(stars) - 1);
		memmove(line + i + 3, line + j, len - j);
		len -= j - i - 3;
		i += 3;
	}
	return len;
}

int
titan_pattern_dir(const char *pattern, char *out, size_t outsz)
{
	size_t	 lit = strcspn(pattern, "*?[\\"), start = 0, len;
	char	*p;

	while (start < lit && pattern[start] == '/')
		start++;
	while (lit > start && pattern[lit - 1] != '/')
		lit--;
	while (lit > start && pattern[lit - 1] == '/')
		lit--;
	if (lit - start >= outsz)
		return -1;
	memcpy(out, pattern + start, lit - start);
	out[lit - start] = '\0';
	/* A dot segment would lead the sandbox's grant out of the capsule. */
	for (p = out; *p != '\0'; p += len + (p[len] == '/')) {
		len = strcspn(p, "/");
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' &&
		    p[1] == '.'))
			return -1;
	}
	return 0;
}

struct titan_upload {
	int		 dirfd;
	int		 fd;
	char		 tmp[32];	/* ".titan-" and hex digits */
	char		*base;		/* the target's name in dirfd */
	long long	 size, got;
};

/*
 * The directory 'dir' ("a/b/", "" for the root) opened, each missing one
 * on the way made; links are followed only while they stay beneath.
 */
static int
titan_open_dir(int rootfd, char *dir)
{
	char	*slash, *name = dir;
	int	 fd, next, e;

	if ((fd = beneath_open(rootfd, dir, TITAN_DIR_FLAGS)) != -1 ||
	    errno != ENOENT)
		return fd;
	if ((fd = beneath_open(rootfd, "", TITAN_DIR_FLAGS)) == -1)
		return -1;
	for (; (slash = strchr(name, '/')) != NULL; name = slash + 1) {
		*slash = '\0';
		next = beneath_open(rootfd, dir, TITAN_DIR_FLAGS);
		if (next == -1 && errno == ENOENT && (mkdirat(fd, name,
		    0755) == 0 || errno == EEXIST))
			next = beneath_open(rootfd, dir, TITAN_DIR_FLAGS);
		*slash = '/';
		e = errno;
		close(fd);
		errno = e;
		if ((fd = next) == -1)
			return -1;
	}
	return fd;
}

/* A fresh dotfile beside the target, which the watcher and readers skip. */
static int
titan_open_tmp(struct titan_upload *up)
{
	unsigned long long	 r;
	int			 i;

	for (i = 0; i < TITAN_TMP_TRIES; i++) {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		snprintf(up->tmp, sizeof(up->tmp), ".titan-%016llx", r);
		up->fd = openat(up->dirfd, up->tmp, O_RDWR | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (up->fd != -1 || errno != EEXIST)
			return up->fd;
	}
	return -1;
}

/* The page being replaced keeps its permissions. */
static void
titan_keep_mode(const struct titan_upload *up)
{
	struct stat	 st;

	if (fstatat(up->dirfd, up->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode))
		(void)fchmod(up->fd, st.st_mode & 07777);
}

static void
titan_free(struct titan_upload *up)
{
	if (up->fd != -1)
		close(up->fd);
	if (up->dirfd != -1)
		close(up->dirfd);
	free(up->base);
	free(up);
}

int
titan_begin(int rootfd, const char *rel, long long size,
    struct titan_upload **out)
{
	struct titan_upload	*up;
	char			*dir, *slash;
	int			 e;

	if ((up = calloc(1, sizeof(*up))) == NULL)
		return -1;
	up->dirfd = up->fd = -1;
	up->size = size;
	if ((dir = strdup(rel)) == NULL)
		goto fail;
	slash = strrchr(dir, '/');
	up->base = strdup(slash != NULL ? slash + 1 : dir);
	if (slash != NULL)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	if (up->base == NULL || up->base[0] == '\0') {
		free(dir);
		errno = up->base == NULL ? ENOMEM : EISDIR;
		goto fail;
	}
	up->dirfd = titan_open_dir(rootfd, dir);
	free(dir);
	if (up->dirfd == -1 || titan_open_tmp(up) == -1)
		goto fail;
	titan_keep_mode(up);
	*out = up;
	return 0;
fail:
	e = errno;
	titan_free(up);
	errno = e;
	return -1;
}

int
titan_write(struct titan_upload *up, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	if ((long long)len > up->size - up->got) {
		errno = EFBIG;
		return -1;
	}
	while (len > 0) {
		if ((n = write(up->fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		up->got += n;
	}
	return 0;
}

long long
titan_left(const struct titan_upload *up)
{
	return up->size - up->got;
}

/* 1 when the file ends with s[0..len). */
static int
titan_ends_with(const struct titan_upload *up, const char *s, size_t len)
{
	char	 tail[4096];

	if (len == 0 || len > sizeof(tail) || (long long)len > up->got)
		return 0;
	if (pread(up->fd, tail, len, (off_t)(up->got - (long long)len)) !=
	    (ssize_t)len)
		return 0;
	return memcmp(tail, s, len) == 0;
}

/*
 * An editor that took the page as served sends its navigation back, with
 * or without the final newline: kept, it would be doubled when served.
 */
static int
titan_strip(struct titan_upload *up, const char *s, size_t len)
{
	if (s == NULL || len == 0)
		return 0;
	if (!titan_ends_with(up, s, len) && (s[len - 1] != '\n' ||
	    !titan_ends_with(up, s, --len)))
		return 0;
	if (ftruncate(up->fd, (off_t)(up->got - (long long)len)) == -1)
		return -1;
	up->got -= (long long)len;
	return 0;
}

int
titan_commit(struct titan_upload *up, const char *strip, size_t striplen)
{
	int	 e;

	if (titan_strip(up, strip, striplen) == -1 || fsync(up->fd) == -1 ||
	    close(up->fd) == -1) {
		up->fd = -1;
		goto fail;
	}
	up->fd = -1;
	if (renameat(up->dirfd, up->tmp, up->dirfd, up->base) == -1)
		goto fail;
	/* The rename itself lasts once the directory is synced. */
	(void)fsync(up->dirfd);
	titan_free(up);
	return 0;
fail:
	e = errno;
	titan_abort(up);
	errno = e;
	return -1;
}

void
titan_abort(struct titan_upload *up)
{
	if (up == NULL)
		return;
	if (up->fd != -1)
		close(up->fd);
	up->fd = -1;
	(void)unlinkat(up->dirfd, up->tmp, 0);
	titan_free(up);
}

int
titan_delete(int rootfd, const char *rel)
{
	const char	*slash = strrchr(rel, '/');
	char		 dir[PATH_MAX_LEN + 1];
	struct stat	 st;
	int		 dirfd, rc, e;

	if (slash == NULL)
		dir[0] = '\0';
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash + 1 - rel), rel);
	if ((dirfd = beneath_open(rootfd, dir, TITAN_DIR_FLAGS)) == -1)
		return -1;
	rel = slash != NULL ? slash + 1 : rel;
	if (fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == -1)
		rc = -1;
	else if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		rc = -1;
	} else
		rc = unlinkat(dirfd, rel, 0);
	e = errno;
	close(dirfd);
	errno = e;
	return rc;
}
