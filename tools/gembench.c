/* gembench: closed-loop Gemini load generator: one TLS connection per request, latency, throughput and server cost. */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define VERSION		"gembench (almanac) 0.1"
#define DEFPORT		"1965"
#define MAXSECONDS	86400.0
#define MAXTHREADS	64
#define MAXCONNS	1000000L
#define MAX_CONNECT	16		/* --connect addresses */
#define IDLE_WAIT_NS	(120 * NS)	/* longest wait for the idle connections */
#define IDLE_OPENING	64		/* idle handshakes in flight per thread */
#define IDLE_BACKOFF_NS	(100 * MS)	/* after an idle connection failed */
#define ERR_PAUSE_NS	(10 * MS)	/* after a failed request */
#define SCAN_NS		(10 * MS)	/* deadline scan period */
#define SAMPLE_NS	(100 * MS)	/* server memory sampling period */
#define NS		1000000000LL
#define MS		1000000LL
#define RDBUF		65536
#define NEVER		INT64_MAX

/*
 * PH_IDLE opens the idle connections while the requests rest, so that
 * they get the whole machine; PH_SETTLE runs both before measuring.
 */
enum phase { PH_WARMUP, PH_IDLE, PH_SETTLE, PH_MEASURE, PH_DONE };
enum output { OUT_TEXT, OUT_CSV, OUT_JSON };
enum state { S_OFF, S_PAUSE, S_CONNECT, S_HANDSHAKE, S_SEND, S_RECV, S_HELD };
enum errkind { E_CONNECT, E_TLS, E_TIMEOUT, E_STATUS, E_TRUNCATED, E_COUNT };

enum {
	O_CONNECT = 256, O_SNI, O_RESUME, O_NAGLE, O_IDLE, O_TIMEOUT,
	O_URLFILE, O_PID, O_CSV, O_JSON, O_PROXY_V2, O_CONNECT_PROXY
};

struct opts {
	long		 conns;
	long		 threads;
	long		 idle;
	double		 duration;
	double		 warmup;
	double		 timeout;
	int		 resume;
	int		 nagle;		/* leave Nagle's algorithm on */
	const char	*connect[MAX_CONNECT];	/* URL i goes to [i % n] */
	int		 connect_proxy[MAX_CONNECT];	/* a PROXY v2 header there */
	size_t		 nconnect;
	int		 proxy_v2;	/* a PROXY v2 header on every connection */
	const char	*sni;
	const char	*urlfile;
	long		 pid;		/* 0: no server to watch */
	enum output	 out;
};

/* Where a URL's requests go: its own host and port, or --connect. */
struct target {
	char			 key[300];	/* host, port, URL host: shared */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 sni[256];	/* "" for none */
	int			 proxy_v2;	/* connections start with a PROXY v2 header */
};

struct req {
	char		*data;			/* "URL\r\n" */
	size_t		 len;
	size_t		 target;		/* index in bench.targets */
};

struct bench {
	struct opts		 o;
	SSL_CTX			*ctx;
	struct target		*targets;
	size_t			 ntargets;
	struct req		*reqs;
	size_t			 nreqs;
	int64_t			 timeout_ns;
	atomic_int		 phase;
	atomic_long		 idle_up;	/* idle connections established */
};

struct stats {
	uint64_t	 requests;
	uint64_t	 resumed;
	uint64_t	 bytes;
	uint64_t	 errors[E_COUNT];
	uint64_t	 idle_reopened;
	uint64_t	 idle_failed;
	uint32_t	*lat;		/* microseconds */
	size_t		 nlat, caplat;
};

struct worker;

struct slot {
	struct worker	*w;
	int		 fd;
	SSL		*ssl;
	enum state	 state;
	int		 idle;
	int64_t		 start;
	int64_t		 deadline;
	SSL_SESSION	*sess;		/* newest, for --resume */
	const struct req *req;
	char		 head[2];
	size_t		 got;
};

struct worker {
	struct bench	*b;
	pthread_t	 thread;
	int		 epfd;
	int		 failed;
	struct slot	*slots;
	size_t		 nactive, nidle;
	struct slot	**closed;	/* idle slots waiting to be opened */
	size_t		 nclosed;
	size_t		 opening;
	int64_t		 idle_pause;
	size_t		 next_req;
	int64_t		 last_scan;
	struct stats	 st;
	char		 buf[RDBUF];
};

struct result {
	double		 seconds;
	double		 cpu_s;
	long		 rss_base_kb, rss_kb, rss_peak_kb, hwm_kb;
	long		 idle_held;
	struct stats	 st;
};

static const struct option longopts[] = {
	{ "connections",	required_argument,	NULL,	'c' },
	{ "duration",		required_argument,	NULL,	'd' },
	{ "warmup",		required_argument,	NULL,	'w' },
	{ "threads",		required_argument,	NULL,	't' },
	{ "connect",		required_argument,	NULL,	O_CONNECT },
	{ "connect-proxy",	required_argument,	NULL,	O_CONNECT_PROXY },
	{ "proxy-v2",		no_argument,		NULL,	O_PROXY_V2 },
	{ "sni",		required_argument,	NULL,	O_SNI },
	{ "resume",		no_argument,		NULL,	O_RESUME },
	{ "nagle",		no_argument,		NULL,	O_NAGLE },
	{ "idle",		required_argument,	NULL,	O_IDLE },
	{ "timeout",		required_argument,	NULL,	O_TIMEOUT },
	{ "url-file",		required_argument,	NULL,	O_URLFILE },
	{ "pid",		required_argument,	NULL,	O_PID },
	{ "csv",		no_argument,		NULL,	O_CSV },
	{ "json",		no_argument,		NULL,	O_JSON },
	{ "help",		no_argument,		NULL,	'h' },
	{ "version",		no_argument,		NULL,	'V' },
	{ NULL,			0,			NULL,	0 }
};

