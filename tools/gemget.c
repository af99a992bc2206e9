/* gemget: small Gemini client for users and for almanac's integration tests. */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define VERSION		"gemget (almanac) 0.1"
#define DEFPORT		"1965"
#define METAMAX		1024
/* Longest valid header line: "DD" SP META CRLF. */
#define HDRMAX		(2 + 1 + METAMAX + 2)
#define MAXTIMEOUT	86400LL
#define MAXDELAY	3600000LL

/* Exit statuses; tests depend on these values. */
enum {
	RC_OK,
	RC_USAGE,	/* bad usage or a local problem (files, memory) */
	RC_CONN,
	RC_TLS,
	RC_TIMEOUT,
	RC_EMPTY,
	RC_MALFORMED
};

enum { OUT_ALL, OUT_HEADER, OUT_BODY };
enum { HDR_PENDING, HDR_OK, HDR_BAD };

enum {
	O_NOSNI = 256, O_RAWFILE, O_SPLIT, O_DELAY, O_NOSEND, O_TLSMIN,
	O_TLSMAX, O_CERT, O_KEY, O_SESSOUT, O_SESSIN, O_TITAN, O_TOKEN,
	O_DELETE, O_EDIT
};

struct opts {
	const char	*url;
	const char	*connect;
	const char	*sni;
	int		 nosni;
	const char	*raw;
	const char	*rawfile;
	long long	 split;
	long long	 delay;		/* -1 when not given */
	int		 nosend;
	int		 mode;
	int		 info;
	int		 tlsmin;
	int		 tlsmax;
	const char	*cert;
	const char	*key;
	const char	*sessin;
	const char	*sessout;
	long long	 timeout;
	const char	*output;
	const char	*titan;		/* --titan FILE: upload it */
	const char	*token;
	int		 delete;	/* --delete: upload nothing (size=0) */
	int		 edit;		/* --edit: fetch the raw page */
};

struct endpoint {
	char	host[NI_MAXHOST];
	char	port[6];
};

struct gem {
	SSL_CTX			*ctx;
	SSL			*ssl;
	SSL_SESSION		*resume;	/* from --sess-in */
	SSL_SESSION		*sess;		/* newest, for --sess-out */
	int			 fd;
	int			 out;
	int64_t			 deadline;	/* CLOCK_MONOTONIC ms */

	char			*req;
	size_t			 reqlen;
	size_t			 sent;
	size_t			 piece;
	int64_t			 delay;
	int64_t			 next;		/* time of the next piece */
	int			 sending;

	int			 mode;
	int			 hstate;
	char			 hdr[HDRMAX];
	size_t			 hdrlen;
	unsigned long long	 total;
	int			 notified;	/* close_notify received */
};

static const struct option longopts[] = {
	{ "connect",	required_argument,	NULL,	'c' },
	{ "sni",	required_argument,	NULL,	's' },
	{ "no-sni",	no_argument,		NULL,	O_NOSNI },
	{ "raw",	required_argument,	NULL,	'r' },
	{ "raw-file",	required_argument,	NULL,	O_RAWFILE },
	{ "split",	required_argument,	NULL,	O_SPLIT },
	{ "delay",	required_argument,	NULL,	O_DELAY },
	{ "no-send",	no_argument,		NULL,	O_NOSEND },
	{ "header",	no_argument,		NULL,	'H' },
	{ "body",	no_argument,		NULL,	'B' },
	{ "info",	no_argument,		NULL,	'i' },
	{ "tls-min",	required_argument,	NULL,	O_TLSMIN },
	{ "tls-max",	required_argument,	NULL,	O_TLSMAX },
	{ "cert",	required_argument,	NULL,	O_CERT },
	{ "key",	required_argument,	NULL,	O_KEY },
	{ "sess-out",	required_argument,	NULL,	O_SESSOUT },
	{ "sess-in",	required_argument,	NULL,	O_SESSIN },
	{ "titan",	required_argument,	NULL,	O_TITAN },
	{ "token",	required_argument,	NULL,	O_TOKEN },
	{ "delete",	no_argument,		NULL,	O_DELETE },
	{ "edit",	no_argument,		NULL,	O_EDIT },
	{ "timeout",	required_argument,	NULL,	't' },
	{ "output",	required_argument,	NULL,	'o' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 }
};

