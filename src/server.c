/* server: the listening sockets, the workers and what they share: contexts, catalogs, limits. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "quota.h"
#include "server.h"
#include "worker.h"

#define MAX_WORKERS	64

struct server {
	struct worker_shared	 sh;
	struct worker		 workers[MAX_WORKERS];
	int			 nworkers;
	int			 started;
};

/* Where the host SNI chose is kept on the connection's SSL. */
static int	server_sni_index = -1;
static pthread_once_t	server_sni_once = PTHREAD_ONCE_INIT;

static void
server_sni_register(void)
{
	server_sni_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/*
 * The one place where a TLS server name becomes a host: it picks the
 * host's certificate and is kept for the request, whose URL it must
 * agree with.  An unknown name keeps the first host's certificate: the
 * request is then answered 53, which says more than an alert.
 */
static int
server_choose_certificate(SSL *ssl, int *alert, void *arg)
{
	struct worker_shared	*sh = arg;
	const char		*name;
	int			 i, ok;

	(void)alert;
	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name == NULL)
		return SSL_TLSEXT_ERR_OK;
	if ((i = config_find_host(sh->cfg, name, strlen(name))) == -1)
		return SSL_TLSEXT_ERR_OK;
	/* Stored plus one, since a missing value reads as NULL. */
	if (SSL_set_ex_data(ssl, server_sni_index, (void *)(intptr_t)(i + 1))
	    != 1)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	if (i == 0)
		return SSL_TLSEXT_ERR_OK;
	pthread_mutex_lock(&sh->ctx_lock);
	ok = SSL_set_SSL_CTX(ssl, sh->ctxs[i]) != NULL;
	pthread_mutex_unlock(&sh->ctx_lock);
	return ok ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_ALERT_FATAL;
}

int
server_sni_host(SSL *ssl)
{
	return (int)(intptr_t)SSL_get_ex_data(ssl, server_sni_index) - 1;
}

void
server_set_contexts(struct server *srv, SSL_CTX *const *ctxs)
{
	size_t	 h;

	SSL_CTX_set_tlsext_servername_callback(ctxs[0],
	    server_choose_certificate);
	SSL_CTX_set_tlsext_servername_arg(ctxs[0], &srv->sh);
	pthread_mutex_lock(&srv->sh.ctx_lock);
	for (h = 0; h < srv->sh.cfg->nhosts; h++)
		srv->sh.ctxs[h] = ctxs[h];
	pthread_mutex_unlock(&srv->sh.ctx_lock);
}

static void
server_wake_workers(struct server *srv)
{
	int	 i;

	for (i = 0; i < srv->started; i++)
		worker_wake(&srv->workers[i]);
}

/*
 * The workers are woken: one sleeping until a deadline under the old
 * timeouts would otherwise sleep through a nearer one.
 */
void
server_set_limits(struct server *srv, const struct config *cfg)
{
	atomic_store(&srv->sh.request_timeout_ms, cfg->request_timeout_ms);
	atomic_store(&srv->sh.write_timeout_ms, cfg->write_timeout_ms);
	atomic_store(&srv->sh.lifetime_ms, cfg->lifetime_ms);
	atomic_store(&srv->sh.max_conns, cfg->max_conns);
	quota_set(srv->sh.quota, cfg->max_per_addr, cfg->rate_per_addr);
	server_wake_workers(srv);
}

int
server_adopt(struct server *srv, const int *fds, size_t n)
{
	struct listen_set	*sets[MAX_WORKERS];
	int			 i;

	for (i = 0; i < srv->nworkers; i++)
		sets[i] = &srv->workers[i].listeners;
	return listen_adopt(sets, srv->nworkers, fds, n);
}

int
server_listen(struct server *srv)
{
	const struct config	*cfg = srv->sh.cfg;
	struct listen_set	*sets[MAX_WORKERS];
	size_t			 k;
	int			 i;

	for (i = 0; i < srv->nworkers; i++)
		sets[i] = &srv->workers[i].listeners;
	for (k = 0; k < cfg->nlisten; k++)
		if (listen_bind(sets, srv->nworkers, cfg->listen[k],
		    cfg->listen_proxy[k]) == -1)
			return -1;
	return 0;
}

/* Everything that needs files (libmagic's database) is opened here, before any sandbox. */
int
server_prepare(struct server *srv)
{
	int	 i;

	for (i = 0; i < srv->nworkers; i++)
		if (worker_setup(&srv->workers[i]) == -1)
			return -1;
	return 0;
}

int
server_port(const struct server *srv)
{
	const struct listen_set	*set = &srv->workers[0].listeners;

	return set->n > 0 ? set->l[0].port : 1965;
}

struct server *
server_new(const struct config *cfg)
{
	struct server	*srv;
	long		 ncpu;
	int		 i;

	if (pthread_once(&server_sni_once, server_sni_register) != 0 ||
	    server_sni_index == -1)
		return NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->sh.cfg = cfg;
	if ((srv->sh.quota = quota_new(cfg->max_per_addr,
	    cfg->rate_per_addr)) == NULL) {
		free(srv);
		return NULL;
	}
	if (pthread_mutex_init(&srv->sh.ctx_lock, NULL) != 0) {
		quota_free(srv->sh.quota);
		free(srv);
		return NULL;
	}
	atomic_init(&srv->sh.nconns, 0);
	atomic_init(&srv->sh.stopping, 0);
	server_set_limits(srv, cfg);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	srv->nworkers = cfg->workers > 0 ? cfg->workers : (int)(ncpu > 0 ?
	    ncpu : 1);
	if (srv->nworkers > MAX_WORKERS)
		srv->nworkers = MAX_WORKERS;
	for (i = 0; i < srv->nworkers; i++)
		worker_init(&srv->workers[i], &srv->sh);
	return srv;
}

int
server_start(struct server *srv, struct catalog *const *cats)
{
	size_t	 h;
	int	 i;

	for (h = 0; h < srv->sh.cfg->nhosts; h++)
		srv->sh.cats[h] = cats[h];
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

	srv->sh.grace_ms = grace_ms;
	atomic_store(&srv->sh.stopping, 1);
	server_wake_workers(srv);
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
	for (i = 0; i < srv->nworkers; i++)
		worker_free(&srv->workers[i]);
	pthread_mutex_destroy(&srv->sh.ctx_lock);
	quota_free(srv->sh.quota);
	free(srv);
}
