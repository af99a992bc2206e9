/* fcgistream: one request to a FastCGI application, its answer relayed as a body stream (the I/O around src/fastcgi.c). */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netdb.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "buf.h"
#include "config.h"
#include "fastcgi.h"
#include "fcgistream.h"
#include "log.h"

#define FCGISTREAM_IN	16384	/* read from the application at once */
#define FCGISTREAM_ERRLOG	512	/* of its error stream, per line logged */

enum fcgistream_state {
	FS_CONNECTING, FS_SENDING, FS_HEADER, FS_BODY, FS_FAILED, FS_DONE
};

/* An application and how many requests it has open, over all workers. */
struct fcgistream_app {
	const struct fastcgi_app	*app;
	atomic_int			 open;
	int				 max;
	struct sockaddr_storage		 addr;
	socklen_t			 addrlen;
	char				 name[128];	/* for the log */
};

struct fcgistream_apps {
	struct fcgistream_app	*v;
	size_t			 n;
};

struct fcgistream {
	struct body_stream	 s;
	struct fcgistream_app	*app;
	enum fcgistream_state	 state;
	int			 fd;
	unsigned		 events;
	char			*req;		/* the request's records */
	size_t			 req_len, req_pos;
	struct fastcgi_decoder	 dec;
	struct fastcgi_head	 head;
	unsigned char		 in[FCGISTREAM_IN];
	size_t			 in_len, in_pos;
	const char		*slice;		/* output decoded, not yet given */
	size_t			 slice_len;
	char			 out[FASTCGI_HEADER_MAX + 64];	/* a header */
	size_t			 out_len, out_pos;
	int			 status;	/* once a header is out */
	const char		*note;
	char			 why[160];
};

/* ---- the applications, set up before serving ---- */

static int
fcgistream_resolve(struct fcgistream_app *a)
{
	const struct fastcgi_app	*app = a->app;
	struct sockaddr_un		*sun = (struct sockaddr_un *)&a->addr;
	struct addrinfo			 hints, *res;
	int				 rc;

	memset(&a->addr, 0, sizeof(a->addr));
	if (app->socket_path != NULL) {
		sun->sun_family = AF_UNIX;
		if (strlen(app->socket_path) >= sizeof(sun->sun_path))
			return -1;
		strcpy(sun->sun_path, app->socket_path);
		a->addrlen = sizeof(*sun);
		snprintf(a->name, sizeof(a->name), "%s", app->socket_path);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(app->tcp_host, app->tcp_port, &hints, &res)) !=
	    0) {
		log_error("fastcgi socket tcp %s %s: %s", app->tcp_host,
		    app->tcp_port, gai_strerror(rc));
		return -1;
	}
	memcpy(&a->addr, res->ai_addr, res->ai_addrlen);
	a->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	snprintf(a->name, sizeof(a->name), "%s:%s", app->tcp_host,
	    app->tcp_port);
	return 0;
}

static int
fcgistream_add(struct fcgistream_apps *apps, const struct rules *r)
{
	struct fcgistream_app	*a;

	if (r->fastcgi == NULL || (r->fastcgi->socket_path == NULL &&
	    r->fastcgi->tcp_host == NULL))
		return 0;
	a = &apps->v[apps->n];
	a->app = r->fastcgi;
	atomic_init(&a->open, 0);
	a->max = r->fastcgi->max_conns > 0 ? r->fastcgi->max_conns :
	    FASTCGI_MAX_CONNS;
	if (fcgistream_resolve(a) == -1)
		return -1;
	apps->n++;
	return 0;
}

struct fcgistream_apps *
fcgistream_apps_new(const struct config *cfg)
{
	struct fcgistream_apps	*apps;
	size_t			 h, l, max = 1;	/* never calloc(0) */

	for (h = 0; h < cfg->nhosts; h++)
		max += 1 + cfg->hosts[h].nlocations;
	if ((apps = calloc(1, sizeof(*apps))) == NULL ||
	    (apps->v = calloc(max, sizeof(*apps->v))) == NULL) {
		free(apps);
		return NULL;
	}
	for (h = 0; h < cfg->nhosts; h++) {
		const struct host *host = &cfg->hosts[h];
		if (fcgistream_add(apps, &host->r) == -1)
			goto fail;
		for (l = 0; l < host->nlocations; l++)
			if (fcgistream_add(apps, &host->locations[l].r) == -1)
				goto fail;
	}
	return apps;
fail:
	fcgistream_apps_free(apps);
	return NULL;
}

void
fcgistream_apps_free(struct fcgistream_apps *apps)
{
	if (apps == NULL)
		return;
	free(apps->v);
	free(apps);
}

static struct fcgistream_app *
fcgistream_find(struct fcgistream_apps *apps, const struct fastcgi_app *app)
{
	size_t	 i;

	for (i = 0; apps != NULL && i < apps->n; i++)
		if (apps->v[i].app == app)
			return &apps->v[i];
	return NULL;
}

