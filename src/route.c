/* route: decide the answer to one request line: status, meta and body source. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "access.h"
#include "allowset.h"
#include "beneath.h"
#include "catalog.h"
#include "config.h"
#include "fastcgi.h"
#include "fcgistream.h"
#include "filecache.h"
#include "lease.h"
#include "log.h"
#include "meta.h"
#include "mime.h"
#include "path.h"
#include "proxy.h"
#include "render.h"
#include "request.h"
#include "route.h"
#include "search.h"
#include "titan.h"

#define OPEN_FLAGS	(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define WHOLE_MAX	((off_t)64 * 1024)	/* read whole under the lease */

void
response_init(struct response *res)
{
	memset(res, 0, sizeof(*res));
	body_init(&res->body);
}

void
response_clear(struct response *res)
{
	body_clear(&res->body);
	snapshot_release(res->snap);
	res->snap = NULL;
	res->host = NULL;
	res->status = 0;
	res->meta[0] = '\0';
	titan_abort(res->upload);
	res->upload = NULL;
	res->cat = NULL;
	res->target[0] = res->who[0] = res->note[0] = '\0';
}

void
response_free(struct response *res)
{
	response_clear(res);
	body_free(&res->body);
}

static void
answer(struct response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
answer(struct response *res, int status, const char *fmt, ...)
{
	va_list	 ap;

	res->status = status;
	va_start(ap, fmt);
	vsnprintf(res->meta, sizeof(res->meta), fmt, ap);
	va_end(ap);
}

static void
answer_mem(struct response *res, const char *type, const char *lang,
    const struct segment *segs, size_t nsegs)
{
	if (lang != NULL)
		answer(res, 20, "%s; charset=utf-8; lang=%s", type, lang);
	else
		answer(res, 20, "%s; charset=utf-8", type);
	res->body.kind = BODY_MEM;
	res->body.segs = segs;
	res->body.nsegs = nsegs;
}

static int
host_is_local_address(const char *host, const struct sockaddr *local)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const struct sockaddr_in6 *l6 = (const struct sockaddr_in6 *)local;
	const struct sockaddr_in *l4 = (const struct sockaddr_in *)local;

	if (local == NULL)
		return 0;
	if (local->sa_family == AF_INET)
		return inet_pton(AF_INET, host, &a4) == 1 &&
		    a4.s_addr == l4->sin_addr.s_addr;
	if (local->sa_family != AF_INET6)
		return 0;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return memcmp(&a6, &l6->sin6_addr, sizeof(a6)) == 0;
	/* IPv4 on a dual-stack socket arrives as ::ffff:a.b.c.d */
	return inet_pton(AF_INET, host, &a4) == 1 &&
	    IN6_IS_ADDR_V4MAPPED(&l6->sin6_addr) &&
	    memcmp(&a4, &l6->sin6_addr.s6_addr[12], 4) == 0;
}

static void
refuse_host(const struct route_env *env, struct response *res,
    const char *why)
{
	const char	*h = env->cfg->hosts[0].name;

	if (env->local_port == 1965)
		answer(res, 53, "%s; this server serves gemini://%s/", why, h);
	else
		answer(res, 53, "%s; this server serves gemini://%s:%d/", why,
		    h, env->local_port);
}

/*
 * The host the URL names, or -1 after answering 53.  The IP address the
 * client connected to stands for the host its SNI chose, else the first.
 */
static int
choose_host(const struct route_env *env, const struct request *r,
    struct response *res)
{
	char	 host[256];
	int	 idx, literal;