static void
usage(FILE *fp)
{
	fputs("usage: gembench [options] URL...\n"
	    "Closed-loop load for a Gemini server: each of N connections sends"
	    " one request\non a new TCP+TLS connection, reads the answer to "
	    "the end and starts again,\ngoing round the URLs in turn. A "
	    "request is an error unless its answer starts\nwith \"20\" and "
	    "ends with a TLS close_notify. URLs may name different\n"
	    "servers, which then share the load request by request (two "
	    "servers compared\nunder the same conditions).\n\n"
	    "  -c, --connections N  concurrent requests (default 10)\n"
	    "  -d, --duration S     seconds measured (default 10)\n"
	    "  -w, --warmup S       seconds of load before measuring (default"
	    " 1)\n"
	    "  -t, --threads N      worker threads (default 1)\n"
	    "      --connect HOST:PORT  connect here instead of each URL's "
	    "host and port;\n"
	    "                       given N times, the Nth URL (and every "
	    "Nth after it)\n"
	    "                       goes to the Nth address\n"
	    "      --connect-proxy HOST:PORT  the same, and each connection "
	    "there starts\n"
	    "                       with a PROXY protocol v2 header, as "
	    "HAProxy's send-proxy-v2\n"
	    "      --proxy-v2       a PROXY v2 header on every connection\n"
	    "      --sni NAME       TLS server name (default: the URL's host,"
	    " none for\n"
	    "                       an IP address)\n"
	    "      --resume         resume TLS sessions: each connection slot"
	    " keeps the\n"
	    "                       newest session it was given\n"
	    "      --nagle          leave Nagle's algorithm on (no "
	    "TCP_NODELAY), as many\n"
	    "                       clients do\n"
	    "      --idle N         also hold N idle connections (TLS "
	    "handshake done,\n"
	    "                       nothing sent), reopened when the server "
	    "closes them;\n"
	    "                       they open after the warm-up while the "
	    "requests rest\n"
	    "                       (120 s at most), then the warm-up is run"
	    " again\n"
	    "      --timeout S      deadline of one request, connect to "
	    "close (default 30)\n"
	    "      --url-file FILE  read URLs from FILE, one a line (# "
	    "comments)\n"
	    "      --pid PID        the server's process: report its CPU "
	    "time per request\n"
	    "                       (/proc/PID/stat, all threads) and its "
	    "memory\n"
	    "      --csv            print a CSV header line and a line of "
	    "results\n"
	    "      --json           print the results as one JSON line\n"
	    "  -h, --help           show this help\n"
	    "  -V, --version        show the version\n"
	    "With --csv or --json the readable report goes to stderr. Fields:"
	    " seconds\nrequests rps errors err_connect err_tls err_timeout "
	    "err_status\nerr_truncated bytes mb_per_s p50_ms p99_ms p999_ms "
	    "resumed connections idle\nidle_held idle_reopened idle_failed "
	    "cpu_s cpu_us_per_req cpu_ns_per_byte\nrss_base_kb rss_kb "
	    "rss_peak_kb hwm_kb (the last seven empty without --pid;\n"
	    "rss_base_kb is sampled after the warm-up, before the idle "
	    "connections).\n", fp);
}

static void die(const char *, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("gembench: ", stderr);
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

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	/* CLOCK_MONOTONIC cannot fail on Linux; failure would be a bug. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		abort();
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void
sleep_ns(int64_t ns)
{
	struct timespec	 ts;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / NS);
	ts.tv_nsec = (long)(ns % NS);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void *
xrealloc(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		die("out of memory");
	if ((p = realloc(p, n * size)) == NULL)
		die("out of memory");
	return p;
}

/* Options */

static long
parse_long(const char *opt, const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < min ||
	    v > max)
		die("bad %s: %s (%ld to %ld)", opt, s, min, max);
	return v;
}

static double
parse_seconds(const char *opt, const char *s, double min)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < min ||
	    v > MAXSECONDS)
		die("bad %s: %s (seconds, %g to %g)", opt, s, min, MAXSECONDS);
	return v;
}

static void
parse_opt(int ch, const char *arg, struct opts *o)
{
	switch (ch) {
	case 'c':
		o->conns = parse_long("--connections", arg, 1, MAXCONNS);
		break;
	case 'd':
		o->duration = parse_seconds("--duration", arg, 0.1);
		break;
	case 'w':
		o->warmup = parse_seconds("--warmup", arg, 0);
		break;
	case 't':
		o->threads = parse_long("--threads", arg, 1, MAXTHREADS);
		break;
	case O_CONNECT:
	case O_CONNECT_PROXY:
		if (o->nconnect == MAX_CONNECT)
			die("at most %d --connect addresses", MAX_CONNECT);
		o->connect_proxy[o->nconnect] = ch == O_CONNECT_PROXY;
		o->connect[o->nconnect++] = arg;
		break;
	case O_PROXY_V2:
		o->proxy_v2 = 1;
		break;
	case O_SNI:
		o->sni = arg;
		break;
	case O_RESUME:
		o->resume = 1;
		break;
	case O_NAGLE:
		o->nagle = 1;
		break;
	case O_IDLE:
		o->idle = parse_long("--idle", arg, 0, MAXCONNS);
		break;
	case O_TIMEOUT:
		o->timeout = parse_seconds("--timeout", arg, 0.01);
		break;
	case O_URLFILE:
		o->urlfile = arg;
		break;
	case O_PID:
		o->pid = parse_long("--pid", arg, 1, INT_MAX);
		break;
	case O_CSV:
	case O_JSON:
		o->out = ch == O_CSV ? OUT_CSV : OUT_JSON;
		break;
	default:
		fputs("usage: gembench [options] URL... (see gembench "
		    "--help)\n", stderr);
		exit(1);
	}
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->conns = 10;
	o->threads = 1;
	o->duration = 10;
	o->warmup = 1;
	o->timeout = 30;
	while ((ch = getopt_long(argc, argv, "c:d:w:t:hV", longopts, NULL)) !=
	    -1) {
		if (ch == 'h' || ch == 'V') {
			if (ch == 'h')
				usage(stdout);
			else
				puts(VERSION);
			exit(fflush(stdout) == 0 ? 0 : 1);
		}
		parse_opt(ch, optarg, o);
	}
	if (o->sni != NULL && (*o->sni == '\0' || strlen(o->sni) >= 256))
		die("bad --sni name");
}

