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
#include "conffile.h"
#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "server.h"
#include "tls.h"
#include "watch.h"

#define VERSION		"0.1.0"
#define STOP_GRACE_MS	5000

static void
usage(FILE *f)
{
	fprintf(f,
"usage: almanac [-n] [-f FILE] [options]\n"
"Serve Gemini capsules over TLS.\n"
"\n"
"  -f, --config FILE        read the configuration file (almanac.conf(5));\n"
"                           options given here override it\n"
"  -n, --check              check the configuration and exit\n"
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
"      --max-per-address N  open connections per client address (default: 64)\n"
"      --rate-per-address N requests per second per client address (default: 0,\n"
"                           no limit)\n"
"      --feed-entries N     entries in /feed.gmi and /atom.xml (default: 100)\n"
"  -u, --user NAME          when started as root, run as this user\n"
"      --log FILE           log to FILE instead of stderr (reopened on SIGUSR1)\n"
"      --syslog             log to syslog as well\n"
"      --log-format FORMAT  almanac (default) or common\n"
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
	OPT_MAX_CONNS, OPT_PER_ADDR, OPT_RATE, OPT_FEED, OPT_LOG, OPT_SYSLOG,
	OPT_LOG_FORMAT
};

static const char short_options[] = "f:nr:c:l:H:w:u:hV";

static const struct option long_options[] = {
	{ "config",		required_argument,	NULL, 'f' },
	{ "check",		no_argument,		NULL, 'n' },
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
	{ "max-per-address",	required_argument,	NULL, OPT_PER_ADDR },
	{ "rate-per-address",	required_argument,	NULL, OPT_RATE },
	{ "feed-entries",	required_argument,	NULL, OPT_FEED },
	{ "user",		required_argument,	NULL, 'u' },
	{ "log",		required_argument,	NULL, OPT_LOG },
	{ "syslog",		no_argument,		NULL, OPT_SYSLOG },
	{ "log-format",		required_argument,	NULL, OPT_LOG_FORMAT },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

/* What the command line says beyond the options it shares with the file. */
struct cli {
	const char	*config_file;
	int		 check_only;
	int		 listen_given;
	int		 hostname_given;
};

static void
replace(char **slot, const char *value)
{
	free(*slot);
	*slot = config_strdup(value);
}

/* Options about the capsule apply to the first host. */
static struct host *
first_host(struct config *cfg)
{
	if (cfg->nhosts == 0)
		config_add_host(cfg, "localhost");
	return &cfg->hosts[0];
}

static int
set_hostname(struct config *cfg, struct cli *cli, const char *name)
{
	struct host	*h = first_host(cfg);

	if (!cli->hostname_given) {
		cli->hostname_given = 1;
		replace(&h->name, name);
		while (h->naliases > 0)
			free(h->aliases[--h->naliases]);
		return 0;
	}
	if (h->naliases == MAX_ALIASES) {
		fprintf(stderr, "almanac: at most %d --hostname names\n",
		    MAX_ALIASES + 1);
		return -1;
	}
	h->aliases[h->naliases++] = config_strdup(name);
	return 0;
}

static int
add_listen(struct config *cfg, struct cli *cli, const char *spec)
{
	if (!cli->listen_given) {
		cli->listen_given = 1;
		while (cfg->nlisten > 0)
			free(cfg->listen[--cfg->nlisten]);
	}
	if (cfg->nlisten == MAX_LISTEN) {
		fprintf(stderr, "almanac: at most %d --listen addresses\n",
		    MAX_LISTEN);
		return -1;
	}
	cfg->listen[cfg->nlisten++] = config_strdup(spec);
	return 0;
}

static int
set_seconds(const char *opt, const char *arg, long max, int *ms)
{
	long	 v;

	if (parse_number(opt, arg, 1, max, &v) == -1)
		return -1;
	*ms = (int)v * 1000;
	return 0;
}

static int
set_count(const char *opt, const char *arg, long min, long max, int *out)
{
	long	 v;

	if (parse_number(opt, arg, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
set_log_format(struct config *cfg, const char *arg)
{
	if (strcmp(arg, "almanac") == 0)
		cfg->log_format = LOG_FORMAT_ALMANAC;
	else if (strcmp(arg, "common") == 0)
		cfg->log_format = LOG_FORMAT_COMMON;
	else {
		fprintf(stderr, "almanac: --log-format: almanac or common, "
		    "not '%s'\n", arg);
		return -1;
	}
	return 0;
}

static int
apply_option(int opt, const char *arg, struct config *cfg, struct cli *cli)
{
	int	 feed;

	switch (opt) {
	case 'f':
	case 'n':
		return 0;	/* read in the first pass */
	case 'r':
		replace(&first_host(cfg)->root, arg);
		return 0;
	case 'c':
		replace(&first_host(cfg)->certs, arg);
		return 0;
	case OPT_LANG:
		replace(&first_host(cfg)->lang, arg);
		return 0;
	case 'l':
		return add_listen(cfg, cli, arg);
	case 'H':
		return set_hostname(cfg, cli, arg);
	case 'w':
		return set_count("--workers", arg, 0, 64, &cfg->workers);
	case OPT_REQ_TIMEOUT:
		return set_seconds("--request-timeout", arg, 3600,
		    &cfg->request_timeout_ms);
	case OPT_WRITE_TIMEOUT:
		return set_seconds("--write-timeout", arg, 3600,
		    &cfg->write_timeout_ms);
	case OPT_LIFETIME:
		return set_seconds("--max-lifetime", arg, 86400,
		    &cfg->lifetime_ms);
	case OPT_MAX_CONNS:
		return set_count("--max-connections", arg, 1, 1000000,
		    &cfg->max_conns);
	case OPT_PER_ADDR:
		return set_count("--max-per-address", arg, 0, 1000000,
		    &cfg->max_per_addr);
	case OPT_RATE:
		return set_count("--rate-per-address", arg, 0, 1000000,
		    &cfg->rate_per_addr);
	case OPT_FEED:
		if (set_count("--feed-entries", arg, 1, 100000, &feed) == -1)
			return -1;
		first_host(cfg)->feed_max = (size_t)feed;
		return 0;
	case 'u':
		replace(&cfg->user, arg);
		return 0;
	case OPT_LOG:
		replace(&cfg->log_file, arg);
		return 0;
	case OPT_SYSLOG:
		cfg->log_syslog = 1;
		return 0;
	case OPT_LOG_FORMAT:
		return set_log_format(cfg, arg);
	}
	return -1;
}

/* The first pass finds --config, --check, --help and --version. */
static int
scan_args(int argc, char **argv, struct cli *cli)
{
	int	 opt;

	opterr = 1;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
	    NULL)) != -1) {
		switch (opt) {
		case 'f':
			cli->config_file = optarg;
			break;
		case 'n':
			cli->check_only = 1;
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
		}
	}
	if (optind < argc) {
		fprintf(stderr, "almanac: unexpected argument '%s'\n",
		    argv[optind]);
		return -1;
	}
	return 0;
}

/*
 * Returns 0 to run, 1 to exit successfully (help, version), -1 on error.
 * The file is read first, so that the command line overrides it.
 */
static int
configure(int argc, char **argv, struct config *cfg, struct cli *cli)
{
	char	 err[512];
	int	 opt, rc;

	if ((rc = scan_args(argc, argv, cli)) != 0)
		return rc;
	if (cli->config_file != NULL &&
	    conffile_load(cli->config_file, cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "almanac: %s\n", err);
		return -1;
	}
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
	    NULL)) != -1)
		if (apply_option(opt, optarg ? optarg : "", cfg, cli) == -1)
			return -1;
	if (config_finish(cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "almanac: %s\n", err);
		return -1;
	}
	return 0;
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
	sigaddset(set, SIGUSR1);
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