static void
usage(FILE *fp)
{
	fputs("usage: gemget [options] URL\n"
	    "       gemget --titan FILE | --delete | --edit [--token T] "
	    "titan://...\n"
	    "  -c, --connect HOST:PORT  connect here instead of the URL's "
	    "host ([IPv6]:PORT)\n"
	    "  -s, --sni NAME           send NAME as TLS server name\n"
	    "      --no-sni             send no TLS server name\n"
	    "  -r, --raw STRING         send STRING instead of \"URL\\r\\n\";"
	    " escapes:\n"
	    "                           \\r \\n \\t \\\\ \\0 \\xHH\n"
	    "      --raw-file FILE      send the bytes of FILE\n"
	    "      --split N            send the request in N-byte writes\n"
	    "      --delay MS           pause between pieces (default 50)\n"
	    "      --no-send            send nothing, just wait for the "
	    "server\n"
	    "  -H, --header             print only the header line\n"
	    "  -B, --body               print only the body\n"
	    "  -i, --info               print TLS details to stderr (with\n"
	    "                           the SHA-256 of the certificates and\n"
	    "                           of their public keys)\n"
	    "      --tls-min VER        lowest TLS version (1.0 1.1 1.2 1.3)\n"
	    "      --tls-max VER        highest TLS version\n"
	    "      --cert FILE          client certificate (PEM)\n"
	    "      --key FILE           client key (default: --cert FILE)\n"
	    "      --sess-in FILE       resume the TLS session in FILE\n"
	    "      --sess-out FILE      save the TLS session to FILE\n"
	    "      --titan FILE         upload FILE to the titan:// URL\n"
	    "      --delete             delete the page at the titan:// URL\n"
	    "      --edit               print the raw page at the titan:// "
	    "URL\n"
	    "      --token T            the Titan token to send\n"
	    "  -t, --timeout SEC        overall deadline (default 10)\n"
	    "  -o, --output FILE        write output to FILE\n"
	    "  -h, --help               show this help\n"
	    "  -V, --version            show the version\n"
	    "exit: 0 response, 1 usage, 2 connection, 3 TLS, 4 timeout,\n"
	    "      5 closed without response, 6 malformed header\n", fp);
}

static int fail(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static int
fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gemget: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

static int
short_usage(void)
{
	fputs("usage: gemget [options] URL (see gemget --help)\n", stderr);
	return RC_USAGE;
}

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gemget: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return short_usage();
}

