/* proxy: relays a request to an upstream Gemini server over TLS and streams its answer back (proxy relay-to). */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "body.h"
#include "config.h"
#include "gemheader.h"
#include "log.h"
#include "options.h"
#include "proxy.h"
#include "request.h"
#include "tls.h"

/* What one block's upstream needs, made once at start. */
struct proxy_upstream {
	SSL_CTX			*ctx;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 name[256];	/* the SNI, checked in its certificate */
	int			 name_is_ip;
	int			 verifyname;
	const char		*relay_to;	/* for the log */
};

enum proxy_state {
	PX_CONNECT,	/* the TCP connection is being made */
	PX_HANDSHAKE,
	PX_SEND,	/* the request line goes out */
	PX_HEADER,	/* reading until the header's CRLF */
	PX_PENDING,	/* handing out what was read with the header */
	PX_BODY,	/* relaying as it comes */
	PX_ERROR,	/* handing out our own 43 */
	PX_END,
	PX_FAILED	/* after the header: the answer ends short */
};

struct proxy_stream {
	struct body_stream		 base;	/* first: the stream is cast to this */
	const struct proxy_upstream	*up;
	enum proxy_state		 st;
	int				 fd;
	SSL				*ssl;
	unsigned			 want;	/* EPOLLIN or EPOLLOUT */
	int				 status;	/* once the header has gone */
	const char			*note;
	char				 why[160];
	char				 req[REQUEST_MAX + 3];
	size_t				 reqlen;
	char				 head[GEMHEADER_MAX + 4096];
	size_t				 headlen, headpos;
};

/* "HOST:PORT" resolved now: configuration time, so never on the event loop. */
static int
proxy_resolve(struct proxy_upstream *up, const char *relay_to)
{
	struct addrinfo	 hints, *res;
	char		 host[256], port[16];
	int		 rc;

	if (options_split_listen(relay_to, host, sizeof(host), port,
	    sizeof(port)) == -1)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_error("proxy relay-to %s: %s", relay_to, gai_strerror(rc));
		return -1;
	}
	memcpy(&up->addr, res->ai_addr, res->ai_addrlen);
	up->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
proxy_is_ip(const char *name)
{
	struct in6_addr	 a;

	return inet_pton(AF_INET, name, &a) == 1 ||
	    inet_pton(AF_INET6, name, &a) == 1;
}

/*
 * No verification against certificate authorities: Gemini certificates
 * are self-signed.  The name is checked after the handshake instead.
 */
static SSL_CTX *
proxy_context(const struct proxy_conf *pc)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		goto fail;
	if (pc->cert != NULL && (SSL_CTX_use_certificate_chain_file(ctx,
	    pc->cert) != 1 || SSL_CTX_use_PrivateKey_file(ctx, pc->key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1))
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static struct proxy_upstream *
proxy_upstream_new(struct proxy_conf *pc)
{
	struct proxy_upstream	*up;
	char			 port[16], err[256];

	if ((pc->cert == NULL) != (pc->key == NULL)) {
		log_error("proxy relay-to %s: 'proxy cert' and 'proxy key' go "
		    "together", pc->relay_to);
		return NULL;
	}
	if ((up = calloc(1, sizeof(*up))) == NULL) {
		log_syserr("proxy");
		return NULL;
	}
	up->relay_to = pc->relay_to;
	up->verifyname = !pc->noverifyname;
	if (pc->sni != NULL)
		snprintf(up->name, sizeof(up->name), "%s", pc->sni);
	else
		(void)options_split_listen(pc->relay_to, up->name,
		    sizeof(up->name), port, sizeof(port));
	up->name_is_ip = proxy_is_ip(up->name);
	if (proxy_resolve(up, pc->relay_to) == -1)
		goto fail;
	if ((up->ctx = proxy_context(pc)) == NULL) {
		tls_error_string(err, sizeof(err));
		log_error("proxy relay-to %s: TLS context%s%s: %s",
		    pc->relay_to, pc->cert != NULL ? " with " : "",
		    pc->cert != NULL ? pc->cert : "", err);
		goto fail;
	}
	return up;
fail:
	free(up);
	return NULL;
}

static int
proxy_prepare_rules(struct rules *r)
{
	struct proxy_conf	*pc = &r->proxy;

	if (pc->relay_to == NULL) {
		if (pc->sni != NULL || pc->cert != NULL || pc->key != NULL ||
		    pc->noverifyname) {
			log_error("'proxy sni', 'proxy verifyname', 'proxy "
			    "cert' and 'proxy key' need 'proxy relay-to' in "
			    "the same block");
			return -1;
		}
		return 0;
	}
	return (pc->up = proxy_upstream_new(pc)) == NULL ? -1 : 0;
}

int
proxy_prepare(struct config *cfg)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		struct host *h = &cfg->hosts[i];
		if (proxy_prepare_rules(&h->r) == -1)
			return -1;
		for (j = 0; j < h->nlocations; j++)
			if (proxy_prepare_rules(&h->locations[j].r) == -1)
				return -1;
	}
	return 0;
}

