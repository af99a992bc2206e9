/* floor: the least a TLS server on this OpenSSL does per request, the baseline of tools/bench.sh. */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define LINE_MAX_LEN	1026		/* a Gemini request: 1024 + CRLF */
#define CHUNK		16384
#define FILE_HEADER	"20 application/octet-stream\r\n"

enum state { HANDSHAKE, READ, HEADER, BODY, SHUTDOWN };

struct conn {
	int		 fd;
	SSL		*ssl;
	enum state	 state;
	unsigned int	 events;	/* registered with epoll */
	char		 line[LINE_MAX_LEN];
	size_t		 linelen;
	int		 file;		/* --file: opened per request */
	char		*chunk;
	size_t		 clen;		/* bytes in chunk, 0 when drained */
	size_t		 pos;		/* --page: bytes sent */
};

struct floor {
	SSL_CTX		*ctx;
	int		 epfd;
	int		 lfd;
	char		*page;		/* --page: the whole answer */
	size_t		 pagelen;
	const char	*path;		/* --file */
};

static const struct option longopts[] = {
	{ "listen",	required_argument,	NULL,	'l' },
	{ "cert",	required_argument,	NULL,	'c' },
	{ "key",	required_argument,	NULL,	'k' },
	{ "page",	required_argument,	NULL,	'p' },
	{ "file",	required_argument,	NULL,	'f' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static void
usage(FILE *fp)
{
	fputs("usage: floor [--listen ADDR:PORT] [--cert FILE] [--key FILE]\n"
	    "             (--page FILE | --file FILE)\n"
	    "The cheapest TLS server this OpenSSL makes: accept, handshake, "
	    "read one line,\nwrite a fixed answer, close_notify, close. "
	    "OpenSSL's defaults, one thread;\nTCP_NODELAY as in almanac "
	    "and Go.\n\n"
	    "  -l, --listen ADDR:PORT  where to listen (default "
	    "127.0.0.1:1965)\n"
	    "  -c, --cert FILE         certificate chain, PEM (default "
	    "cert.pem)\n"
	    "  -k, --key FILE          private key, PEM (default key.pem)\n"
	    "  -p, --page FILE         answer with the bytes of FILE, header "
	    "line included,\n"
	    "                          read once at start\n"
	    "  -f, --file FILE         answer \"20 application/octet-stream\" "
	    "and FILE, read\n"
	    "                          anew for each request in 16 KiB "
	    "chunks\n"
	    "  -h, --help              show this help\n", fp);
}

static void die(const char *, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("floor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
die_tls(const char *what)
{
	char	 buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	die("%s: %s", what, buf);
}

static void
read_page(struct floor *fl, const char *path)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		die("%s: %s", path, strerror(errno));
	if (st.st_size == 0 || (fl->page = malloc((size_t)st.st_size)) ==
	    NULL)
		die("%s: empty or too large", path);
	while (got < (size_t)st.st_size) {
		n = read(fd, fl->page + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: %s", path, n == 0 ? "short read" :
			    strerror(errno));
		got += (size_t)n;
	}
	fl->pagelen = got;
	if (close(fd) == -1)
		die("%s: %s", path, strerror(errno));
}

static void
open_listener(struct floor *fl, const char *spec)
{
	struct addrinfo	 hints, *ai;
	char		 host[256];
	const char	*colon = strrchr(spec, ':');
	int		 one = 1, rc;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		die("--listen %s: expected ADDR:PORT", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints,
	    &ai)) != 0)
		die("--listen %s: %s", spec, gai_strerror(rc));
	if ((fl->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fl->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    bind(fl->lfd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fl->lfd, SOMAXCONN) == -1)
		die("--listen %s: %s", spec, strerror(errno));
	freeaddrinfo(ai);
}

static void
make_ctx(struct floor *fl, const char *cert, const char *key)
{
	/* Deliberately nothing but the defaults: this is the baseline. */
	if ((fl->ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		die_tls("SSL_CTX_new");
	if (SSL_CTX_use_certificate_chain_file(fl->ctx, cert) != 1)
		die_tls(cert);
	if (SSL_CTX_use_PrivateKey_file(fl->ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(fl->ctx) != 1)
		die_tls(key);
}

static void
conn_close(struct conn *c)
{
	SSL_free(c->ssl);
	/* Closing also takes the socket out of epoll. */
	if (close(c->fd) == -1 && errno != EINTR)
		die("close: %s", strerror(errno));
	if (c->file != -1 && close(c->file) == -1)
		die("close: %s", strerror(errno));
	free(c->chunk);
	free(c);
}

/* Waits for what OpenSSL asked: 0, or -1 when the connection is over. */
static int
wait_for(struct floor *fl, struct conn *c, int rc)
{
	struct epoll_event	 ev;
	int			 e = SSL_get_error(c->ssl, rc);

	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return -1;
	}
	ev.events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
	ev.data.ptr = c;
	if (ev.events != c->events &&
	    epoll_ctl(fl->epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	c->events = ev.events;
	return 0;
}

static int
step_read(struct floor *fl, struct conn *c)
{
	int	 n;

	n = SSL_read(c->ssl, c->line + c->linelen, (int)(sizeof(c->line) -
	    c->linelen));
	if (n <= 0)
		return wait_for(fl, c, n);
	c->linelen += (size_t)n;
	if (memchr(c->line, '\n', c->linelen) != NULL ||
	    c->linelen == sizeof(c->line))
		c->state = HEADER;
	return 1;
}

static int
step_header(struct floor *fl, struct conn *c)
{
	const char	*p = fl->page ? fl->page : FILE_HEADER;
	size_t		 len = fl->page ? fl->pagelen : strlen(FILE_HEADER);
	int		 n;

	n = SSL_write(c->ssl, p + c->pos, (int)(len - c->pos));
	if (n <= 0)
		return wait_for(fl, c, n);
	c->pos += (size_t)n;
	if (c->pos < len)
		return 1;
	if (fl->page != NULL) {
		c->state = SHUTDOWN;
		return 1;
	}
	if ((c->file = open(fl->path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (c->chunk = malloc(CHUNK)) == NULL)
		return -1;
	c->state = BODY;
	return 1;
}

static int
step_body(struct floor *fl, struct conn *c)
{
	ssize_t	 got;
	int	 n;

	if (c->clen == 0) {
		if ((got = read(c->file, c->chunk, CHUNK)) == -1)
			return errno == EINTR ? 1 : -1;
		if (got == 0) {
			c->state = SHUTDOWN;
			return 1;
		}
		c->clen = (size_t)got;
	}
	/* A retried SSL_write must be given the same buffer and length. */
	n = SSL_write(c->ssl, c->chunk, (int)c->clen);
	if (n <= 0)
		return wait_for(fl, c, n);
	c->clen = 0;
	return 1;
}

/* Sends close_notify and closes without waiting for the client's. */
static int
step_shutdown(struct floor *fl, struct conn *c)
{
	int	 rc = SSL_shutdown(c->ssl);

	if (rc < 0)
		return wait_for(fl, c, rc);
	return -1;
}

static int
step_handshake(struct floor *fl, struct conn *c)
{
	int	 rc = SSL_accept(c->ssl);

	if (rc != 1)
		return wait_for(fl, c, rc);
	c->state = READ;
	return 1;
}

static void
advance(struct floor *fl, struct conn *c)
{
	int	 rc;

	do {
		switch (c->state) {
		case HANDSHAKE:
			rc = step_handshake(fl, c);
			break;
		case READ:
			rc = step_read(fl, c);
			break;
		case HEADER:
			rc = step_header(fl, c);
			break;
		case BODY:
			rc = step_body(fl, c);
			break;
		case SHUTDOWN:
		default:
			rc = step_shutdown(fl, c);
			break;
		}
	} while (rc == 1);
	if (rc == -1)
		conn_close(c);
}

static void
new_conn(struct floor *fl, int fd)
{
	struct epoll_event	 ev;
	struct conn		*c;
	int			 one = 1;

	/*
	 * Like almanac and Go's net package: otherwise Nagle holds the
	 * answer behind the session tickets until a delayed ACK comes.
	 */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ==
	    -1) {
		if (close(fd) == -1)
			die("close: %s", strerror(errno));
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ssl = SSL_new(fl->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, fd) != 1)
		die_tls("SSL_new");
	c->fd = fd;
	c->file = -1;
	c->events = EPOLLIN;
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(fl->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	advance(fl, c);
}

/* Out of descriptors: pause rather than spin on the ready listener. */
static void
accept_all(struct floor *fl)
{
	struct timespec	 pause = { 0, 10 * 1000 * 1000 };
	int		 fd;

	for (;;) {
		fd = accept4(fl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			new_conn(fl, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			fprintf(stderr, "floor: accept: %s\n", strerror(errno));
			(void)nanosleep(&pause, NULL);
		} else if (errno != EAGAIN)
			die("accept: %s", strerror(errno));
		return;
	}
}

static void
serve(struct floor *fl)
{
	struct epoll_event	 evs[64], ev;
	int			 n, i;

	if ((fl->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(fl->epfd, EPOLL_CTL_ADD, fl->lfd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	for (;;) {
		if ((n = epoll_wait(fl->epfd, evs, 64, -1)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				accept_all(fl);
			else
				advance(fl, evs[i].data.ptr);
		}
	}
}

int
main(int argc, char *argv[])
{
	struct floor	 fl;
	const char	*listen_on = "127.0.0.1:1965", *cert = "cert.pem";
	const char	*key = "key.pem", *page = NULL;
	int		 ch;

	memset(&fl, 0, sizeof(fl));
	while ((ch = getopt_long(argc, argv, "l:c:k:p:f:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen_on = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'p':
			page = optarg;
			break;
		case 'f':
			fl.path = optarg;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || (page == NULL) == (fl.path == NULL)) {
		usage(stderr);
		return 1;
	}
	/* A client gone in the middle of a write must not kill the server. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal: %s", strerror(errno));
	if (page != NULL)
		read_page(&fl, page);
	else if (access(fl.path, R_OK) == -1)
		die("%s: %s", fl.path, strerror(errno));
	make_ctx(&fl, cert, key);
	open_listener(&fl, listen_on);
	serve(&fl);
	return 0;
}
