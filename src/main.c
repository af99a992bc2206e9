/* main: command line, start-up, signals, and the thread that watches the capsule. */
#include <sys/prctl.h>
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
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "activation.h"
#include "allowset.h"
#include "catalog.h"
#include "check.h"
#include "conffile.h"
#include "config.h"
#include "log.h"
#include "options.h"
#include "proxy.h"
#include "pubdates.h"
#include "sandbox.h"
#include "server.h"
#include "supervise.h"
#include "ticketkeys.h"
#include "tls.h"
#include "watch.h"

#define STOP_GRACE_MS	5000
#define REPLACE_ASK_SECONDS 5	/* asking the supervisor again */

/* The command line's own options; the settings come from src/options.c. */
#define OPT_SPEC	1000	/* getopt's value for specs[i]: OPT_SPEC + i */
#define MAX_OPTIONS	64

static struct option	 long_options[MAX_OPTIONS];
static char		 short_options[2 * MAX_OPTIONS] = "f:nhV";

static void
usage(FILE *f)
{
	const struct options_spec	*o = NULL;
	size_t				 i, n;
	char				 left[40];

	fprintf(f, "usage: almanac [-n] [-f FILE] [options]\n"
	    "Serve Gemini capsules over TLS.\n\n"
	    "  -f, --config FILE        read the configuration file "
	    "(almanac.conf(5));\n"
	    "                           options given here override it\n"
	    "  -n, --check              check the configuration and exit\n");
	for (o = options_all(&n), i = 0; i < n; i++) {
		const char *help = o[i].help, *sp;
		if (o[i].cli == NULL || help == NULL)
			continue;
		sp = strchr(help, ' ');
		snprintf(left, sizeof(left), "--%s %.*s", o[i].cli,
		    (int)(sp - help), help);
		if (o[i].shortopt != 0)
			fprintf(f, "  -%c, %-21s%s\n", o[i].shortopt, left,
			    sp + 2);
		else
			fprintf(f, "      %-21s%s\n", left, sp + 2);
	}
	fprintf(f, "  -h, --help               this help\n"
	    "  -V, --version            print the version\n");
}

/* getopt's tables, made from the one table of options. */
static void
build_getopt(void)
{
	const struct options_spec	*o;
	size_t				 i, n, k = 0, len;

	long_options[k++] = (struct option){ "config", required_argument,
	    NULL, 'f' };
	long_options[k++] = (struct option){ "check", no_argument, NULL, 'n' };
	long_options[k++] = (struct option){ "help", no_argument, NULL, 'h' };
	long_options[k++] = (struct option){ "version", no_argument, NULL,
	    'V' };
	len = strlen(short_options);
	for (o = options_all(&n), i = 0; i < n && k + 1 < MAX_OPTIONS; i++) {
		if (o[i].cli == NULL)
			continue;
		long_options[k++] = (struct option){ o[i].cli,
		    o[i].flag_value != NULL ? no_argument : required_argument,
		    NULL, (int)(OPT_SPEC + i) };
		if (o[i].shortopt != 0 && len + 2 < sizeof(short_options)) {
			short_options[len++] = (char)o[i].shortopt;
			short_options[len++] = ':';
		}
	}
	short_options[len] = '\0';
	memset(&long_options[k], 0, sizeof(long_options[k]));
}

static const struct options_spec *
spec_of(int opt)
{
	size_t				 i, n;
	const struct options_spec	*o = options_all(&n);

	if (opt >= OPT_SPEC && (size_t)(opt - OPT_SPEC) < n)
		return &o[opt - OPT_SPEC];
	for (i = 0; i < n; i++)
		if (o[i].shortopt == opt && opt != 0)
			return &o[i];
	return NULL;
}

/* What the command line says beyond the settings it shares with the file. */
struct cli {
	const char		*config_file;
	int			 check_only;
	struct options_ctx	 ctx;
};

/* Options about the capsule apply to the first host. */
static struct host *
first_host(struct config *cfg)
{
	if (cfg->nhosts == 0)
		config_add_host(cfg, "localhost");
	return &cfg->hosts[0];
}

