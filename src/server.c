/* server: listeners, one epoll event loop per worker thread, and the connection state machine. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "access.h"
#include "catalog.h"
#include "coalesce.h"
#include "config.h"
#include "filecache.h"
#include "log.h"
#include "mime.h"
#include "options.h"
#include "proxyhdr.h"
#include "quota.h"
#include "request.h"
#include "route.h"
#include "server.h"
#include "titan.h"
#include "tls.h"

#define MAX_WORKERS	64
#define MAX_SOCKETS	64
#define STAGE_SIZE	65536	/* four full TLS records */
#define LINGER_MS	2000
#define ACCEPT_BATCH	64
#define REQ_CAP		(REQUEST_MAX + 2)
#define REFUSED_MS	2000	/* deadline of a connection answered 44 */
#define TLS_HANDSHAKE	22	/* record type of a ClientHello */
#define TLS_CLIENT_HELLO	1	/* its handshake message type */
#define HELLO_MAX	16384	/* the largest ClientHello taken, in bytes */
#define HELLO_PEEK	32768	/* bound on the records that carry it */
#define EMFILE_PAUSE_MS	50	/* listeners rest when out of descriptors */
#define TLS_RECORD_MAX	(16384 + 2048)
#define SPARE_MAX	64	/* answers and request buffers kept for reuse */
#define TRIM_AFTER	1024	/* closed before memory is given back */

enum handler_kind { H_LISTENER, H_WAKE, H_CONN };

/* The first member of everything registered with epoll. */
struct handler {
	enum handler_kind	 kind;
};

struct listener {
	struct handler		 h;
	int			 fd;
	int			 port;
	struct sockaddr_storage	 addr;	/* the bound address */
	int			 wildcard;
	int			 proxy;	/* a PROXY header comes first */
};

enum conn_state {
	ST_PROXY, ST_HELLO, ST_HANDSHAKE, ST_READ, ST_UPLOAD, ST_WRITE,
	ST_SHUTDOWN, ST_LINGER
};
enum timer_class { T_REQUEST, T_REFUSED, T_WRITE, T_LINGER, T_COUNT };
enum phase { P_HEADER, P_BODY, P_FOOTER, P_DONE };