static void
proxy_release_rules(struct rules *r)
{
	if (r->proxy.up == NULL)
		return;
	SSL_CTX_free(r->proxy.up->ctx);
	free(r->proxy.up);
	r->proxy.up = NULL;
}

void
proxy_release(struct config *cfg)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		proxy_release_rules(&cfg->hosts[i].r);
		for (j = 0; j < cfg->hosts[i].nlocations; j++)
			proxy_release_rules(&cfg->hosts[i].locations[j].r);
	}
}

/*
 * Before the header has gone: the client gets a 43 instead, and the log
 * says why.  The socket stays open until the stream is freed, so that
 * its number cannot be reused while epoll may still know it.
 */
static void
proxy_fail(struct proxy_stream *s, const char *what, const char *detail)
{
	int	 n;

	snprintf(s->why, sizeof(s->why), "%s%s", what, detail);
	s->note = s->why;
	ERR_clear_error();
	if (s->st == PX_PENDING || s->st == PX_BODY) {
		log_warn("proxy %s: %s, after the header", s->up->relay_to,
		    s->why);
		s->st = PX_FAILED;
		return;
	}
	log_warn("proxy %s: %s", s->up->relay_to, s->why);
	n = snprintf(s->head, sizeof(s->head), "43 proxy error: %s\r\n",
	    s->why);
	s->headlen = n > 0 && (size_t)n < sizeof(s->head) ? (size_t)n : 0;
	s->headpos = 0;
	s->st = PX_ERROR;
}