/* The same setter, the same checks, as the file's option of that name. */
static int
apply_option(int opt, const char *arg, struct config *cfg, struct cli *cli)
{
	const struct options_spec	*o = spec_of(opt);
	const char			*value;
	char				 why[512];

	if (o == NULL)
		return opt == 'f' || opt == 'n' ? 0 : -1;
	value = o->flag_value != NULL ? o->flag_value : arg;
	cli->ctx.cfg = cfg;
	cli->ctx.from_cli = 1;
	if (o->scope != OPT_GLOBAL) {
		cli->ctx.host = first_host(cfg);
		cli->ctx.rules = &cli->ctx.host->r;
	}
	why[0] = '\0';
	cli->ctx.err = why;
	cli->ctx.errsz = sizeof(why);
	if (options_set(&cli->ctx, o, &value, 1) == -1) {
		fprintf(stderr, "almanac: --%s: %s\n", o->cli, why);
		return -1;
	}
	return 0;
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
			printf("almanac %s\n", ALMANAC_VERSION);
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

	build_getopt();
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
	/* A writer opening a file we hold a read lease on (src/lease.c). */
	signal(SIGIO, SIG_IGN);
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
	struct ticketkeys	 tickets;	/* shared ones, when ticket keys is set */
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
		    !same_string(x->r.lang, y->r.lang) ||
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

/* Every context takes the shared ticket keys, when there are any. */
static int
apply_ticket_keys(struct capsules *cs, SSL_CTX *const *ctxs)
{
	size_t	 i;

	if (cs->cfg->ticket_keys == NULL)
		return 0;
	for (i = 0; i < cs->cfg->nhosts; i++)
		if (tls_set_ticket_keys(ctxs[i], &cs->tickets) == -1)
			return -1;
	return 0;
}

/*
 * SIGHUP: the ticket-keys file read again (a malformed one keeps the
 * current keys), then new certificates for every host, or the old ones
 * if any fails.
 */
static void
reload_certificates(struct capsules *cs)
{
	struct ticketkeys	 fresh_keys;
	SSL_CTX			*fresh[MAX_HOSTS] = { NULL };
	size_t			 i, n = cs->cfg->nhosts;

	if (cs->cfg->ticket_keys != NULL) {
		fresh_keys = cs->tickets;
		if (tls_read_ticket_keys(cs->cfg->ticket_keys, &fresh_keys) ==
		    0) {
			cs->tickets = fresh_keys;
			log_info("SIGHUP: %zu ticket keys read from %s",
			    cs->tickets.n, cs->cfg->ticket_keys);
		} else
			log_warn("SIGHUP: keeping the current ticket keys");
		ticketkeys_clear(&fresh_keys);
	}
	for (i = 0; i < n; i++) {
		if ((fresh[i] = tls_context_reload(&cs->cfg->hosts[i])) == NULL) {
			log_warn("SIGHUP: certificate of %s does not load; "
			    "keeping the current certificates",
			    cs->cfg->hosts[i].name);
			while (i > 0)
				SSL_CTX_free(fresh[--i]);
			(void)apply_ticket_keys(cs, cs->ctxs);
			return;
		}
	}
	if (apply_ticket_keys(cs, fresh) == -1) {
		log_warn("SIGHUP: ticket keys cannot be installed; keeping "
		    "the current certificates");
		for (i = 0; i < n; i++)
			SSL_CTX_free(fresh[i]);
		return;
	}
	server_set_contexts(cs->srv, fresh);
	for (i = 0; i < n; i++) {
		SSL_CTX_free(cs->ctxs[i]);
		cs->ctxs[i] = fresh[i];
	}
	log_info("SIGHUP: certificates reloaded");
}

/* Each block's allow lists, read now: a server block's and its locations'. */
static int
build_allowsets(struct config *cfg)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		struct host *h = &cfg->hosts[i];
		if ((h->r.nallow > 0 || h->r.nallow_files > 0) &&
		    (h->r.allowset = allowset_new(&h->r)) == NULL)
			return -1;
		for (j = 0; j < h->nlocations; j++) {
			struct rules *r = &h->locations[j].r;
			if ((r->nallow > 0 || r->nallow_files > 0) &&
			    (r->allowset = allowset_new(r)) == NULL)
				return -1;
		}
	}
	return 0;
}