struct conn {
	struct handler		 h;
	struct conn		*prev, *next;	/* in its timer list */
	enum timer_class	 timer;
	uint64_t		 timer_since;	/* when its timer was set */
	uint64_t		 accepted;
	struct timespec		 t0;
	int			 fd;
	SSL			*ssl;
	enum conn_state		 state;
	struct listener		*listener;
	struct sockaddr_storage	 local;
	int			 local_port;	/* the one the client connected to */
	char			 peer[INET6_ADDRSTRLEN + 8];
	char			 addr[INET6_ADDRSTRLEN];
	int			 counted;	/* in the per-address limits */
	int			 slow_down;	/* answer 44 with this many seconds */
	char			*req;		/* REQ_CAP bytes, once it begins */
	size_t			 reqlen;
	size_t			 linelen;
	struct answer		*ans;		/* from respond() on */
	enum phase		 phase;
	size_t			 seg;		/* segment being sent */
	size_t			 body_pos;	/* within it */
	off_t			 file_pos;
	size_t			 footer_pos;
	size_t			 out_len, out_pos;
	unsigned long long	 sent;
	const char		*note;
	int			 logged;
	int			 wants_write;	/* waits to send, not receive */
	int			 watch_out;	/* EPOLLOUT registered */
	int			 peer_closed;	/* the client's FIN has come */
	int			 notified;	/* close_notify written */
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

struct timer_list {
	struct conn	*head, *tail;
};

struct worker {
	struct server		*srv;
	pthread_t		 thread;
	int			 epfd;
	struct handler		 wake;
	int			 wakefd;
	struct listener		 listeners[MAX_SOCKETS];
	size_t			 nlisteners;
	struct timer_list	 timers[T_COUNT];
	size_t			 nconns;
	size_t			 peak;		/* most nconns since trimming */
	struct mime		*mime;
	struct filecache	*files;		/* small settled files */
	struct answer		*spare[SPARE_MAX];	/* recycled answers */
	size_t			 nspare;
	char			*spare_req[SPARE_MAX];	/* request buffers */
	size_t			 nspare_req;
	int			 spare_fd;	/* given up when accept hits EMFILE */
	uint64_t		 paused_until;	/* listeners off until then, or 0 */
};

struct server {
	const struct config	*cfg;
	pthread_mutex_t		 ctx_lock;	/* guards ctxs */
	SSL_CTX			*ctxs[MAX_HOSTS];
	struct catalog		*cats[MAX_HOSTS];
	struct quota		*quota;
	atomic_int		 nconns;	/* over all workers */
	atomic_llong		 last_emfile_log;
	/* Copied from cfg, and changed by SIGHUP while the workers run. */
	atomic_int		 request_timeout_ms;
	atomic_int		 write_timeout_ms;
	atomic_int		 lifetime_ms;
	atomic_int		 max_conns;
	struct worker		 workers[MAX_WORKERS];
	int			 nworkers;
	int			 started;
	atomic_int		 stopping;
	int			 grace_ms;
};

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Timers: one list per class, in the order they were set.  A connection
 * keeps when its timer was set, not its deadline, which comes from the
 * class's duration as it is now: all the members of a class share one
 * duration, so each list stays sorted by deadline, and a timeout changed
 * by SIGHUP applies at once to the connections already waiting.
 */

static uint64_t
timer_duration(struct worker *w, enum timer_class t)
{
	if (t == T_REQUEST)
		return (uint64_t)atomic_load(&w->srv->request_timeout_ms);
	if (t == T_WRITE)
		return (uint64_t)atomic_load(&w->srv->write_timeout_ms);
	if (t == T_REFUSED)
		return REFUSED_MS;
	return LINGER_MS;
}

static uint64_t
timer_deadline(struct worker *w, const struct conn *c)
{
	return c->timer_since + timer_duration(w, c->timer);
}

static void
timer_unlink(struct worker *w, struct conn *c)
{
	struct timer_list	*l = &w->timers[c->timer];

	if (c->prev == NULL && l->head != c)
		return;		/* not in a list yet */
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
timer_set(struct worker *w, struct conn *c, enum timer_class t,
    uint64_t since)
{
	struct timer_list	*l = &w->timers[t];

	timer_unlink(w, c);
	c->timer = t;
	c->timer_since = since;
	c->prev = l->tail;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static int
next_timeout(struct worker *w)
{
	uint64_t	 now = now_ms(), first = UINT64_MAX, at;
	int		 t;

	for (t = 0; t < T_COUNT; t++) {
		if (w->timers[t].head == NULL)
			continue;
		if ((at = timer_deadline(w, w->timers[t].head)) < first)
			first = at;
	}
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

/*
 * Answers and request buffers are recycled: no allocation per request
 * once warm, and at most SPARE_MAX of each kept after a burst.
 */

static struct answer *
answer_get(struct worker *w)
{
	struct answer	*a;

	if (w->nspare > 0)
		return w->spare[--w->nspare];
	if ((a = malloc(sizeof(*a))) != NULL)
		response_init(&a->res);
	return a;
}

static void
answer_free(struct answer *a)
{
	response_clear(&a->res);
	buf_free(&a->res.owned);
	buf_free(&a->res.footer);
	free(a);
}

static void
answer_put(struct worker *w, struct answer *a)
{
	if (w->nspare == SPARE_MAX) {
		answer_free(a);
		return;
	}
	response_clear(&a->res);
	w->spare[w->nspare++] = a;
}

static char *
request_buffer_get(struct worker *w)
{
	if (w->nspare_req > 0)
		return w->spare_req[--w->nspare_req];
	return malloc(REQ_CAP);
}

static void
request_buffer_put(struct worker *w, char *req)
{
	if (req == NULL)
		return;
	if (w->nspare_req == SPARE_MAX)
		free(req);
	else
		w->spare_req[w->nspare_req++] = req;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Once per connection: when the answer is complete, or when it is cut short. */
static void
conn_log(struct conn *c)
{
	int	 status = c->ans != NULL ? c->ans->res.status : 0;

	if (c->logged)
		return;
	c->logged = 1;
	if (c->linelen > 0 || status > 0 || c->note != NULL)
		log_access(c->peer, c->req != NULL ? c->req : "", c->linelen,
		    status, c->sent, elapsed_ms(&c->t0), c->note,
		    c->ans != NULL && c->ans->who[0] != '\0' ? c->ans->who :
		    NULL);
}

/*
 * glibc keeps what is freed for later, so a flood of connections (a
 * slowloris attack) would leave the process large after it has gone:
 * once most of the connections counted at the peak have closed, and at
 * least TRIM_AFTER of them, the free memory is given back.
 */
static void
trim_after_flood(struct worker *w)
{
	if (w->peak - w->nconns < TRIM_AFTER || w->nconns > w->peak / 4)
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	w->peak = w->nconns;
}

static void
conn_close(struct worker *w, struct conn *c)
{
	conn_log(c);
	timer_unlink(w, c);
	if (c->counted)
		quota_release(w->srv->quota, c->addr, now_ms());
	atomic_fetch_sub(&w->srv->nconns, 1);
	SSL_free(c->ssl);
	close(c->fd);
	if (c->ans != NULL)
		answer_put(w, c->ans);
	request_buffer_put(w, c->req);
	free(c);
	w->nconns--;
	trim_after_flood(w);
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
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
		log_syserr("epoll_ctl");
		conn_close(w, c);
		return -1;
	}
	c->watch_out = 1;
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
	timer_set(w, c, T_LINGER, now_ms());
	return wait_socket(w, c, 0);
}

/* Fills the staging buffer from header, body and footer in that order. */
static int
refill(struct conn *c)
{
	struct response	*r = &c->ans->res;
	size_t		 n;
	ssize_t		 got;

	c->out_len = c->out_pos = 0;
	while (c->phase != P_DONE && c->out_len < STAGE_SIZE) {
		char	*dst = c->ans->out + c->out_len;
		size_t	 room = STAGE_SIZE - c->out_len;

		switch (c->phase) {
		case P_HEADER:
			n = (size_t)snprintf(dst, room, "%d %s\r\n", r->status,
			    r->meta);
			c->out_len += n < room ? n : room - 1;
			c->phase = r->status / 10 == 2 ? P_BODY : P_DONE;
			break;
		case P_BODY:
			if (r->body == BODY_MEM) {
				if (c->seg == r->nsegs) {
					c->phase = P_FOOTER;
					break;
				}
				n = r->segs[c->seg].len - c->body_pos;
				n = n < room ? n : room;
				memcpy(dst, r->segs[c->seg].data + c->body_pos,
				    n);
				c->body_pos += n;
				c->out_len += n;
				if (c->body_pos == r->segs[c->seg].len) {
					c->seg++;
					c->body_pos = 0;
				}
				break;
			}
			if (r->body != BODY_FILE) {
				c->phase = P_FOOTER;
				break;
			}
			/*
			 * The size seen at open spares the read that would only
			 * find the end; a file that shrank ends early anyway.
			 */
			if (c->file_pos >= r->size) {
				c->phase = P_FOOTER;
				break;
			}
			got = pread(r->fd, dst, room, c->file_pos);
			if (got == -1 && errno == EINTR)
				break;
			if (got == -1) {
				c->note = "file read failed";
				return -1;
			}
			if (got == 0)	/* EOF, or truncated while sent */
				c->phase = P_FOOTER;
			c->file_pos += got;
			c->out_len += (size_t)got;
			break;
		case P_FOOTER:
			n = r->footer.len - c->footer_pos;
			n = n < room ? n : room;
			if (n > 0)
				memcpy(dst, r->footer.data + c->footer_pos, n);
			c->footer_pos += n;
			c->out_len += n;
			if (c->footer_pos == r->footer.len)
				c->phase = P_DONE;
			break;
		case P_DONE:
			break;
		}
	}
	return 0;
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
	 * segment instead of four.
	 */
	coalesce_hold(SSL_get_wbio(c->ssl), c->ans->held,
	    sizeof(c->ans->held));
	if (c->ans->res.note[0] != '\0')
		c->note = c->ans->res.note;
	c->state = ST_WRITE;
	c->phase = P_HEADER;
	timer_set(w, c, T_WRITE, now_ms());
	return 1;
}

static int	start_upload(struct worker *, struct conn *);

/* Decides the answer and starts writing it: 1, or -1 if c was closed. */
static int
respond(struct worker *w, struct conn *c, size_t linelen)
{
	const struct config	*cfg = w->srv->cfg;
	struct route_env	 env = {
		.cfg = cfg, .cats = w->srv->cats, .mime = w->mime,
		.files = w->files,
		.local = (struct sockaddr *)&c->local,
		.local_port = c->local_port,
		.sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name),
		.peer = SSL_get0_peer_certificate(c->ssl)
	};
	struct response		*res;
	BIO			*wbio;

	c->linelen = linelen;
	/*
	 * The answer's buffers and the coalescing BIO come now, not with
	 * the connection: an idle connection does not carry them.
	 */
	if ((c->ans = answer_get(w)) == NULL ||
	    (wbio = coalesce_bio(c->fd)) == NULL) {
		c->note = "out of memory";
		conn_close(w, c);
		return -1;
	}
	SSL_set0_wbio(c->ssl, wbio);
	note_identity(env.peer, c->ans->who, sizeof(c->ans->who));
	res = &c->ans->res;
	if (c->slow_down > 0) {
		res->status = 44;
		snprintf(res->meta, sizeof(res->meta), "%d", c->slow_down);
	} else if (linelen > REQUEST_MAX) {
		res->status = 59;
		snprintf(res->meta, sizeof(res->meta),
		    "request longer than 1024 bytes");
	} else
		route_request(&env, c->req, linelen, res);
	if (res->body == BODY_UPLOAD)
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
 * How much of the ClientHello has come: the handshake message may be
 * split over any number of records, each as short as one byte, so the
 * records are walked and their fragments added up until the whole
 * message (its header and the length that header gives) is there.
 */
enum hello {
	HELLO_WHOLE, HELLO_PARTIAL, HELLO_NOT_TLS, HELLO_OVERSIZED,
	HELLO_TOO_LARGE, HELLO_MALFORMED
};

static enum hello
hello_scan(const unsigned char *p, size_t n)
{
	unsigned char	 head[4];
	size_t		 at = 0, got = 0, need = 0, len, take, i;

	if (n > 0 && p[0] != TLS_HANDSHAKE)
		return HELLO_NOT_TLS;
	while (n - at >= 5) {
		/* Nothing may come between the fragments of the message. */
		if (p[at] != TLS_HANDSHAKE)
			return HELLO_MALFORMED;
		len = (size_t)p[at + 3] << 8 | p[at + 4];
		if (len > TLS_RECORD_MAX)
			return HELLO_OVERSIZED;
		at += 5;
		take = len < n - at ? len : n - at;
		for (i = 0; i < take && got + i < sizeof(head); i++)
			head[got + i] = p[at + i];
		got += take;
		at += take;
		if (need == 0 && got >= sizeof(head)) {
			if (head[0] != TLS_CLIENT_HELLO)
				return HELLO_MALFORMED;
			need = sizeof(head) + ((size_t)head[1] << 16 |
			    (size_t)head[2] << 8 | head[3]);
			if (need > HELLO_MAX)
				return HELLO_TOO_LARGE;
		}
		/* OpenSSL takes a record only once it is whole. */
		if (take < len)
			return HELLO_PARTIAL;
		if (need > 0 && got >= need)
			return HELLO_WHOLE;
	}
	return HELLO_PARTIAL;
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
	static const char	*why[] = {
		[HELLO_NOT_TLS] = "not TLS",
		[HELLO_OVERSIZED] = "oversized TLS record",
		[HELLO_TOO_LARGE] = "ClientHello too large",
		[HELLO_MALFORMED] = "malformed ClientHello"
	};
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
		c->note = why[got];
	if (got != HELLO_WHOLE) {
		conn_close(w, c);
		return -1;
	}
	pthread_mutex_lock(&w->srv->ctx_lock);
	c->ssl = SSL_new(w->srv->ctxs[0]);
	pthread_mutex_unlock(&w->srv->ctx_lock);
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
	if (c->req == NULL && (c->req = request_buffer_get(w)) == NULL) {
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
	timer_set(w, c, T_REQUEST, now_ms());
	return 1;
}

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
		if (now_ms() - c->accepted >
		    (uint64_t)atomic_load(&w->srv->lifetime_ms)) {
			c->note = "connection lifetime exceeded during an upload";
			conn_close(w, c);
			return -1;
		}
		timer_set(w, c, T_REQUEST, now_ms());
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

static int
step_write(struct worker *w, struct conn *c)
{
	int	 n, e;

	if (c->out_pos == c->out_len) {
		if (refill(c) == -1) {
			conn_close(w, c);
			return -1;
		}
		if (c->out_len == 0) {
			c->state = ST_SHUTDOWN;
			return 1;
		}
	}
	n = SSL_write(c->ssl, c->ans->out + c->out_pos, (int)(c->out_len -
	    c->out_pos));
	if (n > 0) {
		c->out_pos += (size_t)n;
		c->sent += (unsigned long long)n;
		if (now_ms() - c->accepted >
		    (uint64_t)atomic_load(&w->srv->lifetime_ms)) {
			c->note = "connection lifetime exceeded";
			conn_close(w, c);
			return -1;
		}
		timer_set(w, c, T_WRITE, now_ms());
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
static int	sockaddr_port(const struct sockaddr_storage *);

static void
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
}

/*
 * Once a connection watches writing too, it is also woken when it waits
 * for the client to send and the client acknowledges data, or the other
 * way round: such a wake-up would only meet EAGAIN and is skipped.
 */
static void
conn_event(struct worker *w, struct conn *c, uint32_t events)
{
	uint32_t	 awaited = c->wants_write ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;

	if (events & (EPOLLRDHUP | EPOLLHUP))
		c->peer_closed = 1;
	if (!(events & (awaited | EPOLLHUP | EPOLLERR)))
		return;
	conn_advance(w, c);
}

/* "1.2.3.4:5" or "[::1]:5" into out, and the bare address into host. */
static void
format_peer(const struct sockaddr_storage *ss, char *out, size_t outsz,
    char *host, size_t hostsz)
{
	snprintf(host, hostsz, "?");
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)hostsz);
		snprintf(out, outsz, "%s:%d", host, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)hostsz);
		snprintf(out, outsz, "[%s]:%d", host, ntohs(s6->sin6_port));
	} else
		snprintf(out, outsz, "?");
}

/*
 * Over the limits, a client still gets a TLS handshake and a "44 N"
 * (slow down) rather than a silent close, under a short deadline.
 */
static void
admit(struct worker *w, struct conn *c)
{
	struct server	*srv = w->srv;
	int		 wait;

	if (atomic_load(&srv->nconns) > atomic_load(&srv->max_conns))
		wait = 5;
	else
		wait = quota_admit(srv->quota, c->addr, c->accepted,
		    &c->counted);
	if (wait == 0) {
		timer_set(w, c, T_REQUEST, c->accepted);
		return;
	}
	c->slow_down = wait;
	timer_set(w, c, T_REFUSED, c->accepted);
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
		format_peer(&h.src, c->peer, sizeof(c->peer), c->addr,
		    sizeof(c->addr));
		c->local = h.dst;
		c->local_port = sockaddr_port(&h.dst);
	}
	c->state = ST_HELLO;
	admit(w, c);
	return 1;
}

static void
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
	c->fd = fd;
	c->listener = l;
	c->accepted = now_ms();
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	format_peer(peer, c->peer, sizeof(c->peer), c->addr, sizeof(c->addr));
	if (l->wildcard)
		getsockname(fd, (struct sockaddr *)&c->local, &len);
	else
		c->local = l->addr;
	c->local_port = l->port;
	if (++w->nconns > w->peak)
		w->peak = w->nconns;
	atomic_fetch_add(&w->srv->nconns, 1);
	/*
	 * Behind a balancer, the address the limits count is the one the
	 * PROXY header names: admission waits for it, under the request
	 * timeout, like a ClientHello.
	 */
	if (l->proxy) {
		c->state = ST_PROXY;
		timer_set(w, c, T_REQUEST, c->accepted);
	} else {
		c->state = ST_HELLO;
		admit(w, c);
	}
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_syserr("epoll_ctl");
		conn_close(w, c);
		return;
	}
	conn_advance(w, c);
}