struct capsules {
	const struct config	*cfg;
	int			 argc;
	char			**argv;
	const char		*config_file;
	struct server		*srv;
	SSL_CTX			*ctxs[MAX_HOSTS];
	struct catalog		*cats[MAX_HOSTS];
	struct watch		*watches[MAX_HOSTS];
};

static int
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

/* Whether two configurations have the same listeners and capsules. */
static int
same_layout(const struct config *a, const struct config *b)
{
	size_t	 i, j;

	if (a->nlisten != b->nlisten || a->nhosts != b->nhosts ||
	    !same_string(a->user, b->user))
		return 0;
	for (i = 0; i < a->nlisten; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return 0;
	for (i = 0; i < a->nhosts; i++) {
		const struct host *x = &a->hosts[i], *y = &b->hosts[i];
		if (!same_string(x->name, y->name) ||
		    !same_string(x->root, y->root) ||
		    !same_string(x->certs, y->certs) ||
		    !same_string(x->cert_file, y->cert_file) ||
		    !same_string(x->key_file, y->key_file) ||
		    !same_string(x->lang, y->lang) ||
		    x->feed_max != y->feed_max || x->naliases != y->naliases)
			return 0;
		for (j = 0; j < x->naliases; j++)
			if (strcmp(x->aliases[j], y->aliases[j]) != 0)
				return 0;
	}
	return 1;
}

/*
 * SIGHUP with a configuration file: read it again, with the command line
 * over it as at start.  Timeouts and limits change at once; listeners and
 * capsules only on restart.  A file that does not parse changes nothing.
 */
static void
reload_config(struct capsules *cs)
{
	struct config	 fresh;
	struct cli	 cli;
	char		 err[512];
	int		 opt;

	if (cs->config_file == NULL)
		return;
	config_init(&fresh);
	memset(&cli, 0, sizeof(cli));
	if (conffile_load(cs->config_file, &fresh, err, sizeof(err)) == -1) {
		log_warn("SIGHUP: %s; keeping the current configuration", err);
		config_free(&fresh);
		return;
	}
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(cs->argc, cs->argv, short_options,
	    long_options, NULL)) != -1)
		(void)apply_option(opt, optarg ? optarg : "", &fresh, &cli);
	if (config_finish(&fresh, err, sizeof(err)) == -1) {
		log_warn("SIGHUP: %s; keeping the current configuration", err);
		config_free(&fresh);
		return;
	}
	if (!same_layout(cs->cfg, &fresh))
		log_warn("SIGHUP: listen addresses, users and servers change "
		    "only on restart; applying the timeouts and limits");
	server_set_limits(cs->srv, &fresh);
	log_info("SIGHUP: configuration reloaded from %s", cs->config_file);
	config_free(&fresh);
}

