/* conn: one connection's state machine: PROXY header, ClientHello, handshake, request, answer, shutdown, linger. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "access.h"
#include "body.h"
#include "coalesce.h"
#include "conn.h"
#include "hello.h"
#include "log.h"
#include "proxyhdr.h"
#include "quota.h"
#include "request.h"
#include "route.h"
#include "server.h"
#include "titan.h"
#include "tls.h"
#include "worker.h"

#define STAGE_SIZE	65536	/* four full TLS records */
#define REQ_CAP		(REQUEST_MAX + 2)
#define SPARE_MAX	64	/* answers and request buffers kept for reuse */

enum conn_state {
	ST_PROXY, ST_HELLO, ST_HANDSHAKE, ST_READ, ST_UPLOAD, ST_WRITE,
	ST_SHUTDOWN, ST_LINGER
};

struct conn {
	struct handler		 h;		/* the client's socket */
	struct handler		 stream_h;	/* the answer's stream */
	struct timer		 timer;
	uint64_t		 accepted;
	struct timespec		 t0;
	int			 fd;
	SSL			*ssl;
	enum conn_state		 state;
	struct listener		*listener;
	struct sockaddr_storage	 local;
	int			 local_port;	/* the one the client connected to */
	char			 peer[LISTEN_ADDR_SIZE];
	char			 addr[LISTEN_ADDR_SIZE];
	int			 counted;	/* in the per-address limits */
	int			 slow_down;	/* answer 44 with this many seconds */
	char			*req;		/* REQ_CAP bytes, once it begins */
	size_t			 reqlen;
	size_t			 linelen;
	struct answer		*ans;		/* from respond() on */
	int			 header_sent;
	int			 body_done;
	struct body_cursor	 cursor;
	size_t			 out_len, out_pos;
	unsigned long long	 sent;
	const char		*note;
	int			 logged;
	int			 wants_write;	/* waits to send, not receive */
	int			 watch_out;	/* EPOLLOUT registered */
	int			 stream_fd;	/* registered with epoll, or -1 */
	unsigned		 stream_events;
	int			 peer_closed;	/* the client's FIN has come */
	int			 notified;	/* close_notify written */
	int			 closed;	/* freed after this wake-up */
	struct conn		*next_closed;
};

/*
 * What answering needs, kept apart from the connection so that an idle
 * connection does not carry it, and recycled per worker with its buffers.
 */
struct answer {
	struct response	 res;
	char		 out[STAGE_SIZE];	/* staged for SSL_write */
	char		 held[2 * COALESCE_SMALL];	/* small records */
	char		 who[ACCESS_FP_HEX_SIZE + 8];	/* "SHA256:...", or "" */
};

/*
 * Answers and request buffers are recycled: no allocation per request
 * once warm, and at most SPARE_MAX of each kept after a burst.
 */
struct conn_pool {
	struct answer	*answers[SPARE_MAX];
	size_t		 nanswers;
	char		*reqs[SPARE_MAX];
	size_t		 nreqs;
	struct conn	*closed;	/* to free once the wake-up is over */
};

static int	conn_advance(struct worker *, struct conn *);

struct conn_pool *
conn_pool_new(void)
{
	return calloc(1, sizeof(struct conn_pool));
}

static void
answer_free(struct answer *a)
{
	response_free(&a->res);
	free(a);
}

void
conn_reap(struct conn_pool *p)
{
	struct conn	*c;

	while ((c = p->closed) != NULL) {
		p->closed = c->next_closed;
		free(c);
	}
}

void
conn_pool_free(struct conn_pool *p)
{
	if (p == NULL)
		return;
	conn_reap(p);
	while (p->nanswers > 0)
		answer_free(p->answers[--p->nanswers]);
	while (p->nreqs > 0)
		free(p->reqs[--p->nreqs]);
	free(p);
}

static struct answer *
answer_get(struct conn_pool *p)
{
	struct answer	*a;

	if (p->nanswers > 0)
		return p->answers[--p->nanswers];
	if ((a = malloc(sizeof(*a))) != NULL)
		response_init(&a->res);
	return a;
}

static void
answer_put(struct conn_pool *p, struct answer *a)
{
	if (p->nanswers == SPARE_MAX) {
		answer_free(a);
		return;
	}
	response_clear(&a->res);
	p->answers[p->nanswers++] = a;
}