/* URLs */

static void
add_url(struct bench *b, const char *url, size_t len)
{
	struct req	*r;

	b->reqs = xrealloc(b->reqs, b->nreqs + 1, sizeof(*b->reqs));
	r = &b->reqs[b->nreqs++];
	r->data = xrealloc(NULL, len + 2, 1);
	memcpy(r->data, url, len);
	memcpy(r->data + len, "\r\n", 2);
	r->len = len + 2;
}

static void
read_url_file(struct bench *b, const char *path)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	 cap = 0, len;
	ssize_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, fp)) != -1) {
		len = strcspn(line, "\r\n");
		if (len > 0 && line[0] != '#')
			add_url(b, line, len);
	}
	if (ferror(fp))
		die("%s: %s", path, strerror(errno));
	free(line);
	if (fclose(fp) == EOF)
		die("%s: %s", path, strerror(errno));
}

/* Split "host[:port]" or "[v6]:port"; the port defaults to 1965. */
static int
split_hostport(const char *s, size_t len, char *host, size_t hostsz,
    char *port, size_t portsz)
{
	const char	*end = s + len, *colon;
	size_t		 hlen;

	if (len > 0 && *s == '[') {
		if ((colon = memchr(s, ']', len)) == NULL)
			return -1;
		hlen = (size_t)(colon - s - 1);
		s++;
		colon++;
		if (colon != end && *colon != ':')
			return -1;
	} else {
		colon = memchr(s, ':', len);
		hlen = (size_t)((colon != NULL ? colon : end) - s);
		if (colon == NULL)
			colon = end;
	}
	if (hlen == 0 || hlen >= hostsz ||
	    (colon < end && (size_t)(end - colon - 1) >= portsz))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (colon >= end || colon + 1 == end)
		snprintf(port, portsz, "%s", DEFPORT);
	else {
		memcpy(port, colon + 1, (size_t)(end - colon - 1));
		port[end - colon - 1] = '\0';
	}
	return 0;
}

/* The host and port of scheme://host[:port]/... */
static int
url_hostport(const char *url, size_t len, char *host, size_t hostsz,
    char *port, size_t portsz)
{
	const char	*p = memchr(url, ':', len), *end = url + len;
	size_t		 n;

	if (p == NULL || end - p < 3 || strncmp(p, "://", 3) != 0)
		return -1;
	p += 3;
	n = strcspn(p, "/?#\r");
	if (p + n > end)
		n = (size_t)(end - p);
	return split_hostport(p, n, host, hostsz, port, portsz);
}

static int
is_ip_literal(const char *host)
{
	struct in6_addr	 a;

	return inet_pton(AF_INET, host, &a) == 1 ||
	    inet_pton(AF_INET6, host, &a) == 1;
}

static void
resolve(struct target *t, const char *host, const char *port)
{
	struct addrinfo	 hints, *res;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		die("%s port %s: %s", host, port, gai_strerror(rc));
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
}

/* The target for r, shared with earlier URLs of the same host and port. */
static size_t
find_target(struct bench *b, const struct req *r, size_t index)
{
	const char	*connect = b->o.nconnect > 0 ?
	    b->o.connect[index % b->o.nconnect] : NULL;
	char		 uhost[256] = "", host[256], port[16], key[300];
	struct target	*t;
	size_t		 i;
	int		 urlok, proxy;

	proxy = b->o.proxy_v2 || (connect != NULL &&
	    b->o.connect_proxy[index % b->o.nconnect]);
	urlok = url_hostport(r->data, r->len - 2, uhost, sizeof(uhost), port,
	    sizeof(port)) == 0;
	if (connect != NULL) {
		if (split_hostport(connect, strlen(connect), host,
		    sizeof(host), port, sizeof(port)) == -1)
			die("bad --connect address: %s", connect);
	} else if (urlok)
		memcpy(host, uhost, sizeof(host));
	else
		die("no host:port in %.*s (use --connect)", (int)r->len - 2,
		    r->data);
	snprintf(key, sizeof(key), "%s %s %s%s", host, port, uhost,
	    proxy ? " proxy" : "");
	for (i = 0; i < b->ntargets; i++)
		if (strcmp(b->targets[i].key, key) == 0)
			return i;
	b->targets = xrealloc(b->targets, b->ntargets + 1,
	    sizeof(*b->targets));
	t = &b->targets[b->ntargets];
	memset(t, 0, sizeof(*t));
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->proxy_v2 = proxy;
	resolve(t, host, port);
	if (b->o.sni != NULL)
		snprintf(t->sni, sizeof(t->sni), "%s", b->o.sni);
	else if (urlok && !is_ip_literal(uhost))
		snprintf(t->sni, sizeof(t->sni), "%s", uhost);
	return b->ntargets++;
}