/* SIGHUP: new certificates for every host, or the old ones if any fails. */
static void
reload_certificates(struct capsules *cs)
{
	SSL_CTX	*fresh[MAX_HOSTS] = { NULL };
	size_t	 i, n = cs->cfg->nhosts;

	for (i = 0; i < n; i++) {
		if ((fresh[i] = tls_context_reload(&cs->cfg->hosts[i])) == NULL) {
			log_warn("SIGHUP: certificate of %s does not load; "
			    "keeping the current certificates",
			    cs->cfg->hosts[i].name);
			while (i > 0)
				SSL_CTX_free(fresh[--i]);
			return;
		}
	}
	server_set_contexts(cs->srv, fresh);
	for (i = 0; i < n; i++) {
		SSL_CTX_free(cs->ctxs[i]);
		cs->ctxs[i] = fresh[i];
	}
	log_info("SIGHUP: certificates reloaded");
}

/* The main thread watches the capsules and waits for a signal to stop. */
static void
watch_loop(struct capsules *cs, int sfd)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[MAX_HOSTS + 1];
	size_t			 i, n = cs->cfg->nhosts;

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	for (i = 0; i < n; i++) {
		pfd[i + 1].fd = watch_fd(cs->watches[i]);
		pfd[i + 1].events = POLLIN;
	}
	for (;;) {
		if (poll(pfd, n + 1, 1000) == -1 && errno != EINTR) {
			log_syserr("poll");
			return;
		}
		for (i = 0; i < n; i++) {
			if (pfd[i + 1].revents & POLLIN)
				watch_process(cs->watches[i]);
			watch_tick(cs->watches[i]);
		}
		if (!(pfd[0].revents & POLLIN) ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			reload_config(cs);
			reload_certificates(cs);
		}
		else if (si.ssi_signo == SIGUSR1)
			log_reopen();
		else {
			log_info("signal %d: stopping", (int)si.ssi_signo);
			return;
		}
	}
}