static void
listeners_events(struct worker *w, uint32_t events)
{
	struct epoll_event	 ev;
	size_t			 i;

	for (i = 0; i < w->nlisteners; i++) {
		if (w->listeners[i].fd == -1)
			continue;
		ev.events = events;
		ev.data.ptr = &w->listeners[i];
		(void)epoll_ctl(w->epfd, EPOLL_CTL_MOD, w->listeners[i].fd, &ev);
	}
}

/*
 * Out of descriptors, a pending connection would wake epoll forever: give
 * up the spare descriptor, accept and close one, and take the spare back;
 * then stop listening for a moment, since another thread may have taken
 * the freed descriptor and the next accept would fail the same way.
 */
static void
shed_connection(struct worker *w, int lfd)
{
	long long	 now = (long long)time(NULL), last;
	int		 fd;

	last = atomic_load(&w->srv->last_emfile_log);
	if (now != last && atomic_compare_exchange_strong(
	    &w->srv->last_emfile_log, &last, now))
		log_warn("out of file descriptors: refusing connections");
	if (w->spare_fd != -1) {
		close(w->spare_fd);
		if ((fd = accept(lfd, NULL, NULL)) != -1)
			close(fd);
		w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	listeners_events(w, 0);
	w->paused_until = now_ms() + EMFILE_PAUSE_MS;
}

static void
resume_listening(struct worker *w)
{
	if (w->paused_until == 0 || now_ms() < w->paused_until)
		return;
	w->paused_until = 0;
	if (w->spare_fd == -1)
		w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	listeners_events(w, EPOLLIN);
}

static void
accept_batch(struct worker *w, struct listener *l)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 max = atomic_load(&w->srv->max_conns), i, fd;

	/* Past this, even a 44 costs too much: close at once. */
	max += max / 8 + 16;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		ss.ss_family = AF_UNSPEC;
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				shed_connection(w, l->fd);
			else if (errno != EAGAIN)
				log_syserr("accept");
			return;
		}
		if (atomic_load(&w->srv->nconns) >= max) {
			close(fd);
			continue;
		}
		conn_new(w, l, fd, &ss);
	}
}

