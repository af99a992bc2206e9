/* worker: one event loop per thread: accepting, deadlines, and the connections it owns. */
#ifndef ALMANAC_WORKER_H
#define ALMANAC_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "config.h"
#include "listen.h"
#include "timer.h"

struct catalog;
struct conn_pool;
struct filecache;
struct mime;
struct quota;

/* What every worker reads, owned by the server. */
struct worker_shared {
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
	atomic_int		 stopping;
	int			 grace_ms;
};

struct worker {
	struct worker_shared	*sh;
	pthread_t		 thread;
	int			 epfd;
	struct handler		 wake;
	int			 wakefd;
	struct listen_set	 listeners;
	struct timer_lists	 timers;
	size_t			 nconns;
	size_t			 peak;		/* most nconns since trimming */
	struct mime		*mime;
	struct filecache	*files;		/* small settled files */
	struct conn_pool	*pool;		/* recycled answer buffers */
	int			 spare_fd;	/* given up when accept hits EMFILE */
	uint64_t		 paused_until;	/* listeners off until then, or 0 */
};

void	 worker_init(struct worker *, struct worker_shared *);
/* Opens what the loop needs (epoll, libmagic) before any sandbox: 0 or -1. */
int	 worker_setup(struct worker *);
void	*worker_main(void *);
/* Interrupts its wait, so that it sees new limits or a stop. */
void	 worker_wake(struct worker *);
void	 worker_free(struct worker *);
/* A connection's SSL object on the first host's context. */
SSL	*worker_ssl_new(struct worker *);
/* Counting the connections it owns. */
void	 worker_conn_opened(struct worker *);
void	 worker_conn_closed(struct worker *);

#endif