	if (r->host_len >= sizeof(host)) {
		refuse_host(env, res, "host not served");
		return -1;
	}
	memcpy(host, r->host, r->host_len);
	host[r->host_len] = '\0';
	literal = host_is_local_address(host, env->local);
	idx = config_find_host(env->cfg, r->host, r->host_len);
	if (idx == -1 && literal)
		idx = env->sni_host != -1 ? env->sni_host : 0;
	if (idx == -1) {
		refuse_host(env, res, "host not served");
		return -1;
	}
	if (env->sni != NULL && !literal &&
	    !config_same_name(r->host, r->host_len, env->sni)) {
		refuse_host(env, res, "TLS server name differs from the URL's "
		    "host");
		return -1;
	}
	if (r->port != -1 && r->port != env->local_port) {
		refuse_host(env, res, "port not served");
		return -1;
	}
	return idx;
}

static void
redirect_slash(const struct request *r, struct response *res)
{
	int	 v6 = memchr(r->host, ':', r->host_len) != NULL;
	char	 port[16] = "";

	if (r->port != -1)
		snprintf(port, sizeof(port), ":%d", r->port);
	if (r->host_len + r->path_len + 32 > META_MAX) {
		answer(res, 59, "URL too long to redirect");
		return;
	}
	answer(res, 31, "gemini://%s%.*s%s%s%.*s/", v6 ? "[" : "",
	    (int)r->host_len, r->host, v6 ? "]" : "", port,
	    (int)r->path_len, r->path);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* Reads a directory's visible entries, directories marked with a final '/'. */
static char **
read_names(int fd, size_t *countp)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		**v = NULL, **nv;
	size_t		 n = 0, cap = 0;
	int		 dfd;

	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return NULL;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (path_is_leftover(de->d_name) ||
		    path_has_control(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		int dir = fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISDIR(st.st_mode);
		if (asprintf(&v[n], "%s%s", de->d_name, dir ? "/" : "") == -1)
			goto fail;
		n++;
	}
	closedir(d);
	if (n == 0)
		return calloc(1, sizeof(*v));
	qsort(v, n, sizeof(*v), name_cmp);
	*countp = n;
	return v;
fail:
	closedir(d);
	free_names(v, n);
	return NULL;
}

/* 1 when this client could open 'path' ("/a/b"): not blocked, and allowed. */
static int
may_open(const struct route_env *env, const struct host *h, const char *path,
    struct access_identity *id, int *have_id)
{
	struct path_rules	 pr;
	char			 meta[META_MAX + 1];

	location_rules(h, path, &pr);
	if (pr.block_code != 0)
		return 0;
	if (!pr.require_cert)
		return 1;
	if (!*have_id) {
		(void)access_identity_of(env->peer, time(NULL), id);
		*have_id = 1;
	}
	return allowset_status(pr.allow->allowset, id, 1, meta,
	    sizeof(meta)) == 0;
}

/* A listing leaves out what the client could not open: returns how many stay. */
static size_t
keep_openable(const struct route_env *env, const struct host *h,
    const char *dir, char **names, size_t n)
{
	struct access_identity	 id;
	char			 path[PATH_MAX_LEN + 2];
	size_t			 i, kept = 0;
	int			 have_id = 0;

	if (h->nlocations == 0 && !h->r.require_cert && h->r.block_code == 0)
		return n;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/%s%s", dir, names[i]);
		if (may_open(env, h, path, &id, &have_id))
			names[kept++] = names[i];
		else
			free(names[i]);
	}
	return kept;
}

static void
serve_listing(const struct route_env *env, const char *dir, int fd,
    struct response *res)
{
	char	**names;
	size_t	  n = 0;

	if ((names = read_names(fd, &n)) == NULL) {
		answer(res, 40, "cannot read the directory");
		return;
	}
	n = keep_openable(env, res->host, dir, names, n);
	snapshot_listing(res->snap, dir, names, n, &res->body.owned);
	free_names(names, n);
	if (res->body.owned.failed) {
		answer(res, 40, "out of memory");
		return;
	}
	res->body.one.data = res->body.owned.data;
	res->body.one.len = res->body.owned.len;
	answer_mem(res, "text/gemini", res->rules.lang, &res->body.one, 1);
}

/*
 * A cached file is the same file, byte for byte, as when it was read: its
 * identity (inode, size, times) has not changed since, so no writer has
 * touched it, and it was read while no process had it open for writing.
 */