/* Describe the failure of an SSL call; errno must be saved right after it. */
static const char *
tls_error(int sslerr, int syserr)
{
	static char buf[256];
	unsigned long e;

	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ERR_clear_error();
		return buf;
	}
	if (sslerr == SSL_ERROR_SYSCALL && syserr != 0)
		return strerror(syserr);
	if (sslerr == SSL_ERROR_SYSCALL)
		return "unexpected EOF";
	return "unknown TLS error";
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail on Linux; failure would be a bug. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		abort();
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events until the absolute time until: 1 ready, 0 time up. */
static int
wait_fd(int fd, short events, int64_t until)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	pfd.fd = fd;
	pfd.events = events;
	for (;;) {
		if ((left = until - now_ms()) <= 0)
			return 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

/* Wait for events within the overall deadline; 0 or an exit status. */
static int
await(struct gem *g, short events)
{
	switch (wait_fd(g->fd, events, g->deadline)) {
	case 1:
		return 0;
	case 0:
		return fail(RC_TIMEOUT, "timeout");
	default:
		return fail(RC_CONN, "poll: %s", strerror(errno));
	}
}

static int
parse_num(const char *s, long long min, long long max, long long *v)
{
	char *end;

	/* strtoll would accept leading blanks and signs. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < min || *v > max)
		return -1;
	return 0;
}

static int
parse_tlsver(const char *s, int *v)
{
	if (strcmp(s, "1.0") == 0)
		*v = TLS1_VERSION;
	else if (strcmp(s, "1.1") == 0)
		*v = TLS1_1_VERSION;
	else if (strcmp(s, "1.2") == 0)
		*v = TLS1_2_VERSION;
	else if (strcmp(s, "1.3") == 0)
		*v = TLS1_3_VERSION;
	else
		return -1;
	return 0;
}

/* Split "host[:port]" or "[v6]:port"; the port defaults to 1965. */
static int
parse_hostport(const char *s, size_t len, struct endpoint *ep)
{
	const char *host, *port, *end = s + len;
	size_t hlen, plen;
	long long n;

	if (len > 0 && *s == '[') {
		host = s + 1;
		if ((port = memchr(host, ']', len - 1)) == NULL)
			return -1;
		hlen = port++ - host;
		if (port != end && *port != ':')
			return -1;
	} else {
		host = s;
		if ((port = memchr(s, ':', len)) == NULL)
			port = end;
		hlen = port - host;
		/* An unbracketed IPv6 literal is ambiguous. */
		if (port != end &&
		    memchr(port + 1, ':', end - port - 1) != NULL)
			return -1;
	}
	if (hlen == 0 || hlen >= sizeof(ep->host))
		return -1;
	memcpy(ep->host, host, hlen);
	ep->host[hlen] = '\0';
	if (port != end)
		port++;
	if ((plen = end - port) == 0) {
		memcpy(ep->port, DEFPORT, sizeof(DEFPORT));
		return 0;
	}
	if (plen >= sizeof(ep->port))
		return -1;
	memcpy(ep->port, port, plen);
	ep->port[plen] = '\0';
	return parse_num(ep->port, 1, 65535, &n);
}

/* Find the host and port of scheme://[userinfo@]host[:port]/rest. */
static int
parse_url(const char *url, struct endpoint *ep)
{
	const char *p = url, *at;
	size_t len;

	if (p == NULL)
		return -1;
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		p += strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
		p = *p == ':' ? p + 1 : url;
	}
	if (strncmp(p, "//", 2) != 0)
		return -1;
	p += 2;
	len = strcspn(p, "/?#");
	if ((at = memrchr(p, '@', len)) != NULL) {
		len -= at + 1 - p;
		p = at + 1;
	}
	return parse_hostport(p, len, ep);
}

static int
parse_opt(int ch, const char *arg, struct opts *o)
{
	switch (ch) {
	case 'c':
		o->connect = arg;
		break;
	case 's':
		if (*arg == '\0')
			return usage_error("empty --sni name");
		o->sni = arg;
		break;
	case O_NOSNI:
		o->nosni = 1;
		break;
	case 'r':
		o->raw = arg;
		break;
	case O_RAWFILE:
		o->rawfile = arg;
		break;
	case O_SPLIT:
		if (parse_num(arg, 1, INT_MAX, &o->split) == -1)
			return usage_error("bad --split size: %s", arg);
		break;
	case O_DELAY:
		if (parse_num(arg, 0, MAXDELAY, &o->delay) == -1)
			return usage_error("bad --delay: %s", arg);
		break;
	case O_NOSEND:
		o->nosend = 1;
		break;
	case 'H':
	case 'B':
		if (o->mode != OUT_ALL)
			return usage_error("-H and -B conflict");
		o->mode = ch == 'H' ? OUT_HEADER : OUT_BODY;
		break;
	case 'i':
		o->info = 1;
		break;
	case O_TLSMIN:
		if (parse_tlsver(arg, &o->tlsmin) == -1)
			return usage_error("bad TLS version: %s", arg);
		break;
	case O_TLSMAX:
		if (parse_tlsver(arg, &o->tlsmax) == -1)
			return usage_error("bad TLS version: %s", arg);
		break;
	case O_CERT:
		o->cert = arg;
		break;
	case O_KEY:
		o->key = arg;
		break;
	case O_SESSIN:
		o->sessin = arg;
		break;
	case O_SESSOUT:
		o->sessout = arg;
		break;
	case O_TITAN:
		o->titan = arg;
		break;
	case O_TOKEN:
		o->token = arg;
		break;
	case O_DELETE:
		o->delete = 1;
		break;
	case O_EDIT:
		o->edit = 1;
		break;
	case 't':
		if (parse_num(arg, 1, MAXTIMEOUT, &o->timeout) == -1)
			return usage_error("bad --timeout: %s", arg);
		break;
	case 'o':
		o->output = arg;
		break;
	default:
		/* getopt_long has already named the offending option. */
		return short_usage();
	}
	return 0;
}

static int
check_titan(const struct opts *o)
{
	int	 titan = (o->titan != NULL) + o->delete + o->edit;

	if (titan > 1)
		return usage_error("--titan, --delete and --edit conflict");
	if (titan == 0 && o->token != NULL)
		return usage_error("--token needs --titan, --delete or --edit");
	if (titan == 1 && (o->raw != NULL || o->rawfile != NULL ||
	    o->nosend))
		return usage_error("Titan options conflict with --raw, "
		    "--raw-file and --no-send");
	if (titan == 1 && strncasecmp(o->url, "titan://", 8) != 0)
		return usage_error("a Titan request needs a titan:// URL, not "
		    "%s", o->url);
	return 0;
}

static int
check_opts(const struct opts *o)
{
	if (o->sni != NULL && o->nosni)
		return usage_error("--sni and --no-sni conflict");
	if (o->raw != NULL && o->rawfile != NULL)
		return usage_error("--raw and --raw-file conflict");
	if (o->nosend && (o->raw != NULL || o->rawfile != NULL ||
	    o->split != 0))
		return usage_error("--no-send conflicts with request options");
	if (o->delay != -1 && o->split == 0)
		return usage_error("--delay needs --split");
	if (o->key != NULL && o->cert == NULL)
		return usage_error("--key needs --cert");
	if (o->tlsmin != 0 && o->tlsmax != 0 && o->tlsmin > o->tlsmax)
		return usage_error("--tls-min is above --tls-max");
	return check_titan(o);
}

static int
parse_args(int argc, char *argv[], struct opts *o)
{
	int ch, rv;

	memset(o, 0, sizeof(*o));
	o->delay = -1;
	o->timeout = 10;
	while ((ch = getopt_long(argc, argv, "c:s:r:HBit:o:hV", longopts,
	    NULL)) != -1) {
		if (ch == 'h' || ch == 'V') {
			if (ch == 'h')
				usage(stdout);
			else
				puts(VERSION);
			exit(fflush(stdout) == 0 ? RC_OK : RC_USAGE);
		}
		if ((rv = parse_opt(ch, optarg, o)) != 0)
			return rv;
	}
	if (argc - optind != 1)
		return usage_error("exactly one URL is required");
	o->url = argv[optind];
	if (o->edit && o->mode == OUT_ALL)
		o->mode = OUT_BODY;	/* the raw page, to edit */
	return check_opts(o);
}

/* Literal addresses get no SNI (RFC 6066); a name can never hold ':'. */
static int
is_ip_literal(const char *host)
{
	struct in_addr in;

	return strchr(host, ':') != NULL || inet_pton(AF_INET, host, &in) == 1;
}

static int
pick_targets(const struct opts *o, struct endpoint *url, struct endpoint *dest,
    const char **sni)
{
	int urlok;

	urlok = parse_url(o->url, url) == 0;
	if (o->connect != NULL) {
		if (parse_hostport(o->connect, strlen(o->connect), dest) == -1)
			return usage_error("bad --connect address: %s",
			    o->connect);
	} else if (urlok)
		*dest = *url;
	else
		return usage_error("no usable host:port in URL "
		    "(use --connect): %s", o->url);

	if (o->nosni)
		*sni = NULL;
	else if (o->sni != NULL)
		*sni = o->sni;
	else
		*sni = urlok ? url->host : dest->host;
	if (*sni != NULL && o->sni == NULL && is_ip_literal(*sni))
		*sni = NULL;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode --raw escapes; the result is never longer than s. */
static int
unescape(const char *s, char *out, size_t *outlen)
{
	size_t n = 0;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case '\\':
			out[n++] = '\\';
			break;
		case '0':
			out[n++] = '\0';
			break;
		case 'x':
			if ((hi = hexval(s[1])) == -1 ||
			    (lo = hexval(s[2])) == -1)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			return -1;
		}
	}
	*outlen = n;
	return 0;
}