static void
pick_targets(struct bench *b)
{
	size_t	 i;

	for (i = 0; i < b->nreqs; i++)
		b->reqs[i].target = find_target(b, &b->reqs[i], i);
}

/* Idle connections go where the first URL goes. */
static const struct target *
slot_target(const struct bench *b, const struct slot *s)
{
	const struct req	*r = s->req != NULL ? s->req : &b->reqs[0];

	return &b->targets[r->target];
}

/* TLS */

/* With TLS 1.3 the tickets arrive after the handshake: keep the newest. */
static int
keep_session(SSL *ssl, SSL_SESSION *sess)
{
	struct slot	*s = SSL_get_app_data(ssl);

	SSL_SESSION_free(s->sess);
	s->sess = sess;
	return 1;
}

static void
make_ctx(struct bench *b)
{
	if ((b->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die_tls("SSL_CTX_new");
	/* Gemini is trust-on-first-use: self-signed certificates are normal. */
	SSL_CTX_set_verify(b->ctx, SSL_VERIFY_NONE, NULL);
	/* Thousands of idle connections should not each hold 34 KiB. */
	SSL_CTX_set_mode(b->ctx, SSL_MODE_RELEASE_BUFFERS);
	if (b->o.resume) {
		/* The callback only fires with client caching on. */
		SSL_CTX_set_session_cache_mode(b->ctx, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(b->ctx, keep_session);
	}
}

/* Counting */

static int
measuring(const struct worker *w)
{
	return atomic_load(&w->b->phase) == PH_MEASURE;
}

static void
count_error(struct worker *w, enum errkind e)
{
	if (measuring(w))
		w->st.errors[e]++;
}

static void
record(struct worker *w, struct slot *s)
{
	struct stats	*st = &w->st;
	int64_t		 us = (now_ns() - s->start) / 1000;

	st->requests++;
	if (SSL_session_reused(s->ssl))
		st->resumed++;
	if (st->nlat == st->caplat) {
		st->caplat = st->caplat ? st->caplat * 2 : 65536;
		st->lat = xrealloc(st->lat, st->caplat, sizeof(*st->lat));
	}
	st->lat[st->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Connections */

static void
slot_close(struct slot *s)
{
	/*
	 * Without this, SSL_free takes the connection for a broken one and
	 * makes the session it came from, kept for resumption, unusable.
	 */
	if (s->ssl != NULL)
		SSL_set_shutdown(s->ssl, SSL_SENT_SHUTDOWN |
		    SSL_RECEIVED_SHUTDOWN);
	SSL_free(s->ssl);
	s->ssl = NULL;
	if (s->fd != -1 && close(s->fd) == -1 && errno != EINTR)
		die("close: %s", strerror(errno));
	s->fd = -1;
	s->state = S_OFF;
}

static void
idle_lost(struct worker *w, struct slot *s)
{
	if (s->state == S_HELD) {
		atomic_fetch_sub(&w->b->idle_up, 1);
		if (measuring(w))
			w->st.idle_reopened++;
	} else {
		w->opening--;
		w->st.idle_failed++;
		w->idle_pause = now_ns() + IDLE_BACKOFF_NS;
	}
	slot_close(s);
	w->closed[w->nclosed++] = s;
}

static void
slot_fail(struct worker *w, struct slot *s, enum errkind e)
{
	ERR_clear_error();
	if (s->idle) {
		idle_lost(w, s);
		return;
	}
	count_error(w, e);
	slot_close(s);
	s->state = S_PAUSE;
	s->deadline = now_ns() + ERR_PAUSE_NS;
}

static int
tls_setup(struct bench *b, struct slot *s)
{
	const char	*sni = slot_target(b, s)->sni;

	if ((s->ssl = SSL_new(b->ctx)) == NULL ||
	    SSL_set_fd(s->ssl, s->fd) != 1 ||
	    SSL_set_app_data(s->ssl, s) != 1)
		return -1;
	if (sni[0] != '\0' && SSL_set_tlsext_host_name(s->ssl, sni) != 1)
		return -1;
	if (s->sess != NULL && SSL_set_session(s->ssl, s->sess) != 1)
		return -1;
	return 0;
}

/*
 * The PROXY v2 header HAProxy's send-proxy-v2 writes: PROXY, TCP over
 * IPv4 or IPv6, the connection's own addresses.  28 or 52 bytes, which a
 * fresh socket always takes at once.
 */
static int
proxy_send(int fd)
{
	static const unsigned char	 sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a,
	    0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	struct sockaddr_storage		 src, dst;
	socklen_t			 sl = sizeof(src), dl = sizeof(dst);
	unsigned char			 h[16 + 36], *p = h + 16;
	size_t				 alen;
	uint16_t			 n;

	if (getsockname(fd, (struct sockaddr *)&src, &sl) == -1 ||
	    getpeername(fd, (struct sockaddr *)&dst, &dl) == -1)
		return -1;
	memcpy(h, sig, sizeof(sig));
	h[12] = 0x21;				/* version 2, PROXY */
	if (src.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&src,
		    *b = (const void *)&dst;
		h[13] = 0x11;			/* TCP over IPv4 */
		alen = 4;
		memcpy(p, &a->sin_addr, alen);
		memcpy(p + alen, &b->sin_addr, alen);
		memcpy(p + 2 * alen, &a->sin_port, 2);
		memcpy(p + 2 * alen + 2, &b->sin_port, 2);
	} else if (src.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&src,
		    *b = (const void *)&dst;
		h[13] = 0x21;			/* TCP over IPv6 */
		alen = 16;
		memcpy(p, &a->sin6_addr, alen);
		memcpy(p + alen, &b->sin6_addr, alen);
		memcpy(p + 2 * alen, &a->sin6_port, 2);
		memcpy(p + 2 * alen + 2, &b->sin6_port, 2);
	} else
		return -1;
	n = htons((uint16_t)(2 * alen + 4));
	memcpy(h + 14, &n, 2);
	return send(fd, h, 16 + 2 * alen + 4, MSG_NOSIGNAL) ==
	    (ssize_t)(16 + 2 * alen + 4) ? 0 : -1;
}

/* A connect in progress waits in S_CONNECT for its first event. */
static int
sock_open(struct bench *b, struct slot *s)
{
	const struct target	*t = slot_target(b, s);
	int			 one = 1;

	if ((s->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/*
	 * Without it, Nagle holds the request until the client's Finished is
	 * acknowledged: --nagle measures what that costs such clients.
	 */
	if (!b->o.nagle && setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		return -1;
	if (connect(s->fd, (struct sockaddr *)&t->addr, t->addrlen) == 0) {
		if (t->proxy_v2 && proxy_send(s->fd) == -1)
			return -1;
		s->state = S_HANDSHAKE;
	} else if (errno != EINPROGRESS)
		return -1;
	return 0;
}

static void advance(struct worker *, struct slot *);

static void
slot_open(struct worker *w, struct slot *s)
{
	struct bench		*b = w->b;
	struct epoll_event	 ev;

	s->start = now_ns();
	s->deadline = s->start + b->timeout_ns;
	s->got = 0;
	if (!s->idle)
		s->req = &b->reqs[w->next_req++ % b->nreqs];
	s->state = S_CONNECT;
	if (sock_open(b, s) == -1) {
		slot_fail(w, s, E_CONNECT);
		return;
	}
	if (tls_setup(b, s) == -1) {
		slot_fail(w, s, E_TLS);
		return;
	}
	/* Edge-triggered: every step runs until OpenSSL wants the socket. */
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = s;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->fd, &ev) == -1) {
		slot_fail(w, s, E_CONNECT);
		return;
	}
	if (s->state != S_CONNECT)
		advance(w, s);
}

/* The next request of an active slot, unless the run is over or resting. */
static void
slot_next(struct worker *w, struct slot *s)
{
	switch (atomic_load(&w->b->phase)) {
	case PH_DONE:
		break;
	case PH_IDLE:
		s->state = S_PAUSE;
		s->deadline = now_ns() + SCAN_NS;
		break;
	default:
		slot_open(w, s);
		break;
	}
}

/* Steps: 1 to go on, 0 to wait for the socket, -1 when the slot moved on. */

static int
step_connect(struct worker *w, struct slot *s)
{
	socklen_t	 len = sizeof(int);
	int		 err = 0;

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0 || (slot_target(w->b, s)->proxy_v2 &&
	    proxy_send(s->fd) == -1)) {
		slot_fail(w, s, E_CONNECT);
		return -1;
	}
	s->state = S_HANDSHAKE;
	return 1;
}

/* Whether an SSL call that did not succeed only waits for the socket. */
static int
tls_wants(SSL *ssl, int rc)
{
	int	 e = SSL_get_error(ssl, rc);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static int
step_handshake(struct worker *w, struct slot *s)
{
	int	 rc = SSL_connect(s->ssl);

	if (rc != 1) {
		if (tls_wants(s->ssl, rc))
			return 0;
		slot_fail(w, s, E_TLS);
		return -1;
	}
	if (!s->idle) {
		s->state = S_SEND;
		return 1;
	}
	w->opening--;
	atomic_fetch_add(&w->b->idle_up, 1);
	s->state = S_HELD;
	s->deadline = NEVER;
	return 1;
}

static int
step_send(struct worker *w, struct slot *s)
{
	int	 rc = SSL_write(s->ssl, s->req->data, (int)s->req->len);

	if (rc <= 0) {
		if (tls_wants(s->ssl, rc))
			return 0;
		slot_fail(w, s, E_TLS);
		return -1;
	}
	s->state = S_RECV;
	return 1;
}

/* The answer is over: close_notify, or the end of TCP without it. */
static int
recv_end(struct worker *w, struct slot *s, int rc)
{
	int	 e = SSL_get_error(s->ssl, rc);
	int	 eof;

	eof = e == SSL_ERROR_SYSCALL || (e == SSL_ERROR_SSL &&
	    ERR_GET_REASON(ERR_peek_error()) ==
	    SSL_R_UNEXPECTED_EOF_WHILE_READING);
	if (e != SSL_ERROR_ZERO_RETURN) {
		slot_fail(w, s, eof ? E_TRUNCATED : E_TLS);
		return -1;
	}
	if (s->got < 2 || s->head[0] != '2' || s->head[1] != '0') {
		slot_fail(w, s, E_STATUS);
		return -1;
	}
	if (measuring(w))
		record(w, s);
	slot_close(s);
	slot_next(w, s);
	return -1;
}

static int
step_recv(struct worker *w, struct slot *s)
{
	int	 n;

	while ((n = SSL_read(s->ssl, w->buf, sizeof(w->buf))) > 0) {
		if (s->got < 2)
			memcpy(s->head + s->got, w->buf, s->got + (size_t)n >
			    2 ? 2 - s->got : (size_t)n);
		s->got += (size_t)n;
		if (measuring(w))
			w->st.bytes += (uint64_t)n;
	}
	if (tls_wants(s->ssl, n))
		return 0;
	return recv_end(w, s, n);
}

/* An idle connection reads only to take in tickets and notice the close. */
static int
step_held(struct worker *w, struct slot *s)
{
	int	 n;

	while ((n = SSL_read(s->ssl, w->buf, sizeof(w->buf))) > 0)
		;
	if (tls_wants(s->ssl, n))
		return 0;
	slot_fail(w, s, E_TLS);
	return -1;
}

static void
advance(struct worker *w, struct slot *s)
{
	int	 rc;

	do {
		switch (s->state) {
		case S_CONNECT:
			rc = step_connect(w, s);
			break;
		case S_HANDSHAKE:
			rc = step_handshake(w, s);
			break;
		case S_SEND:
			rc = step_send(w, s);
			break;
		case S_RECV:
			rc = step_recv(w, s);
			break;
		case S_HELD:
			rc = step_held(w, s);
			break;
		default:	/* a stale event for a slot at rest */
			rc = 0;
			break;
		}
	} while (rc == 1);
}

/* The worker loop */

static void
scan_deadlines(struct worker *w)
{
	int64_t		 now = now_ns();
	struct slot	*s;
	size_t		 i;

	if (now - w->last_scan < SCAN_NS)
		return;
	w->last_scan = now;
	for (i = 0; i < w->nactive + w->nidle; i++) {
		s = &w->slots[i];
		if (s->state == S_OFF || s->deadline > now)
			continue;
		if (s->state == S_PAUSE)
			slot_next(w, s);
		else
			slot_fail(w, s, E_TIMEOUT);
	}
}

static void
open_idle(struct worker *w)
{
	struct slot	*s;

	if (now_ns() < w->idle_pause)
		return;
	while (w->nclosed > 0 && w->opening < IDLE_OPENING) {
		s = w->closed[--w->nclosed];
		w->opening++;
		slot_open(w, s);
	}
}

static void
close_all(struct worker *w)
{
	size_t	 i;

	for (i = 0; i < w->nactive + w->nidle; i++) {
		slot_close(&w->slots[i]);
		SSL_SESSION_free(w->slots[i].sess);
		w->slots[i].sess = NULL;
	}
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct epoll_event	 evs[256];
	size_t			 i;
	int			 n, ph;

	for (i = 0; i < w->nactive; i++)
		slot_open(w, &w->slots[i]);
	while ((ph = atomic_load(&w->b->phase)) != PH_DONE) {
		if (ph >= PH_IDLE)
			open_idle(w);
		n = epoll_wait(w->epfd, evs, 256, (int)(SCAN_NS / MS));
		if (n == -1 && errno != EINTR) {
			w->failed = errno;
			break;
		}
		for (i = 0; n > 0 && i < (size_t)n; i++)
			advance(w, evs[i].data.ptr);
		scan_deadlines(w);
	}
	close_all(w);
	return NULL;
}

static void
worker_init(struct worker *w, struct bench *b, size_t nactive, size_t nidle,
    size_t first_req)
{
	size_t	 i;

	w->b = b;
	w->nactive = nactive;
	w->nidle = nidle;
	w->next_req = first_req;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	w->slots = xrealloc(NULL, nactive + nidle, sizeof(*w->slots));
	w->closed = xrealloc(NULL, nidle + 1, sizeof(*w->closed));
	memset(w->slots, 0, (nactive + nidle) * sizeof(*w->slots));
	for (i = 0; i < nactive + nidle; i++) {
		w->slots[i].w = w;
		w->slots[i].fd = -1;
		w->slots[i].idle = i >= nactive;
		if (i >= nactive)
			w->closed[w->nclosed++] = &w->slots[i];
	}
}

/* The server's process */

static double
server_cpu(long pid)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 ut, st;
	FILE			*fp;
	size_t			 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	if (ferror(fp) || fclose(fp) == EOF)
		die("%s: read error", path);
	buf[n] = '\0';
	/* The name in parentheses may hold spaces: fields restart after it. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 1,
	    " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
	    &st) != 2)
		die("%s: unexpected format", path);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void
server_mem(long pid, long *rss, long *hwm)
{
	char	 path[64], line[256];
	FILE	*fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	*rss = *hwm = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	if (ferror(fp) || fclose(fp) == EOF)
		die("%s: read error", path);
}

static void
sample_peak(const struct bench *b, struct result *r)
{
	long	 rss, hwm;

	if (b->o.pid == 0)
		return;
	server_mem(b->o.pid, &rss, &hwm);
	if (rss > r->rss_peak_kb)
		r->rss_peak_kb = rss;
}

/* The run: warm-up, idle connections, measured window */

static void
wait_idle(struct bench *b)
{
	int64_t	 until = now_ns() + IDLE_WAIT_NS;

	while (atomic_load(&b->idle_up) < b->o.idle && now_ns() < until)
		sleep_ns(10 * MS);
	if (atomic_load(&b->idle_up) < b->o.idle)
		fprintf(stderr, "gembench: only %ld of %ld idle connections "
		    "open after 120 s; measuring anyway\n",
		    atomic_load(&b->idle_up), b->o.idle);
}

static void
measure(struct bench *b, struct result *r)
{
	int64_t	 t0, end, left;
	double	 cpu0 = 0;

	if (b->o.pid != 0)
		cpu0 = server_cpu(b->o.pid);
	t0 = now_ns();
	end = t0 + (int64_t)(b->o.duration * NS);
	atomic_store(&b->phase, PH_MEASURE);
	while ((left = end - now_ns()) > 0) {
		sleep_ns(left < SAMPLE_NS ? left : SAMPLE_NS);
		sample_peak(b, r);
	}
	r->idle_held = atomic_load(&b->idle_up);
	atomic_store(&b->phase, PH_DONE);
	r->seconds = (double)(now_ns() - t0) / NS;
	if (b->o.pid != 0) {
		r->cpu_s = server_cpu(b->o.pid) - cpu0;
		server_mem(b->o.pid, &r->rss_kb, &r->hwm_kb);
	}
}

static void
run(struct bench *b, struct worker *ws, size_t nw, struct result *r)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < nw; i++)
		if ((rc = pthread_create(&ws[i].thread, NULL, worker_main,
		    &ws[i])) != 0)
			die("pthread_create: %s", strerror(rc));
	sleep_ns((int64_t)(b->o.warmup * NS));
	if (b->o.pid != 0)
		server_mem(b->o.pid, &r->rss_base_kb, &r->hwm_kb);
	if (b->o.idle > 0) {
		atomic_store(&b->phase, PH_IDLE);
		wait_idle(b);
		atomic_store(&b->phase, PH_SETTLE);
		sleep_ns((int64_t)(b->o.warmup * NS));
	}
	measure(b, r);
	for (i = 0; i < nw; i++)
		if ((rc = pthread_join(ws[i].thread, NULL)) != 0)
			die("pthread_join: %s", strerror(rc));
}

/* Results */

static void
merge(struct result *r, struct worker *ws, size_t nw)
{
	struct stats	*t = &r->st, *s;
	size_t		 i, e;

	for (i = 0; i < nw; i++) {
		s = &ws[i].st;
		if (ws[i].failed)
			die("epoll_wait: %s", strerror(ws[i].failed));
		t->requests += s->requests;
		t->resumed += s->resumed;
		t->bytes += s->bytes;
		t->idle_reopened += s->idle_reopened;
		t->idle_failed += s->idle_failed;
		for (e = 0; e < E_COUNT; e++)
			t->errors[e] += s->errors[e];
		t->lat = xrealloc(t->lat, t->nlat + s->nlat + 1,
		    sizeof(*t->lat));
		if (s->nlat > 0)
			memcpy(t->lat + t->nlat, s->lat, s->nlat *
			    sizeof(*s->lat));
		t->nlat += s->nlat;
		free(s->lat);
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile, in milliseconds. */
static double
percentile(const struct stats *st, double q)
{
	size_t	 rank;

	if (st->nlat == 0)
		return 0;
	rank = (size_t)(q * (double)st->nlat + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > st->nlat)
		rank = st->nlat;
	return st->lat[rank - 1] / 1000.0;
}

struct field {
	const char	*name;
	double		 value;
	int		 decimals;
	int		 absent;	/* needs --pid */
};

static uint64_t
error_total(const struct stats *st)
{
	uint64_t	 n = 0;
	size_t		 e;

	for (e = 0; e < E_COUNT; e++)
		n += st->errors[e];
	return n;
}

static size_t
fields(const struct bench *b, const struct result *r, struct field *f)
{
	const struct stats	*st = &r->st;
	double			 req = (double)st->requests;
	int			 nopid = b->o.pid == 0;
	size_t			 n = 0;

#define F(nm, v, d, a)	f[n++] = (struct field){ nm, (double)(v), d, a }
	F("seconds", r->seconds, 3, 0);
	F("requests", st->requests, 0, 0);
	F("rps", req / r->seconds, 1, 0);
	F("errors", error_total(st), 0, 0);
	F("err_connect", st->errors[E_CONNECT], 0, 0);
	F("err_tls", st->errors[E_TLS], 0, 0);
	F("err_timeout", st->errors[E_TIMEOUT], 0, 0);
	F("err_status", st->errors[E_STATUS], 0, 0);
	F("err_truncated", st->errors[E_TRUNCATED], 0, 0);
	F("bytes", st->bytes, 0, 0);
	F("mb_per_s", (double)st->bytes / r->seconds / 1e6, 3, 0);
	F("p50_ms", percentile(st, 0.50), 3, 0);
	F("p99_ms", percentile(st, 0.99), 3, 0);
	F("p999_ms", percentile(st, 0.999), 3, 0);
	F("resumed", req > 0 ? (double)st->resumed / req : 0, 4, 0);
	F("connections", b->o.conns, 0, 0);
	F("idle", b->o.idle, 0, 0);
	F("idle_held", r->idle_held, 0, 0);
	F("idle_reopened", st->idle_reopened, 0, 0);
	F("idle_failed", st->idle_failed, 0, 0);
	F("cpu_s", r->cpu_s, 3, nopid);
	F("cpu_us_per_req", req > 0 ? r->cpu_s * 1e6 / req : 0, 2, nopid);
	F("cpu_ns_per_byte", st->bytes > 0 ? r->cpu_s * 1e9 /
	    (double)st->bytes : 0, 4, nopid);
	F("rss_base_kb", r->rss_base_kb, 0, nopid);
	F("rss_kb", r->rss_kb, 0, nopid);
	F("rss_peak_kb", r->rss_peak_kb, 0, nopid);
	F("hwm_kb", r->hwm_kb, 0, nopid);
#undef F
	return n;
}

static void
print_machine(FILE *fp, enum output out, const struct field *f, size_t n)
{
	size_t	 i;

	if (out == OUT_CSV) {
		for (i = 0; i < n; i++)
			fprintf(fp, "%s%s", i ? "," : "", f[i].name);
		fputc('\n', fp);
	} else
		fputc('{', fp);
	for (i = 0; i < n; i++) {
		if (out == OUT_JSON)
			fprintf(fp, "%s\"%s\":", i ? "," : "", f[i].name);
		else if (i > 0)
			fputc(',', fp);
		if (f[i].absent)
			fputs(out == OUT_JSON ? "null" : "", fp);
		else
			fprintf(fp, "%.*f", f[i].decimals, f[i].value);
	}
	fputs(out == OUT_JSON ? "}\n" : "\n", fp);
}

static void
print_text(FILE *fp, const struct bench *b, const struct result *r)
{
	const struct stats	*st = &r->st;
	double			 req = (double)st->requests;

	fprintf(fp, "%llu requests in %.2f s: %.1f requests/s, %.2f MB/s\n",
	    (unsigned long long)st->requests, r->seconds, req / r->seconds,
	    (double)st->bytes / r->seconds / 1e6);
	fprintf(fp, "latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f\n",
	    percentile(st, 0.50), percentile(st, 0.99), percentile(st, 0.999));
	fprintf(fp, "errors: %llu (connect %llu, tls %llu, timeout %llu, "
	    "status %llu, truncated %llu)\n",
	    (unsigned long long)error_total(st),
	    (unsigned long long)st->errors[E_CONNECT],
	    (unsigned long long)st->errors[E_TLS],
	    (unsigned long long)st->errors[E_TIMEOUT],
	    (unsigned long long)st->errors[E_STATUS],
	    (unsigned long long)st->errors[E_TRUNCATED]);
	if (b->o.resume)
		fprintf(fp, "resumed: %.1f%%\n", req > 0 ?
		    100.0 * (double)st->resumed / req : 0);
	if (b->o.idle > 0)
		fprintf(fp, "idle: %ld held at the end (of %ld), %llu "
		    "reopened, %llu failed to open\n", r->idle_held, b->o.idle,
		    (unsigned long long)st->idle_reopened,
		    (unsigned long long)st->idle_failed);
	if (b->o.pid == 0)
		return;
	fprintf(fp, "server %ld: CPU %.2f s, %.1f us/request; RSS %ld KiB "
	    "(%ld before idle, peak %ld, high-water %ld)\n", b->o.pid,
	    r->cpu_s, req > 0 ? r->cpu_s * 1e6 / req : 0, r->rss_kb,
	    r->rss_base_kb, r->rss_peak_kb, r->hwm_kb);
}

static void
report(const struct bench *b, const struct result *r)
{
	struct field	 f[32];
	size_t		 n = fields(b, r, f);
	FILE		*text = b->o.out == OUT_TEXT ? stdout : stderr;

	print_text(text, b, r);
	if (b->o.out != OUT_TEXT)
		print_machine(stdout, b->o.out, f, n);
	if (fflush(stdout) == EOF || ferror(stdout))
		die("stdout: %s", strerror(errno));
}

/* Setup */

static struct worker *
make_workers(struct bench *b, size_t *nw)
{
	struct worker	*ws;
	size_t		 n = (size_t)b->o.threads, i, a, d;

	if (n > (size_t)b->o.conns)
		n = (size_t)b->o.conns;
	if ((ws = calloc(n, sizeof(*ws))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		a = (size_t)b->o.conns / n + (i < (size_t)b->o.conns % n);
		d = (size_t)b->o.idle / n + (i < (size_t)b->o.idle % n);
		worker_init(&ws[i], b, a, d, i);
	}
	*nw = n;
	return ws;
}

/* Each connection is a descriptor: raise the soft limit as far as needed. */
static void
raise_nofile(const struct opts *o)
{
	struct rlimit	 rl;
	rlim_t		 need = (rlim_t)(o->conns + o->idle) + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		die("%lu connections need %lu descriptors; the limit is %lu "
		    "(ulimit -n)", (unsigned long)(o->conns + o->idle),
		    (unsigned long)need, (unsigned long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("setrlimit: %s", strerror(errno));
}

static void
setup(struct bench *b, int argc, char *argv[])
{
	int	 i;

	parse_args(argc, argv, &b->o);
	for (i = optind; i < argc; i++)
		add_url(b, argv[i], strlen(argv[i]));
	if (b->o.urlfile != NULL)
		read_url_file(b, b->o.urlfile);
	if (b->nreqs == 0)
		die("no URL given (see gembench --help)");
	raise_nofile(&b->o);
	pick_targets(b);
	make_ctx(b);
	b->timeout_ns = (int64_t)(b->o.timeout * NS);
	atomic_init(&b->phase, PH_WARMUP);
	atomic_init(&b->idle_up, 0);
	if (b->o.pid != 0)
		(void)server_cpu(b->o.pid);	/* fail early on a bad PID */
}

int
main(int argc, char *argv[])
{
	static struct bench	 b;
	static struct result	 r;
	struct worker		*ws;
	size_t			 nw, i;

	/* A server closing early must not kill us in the middle of a write. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal: %s", strerror(errno));
	setup(&b, argc, argv);
	ws = make_workers(&b, &nw);
	run(&b, ws, nw, &r);
	merge(&r, ws, nw);
	qsort(r.st.lat, r.st.nlat, sizeof(*r.st.lat), cmp_u32);
	report(&b, &r);
	for (i = 0; i < nw; i++) {
		free(ws[i].slots);
		free(ws[i].closed);
		if (close(ws[i].epfd) == -1)
			die("close: %s", strerror(errno));
	}
	free(ws);
	free(r.st.lat);
	for (i = 0; i < b.nreqs; i++)
		free(b.reqs[i].data);
	free(b.reqs);
	free(b.targets);
	SSL_CTX_free(b.ctx);
	return 0;
}