static char *
request_buffer_get(struct conn_pool *p)
{
	if (p->nreqs > 0)
		return p->reqs[--p->nreqs];
	return malloc(REQ_CAP);
}

static void
request_buffer_put(struct conn_pool *p, char *req)
{
	if (req == NULL)
		return;
	if (p->nreqs == SPARE_MAX)
		free(req);
	else
		p->reqs[p->nreqs++] = req;
}

static struct conn *
conn_of_timer(struct timer *t)
{
	return (struct conn *)(void *)((char *)t - offsetof(struct conn,
	    timer));
}

static struct conn *
conn_of_stream(struct handler *h)
{
	return (struct conn *)(void *)((char *)h - offsetof(struct conn,
	    stream_h));
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The status the client got: a stream's comes from its backend. */
static int
answered_status(const struct conn *c)
{
	const struct response	*r;

	if (c->ans == NULL)
		return 0;
	r = &c->ans->res;
	if (r->body.kind == BODY_STREAM && r->body.stream != NULL)
		return r->body.stream->ops->status(r->body.stream);
	return r->status;
}

/* Once per connection: when the answer is complete, or when it is cut short. */
static void
conn_log(struct conn *c)
{
	int	 status = answered_status(c);

	if (c->logged)
		return;
	c->logged = 1;
	if (c->linelen > 0 || status > 0 || c->note != NULL)
		log_access(c->peer, c->req != NULL ? c->req : "", c->linelen,
		    status, c->sent, elapsed_ms(&c->t0), c->note,
		    c->ans != NULL && c->ans->who[0] != '\0' ? c->ans->who :
		    NULL);
}

static void
conn_close(struct worker *w, struct conn *c)
{
	conn_log(c);
	timer_unlink(&w->timers, &c->timer);
	if (c->counted)
		quota_release(w->sh->quota, c->addr, timer_now());
	if (c->stream_fd != -1)
		(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->stream_fd, NULL);
	SSL_free(c->ssl);
	close(c->fd);
	if (c->ans != NULL)
		answer_put(w->pool, c->ans);
	request_buffer_put(w->pool, c->req);
	/*
	 * With a stream, the connection has two descriptors in epoll, and
	 * the wake-up that closes it may still hold an event for the other:
	 * it stays, marked closed, until the worker has handled them all.
	 */
	if (c->stream_fd != -1) {
		c->closed = 1;
		c->next_closed = w->pool->closed;
		w->pool->closed = c;
	} else
		free(c);
	worker_conn_closed(w);
}

/*
 * Waits for the socket: 0, or -1 if c was closed.  Connections are
 * registered for reading only, so that the client's acknowledgements do
 * not wake the worker; writing is watched from the first write that
 * would block, which a small answer never meets.
 */
static int
wait_socket(struct worker *w, struct conn *c, int for_write)
{
	struct epoll_event	 ev;

	c->wants_write = for_write;
	if (!for_write || c->watch_out)
		return 0;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = &c->h;
	if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
		log_syserr("epoll_ctl");
		conn_close(w, c);
		return -1;
	}
	c->watch_out = 1;
	return 0;
}

/*
 * Waits for the answer's stream (a backend) instead of the client: its
 * descriptor joins epoll for what the stream awaits.  Until its header
 * has come the request's deadline runs on; after it, the time between
 * two pieces is bounded like the time between two writes.
 * 0, or -1 if c was closed.
 */
static int
wait_stream(struct worker *w, struct conn *c)
{
	struct body		*b = &c->ans->res.body;
	struct epoll_event	 ev;
	unsigned		 events = 0;
	int			 fd = body_wait_fd(b, &events), op;

	if (fd == -1) {
		c->note = "stream lost";
		conn_close(w, c);
		return -1;
	}
	c->wants_write = 0;
	if (fd != c->stream_fd || events != c->stream_events) {
		if (c->stream_fd != -1 && fd != c->stream_fd)
			(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->stream_fd,
			    NULL);
		op = fd == c->stream_fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		/*
		 * Edge-triggered, since a stream waits only once a read or
		 * write met EAGAIN: a backend with more to say while the
		 * client is slow does not wake the worker again and again.
		 */
		ev.events = events | EPOLLET;
		ev.data.ptr = &c->stream_h;
		if (epoll_ctl(w->epfd, op, fd, &ev) == -1) {
			log_syserr("epoll_ctl");
			conn_close(w, c);
			return -1;
		}
		c->stream_fd = fd;
		c->stream_events = events;
	}
	if (b->stream->ops->status(b->stream) != 0)
		timer_set(&w->timers, &c->timer, T_WRITE, timer_now());
	else if (c->timer.cls != T_REQUEST)
		timer_set(&w->timers, &c->timer, T_REQUEST, timer_now());
	return 0;
}