/* Read all of path; a loop rather than fstat so pipes and /dev/stdin work. */
static int
read_file(const char *path, char **buf, size_t *len)
{
	char *p = NULL, *np;
	size_t cap = 0, n = 0;
	ssize_t r;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (n == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((np = realloc(p, cap)) == NULL)
				goto fail;
			p = np;
		}
		if ((r = read(fd, p + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		n += r;
	}
	if (close(fd) == -1) {
		free(p);
		return -1;
	}
	*buf = p;
	*len = n;
	return 0;
fail:
	saved = errno;
	free(p);
	/* Read-only, so the read error is the one worth showing. */
	(void)close(fd);
	errno = saved;
	return -1;
}

/* What a page's name says it is: Titan's mime= parameter. */
static const char *
titan_mime(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot != NULL && (strcmp(dot, ".gmi") == 0 ||
	    strcmp(dot, ".gemini") == 0))
		return "text/gemini";
	if (dot != NULL && (strcmp(dot, ".txt") == 0 || strcmp(dot, ".md") ==
	    0))
		return "text/plain";
	return "application/octet-stream";
}

/* The token percent-encoded, all but the unreserved characters. */
static void
append_token(char *out, size_t *n, const char *token)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *token != '\0'; token++) {
		c = (unsigned char)*token;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			out[(*n)++] = (char)c;
			continue;
		}
		out[(*n)++] = '%';
		out[(*n)++] = hex[c >> 4];
		out[(*n)++] = hex[c & 15];
	}
}

/* "URL;size=N;mime=TYPE;token=T" CRLF and the file, or ";edit". */
static int
build_titan(struct gem *g, const struct opts *o)
{
	char *body = NULL, *req;
	size_t blen = 0, cap, n;

	if (o->titan != NULL && read_file(o->titan, &body, &blen) == -1)
		return fail(RC_USAGE, "%s: %s", o->titan, strerror(errno));
	cap = strlen(o->url) + 64 + (o->titan ? strlen(titan_mime(o->titan))
	    : 0) + (o->token ? 3 * strlen(o->token) : 0) + blen;
	if ((req = malloc(cap)) == NULL) {
		free(body);
		return fail(RC_USAGE, "malloc: %s", strerror(errno));
	}
	if (o->edit)
		n = (size_t)snprintf(req, cap, "%s;edit", o->url);
	else
		n = (size_t)snprintf(req, cap, "%s;size=%zu;mime=%s", o->url,
		    blen, o->titan ? titan_mime(o->titan) :
		    "application/octet-stream");
	if (o->token != NULL) {
		n += (size_t)snprintf(req + n, cap - n, ";token=");
		append_token(req, &n, o->token);
	}
	req[n++] = '\r';
	req[n++] = '\n';
	if (blen > 0)
		memcpy(req + n, body, blen);
	free(body);
	g->req = req;
	g->reqlen = n + blen;
	return 0;
}

