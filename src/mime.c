/* mime: the media type of a file, from a small extension table or libmagic. */
#include <sys/stat.h>

#include <errno.h>
#include <magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fileid.h"
#include "meta.h"
#include "mime.h"

/*
 * libmagic costs about 0.3 ms a call, as much as a TLS handshake, so its
 * answers are remembered per settled file, known by its identity and the
 * type its name suggests (two names of one inode may differ).
 */
#define CACHE_SLOTS	256
#define TEXT_HEAD	(64 * 1024)	/* what tells whether gemtext is UTF-8 */

struct cached_type {
	struct fileid	 id;
	const char	*ext_type;	/* mime_from_extension's answer */
	int		 used;
	char		 meta[128];
};

struct mime {
	magic_t			 cookie;
	struct cached_type	 cache[CACHE_SLOTS];
	char			 head[TEXT_HEAD];
};

/*
 * Where libmagic is wrong or vague: it calls CSS and most XML "text/plain",
 * SVG "image/svg" (not registered), Atom "text/xml", and gemtext has no
 * magic at all.
 */
static const struct {
	const char	*ext;
	const char	*type;
} table[] = {
	{ ".gmi",		"text/gemini" },
	{ ".gemini",		"text/gemini" },
	{ ".txt",		"text/plain" },
	{ ".md",		"text/markdown" },
	{ ".css",		"text/css" },
	{ ".csv",		"text/csv" },
	{ ".js",		"text/javascript" },
	{ ".json",		"application/json" },
	{ ".svg",		"image/svg+xml" },
	{ ".xml",		"application/xml" },
	{ ".atom",		"application/atom+xml" },
	{ ".rss",		"application/rss+xml" },
	{ ".html",		"text/html" },
	{ ".htm",		"text/html" },
	{ ".webmanifest",	"application/manifest+json" },
};

const char *
mime_from_extension(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(dot, table[i].ext) == 0)
			return table[i].type;
	return NULL;
}

struct mime *
mime_open(void)
{
	struct mime	*m;
	size_t		 bytes_max = (size_t)64 * 1024;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING |
	    MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
	/*
	 * By default libmagic reads 7 MiB from the start of a file (and as
	 * much from its end for some formats) on every call: the first 64 KiB
	 * tell the type, and the answer must not cost more than the file.
	 */
	if (m->cookie == NULL || magic_setparam(m->cookie,
	    MAGIC_PARAM_BYTES_MAX, &bytes_max) == -1 ||
	    magic_load(m->cookie, NULL) == -1) {
		if (m->cookie != NULL)
			magic_close(m->cookie);
		free(m);
		return NULL;
	}
	return m;
}

void
mime_close(struct mime *m)
{
	if (m == NULL)
		return;
	magic_close(m->cookie);
	free(m);
}

/*
 * libmagic answers "type; charset=X".  us-ascii is a subset of UTF-8 and
 * "binary" is not a charset, so both are dropped or renamed.
 */
static void
format_magic(const char *magic, const char *override, char *out, size_t outsz)
{
	const char	*cs = strstr(magic, "charset=");
	size_t		 typelen = strcspn(magic, ";");
	char		 charset[64] = "";

	if (cs != NULL) {
		snprintf(charset, sizeof(charset), "%s", cs + 8);
		if (strcmp(charset, "us-ascii") == 0)
			snprintf(charset, sizeof(charset), "utf-8");
		if (strcmp(charset, "binary") == 0 ||
		    strcmp(charset, "unknown-8bit") == 0)
			charset[0] = '\0';
	}
	if (override != NULL)
		snprintf(out, outsz, "%s", override);
	else
		snprintf(out, outsz, "%.*s", (int)typelen, magic);
	if (charset[0] != '\0' && (strncmp(out, "text/", 5) == 0 ||
	    strstr(out, "xml") != NULL || strstr(out, "json") != NULL))
		snprintf(out + strlen(out), outsz - strlen(out),
		    "; charset=%s", charset);
}