/* 0 while lingering, -1 when c was closed. */
static int
start_linger(struct worker *w, struct conn *c)
{
	conn_log(c);
	c->state = ST_LINGER;
	if (shutdown(c->fd, SHUT_WR) == -1) {
		conn_close(w, c);
		return -1;
	}
	timer_set(&w->timers, &c->timer, T_LINGER, timer_now());
	return wait_socket(w, c, 0);
}

/*
 * Fills the staging buffer: the header, then the body.  A stream writes
 * its own header.  BODY_WAIT when a stream has nothing yet.
 */
static enum body_fill
refill(struct conn *c)
{
	struct response	*r = &c->ans->res;
	enum body_fill	 got = BODY_FILLED;
	size_t		 n;
	int		 len;

	c->out_len = c->out_pos = 0;
	if (!c->header_sent && r->body.kind != BODY_STREAM) {
		len = snprintf(c->ans->out, STAGE_SIZE, "%d %s\r\n",
		    r->status, r->meta);
		c->out_len = len > 0 && len < STAGE_SIZE ? (size_t)len : 0;
		c->body_done = r->status / 10 != 2;
	}
	c->header_sent = 1;
	while (!c->body_done && c->out_len < STAGE_SIZE) {
		got = body_fill(&r->body, &c->cursor, c->ans->out + c->out_len,
		    STAGE_SIZE - c->out_len, &n, &c->note);
		c->out_len += n;
		if (got == BODY_END)
			c->body_done = 1;
		if (got != BODY_FILLED)
			break;
	}
	return got;
}

/*
 * A client that presents a certificate is named in the access log by its
 * public key's SHA-256, the form an allow list takes, so that an owner
 * can copy it from a 61 into the list.
 */
static void
note_identity(X509 *peer, char *out, size_t outsz)
{
	unsigned char	 cert[ACCESS_FP_LEN], spki[ACCESS_FP_LEN];

	out[0] = '\0';
	if (peer == NULL || access_fingerprints(peer, cert, spki) == -1)
		return;
	memcpy(out, "SHA256:", 8);
	access_format_fingerprint(spki, out + 7, outsz - 7);
}

/* Starts writing the answer that was decided: 1. */
static int
start_answer(struct worker *w, struct conn *c)
{
	struct response	*res = &c->ans->res;

	/*
	 * Idle connections give their TLS buffers back (the context sets
	 * SSL_MODE_RELEASE_BUFFERS); while answering, freeing and allocating
	 * them around every record would cost more than the answer.
	 */
	SSL_clear_mode(c->ssl, SSL_MODE_RELEASE_BUFFERS);
	tls_ticket_with_answer(c->ssl);
	/*
	 * Ticket, a small answer and close_notify are held back and leave in
	 * one send(), and with the FIN of start_linger's shutdown(): one TCP
	 * segment instead of four.  A stream's pieces go as they come.
	 */
	if (res->body.kind != BODY_STREAM)
		coalesce_hold(SSL_get_wbio(c->ssl), c->ans->held,
		    sizeof(c->ans->held));
	if (res->note[0] != '\0')
		c->note = res->note;
	c->state = ST_WRITE;
	/* A stream's backend has until the request's deadline for its header. */
	if (res->body.kind != BODY_STREAM)
		timer_set(&w->timers, &c->timer, T_WRITE, timer_now());
	return 1;
}

/*
 * A Titan upload (route_upload_*): its body is read into the temporary
 * file before any answer, under the request timeout renewed by every read
 * that brings bytes and the connection's lifetime; the bytes that came
 * after the request line's CRLF are its beginning.  A body cut short or
 * stalled closes the connection, and the answer's clearing removes the
 * temporary file: the page stays as it was.
 */
static int
start_upload(struct worker *w, struct conn *c)
{
	struct response	*res = &c->ans->res;
	size_t		 start = c->linelen + 2;

	if (c->reqlen > start &&
	    route_upload_data(res, c->req + start, c->reqlen - start) == -1) {
		c->linelen = titan_redact(c->req, c->linelen);
		return start_answer(w, c);
	}
	c->linelen = titan_redact(c->req, c->linelen);
	c->state = ST_UPLOAD;
	timer_set(&w->timers, &c->timer, T_REQUEST, timer_now());
	return 1;
}