static int
build_request(struct gem *g, const struct opts *o)
{
	size_t len;
	int rv;

	if (o->titan != NULL || o->delete || o->edit) {
		if ((rv = build_titan(g, o)) != 0)
			return rv;
	} else if (o->rawfile != NULL) {
		if (read_file(o->rawfile, &g->req, &g->reqlen) == -1)
			return fail(RC_USAGE, "%s: %s", o->rawfile,
			    strerror(errno));
	} else if (o->raw != NULL) {
		if ((g->req = malloc(strlen(o->raw) + 1)) == NULL)
			return fail(RC_USAGE, "malloc: %s", strerror(errno));
		if (unescape(o->raw, g->req, &g->reqlen) == -1)
			return usage_error("bad escape in --raw: %s", o->raw);
	} else if (!o->nosend && o->url != NULL) {
		len = strlen(o->url);
		if ((g->req = malloc(len + 2)) == NULL)
			return fail(RC_USAGE, "malloc: %s", strerror(errno));
		memcpy(g->req, o->url, len);
		memcpy(g->req + len, "\r\n", 2);
		g->reqlen = len + 2;
	}
	g->sending = g->reqlen > 0;
	/* Unsplit requests go in one SSL_write, which takes an int. */
	g->piece = o->split != 0 ? (size_t)o->split : INT_MAX;
	if (o->split != 0)
		g->delay = o->delay == -1 ? 50 : o->delay;
	return 0;
}

static int
open_output(struct gem *g, const char *path)
{
	if (path == NULL)
		return 0;
	if ((g->out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) == -1)
		return fail(RC_USAGE, "%s: %s", path, strerror(errno));
	return 0;
}