/* Why an SSL call failed, for proxy_fail. */
static const char *
proxy_ssl_reason(struct proxy_stream *s, int rc, char *buf, size_t bufsz)
{
	int	 e = SSL_get_error(s->ssl, rc);

	if (e == SSL_ERROR_SSL) {
		tls_error_string(buf, bufsz);
		return buf;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return "closed";
	if (e == SSL_ERROR_SYSCALL && errno != 0)
		return strerror(errno);
	return "closed the connection";
}

/* 1 when the SSL call wants the socket (s->want set), else 0. */
static int
proxy_wants(struct proxy_stream *s, int rc)
{
	switch (SSL_get_error(s->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		s->want = EPOLLIN;
		return 1;
	case SSL_ERROR_WANT_WRITE:
		s->want = EPOLLOUT;
		return 1;
	default:
		return 0;
	}
}

static void
proxy_start_tls(struct proxy_stream *s)
{
	if ((s->ssl = SSL_new(s->up->ctx)) == NULL ||
	    SSL_set_fd(s->ssl, s->fd) != 1 || (!s->up->name_is_ip &&
	    SSL_set_tlsext_host_name(s->ssl, s->up->name) != 1)) {
		proxy_fail(s, "", "out of memory for TLS");
		return;
	}
	SSL_set_connect_state(s->ssl);
	s->st = PX_HANDSHAKE;
}

/* The non-blocking connect has ended: how, is in SO_ERROR. */
static void
proxy_connected(struct proxy_stream *s)
{
	struct pollfd	 p = { .fd = s->fd, .events = POLLOUT, .revents = 0 };
	socklen_t	 len = sizeof(int);
	int		 err = 0;

	if (poll(&p, 1, 0) == 0) {
		s->want = EPOLLOUT;
		return;
	}
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		proxy_fail(s, "upstream down: ", strerror(err));
		return;
	}
	proxy_start_tls(s);
}

/* Its certificate must name the SNI, unless 'proxy verifyname off'. */
static int
proxy_name_ok(struct proxy_stream *s)
{
	X509	*cert;
	int	 ok;

	if (!s->up->verifyname)
		return 1;
	if ((cert = SSL_get1_peer_certificate(s->ssl)) == NULL)
		return 0;
	ok = s->up->name_is_ip ? X509_check_ip_asc(cert, s->up->name, 0) :
	    X509_check_host(cert, s->up->name, strlen(s->up->name), 0, NULL);
	X509_free(cert);
	return ok == 1;
}

static void
proxy_handshake(struct proxy_stream *s)
{
	char	 err[128];
	int	 rc = SSL_connect(s->ssl);

	if (rc == 1) {
		if (proxy_name_ok(s))
			s->st = PX_SEND;
		else
			proxy_fail(s, "certificate not valid for ",
			    s->up->name);
		return;
	}
	if (!proxy_wants(s, rc))
		proxy_fail(s, "TLS handshake failed: ",
		    proxy_ssl_reason(s, rc, err, sizeof(err)));
}

static void
proxy_send(struct proxy_stream *s)
{
	char	 err[128];
	int	 rc = SSL_write(s->ssl, s->req, (int)s->reqlen);

	if (rc > 0)
		s->st = PX_HEADER;
	else if (!proxy_wants(s, rc))
		proxy_fail(s, "request not sent: ",
		    proxy_ssl_reason(s, rc, err, sizeof(err)));
}

static void
proxy_header(struct proxy_stream *s)
{
	const char	*why = NULL;
	char		 err[128];
	size_t		 hlen;
	int		 rc, status;

	rc = SSL_read(s->ssl, s->head + s->headlen,
	    (int)(sizeof(s->head) - s->headlen));
	if (rc <= 0) {
		if (!proxy_wants(s, rc))
			proxy_fail(s, "no header: upstream ",
			    proxy_ssl_reason(s, rc, err, sizeof(err)));
		return;
	}
	s->headlen += (size_t)rc;
	switch (gemheader_check(s->head, s->headlen, &hlen, &status, &why)) {
	case GEMHEADER_MORE:
		return;
	case GEMHEADER_BAD:
		proxy_fail(s, "bad header: ", why);
		return;
	case GEMHEADER_OK:
		s->status = status;
		s->st = PX_PENDING;
	}
}

/* Hands out head[headpos..headlen): the header and what came with it. */
static ssize_t
proxy_pending(struct proxy_stream *s, char *dst, size_t room)
{
	size_t	 n = s->headlen - s->headpos;

	if (n > room)
		n = room;
	memcpy(dst, s->head + s->headpos, n);
	s->headpos += n;
	if (s->headpos == s->headlen)
		s->st = s->st == PX_ERROR ? PX_END : PX_BODY;
	return (ssize_t)n;
}

static ssize_t
proxy_body(struct proxy_stream *s, char *dst, size_t room)
{
	char	 err[128];
	int	 rc;

	rc = SSL_read(s->ssl, dst, room > (size_t)INT32_MAX ? INT32_MAX :
	    (int)room);
	if (rc > 0)
		return rc;
	if (proxy_wants(s, rc))
		return BODY_STREAM_WAIT;
	if (SSL_get_error(s->ssl, rc) == SSL_ERROR_ZERO_RETURN) {
		s->st = PX_END;
		return 0;
	}
	proxy_fail(s, "upstream ", proxy_ssl_reason(s, rc, err,
	    sizeof(err)));
	return -1;
}

/* Steps through the exchange until bytes come or the socket must be awaited. */
static ssize_t
proxy_read(struct body_stream *bs, char *dst, size_t room)
{
	struct proxy_stream	*s = (struct proxy_stream *)(void *)bs;
	enum proxy_state	 before;

	for (;;) {
		before = s->st;
		s->want = 0;
		switch (s->st) {
		case PX_CONNECT:
			proxy_connected(s);
			break;
		case PX_HANDSHAKE:
			proxy_handshake(s);
			break;
		case PX_SEND:
			proxy_send(s);
			break;
		case PX_HEADER:
			proxy_header(s);
			break;
		case PX_PENDING:
		case PX_ERROR:
			if (s->st == PX_ERROR && s->status == 0)
				s->status = 43;
			return proxy_pending(s, dst, room);
		case PX_BODY:
			return proxy_body(s, dst, room);
		case PX_END:
			return 0;
		case PX_FAILED:
			return -1;
		}
		if (s->st == before && s->want != 0)
			return BODY_STREAM_WAIT;
	}
}

static int
proxy_wait_fd(struct body_stream *bs, unsigned *events)
{
	struct proxy_stream	*s = (struct proxy_stream *)(void *)bs;

	*events = s->want;
	return s->want != 0 ? s->fd : -1;
}

static int
proxy_status(const struct body_stream *bs)
{
	const struct proxy_stream *s =
	    (const struct proxy_stream *)(const void *)bs;

	return s->status;
}

static void
proxy_expire(struct body_stream *bs)
{
	struct proxy_stream	*s = (struct proxy_stream *)(void *)bs;

	if (s->st == PX_ERROR || s->st == PX_END || s->st == PX_FAILED)
		return;
	proxy_fail(s, "", s->st == PX_BODY ? "upstream stalled" :
	    "no header within the timeout");
}

static const char *
proxy_note(const struct body_stream *bs)
{
	return ((const struct proxy_stream *)(const void *)bs)->note;
}

static void
proxy_free(struct body_stream *bs)
{
	struct proxy_stream	*s = (struct proxy_stream *)(void *)bs;

	SSL_free(s->ssl);
	if (s->fd != -1)
		close(s->fd);
	free(s);
}

static const struct body_stream_ops proxy_ops = {
	proxy_read, proxy_wait_fd, proxy_status, proxy_expire, proxy_note,
	proxy_free
};

/* Starts the connection; a refusal known at once is a 43 at the first read. */
static void
proxy_connect(struct proxy_stream *s)
{
	const struct proxy_upstream	*up = s->up;
	int				 one = 1;

	s->fd = socket(up->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		proxy_fail(s, "no socket: ", strerror(errno));
		return;
	}
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, (const struct sockaddr *)&up->addr,
	    up->addrlen) == 0)
		proxy_start_tls(s);
	else if (errno == EINPROGRESS)
		s->st = PX_CONNECT;
	else
		proxy_fail(s, "upstream down: ", strerror(errno));
}

struct body_stream *
proxy_stream_new(const struct proxy_conf *pc, const char *line, size_t len)
{
	struct proxy_stream	*s;

	if (pc->up == NULL || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base.ops = &proxy_ops;
	s->up = pc->up;
	s->fd = -1;
	if (len > REQUEST_MAX)
		len = REQUEST_MAX;
	memcpy(s->req, line, len);
	memcpy(s->req + len, "\r\n", 2);
	s->reqlen = len + 2;
	proxy_connect(s);
	return &s->base;
}