static void
expire_timers(struct worker *w)
{
	static const char	*why[T_COUNT] = {
		"request timeout", "slowed down", "write timeout", NULL
	};
	uint64_t		 now = now_ms();
	struct conn		*c, *next;
	int			 t;

	/* Each list is sorted: the first connection still in time ends it. */
	for (t = 0; t < T_COUNT; t++) {
		for (c = w->timers[t].head; c != NULL &&
		    timer_deadline(w, c) <= now; c = next) {
			next = c->next;
			c->note = why[t];
			if (t == T_REQUEST && c->state == ST_UPLOAD)
				c->note = "titan: body stalled past the request "
				    "timeout, nothing written";
			else if (t == T_REQUEST && c->req != NULL)
				c->linelen = titan_redact(c->req, c->reqlen);
			conn_close(w, c);
		}
	}
}

static void
close_listeners(struct worker *w)
{
	size_t	 i;

	for (i = 0; i < w->nlisteners; i++) {
		if (w->listeners[i].fd == -1)
			continue;
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listeners[i].fd, NULL);
		close(w->listeners[i].fd);
		w->listeners[i].fd = -1;
	}
}

/* Every connection is in one timer list: detach each list, then close its members. */
static void
close_all(struct worker *w)
{
	struct conn	*c, *next;
	int		 t;

	for (t = 0; t < T_COUNT; t++) {
		c = w->timers[t].head;
		w->timers[t].head = w->timers[t].tail = NULL;
		for (; c != NULL; c = next) {
			next = c->next;
			c->prev = c->next = NULL;
			c->note = "server stopping";
			conn_close(w, c);
		}
	}
}