static int
out_write(struct gem *g, const char *buf, size_t len)
{
	ssize_t r;

	while (len > 0) {
		if ((r = write(g->out, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return fail(-1, "write: %s", strerror(errno));
		}
		buf += r;
		len -= r;
	}
	return 0;
}

/* Keep the newest session; with TLS 1.3 tickets arrive after the handshake. */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct gem *g = SSL_get_app_data(ssl);

	SSL_SESSION_free(g->sess);
	g->sess = sess;
	return 1;
}

static int
ssl_fail(int code, const char *what)
{
	return fail(code, "%s: %s", what, tls_error(SSL_ERROR_SSL, 0));
}

static int
set_versions(SSL_CTX *ctx, const struct opts *o)
{
	if (o->tlsmin != 0 && !SSL_CTX_set_min_proto_version(ctx, o->tlsmin))
		return ssl_fail(RC_USAGE, "--tls-min");
	if (o->tlsmax != 0 && !SSL_CTX_set_max_proto_version(ctx, o->tlsmax))
		return ssl_fail(RC_USAGE, "--tls-max");
	if ((o->tlsmin != 0 && o->tlsmin < TLS1_2_VERSION) ||
	    (o->tlsmax != 0 && o->tlsmax < TLS1_2_VERSION)) {
		/*
		 * TLS 1.0/1.1 and their ciphers are disabled at the default
		 * security level; lower it so they can at least be offered.
		 */
		SSL_CTX_set_security_level(ctx, 0);
		if (!SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"))
			return ssl_fail(RC_USAGE, "cipher list");
	}
	return 0;
}

static int
make_ctx(struct gem *g, const struct opts *o)
{
	const char *key = o->key != NULL ? o->key : o->cert;
	int rv;

	if ((g->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return ssl_fail(RC_USAGE, "SSL_CTX_new");
	/* Gemini is trust-on-first-use: self-signed certificates are normal. */
	SSL_CTX_set_verify(g->ctx, SSL_VERIFY_NONE, NULL);
	if ((rv = set_versions(g->ctx, o)) != 0)
		return rv;
	if (o->cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(g->ctx, o->cert) != 1)
			return ssl_fail(RC_USAGE, o->cert);
		if (SSL_CTX_use_PrivateKey_file(g->ctx, key,
		    SSL_FILETYPE_PEM) != 1)
			return ssl_fail(RC_USAGE, key);
		if (SSL_CTX_check_private_key(g->ctx) != 1)
			return ssl_fail(RC_USAGE, key);
	}
	if (o->sessout != NULL) {
		/* The callback only fires with client caching on. */
		SSL_CTX_set_session_cache_mode(g->ctx,
		    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(g->ctx, new_session);
	}
	return 0;
}

/*
 * Connect to one address within the deadline: 0 when connected, -1 with
 * *err set and no socket left open to try the next one, or an exit status.
 */
static int
try_connect(struct gem *g, const struct addrinfo *ai, int *err)
{
	socklen_t len = sizeof(*err);
	int rv;

	if ((g->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol)) == -1) {
		*err = errno;
		return -1;
	}
	if (connect(g->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	*err = errno;
	if (*err == EINPROGRESS) {
		if ((rv = await(g, POLLOUT)) != 0)
			return rv;
		if (getsockopt(g->fd, SOL_SOCKET, SO_ERROR, err, &len) == -1)
			*err = errno;
		if (*err == 0)
			return 0;
	}
	/* The connect error is the one worth reporting. */
	(void)close(g->fd);
	g->fd = -1;
	return -1;
}

static int
dial(struct gem *g, const struct endpoint *ep, int nodelay)
{
	struct addrinfo hints, *res, *ai;
	int error, err = 0, one = 1, rv = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((error = getaddrinfo(ep->host, ep->port, &hints, &res)) != 0)
		return fail(RC_CONN, "%s: %s", ep->host,
		    error == EAI_SYSTEM ? strerror(errno) :
		    gai_strerror(error));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((rv = try_connect(g, ai, &err)) != -1)
			break;
	}
	freeaddrinfo(res);
	if (rv == -1)
		return fail(RC_CONN, "connect to %s port %s: %s", ep->host,
		    ep->port, strerror(err));
	if (rv != 0)
		return rv;
	/* Without it, Nagle would merge the pieces of a split request. */
	if (nodelay && setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		return fail(RC_CONN, "setsockopt: %s", strerror(errno));
	return 0;
}

static int
load_session(struct gem *g, const char *path)
{
	FILE *fp;

	if (path == NULL)
		return 0;
	if ((fp = fopen(path, "r")) == NULL)
		return fail(RC_USAGE, "%s: %s", path, strerror(errno));
	g->resume = PEM_read_SSL_SESSION(fp, NULL, NULL, NULL);
	if (fclose(fp) == EOF)
		return fail(RC_USAGE, "%s: %s", path, strerror(errno));
	return g->resume == NULL ? ssl_fail(RC_USAGE, path) : 0;
}

static int
start_tls(struct gem *g, const char *sni)
{
	if ((g->ssl = SSL_new(g->ctx)) == NULL)
		return ssl_fail(RC_USAGE, "SSL_new");
	if (SSL_set_fd(g->ssl, g->fd) != 1)
		return ssl_fail(RC_USAGE, "SSL_set_fd");
	if (SSL_set_app_data(g->ssl, g) != 1)
		return ssl_fail(RC_USAGE, "SSL_set_app_data");
	if (sni != NULL && SSL_set_tlsext_host_name(g->ssl, sni) != 1)
		return ssl_fail(RC_USAGE, "server name");
	if (g->resume != NULL && SSL_set_session(g->ssl, g->resume) != 1)
		return ssl_fail(RC_USAGE, "SSL_set_session");
	return 0;
}

static int
handshake(struct gem *g)
{
	int r, err, syserr, rv;
	short ev;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_connect(g->ssl)) == 1)
			return 0;
		syserr = errno;
		switch (err = SSL_get_error(g->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			ev = POLLIN;
			break;
		case SSL_ERROR_WANT_WRITE:
			ev = POLLOUT;
			break;
		default:
			return fail(RC_TLS, "handshake failed: %s",
			    tls_error(err, syserr));
		}
		if ((rv = await(g, ev)) != 0)
			return rv;
	}
}

/* A valid header is "DD" SP META CR LF, with no CR inside META. */
static int
valid_header(const char *h, size_t lf)
{
	return lf >= 4 && h[lf - 1] == '\r' &&
	    h[0] >= '0' && h[0] <= '9' && h[1] >= '0' && h[1] <= '9' &&
	    h[2] == ' ' && memchr(h + 3, '\r', lf - 4) == NULL;
}

/* Pass response bytes to the output according to the mode. */
static int
feed(struct gem *g, const char *buf, size_t n)
{
	size_t before = g->hdrlen, take, lf, skip;
	const char *nl;

	g->total += n;
	if (g->mode == OUT_ALL && out_write(g, buf, n) == -1)
		return -1;
	if (g->hstate != HDR_PENDING)
		return g->hstate == HDR_OK && g->mode == OUT_BODY ?
		    out_write(g, buf, n) : 0;
	take = n < HDRMAX - before ? n : HDRMAX - before;
	memcpy(g->hdr + before, buf, take);
	g->hdrlen += take;
	if ((nl = memchr(g->hdr + before, '\n', take)) == NULL) {
		if (g->hdrlen == HDRMAX)
			g->hstate = HDR_BAD;
		return 0;
	}
	lf = nl - g->hdr;
	if (!valid_header(g->hdr, lf)) {
		g->hstate = HDR_BAD;
		return 0;
	}
	g->hstate = HDR_OK;
	if (g->mode == OUT_HEADER)
		return out_write(g, g->hdr, lf - 1) == -1 ? -1 :
		    out_write(g, "\n", 1);
	if (g->mode == OUT_BODY) {
		/* hdr mirrors the stream, so the body starts after lf. */
		skip = lf + 1 - before;
		return out_write(g, buf + skip, n - skip);
	}
	return 0;
}

/* Write due pieces of the request; returns when it next wants the clock. */
static int64_t
send_step(struct gem *g, short *ev)
{
	size_t len;
	int r, err, syserr;

	while (g->sending && now_ms() >= g->next) {
		len = g->reqlen - g->sent;
		if (len > g->piece)
			len = g->piece;
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_write(g->ssl, g->req + g->sent, (int)len)) <= 0) {
			syserr = errno;
			switch (err = SSL_get_error(g->ssl, r)) {
			case SSL_ERROR_WANT_READ:
				*ev |= POLLIN;
				return g->deadline;
			case SSL_ERROR_WANT_WRITE:
				*ev |= POLLOUT;
				return g->deadline;
			}
			/*
			 * The server may have answered and hung up early:
			 * stop sending but still read what it sent.
			 */
			fail(0, "send: %s", tls_error(err, syserr));
			g->sending = 0;
			break;
		}
		g->sent += r;
		if (g->sent == g->reqlen)
			g->sending = 0;
		else
			g->next = now_ms() + g->delay;
	}
	return g->sending && g->next < g->deadline ? g->next : g->deadline;
}

static int
finish(struct gem *g)
{
	if (g->hstate == HDR_PENDING && g->total == 0)
		return fail(RC_EMPTY, "closed without response");
	if (g->hstate != HDR_OK)
		return fail(RC_MALFORMED, "malformed header");
	return RC_OK;
}

/* The stream ended without close_notify; decide how bad that is. */
static int
read_end(struct gem *g, int sslerr, int syserr)
{
	unsigned long e = ERR_peek_error();

	/* Many servers just close the socket: treat that as the end. */
	if (sslerr == SSL_ERROR_SSL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		ERR_clear_error();
		return finish(g);
	}
	if (sslerr == SSL_ERROR_SSL && g->total == 0)
		return fail(RC_TLS, "tls error: %s", tls_error(sslerr, syserr));
	fail(0, "read: %s", tls_error(sslerr, syserr));
	return finish(g);
}

/* Read what is available: -1 to wait for more, else an exit status. */
static int
recv_step(struct gem *g, short *ev)
{
	char buf[16384];
	int r, err, syserr;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_read(g->ssl, buf, sizeof(buf))) > 0) {
			if (feed(g, buf, r) == -1)
				return RC_USAGE;
			continue;
		}
		syserr = errno;
		switch (err = SSL_get_error(g->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			*ev |= POLLIN;
			return -1;
		case SSL_ERROR_WANT_WRITE:
			*ev |= POLLOUT;
			return -1;
		case SSL_ERROR_ZERO_RETURN:
			/*
			 * Only a close_notify gets here; SSL_get_shutdown()
			 * would also report a fatal alert as a shutdown.
			 */
			g->notified = 1;
			return finish(g);
		default:
			return read_end(g, err, syserr);
		}
	}
}