/* ---- one request ---- */

/*
 * Before any header has gone, a failure is the client's 42 with the
 * reason, and a log line naming the application; after it, the answer
 * just ends short.  The socket stays open until the stream is freed:
 * the connection unregisters it from epoll first, and a number closed
 * earlier could meanwhile name another socket.
 */
static void
fcgistream_fail(struct fcgistream *f, const char *what, const char *detail)
{
	if (detail != NULL)
		snprintf(f->why, sizeof(f->why), "%s: %s", what, detail);
	else
		snprintf(f->why, sizeof(f->why), "%s", what);
	f->note = f->why;
	if (f->status == 0) {
		log_warn("fastcgi %s: %s", f->app->name, f->why);
		f->status = 42;
		f->out_len = (size_t)snprintf(f->out, sizeof(f->out),
		    "42 %s\r\n", f->why);
		f->out_pos = 0;
		f->state = FS_DONE;
		return;
	}
	f->state = FS_FAILED;
}

static void
fcgistream_connect(struct fcgistream *f)
{
	int	 err = 0;
	socklen_t len = sizeof(err);

	if (f->fd == -1) {
		f->fd = socket(f->app->addr.ss_family, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (f->fd == -1) {
			fcgistream_fail(f, "cannot open a socket",
			    strerror(errno));
			return;
		}
		if (connect(f->fd, (struct sockaddr *)&f->app->addr,
		    f->app->addrlen) == 0) {
			f->state = FS_SENDING;
			return;
		}
		err = errno;
	} else if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len) ==
	    -1)
		err = errno;
	if (err == 0) {
		f->state = FS_SENDING;
		return;
	}
	if (err == EINPROGRESS || err == EINTR) {
		f->events = EPOLLOUT;
		return;
	}
	if (err == EAGAIN)	/* a Unix socket's backlog is full */
		fcgistream_fail(f, "the application is busy", NULL);
	else
		fcgistream_fail(f, "the application is not available",
		    strerror(err));
}

static void
fcgistream_send(struct fcgistream *f)
{
	ssize_t	 n;

	while (f->req_pos < f->req_len) {
		n = send(f->fd, f->req + f->req_pos, f->req_len - f->req_pos,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			f->events = EPOLLOUT;
			return;
		}
		if (n == -1) {
			fcgistream_fail(f, "the application is not available",
			    strerror(errno));
			return;
		}
		f->req_pos += (size_t)n;
	}
	f->state = FS_HEADER;
}

/* Its error stream goes to the log, a line at a time, escaped there. */
static void
fcgistream_stderr(struct fcgistream *f, const char *p, size_t len)
{
	if (len > FCGISTREAM_ERRLOG)
		len = FCGISTREAM_ERRLOG;
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len > 0)
		log_warn("fastcgi %s: %.*s", f->app->name, (int)len, p);
}

/* Reads more from the application: 1, 0 when it must wait, -1 at EOF. */
static int
fcgistream_fill(struct fcgistream *f)
{
	ssize_t	 n;

	do
		n = read(f->fd, f->in, sizeof(f->in));
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN) {
		f->events = EPOLLIN;
		return 0;
	}
	if (n <= 0)
		return -1;
	f->in_len = (size_t)n;
	f->in_pos = 0;
	return 1;
}

/* The next slice of its output into f->slice: 1, 0 to wait, -1 ended. */
static int
fcgistream_decode(struct fcgistream *f)
{
	const char		*data;
	size_t			 used, len;
	enum fastcgi_event	 ev;
	int			 rc;

	for (;;) {
		if (f->in_pos == f->in_len) {
			if ((rc = fcgistream_fill(f)) == 0)
				return 0;
			if (rc == -1) {
				const char *why = fastcgi_decoder_eof(&f->dec);
				if (why != NULL)
					fcgistream_fail(f, why, NULL);
				else
					f->state = FS_DONE;
				return -1;
			}
		}
		ev = fastcgi_decode(&f->dec, f->in + f->in_pos, f->in_len -
		    f->in_pos, &used, &data, &len);
		f->in_pos += used;
		switch (ev) {
		case FASTCGI_MORE:
			break;
		case FASTCGI_STDOUT:
			f->slice = data;
			f->slice_len = len;
			return 1;
		case FASTCGI_STDERR:
			fcgistream_stderr(f, data, len);
			break;
		case FASTCGI_END:
			if (f->status == 0 && f->dec.protocol_status != 0)
				fcgistream_fail(f, "the application refused",
				    fastcgi_protocol_status_str(
				    f->dec.protocol_status));
			else if (f->status == 0)
				fcgistream_fail(f, "the application ended "
				    "without a header", NULL);
			else
				f->state = FS_DONE;
			return -1;
		case FASTCGI_ERROR:
			fcgistream_fail(f, "not FastCGI", f->dec.why);
			return -1;
		}
	}
}