static void
announce(const struct capsules *cs, int port)
{
	char	 fp[3 * 64];
	size_t	 i;

	for (i = 0; i < cs->cfg->nhosts; i++) {
		const struct host *h = &cs->cfg->hosts[i];
		if (port == 1965)
			log_info("serving gemini://%s/ from %s (%zu dated "
			    "pages)", h->name, h->root,
			    catalog_count(cs->cats[i]));
		else
			log_info("serving gemini://%s:%d/ from %s (%zu dated "
			    "pages)", h->name, port, h->root,
			    catalog_count(cs->cats[i]));
		if (tls_fingerprint(cs->ctxs[i], fp, sizeof(fp)) == 0)
			log_info("%s certificate SHA-256 fingerprint: %s",
			    h->name, fp);
	}
}

static int
open_capsules(struct capsules *cs, int port)
{
	struct catalog_config	 cc;
	size_t			 i;

	for (i = 0; i < cs->cfg->nhosts; i++) {
		const struct host *h = &cs->cfg->hosts[i];
		cc.hostname = h->name;
		cc.port = port;
		cc.feed_max = h->feed_max;
		if ((cs->cats[i] = catalog_new(&cc)) == NULL ||
		    (cs->watches[i] = watch_open(cs->cats[i], h->root)) == NULL)
			return -1;
	}
	return 0;
}

static void
close_capsules(struct capsules *cs)
{
	size_t	 i;

	if (cs->srv != NULL)
		server_stop(cs->srv, STOP_GRACE_MS);
	server_free(cs->srv);
	for (i = 0; i < cs->cfg->nhosts; i++) {
		watch_close(cs->watches[i]);
		catalog_free(cs->cats[i]);
		SSL_CTX_free(cs->ctxs[i]);
	}
}

static int
run(const struct config *cfg, int argc, char **argv, const char *config_file)
{
	struct capsules	 cs;
	sigset_t	 set;
	size_t		 i;
	int		 sfd, rc = 1;

	memset(&cs, 0, sizeof(cs));
	cs.cfg = cfg;
	cs.argc = argc;
	cs.argv = argv;
	cs.config_file = config_file;
	if (block_signals(&set) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		log_syserr("signals");
		return 1;
	}
	if (log_open(cfg->log_file, cfg->log_syslog, cfg->log_format) == -1)
		goto done;
	raise_fd_limit();
	for (i = 0; i < cfg->nhosts; i++)
		if ((cs.ctxs[i] = tls_context(&cfg->hosts[i])) == NULL)
			goto done;
	if ((cs.srv = server_new(cfg, cs.ctxs)) == NULL ||
	    server_listen(cs.srv) == -1 ||
	    open_capsules(&cs, server_port(cs.srv)) == -1)
		goto done;
	announce(&cs, server_port(cs.srv));
	if (sandbox_enter(cfg) == -1 || server_start(cs.srv, cs.cats) == -1 ||
	    sandbox_seal() == -1)
		goto done;
	watch_loop(&cs, sfd);
	rc = 0;
done:
	close_capsules(&cs);
	close(sfd);
	log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	struct cli	 cli;
	int		 rc;

	config_init(&cfg);
	memset(&cli, 0, sizeof(cli));
	if ((rc = configure(argc, argv, &cfg, &cli)) != 0) {
		config_free(&cfg);
		return rc == 1 ? 0 : 2;
	}
	if (cli.check_only) {
		printf("almanac: configuration OK: %zu host%s, %zu listen "
		    "address%s\n", cfg.nhosts, cfg.nhosts == 1 ? "" : "s",
		    cfg.nlisten, cfg.nlisten == 1 ? "" : "es");
		config_free(&cfg);
		return 0;
	}
	rc = run(&cfg, argc, argv, cli.config_file);
	config_free(&cfg);
	return rc;
}