/*
 * Send and receive at the same time: a server may answer (and close)
 * before a slow or oversized request is fully sent.
 */
static int
exchange(struct gem *g)
{
	int64_t until;
	short ev;
	int rv;

	for (;;) {
		ev = 0;
		until = send_step(g, &ev);
		if ((rv = recv_step(g, &ev)) != -1)
			return rv;
		if ((rv = wait_fd(g->fd, ev, until)) == -1)
			return fail(RC_CONN, "poll: %s", strerror(errno));
		if (rv == 0 && until == g->deadline)
			return fail(RC_TIMEOUT, "timeout");
	}
}

/*
 * SHA-256 of a certificate's DER, or of its public key's (the
 * SubjectPublicKeyInfo, which Lagrange and Amfora pin and almanac logs),
 * in lower-case hex: the form almanac's allow lists take.
 */
static const char *
fingerprint(X509 *cert, int spki, char hex[2 * EVP_MAX_MD_SIZE + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int len, i;
	int derlen, ok;

	if (cert == NULL)
		return "none";
	if (spki) {
		derlen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
		ok = derlen > 0 && EVP_Digest(der, derlen, md, &len,
		    EVP_sha256(), NULL) == 1;
		OPENSSL_free(der);
	} else
		ok = X509_digest(cert, EVP_sha256(), md, &len) == 1;
	if (!ok) {
		ERR_clear_error();
		return "error";
	}
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * (size_t)i, 3, "%02x", md[i]);
	return hex;
}

