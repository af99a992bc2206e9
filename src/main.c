/* main: command line, start-up, signals, and the thread that watches the capsule. */
#include <sys/resource.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "tls.h"
#include "watch.h"

#define VERSION		"0.1.0"
#define STOP_GRACE_MS	5000

static void
usage(FILE *f)
{
	fprintf(f,
"usage: almanac [options]\n"
"Serve a Gemini capsule over TLS.\n"
"\n"
"  -r, --root DIR           capsule directory (default: capsule)\n"
"  -c, --certs DIR          certificate directory: cert.pem and key.pem,\n"
"                           generated on first start if absent (default: certs)\n"
"  -l, --listen ADDR:PORT   address to listen on, repeatable; [::]:1965 for\n"
"                           IPv6, *:1965 for every address (default:\n"
"                           localhost:1965, IPv4 and IPv6)\n"
"  -H, --hostname NAME      a name this server answers for, repeatable\n"
"                           (default: localhost)\n"
"      --lang TAG           lang parameter of text/gemini answers (default: en)\n"
"  -w, --workers N          event loops, one per core when 0 (default: 0)\n"
"      --request-timeout S  seconds to receive a request line (default: 10)\n"
"      --write-timeout S    seconds a client may stop reading (default: 10)\n"
"      --max-lifetime S     seconds a connection may last (default: 600)\n"
"      --max-connections N  open connections at most (default: 10000)\n"
"      --feed-entries N     entries in /feed.gmi and /atom.xml (default: 100)\n"
"  -h, --help               this help\n"
"  -V, --version            print the version\n");
}

static int
parse_number(const char *opt, const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "almanac: %s: expected a number from %ld to "
		    "%ld, got '%s'\n", opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	OPT_LANG = 256, OPT_REQ_TIMEOUT, OPT_WRITE_TIMEOUT, OPT_LIFETIME,
	OPT_MAX_CONNS, OPT_FEED
};

static const struct option long_options[] = {
	{ "root",		required_argument,	NULL, 'r' },
	{ "certs",		required_argument,	NULL, 'c' },
	{ "listen",		required_argument,	NULL, 'l' },
	{ "hostname",		required_argument,	NULL, 'H' },
	{ "lang",		required_argument,	NULL, OPT_LANG },
	{ "workers",		required_argument,	NULL, 'w' },
	{ "request-timeout",	required_argument,	NULL, OPT_REQ_TIMEOUT },
	{ "write-timeout",	required_argument,	NULL, OPT_WRITE_TIMEOUT },
	{ "max-lifetime",	required_argument,	NULL, OPT_LIFETIME },
	{ "max-connections",	required_argument,	NULL, OPT_MAX_CONNS },
	{ "feed-entries",	required_argument,	NULL, OPT_FEED },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static int
add_string(char **v, size_t *n, size_t max, const char *opt, char *s)
{
	if (*n == max) {
		fprintf(stderr, "almanac: at most %zu %s\n", max, opt);
		return -1;
	}
	v[(*n)++] = s;
	return 0;
}

static int
set_number(int opt, const char *arg, struct config *cfg)
{
	long	 v;

	switch (opt) {
	case 'w':
		if (parse_number("--workers", arg, 0, 64, &v) == -1)
			return -1;
		cfg->workers = (int)v;
		break;
	case OPT_REQ_TIMEOUT:
		if (parse_number("--request-timeout", arg, 1, 3600, &v) == -1)
			return -1;
		cfg->request_timeout_ms = (int)v * 1000;
		break;
	case OPT_WRITE_TIMEOUT:
		if (parse_number("--write-timeout", arg, 1, 3600, &v) == -1)
			return -1;
		cfg->write_timeout_ms = (int)v * 1000;
		break;
	case OPT_LIFETIME:
		if (parse_number("--max-lifetime", arg, 1, 86400, &v) == -1)
			return -1;
		cfg->lifetime_ms = (int)v * 1000;
		break;
	case OPT_MAX_CONNS:
		if (parse_number("--max-connections", arg, 1, 1000000, &v) ==
		    -1)
			return -1;
		cfg->max_conns = (int)v;
		break;
	case OPT_FEED:
		if (parse_number("--feed-entries", arg, 1, 100000, &v) == -1)
			return -1;
		cfg->feed_max = (size_t)v;
		break;
	}
	return 0;
}

/* Returns 0 to run, 1 to exit successfully (help, version), -1 on error. */
static int
parse_args(int argc, char **argv, struct config *cfg)
{
	int	 opt;

	while ((opt = getopt_long(argc, argv, "r:c:l:H:w:hV", long_options,
	    NULL)) != -1) {
		switch (opt) {
		case 'r':
			cfg->root = optarg;
			break;
		case 'c':
			cfg->certs = optarg;
			break;
		case 'l':
			if (add_string(cfg->listen, &cfg->nlisten, MAX_LISTEN,
			    "--listen addresses", optarg) == -1)
				return -1;
			break;
		case 'H':
			if (add_string(cfg->hostnames, &cfg->nhostnames,
			    MAX_HOSTNAMES, "--hostname names", optarg) == -1)
				return -1;
			break;
		case OPT_LANG:
			cfg->lang = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("almanac %s\n", VERSION);
			return 1;
		case '?':
			usage(stderr);
			return -1;
		default:
			if (set_number(opt, optarg, cfg) == -1)
				return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "almanac: unexpected argument '%s'\n",
		    argv[optind]);
		return -1;
	}
	return 0;
}

/* --listen and --hostname on the command line replace these defaults. */
static void
config_fill_lists(struct config *cfg)
{
	static char	 localhost[] = "localhost";
	static char	 listen_default[] = "localhost:1965";

	if (cfg->nhostnames == 0)
		cfg->hostnames[cfg->nhostnames++] = localhost;
	if (cfg->nlisten == 0)
		cfg->listen[cfg->nlisten++] = listen_default;
}

static void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->root = "capsule";
	cfg->certs = "certs";
	cfg->lang = "en";
	cfg->request_timeout_ms = 10000;
	cfg->write_timeout_ms = 10000;
	cfg->lifetime_ms = 600000;
	cfg->max_conns = 10000;
	cfg->feed_max = 100;
}