/* Takes the header from the slice; once whole, it is given on. */
static void
fcgistream_header(struct fcgistream *f)
{
	size_t	 used;

	switch (fastcgi_head_feed(&f->head, f->slice, f->slice_len, &used)) {
	case FASTCGI_HEADER_MORE:
		f->slice_len = 0;
		return;
	case FASTCGI_HEADER_BAD:
		fcgistream_fail(f, "bad header from the application",
		    f->head.why);
		return;
	case FASTCGI_HEADER_OK:
		break;
	}
	f->slice += used;
	f->slice_len -= used;
	memcpy(f->out, f->head.buf, f->head.len);
	f->out_len = f->head.len;
	f->out_pos = 0;
	f->status = f->head.status;
	/* Only a 2x has a body. */
	f->state = f->status / 10 == 2 ? FS_BODY : FS_DONE;
}

static ssize_t
fcgistream_give(char *dst, size_t room, const char **src, size_t *len)
{
	size_t	 n = *len < room ? *len : room;

	memcpy(dst, *src, n);
	*src += n;
	*len -= n;
	return (ssize_t)n;
}

static ssize_t
fcgistream_read(struct body_stream *s, char *dst, size_t room)
{
	struct fcgistream	*f = (struct fcgistream *)s;
	const char		*p;
	size_t			 left;
	ssize_t			 n;

	for (;;) {
		if (f->out_pos < f->out_len) {
			p = f->out + f->out_pos;
			left = f->out_len - f->out_pos;
			n = fcgistream_give(dst, room, &p, &left);
			f->out_pos = f->out_len - left;
			return n;
		}
		if (f->slice_len > 0 && f->state == FS_BODY)
			return fcgistream_give(dst, room, &f->slice,
			    &f->slice_len);
		switch (f->state) {
		case FS_CONNECTING:
			fcgistream_connect(f);
			if (f->state == FS_CONNECTING)
				return BODY_STREAM_WAIT;
			break;
		case FS_SENDING:
			fcgistream_send(f);
			if (f->state == FS_SENDING)
				return BODY_STREAM_WAIT;
			break;
		case FS_HEADER:
		case FS_BODY:
			if (f->slice_len == 0 && fcgistream_decode(f) == 0)
				return BODY_STREAM_WAIT;
			if (f->state == FS_HEADER && f->slice_len > 0)
				fcgistream_header(f);
			break;
		case FS_FAILED:
			return -1;
		case FS_DONE:
			return 0;
		}
	}
}

static int
fcgistream_wait_fd(struct body_stream *s, unsigned *events)
{
	struct fcgistream	*f = (struct fcgistream *)s;

	*events = f->events;
	return f->fd;
}

static int
fcgistream_status(const struct body_stream *s)
{
	return ((const struct fcgistream *)s)->status;
}

static void
fcgistream_expire(struct body_stream *s)
{
	struct fcgistream	*f = (struct fcgistream *)s;

	fcgistream_fail(f, f->status == 0 ?
	    "no header from the application in time" :
	    "the application stalled", NULL);
}

static const char *
fcgistream_note(const struct body_stream *s)
{
	return ((const struct fcgistream *)s)->note;
}

static void
fcgistream_free(struct body_stream *s)
{
	struct fcgistream	*f = (struct fcgistream *)s;

	if (f->fd != -1)
		close(f->fd);
	atomic_fetch_sub(&f->app->open, 1);
	free(f->req);
	free(f);
}

static const struct body_stream_ops fcgistream_ops = {
	fcgistream_read, fcgistream_wait_fd, fcgistream_status,
	fcgistream_expire, fcgistream_note, fcgistream_free
};

struct body_stream *
fcgistream_new(struct fcgistream_apps *apps, const struct fastcgi_app *app,
    struct buf *records, const char **why)
{
	struct fcgistream_app	*a;
	struct fcgistream	*f;

	*why = NULL;
	if ((a = fcgistream_find(apps, app)) == NULL) {
		*why = "the application is not configured";
		return NULL;
	}
	if (atomic_fetch_add(&a->open, 1) >= a->max) {
		atomic_fetch_sub(&a->open, 1);
		*why = "the application is busy";
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		atomic_fetch_sub(&a->open, 1);
		*why = "out of memory";
		return NULL;
	}
	f->s.ops = &fcgistream_ops;
	f->app = a;
	f->fd = -1;
	f->state = FS_CONNECTING;
	fastcgi_decoder_init(&f->dec);
	fastcgi_head_init(&f->head);
	f->req = buf_steal(records, &f->req_len);
	if (f->req == NULL) {
		fcgistream_free(&f->s);
		*why = "out of memory";
		return NULL;
	}
	return &f->s;
}