static const char	*ssl_failure(SSL *, int, char *, size_t);

static int
step_upload(struct worker *w, struct conn *c)
{
	static _Thread_local char	 why[300];
	struct response			*res = &c->ans->res;
	char				 err[256];
	int				 n, e, want;

	for (;;) {
		/* One byte more than expected shows a body that is too long. */
		want = route_upload_left(res) < STAGE_SIZE - 1 ?
		    (int)route_upload_left(res) + 1 : STAGE_SIZE;
		n = SSL_read(c->ssl, c->ans->out, want);
		if (n <= 0)
			break;
		if (route_upload_data(res, c->ans->out, (size_t)n) == -1)
			return start_answer(w, c);
		if (timer_now() - c->accepted >
		    (uint64_t)atomic_load(&w->sh->lifetime_ms)) {
			c->note = "connection lifetime exceeded during an upload";
			conn_close(w, c);
			return -1;
		}
		timer_set(&w->timers, &c->timer, T_REQUEST, timer_now());
	}
	e = SSL_get_error(c->ssl, n);
	if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) &&
	    route_upload_left(res) > 0)
		return wait_socket(w, c, e == SSL_ERROR_WANT_WRITE);
	if (route_upload_left(res) == 0) {
		/* Whole: a client that closed after it still gets the answer. */
		ERR_clear_error();
		route_upload_finish(res);
		return start_answer(w, c);
	}
	snprintf(why, sizeof(why), "titan: body cut short with %lld bytes "
	    "to come, nothing written: %s", route_upload_left(res),
	    ssl_failure(c->ssl, n, err, sizeof(err)));
	c->note = why;
	conn_close(w, c);
	return -1;
}

/* Decides the answer and starts writing it: 1, or -1 if c was closed. */
static int
respond(struct worker *w, struct conn *c, size_t linelen)
{
	struct route_env	 env = {
		.cfg = w->sh->cfg, .cats = w->sh->cats, .mime = w->mime,
		.files = w->files,
		.local = (struct sockaddr *)&c->local,
		.local_port = c->local_port,
		.sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name),
		.sni_host = server_sni_host(c->ssl),
		.slow_down = c->slow_down,
		.peer = SSL_get0_peer_certificate(c->ssl),
		.remote_addr = c->addr,
		.tls_version = SSL_get_version(c->ssl),
		.tls_cipher = SSL_get_cipher_name(c->ssl),
		.software = "almanac/" ALMANAC_VERSION,
		.fastcgi = w->sh->fastcgi
	};
	struct response		*res;
	BIO			*wbio;

	c->linelen = linelen;
	/*
	 * The answer's buffers and the coalescing BIO come now, not with
	 * the connection: an idle connection does not carry them.
	 */
	if ((c->ans = answer_get(w->pool)) == NULL ||
	    (wbio = coalesce_bio(c->fd)) == NULL) {
		c->note = "out of memory";
		conn_close(w, c);
		return -1;
	}
	SSL_set0_wbio(c->ssl, wbio);
	note_identity(env.peer, c->ans->who, sizeof(c->ans->who));
	res = &c->ans->res;
	route_request(&env, c->req, linelen, res);
	if (res->body.kind == BODY_UPLOAD)
		return start_upload(w, c);
	c->linelen = titan_redact(c->req, linelen);
	return start_answer(w, c);
}

static const char *
ssl_failure(SSL *ssl, int rc, char *buf, size_t bufsz)
{
	int	 e = SSL_get_error(ssl, rc);

	if (e == SSL_ERROR_SSL) {
		tls_error_string(buf, bufsz);
		return buf;
	}
	ERR_clear_error();
	if (e == SSL_ERROR_ZERO_RETURN)
		return "client closed";
	if (e == SSL_ERROR_SYSCALL)
		return errno ? strerror(errno) : "client went away";
	return "TLS error";
}

/*
 * No TLS state is allocated until the client's whole ClientHello has
 * arrived, however it is cut into records: a client trickling it (slowloris)
 * costs a socket and this small struct, nothing more.  The bytes are only
 * peeked at, so that OpenSSL reads them itself afterwards; the peek buffer
 * is on the stack, not in the connection.
 * Returns 1 to go on, 0 when waiting for the socket, -1 when closed.
 */