/* The earlier of two epoll timeouts, where -1 is never. */
static int
sooner(int a, int b)
{
	if (a == -1)
		return b;
	if (b == -1)
		return a;
	return a < b ? a : b;
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct server		*srv = w->srv;
	struct epoll_event	 evs[128];
	uint64_t		 stop_at = 0, value;
	int			 n, i, timeout;

	for (;;) {
		if (atomic_load(&srv->stopping) && stop_at == 0) {
			close_listeners(w);
			stop_at = now_ms() + (uint64_t)srv->grace_ms;
		}
		if (stop_at != 0 && (w->nconns == 0 || now_ms() >= stop_at))
			break;
		timeout = sooner(next_timeout(w), log_flush_due(now_ms()));
		if (w->paused_until != 0)
			timeout = sooner(timeout, EMFILE_PAUSE_MS);
		if (stop_at != 0)
			timeout = sooner(timeout, 100);
		n = epoll_wait(w->epfd, evs, 128, timeout);
		if (n == -1 && errno != EINTR) {
			log_syserr("epoll_wait");
			break;
		}
		for (i = 0; i < n; i++) {
			struct handler *h = evs[i].data.ptr;
			if (h->kind == H_LISTENER)
				accept_batch(w, (struct listener *)h);
			else if (h->kind == H_WAKE) {
				if (read(w->wakefd, &value, sizeof(value)) ==
				    -1 && errno != EAGAIN)
					log_syserr("worker wake-up");
			}
			else
				conn_event(w, (struct conn *)h, evs[i].events);
		}
		expire_timers(w);
		resume_listening(w);
	}
	close_all(w);
	log_release();
	return NULL;
}