/* Idle connections are descriptors: take every one the hard limit allows. */
static void
raise_fd_limit(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_syserr("setrlimit");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_info("open file limit: %llu",
		    (unsigned long long)rl.rlim_cur);
}

static int
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

/* The main thread watches the capsule and waits for a signal to stop. */
static void
watch_loop(struct watch *w, int sfd)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[2];

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = watch_fd(w);
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, 1000) == -1 && errno != EINTR) {
			log_syserr("poll");
			return;
		}
		if (pfd[1].revents & POLLIN)
			watch_process(w);
		watch_tick(w);
		if (!(pfd[0].revents & POLLIN) ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: nothing to reload yet");
			continue;
		}
		log_info("signal %d: stopping", (int)si.ssi_signo);
		return;
	}
}

static void
announce(const struct config *cfg, SSL_CTX *ctx, int port,
    struct catalog *cat)
{
	char	 fp[3 * 64];
	size_t	 i;

	if (tls_fingerprint(ctx, fp, sizeof(fp)) == 0)
		log_info("certificate SHA-256 fingerprint: %s", fp);
	log_info("capsule %s: %zu dated pages", cfg->root,
	    catalog_count(cat));
	for (i = 0; i < cfg->nhostnames; i++) {
		if (port == 1965)
			log_info("serving gemini://%s/", cfg->hostnames[i]);
		else
			log_info("serving gemini://%s:%d/", cfg->hostnames[i],
			    port);
	}
}

static int
run(const struct config *cfg)
{
	struct catalog_config	 ccfg;
	struct server		*srv = NULL;
	struct catalog		*cat = NULL;
	struct watch		*w = NULL;
	SSL_CTX			*ctx;
	sigset_t		 set;
	int			 sfd = -1, rc = 1;

	if (block_signals(&set) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		log_syserr("signals");
		return 1;
	}
	raise_fd_limit();
	if ((ctx = tls_context(cfg->certs, cfg->hostnames,
	    cfg->nhostnames)) == NULL)
		goto done;
	if ((srv = server_new(cfg, ctx)) == NULL || server_listen(srv) == -1)
		goto done;
	ccfg.hostname = cfg->hostnames[0];
	ccfg.port = server_port(srv);
	ccfg.feed_max = cfg->feed_max;
	if ((cat = catalog_new(&ccfg)) == NULL ||
	    (w = watch_open(cat, cfg->root)) == NULL)
		goto done;
	announce(cfg, ctx, ccfg.port, cat);
	if (server_start(srv, cat) == -1)
		goto done;
	watch_loop(w, sfd);
	rc = 0;
done:
	if (srv != NULL)
		server_stop(srv, STOP_GRACE_MS);
	server_free(srv);
	watch_close(w);
	catalog_free(cat);
	SSL_CTX_free(ctx);
	close(sfd);
	log_flush();
	return rc;
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	int		 rc;

	config_defaults(&cfg);
	if ((rc = parse_args(argc, argv, &cfg)) != 0)
		return rc == 1 ? 0 : 2;
	config_fill_lists(&cfg);
	return run(&cfg);
}