static int
step_hello(struct worker *w, struct conn *c)
{
	unsigned char		 peek[HELLO_PEEK];
	ssize_t			 n;
	enum hello		 got;

	n = recv(c->fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == 0 || n == -1) {
		c->note = "closed before the handshake";
		conn_close(w, c);
		return -1;
	}
	got = hello_scan(peek, (size_t)n);
	if (got == HELLO_PARTIAL) {
		if ((size_t)n == sizeof(peek))
			c->note = "ClientHello in too many records";
		else if (c->peer_closed)
			/*
			 * Its FIN has come: the rest never will, and the
			 * connection would hold its slot until the timeout.
			 */
			c->note = "closed before the handshake";
		else
			return 0;
	} else if (got != HELLO_WHOLE)
		c->note = hello_verdict_str(got);
	if (got != HELLO_WHOLE) {
		conn_close(w, c);
		return -1;
	}
	c->ssl = worker_ssl_new(w);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		ERR_clear_error();
		c->note = "out of memory";
		conn_close(w, c);
		return -1;
	}
	c->state = ST_HANDSHAKE;
	return 1;
}

static int
step_handshake(struct worker *w, struct conn *c)
{
	static _Thread_local char	 why[300];
	char				 err[256];
	int				 rc = SSL_accept(c->ssl), e;

	if (rc == 1) {
		c->state = ST_READ;
		return 1;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return wait_socket(w, c, e == SSL_ERROR_WANT_WRITE);
	snprintf(why, sizeof(why), "handshake failed: %s",
	    ssl_failure(c->ssl, rc, err, sizeof(err)));
	c->note = why;
	conn_close(w, c);
	return -1;
}

/*
 * The client has sent its Finished, or part of its request, and waits.  A
 * client that leaves Nagle's algorithm on holds the rest back until that is
 * acknowledged, and the server, with nothing to send (the session ticket
 * waits for the answer), would delay the acknowledgement: send it now.  A
 * client whose request came with its Finished never gets here.
 */
static void
ack_now(struct conn *c)
{
	int	 one = 1;

	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/*
 * The request is read into a buffer on the stack first, so that a
 * connection holds a request buffer only once the request has begun:
 * thousands of idle connections do not each keep 1 KiB.
 */
static int
step_read(struct worker *w, struct conn *c)
{
	static _Thread_local char	 why[300];
	char				 err[256], chunk[REQ_CAP], *crlf;
	int				 n, e;

	n = SSL_read(c->ssl, chunk, (int)(REQ_CAP - c->reqlen));
	if (n <= 0) {
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			ack_now(c);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return wait_socket(w, c, e == SSL_ERROR_WANT_WRITE);
		snprintf(why, sizeof(why), "no request: %s",
		    ssl_failure(c->ssl, n, err, sizeof(err)));
		c->note = why;
		c->linelen = c->req != NULL ? titan_redact(c->req, c->reqlen) :
		    0;
		conn_close(w, c);
		return -1;
	}
	if (c->req == NULL && (c->req = request_buffer_get(w->pool)) == NULL) {
		c->note = "out of memory";
		conn_close(w, c);
		return -1;
	}
	memcpy(c->req + c->reqlen, chunk, (size_t)n);
	c->reqlen += (size_t)n;
	crlf = memmem(c->req, c->reqlen, "\r\n", 2);
	if (crlf != NULL)
		return respond(w, c, (size_t)(crlf - c->req));
	if (c->reqlen == REQ_CAP)
		return respond(w, c, REQ_CAP);
	return 1;
}

static int
step_write(struct worker *w, struct conn *c)
{
	enum body_fill	 got;
	int		 n, e;

	if (c->out_pos == c->out_len) {
		got = refill(c);
		if (got == BODY_FAILED) {
			conn_close(w, c);
			return -1;
		}
		if (c->out_len == 0) {
			if (got == BODY_WAIT)
				return wait_stream(w, c);
			c->state = ST_SHUTDOWN;
			return 1;
		}
	}
	n = SSL_write(c->ssl, c->ans->out + c->out_pos, (int)(c->out_len -
	    c->out_pos));
	if (n > 0) {
		c->out_pos += (size_t)n;
		c->sent += (unsigned long long)n;
		if (timer_now() - c->accepted >
		    (uint64_t)atomic_load(&w->sh->lifetime_ms)) {
			c->note = "connection lifetime exceeded";
			conn_close(w, c);
			return -1;
		}
		timer_set(&w->timers, &c->timer, T_WRITE, timer_now());
		return 1;
	}
	e = SSL_get_error(c->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return wait_socket(w, c, e == SSL_ERROR_WANT_WRITE);
	ERR_clear_error();
	c->note = "client went away";
	conn_close(w, c);
	return -1;
}

/*
 * Writes close_notify, then sends what was held back; the peer's own
 * close_notify is not waited for.
 */
static int
step_shutdown(struct worker *w, struct conn *c)
{
	int	 rc, e;

	if (!c->notified) {
		if ((rc = SSL_shutdown(c->ssl)) < 0) {
			e = SSL_get_error(c->ssl, rc);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				return wait_socket(w, c,
				    e == SSL_ERROR_WANT_WRITE);
			ERR_clear_error();
			conn_close(w, c);
			return -1;
		}
		c->notified = 1;
	}
	switch (coalesce_flush(SSL_get_wbio(c->ssl))) {
	case 1:
		return start_linger(w, c);
	case 0:
		return wait_socket(w, c, 1);
	default:
		c->note = "client went away";
		conn_close(w, c);
		return -1;
	}
}

/*
 * After close_notify, whatever the client still sends is read and dropped
 * until it closes: closing with unread data would send a TCP reset that
 * can destroy the end of the answer before the client has read it.
 */
static int
step_linger(struct worker *w, struct conn *c)
{
	char	 junk[4096];
	ssize_t	 n;

	/*
	 * Once the FIN has come nothing more can arrive, so a short read
	 * has emptied the socket: no second read to see the end.
	 */
	while ((n = read(c->fd, junk, sizeof(junk))) > 0)
		if (c->peer_closed && (size_t)n < sizeof(junk))
			break;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	conn_close(w, c);
	return -1;
}

static int	step_proxy(struct worker *, struct conn *);

/* 0 when it waits, -1 when it was closed. */
static int
conn_advance(struct worker *w, struct conn *c)
{
	int	 rc;

	do {
		switch (c->state) {
		case ST_PROXY:
			rc = step_proxy(w, c);
			break;
		case ST_HELLO:
			rc = step_hello(w, c);
			break;
		case ST_HANDSHAKE:
			rc = step_handshake(w, c);
			break;
		case ST_READ:
			rc = step_read(w, c);
			break;
		case ST_UPLOAD:
			rc = step_upload(w, c);
			break;
		case ST_WRITE:
			rc = step_write(w, c);
			break;
		case ST_SHUTDOWN:
			rc = step_shutdown(w, c);
			break;
		case ST_LINGER:
		default:
			rc = step_linger(w, c);
			break;
		}
	} while (rc == 1);
	return rc;
}

/* Waiting for its stream, not for the client. */
static int
waits_stream(const struct conn *c)
{
	return c->state == ST_WRITE && c->stream_fd != -1 &&
	    c->out_pos == c->out_len;
}

/*
 * Once a connection watches writing too, it is also woken when it waits
 * for the client to send and the client acknowledges data, or the other
 * way round: such a wake-up would only meet EAGAIN and is skipped.  While
 * it waits for its stream, the client's socket matters only if it fails.
 */
void
conn_event(struct worker *w, struct handler *h, uint32_t events)
{
	struct conn	*c;
	uint32_t	 awaited;

	if (h->kind == H_STREAM) {
		c = conn_of_stream(h);
		if (!c->closed && waits_stream(c))
			(void)conn_advance(w, c);
		return;
	}
	c = (struct conn *)(void *)h;
	if (c->closed)
		return;
	if (events & (EPOLLRDHUP | EPOLLHUP))
		c->peer_closed = 1;
	if (waits_stream(c)) {
		if (events & (EPOLLHUP | EPOLLERR)) {
			c->note = "client went away";
			conn_close(w, c);
		}
		return;
	}
	awaited = c->wants_write ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
	if (!(events & (awaited | EPOLLHUP | EPOLLERR)))
		return;
	(void)conn_advance(w, c);
}

/*
 * A stream past its deadline is told so and goes on to its end (an
 * error header of its own if none went yet); anything else closes.
 */
void
conn_expire(struct worker *w, struct timer *t)
{
	static const char	*why[T_COUNT] = {
		"request timeout", "slowed down", "write timeout", NULL
	};
	struct conn		*c = conn_of_timer(t);
	struct body		*b;

	if (waits_stream(c)) {
		b = &c->ans->res.body;
		b->stream->ops->expire(b->stream);
		timer_set(&w->timers, &c->timer, T_WRITE, timer_now());
		(void)conn_advance(w, c);
		return;
	}
	c->note = why[t->cls];
	if (t->cls == T_REQUEST && c->state == ST_UPLOAD)
		c->note = "titan: body stalled past the request timeout, "
		    "nothing written";
	else if (t->cls == T_REQUEST && c->req != NULL)
		c->linelen = titan_redact(c->req, c->reqlen);
	conn_close(w, c);
}

void
conn_stop(struct worker *w, struct timer *t)
{
	struct conn	*c = conn_of_timer(t);

	c->note = "server stopping";
	conn_close(w, c);
}

/*
 * Over the limits, a client still gets a TLS handshake and a "44 N"
 * (slow down) rather than a silent close, under a short deadline.
 */
static void
admit(struct worker *w, struct conn *c)
{
	struct worker_shared	*sh = w->sh;
	int			 wait;

	if (atomic_load(&sh->nconns) > atomic_load(&sh->max_conns))
		wait = 5;
	else
		wait = quota_admit(sh->quota, c->addr, c->accepted,
		    &c->counted);
	if (wait == 0) {
		timer_set(&w->timers, &c->timer, T_REQUEST, c->accepted);
		return;
	}
	c->slow_down = wait;
	timer_set(&w->timers, &c->timer, T_REFUSED, c->accepted);
}

/*
 * The PROXY header a balancer sends first (src/proxyhdr.c): peeked until
 * whole, so that no TLS state is held meanwhile, then taken from the
 * socket exactly; the ClientHello after it is the client's.  A listener
 * that expects one closes a connection without it.
 */
static int
step_proxy(struct worker *w, struct conn *c)
{
	unsigned char	 peek[PROXYHDR_MAX];
	struct proxyhdr	 h;
	const char	*why;
	ssize_t		 n;

	n = recv(c->fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		c->note = "closed before the PROXY header";
		conn_close(w, c);
		return -1;
	}
	switch (proxyhdr_parse(peek, (size_t)n, &h, &why)) {
	case PROXYHDR_NEED_MORE:
		if (!c->peer_closed)
			return 0;
		c->note = "closed in the PROXY header";
		conn_close(w, c);
		return -1;
	case PROXYHDR_BAD:
		c->note = why;
		conn_close(w, c);
		return -1;
	case PROXYHDR_OK:
		break;
	}
	if (recv(c->fd, peek, h.len, MSG_DONTWAIT) != (ssize_t)h.len) {
		c->note = "PROXY header lost";
		conn_close(w, c);
		return -1;
	}
	if (!h.local) {
		listen_format(&h.src, c->peer, sizeof(c->peer), c->addr,
		    sizeof(c->addr));
		c->local = h.dst;
		c->local_port = listen_port_of(&h.dst);
	}
	c->state = ST_HELLO;
	admit(w, c);
	return 1;
}

void
conn_new(struct worker *w, struct listener *l, int fd,
    const struct sockaddr_storage *peer)
{
	struct epoll_event	 ev;
	struct conn		*c;
	socklen_t		 len = sizeof(c->local);

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->h.kind = H_CONN;
	c->stream_h.kind = H_STREAM;
	c->stream_fd = -1;
	c->fd = fd;
	c->listener = l;
	c->accepted = timer_now();
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	listen_format(peer, c->peer, sizeof(c->peer), c->addr, sizeof(c->addr));
	if (l->wildcard)
		getsockname(fd, (struct sockaddr *)&c->local, &len);
	else
		c->local = l->addr;
	c->local_port = l->port;
	worker_conn_opened(w);
	/*
	 * Behind a balancer, the address the limits count is the one the
	 * PROXY header names: admission waits for it, under the request
	 * timeout, like a ClientHello.
	 */
	if (l->proxy) {
		c->state = ST_PROXY;
		timer_set(&w->timers, &c->timer, T_REQUEST, c->accepted);
	} else {
		c->state = ST_HELLO;
		admit(w, c);
	}
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = &c->h;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_syserr("epoll_ctl");
		conn_close(w, c);
		return;
	}
	(void)conn_advance(w, c);
}