static void
free_allowsets(struct config *cfg)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		allowset_free(cfg->hosts[i].r.allowset);
		cfg->hosts[i].r.allowset = NULL;
		for (j = 0; j < cfg->hosts[i].nlocations; j++) {
			allowset_free(cfg->hosts[i].locations[j].r.allowset);
			cfg->hosts[i].locations[j].r.allowset = NULL;
		}
	}
}

/* Allow-list files edited or replaced are read again within a tick. */
static void
refresh_allowsets(const struct config *cfg)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		allowset_refresh(cfg->hosts[i].r.allowset);
		for (j = 0; j < cfg->hosts[i].nlocations; j++)
			allowset_refresh(cfg->hosts[i].locations[j].r.allowset);
	}
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
	time_t			 asked = 0;

	for (;;) {
		int wait = 1000;
		for (i = 0; i < n; i++)
			if (watch_wait_ms(cs->watches[i]) < wait)
				wait = watch_wait_ms(cs->watches[i]);
		if (poll(pfd, n + 1, wait) == -1 && errno != EINTR) {
			log_syserr("poll");
			return;
		}
		for (i = 0; i < n; i++) {
			catalog_writer_lock(cs->cats[i]);
			if (pfd[i + 1].revents & POLLIN)
				watch_process(cs->watches[i]);
			watch_tick(cs->watches[i]);
			catalog_writer_unlock(cs->cats[i]);
			if (watch_root_unreachable(cs->watches[i]) &&
			    time(NULL) - asked >= REPLACE_ASK_SECONDS) {
				log_warn("capsule root %s is outside this "
				    "process's sandbox: asking for a new server "
				    "process", cs->cfg->hosts[i].root);
				supervise_replace_me();
				asked = time(NULL);
			}
		}
		refresh_allowsets(cs->cfg);
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
	char	 fp[ACCESS_FP_COLON_SIZE], spki[ACCESS_FP_COLON_SIZE];
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
		if (tls_fingerprints(cs->ctxs[i], fp, spki, sizeof(fp)) == 0) {
			log_info("%s certificate SHA-256 %s", h->name, fp);
			log_info("%s public key SHA-256 %s (Lagrange, Amfora)",
			    h->name, spki);
		}
	}
}

/*
 * The state directory, made when missing and tried for writing as the
 * user the server will run as; NULL, said once, when it cannot be used.
 */
static const char *
state_dir(const struct config *cfg)
{
	char	 why[512];

	if (pubdates_prepare_dir(cfg->state_dir, cfg->user, 1, why,
	    sizeof(why)) == 0) {
		log_info("publication dates: kept in %s", cfg->state_dir);
		return cfg->state_dir;
	}
	log_warn("publication dates: state directory %s: %s; the feeds date "
	    "pages by their modification time", cfg->state_dir, why);
	return NULL;
}