static int
open_listener(const struct addrinfo *ai, struct listener *l)
{
	int	 one = 1, fd;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	/*
	 * Accepted sockets inherit TCP_NODELAY, which spares a setsockopt
	 * per connection.  TCP_DEFER_ACCEPT hands a connection over only
	 * once its first bytes (the ClientHello) have come, so accepting it
	 * and starting the handshake take one wake-up, not two; a client
	 * that stays silent is handed over after a second all the same.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
	    &one, sizeof(one)) == -1 || setsockopt(fd, IPPROTO_TCP,
	    TCP_DEFER_ACCEPT, &one, sizeof(one)) == -1 ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) || bind(fd, ai->ai_addr,
	    ai->ai_addrlen) == -1 || listen(fd, 1024) == -1) {
		close(fd);
		return -1;
	}
	l->h.kind = H_LISTENER;
	l->fd = fd;
	memset(&l->addr, 0, sizeof(l->addr));
	memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
	return 0;
}

static int
sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int
is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
	    htonl(INADDR_ANY);
}

/*
 * Every worker's socket sets SO_REUSEPORT, which would also let a second
 * almanac of the same user join the group and take half the connections
 * without a word.  A plain bind first tells whether anything else holds
 * the address: if it does, this is not ours to share.
 */
static int
in_use_elsewhere(const struct addrinfo *ai)
{
	int	 one = 1, fd, busy;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) == -1)
		return 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	busy = bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno == EADDRINUSE;
	close(fd);
	return busy;
}

/*
 * One socket per worker for each address (SO_REUSEPORT spreads the
 * connections).  Port 0 is resolved by the first bind and reused by the
 * others, so that all of them share one port.  -1 with errno set.
 */
static int
bind_address(struct server *srv, struct addrinfo *ai, const char *text,
    int proxy)
{
	struct listener	*l = NULL;
	socklen_t	 len;
	int		 i, port = 0, err;

	if (sockaddr_port((const struct sockaddr_storage *)ai->ai_addr) != 0 &&
	    in_use_elsewhere(ai)) {
		log_error("cannot listen on %s: address already in use by "
		    "another process", text);
		errno = EADDRINUSE;
		return -1;
	}
	for (i = 0; i < srv->nworkers; i++) {
		struct worker *w = &srv->workers[i];
		if (w->nlisteners == MAX_SOCKETS) {
			errno = EMFILE;
			return -1;
		}
		l = &w->listeners[w->nlisteners];
		if (port != 0)
			((struct sockaddr_in *)ai->ai_addr)->sin_port =
			    htons((uint16_t)port);
		if (open_listener(ai, l) == -1)
			return -1;
		len = sizeof(l->addr);
		if (getsockname(l->fd, (struct sockaddr *)&l->addr, &len) ==
		    -1) {
			err = errno;
			close(l->fd);
			errno = err;
			return -1;
		}
		l->port = port = sockaddr_port(&l->addr);
		l->wildcard = is_wildcard(&l->addr);
		l->proxy = proxy;
		w->nlisteners++;
	}
	return l == NULL ? -1 : 0;
}

