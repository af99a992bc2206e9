/* worker: one event loop per thread: accepting, deadlines, and the connections it owns. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "filecache.h"
#include "log.h"
#include "mime.h"
#include "worker.h"

#define ACCEPT_BATCH	64
#define EMFILE_PAUSE_MS	50	/* listeners rest when out of descriptors */
#define TRIM_AFTER	1024	/* closed before memory is given back */
#define STOP_POLL_MS	100	/* how often a stopping worker looks again */

void
worker_init(struct worker *w, struct worker_shared *sh)
{
	memset(w, 0, sizeof(*w));
	w->sh = sh;
	w->epfd = -1;
	w->wakefd = -1;
	w->spare_fd = -1;
}

int
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
	if ((w->files = filecache_new()) == NULL ||
	    (w->pool = conn_pool_new()) == NULL) {
		log_warn("out of memory");
		return -1;
	}
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	w->wake.kind = H_WAKE;
	ev.events = EPOLLIN;
	ev.data.ptr = &w->wake;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) == -1)
		return -1;
	for (i = 0; i < w->listeners.n; i++) {
		ev.events = EPOLLIN;
		ev.data.ptr = &w->listeners.l[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listeners.l[i].fd,
		    &ev) == -1)
			return -1;
	}
	return 0;
}

SSL *
worker_ssl_new(struct worker *w)
{
	SSL	*ssl;

	pthread_mutex_lock(&w->sh->ctx_lock);
	ssl = SSL_new(w->sh->ctxs[0]);
	pthread_mutex_unlock(&w->sh->ctx_lock);
	return ssl;
}

void
worker_conn_opened(struct worker *w)
{
	if (++w->nconns > w->peak)
		w->peak = w->nconns;
	atomic_fetch_add(&w->sh->nconns, 1);
}

/*
 * glibc keeps what is freed for later, so a flood of connections (a
 * slowloris attack) would leave the process large after it has gone:
 * once most of the connections counted at the peak have closed, and at
 * least TRIM_AFTER of them, the free memory is given back.
 */
void
worker_conn_closed(struct worker *w)
{
	atomic_fetch_sub(&w->sh->nconns, 1);
	w->nconns--;
	if (w->peak - w->nconns < TRIM_AFTER || w->nconns > w->peak / 4)
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	w->peak = w->nconns;
}

static uint64_t
timer_duration(struct worker *w, enum timer_class t)
{
	switch (t) {
	case T_REQUEST:
		return (uint64_t)atomic_load(&w->sh->request_timeout_ms);
	case T_WRITE:
		return (uint64_t)atomic_load(&w->sh->write_timeout_ms);
	case T_REFUSED:
		return CONN_REFUSED_MS;
	case T_LINGER:
	case T_COUNT:
		break;
	}
	return CONN_LINGER_MS;
}