static void
print_info(struct gem *g)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	X509 *peer = SSL_get0_peer_certificate(g->ssl);
	X509 *mine = SSL_get_certificate(g->ssl);

	fprintf(stderr, "tls-version: %s\n", SSL_get_version(g->ssl));
	fprintf(stderr, "cipher: %s\n", SSL_get_cipher_name(g->ssl));
	fprintf(stderr, "close-notify: %s\n", g->notified ? "yes" : "no");
	fprintf(stderr, "bytes: %llu\n", g->total);
	fprintf(stderr, "peer-sha256: %s\n", fingerprint(peer, 0, hex));
	fprintf(stderr, "peer-spki-sha256: %s\n", fingerprint(peer, 1, hex));
	/* The --cert certificate, offered when the server asks for one. */
	if (mine != NULL) {
		fprintf(stderr, "client-sha256: %s\n",
		    fingerprint(mine, 0, hex));
		fprintf(stderr, "client-spki-sha256: %s\n",
		    fingerprint(mine, 1, hex));
	}
	fprintf(stderr, "resumed: %s\n",
	    SSL_session_reused(g->ssl) ? "yes" : "no");
}

static int
save_session(struct gem *g, const char *path)
{
	FILE *fp;
	int fd, ok;

	if (g->sess == NULL)
		return fail(RC_OK, "no session to save in %s", path);
	/* The file holds the session's master secret. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return fail(RC_USAGE, "%s: %s", path, strerror(errno));
	if ((fp = fdopen(fd, "w")) == NULL) {
		fail(0, "%s: %s", path, strerror(errno));
		(void)close(fd);	/* already failing */
		return RC_USAGE;
	}
	ok = PEM_write_SSL_SESSION(fp, g->sess);
	if (fclose(fp) == EOF)
		return fail(RC_USAGE, "%s: %s", path, strerror(errno));
	return ok == 1 ? 0 : ssl_fail(RC_USAGE, path);
}

static int
run(struct gem *g, const struct opts *o)
{
	struct endpoint url, dest;
	const char *sni = NULL;
	int rv, srv;

	if ((rv = pick_targets(o, &url, &dest, &sni)) != 0 ||
	    (rv = build_request(g, o)) != 0 ||
	    (rv = open_output(g, o->output)) != 0 ||
	    (rv = make_ctx(g, o)) != 0 ||
	    (rv = load_session(g, o->sessin)) != 0)
		return rv;
	g->mode = o->mode;
	g->deadline = now_ms() + o->timeout * 1000;
	if ((rv = dial(g, &dest, o->split != 0)) != 0 ||
	    (rv = start_tls(g, sni)) != 0 ||
	    (rv = handshake(g)) != 0)
		return rv;
	rv = exchange(g);
	if (o->info)
		print_info(g);
	/* Answering close_notify is courtesy; the server may be gone. */
	if (g->notified && SSL_shutdown(g->ssl) < 0)
		ERR_clear_error();
	if (o->sessout != NULL && (srv = save_session(g, o->sessout)) != 0 &&
	    rv == RC_OK)
		rv = srv;
	return rv;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct gem g;
	int rv;

	if ((rv = parse_args(argc, argv, &o)) != 0)
		return rv;
	/* Write errors on a dead connection must not kill us. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return fail(RC_USAGE, "signal: %s", strerror(errno));
	memset(&g, 0, sizeof(g));
	g.fd = -1;
	g.out = STDOUT_FILENO;
	rv = run(&g, &o);
	SSL_free(g.ssl);
	SSL_SESSION_free(g.sess);
	SSL_SESSION_free(g.resume);
	SSL_CTX_free(g.ctx);
	free(g.req);
	if (g.fd != -1 && close(g.fd) == -1 && rv == RC_OK)
		rv = fail(RC_CONN, "close: %s", strerror(errno));
	/* Delayed write errors (NFS, full disk) show up at close. */
	if (g.out != STDOUT_FILENO && close(g.out) == -1 && rv == RC_OK)
		rv = fail(RC_USAGE, "%s: %s", o.output, strerror(errno));
	return rv;
}