/* The exact address of ai, "127.0.0.1:1965" or "[::1]:1965". */
static void
address_text(const struct addrinfo *ai, char *out, size_t outsz)
{
	struct sockaddr_storage	 ss;
	char			 host[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	format_peer(&ss, out, outsz, host, sizeof(host));
}

/* An IPv6 loopback the machine lacks (containers often do): not fatal. */
static int
missing_loopback(const struct addrinfo *ai, int err)
{
	return ai->ai_family == AF_INET6 && (err == EADDRNOTAVAIL ||
	    err == EAFNOSUPPORT) && IN6_IS_ADDR_LOOPBACK(
	    &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
}

/*
 * "localhost" is the loopback in both families (RFC 6761), whatever
 * /etc/hosts says: clients that resolve it to ::1 must find us there.
 */
static int
resolve_listen(const char *host, const char *port, struct addrinfo **res)
{
	struct addrinfo	 hints, *v4 = NULL, *v6 = NULL, *ai;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (strcasecmp(host, "localhost") != 0)
		return getaddrinfo(host[0] ? host : NULL, port, &hints, res);
	hints.ai_flags |= AI_NUMERICHOST;
	if ((rc = getaddrinfo("127.0.0.1", port, &hints, &v4)) != 0)
		return rc;
	if (getaddrinfo("::1", port, &hints, &v6) != 0)
		v6 = NULL;
	for (ai = v4; ai->ai_next != NULL; ai = ai->ai_next)
		;
	ai->ai_next = v6;
	*res = v4;
	return 0;
}

/*
 * Every address a listen spec names is fatal when it cannot be listened
 * on, and named exactly; only an IPv6 loopback the machine lacks is a
 * warning ("localhost" still serves IPv4).
 */
static int
listen_spec(struct server *srv, const char *spec, int proxy)
{
	struct addrinfo	*res, *ai;
	char		 host[256], port[16], text[INET6_ADDRSTRLEN + 8];
	int		 rc, bound = 0, first_port = 0, err;

	if (options_split_listen(spec, host, sizeof(host), port,
	    sizeof(port)) == -1) {
		log_error("listen %s: expected HOST:PORT", spec);
		return -1;
	}
	if ((rc = resolve_listen(host, port, &res)) != 0) {
		log_error("listen %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res, rc = 0; ai != NULL && rc == 0; ai = ai->ai_next) {
		if (bound > 0 && strcmp(port, "0") == 0)
			((struct sockaddr_in *)ai->ai_addr)->sin_port =
			    htons((uint16_t)first_port);
		address_text(ai, text, sizeof(text));
		if (bind_address(srv, ai, text, proxy) == 0) {
			const struct listener *l = &srv->workers[0].listeners[
			    srv->workers[0].nlisteners - 1];
			if (bound++ == 0)
				first_port = l->port;
			format_peer(&l->addr, text, sizeof(text), host,
			    sizeof(host));
			log_info("listening on %s%s", text, proxy ?
			    " (a PROXY header first)" : "");
			continue;
		}
		err = errno;
		if (missing_loopback(ai, err))
			log_warn("not listening on %s: this machine has no "
			    "IPv6 loopback (%s)", text, strerror(err));
		else {
			if (err != EADDRINUSE || !in_use_elsewhere(ai))
				log_error("cannot listen on %s: %s", text,
				    strerror(err));
			rc = -1;
		}
	}
	freeaddrinfo(res);
	return rc == 0 && bound > 0 ? 0 : -1;
}

static void
wake_workers(struct server *srv)
{
	uint64_t	 one = 1;
	int		 i;

	for (i = 0; i < srv->started; i++)
		if (write(srv->workers[i].wakefd, &one, sizeof(one)) == -1)
			log_syserr("waking worker %d", i);
}

/*
 * The workers are woken: one sleeping until a deadline under the old
 * timeouts would otherwise sleep through a nearer one.
 */
void
server_set_limits(struct server *srv, const struct config *cfg)
{
	atomic_store(&srv->request_timeout_ms, cfg->request_timeout_ms);
	atomic_store(&srv->write_timeout_ms, cfg->write_timeout_ms);
	atomic_store(&srv->lifetime_ms, cfg->lifetime_ms);
	atomic_store(&srv->max_conns, cfg->max_conns);
	quota_set(srv->quota, cfg->max_per_addr, cfg->rate_per_addr);
	wake_workers(srv);
}

/*
 * Sockets handed over (socket activation) are shared by the workers, each
 * holding its own descriptor of the same socket: the kernel gives each
 * connection to one of them.
 */
int
server_adopt(struct server *srv, const int *fds, size_t n)
{
	struct listener	*l;
	char		 text[INET6_ADDRSTRLEN + 8], host[INET6_ADDRSTRLEN];
	socklen_t	 len;
	size_t		 k;
	int		 i, one = 1;

	for (k = 0; k < n; k++) {
		/* Inherited by accepted sockets, as for our own listeners. */
		(void)setsockopt(fds[k], IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		(void)setsockopt(fds[k], IPPROTO_TCP, TCP_DEFER_ACCEPT, &one,
		    sizeof(one));
		for (i = 0; i < srv->nworkers; i++) {
			struct worker *w = &srv->workers[i];
			if (w->nlisteners == MAX_SOCKETS)
				return -1;
			l = &w->listeners[w->nlisteners];
			l->h.kind = H_LISTENER;
			l->fd = i == 0 ? fds[k] :
			    fcntl(fds[k], F_DUPFD_CLOEXEC, 0);
			len = sizeof(l->addr);
			if (l->fd == -1 || getsockname(l->fd,
			    (struct sockaddr *)&l->addr, &len) == -1) {
				log_syserr("socket activation");
				return -1;
			}
			l->port = sockaddr_port(&l->addr);
			l->wildcard = is_wildcard(&l->addr);
			w->nlisteners++;
		}
		format_peer(&srv->workers[0].listeners[
		    srv->workers[0].nlisteners - 1].addr, text, sizeof(text),
		    host, sizeof(host));
		log_info("listening on %s (a socket handed over by systemd)",
		    text);
	}
	return 0;
}

int
server_listen(struct server *srv)
{
	size_t	 i;

	for (i = 0; i < srv->cfg->nlisten; i++)
		if (listen_spec(srv, srv->cfg->listen[i],
		    srv->cfg->listen_proxy[i]) == -1)
			return -1;
	return 0;
}

static int	worker_setup(struct worker *);

/* Everything that needs files (libmagic's database) is opened here, before any sandbox. */
int
server_prepare(struct server *srv)
{
	int	 w;

	for (w = 0; w < srv->nworkers; w++)
		if (worker_setup(&srv->workers[w]) == -1)
			return -1;
	return 0;
}

int
server_port(const struct server *srv)
{
	return srv->workers[0].nlisteners > 0 ?
	    srv->workers[0].listeners[0].port : 1965;
}

/*
 * SNI picks the host's certificate.  An unknown name keeps the first
 * host's: the request is then answered 53, which says more than an alert.
 */
static int
choose_certificate(SSL *ssl, int *alert, void *arg)
{
	struct server	*srv = arg;
	const char	*name;
	int		 i, ok;

	(void)alert;
	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name == NULL)
		return SSL_TLSEXT_ERR_OK;
	if ((i = config_find_host(srv->cfg, name, strlen(name))) <= 0)
		return SSL_TLSEXT_ERR_OK;
	pthread_mutex_lock(&srv->ctx_lock);
	ok = SSL_set_SSL_CTX(ssl, srv->ctxs[i]) != NULL;
	pthread_mutex_unlock(&srv->ctx_lock);
	return ok ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_ALERT_FATAL;
}

void
server_set_contexts(struct server *srv, SSL_CTX *const *ctxs)
{
	size_t	 h;

	SSL_CTX_set_tlsext_servername_callback(ctxs[0], choose_certificate);
	SSL_CTX_set_tlsext_servername_arg(ctxs[0], srv);
	pthread_mutex_lock(&srv->ctx_lock);
	for (h = 0; h < srv->cfg->nhosts; h++)
		srv->ctxs[h] = ctxs[h];
	pthread_mutex_unlock(&srv->ctx_lock);
}

struct server *
server_new(const struct config *cfg)
{
	struct server	*srv;
	long		 ncpu;
	int		 i;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->cfg = cfg;
	if ((srv->quota = quota_new(cfg->max_per_addr,
	    cfg->rate_per_addr)) == NULL) {
		free(srv);
		return NULL;
	}
	if (pthread_mutex_init(&srv->ctx_lock, NULL) != 0) {
		quota_free(srv->quota);
		free(srv);
		return NULL;
	}
	atomic_init(&srv->nconns, 0);
	server_set_limits(srv, cfg);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	srv->nworkers = cfg->workers > 0 ? cfg->workers : (int)(ncpu > 0 ?
	    ncpu : 1);
	if (srv->nworkers > MAX_WORKERS)
		srv->nworkers = MAX_WORKERS;
	atomic_init(&srv->stopping, 0);
	for (i = 0; i < srv->nworkers; i++) {
		srv->workers[i].srv = srv;
		srv->workers[i].epfd = -1;
		srv->workers[i].wakefd = -1;
		srv->workers[i].spare_fd = -1;
	}
	return srv;
}

static int
worker_setup(struct worker *w)
{
	struct epoll_event	 ev;
	size_t			 i;

	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_syserr("epoll/eventfd");
		return -1;
	}
	if ((w->mime = mime_open()) == NULL) {
		log_warn("libmagic: cannot load its database");
		return -1;
	}
	if ((w->files = filecache_new()) == NULL) {
		log_warn("out of memory");
		return -1;
	}
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	w->wake.kind = H_WAKE;
	ev.events = EPOLLIN;
	ev.data.ptr = &w->wake;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) == -1)
		return -1;
	for (i = 0; i < w->nlisteners; i++) {
		ev.events = EPOLLIN;
		ev.data.ptr = &w->listeners[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listeners[i].fd,
		    &ev) == -1)
			return -1;
	}
	return 0;
}