static void
serve_cached(const char *rel, const struct cached_file *cf,
    struct response *res)
{
	if (path_is_leftover(rel)) {
		answer(res, 51, "not found");
		return;
	}
	buf_append(&res->body.owned, cf->data, cf->len);
	if (res->body.owned.failed) {
		answer(res, 40, "out of memory");
		return;
	}
	res->status = 20;
	snprintf(res->meta, sizeof(res->meta), "%s", cf->meta);
	res->body.one.data = res->body.owned.data;
	res->body.one.len = res->body.owned.len;
	res->body.kind = BODY_MEM;
	res->body.segs = &res->body.one;
	res->body.nsegs = 1;
	if (meta_is_gemtext(rel))
		snapshot_footer(res->snap, rel, &res->body.footer);
}

/* The whole of a small file into res->body.owned as one segment: 0 or -1. */
static int
read_small(int fd, off_t size, struct response *res)
{
	size_t	 got = 0, want = (size_t)size;
	ssize_t	 n;

	if (buf_reserve(&res->body.owned, want) == -1)
		return -1;
	while (got < want) {
		n = pread(fd, res->body.owned.data + got, want - got, (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	res->body.owned.len = got;
	res->body.one.data = res->body.owned.data;
	res->body.one.len = got;
	res->body.segs = &res->body.one;
	res->body.nsegs = 1;
	res->body.kind = BODY_MEM;
	return 0;
}

/*
 * The extension table names a file well, and so does libmagic when the
 * name has an extension and the answer is more than "some bytes"; an
 * extensionless file is left to 'default type' when one is set.
 */
static int
named_well(const char *rel, const char *meta)
{
	const char	*base = strrchr(rel, '/');

	base = base != NULL ? base + 1 : rel;
	if (mime_from_extension(base) != NULL)
		return 1;
	return strchr(base + 1, '.') != NULL &&
	    strncmp(meta, "application/octet-stream", 24) != 0;
}

/*
 * Whether a writer still has the file is asked of the kernel now, not of
 * the watcher, which may not have seen the writer's events yet.  A small
 * file is read whole while the lease is held, so that a writer who opens
 * it meanwhile waits for the read; a larger one is streamed, and a writer
 * who starts after the answer has begun is not stopped.
 */
static void
serve_file(const struct route_env *env, const char *rel, int fd,
    const struct stat *st, struct response *res)
{
	int			 capsule = (int)(res->host - env->cfg->hosts);
	enum lease_verdict	 lease;
	int			 rc = 0;

	if (path_is_leftover(rel)) {
		close(fd);
		answer(res, 51, "not found");
		return;
	}
	if ((lease = lease_take(fd)) == LEASE_WRITER) {
		close(fd);
		answer(res, 40, "this file is being written; try again "
		    "shortly");
		return;
	}
	if (mime_for_file(env->mime, rel, fd, st, res->rules.lang, res->meta,
	    sizeof(res->meta)) == -1)
		snprintf(res->meta, sizeof(res->meta),
		    "application/octet-stream");
	if (res->rules.default_type != NULL && !named_well(rel, res->meta))
		snprintf(res->meta, sizeof(res->meta), "%s",
		    res->rules.default_type);
	if (st->st_size <= WHOLE_MAX)
		rc = read_small(fd, st->st_size, res);
	if (lease == LEASE_HELD)
		lease_drop(fd);
	if (rc == -1) {
		close(fd);
		answer(res, 40, "cannot read the file");
		return;
	}
	res->status = 20;
	if (res->body.kind == BODY_MEM) {
		if (env->files != NULL)
			(void)filecache_put(env->files, capsule, rel, fd, st,
			    res->meta);
		close(fd);
	} else {
		res->body.kind = BODY_FILE;
		res->body.fd = fd;
		res->body.size = st->st_size;
	}
	if (meta_is_gemtext(rel))
		snapshot_footer(res->snap, rel, &res->body.footer);
}

static void
open_error(struct response *res)
{
	if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
		answer(res, 44, "5");
	else
		answer(res, 51, "not found");
}

static void
serve_directory(const struct route_env *env, const struct request *r,
    const char *rel, int fd, struct response *res)
{
	char		 index[PATH_MAX_LEN + 16];
	struct stat	 st;
	size_t		 len = strlen(rel);
	int		 ifd;

	if (len > 0 && rel[len - 1] != '/') {
		close(fd);
		redirect_slash(r, res);
		return;
	}
	snprintf(index, sizeof(index), "%s%s", rel, res->rules.index);
	ifd = beneath_open(snapshot_rootfd(res->snap), index, OPEN_FLAGS);
	if (ifd != -1 && fstat(ifd, &st) == 0 && S_ISREG(st.st_mode)) {
		close(fd);
		serve_file(env, index, ifd, &st, res);
		return;
	}
	if (ifd != -1)
		close(ifd);
	if (res->rules.auto_index)
		serve_listing(env, rel, fd, res);
	else
		answer(res, 51, "not found");
	close(fd);
}

static void
serve_path(const struct route_env *env, const struct request *r,
    const char *rel, struct response *res)
{
	struct cached_file	 cf;
	struct stat		 st;
	int			 fd, rootfd = snapshot_rootfd(res->snap);
	int			 capsule = (int)(res->host - env->cfg->hosts);

	if (rootfd == -1) {
		answer(res, 41, "the capsule is not available right now");
		return;
	}
	if (env->files != NULL &&
	    filecache_get(env->files, capsule, rootfd, rel, &cf)) {
		serve_cached(rel, &cf, res);
		return;
	}
	if ((fd = beneath_open(rootfd, rel, OPEN_FLAGS)) == -1) {
		open_error(res);
		return;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		answer(res, 40, "cannot read the file");
	} else if (S_ISDIR(st.st_mode))
		serve_directory(env, r, rel, fd, res);
	else if (S_ISREG(st.st_mode))
		serve_file(env, rel, fd, &st, res);
	else {
		close(fd);
		answer(res, 51, "not found");
	}
}

/*
 * The path's rules: 1 when they answer the request themselves (a block
 * return), 0 to go on serving with them.
 */
static int
apply_rules(const struct route_env *env, const struct request *r,
    const char *rel, struct response *res)
{
	struct location_vars	 v;
	char			 path[PATH_MAX_LEN + 2];

	snprintf(path, sizeof(path), "/%s", rel);
	location_rules(res->host, path, &res->rules);
	if (res->rules.require_cert) {
		struct access_identity	 id;
		int			 status;

		(void)access_identity_of(env->peer, time(NULL), &id);
		status = allowset_status(res->rules.allow->allowset, &id, 1,
		    res->meta, sizeof(res->meta));
		if (status != 0) {
			res->status = status;
			return 1;
		}
	}
	if (res->rules.block_code == 0)
		return 0;
	v.path = r->path_len > 0 ? r->path : "/";
	v.path_len = r->path_len > 0 ? r->path_len : 1;
	v.query = r->query;
	v.query_len = r->query_len;
	v.port = env->local_port;
	v.server = res->host->name;
	res->status = res->rules.block_code;
	location_expand(res->rules.block_meta, &v, res->meta,
	    sizeof(res->meta));
	return 1;
}

/*
 * /search, unless the capsule has its own file or directory by that name
 * (served as before there was a generated one).
 */
static int
is_search(const struct snapshot *snap, const char *rel)
{
	return strcmp(rel, "search") == 0 && faccessat(snapshot_rootfd(snap),
	    "search", F_OK, AT_SYMLINK_NOFOLLOW) == -1;
}

static void
serve_search(const struct request *r, struct response *res)
{
	struct search_query	 q;
	const char		*why;

	switch (search_parse(r->query, r->query_len, &q, &why)) {
	case SEARCH_BAD:
		answer(res, 59, "%s", why);
		return;
	case SEARCH_EMPTY:
		answer(res, 10, "Search this capsule");
		return;
	case SEARCH_OK:
		break;
	}
	snapshot_search(res->snap, &q, &res->body.owned);
	if (res->body.owned.failed) {
		answer(res, 40, "out of memory");
		return;
	}
	res->body.one.data = res->body.owned.data;
	res->body.one.len = res->body.owned.len;
	answer_mem(res, "text/gemini", res->rules.lang, &res->body.one, 1);
}

/*
 * A path under a FastCGI location is never served as a file: the records
 * of its request are made here, in res->body.owned, for the application
 * res->rules.fastcgi.
 *
 * The answer is the application's, relayed as it comes
 * (src/fcgistream.c); an application with all the requests it may have
 * open is a 44 at once.
 */
static void
serve_fastcgi(const struct route_env *env, const char *line, size_t len,
    const struct request *r, const char *rel, struct response *res)
{
	struct fastcgi_params	 p;
	struct fastcgi_request	 q;
	struct access_identity	 id;
	char			 path[PATH_MAX_LEN + 2];
	const char		*why;

	snprintf(path, sizeof(path), "/%s", rel);
	(void)access_identity_of(env->peer, time(NULL), &id);
	memset(&q, 0, sizeof(q));
	q.url = line;
	q.url_len = len;
	q.path = path;
	q.query = r->query;
	q.query_len = r->query_len;
	q.server_name = r->host;
	q.server_name_len = r->host_len;
	q.server_port = env->local_port;
	q.document_root = res->host->document_root;
	q.remote_addr = env->remote_addr;
	q.software = env->software != NULL ? env->software : "almanac";
	q.tls_version = env->tls_version;
	q.tls_cipher = env->tls_cipher;
	q.id = &id;
	q.app = res->rules.fastcgi;
	if (fastcgi_params(&q, &p) == -1 ||
	    fastcgi_encode_request(&res->body.owned, p.pairs, p.n) == -1) {
		answer(res, 42, "the request is too large for the application");
		return;
	}
	res->body.stream = fcgistream_new(env->fastcgi, res->rules.fastcgi,
	    &res->body.owned, &why);
	if (res->body.stream == NULL) {
		answer(res, 44, "%s", why);
		return;
	}
	res->body.kind = BODY_STREAM;
}

/* The upstream's answer, header and all, streams to the client as it comes. */
static void
relay(const struct path_rules *pr, const char *line, size_t len,
    struct response *res)
{
	res->body.stream = proxy_stream_new(pr->proxy, line, len);
	if (res->body.stream == NULL) {
		answer(res, 43, "proxy error: out of memory");
		return;
	}
	res->body.kind = BODY_STREAM;
}

/* "2013" is a year page without its slash. */
static int
is_year_without_slash(const struct snapshot *snap, const char *rel)
{
	char			 slashed[16];
	const struct segment	*segs;
	size_t			 nsegs;

	if (strlen(rel) != 4)
		return 0;
	memcpy(slashed, rel, 4);
	memcpy(slashed + 4, "/", 2);
	return snapshot_generated(snap, slashed, &segs, &nsegs);
}

/*
 * Titan: uploads, deletes and edits, every refusal answered before a byte
 * of the body is read.
 */

/* "gemini://HOST[:PORT]/" and the encoded path, for the 30 of an upload. */
static void
titan_redirect(const struct route_env *env, const struct request *r,
    const char *rel, struct response *res)
{
	int	 v6 = memchr(r->host, ':', r->host_len) != NULL;
	char	 port[16] = "", path[META_MAX + 1];

	if (env->local_port != 1965)
		snprintf(port, sizeof(port), ":%d", env->local_port);
	path_encode(rel, path, sizeof(path) - r->host_len - 32);
	answer(res, res->status, "gemini://%s%.*s%s%s/%s", v6 ? "[" : "",
	    (int)r->host_len, r->host, v6 ? "]" : "", port, path);
}

static int
titan_same_secret(const char *given, size_t len, const char *conf)
{
	return strlen(conf) == len && CRYPTO_memcmp(given, conf, len) == 0;
}

/*
 * A token of the path's list, or a certificate of its allow list, lets
 * the client in: 0, else the answer (60, 61 or 62) is set.
 */
static int
titan_authorise(const struct route_env *env, const struct titan_params *tp,
    struct response *res)
{
	const struct rules	*t = res->rules.titan_tokens;
	const struct rules	*a = res->rules.allow;
	struct access_identity	 id;
	size_t			 i;
	int			 status = 61;

	for (i = 0; tp->has_token && i < t->ntitan_tokens; i++)
		if (titan_same_secret(tp->token, tp->token_len,
		    t->titan_tokens[i])) {
			snprintf(res->who, sizeof(res->who), "token %zu", i + 1);
			return 0;
		}
	if (env->peer != NULL && (a->nallow > 0 || a->nallow_files > 0)) {
		(void)access_identity_of(env->peer, time(NULL), &id);
		status = allowset_status(a->allowset, &id, 1, res->meta,
		    sizeof(res->meta));
		if (status == 0) {
			snprintf(res->who, sizeof(res->who), "certificate");
			return 0;
		}
	}
	if (!tp->has_token && env->peer == NULL)
		answer(res, 60, "uploading here needs a client certificate or "
		    "a Titan token");
	else if (tp->has_token)
		answer(res, 61, "this Titan token is not accepted here");
	else if (status == 61 && a->nallow == 0 && a->nallow_files == 0)
		answer(res, 61, "no client certificate may upload here: use "
		    "a Titan token");
	else
		res->status = status;	/* the allow list's own words */
	return -1;
}

/* ";edit": the file as it is, without navigation; 51 lets an editor start. */
static void
titan_edit(const struct route_env *env, const char *rel, struct response *res)
{
	struct stat	 st;
	int		 fd;

	fd = beneath_open(snapshot_rootfd(res->snap), rel, OPEN_FLAGS);
	if (fd == -1) {
		open_error(res);
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		answer(res, 51, "not found");
		return;
	}
	if (mime_for_file(env->mime, rel, fd, &st, res->rules.lang,
	    res->meta, sizeof(res->meta)) == -1)
		snprintf(res->meta, sizeof(res->meta),
		    "application/octet-stream");
	if (st.st_size <= WHOLE_MAX) {
		int rc = read_small(fd, st.st_size, res);
		close(fd);
		if (rc == -1) {
			answer(res, 40, "cannot read the file");
			return;
		}
	} else {
		res->body.kind = BODY_FILE;
		res->body.fd = fd;
		res->body.size = st.st_size;
	}
	res->status = 20;
}

/* The catalog has the change before the answer goes: read your writes. */
static void
titan_tell_catalog(struct catalog *cat, const char *rel, int removed)
{
	catalog_writer_lock(cat);
	if (removed)
		catalog_file_removed(cat, rel);
	else
		(void)catalog_file_changed(cat, rel);
	(void)catalog_publish(cat);
	catalog_writer_unlock(cat);
}

/* size=0: the page goes, and the answer leads to its directory. */
static void
titan_remove(const struct route_env *env, const struct request *r,
    const char *rel, struct response *res)
{
	char	 dir[PATH_MAX_LEN + 1];
	const char *slash = strrchr(rel, '/');

	if (titan_delete(snapshot_rootfd(res->snap), rel) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			answer(res, 51, "not found");
		else if (errno == EISDIR)
			answer(res, 59, "a directory cannot be deleted");
		else
			answer(res, 40, "cannot delete the page: %s",
			    strerror(errno));
		return;
	}
	titan_tell_catalog(env->cats[res->host - env->cfg->hosts], rel, 1);
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ?
	    (int)(slash + 1 - rel) : 0, rel);
	res->status = 30;
	titan_redirect(env, r, dir, res);
	snprintf(res->note, sizeof(res->note), "titan: deleted, %s",
	    res->who);
}

static void
titan_begin_upload(const struct route_env *env, const struct request *r,
    const char *rel, long long size, struct response *res)
{
	if (titan_begin(snapshot_rootfd(res->snap), rel, size,
	    &res->upload) == -1) {
		if (errno == ENOTDIR || errno == EXDEV || errno == ELOOP)
			answer(res, 59, "cannot upload there: %s",
			    strerror(errno));
		else if (errno == EACCES || errno == EPERM || errno == EROFS)
			answer(res, 50, "cannot write there: %s",
			    strerror(errno));
		else
			answer(res, 40, "cannot store the upload now: %s",
			    strerror(errno));
		return;
	}
	res->cat = env->cats[res->host - env->cfg->hosts];
	snprintf(res->target, sizeof(res->target), "%s", rel);
	if (meta_is_gemtext(rel))
		snapshot_footer(res->snap, rel, &res->body.footer);
	res->status = 0;
	titan_redirect(env, r, rel, res);
	res->body.kind = BODY_UPLOAD;
	res->body.size = (off_t)size;
}

/* A name almanac would not serve, or serves itself, is not uploaded to. */
static const char *
titan_bad_target(const char *rel, const struct response *res)
{
	const struct segment	*segs;
	struct stat		 st;
	size_t			 nsegs, len = strlen(rel);

	if (len == 0 || rel[len - 1] == '/')
		return "a directory cannot be uploaded to: name a file";
	if (path_is_leftover(rel))
		return "a dotfile or an editor's leftover is not served, so "
		    "not uploaded";
	if (strcmp(rel, "index.gmi") != 0 &&
	    snapshot_generated(res->snap, rel, &segs, &nsegs))
		return "a generated page cannot be uploaded";
	if (beneath_lstat(snapshot_rootfd(res->snap), rel, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return "that path is a directory";
	return NULL;
}

static void
route_titan(const struct route_env *env, const struct request *r,
    struct response *res)
{
	struct titan_params	 tp;
	const char		*bad = titan_parse(r->path, r->path_len, &tp);
	char			 rel[PATH_MAX_LEN + 1], path[PATH_MAX_LEN + 2];
	enum path_verdict	 v;

	v = path_normalise(r->path, tp.path_len, rel);
	if (v == PATH_HIDDEN) {
		answer(res, 59, "a dotfile cannot be uploaded");
		return;
	}
	if (v != PATH_OK) {
		answer(res, 59, "%s", path_verdict_str(v));
		return;
	}
	snprintf(path, sizeof(path), "/%s", rel);
	location_rules(res->host, path, &res->rules);
	if (!res->rules.titan) {
		answer(res, 59, "Titan uploads are not enabled at %s", path);
		return;
	}
	if (bad == NULL && r->query != NULL)
		bad = "Titan parameters come after the path, not in a query";
	if (bad == NULL && !tp.edit && tp.size == -1)
		bad = "size missing";
	if (bad == NULL && tp.size > res->rules.titan_max_size)
		bad = "size over the limit";
	if (bad != NULL) {
		answer(res, 59, "%s: a Titan upload is ;size=N then N bytes, "
		    "at most %lld here", bad, res->rules.titan_max_size);
		return;
	}
	if (titan_authorise(env, &tp, res) == -1)
		return;
	if ((bad = titan_bad_target(rel, res)) != NULL)
		answer(res, 59, "%s", bad);
	else if (tp.edit)
		titan_edit(env, rel, res);
	else if (tp.size == 0)
		titan_remove(env, r, rel, res);
	else
		titan_begin_upload(env, r, rel, tp.size, res);
}

long long
route_upload_left(const struct response *res)
{
	return res->upload != NULL ? titan_left(res->upload) : 0;
}

static void
upload_failed(struct response *res, int status, const char *why)
{
	titan_abort(res->upload);
	res->upload = NULL;
	res->body.kind = BODY_NONE;
	answer(res, status, "%s", why);
	snprintf(res->note, sizeof(res->note), "titan: %s, nothing written",
	    why);
}

int
route_upload_data(struct response *res, const void *data, size_t len)
{
	if (res->upload == NULL)
		return -1;
	if ((long long)len > titan_left(res->upload)) {
		upload_failed(res, 59, "body longer than its size");
		return -1;
	}
	if (titan_write(res->upload, data, len) == -1) {
		upload_failed(res, 40, errno == ENOSPC ? "no space left for "
		    "the upload" : "cannot write the upload");
		return -1;
	}
	return 0;
}

void
route_upload_finish(struct response *res)
{
	struct titan_upload	*up = res->upload;

	if (up == NULL)
		return;
	if (titan_left(up) != 0) {
		upload_failed(res, 59, "body shorter than its size");
		return;
	}
	res->upload = NULL;
	res->body.kind = BODY_NONE;
	if (titan_commit(up, res->body.footer.data, res->body.footer.len) == -1) {
		answer(res, 40, "cannot store the upload: %s", strerror(errno));
		snprintf(res->note, sizeof(res->note), "titan: %lld bytes not "
		    "stored, %s", (long long)res->body.size, res->who);
		return;
	}
	titan_tell_catalog(res->cat, res->target, 0);
	res->status = 30;
	snprintf(res->note, sizeof(res->note), "titan: %lld bytes written, %s",
	    (long long)res->body.size, res->who);
}

void
route_request(const struct route_env *env, const char *line, size_t len,
    struct response *res)
{
	struct request		 r;
	const struct segment	*segs;
	const char		*why;
	char			 rel[PATH_MAX_LEN + 1];
	size_t			 nsegs;
	enum path_verdict	 v;
	int			 idx, titan = 0;

	if (env->slow_down > 0) {
		answer(res, 44, "%d", env->slow_down);
		return;
	}
	switch (request_parse(line, len, &r, &why)) {
	case REQ_BAD:
		answer(res, 59, "%s", why);
		return;
	case REQ_PROXY:
		refuse_host(env, res, why);
		return;
	case REQ_TITAN:
		titan = 1;
		break;
	case REQ_OK:
		break;
	}
	if ((idx = choose_host(env, &r, res)) == -1)
		return;
	res->host = &env->cfg->hosts[idx];
	if ((res->snap = catalog_acquire(env->cats[idx])) == NULL) {
		answer(res, 41, "the capsule is not available right now");
		return;
	}
	if (titan) {
		if (snapshot_rootfd(res->snap) == -1)
			answer(res, 41, "the capsule is not available right "
			    "now");
		else
			route_titan(env, &r, res);
		return;
	}
	if ((v = path_normalise(r.path, r.path_len, rel)) == PATH_HIDDEN) {
		answer(res, 51, "not found");
		return;
	}
	if (v != PATH_OK) {
		answer(res, 59, "%s", path_verdict_str(v));
		return;
	}
	if (snapshot_rootfd(res->snap) == -1) {
		answer(res, 41, "the capsule is not available right now");
		return;
	}
	if (apply_rules(env, &r, rel, res))
		return;
	if (res->rules.fastcgi != NULL) {
		serve_fastcgi(env, line, len, &r, rel, res);
		return;
	}
	if (res->rules.proxy != NULL) {
		relay(&res->rules, line, len, res);
		return;
	}
	if (is_search(res->snap, rel)) {
		serve_search(&r, res);
		return;
	}
	if (snapshot_generated(res->snap, rel, &segs, &nsegs)) {
		if (strcmp(rel, "atom.xml") == 0)
			answer_mem(res, "application/atom+xml", NULL, segs,
			    nsegs);
		else
			answer_mem(res, "text/gemini", res->rules.lang, segs,
			    nsegs);
		return;
	}
	if (is_year_without_slash(res->snap, rel))
		redirect_slash(&r, res);
	else
		serve_path(env, &r, rel, res);
}