static int
open_capsules(struct capsules *cs, int port)
{
	struct catalog_config	 cc;
	const char		*state = state_dir(cs->cfg);
	enum config_watch	 how;
	size_t			 i;
	int			 poll_s;

	for (i = 0; i < cs->cfg->nhosts; i++) {
		const struct host *h = &cs->cfg->hosts[i];
		cc.host = h;
		cc.hostname = h->name;
		cc.port = port;
		cc.feed_max = h->feed_max;
		cc.state_dir = state;
		if ((cs->cats[i] = catalog_new(&cc)) == NULL)
			return -1;
		catalog_set_navigation(cs->cats[i], h->navigation == 2 ?
		    CATALOG_NAV_OFF : h->navigation == 1 ? CATALOG_NAV_DATED :
		    CATALOG_NAV_ON);
		how = config_watch_of(cs->cfg, h, &poll_s);
		if ((cs->watches[i] = watch_open(cs->cats[i], h->root, how,
		    poll_s)) == NULL)
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

/* A server process: its certificates, capsules and sandbox, then the watch loop. */
static int
serve(struct capsules *cs)
{
	const struct config	*cfg = cs->cfg;
	sigset_t		 set;
	size_t			 i;
	int			 sfd, rc = 1;

	if (block_signals(&set) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		log_syserr("signals");
		return 1;
	}
	for (i = 0; i < cfg->nhosts; i++)
		if ((cs->ctxs[i] = tls_context(&cfg->hosts[i])) == NULL) {
			log_error("cannot start: the certificate of %s does "
			    "not load", cfg->hosts[i].name);
			goto done;
		}
	if (cfg->ticket_keys != NULL &&
	    (tls_read_ticket_keys(cfg->ticket_keys, &cs->tickets) == -1 ||
	    apply_ticket_keys(cs, cs->ctxs) == -1)) {
		log_error("cannot start: no usable ticket keys in %s",
		    cfg->ticket_keys);
		goto done;
	}
	if (cfg->ticket_keys != NULL)
		log_info("%zu session-ticket keys from %s, shared with other "
		    "instances", cs->tickets.n, cfg->ticket_keys);
	server_set_contexts(cs->srv, cs->ctxs);
	if (server_prepare(cs->srv) == -1 ||
	    open_capsules(cs, server_port(cs->srv)) == -1)
		goto done;
	announce(cs, server_port(cs->srv));
	if (sandbox_enter(cfg, cs->config_file) == -1)
		goto done;
	/* After the user switch, which clears it: end with the supervisor. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() == 1)
		goto done;
	if (server_start(cs->srv, cs->cats) == -1 || sandbox_seal(cfg) == -1)
		goto done;
	supervise_ready();
	watch_loop(cs, sfd);
	rc = 0;
done:
	close_capsules(cs);
	ticketkeys_clear(&cs->tickets);
	close(sfd);
	return rc;
}

/* Sockets handed over by systemd replace every listen address. */
static int
open_listeners(struct server *srv)
{
	int	 fds[MAX_LISTEN];
	size_t	 n;

	switch (activation_fds(fds, MAX_LISTEN, &n)) {
	case 0:
		return server_listen(srv);
	case 1:
		return server_adopt(srv, fds, n);
	default:
		return -1;
	}
}

/*
 * The listening sockets are bound once, here, and every server process the
 * supervisor starts inherits them: a replacement serves the same addresses
 * without a moment where none listens.
 */
static int
run(const struct config *cfg, int argc, char **argv, const char *config_file)
{
	struct capsules	 cs;
	int		 rc = 1;

	memset(&cs, 0, sizeof(cs));
	cs.cfg = cfg;
	cs.argc = argc;
	cs.argv = argv;
	cs.config_file = config_file;
	if (log_open(cfg->log_file, cfg->log_syslog, cfg->log_format) == -1)
		return 1;
	raise_fd_limit();
	if ((cs.srv = server_new(cfg)) != NULL && open_listeners(cs.srv) == 0) {
		switch (supervise_start(&rc)) {
		case 1:
			rc = serve(&cs);
			cs.srv = NULL;
			break;
		case 0:
			break;
		default:
			rc = 1;
		}
	}
	server_free(cs.srv);
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
		rc = check_config(&cfg, stdout, stderr);
		if (rc == 0)
			printf("almanac: configuration OK: %zu host%s, %zu "
			    "listen address%s\n", cfg.nhosts, cfg.nhosts == 1 ?
			    "" : "s", cfg.nlisten, cfg.nlisten == 1 ? "" : "es");
		config_free(&cfg);
		return rc == 0 ? 0 : 2;
	}
	/* Client certificates towards upstreams are read before the sandbox. */
	if (build_allowsets(&cfg) == 0 && proxy_prepare(&cfg) == 0)
		rc = run(&cfg, argc, argv, cli.config_file);
	else
		rc = 1;
	proxy_release(&cfg);
	free_allowsets(&cfg);
	config_free(&cfg);
	return rc;
}