int
server_start(struct server *srv, struct catalog *const *cats)
{
	size_t	 h;
	int	 i;

	for (h = 0; h < srv->cfg->nhosts; h++)
		srv->cats[h] = cats[h];
	for (i = 0; i < srv->nworkers; i++) {
		if (pthread_create(&srv->workers[i].thread, NULL, worker_main,
		    &srv->workers[i]) != 0) {
			log_warn("cannot start worker %d", i);
			return -1;
		}
		srv->started = i + 1;
	}
	log_info("%d worker%s started", srv->nworkers,
	    srv->nworkers == 1 ? "" : "s");
	return 0;
}

void
server_stop(struct server *srv, int grace_ms)
{
	int	 i;

	srv->grace_ms = grace_ms;
	atomic_store(&srv->stopping, 1);
	wake_workers(srv);
	for (i = 0; i < srv->started; i++)
		pthread_join(srv->workers[i].thread, NULL);
	srv->started = 0;
}

void
server_free(struct server *srv)
{
	int	 i;

	if (srv == NULL)
		return;
	for (i = 0; i < srv->nworkers; i++) {
		struct worker *w = &srv->workers[i];
		close_listeners(w);
		if (w->epfd != -1)
			close(w->epfd);
		if (w->wakefd != -1)
			close(w->wakefd);
		if (w->spare_fd != -1)
			close(w->spare_fd);
		mime_close(w->mime);
		filecache_free(w->files);
		while (w->nspare > 0)
			answer_free(w->spare[--w->nspare]);
		while (w->nspare_req > 0)
			free(w->spare_req[--w->nspare_req]);
	}
	pthread_mutex_destroy(&srv->ctx_lock);
	quota_free(srv->quota);
	free(srv);
}