static int
next_timeout(struct worker *w)
{
	uint64_t	 now = timer_now(), first = UINT64_MAX, at;
	struct timer	*t;
	int		 cls;

	for (cls = 0; cls < T_COUNT; cls++) {
		if ((t = timer_first(&w->timers, cls)) == NULL)
			continue;
		if ((at = t->since + timer_duration(w, cls)) < first)
			first = at;
	}
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

/* Each list is sorted: the first timer still in time ends it. */
static void
expire_timers(struct worker *w)
{
	uint64_t	 now = timer_now(), len;
	struct timer	*t;
	int		 cls;

	for (cls = 0; cls < T_COUNT; cls++) {
		len = timer_duration(w, cls);
		while ((t = timer_first(&w->timers, cls)) != NULL &&
		    t->since + len <= now)
			conn_expire(w, t);
	}
}

static void
listeners_events(struct worker *w, uint32_t events)
{
	struct epoll_event	 ev;
	size_t			 i;

	for (i = 0; i < w->listeners.n; i++) {
		if (w->listeners.l[i].fd == -1)
			continue;
		ev.events = events;
		ev.data.ptr = &w->listeners.l[i];
		(void)epoll_ctl(w->epfd, EPOLL_CTL_MOD, w->listeners.l[i].fd,
		    &ev);
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

	last = atomic_load(&w->sh->last_emfile_log);
	if (now != last && atomic_compare_exchange_strong(
	    &w->sh->last_emfile_log, &last, now))
		log_warn("out of file descriptors: refusing connections");
	if (w->spare_fd != -1) {
		close(w->spare_fd);
		if ((fd = accept(lfd, NULL, NULL)) != -1)
			close(fd);
		w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	listeners_events(w, 0);
	w->paused_until = timer_now() + EMFILE_PAUSE_MS;
}

static void
resume_listening(struct worker *w)
{
	if (w->paused_until == 0 || timer_now() < w->paused_until)
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
	int			 max = atomic_load(&w->sh->max_conns), i, fd;

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
		if (atomic_load(&w->sh->nconns) >= max) {
			close(fd);
			continue;
		}
		conn_new(w, l, fd, &ss);
	}
}

/*
 * A socket handed over by systemd is shared by every worker through its
 * own descriptor, and epoll drops a registration only when the socket
 * itself closes: each is removed before it is closed.
 */
static void
close_listeners(struct worker *w)
{
	size_t	 i;

	for (i = 0; i < w->listeners.n; i++)
		if (w->listeners.l[i].fd != -1)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listeners.l[i].fd,
			    NULL);
	listen_close(&w->listeners);
}

static void
close_all(struct worker *w)
{
	struct timer	*t;
	int		 cls;

	for (cls = 0; cls < T_COUNT; cls++)
		while ((t = timer_first(&w->timers, cls)) != NULL)
			conn_stop(w, t);
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

static void
dispatch(struct worker *w, struct handler *h, uint32_t events)
{
	uint64_t	 value;

	switch (h->kind) {
	case H_LISTENER:
		accept_batch(w, (struct listener *)h);
		break;
	case H_WAKE:
		if (read(w->wakefd, &value, sizeof(value)) == -1 &&
		    errno != EAGAIN)
			log_syserr("worker wake-up");
		break;
	case H_CONN:
	case H_STREAM:
		conn_event(w, h, events);
		break;
	}
}

void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct worker_shared	*sh = w->sh;
	struct epoll_event	 evs[128];
	uint64_t		 stop_at = 0;
	int			 n, i, timeout;

	for (;;) {
		if (atomic_load(&sh->stopping) && stop_at == 0) {
			close_listeners(w);
			stop_at = timer_now() + (uint64_t)sh->grace_ms;
		}
		if (stop_at != 0 && (w->nconns == 0 || timer_now() >= stop_at))
			break;
		timeout = sooner(next_timeout(w), log_flush_due(timer_now()));
		if (w->paused_until != 0)
			timeout = sooner(timeout, EMFILE_PAUSE_MS);
		if (stop_at != 0)
			timeout = sooner(timeout, STOP_POLL_MS);
		n = epoll_wait(w->epfd, evs, 128, timeout);
		if (n == -1 && errno != EINTR) {
			log_syserr("epoll_wait");
			break;
		}
		for (i = 0; i < n; i++)
			dispatch(w, evs[i].data.ptr, evs[i].events);
		conn_reap(w->pool);
		expire_timers(w);
		resume_listening(w);
	}
	close_all(w);
	log_release();
	return NULL;
}

void
worker_wake(struct worker *w)
{
	uint64_t	 one = 1;

	if (write(w->wakefd, &one, sizeof(one)) == -1)
		log_syserr("waking a worker");
}

void
worker_free(struct worker *w)
{
	close_listeners(w);
	if (w->epfd != -1)
		close(w->epfd);
	if (w->wakefd != -1)
		close(w->wakefd);
	if (w->spare_fd != -1)
		close(w->spare_fd);
	mime_close(w->mime);
	filecache_free(w->files);
	conn_pool_free(w->pool);
}