static struct cached_type *
cache_slot(struct mime *m, const struct stat *st)
{
	uint64_t	 h = (uint64_t)st->st_ino * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)st->st_dev;

	return &m->cache[(h >> 32) % CACHE_SLOTS];
}

static int
cache_matches(const struct cached_type *e, const struct stat *st,
    const char *ext_type)
{
	return e->used && e->ext_type == ext_type && fileid_same(&e->id, st);
}

static void
cache_store(struct cached_type *e, const struct stat *st,
    const char *ext_type, const char *meta)
{
	size_t	 len = strlen(meta);

	if (!fileid_settled(st, time(NULL)) || len >= sizeof(e->meta))
		return;
	fileid_of(&e->id, st);
	e->ext_type = ext_type;
	e->used = 1;
	memcpy(e->meta, meta, len + 1);
}

/* libmagic's answer, adjusted: 0, or -1 with no answer. */
static int
detect(struct mime *m, int fd, const char *type, char *out, size_t outsz)
{
	const char	*magic;

	/* magic_descriptor reads from the current offset and moves it. */
	magic = magic_descriptor(m->cookie, fd);
	if (lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	if (magic == NULL) {
		if (type == NULL)
			return -1;
		snprintf(out, outsz, "%s", type);
		return 0;
	}
	format_magic(magic, type, out, outsz);
	return 0;
}

/* The charset libmagic reads in a file that is not UTF-8, if it names one. */
static void
other_charset(struct mime *m, int fd, char *out, size_t outsz)
{
	const char	*magic, *cs;
	size_t		 len;

	snprintf(out, outsz, "unknown-8bit");
	magic = magic_descriptor(m->cookie, fd);
	(void)lseek(fd, 0, SEEK_SET);
	if (magic == NULL || (cs = strstr(magic, "charset=")) == NULL)
		return;
	cs += 8;
	len = strcspn(cs, "; ");
	if (len == 0 || len >= outsz || strncmp(cs, "binary", len) == 0 ||
	    strncmp(cs, "unknown-8bit", len) == 0 ||
	    strncmp(cs, "us-ascii", len) == 0 || strncmp(cs, "utf-8", len) == 0)
		return;
	memcpy(out, cs, len);
	out[len] = '\0';
}

/*
 * Gemtext is UTF-8 unless its META says otherwise, and a client believes
 * it.  A file whose first bytes are not UTF-8 is given the charset
 * libmagic reads in it (iso-8859-1, utf-16le, ...), else "unknown-8bit"
 * (RFC 1428): never a charset it does not have.
 */
static void
gemtext_type(struct mime *m, int fd, char *out, size_t outsz)
{
	char	 charset[64];
	ssize_t	 n;

	while ((n = pread(fd, m->head, sizeof(m->head), 0)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1 || meta_is_utf8(m->head, (size_t)n,
	    (size_t)n == sizeof(m->head))) {
		snprintf(out, outsz, "text/gemini; charset=utf-8");
		return;
	}
	other_charset(m, fd, charset, sizeof(charset));
	snprintf(out, outsz, "text/gemini; charset=%s", charset);
}

int
mime_for_file(struct mime *m, const char *name, int fd,
    const struct stat *st, const char *lang, char *out, size_t outsz)
{
	const char		*type = mime_from_extension(name);
	struct cached_type	*e;
	char			 meta[256];
	int			 gemtext;

	gemtext = type != NULL && strcmp(type, "text/gemini") == 0;
	e = cache_slot(m, st);
	if (gemtext) {
		if (!cache_matches(e, st, type)) {
			gemtext_type(m, fd, meta, sizeof(meta));
			cache_store(e, st, type, meta);
		} else
			snprintf(meta, sizeof(meta), "%s", e->meta);
		snprintf(out, outsz, "%s; lang=%s", meta, lang);
		return 0;
	}
	if (!cache_matches(e, st, type)) {
		if (detect(m, fd, type, meta, sizeof(meta)) == -1)
			return -1;
		cache_store(e, st, type, meta);
	} else
		snprintf(meta, sizeof(meta), "%s", e->meta);
	snprintf(out, outsz, "%s", meta);
	return 0;
}
